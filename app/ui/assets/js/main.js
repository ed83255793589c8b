// The single-page UI: page chrome (header, navigation by role, language
// switch, sign-out), and a hash router (#/schemes/TVP) so that every page
// has an address, back and forward work, and the service only ever serves
// index.html and /assets/.
import { h, set, clear, notify, failure } from './dom.js';
import { t, tx, tfn, tattr, lang, langTag, setLang, prune } from './i18n.js';
import { get, setUnauthHandler } from './api.js';
import * as session from './session.js';
import * as pub from './pages/public.js';
import * as auth from './pages/auth.js';
import * as apps from './pages/applications.js';
import * as officer from './pages/officer.js';
import * as misc from './pages/misc.js';
import * as grants from './pages/projects.js';
import * as panel from './pages/panel.js';
import * as approver from './pages/approver.js';
import * as finance from './pages/finance.js';
import * as reports from './pages/reports.js';

// Who may open what: the same roles the API lets through (docs/api.md),
// so a page is offered only to those it can serve.
const READ_APPS = ['officer', 'auditor'];
const PANELS = ['officer', 'approver', 'auditor'];
const MEETINGS = ['officer', 'approver', 'auditor', 'panel_member'];
const PROJECTS = ['applicant', 'officer', 'approver', 'finance', 'auditor', 'admin'];
const LEDGER = ['finance', 'approver', 'auditor', 'admin'];
const REPORTS = ['officer', 'approver', 'finance', 'auditor', 'admin'];

// path regexp, page, and who may open it (public: anyone; auth: anyone
// signed in; roles: any of these).
const ROUTES = [
  { re: /^\/$/, page: pub.home, public: true },
  { re: /^\/schemes$/, page: pub.schemes, public: true },
  { re: /^\/schemes\/([A-Za-z]{2,8})$/, page: pub.scheme, public: true },
  { re: /^\/projects$/, page: pub.projects, public: true },
  { re: /^\/login$/, page: auth.login, public: true },
  { re: /^\/register$/, page: auth.register, public: true },
  { re: /^\/my$/, page: apps.mine, roles: ['applicant'] },
  { re: /^\/applications\/new$/, page: apps.editor, roles: ['applicant'] },
  { re: /^\/applications\/(\d{1,18})$/, page: apps.view, roles: ['applicant', 'panel_member', 'approver', ...READ_APPS] },
  { re: /^\/applications\/(\d{1,18})\/edit$/, page: apps.editor, roles: ['applicant'] },
  { re: /^\/dashboard$/, page: officer.dashboard, roles: READ_APPS },
  { re: /^\/queue$/, page: officer.queue, roles: READ_APPS },
  { re: /^\/notifications$/, page: misc.notifications, auth: true },
  { re: /^\/panel$/, page: panel.mine, roles: ['panel_member'] },
  { re: /^\/panels$/, page: panel.panels, roles: PANELS },
  { re: /^\/panels\/(\d{1,18})$/, page: panel.panel, roles: MEETINGS },
  { re: /^\/meetings\/(\d{1,18})$/, page: panel.meeting, roles: MEETINGS },
  { re: /^\/meetings\/(\d{1,18})\/scoresheet$/, page: panel.scoresheet, roles: MEETINGS },
  { re: /^\/meetings\/(\d{1,18})\/score\/(\d{1,18})$/, page: panel.score, roles: ['panel_member'] },
  { re: /^\/decisions$/, page: approver.decisions, roles: ['approver'] },
  { re: /^\/decisions\/(\d{1,18})$/, page: approver.decision, roles: ['approver'] },
  { re: /^\/payments$/, page: approver.payments, roles: PROJECTS },
  { re: /^\/grants$/, page: grants.list, roles: PROJECTS },
  { re: /^\/grants\/(\d{1,18})$/, page: grants.view, roles: PROJECTS },
  { re: /^\/finance$/, page: finance.position, roles: LEDGER },
  { re: /^\/finance\/entries$/, page: finance.entries, roles: LEDGER },
  { re: /^\/finance\/record$/, page: finance.record, roles: ['finance'] },
  { re: /^\/reports$/, page: reports.reports, roles: REPORTS },
];

