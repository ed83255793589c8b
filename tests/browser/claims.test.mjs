// The claims panel of a claim-pattern project (docs/api.md, "Claims"), in
// the browser: the applicant makes a monthly RTH claim through the form;
// an officer accepts it and prepares its payment (idempotency key made in
// the browser); both languages are shown.  The project is set up through
// the API and the tests/db approval fixture, as the integration tests do.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, fresh, go, settle, setLang, screenshot, signIn, addUser, addOrg,
  apiHas, resetThrottle, uniq, PW } from './lib.mjs';
import { api, projectsFixture } from '../integration/lib.mjs';

let browser;
let available = false;
const S = {};
const NOW = new Date(Date.now() + 8 * 3600e3);
const ym = (off) => new Date(Date.UTC(NOW.getUTCFullYear(), NOW.getUTCMonth() + off, 1))
  .toISOString().slice(0, 7);

async function cookieFor(email) {
  const r = await api('POST', '/api/v1/session', { body: { email, password: PW } });
  assert.equal(r.status, 200, r.text);
  return r.headers.getSetCookie().find((s) => s.startsWith('itf_session=')).split(';')[0];
}

before(async () => {
  browser = await launch();
  available = await apiHas('GET', '/claims');
  if (!available) return;
  const org = addOrg('rd_centre', `Claims Lab ${uniq()}`, '申領實驗室');
  S.applicant = addUser('applicant', { org, name: 'Applicant Au' });
  S.officer = addUser('officer', { name: 'Officer Ho' });
  const officer2 = addUser('officer', { name: 'Officer Ip' });
  const a = await cookieFor(S.applicant.email);
  const o = await cookieFor(officer2.email);
  let r = await api('POST', '/api/v1/applications', { cookie: a, body: {
    scheme: 'RTH', title: `Robot vision talents ${uniq()}`, summary: 'Two research talents.',
    start_date: `${ym(-6)}-01`, end_date: `${ym(24)}-01`,
    fields: { talents: [{ name: 'Dr Chan', qualification: 'doctorate', months: 24 },
      { name: 'Ms Lee', qualification: 'master', months: 24 }] } } });
  assert.equal(r.status, 201, r.text);
  S.id = r.json.id;
  r = await api('POST', `/api/v1/applications/${S.id}/submit`, { cookie: a });
  assert.equal(r.status, 200, r.text);
  S.reference = r.json.reference;
  r = await api('POST', `/api/v1/applications/${S.id}/screen`, { cookie: o, body: { decision: 'accept' } });
  assert.equal(r.status, 200, r.text);
  const f = projectsFixture(['approve', String(S.id), String(r.json.requested_cents)]);
  assert.equal(f.status, 0, f.stderr);
  r = await api('POST', `/api/v1/projects/${S.id}/sign`, { cookie: a });
  assert.equal(r.status, 200, r.text);
});
after(async () => {
  resetThrottle();
  await browser.close();
});

const SKIP = 'the claims API is not in this build';

async function as(user) {
  await fresh(browser.context);
  const page = await openPage(browser.context);
  await signIn(page, user.email);
  return page;
}

async function confirm(page, note) {
  const dlg = page.locator('dialog[open]');
  await dlg.waitFor();
  if (note !== undefined) await dlg.locator('textarea').fill(note);
  await dlg.locator('button[type="submit"]').click();
  await dlg.waitFor({ state: 'detached' });
}

test('the applicant makes a monthly claim from the project page', async (t) => {
  if (!available) { t.skip(SKIP); return; }
  const page = await as(S.applicant);
  await go(page, `#/grants/${S.id}`);
  const sec = page.locator('section.claims');
  assert.match(await sec.locator('h2').textContent(), /Claims/);
  await sec.locator('input[name="month"]').fill(ym(-2));
  await sec.locator('input[name="talents"]').fill('1, 2');
  await sec.locator('button[type="submit"]').click();
  await page.waitForFunction(() => document.querySelector('section.claims .badge')?.textContent === 'Waiting for verification');
  await settle(page);
  // HK$32,000 + HK$21,000 at the RTH-2020 rates.
  assert.match(await sec.locator('table').textContent(), /HK\$53,000/);
  // The same month again is refused, and the page says so.
  await sec.locator('details.claim-form summary').click();
  await sec.locator('input[name="month"]').fill(ym(-2));
  await sec.locator('input[name="talents"]').fill('1');
  await sec.locator('button[type="submit"]').click();
  await sec.locator('.alert:not([hidden]), .field-error:not([hidden])').first().waitFor();
  assert.match(await sec.locator('.alert:not([hidden]), .field-error:not([hidden])').first().textContent(), /already claimed/);
  await setLang(page, 'zh');
  assert.match(await sec.locator('h2').textContent(), /申領/);
  await screenshot(page, 'claims-applicant-zh');
  await setLang(page, 'en');
  assert.deepEqual(page.problems(), []);
  await page.close();
});

test('an officer accepts the claim and prepares its payment', async (t) => {
  if (!available) { t.skip(SKIP); return; }
  const page = await as(S.officer);
  await go(page, `#/grants/${S.id}`);
  await page.click('section.claims button[data-action="claim-accept"]');
  await confirm(page, 'Payroll checked');
  await page.locator('section.claims button[data-action="prepare"]').waitFor();
  await settle(page);
  const sent = page.waitForRequest((r) => r.url().endsWith('/api/v1/payments') && r.method() === 'POST');
  await page.click('section.claims button[data-action="prepare"]');
  await confirm(page, '');
  const req = await sent;
  assert.ok(req.headers()['idempotency-key'], 'an idempotency key');
  assert.ok(JSON.parse(req.postData()).claim_id > 0);
  await page.waitForFunction(() => [...document.querySelectorAll('section.claims .badge')].some((b) => b.textContent === 'Waiting for approval'));
  await settle(page);
  await screenshot(page, 'claims-officer-en');
  assert.deepEqual(page.problems(), []);
  await page.close();
});
