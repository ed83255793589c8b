// Secretariat pages: the dashboard (figures and charts drawn with
// Chart.js, each with its numbers as a table too) and the application
// queue with filters, sorting and pagination.
import { h, set, append, field, label, alertBox, clearErrors, showError, busy, loading, empty, failure, table } from '../dom.js';
import { t, tx, tfn, tattr, pick, onLang } from '../i18n.js';
import { get, query } from '../api.js';
import { money, moneyShort, date, dateTime, count } from '../format.js';
import * as data from '../data.js';
import { appStatus } from './applications.js';

const STATUSES = ['draft', 'submitted', 'screening', 'returned', 'resubmitted', 'under_assessment',
  'recommended', 'not_recommended', 'approved', 'agreement_signed', 'rejected', 'withdrawn'];
const RECEIVED = STATUSES.filter((s) => s !== 'draft');
const AWAITING = 'submitted,resubmitted';
const DASH_PAGES = 5;          // at most 5 x 100 applications are summarised
const COLORS = {
  draft: '#9aa5b1', submitted: '#1f6feb', screening: '#8250df', returned: '#d4a72c', resubmitted: '#0a8a8a',
  under_assessment: '#2da44e', recommended: '#116329', not_recommended: '#cf222e', approved: '#0b5c57', agreement_signed: '#1a7f64',
  rejected: '#82071e', withdrawn: '#6e7781',
};

// Chart.js is loaded on the first page that draws a chart (it is large);
// the page works, with its tables, if it cannot be loaded.
let chartLib = null;
function loadChart() {
  if (window.Chart) return Promise.resolve(window.Chart);
  if (!chartLib) {
    chartLib = new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = '/assets/vendor/chart.umd.min.js';
      s.onload = () => (window.Chart ? resolve(window.Chart) : reject(new Error('Chart.js did not load')));
      s.onerror = () => { chartLib = null; reject(new Error('Chart.js could not be loaded')); };
      document.head.append(s);
    });
  }
  return chartLib;
}

// ---- Dashboard -----------------------------------------------------------