// Navigation by role: [hash, label key, shown when].
const NAV = [
  ['#/my', 'nav.my', () => session.hasRole('applicant')],
  ['#/dashboard', 'nav.dashboard', () => session.hasRole('officer')],
  ['#/queue', 'nav.queue', () => session.hasRole(...READ_APPS)],
  ['#/panel', 'nav.panel', () => session.hasRole('panel_member')],
  ['#/decisions', 'nav.decisions', () => session.hasRole('approver')],
  ['#/panels', 'nav.panels', () => session.hasRole(...PANELS)],
  ['#/grants', 'nav.grants_mine', () => session.hasRole('applicant')],
  ['#/grants', 'nav.grants', () => !session.hasRole('applicant') && session.hasRole(...PROJECTS)],
  ['#/payments', 'nav.payments', () => session.hasRole('officer', 'approver', 'finance', 'auditor', 'admin')],
  ['#/finance', 'nav.finance', () => session.hasRole(...LEDGER)],
  ['#/reports', 'nav.reports', () => session.hasRole(...REPORTS)],
  ['#/schemes', 'nav.schemes', () => true],
  ['#/projects', 'nav.projects', () => true],
];

const main = document.getElementById('main');
let renderSeq = 0;
let unreadTimer = null;

function parseHash() {
  const raw = decodeURI(location.hash.replace(/^#/, '')) || '/';
  const q = raw.indexOf('?');
  const path = q >= 0 ? raw.slice(0, q) : raw;
  const query = new URLSearchParams(q >= 0 ? raw.slice(q + 1) : '');
  return { path: path || '/', query, raw };
}

export function go(hash, replace = false) {
  if (replace) {
    history.replaceState(null, '', hash);
    route();
  } else if (location.hash === hash) {
    route();
  } else {
    location.hash = hash;
  }
}

async function route() {
  const seq = ++renderSeq;
  const { path, query, raw } = parseHash();
  clear(main);
  prune();
  main.setAttribute('aria-busy', 'true');
  renderChrome();
  let match = null;
  let params = [];
  for (const r of ROUTES) {
    const m = r.re.exec(path);
    if (m) { match = r; params = m.slice(1); break; }
  }
  const ctx = {
    main, params, query, path,
    current: () => seq === renderSeq,
    title: (key, vars) => setTitle(key, vars),
    go,
  };
  try {
    if (!match) {
      misc.notFound(ctx);
    } else if (!match.public && !session.signedIn()) {
      go(`#/login?next=${encodeURIComponent('#' + raw)}`, true);
      return;
    } else if (match.roles && !session.hasRole(...match.roles)) {
      misc.forbidden(ctx);
    } else {
      await match.page(ctx);
    }
  } catch (e) {
    console.error(e);
    if (ctx.current()) main.append(failure({ code: 'internal_error', message: String(e && e.message || e), field: null }, () => route()));
  } finally {
    if (ctx.current()) {
      main.removeAttribute('aria-busy');
      focusHeading();
    }
  }
}

// After navigation, move focus to the page's heading so that keyboard and
// screen-reader users start at the new content.
// The first page of a visit keeps the browser's own starting point (so
// Tab reaches the skip link first).
let firstRoute = true;
function focusHeading() {
  if (firstRoute) { firstRoute = false; return; }
  const h1 = main.querySelector('h1');
  if (h1 && !main.contains(document.activeElement)) {
    h1.setAttribute('tabindex', '-1');
    h1.focus({ preventScroll: true });
  }
  window.scrollTo(0, 0);
}

let titleFn = () => t('app.name');
function setTitle(key, vars) {
  titleFn = typeof key === 'function' ? key : () => t(key, vars);
  document.title = `${titleFn()} · ${t('app.short')}`;
}
document.addEventListener('itf:lang', () => { document.title = `${titleFn()} · ${t('app.short')}`; });

// Header: brand, navigation for the role, language switch, the user.
function renderChrome() {
  const header = document.getElementById('header');
  const { path } = parseHash();
  const navList = h('ul', { id: 'nav-list', class: 'nav-list' },
    NAV.filter((n) => n[2]()).map(([href, key]) => h('li', {},
      h('a', { href, 'aria-current': `#${path}` === href || path.startsWith(href.slice(1) + '/') ? 'page' : null }, tx(key)))));
  const menuBtn = h('button', { type: 'button', class: 'menu-btn', 'aria-expanded': 'false', 'aria-controls': 'nav-list' }, tx('nav.menu'));
  menuBtn.addEventListener('click', () => {
    const open = menuBtn.getAttribute('aria-expanded') !== 'true';
    menuBtn.setAttribute('aria-expanded', String(open));
    navList.classList.toggle('open', open);
  });
  const nav = h('nav', { class: 'nav' }, menuBtn, navList);
  tattr(nav, 'aria-label', 'nav.label');

  const langs = h('div', { class: 'lang-switch', role: 'group' },
    langButton('en', 'English'), langButton('zh', '繁體中文'));
  tattr(langs, 'aria-label', 'nav.language');

  let user;
  if (session.signedIn()) {
    const u = session.state.user;
    const badge = h('span', { class: 'badge count', id: 'unread', hidden: true });
    user = h('div', { class: 'user' },
      h('a', { href: '#/notifications', class: 'bell' }, tx('nav.notifications'), badge),
      h('span', { class: 'who' }, h('span', { class: 'who-name' }, u.name || u.email),
        h('span', { class: 'who-role' }, tfn(() => (u.roles || []).map((r) => t(`role.${r}`)).join(', ')))),
      h('button', { type: 'button', class: 'link', id: 'signout', onclick: signOut }, tx('nav.signout')));
    refreshUnread();
  } else {
    user = h('div', { class: 'user' },
      session.state.available ? [
        h('a', { href: '#/login', class: 'button secondary small' }, tx('nav.signin')),
        h('a', { href: '#/register', class: 'button primary small' }, tx('nav.register')),
      ] : null);
  }
  const brand = h('a', { class: 'brand', href: session.home() },
    h('img', { src: '/assets/favicon.svg', alt: '', width: '32', height: '32' }),
    h('span', { class: 'brand-text' }, h('span', { class: 'brand-name' }, tx('app.name')),
      h('span', { class: 'brand-sub' }, tx('app.tagline'))));
  set(header, h('div', { class: 'bar' }, brand, langs, user), nav);
  set(document.getElementById('footer'), h('p', {}, tx('app.footer')));
}

function langButton(l, text) {
  const b = h('button', { type: 'button', lang: langTag(l), 'aria-pressed': String(lang() === l), dataset: { lang: l } }, text);
  b.addEventListener('click', () => {
    setLang(l);
    for (const x of document.querySelectorAll('.lang-switch button')) x.setAttribute('aria-pressed', String(x.dataset.lang === l));
  });
  return b;
}

async function refreshUnread() {
  clearTimeout(unreadTimer);
  if (!session.signedIn()) return;
  const r = await get('/notifications?unread=true&limit=1', { quietUnauth: true });
  const badge = document.getElementById('unread');
  if (badge && r.ok && typeof r.data.unread === 'number') {
    set(badge, String(r.data.unread));
    badge.hidden = r.data.unread === 0;
    tattr(badge, 'aria-label', 'nav.unread', { n: r.data.unread });
  }
  unreadTimer = setTimeout(refreshUnread, 60000);
}

async function signOut(e) {
  const btn = e.currentTarget;
  btn.disabled = true;
  const r = await session.logout();
  btn.disabled = false;
  if (!r.ok && r.status !== 401) {
    notify(tx('auth.signout_failed'), 'error');
    return;
  }
  notify(tx('auth.signed_out'));
  go('#/');
}

// A session that expired mid-use: say so, and offer to sign in again,
// coming back to the same page.
setUnauthHandler(() => {
  if (!session.signedIn()) return;
  session.setUser(null);
  notify(tx('auth.expired'), 'error');
  go(`#/login?next=${encodeURIComponent(location.hash || '#/')}`);
});

async function boot() {
  document.documentElement.lang = langTag();
  document.getElementById('skip').addEventListener('click', (e) => {
    e.preventDefault();
    main.setAttribute('tabindex', '-1');
    main.focus();
  });
  await session.load();
  window.addEventListener('hashchange', route);
  document.addEventListener('itf:notices', () => refreshUnread());
  route();
}

boot();
