// Signing in and out, each role's home, and registering an organisation,
// in the browser against the real service.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, fresh, go, settle, setLang, screenshot, signIn, addOrg, addUser,
  apiHas, resetThrottle, uniq, PW } from './lib.mjs';

let browser;
let sessions = false;
let registration = false;
before(async () => {
  browser = await launch();
  sessions = await apiHas('POST', '/session');
  registration = await apiHas('POST', '/organisations');
});
after(async () => {
  resetThrottle();
  await browser.close();
});

test('an applicant signs in, lands on its home, and signs out', async (t) => {
  if (!sessions) { t.skip('POST /api/v1/session is not in this build'); return; }
  const org = addOrg('university', `Browser University ${uniq()}`, '瀏覽器大學');
  const user = addUser('applicant', { org, name: 'Chan Tai Man' });
  await fresh(browser.context);
  const page = await openPage(browser.context);
  await go(page, '#/login');
  await page.fill('input[name="email"]', user.email);
  await page.fill('input[name="password"]', PW);
  await page.click('form button[type="submit"]');
  await page.waitForFunction(() => location.hash === '#/my');
  await settle(page);
  assert.equal(await page.locator('h1').textContent(), 'My applications');
  assert.match(await page.locator('.page-head .lead').textContent(), /Browser University/);
  assert.match(await page.locator('.user .who-name').textContent(), /Chan Tai Man/);
  // Navigation shows what an applicant may use, not the officers' pages.
  const nav = await page.locator('#nav-list a').allTextContents();
  assert.ok(nav.includes('My applications'));
  assert.ok(!nav.includes('Dashboard') && !nav.includes('Applications'));
  // An officer's page is refused by role in the UI too.
  await go(page, '#/dashboard');
  assert.equal(await page.locator('h1').textContent(), 'Not available to your role');
  await go(page, '#/my');
  await screenshot(page, 'applicant-home-en');
  await setLang(page, 'zh');
  assert.equal(await page.locator('h1').textContent(), '我的申請');
  assert.match(await page.locator('.page-head .lead').textContent(), /瀏覽器大學/, 'organisation name in Chinese');
  await screenshot(page, 'applicant-home-zh');
  await setLang(page, 'en');

  await page.click('#signout');
  await page.waitForFunction(() => location.hash === '#/');
  await settle(page);
  assert.equal(await page.locator('.user a', { hasText: 'Sign in' }).count(), 1);
  const session = await page.evaluate(async () => (await fetch('/api/v1/session')).status);
  assert.equal(session, 401, 'the session is gone on the service too');
  // A page that needs a session sends the visitor to sign in, and back.
  await go(page, '#/my');
  assert.match(page.url(), /#\/login\?next=/);
  await page.fill('input[name="email"]', user.email);
  await page.fill('input[name="password"]', PW);
  await page.click('form button[type="submit"]');
  await page.waitForFunction(() => location.hash === '#/my');
  await page.click('#signout');
  await page.waitForFunction(() => location.hash === '#/');
  assert.deepEqual(page.problems(), []);
  await page.close();
});

test('each role lands on its own home page', async (t) => {
  if (!sessions) { t.skip('POST /api/v1/session is not in this build'); return; }
  const officer = addUser('officer', { name: 'Officer Wong' });
  const auditor = addUser('auditor');
  await fresh(browser.context);
  const page = await openPage(browser.context);
  await signIn(page, officer.email);
  assert.equal(await page.evaluate(() => location.hash), '#/dashboard');
  const nav = await page.locator('#nav-list a').allTextContents();
  assert.ok(nav.includes('Dashboard') && nav.includes('Applications'));
  assert.ok(!nav.includes('My applications'));
  await page.click('#signout');
  await page.waitForFunction(() => location.hash === '#/');
  await fresh(browser.context);
  await signIn(page, auditor.email);
  assert.equal(await page.evaluate(() => location.hash), '#/queue');
  await page.click('#signout');
  await page.waitForFunction(() => location.hash === '#/');
  // Finance, panel members, approvers and admins: their own homes.
  for (const [role, hash, h1] of [['finance', '#/finance', 'Ledger position'], ['panel_member', '#/panel', 'Panel meetings'],
    ['approver', '#/decisions', 'Waiting for decision'], ['admin', '#/grants', 'Projects']]) {
    const u = addUser(role);
    await fresh(browser.context);
    await signIn(page, u.email);
    assert.equal(await page.evaluate(() => location.hash), hash);
    assert.equal(await page.locator('h1').textContent(), h1);
    assert.ok(await page.locator('#main table, #main .empty').count() >= 1);
    if (role === 'finance') await screenshot(page, 'finance-home-en');
    await page.click('#signout');
    await page.waitForFunction(() => location.hash === '#/');
  }
  assert.deepEqual(page.problems(), []);
  await page.close();
});

test('a wrong password is refused by the form, in the chosen language', async (t) => {
  if (!sessions) { t.skip('POST /api/v1/session is not in this build'); return; }
  const user = addUser('officer');
  await fresh(browser.context);
  const page = await openPage(browser.context);
  await go(page, '#/login');
  await page.fill('input[name="email"]', user.email);
  await page.fill('input[name="password"]', 'not the password at all');
  await page.click('form button[type="submit"]');
  const alert = page.locator('form .alert');
  await alert.waitFor();
  assert.match(await alert.textContent(), /wrong email or password/i);
  assert.equal(await page.locator('input[name="email"]').inputValue(), user.email, 'the email stays as typed');
  await setLang(page, 'zh');
  assert.match(await alert.locator('.err-text').textContent(), /電郵或密碼不正確/);
  await screenshot(page, 'login-error-zh');
  await setLang(page, 'en');
  resetThrottle();
  assert.deepEqual(page.problems(), []);
  await page.close();
});

test('registration: a refusal is shown next to its field, then success signs in', async (t) => {
  if (!registration) { t.skip('POST /api/v1/organisations is not in this build'); return; }
  await fresh(browser.context);
  const page = await openPage(browser.context);
  await go(page, '#/register');
  const email = `${uniq('reg')}@example.hk`;
  const nameEn = `Registered Robotics ${uniq()} Ltd`;
  await page.fill('input[name="organisation.name_en"]', nameEn);
  await page.fill('input[name="organisation.name_zh"]', '登記機械人有限公司');
  await page.selectOption('select[name="organisation.type"]', 'company');
  await page.fill('input[name="user.name"]', 'Lee Siu Ming');
  await page.fill('input[name="user.email"]', email);
  await page.fill('input[name="user.password"]', PW);
  await page.fill('input[name="confirm"]', PW);
  await page.click('form button[type="submit"]');
  // The service wants a BR number for a company: said next to that field.
  const err = page.locator('.field[data-field="organisation.br_number"] .field-error');
  await err.waitFor();
  assert.match(await err.textContent(), /Business Registration number/);
  assert.equal(await page.locator('input[name="organisation.br_number"]').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement.name), 'organisation.br_number');
  assert.equal(await page.locator('input[name="organisation.name_en"]').inputValue(), nameEn, 'typed values are kept');
  assert.equal(await page.locator('input[name="user.password"]').inputValue(), PW);
  await screenshot(page, 'register-error-en');
  await setLang(page, 'zh');
  assert.match(await err.locator('.err-text').textContent(), /商業登記號碼.*公司須提供商業登記號碼/);
  await screenshot(page, 'register-error-zh');
  await setLang(page, 'en');

  // Passwords that differ are caught before anything is sent.
  await page.fill('input[name="confirm"]', 'something else entirely');
  await page.click('form button[type="submit"]');
  await page.locator('.field[data-field="confirm"] .field-error').waitFor();
  await page.fill('input[name="confirm"]', PW);

  await page.fill('input[name="organisation.br_number"]', String(10000000 + (Date.now() % 89999999)));
  await page.click('form button[type="submit"]');
  await page.waitForFunction(() => location.hash === '#/my');
  await settle(page);
  assert.match(await page.locator('.page-head .lead').textContent(), new RegExp(nameEn));

  // The same email again: refused, next to the email field.
  await page.click('#signout');
  await page.waitForFunction(() => location.hash === '#/');
  await go(page, '#/register');
  await page.fill('input[name="organisation.name_en"]', `Second ${uniq()} Ltd`);
  await page.fill('input[name="organisation.name_zh"]', '第二有限公司');
  await page.selectOption('select[name="organisation.type"]', 'university');
  await page.fill('input[name="user.email"]', email);
  await page.fill('input[name="user.password"]', PW);
  await page.fill('input[name="confirm"]', PW);
  await page.click('form button[type="submit"]');
  const dup = page.locator('.field[data-field="user.email"] .field-error, form .alert');
  await dup.first().waitFor();
  assert.ok((await dup.first().textContent()).length > 0);
  assert.deepEqual(page.problems(), []);
  await page.close();
});
