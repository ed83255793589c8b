// An application's life in the browser: the applicant drafts one with the
// form the scheme defines, is refused and corrects it, submits; an officer
// sees it on the dashboard and in the queue, returns it with a note; the
// applicant reads the note and resubmits.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, fresh, go, settle, setLang, screenshot, signIn, addOrg, addUser,
  apiHas, resetThrottle, uniq, SHOTS } from './lib.mjs';

let browser;
let available = false;
let applicant;
let officer;
const title = `Smart lamp-post sensors ${uniq()}`;
let appId = null;
let reference = null;

before(async () => {
  browser = await launch();
  available = await apiHas('GET', '/applications') && await apiHas('POST', '/session');
  if (!available) return;
  const org = addOrg('university', `Harbour University ${uniq()}`, '海港大學');
  applicant = addUser('applicant', { org, name: 'Dr Chan' });
  officer = addUser('officer', { name: 'Officer Ho' });
});
after(async () => {
  resetThrottle();
  await browser.close();
});

const SKIP = '/api/v1/applications is not in this build';
// Nothing wider than the screen; on failure, name what sticks out.
async function noOverflow(page) {
  const wide = await page.evaluate(() => (document.documentElement.scrollWidth <= window.innerWidth ? [] :
    [...document.querySelectorAll('#main *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
      .slice(0, 5).map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}px`)));
  assert.deepEqual(wide, [], 'wider than a 375px phone');
  return true;
}

test('applicant drafts, is refused, corrects and submits an application', async (t) => {
  if (!available) { t.skip(SKIP); return; }
  await fresh(browser.context);
  const page = await openPage(browser.context);
  await signIn(page, applicant.email);
  assert.equal(await page.evaluate(() => location.hash), '#/my');
  await page.selectOption('select[name="scheme"]', 'ITSP');
  await page.click('form button[type="submit"]');
  await page.waitForFunction(() => location.hash === '#/applications/new?scheme=ITSP');
  await settle(page);
  assert.match(await page.locator('h1').textContent(), /Innovation and Technology Support Programme/);
  // The scheme's own fields come from its definition.
  assert.equal(await page.locator('input[name="fields.project_title"]').count(), 1);
  assert.equal(await page.locator('select[name="fields.project_tier"]').count(), 1);

  await page.fill('input[name="title"]', title);
  await page.click('form.draft button[type="submit"]');
  await page.waitForFunction(() => /^#\/applications\/\d+\/edit$/.test(location.hash));
  appId = Number(/(\d+)/.exec(await page.evaluate(() => location.hash))[1]);

  // Budget lines with a running total.
  await page.click('.repeater[data-field="budget_lines"] > .actions button');
  await page.selectOption('select[name="budget_lines[0].category"]', 'manpower');
  await page.fill('input[name="budget_lines[0].description"]', 'Research assistant, 12 months');
  await page.fill('input[name="budget_lines[0].amount_cents"]', '500,000');
  await page.click('.repeater[data-field="budget_lines"] > .actions button');
  await page.selectOption('select[name="budget_lines[1].category"]', 'equipment');
  await page.fill('input[name="budget_lines[1].amount_cents"]', '100000.50');
  assert.equal(await page.locator('.running .total').textContent(), 'HK$600,000.50');
  await page.waitForFunction(() => /HK\$/.test(document.querySelector('.estimate')?.textContent || ''));

  // Submitting without a summary: the service refuses, next to the field.
  await page.click('form.draft .actions button.primary');
  await page.click('dialog button[type="submit"]');
  const err = page.locator('.field[data-field="summary"] .field-error');
  await err.waitFor();
  assert.match(await err.textContent(), /summary/i);
  assert.equal(await page.locator('input[name="title"]').inputValue(), title, 'typed values are kept');
  assert.equal(await page.locator('input[name="budget_lines[1].amount_cents"]').inputValue(), '100000.50');
  await setLang(page, 'zh');
  assert.match(await err.locator('.err-text').textContent(), /摘要.*必須填寫/);
  await setLang(page, 'en');

  await page.fill('textarea[name="summary"]', 'Sensors on lamp-posts <b>measure</b> air quality & noise.');
  await page.fill('input[name="start_date"]', '2030-01-01');
  await page.fill('input[name="end_date"]', '2030-12-31');
  await page.fill('input[name="fields.project_title"]', title);
  await page.selectOption('select[name="fields.project_tier"]', 'seed');
  await page.click('.repeater[data-field="milestones"] > .actions button');
  await page.fill('input[name="milestones[0].title"]', 'Prototype');
  await page.fill('textarea[name="milestones[0].deliverables"]', 'Ten sensors installed');
  await page.fill('input[name="milestones[0].due_date"]', '2030-06-30');
  await screenshot(page, 'application-editor-en');
  await setLang(page, 'zh');
  await screenshot(page, 'application-editor-zh');
  await setLang(page, 'en');
  await page.setViewportSize({ width: 375, height: 740 });
  assert.ok(await noOverflow(page), 'the editor fits a phone');
  await page.locator('.repeater[data-field="budget_lines"]').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/phone-editor-en.png` });
  await page.setViewportSize({ width: 1280, height: 900 });

  await page.click('form.draft .actions button.primary');
  await page.click('dialog button[type="submit"]');
  await page.waitForFunction((id) => location.hash === `#/applications/${id}`, appId);
  await settle(page);
  assert.equal(await page.locator('.page-head .badge').first().textContent(), 'Submitted');
  reference = (await page.locator('.page-head .code').first().textContent()).trim();
  assert.match(reference, /^ITS\/\d{4}\/\d{2}$/);
  // User text is shown as text, never as markup.
  assert.match(await page.locator('p.pre').first().textContent(), /<b>measure<\/b>/);
  assert.equal(await page.locator('p.pre b').count(), 0);
  assert.match(await page.locator('.timeline').textContent(), /Submitted/);
  const api = await page.evaluate(async (id) => (await fetch(`/api/v1/applications/${id}`)).json(), appId);
  assert.match(await page.locator('.facts').first().textContent(), new RegExp(api.requested_cents ? 'Government funding' : ''));
  assert.equal(await page.locator('button[data-action="submit"]').count(), 0, 'no second submission offered');
  await screenshot(page, 'application-view-en');
  await setLang(page, 'zh');
  assert.equal(await page.locator('.page-head .badge').first().textContent(), '已提交');
  await screenshot(page, 'application-view-zh');
  await setLang(page, 'en');
  await page.click('#signout');
  await page.waitForFunction(() => location.hash === '#/');
  assert.deepEqual(page.problems(), []);
  await page.close();
});

