// Shared helpers for the browser tests: Debian's Chromium driven by
// playwright-core (no browser download), against the real service that
// scripts/test.sh started (ITF_BASE_URL).
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { BASE, ROOT, itfctl, psql, uniq } from '../integration/lib.mjs';

export { BASE, ROOT, itfctl, psql, uniq };
export const PW = 'correct horse battery staple';
export const SHOTS = join(ROOT, 'test-artifacts', 'screenshots');
const CHROMIUM = process.env.ITF_CHROMIUM || '/usr/bin/chromium';

// One browser per test file, with a fresh profile directory of its own
// that is removed on close.
export async function launch() {
  const profile = mkdtempSync(join(tmpdir(), 'itf-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-dev-shm-usage'],
    viewport: { width: 1280, height: 900 },
    locale: 'en-GB',
    timezoneId: 'Asia/Hong_Kong',
  });
  context.setDefaultTimeout(10000);
  const close = async () => {
    await context.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, close };
}

/*
 * A page that records what must never happen: uncaught errors, console
 * errors other than expected HTTP refusals, and Content-Security-Policy
 * violations.  page.problems() returns them; page.fresh() forgets
 * cookies and the saved language (a new visitor).
 */
export async function openPage(context, { width = 1280, height = 900 } = {}) {
  const page = await context.newPage();
  await page.setViewportSize({ width, height });
  const problems = [];
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const text = m.text();
    // The browser logs every 4xx the API answers (401 before sign-in,
    // refusals the tests provoke); those are shown on the page instead.
    if (/Failed to load resource: the server responded with a status of 4\d\d/.test(text)) return;
    problems.push(`console: ${text}`);
  });
  page.problems = () => problems.slice();
  return page;
}

export async function fresh(context) {
  await context.clearCookies();
}

// Go to a hash route and wait until the page has rendered (main is no
// longer busy).
export async function go(page, hash) {
  await page.goto(`${BASE}/${hash}`);
  await settle(page);
}

export async function settle(page) {
  await page.waitForFunction(() => {
    const m = document.getElementById('main');
    return m && !m.hasAttribute('aria-busy') && !m.querySelector('.loading');
  });
}

export async function setLang(page, l) {
  await page.click(`.lang-switch button[data-lang="${l}"]`);
  await page.waitForFunction((x) => document.documentElement.lang === (x === 'zh' ? 'zh-Hant-HK' : 'en'), l);
}

// Full page at desktop width; the first screenful at phone width (a
// whole phone page is too tall to look at).
export async function screenshot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  const full = page.viewportSize().width >= 768;
  // Passing messages would cover the page: they are not what is shown.
  await page.evaluate(() => document.getElementById('toast')?.replaceChildren());
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: full });
}

// An organisation and a user made with bin/itfctl; returns { id, email, org }.
export function addOrg(type = 'university', nameEn = `Org ${uniq()}`, nameZh = '測試大學') {
  const args = ['org', 'add', '--name-en', nameEn, '--name-zh', nameZh, '--type', type];
  if (type === 'company') args.push('--br', String(10000000 + (Date.now() % 89999999)));
  const r = itfctl(args);
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout);
}

export function addUser(roles, opts = {}) {
  const email = opts.email || `${uniq('b')}@example.hk`;
  const args = ['user', 'add', '--email', email];
  for (const r of [].concat(roles)) args.push('--role', r);
  if (opts.org) args.push('--org', String(opts.org));
  if (opts.name) args.push('--name', opts.name);
  if (opts.authority) args.push('--authority-cents', String(opts.authority));
  const r = itfctl(args, `${PW}\n`);
  assert.equal(r.status, 0, r.stderr);
  return { id: Number(r.stdout), email, org: opts.org };
}

export async function signIn(page, email, password = PW) {
  await go(page, '#/login');
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', password);
  await page.click('form button[type="submit"]');
  await page.waitForFunction(() => !location.hash.startsWith('#/login'));
  await settle(page);
}

// Does the API have this endpoint yet?  (The catch-all answers
// "no such API path" for paths no handler owns.)
export async function apiHas(method, path) {
  const res = await fetch(`${BASE}/api/v1${path}`, { method, headers: { 'x-itf-request': '1', 'content-type': 'application/json' }, body: method === 'GET' ? undefined : '{}' });
  if (res.status !== 404) return true;
  const j = await res.json().catch(() => null);
  return !(j && j.error && /^no such API path/.test(j.error.message || ''));
}

// Failed sign-ins from 127.0.0.1 are throttled; forget the ones a test made.
export function resetThrottle() {
  try {
    psql("DELETE FROM login_attempts WHERE address = '127.0.0.1' AND NOT success");
  } catch { /* table not there yet */ }
}
