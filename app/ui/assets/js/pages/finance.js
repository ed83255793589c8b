// The Fund's ledger for finance (and, read-only, approvers, auditors and
// admins): the position on a date, the entries with filters and pages,
// and the two entries finance records by hand: a fund injection through
// Head 184 and a subhead transfer (docs/api.md, "Ledger").
import { h, set, field, alertBox, clearErrors, showError, busy, loading, empty, failure, table, notify } from '../dom.js';
import { t, tx, tfn, tattr, pick } from '../i18n.js';
import { get, post, query } from '../api.js';
import { money, moneyShort, parseMoney, date, dateTime, todayHK, count } from '../format.js';
import * as data from '../data.js';
import * as session from '../session.js';
import { tabs, actionForm } from './common.js';

const KINDS = ['opening', 'injection', 'transfer', 'commitment', 'payment', 'release', 'refund', 'reversal'];
const PAGE = 25;

function financeTabs(ctx) {
  const items = [['#/finance', 'fin.tab_position'], ['#/finance/entries', 'fin.tab_entries']];
  if (session.hasRole('finance')) items.push(['#/finance/record', 'fin.tab_record']);
  return tabs(ctx, items, 'fin.tabs');
}

// The chart of accounts (codes and names), fetched once per page.
let accountsCache = null;
async function accounts() {
  if (accountsCache) return accountsCache;
  const r = await get('/ledger/accounts');
  if (r.ok) accountsCache = r;
  return r;
}
const accountsOf = (d) => d.accounts || d;

// ---- Position -------------------------------------------------------------

export async function position(ctx) {
  ctx.title('fin.position');
  const on = field({ name: 'on', label: 'fin.on', type: 'date', value: ctx.query.get('on') || todayHK(), hint: 'fin.on_hint' });
  const alert = alertBox();
  const show = h('button', { type: 'submit', class: 'primary' }, tx('fin.show'));
  const form = h('form', { class: 'filters inline', novalidate: true }, on, h('div', { class: 'actions' }, show));
  tattr(form, 'aria-label', 'fin.on');
  const slot = h('div', { class: 'results' }, loading());
  ctx.main.append(h('div', { class: 'page-head' }, h('h1', {}, tx('fin.position')), h('p', { class: 'lead' }, tx('fin.position_lead'))),
    financeTabs(ctx), form, alert, slot);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!/^\d{4}-\d{2}-\d{2}$/.test(on.control.value)) { clearErrors(form); showError(form, { code: 'invalid', field: 'on', key: 'reason.date' }); return; }
    ctx.go(`#/finance${query({ on: on.control.value })}`);
  });
  const r = await get(`/ledger/position${query({ on: ctx.query.get('on') })}`);
  if (!ctx.current()) return;
  if (!r.ok) { set(slot); showError(form, r.error, alert); return; }
  const d = r.data;
  const tot = d.totals || {};
  const kpi = (key, cents) => h('div', { class: 'kpi' }, h('span', { class: 'kpi-value' }, tfn(() => moneyShort(cents))),
    h('span', { class: 'kpi-label' }, tx(key)), h('span', { class: 'kpi-exact' }, money(cents)));
  set(slot,
    h('p', { class: 'result-count' }, tfn(() => t('fin.as_at', { date: date(d.on) }))),
    h('div', { class: 'kpis' },
      kpi('fin.fund_balance', tot.fund_balance_cents),
      kpi('fin.capacity', tot.approved_capacity_cents),
      kpi('fin.outstanding', tot.commitments_outstanding_cents),
      kpi('fin.available', tot.available_commitment_cents),
      kpi('fin.payments', tot.payments_cents)),
    h('section', { class: 'panel' }, h('h2', {}, tx('fin.subheads')),
      table([
        { label: 'fin.account', cell: (s) => h('span', { class: 'code' }, s.code) },
        { label: 'fin.name', cell: (s) => tfn(() => pick(s)) },
        { label: 'fin.capacity', cell: (s) => money(s.approved_capacity_cents), class: 'num' },
        { label: 'fin.outstanding', cell: (s) => money(s.commitments_outstanding_cents), class: 'num' },
        { label: 'fin.available', cell: (s) => money(s.available_commitment_cents), class: 'num' },
        { label: 'fin.in_fund', cell: (s) => tx(s.in_fund ? 'value.yes' : 'value.no') },
      ], d.subheads || [], { caption: 'fin.subheads', captionHidden: true, class: 'wide' })),
    h('div', { class: 'two-col' },
      h('section', { class: 'panel' }, h('h2', {}, tx('fin.flows')),
        table([
          { label: 'fin.flow', cell: (k) => tx(`fin.flow_${k}`) },
          { label: 'app.amount', cell: (k) => money(tot[`${k}_cents`]), class: 'num' },
        ], ['openings', 'injections', 'transfers', 'commitments', 'payments', 'releases', 'refunds', 'paid_through_head184'],
        { caption: 'fin.flows', captionHidden: true })),
      h('section', { class: 'panel' }, h('h2', {}, tx('fin.accounts')),
        h('details', {}, h('summary', {}, tfn(() => t('fin.accounts_show', { n: (d.accounts || []).length }))),
          table([
            { label: 'fin.account', cell: (x) => h('a', { href: `#/finance/entries${query({ account: x.code })}`, class: 'code' }, x.code) },
            { label: 'fin.name', cell: (x) => tfn(() => pick(x)) },
            { label: 'fin.balance', cell: (x) => money(x.balance_cents), class: 'num' },
          ], d.accounts || [], { caption: 'fin.accounts', captionHidden: true })))));
}

