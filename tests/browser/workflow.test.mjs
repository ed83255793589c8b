// Issue 7's whole path in the browser, every step through the pages:
// an applicant registers and submits an ESS application (ESS is open
// today; TVP closed after 2024-12-31, so TVP is checked through its
// funding calculator); an officer screens it, sets up a panel, a meeting
// and its agenda; two panel members declare and score, and the chair
// recommends; finance injects money into the Fund; the approver approves
// within authority; the applicant signs and reports with a file; the
// officer accepts the report and prepares a payment (idempotency key made
// in the browser); the approver approves it (maker-checker); finance
// downloads the cash-flow workbook; the project shows in the public
// register.  Then each role is refused another's page, in the UI and by
// the API.  Screenshots of the main pages in both languages land in
// test-artifacts/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, SHOTS, launch, openPage, fresh, go, settle, setLang, screenshot, signIn, addUser,
  apiHas, resetThrottle, uniq, PW } from './lib.mjs';

let browser;
let available = false;
const S = {};                       // what the steps pass on
const title = `Warehouse picking robots ${uniq()}`;
const nameEn = `Harbour Robotics ${uniq()} Limited`;
const email = `${uniq('flow')}@example.hk`;
const PAPER = `FCR(2026-27)${uniq().slice(-6)}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

before(async () => {
  browser = await launch();
  available = await apiHas('GET', '/public/projects') && await apiHas('GET', '/panels') &&
    await apiHas('GET', '/payments');
  if (!available) return;
  S.officer = addUser('officer', { name: 'Officer Lam' });
  S.chair = addUser('panel_member', { name: 'Prof Chair Cheung' });
  S.member = addUser('panel_member', { name: 'Dr Member Ma' });
  S.approver = addUser('approver', { name: 'Approver Au', authority: 100000000 });
  S.finance = addUser('finance', { name: 'Finance Fung' });
});
after(async () => {
  resetThrottle();
  await browser.close();
});

const SKIP = 'the panels, payments or public register API is not in this build';

// Confirm the open dialog, with a note when one is asked for.
async function confirm(page, note) {
  const dlg = page.locator('dialog[open]');
  await dlg.waitFor();
  if (note !== undefined) await dlg.locator('textarea').fill(note);
  await dlg.locator('button[type="submit"]').click();
  await dlg.waitFor({ state: 'detached' });
}

// Both languages of the page as it is now.
async function shots(page, name) {
  await screenshot(page, `${name}-en`);
  await setLang(page, 'zh');
  await screenshot(page, `${name}-zh`);
  await setLang(page, 'en');
}

async function signOut(page) {
  await page.click('#signout');
  await page.waitForFunction(() => location.hash === '#/');
  assert.deepEqual(page.problems(), []);
  await page.close();
}

async function as(user) {
  await fresh(browser.context);
  const page = await openPage(browser.context);
  await signIn(page, user.email);
  return page;
}

// A call to the API from the page, with its session (and CSRF header on writes).
function apiFrom(page, method, path, body) {
  return page.evaluate(async ([m, p, b]) => {
    const res = await fetch(`/api/v1${p}`, { method: m, headers: m === 'GET' ? {} : { 'x-itf-request': '1', 'content-type': 'application/json' },
      body: b === null ? undefined : JSON.stringify(b) });
    return { status: res.status, body: await res.json().catch(() => null) };
  }, [method, path, body === undefined ? null : body]);
}

test('an applicant registers, checks a TVP quote, drafts and submits an ESS application', async (t) => {
  if (!available) { t.skip(SKIP); return; }
  await fresh(browser.context);
  const page = await openPage(browser.context);
  // TVP closed to applications after 2024-12-31: its calculator still
  // quotes by the rules of any day it had them.
  await go(page, '#/schemes/TVP');
  await page.fill('input[name="submitted_on"]', '2021-06-01');
  await page.fill('input[name="eligible_cost_cents"]', '800,000');
  await page.click('.calc button[type="submit"]');
  await page.waitForFunction(() => document.querySelector('.quote .gov')?.textContent === 'HK$600,000');

  await go(page, '#/register');
  await page.fill('input[name="organisation.name_en"]', nameEn);
  await page.fill('input[name="organisation.name_zh"]', '海港機械人有限公司');
  await page.selectOption('select[name="organisation.type"]', 'company');
  await page.fill('input[name="organisation.br_number"]', String(30000000 + (Date.now() % 69999999)));
  await page.fill('input[name="user.name"]', 'Chan Siu Ming');
  await page.fill('input[name="user.email"]', email);
  await page.fill('input[name="user.password"]', PW);
  await page.fill('input[name="confirm"]', PW);
  await page.click('form button[type="submit"]');
  await page.waitForFunction(() => location.hash === '#/my');
  await settle(page);
  S.applicant = { email };

  await page.selectOption('select[name="scheme"]', 'ESS');
  await page.click('form button[type="submit"]');
  await page.waitForFunction(() => location.hash === '#/applications/new?scheme=ESS');
  await settle(page);
  await page.fill('input[name="title"]', title);
  await page.fill('textarea[name="summary"]', 'Autonomous robots that pick and pack in our own warehouse.');
  await page.fill('input[name="start_date"]', '2027-01-01');
  await page.fill('input[name="end_date"]', '2027-12-31');
  await page.fill('input[name="fields.project_title"]', title);
  await page.click('.repeater[data-field="budget_lines"] > .actions button');
  await page.selectOption('select[name="budget_lines[0].category"]', 'equipment');
  await page.fill('input[name="budget_lines[0].description"]', 'Two picking robots');
  await page.fill('input[name="budget_lines[0].amount_cents"]', '600,000');
  for (const [i, ms, due] of [[0, 'Robots installed', '2027-06-30'], [1, 'Warehouse in operation', '2027-12-31']]) {
    await page.click('.repeater[data-field="milestones"] > .actions button');
    await page.fill(`input[name="milestones[${i}].title"]`, ms);
    await page.fill(`input[name="milestones[${i}].due_date"]`, due);
  }
  await page.click('form.draft .actions button.primary');
  await confirm(page);
  await page.waitForFunction(() => /^#\/applications\/\d+$/.test(location.hash));
  await settle(page);
  S.appId = Number(/(\d+)$/.exec(await page.evaluate(() => location.hash))[1]);
  S.reference = (await page.locator('.page-head .code').first().textContent()).trim();
  assert.match(S.reference, /^ESS\/\d{4}\/\d{2}$/);
  assert.equal(await page.locator('.page-head .badge').first().textContent(), 'Submitted');
  await signOut(page);
});

test('an officer screens it, with its audit trail, and builds a panel, a meeting and its agenda', async (t) => {
  if (!available) { t.skip(SKIP); return; }
  assert.ok(S.appId, 'the application was submitted');
  const page = await as(S.officer);
  await go(page, '#/queue?status=submitted,resubmitted&scheme=ESS');
  await page.locator(`table.queue a:text-is("${S.reference}")`).click();
  await page.waitForFunction((id) => location.hash === `#/applications/${id}`, S.appId);
  await settle(page);
  await page.click('button[data-action="accept"]');
  await confirm(page, '');
  await page.waitForFunction(() => document.querySelector('.page-head .badge')?.textContent === 'Under assessment');
  await settle(page);
  // The audit trail: created, submitted, screening started, accepted.
  const audit = await page.locator('.audit-trail tbody').textContent();
  for (const what of ['Draft created', 'Submitted', 'Screening started', 'Accepted for assessment'])
    assert.match(audit, new RegExp(what), `${what} in the audit trail`);
  assert.match(audit, new RegExp(S.officer.email));
  await shots(page, 'application-audit');

  // A panel for ESS with a quorum of two.
  await go(page, '#/panels');
  await page.click('#create-panel summary');
  await page.selectOption('#new-panel select[name="scheme"]', 'ESS');
  await page.fill('#new-panel input[name="quorum"]', '2');
  await page.fill('#new-panel input[name="name_en"]', `ESS Vetting Panel ${uniq()}`);
  await page.fill('#new-panel input[name="name_zh"]', '企業支援計劃評審委員會');
  await page.click('#new-panel button[type="submit"]');
  await page.waitForFunction(() => /^#\/panels\/\d+$/.test(location.hash));
  await settle(page);
  S.panelId = Number(/(\d+)$/.exec(await page.evaluate(() => location.hash))[1]);
  for (const [u, role] of [[S.chair, 'chair'], [S.member, 'member']]) {
    await page.click('#appoint summary');
    await page.fill('#appoint-form input[name="user_id"]', String(u.id));
    await page.selectOption('#appoint-form select[name="role"]', role);
    await page.fill('#appoint-form input[name="term_to"]', '2030-12-31');
    await page.click('#appoint-form button[type="submit"]');
    await page.locator('table tbody td', { hasText: u.email }).first().waitFor();
    await settle(page);
  }
  // A user without the panel member role is refused, next to the field.
  await page.click('#appoint summary');
  await page.fill('#appoint-form input[name="user_id"]', String(S.finance.id));
  await page.fill('#appoint-form input[name="term_to"]', '2030-12-31');
  await page.click('#appoint-form button[type="submit"]');
  await page.locator('#appoint-form .field[data-field="user_id"] .field-error').waitFor();
  await page.click('#new-meeting summary');
  await page.fill('#meeting-form input[name="venue"]', 'Conference Room 3, ITC');
  await page.click('#meeting-form button[type="submit"]');
  await page.waitForFunction(() => /^#\/meetings\/\d+$/.test(location.hash));
  await settle(page);
  S.meetingId = Number(/(\d+)$/.exec(await page.evaluate(() => location.hash))[1]);
  await page.check(`#add-agenda input[type="checkbox"][value="${S.appId}"]`);
  await page.click('#add-agenda button[type="submit"]');
  await page.locator(`.agenda a:text-is("${S.reference}")`).waitFor();
  await settle(page);
  await shots(page, 'meeting-officer');
  await signOut(page);
});

