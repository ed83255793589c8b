// The web UI as the public sees it: how it is served (headers, only the
// built files), the scheme browser and its funding calculator, the
// language switch, the project search, phone width and keyboard use.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { BASE, launch, openPage, go, settle, setLang, screenshot } from './lib.mjs';

const CSP = "default-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

// A request exactly as written (fetch would normalise "..").
function rawGet(path) {
  const u = new URL(BASE);
  return new Promise((resolve, reject) => {
    const s = net.connect(Number(u.port), u.hostname, () => {
      s.write(`GET ${path} HTTP/1.1\r\nHost: ${u.host}\r\nConnection: close\r\n\r\n`);
    });
    let buf = '';
    s.on('data', (d) => { buf += d.toString('latin1'); });
    s.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(buf)?.[1] || 0)));
    s.on('error', reject);
  });
}

test('the UI is served at / and /assets/ with the security headers', async () => {
  const idx = await fetch(`${BASE}/`);
  assert.equal(idx.status, 200);
  assert.match(idx.headers.get('content-type'), /^text\/html; charset=utf-8/);
  assert.ok(idx.headers.get('content-security-policy').startsWith(CSP), idx.headers.get('content-security-policy'));
  assert.equal(idx.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(idx.headers.get('cache-control'), 'no-cache');
  const html = await idx.text();
  assert.match(html, /<script type="module" src="\/assets\/js\/main\.js"><\/script>/);
  assert.doesNotMatch(html, /<script>|<style|style=|onclick=|onload=/i, 'no inline script or style');

  const js = await fetch(`${BASE}/assets/js/main.js`);
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type'), /^text\/javascript/);
  assert.ok(js.headers.get('content-security-policy').startsWith(CSP));
  const etag = js.headers.get('etag');
  assert.match(etag, /^"[0-9a-f]+"$/);
  const again = await fetch(`${BASE}/assets/js/main.js`, { headers: { 'if-none-match': etag } });
  assert.equal(again.status, 304);

  const css = await fetch(`${BASE}/assets/app.css`);
  assert.match(css.headers.get('content-type'), /^text\/css/);
  const chart = await fetch(`${BASE}/assets/vendor/chart.umd.min.js`, { method: 'HEAD' });
  assert.equal(chart.status, 200, 'Chart.js is vendored from npm into the build');
  assert.ok(Number(chart.headers.get('content-length')) > 100000);

  const missing = await fetch(`${BASE}/assets/nope.js`);
  assert.equal(missing.status, 404);
  assert.ok(missing.headers.get('content-security-policy').startsWith(CSP));
  assert.equal((await fetch(`${BASE}/`, { method: 'POST', body: 'x' })).status, 405);
  // Only the manifest's files: no traversal, no hidden or unlisted files.
  for (const p of ['/assets/../MANIFEST', '/assets/%2e%2e/MANIFEST', '/assets/js/../../index.html',
    '/assets/.hidden', '/assets//js/main.js', '/MANIFEST', '/assets/MANIFEST'])
    assert.equal(await rawGet(p), 404, p);
  // The API keeps its own answers under the catch-all.
  const api = await fetch(`${BASE}/api/v1/nothing-here`);
  assert.equal(api.status, 404);
  assert.match(api.headers.get('content-type'), /application\/json/);
});

test('scheme browser: all schemes, filters, and the TVP calculator', async () => {
  const page = await openPage(browser.context);
  await go(page, '#/schemes');
  assert.equal(await page.locator('h1').textContent(), 'Funding schemes');
  assert.equal(await page.locator('.scheme-card').count(), 17);
  await page.fill('input[name="q"]', 'voucher');
  assert.equal(await page.locator('.scheme-card').count(), 1);
  await page.fill('input[name="q"]', '');
  await page.selectOption('select[name="area"]', 'talent');
  const metas = await page.locator('.scheme-card .meta:first-of-type').allTextContents();
  assert.ok(metas.length >= 1 && metas.length < 17);
  for (const m of metas) assert.match(m, /^Nurturing talent/);
  await screenshot(page, 'schemes-en');

  await go(page, '#/schemes/TVP');
  assert.equal(await page.locator('h1').textContent(), 'Technology Voucher Programme');
  await page.fill('input[name="submitted_on"]', '2020-04-01');
  await page.fill('input[name="eligible_cost_cents"]', '800,000');
  await page.click('.calc button[type="submit"]');
  await page.waitForSelector('.quote .gov');
  assert.equal(await page.locator('.quote .gov').textContent(), 'HK$600,000');
  assert.equal(await page.locator('.quote .app').textContent(), 'HK$200,000');
  assert.match(await page.locator('.quote').textContent(), /TVP-2020/);
  assert.match(await page.locator('.rules-line').textContent(), /TVP-2020/);
  // The day before the 2020 rules: two thirds, at most HK$400,000.
  await page.fill('input[name="submitted_on"]', '2020-03-31');
  await page.click('.calc button[type="submit"]');
  await page.waitForFunction(() => document.querySelector('.quote .gov')?.textContent === 'HK$400,000');
  await screenshot(page, 'scheme-tvp-en');

  // A refusal from the service lands next to the field it names.
  await page.fill('input[name="submitted_on"]', '2010-01-01');
  await page.click('.calc button[type="submit"]');
  const err = page.locator('.field[data-field="submitted_on"] .field-error');
  await err.waitFor();
  assert.match(await err.textContent(), /no rules in force/);
  assert.equal(await page.locator('input[name="submitted_on"]').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('input[name="eligible_cost_cents"]').inputValue(), '800,000', 'typed values are kept');
  // A malformed amount is caught before it is sent, also by the field.
  await page.fill('input[name="submitted_on"]', '2020-04-01');
  await page.fill('input[name="eligible_cost_cents"]', '12abc');
  await page.click('.calc button[type="submit"]');
  await page.locator('.field[data-field="eligible_cost_cents"] .field-error').waitFor();
  assert.deepEqual(page.problems(), []);
  await page.close();
});

test('calculators follow the funding model: allowance (RTH) and rebate (CRS)', async () => {
  const page = await openPage(browser.context);
  await go(page, '#/schemes/RTH');
  await page.fill('input[name="submitted_on"]', '2021-01-01');
  await page.selectOption('select[name="talents[0].qualification"]', 'master');
  await page.fill('input[name="talents[0].months"]', '12');
  await page.click('.calc .talents button.secondary');
  await page.selectOption('select[name="talents[1].qualification"]', 'doctorate');
  await page.fill('input[name="talents[1].months"]', '2');
  await page.click('.calc button[type="submit"]');
  await page.waitForSelector('.quote .gov');
  // 21,000 x 12 + 32,000 x 2
  assert.equal(await page.locator('.quote .gov').textContent(), 'HK$316,000');

  await go(page, '#/schemes/CRS');
  assert.equal(await page.locator('label[for]', { hasText: 'Eligible R&D expenditure' }).count(), 1);
  assert.equal(await page.locator('input[name="prior_projects"]').count(), 0);
  assert.deepEqual(page.problems(), []);
  await page.close();
});

test('the language switch changes every page and is remembered', async () => {
  const page = await openPage(browser.context);
  await go(page, '#/schemes');
  await setLang(page, 'zh');
  assert.equal(await page.locator('h1').textContent(), '資助計劃');
  assert.ok(await page.locator('.scheme-card h2', { hasText: '科技券' }).count() === 1, 'scheme names in Chinese');
  assert.equal(await page.evaluate(() => localStorage.getItem('itf.lang')), 'zh');
  await screenshot(page, 'schemes-zh');
  await page.reload();
  await settle(page);
  assert.equal(await page.locator('h1').textContent(), '資助計劃', 'still Chinese after reload');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-Hant-HK');
  await go(page, '#/schemes/TVP');
  assert.equal(await page.locator('h1').textContent(), '科技券');
  // A refusal is shown in Chinese, next to its field.
  await page.fill('input[name="submitted_on"]', '2010-01-01');
  await page.fill('input[name="eligible_cost_cents"]', '100000');
  await page.click('.calc button[type="submit"]');
  const err = page.locator('.field[data-field="submitted_on"] .field-error .err-text');
  await err.waitFor();
  assert.match(await err.textContent(), /提交日期.*該日並無此計劃的資助規則生效/);
  await page.fill('input[name="submitted_on"]', '2020-04-01');
  await page.fill('input[name="eligible_cost_cents"]', '800000');
  await page.click('.calc button[type="submit"]');
  await page.waitForSelector('.quote .gov');
  assert.equal(await page.locator('.quote .gov').textContent(), 'HK$600,000');
  await screenshot(page, 'scheme-tvp-zh');
  // Switching back rewrites the page in place: the typed amount stays.
  await setLang(page, 'en');
  assert.equal(await page.locator('h1').textContent(), 'Technology Voucher Programme');
  assert.equal(await page.locator('input[name="eligible_cost_cents"]').inputValue(), '800000');
  await page.reload();
  await settle(page);
  assert.equal(await page.locator('h1').textContent(), 'Technology Voucher Programme');
  assert.deepEqual(page.problems(), []);
  await page.close();
});

test('project search: the public register, its filters in the address', async () => {
  const page = await openPage(browser.context);
  await go(page, '#/projects');
  assert.equal(await page.locator('h1').textContent(), 'Funded projects');
  await page.fill('input[name="q"]', 'sensor');
  await page.selectOption('select[name="status"]', 'ongoing');
  await page.click('form[role="search"] button[type="submit"]');
  await page.waitForFunction(() => location.hash.includes('q=sensor') && location.hash.includes('status=ongoing'));
  await settle(page);
  // The register answers (tests/browser/workflow.test.mjs finds a project
  // in it); here, before any approval, it may well be empty.
  assert.ok(await page.locator('.results table.register, .results .empty').count() >= 1);
  assert.doesNotMatch(await page.locator('.results').textContent(), /not published yet/);
  assert.equal(await page.locator('input[name="q"]').inputValue(), 'sensor');
  assert.equal(await page.locator('select[name="status"]').inputValue(), 'ongoing');
  // A refusal of the service lands next to its field.
  await go(page, '#/projects?year=1800');
  await page.locator('.field[data-field="year"] .field-error, form .alert').first().waitFor();
  await screenshot(page, 'projects-en');
  await setLang(page, 'zh');
  await screenshot(page, 'projects-zh');
  await setLang(page, 'en');
  assert.deepEqual(page.problems(), []);
  await page.close();
});

test('phone width: the menu folds, nothing overflows; every control is labelled', async () => {
  const page = await openPage(browser.context, { width: 375, height: 740 });
  for (const hash of ['#/', '#/schemes', '#/schemes/RTH', '#/projects', '#/login', '#/register']) {
    await go(page, hash);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${hash} overflows by ${overflow}px at 375px`);
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
      .filter((e) => e.type !== 'hidden' && !e.labels?.length && !e.getAttribute('aria-label')).map((e) => e.name || e.outerHTML));
    assert.deepEqual(unlabelled, [], `${hash}: unlabelled controls`);
  }
  await go(page, '#/schemes/TVP');
  await screenshot(page, 'phone-scheme-tvp-en');
  const menu = page.locator('.menu-btn');
  assert.ok(await menu.isVisible());
  assert.equal(await page.locator('#nav-list').isVisible(), false);
  await menu.click();
  assert.equal(await menu.getAttribute('aria-expanded'), 'true');
  assert.ok(await page.locator('#nav-list a', { hasText: 'Funded projects' }).isVisible());
  assert.deepEqual(page.problems(), []);
  await page.close();
});

test('keyboard: skip link, then the calculator by Tab and Enter alone', async () => {
  const page = await openPage(browser.context);
  await go(page, '#/schemes/TVP');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'skip');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
  // The date widget's own keys are the browser's; from it, Tab reaches
  // the amount, and Enter submits the form.
  await page.fill('input[name="submitted_on"]', '2020-04-01');
  await page.focus('input[name="submitted_on"]');
  for (let i = 0; i < 6; i++) {
    if (await page.evaluate(() => document.activeElement.name) === 'eligible_cost_cents') break;
    await page.keyboard.press('Tab');
  }
  assert.equal(await page.evaluate(() => document.activeElement.name), 'eligible_cost_cents');
  await page.keyboard.type('800000');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.quote .gov');
  assert.equal(await page.locator('.quote .gov').textContent(), 'HK$600,000');
  assert.deepEqual(page.problems(), []);
  await page.close();
});