// ---- Entries ----------------------------------------------------------------

export async function entries(ctx) {
  ctx.title('fin.entries');
  const q = ctx.query;
  const f = {
    account: field({ name: 'account', label: 'fin.account', type: 'select', value: q.get('account') || '', options: [{ value: '', label: 'filter.any' }] }),
    kind: field({ name: 'kind', label: 'fin.kind', type: 'select', value: q.get('kind') || '',
      options: [{ value: '', label: 'filter.any' }, ...KINDS.map((k) => ({ value: k, label: () => data.labelOf('lkind', k) }))] }),
    paper_ref: field({ name: 'paper_ref', label: 'fin.paper_ref', value: q.get('paper_ref') || '', attrs: { placeholder: 'FCR(2021-22)22', autocomplete: 'off', spellcheck: 'false' } }),
    project_id: field({ name: 'project_id', label: 'fin.project', type: 'number', value: q.get('project_id') || '', attrs: { min: '1', step: '1', inputmode: 'numeric' } }),
    from: field({ name: 'from', label: 'fin.from', type: 'date', value: q.get('from') || '' }),
    to: field({ name: 'to', label: 'fin.to', type: 'date', value: q.get('to') || '' }),
    order: field({ name: 'order', label: 'fin.order', type: 'select', value: q.get('order') || 'desc',
      options: [{ value: 'desc', label: 'fin.newest' }, { value: 'asc', label: 'fin.oldest' }] }),
  };
  const alert = alertBox();
  const form = h('form', { class: 'filters', role: 'search', novalidate: true }, Object.values(f),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, tx('queue.apply')),
      h('a', { href: '#/finance/entries', class: 'button secondary' }, tx('queue.reset'))));
  tattr(form, 'aria-label', 'fin.filters');
  const results = h('div', { class: 'results' }, loading());
  ctx.main.append(h('div', { class: 'page-head' }, h('h1', {}, tx('fin.entries')), h('p', { class: 'lead' }, tx('fin.entries_lead'))),
    financeTabs(ctx), form, alert, results);

  accounts().then((r) => {
    if (!r.ok || !ctx.current()) return;
    for (const a of accountsOf(r.data)) f.account.control.append(h('option', { value: a.code }, tfn(() => `${a.code} · ${pick(a)}`)));
    f.account.control.value = q.get('account') || '';
  });
  const values = () => Object.fromEntries(Object.entries(f).map(([k, x]) => [k, x.control.value.trim()]));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearErrors(form);
    const v = values();
    if (v.from && v.to && v.from > v.to) { showError(form, { code: 'invalid', field: 'to', key: 'err.date_order' }); return; }
    ctx.go(`#/finance/entries${query({ ...v, order: v.order === 'desc' ? '' : v.order })}`);
  });

  const offset = Math.max(0, Number(q.get('offset')) || 0);
  const params = { account: q.get('account'), kind: q.get('kind'), paper_ref: q.get('paper_ref'), project_id: q.get('project_id'),
    from: q.get('from'), to: q.get('to'), order: q.get('order') };
  const r = await get(`/ledger/entries${query({ ...params, limit: PAGE, offset: offset || null })}`);
  if (!ctx.current()) return;
  if (!r.ok) { set(results); showError(form, r.error, alert); return; }
  const d = r.data;
  const rows = d.entries || [];
  const link = (o) => `#/finance/entries${query({ ...params, offset: o || null })}`;
  set(results,
    h('p', { class: 'result-count' }, rows.length
      ? tx('pager.range', { from: offset + 1, to: offset + rows.length, total: count(d.total) }) : null),
    rows.length ? table([
      { label: 'fin.entry', cell: (e) => `#${e.id}` },
      { label: 'fin.value_date', cell: (e) => tfn(() => date(e.value_date)), class: 'date' },
      { label: 'fin.kind', cell: (e) => [tfn(() => data.labelOf('lkind', e.kind)), e.whole_balance ? [' ', h('span', { class: 'badge' }, tx('fin.whole'))] : null,
        e.reversed_by ? [' ', h('span', { class: 'badge st-cancelled' }, tfn(() => t('fin.reversed_by', { id: e.reversed_by })))] : null] },
      { label: 'fin.paper_ref', cell: (e) => e.paper_ref || '—' },
      { label: 'fin.from_to', cell: (e) => [e.from ? h('span', { class: 'code' }, e.from) : '', e.from && e.to ? ' → ' : '', e.to ? h('span', { class: 'code' }, e.to) : ''] },
      { label: 'app.amount', cell: (e) => money(e.amount_cents), class: 'num' },
      { label: 'fin.project', cell: (e) => (e.project_id ? h('a', { href: `#/grants/${e.project_id}` }, `#${e.project_id}`) : '') },
      { label: 'fin.postings', cell: (e) => postings(e) },
    ], rows, { caption: 'fin.entries', captionHidden: true, class: 'wide entries' }) : empty('fin.none'),
    d.total > PAGE ? h('nav', { class: 'pager' },
      offset > 0 ? h('a', { href: link(Math.max(0, offset - PAGE)), class: 'button secondary small' }, tx('pager.prev')) : null,
      d.next_offset !== null && d.next_offset !== undefined ? h('a', { href: link(d.next_offset), class: 'button secondary small' }, tx('pager.next')) : null) : null);
  const pager = results.querySelector('.pager');
  if (pager) tattr(pager, 'aria-label', 'pager.label');
}