test('panel members declare no conflict and score; the chair recommends', async (t) => {
  if (!available) { t.skip(SKIP); return; }
  assert.ok(S.meetingId, 'the meeting was set up');
  const sheet = await (await fetch(`${BASE}/api/v1/schemes/ESS`)).json();
  const scores = [[S.chair, [7, 8, 6, 9, 5], '70.00'], [S.member, [8, 8, 8, 8, 8], '80.00']];
  for (const [u, marks, total] of scores) {
    const page = await as(u);
    assert.equal(await page.evaluate(() => location.hash), '#/panel');
    if (u === S.chair) await shots(page, 'panel-home');
    await page.click(`a[href="#/meetings/${S.meetingId}"]`);
    await settle(page);
    await page.click(`.item-actions[data-application="${S.appId}"] button[data-action="no-conflict"]`);
    await confirm(page);
    await page.locator(`.item-actions[data-application="${S.appId}"] a[data-action="score"]`).waitFor();
    if (u === S.chair) await shots(page, 'meeting-member');
    await page.click(`.item-actions[data-application="${S.appId}"] a[data-action="score"]`);
    await page.waitForFunction(([m, a]) => location.hash === `#/meetings/${m}/score/${a}`, [S.meetingId, S.appId]);
    await settle(page);
    assert.equal(await page.locator('.score-total').textContent(), 'shown once every criterion is scored');
    for (const [i, c] of sheet.criteria.entries()) await page.fill(`input[name="scores.${c.id}"]`, String(marks[i]));
    // Worked out in the page as the marks are typed...
    assert.equal(await page.locator('.score-total').textContent(), `${total} of 100`);
    await page.click('#score-form button[type="submit"]');
    // ...and the service's own figure once saved.
    await page.waitForFunction((x) => document.querySelector('.saved-total')?.textContent.includes(`${x} of 100`), total);
    if (u === S.chair) await shots(page, 'score');
    await signOut(page);
  }

  const page = await as(S.chair);
  await go(page, `#/meetings/${S.meetingId}/scoresheet`);
  const item = page.locator(`.sheet-item[data-application="${S.appId}"]`);
  assert.equal(await item.locator('strong.mean').textContent(), '75.00', 'the mean of 70 and 80');
  assert.match(await item.textContent(), /Quorum met/);
  await shots(page, 'scoresheet');
  await item.locator('textarea[name="reasons"]').fill('Strong technical content and a clear business case.');
  await item.locator('button[type="submit"]').click();
  await page.waitForFunction((id) => document.querySelector(`.sheet-item[data-application="${id}"] .badge`)?.textContent === 'Recommended', S.appId);
  await signOut(page);
});