test('officer: dashboard chart, queue filters and sorting, return with a note', async (t) => {
  if (!available) { t.skip(SKIP); return; }
  assert.ok(appId, 'the applicant test made an application');
  await fresh(browser.context);
  const page = await openPage(browser.context);
  await signIn(page, officer.email);
  assert.equal(await page.evaluate(() => location.hash), '#/dashboard');
  await page.waitForFunction(() => window.Chart && document.querySelectorAll('figure.chart canvas').length === 2);
  const drawn = await page.evaluate(() => [...document.querySelectorAll('figure.chart canvas')].every((c) => c.width > 0 && window.Chart.getChart(c)));
  assert.ok(drawn, 'both charts drawn by Chart.js');
  assert.ok(Number(await page.locator('.kpi .kpi-value').first().textContent()) >= 1);
  await screenshot(page, 'dashboard-en');
  await setLang(page, 'zh');
  assert.equal(await page.locator('h1').textContent(), '概覽');
  const label = await page.evaluate(() => window.Chart.getChart(document.querySelector('figure.chart canvas')).data.labels[0]);
  assert.equal(label, '已提交', 'chart labels follow the language');
  await screenshot(page, 'dashboard-zh');
  await setLang(page, 'en');

  await go(page, '#/queue');
  await page.selectOption('select[name="status"]', 'submitted,resubmitted');
  await page.selectOption('select[name="scheme"]', 'ITSP');
  await page.click('form[role="search"] button[type="submit"]');
  await page.waitForFunction(() => location.hash.includes('status=submitted'));
  await page.locator('table.queue tbody tr').first().waitFor();
  const refs = await page.locator('table.queue tbody tr td:first-child').allTextContents();
  assert.ok(refs.includes(reference), `${reference} in ${refs}`);
  const statuses = await page.locator('table.queue tbody .badge').allTextContents();
  assert.ok(statuses.every((s) => s === 'Submitted' || s === 'Resubmitted'), statuses.join());
  await page.click('th[data-key="requested"] button');
  assert.equal(await page.locator('th[data-key="requested"]').getAttribute('aria-sort'), 'ascending');
  await page.click('th[data-key="requested"] button');
  assert.equal(await page.locator('th[data-key="requested"]').getAttribute('aria-sort'), 'descending');
  // A bad filter is refused next to its field.
  await page.fill('input[name="submitted_from"]', '2030-02-01');
  await page.fill('input[name="submitted_to"]', '2030-01-01');
  await page.click('form[role="search"] button[type="submit"]');
  await page.locator('.field[data-field="submitted_to"] .field-error').waitFor();
  await page.fill('input[name="submitted_from"]', '');
  await page.fill('input[name="submitted_to"]', '');
  await screenshot(page, 'queue-en');
  await setLang(page, 'zh');
  await screenshot(page, 'queue-zh');
  await setLang(page, 'en');
  await page.setViewportSize({ width: 375, height: 740 });
  assert.ok(await noOverflow(page), 'the queue fits a phone (its table scrolls)');
  await go(page, '#/dashboard');
  await page.waitForFunction(() => window.Chart && document.querySelectorAll('figure.chart canvas').length === 2);
  assert.ok(await noOverflow(page), 'the dashboard fits a phone');
  await screenshot(page, 'phone-dashboard-en');
  await page.setViewportSize({ width: 1280, height: 900 });
  await go(page, `#/queue?status=submitted,resubmitted&scheme=ITSP`);
  await page.locator('table.queue tbody tr').first().waitFor();

  await page.click(`table.queue a:text-is("${reference}")`);
  await page.waitForFunction((id) => location.hash === `#/applications/${id}`, appId);
  await settle(page);
  await page.click('button[data-action="return"]');
  // The note is required: the dialog says so before anything is sent.
  await page.click('dialog button[type="submit"]');
  await page.locator('dialog .field-error').waitFor();
  await page.fill('dialog textarea', 'Please give the quotation for the sensors.');
  await page.click('dialog button[type="submit"]');
  await page.waitForFunction(() => document.querySelector('.page-head .badge')?.textContent === 'Returned for clarification');
  assert.match(await page.locator('.note.returned').textContent(), /quotation for the sensors/);
  await page.click('#signout');
  await page.waitForFunction(() => location.hash === '#/');
  assert.deepEqual(page.problems(), []);
  await page.close();
});