export async function dashboard(ctx) {
  ctx.title('dash.title');
  const slot = h('div', {}, loading());
  ctx.main.append(h('div', { class: 'page-head' }, h('h1', {}, tx('dash.title')), h('p', { class: 'lead' }, tx('dash.lead'))), slot);

  const apps = [];
  let cursor = null;
  let truncated = false;
  for (let page = 0; page < DASH_PAGES; page++) {
    const r = await get(`/applications${query({ status: RECEIVED.join(','), limit: 100, cursor })}`);
    if (!ctx.current()) return;
    if (!r.ok) {
      set(slot, r.missing ? empty('apps.unavailable_title', 'apps.unavailable_body') : failure(r.error, () => ctx.go(location.hash)));
      return;
    }
    apps.push(...r.data.applications);
    cursor = r.data.next_cursor;
    if (!cursor) break;
    if (page === DASH_PAGES - 1) truncated = true;
  }

  const byStatus = Object.fromEntries(RECEIVED.map((s) => [s, 0]));
  const byScheme = new Map();
  let requested = 0;
  for (const a of apps) {
    byStatus[a.status] = (byStatus[a.status] || 0) + 1;
    const e = byScheme.get(a.scheme) || { n: 0, cents: 0 };
    e.n += 1;
    e.cents += a.requested_cents || 0;
    byScheme.set(a.scheme, e);
    requested += a.requested_cents || 0;
  }
  const awaiting = byStatus.submitted + byStatus.resubmitted;
  const kpi = (key, value, href) => h(href ? 'a' : 'div', { class: 'kpi', href },
    h('span', { class: 'kpi-value' }, value), h('span', { class: 'kpi-label' }, tx(key)));

  const schemeRows = [...byScheme.entries()].sort((x, y) => y[1].n - x[1].n);
  const schemesR = await data.schemes();
  if (!ctx.current()) return;
  const schemeName = (code) => {
    const s = schemesR.ok ? schemesR.data.find((x) => x.code === code) : null;
    return s ? pick(s) : code;
  };

  const statusFig = chartFigure('dash.by_status', 'dash.by_status_desc');
  const schemeFig = chartFigure('dash.by_scheme', 'dash.by_scheme_desc');
  set(slot, 
    h('div', { class: 'kpis' },
      kpi('dash.received', count(apps.length)),
      kpi('dash.awaiting', count(awaiting), `#/queue?status=${AWAITING}`),
      kpi('dash.screening', count(byStatus.screening), '#/queue?status=screening'),
      kpi('dash.assessment', count(byStatus.under_assessment), '#/queue?status=under_assessment'),
      kpi('dash.requested', tfn(() => moneyShort(requested)))),
    truncated ? h('p', { class: 'note' }, tx('dash.truncated', { n: apps.length })) : null,
    apps.length ? null : empty('dash.none', 'dash.none_body'),
    h('div', { class: 'two-col' }, statusFig.el, schemeFig.el));

  const statusRows = RECEIVED.map((s) => ({ s, n: byStatus[s] }));
  statusFig.table(table([
    { label: 'app.status', cell: (r) => appStatus(r.s) },
    { label: 'dash.count', cell: (r) => count(r.n), class: 'num' },
  ], statusRows, { caption: 'dash.by_status', captionHidden: true }));
  schemeFig.table(schemeRows.length ? table([
    { label: 'app.scheme', cell: ([code]) => tfn(() => `${code} · ${schemeName(code)}`) },
    { label: 'dash.count', cell: ([, e]) => count(e.n), class: 'num' },
    { label: 'app.requested', cell: ([, e]) => money(e.cents), class: 'num' },
  ], schemeRows, { caption: 'dash.by_scheme', captionHidden: true }) : empty('dash.none'));

  let Chart;
  try {
    Chart = await loadChart();
  } catch {
    statusFig.unavailable();
    schemeFig.unavailable();
    return;
  }
  if (!ctx.current()) return;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  const c1 = new Chart(statusFig.canvas, {
    type: 'bar',
    data: {
      labels: RECEIVED.map((s) => data.labelOf('astatus', s)),
      datasets: [{ label: t('dash.count'), data: RECEIVED.map((s) => byStatus[s]), backgroundColor: RECEIVED.map((s) => COLORS[s]) }],
    },
    options: { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
  const c2 = new Chart(schemeFig.canvas, {
    type: 'bar',
    data: {
      labels: schemeRows.map(([code]) => code),
      datasets: [{ label: t('dash.count'), data: schemeRows.map(([, e]) => e.n), backgroundColor: '#0b5c57' },
        { label: t('dash.requested_m'), data: schemeRows.map(([, e]) => Math.round(e.cents / 1e6) / 100), backgroundColor: '#f2c14e', yAxisID: 'y2' }],
    },
    options: { responsive: true, maintainAspectRatio: false, animation: false, indexAxis: 'x',
      scales: { y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: t('dash.count') } },
        y2: { beginAtZero: true, position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: t('dash.requested_m') } } },
      plugins: { tooltip: { callbacks: { title: (items) => `${items[0].label} · ${schemeName(items[0].label)}` } } } },
  });
  onLang(() => {
    c1.data.labels = RECEIVED.map((s) => data.labelOf('astatus', s));
    c1.data.datasets[0].label = t('dash.count');
    c2.data.datasets[0].label = t('dash.count');
    c2.data.datasets[1].label = t('dash.requested_m');
    c2.options.scales.y.title.text = t('dash.count');
    c2.options.scales.y2.title.text = t('dash.requested_m');
    c1.update();
    c2.update();
  });
}

// A chart with its caption and, beneath it, the same numbers as a table.
function chartFigure(titleKey, descKey) {
  const canvas = h('canvas', { role: 'img' });
  tattr(canvas, 'aria-label', descKey);
  const tableSlot = h('div', {});
  const el = h('figure', { class: 'panel chart' }, h('figcaption', {}, h('h2', {}, tx(titleKey))),
    h('div', { class: 'chart-box' }, canvas), tableSlot);
  return {
    el, canvas,
    table(node) { set(tableSlot, h('details', {}, h('summary', {}, tx('dash.show_table')), node)); },
    unavailable() { set(canvas.parentElement, h('p', { class: 'note' }, tx('dash.chart_unavailable'))); tableSlot.querySelector('details')?.setAttribute('open', ''); },
  };
}