function postings(e) {
  return h('details', { class: 'postings' }, h('summary', {}, tfn(() => t('fin.lines', { n: (e.postings || []).length }))),
    h('table', { class: 'mini' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, tx('fin.account')), h('th', { scope: 'col', class: 'num' }, tx('fin.debit')),
        h('th', { scope: 'col', class: 'num' }, tx('fin.credit')))),
      h('tbody', {}, (e.postings || []).map((p) => h('tr', {}, h('td', {}, p.account),
        h('td', { class: 'num' }, p.debit_cents ? money(p.debit_cents) : ''), h('td', { class: 'num' }, p.credit_cents ? money(p.credit_cents) : ''))))),
    e.narrative ? h('p', { class: 'muted' }, e.narrative) : null,
    h('p', { class: 'muted' }, tfn(() => t('fin.by', { who: e.actor || '', when: dateTime(e.created_at) }))));
}

// ---- Recording injections and transfers ------------------------------------

export async function record(ctx) {
  ctx.title('fin.record');
  const slot = h('div', {}, loading());
  ctx.main.append(h('div', { class: 'page-head' }, h('h1', {}, tx('fin.record')), h('p', { class: 'lead' }, tx('fin.record_lead'))),
    financeTabs(ctx), slot);
  const r = await accounts();
  if (!ctx.current()) return;
  if (!r.ok) { set(slot, failure(r.error, () => ctx.go(location.hash))); return; }
  const subheads = accountsOf(r.data).filter((a) => a.kind === 'subhead');
  const fund = subheads.filter((a) => a.head === '111');
  const opts = (list) => list.map((a) => ({ value: a.code, label: () => `${a.code} · ${pick(a)}` }));
  set(slot, h('div', { class: 'two-col' }, injectionForm(ctx, opts(fund)), transferForm(ctx, opts(subheads), opts(fund))));
}

// The money fields every manual entry shares.
function paperFields() {
  return {
    paper_ref: field({ name: 'paper_ref', label: 'fin.paper_ref', required: true, hint: 'fin.paper_hint', attrs: { maxlength: '64', autocomplete: 'off', spellcheck: 'false' } }),
    approved_on: field({ name: 'approved_on', label: 'fin.approved_on', type: 'date', required: true, value: todayHK() }),
    value_date: field({ name: 'value_date', label: 'fin.value_date', type: 'date', hint: 'fin.value_date_hint' }),
    narrative: field({ name: 'narrative', label: 'fin.narrative', type: 'textarea', rows: 2, attrs: { maxlength: '500' } }),
  };
}