test('applicant reads the note and resubmits', async (t) => {
  if (!available) { t.skip(SKIP); return; }
  assert.ok(appId);
  await fresh(browser.context);
  const page = await openPage(browser.context);
  await signIn(page, applicant.email);
  await page.locator('table a', { hasText: reference }).click();
  await page.waitForFunction((id) => location.hash === `#/applications/${id}`, appId);
  await settle(page);
  assert.match(await page.locator('.note.returned').textContent(), /quotation for the sensors/);
  await page.click('a:text-is("Edit and resubmit")');
  await page.waitForFunction((id) => location.hash === `#/applications/${id}/edit`, appId);
  await settle(page);
  assert.match(await page.locator('.note.returned').textContent(), /quotation for the sensors/);
  assert.equal(await page.locator('input[name="budget_lines[0].amount_cents"]').inputValue(), '500,000', 'saved values come back');
  await page.fill('textarea[name="milestones[0].deliverables"]', 'Ten sensors installed; quotation attached');
  await page.click('form.draft .actions button.primary');
  await page.click('dialog button[type="submit"]');
  await page.waitForFunction((id) => location.hash === `#/applications/${id}`, appId);
  await settle(page);
  assert.equal(await page.locator('.page-head .badge').first().textContent(), 'Resubmitted');
  assert.equal((await page.locator('.page-head .code').first().textContent()).trim(), reference, 'keeps its reference');
  await page.click('#signout');
  await page.waitForFunction(() => location.hash === '#/');
  assert.deepEqual(page.problems(), []);
  await page.close();
});