test('finance records an injection and a transfer, and reads the position', async (t) => {
  if (!available) { t.skip(SKIP); return; }
  const page = await as(S.finance);
  assert.equal(await page.evaluate(() => location.hash), '#/finance');
  await go(page, '#/finance/record');
  await page.fill('#injection-form input[name="amount_cents"]', '5,000,000');
  await page.fill('#injection-form input[name="paper_ref"]', PAPER);
  await page.click('#injection-form button[type="submit"]');
  await page.waitForFunction(() => location.hash.startsWith('#/finance/entries?paper_ref='));
  await settle(page);
  assert.match(await page.locator('table.entries > tbody').textContent(), /Injection.*HK\$5,000,000/);
  // The whole-balance switch takes the amount away; a named amount moves.
  await go(page, '#/finance/record');
  await page.check('#transfer-form input[name="whole_balance"]');
  assert.equal(await page.locator('#transfer-form .field[data-field="amount_cents"]').isVisible(), false);
  await screenshot(page, 'ledger-record-en');
  await setLang(page, 'zh');
  await screenshot(page, 'ledger-record-zh');
  await setLang(page, 'en');
  await page.uncheck('#transfer-form input[name="whole_balance"]');
  await page.selectOption('#transfer-form select[name="from"]', 'H111-101');
  await page.selectOption('#transfer-form select[name="to"]', 'H111-112');
  await page.fill('#transfer-form input[name="amount_cents"]', '1,000');
  await page.fill('#transfer-form input[name="paper_ref"]', `${PAPER}(b)`);
  await page.click('#transfer-form button[type="submit"]');
  await page.waitForFunction(() => location.hash.startsWith('#/finance/entries?paper_ref='));
  await settle(page);
  assert.match(await page.locator('table.entries > tbody').textContent(), /Transfer.*H111-101.*H111-112.*HK\$1,000/);
  // What cannot be an amount is refused next to its field, before sending.
  await go(page, '#/finance/record');
  await page.fill('#injection-form input[name="amount_cents"]', '12abc');
  await page.fill('#injection-form input[name="paper_ref"]', PAPER);
  await page.click('#injection-form button[type="submit"]');
  await page.locator('#injection-form .field[data-field="amount_cents"] .field-error').waitFor();

  await go(page, '#/finance');
  assert.equal(await page.locator('.kpi').count(), 5);
  await shots(page, 'ledger-position');
  await go(page, '#/finance/entries');
  await shots(page, 'ledger-entries');
  await signOut(page);
});