// Read the shared fields into body; false after showing an error.
function readPaper(form, pf, body) {
  for (const k of ['paper_ref', 'approved_on']) {
    const v = pf[k].control.value.trim();
    if (!v) { showError(form, { code: 'invalid', field: k, key: 'err.required' }); return false; }
    body[k] = v;
  }
  if (pf.value_date.control.value) body.value_date = pf.value_date.control.value;
  if (pf.narrative.control.value.trim()) body.narrative = pf.narrative.control.value.trim();
  return true;
}

function recorded(ctx, e) {
  notify(tfn(() => t('fin.recorded', { id: e.id, kind: data.labelOf('lkind', e.kind), amount: money(e.amount_cents) })));
  ctx.go(`#/finance/entries${query({ paper_ref: e.paper_ref })}`);
}

function injectionForm(ctx, fundOpts) {
  const amount = field({ name: 'amount_cents', label: 'app.amount', type: 'money', required: true });
  const pf = paperFields();
  const subhead = field({ name: 'subhead', label: 'fin.subhead', type: 'select', value: 'H111-101', options: fundOpts });
  const form = actionForm({
    id: 'injection-form',
    fields: [amount, pf.paper_ref, h('div', { class: 'row2' }, pf.approved_on, pf.value_date), subhead, pf.narrative],
    buttonKey: 'fin.record_injection', busyKey: 'busy.saving',
    submit: (f) => {
      const cents = parseMoney(amount.control.value);
      if (cents === null) { showError(f, { code: 'invalid', field: 'amount_cents', key: amount.control.value.trim() ? 'err.money' : 'err.required' }); return null; }
      const body = { amount_cents: cents };
      if (!readPaper(f, pf, body)) return null;
      if (subhead.control.value) body.subhead = subhead.control.value;
      return post('/ledger/injections', body);
    },
    onDone: (e) => recorded(ctx, e),
  });
  return h('section', { class: 'panel' }, h('h2', {}, tx('fin.injection')), h('p', { class: 'hint' }, tx('fin.injection_lead')), form);
}

function transferForm(ctx, allOpts, fundOpts) {
  const from = field({ name: 'from', label: 'fin.from_account', type: 'select', required: true,
    options: [{ value: '', label: 'filter.choose' }, ...allOpts] });
  const to = field({ name: 'to', label: 'fin.to_account', type: 'select', required: true,
    options: [{ value: '', label: 'filter.choose' }, ...fundOpts] });
  const whole = field({ name: 'whole_balance', label: 'fin.whole_balance', type: 'checkbox', hint: 'fin.whole_hint' });
  const amount = field({ name: 'amount_cents', label: 'app.amount', type: 'money', required: true });
  const pf = paperFields();
  const sync = () => {
    amount.hidden = whole.control.checked;
    amount.control.disabled = whole.control.checked;
  };
  whole.control.addEventListener('change', sync);
  sync();
  const form = actionForm({
    id: 'transfer-form',
    fields: [h('div', { class: 'row2' }, from, to), whole, amount, pf.paper_ref, h('div', { class: 'row2' }, pf.approved_on, pf.value_date), pf.narrative],
    buttonKey: 'fin.record_transfer', busyKey: 'busy.saving',
    submit: (f) => {
      const body = {};
      for (const [fl, k] of [[from, 'from'], [to, 'to']]) {
        if (!fl.control.value) { showError(f, { code: 'invalid', field: k, key: 'err.required' }); return null; }
        body[k] = fl.control.value;
      }
      if (whole.control.checked) {
        body.whole_balance = true;
      } else {
        const cents = parseMoney(amount.control.value);
        if (cents === null) { showError(f, { code: 'invalid', field: 'amount_cents', key: amount.control.value.trim() ? 'err.money' : 'err.required' }); return null; }
        body.amount_cents = cents;
      }
      if (!readPaper(f, pf, body)) return null;
      return post('/ledger/transfers', body);
    },
    onDone: (e) => recorded(ctx, e),
  });
  return h('section', { class: 'panel' }, h('h2', {}, tx('fin.transfer')), h('p', { class: 'hint' }, tx('fin.transfer_lead')), form);
}