// ---- Queue ---------------------------------------------------------------

const SORTS = {
  reference: (a) => a.reference || '',
  scheme: (a) => a.scheme,
  title: (a) => (a.title || '').toLowerCase(),
  organisation: (a) => pick(a.organisation).toLowerCase(),
  status: (a) => STATUSES.indexOf(a.status),
  requested: (a) => a.requested_cents ?? -1,
  submitted_on: (a) => a.submitted_on || '',
  updated: (a) => a.updated_at || '',
};

export async function queue(ctx) {
  ctx.title('queue.title');
  const q = ctx.query;
  const f = {
    scheme: field({ name: 'scheme', label: 'app.scheme', type: 'select', value: q.get('scheme') || '', options: [{ value: '', label: 'filter.any' }] }),
    status: field({ name: 'status', label: 'app.status', type: 'select', value: q.get('status') || '',
      options: [{ value: '', label: 'filter.any' }, { value: AWAITING, label: 'queue.awaiting' },
        ...STATUSES.map((s) => ({ value: s, label: () => data.labelOf('astatus', s) }))] }),
    submitted_from: field({ name: 'submitted_from', label: 'queue.from', type: 'date', value: q.get('submitted_from') || '' }),
    submitted_to: field({ name: 'submitted_to', label: 'queue.to', type: 'date', value: q.get('submitted_to') || '' }),
    reference: field({ name: 'reference', label: 'app.reference', value: q.get('reference') || '', attrs: { placeholder: 'ITS/0001/21', autocomplete: 'off', spellcheck: 'false' } }),
    limit: field({ name: 'limit', label: 'queue.page_size', type: 'select', value: q.get('limit') || '20',
      options: ['20', '50', '100'].map((n) => ({ value: n, label: () => n })) }),
  };
  if (q.get('status') && ![...f.status.control.options].some((o) => o.value === q.get('status')))
    f.status.control.append(h('option', { value: q.get('status') }, q.get('status')));
  f.status.control.value = q.get('status') || '';
  const alert = alertBox();
  const apply = h('button', { type: 'submit', class: 'primary' }, tx('queue.apply'));
  const reset = h('a', { href: '#/queue', class: 'button secondary' }, tx('queue.reset'));
  const form = h('form', { class: 'filters queue-filters', role: 'search', novalidate: true }, Object.values(f), h('div', { class: 'actions' }, apply, reset));
  tattr(form, 'aria-label', 'queue.filters');
  const results = h('div', { class: 'results' });
  ctx.main.append(h('div', { class: 'page-head' }, h('h1', {}, tx('queue.title')), h('p', { class: 'lead' }, tx('queue.lead'))), form, alert, results);

  data.schemes().then((r) => {
    if (!r.ok || !ctx.current()) return;
    for (const s of r.data) f.scheme.control.append(h('option', { value: s.code }, tfn(() => `${s.code} · ${pick(s)}`)));
    f.scheme.control.value = q.get('scheme') || '';
  });

  const filters = () => ({
    scheme: f.scheme.control.value, status: f.status.control.value,
    submitted_from: f.submitted_from.control.value, submitted_to: f.submitted_to.control.value,
    reference: f.reference.control.value.trim(), limit: f.limit.control.value,
  });
  const st = { cursors: [null], page: 0, rows: [], next: null, sort: q.get('sort') || '', dir: q.get('dir') === 'desc' ? 'desc' : 'asc' };

  async function load() {
    clearErrors(form);
    results.setAttribute('aria-busy', 'true');
    const r = await get(`/applications${query({ ...filters(), cursor: st.cursors[st.page] })}`);
    results.removeAttribute('aria-busy');
    if (!ctx.current()) return;
    if (!r.ok) {
      if (r.missing) set(results, empty('apps.unavailable_title', 'apps.unavailable_body'));
      else { set(results); showError(form, r.error, alert); }
      return;
    }
    st.rows = r.data.applications;
    st.next = r.data.next_cursor;
    draw();
  }

  function draw() {
    const rows = st.rows.slice();
    if (st.sort && SORTS[st.sort]) {
      const key = SORTS[st.sort];
      rows.sort((x, y) => { const a = key(x); const b = key(y); return (a < b ? -1 : a > b ? 1 : 0) * (st.dir === 'desc' ? -1 : 1); });
    }
    const cols = [
      ['reference', 'app.reference', (a) => h('a', { href: `#/applications/${a.id}` }, a.reference || tfn(() => t('app.draft_ref', { id: a.id })))],
      ['scheme', 'app.scheme', (a) => a.scheme],
      ['title', 'app.title', (a) => a.title],
      ['organisation', 'app.organisation', (a) => tfn(() => pick(a.organisation)), 'org'],
      ['status', 'app.status', (a) => appStatus(a.status)],
      ['requested', 'app.requested', (a) => (a.requested_cents === null ? '—' : money(a.requested_cents)), 'num'],
      ['submitted_on', 'app.submitted_on', (a) => (a.submitted_on ? tfn(() => date(a.submitted_on)) : '—'), 'date'],
      ['updated', 'app.updated', (a) => tfn(() => dateTime(a.updated_at)), 'date'],
    ];
    const head = cols.map(([key, lbl, , cls]) => {
      const active = st.sort === key;
      const b = h('button', { type: 'button', class: 'sort' }, label(lbl),
        h('span', { class: 'sort-mark', 'aria-hidden': 'true' }, active ? (st.dir === 'asc' ? ' ▲' : ' ▼') : ''));
      b.addEventListener('click', () => {
        st.dir = active && st.dir === 'asc' ? 'desc' : 'asc';
        st.sort = key;
        draw();
        results.querySelector(`th[data-key="${key}"] button`).focus();
      });
      return h('th', { scope: 'col', class: cls || '', dataset: { key }, 'aria-sort': active ? (st.dir === 'asc' ? 'ascending' : 'descending') : null }, b);
    });
    const tbl = h('div', { class: 'table-wrap', tabindex: '0', role: 'region' },
      h('table', { class: 'queue wide' }, h('caption', {}, tx('queue.caption')),
        h('thead', {}, h('tr', {}, head)),
        h('tbody', {}, rows.map((a) => h('tr', { dataset: { id: a.id } }, cols.map(([, , cell, cls]) => h('td', { class: cls || '' }, cell(a))))))));
    tattr(tbl, 'aria-label', 'queue.caption');
    const prev = h('button', { type: 'button', class: 'secondary', disabled: st.page === 0 }, tx('pager.prev'));
    const next = h('button', { type: 'button', class: 'secondary', disabled: !st.next }, tx('pager.next'));
    prev.addEventListener('click', () => busy(prev, async () => { st.page -= 1; await load(); }, 'busy.loading'));
    next.addEventListener('click', () => busy(next, async () => { st.cursors[st.page + 1] = st.next; st.page += 1; await load(); }, 'busy.loading'));
    set(results, 
      h('p', { class: 'result-count', 'aria-live': 'polite' }, tx('queue.page', { page: st.page + 1, n: st.rows.length })),
      rows.length ? append(tbl, [h('p', { class: 'hint' }, tx('queue.sort_hint'))]) : empty('queue.none'),
      h('nav', { class: 'pager' }, prev, h('span', {}, tx('queue.page_short', { page: st.page + 1 })), next));
    tattr(results.querySelector('.pager'), 'aria-label', 'pager.label');
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const fl = filters();
    if (fl.submitted_from && fl.submitted_to && fl.submitted_from > fl.submitted_to) {
      clearErrors(form);
      showError(form, { code: 'invalid', field: 'submitted_to', key: 'err.date_order' });
      return;
    }
    history.pushState(null, '', `#/queue${query({ ...fl, limit: fl.limit === '20' ? '' : fl.limit })}`);
    st.cursors = [null];
    st.page = 0;
    await busy(apply, load, 'busy.loading');
  });

  set(results, loading());
  await load();
}