test('the approver approves the recommended application within authority', async (t) => {
  if (!available) { t.skip(SKIP); return; }
  const page = await as(S.approver);
  assert.equal(await page.evaluate(() => location.hash), '#/decisions');
  const row = page.locator('table.waiting tr', { hasText: S.reference });
  await row.waitFor();
  assert.match(await row.textContent(), /Recommended.*75\.00.*HK\$300,000/);
  await shots(page, 'decisions');
  await row.locator('a').click();
  await page.waitForFunction((id) => location.hash === `#/decisions/${id}`, S.appId);
  await settle(page);
  assert.match(await page.locator('h1').textContent(), new RegExp(title));
  await page.fill('#decide-form textarea[name="reasons"]', 'Within the scheme\'s objectives; the panel supports it.');
  await shots(page, 'decision');
  await page.click('#decide-form button[type="submit"]');
  await confirm(page);
  await page.locator('.decided').waitFor();
  assert.match(await page.locator('.decided').textContent(), /Approve.*HK\$300,000/);
  assert.equal(await page.locator('.page-head .badge').first().textContent(), 'Approved');
  await signOut(page);
});

test('the applicant signs the agreement and reports on the first milestone with a file', async (t) => {
  if (!available) { t.skip(SKIP); return; }
  const page = await as(S.applicant);
  await page.click('#nav-list a:text-is("My projects")');
  await page.waitForFunction(() => location.hash === '#/grants');
  await settle(page);
  await page.click(`a:text-is("${S.reference}")`);
  await page.waitForFunction((id) => location.hash === `#/grants/${id}`, S.appId);
  await settle(page);
  assert.equal(await page.locator('.page-head .badge').first().textContent(), 'Awaiting signature');
  await page.click('button[data-action="sign"]');
  await confirm(page);
  await page.waitForFunction(() => document.querySelector('.page-head .badge')?.textContent === 'Active');
  await settle(page);
  const ms = page.locator('li.milestone[data-seq="1"]');
  await ms.locator('details.report-form summary').click();
  await ms.locator('textarea[name="text"]').fill('Both robots are installed and picking 400 orders a day.');
  await ms.locator('input[name="expenditure_cents"]').fill('280,000');
  await ms.locator('input[name="file"]').setInputFiles({ name: 'progress-report.pdf', mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n') });
  await ms.locator('button[type="submit"]').click();
  await page.waitForFunction(() => document.querySelector('li.milestone[data-seq="1"] li.report .badge')?.textContent === 'Waiting for review');
  await settle(page);
  assert.equal(await ms.locator('li.report a[download]').count(), 1, 'the file is attached');
  await shots(page, 'project-applicant');
  await signOut(page);
});

test('the officer accepts the report and prepares a payment with a browser-made idempotency key', async (t) => {
  if (!available) { t.skip(SKIP); return; }
  const page = await as(S.officer);
  await go(page, '#/grants');
  await page.click(`a:text-is("${S.reference}")`);
  await page.waitForFunction((id) => location.hash === `#/grants/${id}`, S.appId);
  await settle(page);
  await page.click('li.milestone[data-seq="1"] button[data-action="accept"]');
  await confirm(page, '');
  await page.locator('button[data-action="prepare"]').waitFor();
  await settle(page);
  const sent = page.waitForRequest((r) => r.url().endsWith('/api/v1/payments') && r.method() === 'POST');
  await page.click('button[data-action="prepare"]');
  await confirm(page, 'First tranche: robots installed.');
  const req = await sent;
  assert.match(req.headers()['idempotency-key'], UUID, 'a v4 UUID from crypto.randomUUID');
  await page.waitForFunction(() => [...document.querySelectorAll('section.payments .badge')].some((b) => b.textContent === 'Waiting for approval'));
  await settle(page);
  await shots(page, 'project-officer');
  // Suspension holds the payments (and says why); resumption frees them.
  await page.click('button[data-action="suspend"]');
  await confirm(page, 'Waiting for the audited stock count.');
  await page.waitForFunction(() => document.querySelector('.page-head .badge')?.textContent === 'Suspended');
  await settle(page);
  assert.match(await page.locator('.note.hold').textContent(), /Waiting for the audited stock count/);
  await page.click('button[data-action="resume"]');
  await confirm(page, '');
  await page.waitForFunction(() => document.querySelector('.page-head .badge')?.textContent === 'Active');
  await settle(page);
  assert.equal(await page.locator('.note.hold').count(), 0);
  // Maker-checker: who prepared it may not approve it, in the UI or the API.
  await go(page, '#/payments?status=prepared');
  const row = page.locator('table tbody tr', { hasText: S.reference });
  await row.waitFor();
  assert.equal(await row.locator('button[data-action="approve"]').count(), 0);
  S.paymentId = Number((await row.locator('td').first().textContent()).replace('#', ''));
  const r = await apiFrom(page, 'POST', `/payments/${S.paymentId}/approve`, {});
  assert.equal(r.status, 403);
  await signOut(page);
});

test('the approver approves the payment, and the applicant sees it received', async (t) => {
  if (!available) { t.skip(SKIP); return; }
  const page = await as(S.approver);
  await go(page, '#/payments');
  const row = page.locator('table tbody tr', { hasText: S.reference });
  await row.waitFor();
  await shots(page, 'payments');
  await row.locator(`button[data-action="approve"][data-payment="${S.paymentId}"]`).click();
  await confirm(page, '');
  await page.locator(`button[data-payment="${S.paymentId}"]`).first().waitFor({ state: 'detached' });
  await settle(page);
  assert.equal(await page.locator(`button[data-payment="${S.paymentId}"]`).count(), 0, 'no longer waiting');
  await go(page, '#/payments?status=approved');
  assert.match(await page.locator('table tbody tr', { hasText: S.reference }).first().textContent(), /HK\$150,000.*Paid/);
  await signOut(page);

  const app = await as(S.applicant);
  await go(app, `#/grants/${S.appId}`);
  assert.match(await app.locator('section.payments').textContent(), /HK\$150,000/);
  assert.match(await app.locator('section.payments .running').textContent(), /HK\$150,000/);
  await signOut(app);
});

test('finance downloads the cash-flow workbook, with a busy button while it builds', async (t) => {
  if (!available) { t.skip(SKIP); return; }
  const page = await openPage(browser.context);
  await fresh(browser.context);
  await signIn(page, S.finance.email);
  await go(page, '#/reports');
  assert.equal(await page.locator('section.report').count(), 6);
  await shots(page, 'reports');
  const card = page.locator('section.report[data-report="cash-flow"]');
  await card.locator('select[name="scheme"]').selectOption('ESS');
  // Hold the answer until the page has shown that it is working.
  let busySeen = null;
  await page.route('**/api/v1/reports/cash-flow.xlsx*', async (route) => {
    busySeen = await page.evaluate(() => {
      const b = document.querySelector('section.report[data-report="cash-flow"] button[type="submit"]');
      return b.disabled && b.getAttribute('aria-busy') === 'true' && /Building/.test(b.textContent);
    });
    await route.continue();
  });
  const dl = page.waitForEvent('download');
  await card.locator('button[type="submit"]').click();
  const file = await dl;
  assert.match(file.suggestedFilename(), /^cash-flow-ESS-.*\.xlsx$/);
  assert.equal(busySeen, true, 'the button was busy while the workbook was built');
  const path = await file.path();
  const { readFileSync } = await import('node:fs');
  assert.equal(readFileSync(path).subarray(0, 2).toString(), 'PK', 'an xlsx (zip) file');
  await card.locator('.download-status').filter({ hasText: 'Downloaded' }).waitFor();
  assert.equal(await card.locator('button[type="submit"]').isDisabled(), false);
  await page.unroute('**/api/v1/reports/cash-flow.xlsx*');
  // A bad parameter is refused next to its field, before anything is sent.
  await card.locator('input[name="fy"]').fill('2021/22');
  await card.locator('button[type="submit"]').click();
  await card.locator('.field[data-field="fy"] .field-error').waitFor();
  await signOut(page);
});

test('the project is in the public register, without a session', async (t) => {
  if (!available) { t.skip(SKIP); return; }
  await fresh(browser.context);
  const page = await openPage(browser.context);
  await go(page, `#/projects?q=${encodeURIComponent(title)}`);
  const row = page.locator('table.register tbody tr', { hasText: S.reference });
  await row.waitFor();
  assert.match(await row.textContent(), new RegExp(`${title}.*${nameEn}.*ESS.*HK\\$300,000.*Ongoing`));
  assert.match(await page.locator('.result-count').textContent(), /^1–1 of 1$/);
  await shots(page, 'projects-register');
  // The organisation's name filters the register to its projects.
  await row.locator('a.org-link').click();
  await page.waitForFunction(() => location.hash.includes('organisation='));
  await settle(page);
  assert.match(await page.locator('.note.org-filter').textContent(), new RegExp(nameEn));
  // Filters by status and year.
  await go(page, `#/projects?q=${encodeURIComponent(title)}&status=terminated`);
  assert.equal(await page.locator('table.register').count(), 0);
  await go(page, `#/projects?q=${encodeURIComponent(title)}&status=ongoing&year=${new Date().getFullYear()}`);
  await page.locator('table.register tbody tr', { hasText: S.reference }).waitFor();
  assert.deepEqual(page.problems(), []);
  await page.close();
});

test('each role is refused another role\'s pages: hidden in the UI, refused by the API', async (t) => {
  if (!available) { t.skip(SKIP); return; }
  const cases = [
    [S.applicant, '#/finance', 'Ledger', 'GET', '/ledger/position'],
    [S.chair, '#/decisions', 'Decisions', 'GET', '/payments'],
    [S.finance, '#/panels', 'Panels', 'GET', '/panels'],
    [S.approver, '#/finance/record', 'Record an entry', 'POST', '/ledger/injections'],
    [S.officer, '#/finance/record', 'Ledger', 'POST', '/ledger/injections'],
    [S.member, '#/grants', 'Projects', 'GET', '/projects'],
  ];
  for (const [user, hash, navLabel, method, path] of cases) {
    const page = await as(user);
    const nav = await page.locator('#nav-list a').allTextContents();
    assert.ok(!nav.includes(navLabel), `${user.email}: no "${navLabel}" in ${nav}`);
    await go(page, hash);
    assert.equal(await page.locator('h1').textContent(), 'Not available to your role', hash);
    const r = await apiFrom(page, method, path, method === 'GET' ? undefined :
      { amount_cents: 100, paper_ref: 'X', approved_on: '2024-01-01' });
    assert.equal(r.status, 403, `${method} ${path}`);
    await signOut(page);
  }
});

// Nothing wider than the screen (tables scroll inside their own box), and
// every control labelled.
async function fitsPhone(page, what) {
  const wide = await page.evaluate(() => (document.documentElement.scrollWidth <= window.innerWidth ? [] :
    [...document.querySelectorAll('#main *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
      .slice(0, 5).map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}px`)));
  assert.deepEqual(wide, [], `${what} is wider than a 375px phone`);
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('#main input, #main select, #main textarea')]
    .filter((e) => e.type !== 'hidden' && !e.labels?.length && !e.getAttribute('aria-label')).map((e) => e.name || e.outerHTML));
  assert.deepEqual(unlabelled, [], `${what}: unlabelled controls`);
}

test('the staff pages fit a phone and label every control', async (t) => {
  if (!available) { t.skip(SKIP); return; }
  for (const [user, hashes] of [
    [S.officer, [`#/grants/${S.appId}`, '#/panels', `#/panels/${S.panelId}`, `#/meetings/${S.meetingId}`, `#/applications/${S.appId}`]],
    [S.finance, ['#/finance', '#/finance/entries', '#/finance/record', '#/reports', '#/payments']],
    [S.chair, ['#/panel', `#/meetings/${S.meetingId}`, `#/meetings/${S.meetingId}/scoresheet`]],
  ]) {
    const page = await as(user);
    await page.setViewportSize({ width: 375, height: 740 });
    for (const hash of hashes) {
      await go(page, hash);
      await fitsPhone(page, hash);
      if (hash.startsWith('#/grants/')) await page.screenshot({ path: `${SHOTS}/phone-project-en.png` });
      if (hash.endsWith('/scoresheet')) await page.screenshot({ path: `${SHOTS}/phone-scoresheet-en.png` });
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    await signOut(page);
  }
});
