// Applications: the applicant's home (its applications), the draft editor
// (a form driven by the scheme definition: application_fields, budget
// lines with a running total, milestones) and one application's page
// (status, notes, history and the actions the service allows now).
import { h, set, append, field, label, alertBox, clearErrors, showError, busy, loading, empty, failure, table, notify, confirmDialog } from '../dom.js';
import { t, tx, tfn, tattr, pick } from '../i18n.js';
import { get, post, patch, query } from '../api.js';
import { money, moneyInput, parseMoney, date, dateTime, todayHK } from '../format.js';
import * as data from '../data.js';
import * as session from '../session.js';
import { moreList } from './common.js';

const CATEGORIES = ['manpower', 'equipment', 'materials', 'services', 'travel', 'training', 'patent', 'audit', 'other'];
const BUDGET_MODELS = new Set(['grant', 'matching', 'block_grant']);

export function appStatus(status) {
  return h('span', { class: `badge app-${status}` }, tfn(() => data.labelOf('astatus', status)));
}

// ---- The applicant's home ---------------------------------------------

export async function mine(ctx) {
  ctx.title('my.title');
  const u = session.state.user;
  const org = u.organisation;
  ctx.main.append(h('div', { class: 'page-head' }, h('h1', {}, tx('my.title')),
    org ? h('p', { class: 'lead' }, tfn(() => pick(org))) : null));
  const start = h('section', { class: 'panel' }, h('h2', {}, tx('my.start')), loading());
  const list = h('section', { class: 'panel' }, h('h2', {}, tx('my.list')), loading());
  const notes = h('section', { class: 'panel' }, h('h2', {}, tx('my.notices')), loading());
  ctx.main.append(h('div', { class: 'two-col wide-left' }, h('div', {}, list), h('div', {}, start, notes)));

  // Start: the schemes this organisation's type may apply to.
  data.schemes().then(async (r) => {
    if (!ctx.current()) return;
    if (!r.ok) { set(start, h('h2', {}, tx('my.start')), failure(r.error)); return; }
    const open = r.data.filter((s) => s.status === 'open');
    const sel = field({ name: 'scheme', label: 'app.scheme', type: 'select', required: true,
      options: [{ value: '', label: 'filter.choose' }, ...open.map((s) => ({ value: s.code, label: () => `${s.code} · ${pick(s)}` }))] });
    const alert = alertBox();
    const form = h('form', { novalidate: true }, h('p', { class: 'hint' }, tx('my.start_hint')), sel, alert,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, tx('my.start_button'))));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      clearErrors(form);
      if (!sel.control.value) { showError(form, { code: 'invalid', field: 'scheme', key: 'err.required' }); return; }
      ctx.go(`#/applications/new?scheme=${sel.control.value}`);
    });
    set(start, h('h2', {}, tx('my.start')), form);
  });

  get('/notifications?limit=5', { quietUnauth: true }).then((r) => {
    if (!ctx.current()) return;
    const head = h('h2', {}, tx('my.notices'));
    if (!r.ok) { set(notes, head, r.missing ? empty('notices.unavailable') : failure(r.error)); return; }
    const items = r.data.notifications || [];
    set(notes, head, items.length ? h('ul', { class: 'notices' }, items.map(noticeItem)) : empty('notices.none'),
      h('p', {}, h('a', { href: '#/notifications' }, tx('notices.all'))));
  });

  await appList(ctx, list, {});
}

export function noticeItem(n) {
  return h('li', { class: n.read ? 'read' : 'unread' },
    h('span', { class: 'when' }, tfn(() => dateTime(n.created_at))), ' ',
    noticeHref(n)
      ? h('a', { href: noticeHref(n) }, tfn(() => pick(n, 'message')))
      : h('span', {}, tfn(() => pick(n, 'message'))));
}

// Where a notification's record is shown, for the reader's role.
function noticeHref(n) {
  if (!n.record_id) return null;
  if (n.record_type === 'application') return `#/applications/${n.record_id}`;
  if (n.record_type === 'project') return `#/grants/${n.record_id}`;
  return null;
}

// The organisation's applications, newest first, a page at a time.
async function appList(ctx, section, filters) {
  const head = h('h2', {}, tx('my.list'));
  const rows = [];
  const body = h('div', {});
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, tx('pager.more'));
  set(section, head, body, more);
  let cursor = null;
  const load = async () => {
    const r = await get(`/applications${query({ ...filters, limit: 20, cursor })}`);
    if (!ctx.current()) return;
    if (!r.ok) {
      set(body, r.missing ? empty('apps.unavailable_title', 'apps.unavailable_body') : failure(r.error, () => ctx.go(location.hash)));
      more.hidden = true;
      return;
    }
    rows.push(...r.data.applications);
    cursor = r.data.next_cursor;
    more.hidden = !cursor;
    set(body, rows.length ? table([
      { label: 'app.reference', cell: (a) => h('a', { href: `#/applications/${a.id}` }, a.reference || tfn(() => t('app.draft_ref', { id: a.id }))) },
      { label: 'app.scheme', cell: (a) => a.scheme },
      { label: 'app.title', cell: (a) => a.title },
      { label: 'app.status', cell: (a) => appStatus(a.status) },
      { label: 'app.requested', cell: (a) => (a.requested_cents === null ? '—' : money(a.requested_cents)), class: 'num' },
      { label: 'app.updated', cell: (a) => tfn(() => dateTime(a.updated_at)) },
    ], rows, { caption: 'my.list', captionHidden: true }) : empty('my.none', 'my.none_body'));
  };
  more.addEventListener('click', () => busy(more, load, 'busy.loading'));
  body.append(loading());
  await load();
}

// ---- The draft editor ----------------------------------------------------

export async function editor(ctx) {
  const id = ctx.params[0] || null;
  ctx.title(id ? 'edit.title' : 'edit.new_title');
  const slot = h('div', {}, loading());
  ctx.main.append(h('nav', { class: 'crumbs' }, h('a', { href: '#/my' }, tx('my.title')), ' › ', id ? h('a', { href: `#/applications/${id}` }, `#${id}`) : tx('edit.new_title')), slot);

  let app = null;
  let code = (ctx.query.get('scheme') || '').toUpperCase();
  if (id) {
    const r = await get(`/applications/${id}`);
    if (!ctx.current()) return;
    if (!r.ok) { set(slot, h('h1', {}, tx('edit.title')), r.missing ? empty('apps.unavailable_title', 'apps.unavailable_body') : failure(r.error, () => ctx.go(location.hash))); return; }
    app = r.data;
    code = app.scheme;
    if (!(app.allowed_actions || []).includes('edit')) {
      set(slot, h('h1', {}, app.title), h('p', { class: 'note' }, tx('edit.not_editable', { status: data.labelOf('astatus', app.status) })),
        h('p', {}, h('a', { href: `#/applications/${id}` }, tx('edit.view'))));
      return;
    }
  }
  if (!/^[A-Z]{2,8}$/.test(code)) { ctx.go('#/my', true); return; }
  const sr = await data.scheme(code);
  if (!ctx.current()) return;
  if (!sr.ok) { set(slot, h('h1', {}, tx('edit.new_title')), failure(sr.error)); return; }
  set(slot, ...draftForm(ctx, sr.data, app));
}

function draftForm(ctx, s, app) {
  const c = app || { title: '', summary: '', start_date: null, end_date: null, fields: {}, budget_lines: [], milestones: [] };
  const state = { id: app ? app.id : null, version: app ? app.version : null };
  const heading = h('h1', {}, app ? tfn(() => t('edit.heading', { title: app.title })) : tfn(() => t('edit.new_heading', { scheme: pick(s) })));
  const meta = h('p', { class: 'meta' }, h('span', { class: 'code' }, s.code), ' ', tfn(() => pick(s)),
    app ? [' · ', appStatus(app.status)] : null);

  // 1. The project.
  const title = field({ name: 'title', label: 'app.title', required: true, value: c.title, attrs: { maxlength: '200' } });
  const summary = field({ name: 'summary', label: 'app.summary', type: 'textarea', required: true, rows: 6, value: c.summary, attrs: { maxlength: '5000' } });
  const start = field({ name: 'start_date', label: 'app.start_date', type: 'date', required: true, value: c.start_date || '' });
  const end = field({ name: 'end_date', label: 'app.end_date', type: 'date', required: true, value: c.end_date || '',
    hint: s.max_months ? () => t('edit.max_months', { n: s.max_months.value }) : null });

  // 2. Scheme-specific fields, from the definition.
  const schemeFields = (s.application_fields || []).map((def) => schemeField(def, (c.fields || {})[def.name]));

  // 3. Budget lines with a running total (and an estimate, where the
  //    funding model works on the budget).
  const totalEl = h('output', { class: 'total' });
  const estimateEl = h('p', { class: 'hint estimate', 'aria-live': 'polite' });
  const budget = repeater({
    path: 'budget_lines', legend: 'edit.budget', addKey: 'edit.add_line', max: 100,
    columns: [
      { key: 'category', type: 'select', label: 'app.category', required: true, options: CATEGORIES.map((x) => ({ value: x, label: () => data.labelOf('cat', x) })) },
      { key: 'description', type: 'text', label: 'app.description', attrs: { maxlength: '500' } },
      { key: 'amount_cents', type: 'money', label: 'app.amount', required: true },
    ],
    values: c.budget_lines, onChange: () => recalc(),
  });
  budget.el.append(h('p', { class: 'running' }, tx('edit.total'), ' ', totalEl), estimateEl);

  // 4. Milestones.
  const milestones = repeater({
    path: 'milestones', legend: 'edit.milestones', addKey: 'edit.add_milestone', max: 50,
    columns: [
      { key: 'title', type: 'text', label: 'app.ms_title', required: true, attrs: { maxlength: '200' } },
      { key: 'deliverables', type: 'textarea', label: 'app.deliverables', attrs: { maxlength: '2000' } },
      { key: 'due_date', type: 'date', label: 'app.due_date', required: true },
    ],
    values: c.milestones,
  });
  if (s.payment && s.payment.pattern === 'milestones')
    milestones.el.querySelector('legend').append(h('span', { class: 'req', 'aria-hidden': 'true' }, ' *'));

  let estTimer = null;
  let estAbort = null;
  function recalc() {
    const total = budget.total();
    set(totalEl, money(total));
    if (!BUDGET_MODELS.has(s.funding_model)) return;
    clearTimeout(estTimer);
    estTimer = setTimeout(async () => {
      if (estAbort) estAbort.abort();
      if (!total) { set(estimateEl); return; }
      estAbort = new AbortController();
      const r = await post(`/schemes/${s.code}/quote`, { submitted_on: todayHK(), eligible_cost_cents: total }, { signal: estAbort.signal });
      if (r.aborted) return;
      set(estimateEl, r.ok
        ? tfn(() => t('edit.estimate', { gov: money(r.data.government_cents), app: money(r.data.applicant_cents), rule: r.data.rule_version }))
        : tfn(() => t('edit.estimate_none')));
    }, 400);
  }
  recalc();

  const alert = alertBox();
  const save = h('button', { type: 'submit', class: 'secondary' }, tx('edit.save'));
  const submit = h('button', { type: 'button', class: 'primary' }, tx(app && app.status === 'returned' ? 'action.resubmit' : 'action.submit'));
  const savedAt = h('span', { class: 'hint', 'aria-live': 'polite' });
  const form = h('form', { class: 'draft', novalidate: true },
    h('fieldset', { class: 'panel' }, h('legend', {}, tx('edit.project')), title, summary, h('div', { class: 'row2' }, start, end)),
    schemeFields.length ? h('fieldset', { class: 'panel', dataset: { field: 'fields' } }, h('legend', {}, tx('edit.scheme_fields')), schemeFields.map((f) => f.el)) : null,
    h('div', { class: 'panel' }, budget.el),
    h('div', { class: 'panel' }, milestones.el),
    alert,
    h('div', { class: 'actions sticky' }, save, submit, savedAt,
      h('a', { href: state.id ? `#/applications/${state.id}` : '#/my', class: 'cancel' }, tx('action.cancel'))));
  tattr(form, 'aria-label', app ? 'edit.title' : 'edit.new_title');

  // The body for POST (create) or PATCH: every key, so that a cleared
  // value is cleared on the service too.  null when a value cannot be read
  // (the error is already shown next to it).
  function collect() {
    const out = {
      title: title.control.value.trim(),
      summary: summary.control.value,
      start_date: start.control.value || null,
      end_date: end.control.value || null,
    };
    const lines = budget.value(form);
    if (lines === null) return null;
    const ms = milestones.value(form);
    if (ms === null) return null;
    out.budget_lines = lines;
    out.milestones = ms;
    const fields = {};
    for (const f of schemeFields) {
      const v = f.value(form);
      if (v === undefined) return null;
      fields[f.name] = v;
    }
    out.fields = fields;
    return out;
  }

  async function saveDraft() {
    clearErrors(form);
    const body = collect();
    if (body === null) return false;
    if (!body.title) { showError(form, { code: 'invalid', field: 'title', key: 'err.required' }); return false; }
    let r;
    if (state.id === null) {
      for (const k of Object.keys(body)) if (body[k] === null) delete body[k];
      for (const k of Object.keys(body.fields)) if (body.fields[k] === null) delete body.fields[k];
      r = await post('/applications', { scheme: s.code, ...body });
    } else {
      r = await patch(`/applications/${state.id}`, { version: state.version, ...body });
    }
    if (!r.ok) { showError(form, r.error, alert); return false; }
    state.id = r.data.id;
    state.version = r.data.version;
    // Stay on the page (keeping focus and what is typed); give it its address.
    history.replaceState(null, '', `#/applications/${state.id}/edit`);
    set(savedAt, tfn(() => t('edit.saved_at', { when: dateTime(r.data.updated_at) })));
    return true;
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    await busy(save, async () => { if (await saveDraft()) notify(tx('edit.saved')); }, 'busy.saving');
  });
  submit.addEventListener('click', async () => {
    const ok = await confirmDialog({ titleKey: 'edit.confirm_submit_title', bodyKey: 'edit.confirm_submit_body', confirmKey: 'action.submit' });
    if (!ok) return;
    await busy(submit, async () => {
      if (!(await saveDraft())) return;
      const r = await post(`/applications/${state.id}/submit`, {});
      if (!r.ok) { showError(form, r.error, alert); return; }
      notify(tx('edit.submitted', { ref: r.data.reference || '' }));
      ctx.go(`#/applications/${state.id}`);
    }, 'busy.submitting');
  });

  // The service decides eligibility; say early what it would refuse.
  const orgType = session.state.user && session.state.user.organisation ? session.state.user.organisation.type : null;
  const ineligible = orgType && Array.isArray(s.eligible_applicants) && !s.eligible_applicants.includes(orgType)
    ? h('p', { class: 'note', role: 'note' }, tfn(() => t('edit.ineligible', { type: data.labelOf('orgtype', orgType),
      who: s.eligible_applicants.map((x) => data.labelOf('orgtype', x)).join(t('list.sep')) }))) : null;
  const returned = app && app.status === 'returned' && app.return_note
    ? h('div', { class: 'note returned', role: 'note' }, h('h2', {}, tx('view.returned_note')), h('p', { class: 'pre' }, app.return_note)) : null;
  return [h('div', { class: 'page-head' }, heading, meta), ineligible, returned, h('p', { class: 'hint' }, tx('edit.lead')), form];
}

// One scheme-defined field (docs/schemes.md, application_fields[]):
// { el, name, value(form) -> JSON value, or undefined after showing an error }.
// A definition's label; money is typed in HK$ here, so a "(HK cents)"
// note meant for the stored value is left out.
function defLabel(def) {
  const l = pick(def, 'label') || def.name;
  return def.type === 'cents' ? l.replace(/\s*[(（](HK cents|港仙)[)）]\s*$/, '') : l;
}

function schemeField(def, value, prefix = 'fields') {
  const path = `${prefix}.${def.name}`;
  const lbl = () => defLabel(def);
  const base = { name: path, label: lbl, required: !!def.required };
  if (def.type === 'list') {
    const rep = repeater({
      path, legend: lbl, addKey: 'edit.add_item', max: def.max_items || 50, required: !!def.required,
      columns: (def.item_fields || []).map((d) => ({ key: d.name, def: d })),
      values: Array.isArray(value) ? value : [],
    });
    return { el: rep.el, name: def.name, value: (form) => { const v = rep.value(form); return v === null ? undefined : (v.length ? v : null); } };
  }
  const f = control(def, base, value);
  return { el: f, name: def.name, value: (form) => readControl(form, f, def.type) };
}

// A control for a definition of type string/text/integer/cents/date/boolean/enum.
function control(def, base, value) {
  switch (def.type) {
  case 'text':
    return field({ ...base, type: 'textarea', value: value ?? '', attrs: def.max_length ? { maxlength: String(def.max_length) } : {} });
  case 'integer':
    return field({ ...base, type: 'number', value: value ?? '', attrs: { step: '1', inputmode: 'numeric' } });
  case 'cents':
    return field({ ...base, type: 'money', value: value === undefined || value === null ? '' : moneyInput(value) });
  case 'date':
    return field({ ...base, type: 'date', value: value ?? '' });
  case 'boolean':
    return field({ ...base, type: 'checkbox', value: !!value });
  case 'enum':
    return field({ ...base, type: 'select', value: value ?? '',
      options: [{ value: '', label: 'filter.choose' }, ...(def.values || []).map((v) => ({ value: v, label: () => data.labelOf('enum', v) }))] });
  default:
    return field({ ...base, type: 'text', value: value ?? '', attrs: def.max_length ? { maxlength: String(def.max_length) } : {} });
  }
}

// The JSON value of a control; null when empty; undefined (error shown)
// when it cannot be read.
function readControl(form, f, type) {
  const el = f.control;
  if (type === 'boolean') return el.checked;
  const v = el.value.trim();
  if (!v) return null;
  if (type === 'cents' || type === 'money') {
    const c = parseMoney(v);
    if (c === null) { showError(form, { code: 'invalid', field: f.dataset.field, key: 'err.money' }); return undefined; }
    return c;
  }
  if (type === 'integer') {
    if (!/^-?\d+$/.test(v)) { showError(form, { code: 'invalid', field: f.dataset.field, key: 'err.integer' }); return undefined; }
    return Number(v);
  }
  return type === 'text' || type === 'textarea' ? el.value : v;
}

/*
 * Rows of fields under one API path ("budget_lines", "fields.talents"):
 * each row is data-field "path[i]" and each control "path[i].key", so the
 * service's errors land on the right row; rows renumber when one is
 * removed.  columns: { key, type, label, required, options, attrs } or
 * { key, def } (a scheme item definition).
 */
function repeater({ path, legend, addKey, max, columns, values, onChange, required }) {
  const rows = h('div', { class: 'rows' });
  const count = h('span', { class: 'hint' });
  const add = h('button', { type: 'button', class: 'secondary small' }, tx(addKey));
  const legendEl = h('legend', {}, typeof legend === 'function' ? tfn(legend) : tx(legend),
    required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null);
  const el = h('fieldset', { class: 'repeater', dataset: { field: path } }, legendEl, rows,
    h('p', { class: 'field-error', hidden: true }), h('div', { class: 'actions' }, add, count));

  const typeOf = (col) => (col.def ? ({ cents: 'money', string: 'text', text: 'textarea' }[col.def.type] || col.def.type) : col.type);

  function makeRow(v = {}) {
    const row = h('div', { class: 'row' });
    const fields = columns.map((col) => {
      let f;
      const name = `${path}[0].${col.key}`;
      if (col.def) {
        f = control(col.def, { name, label: () => defLabel(col.def), required: !!col.def.required }, v[col.key]);
      } else {
        const val = typeOf(col) === 'money' ? (v[col.key] === undefined || v[col.key] === null ? '' : moneyInput(v[col.key])) : (v[col.key] ?? '');
        f = field({ name, label: col.label, type: typeOf(col), required: col.required, value: val, options: col.options,
          attrs: { ...(col.attrs || {}), ...(typeOf(col) === 'integer' ? { step: '1', inputmode: 'numeric' } : {}) } });
      }
      f.col = col;
      if (onChange) f.control.addEventListener('input', onChange);
      return f;
    });
    const num = h('span', { class: 'row-num' });
    const remove = h('button', { type: 'button', class: 'link remove' }, tx('action.remove'));
    remove.addEventListener('click', () => {
      const next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      renumber();
      if (onChange) onChange();
      (next ? next.querySelector('input, select, textarea') : add).focus();
    });
    append(row, [num, fields, remove]);
    row.fields = fields;
    row.remove_ = remove;
    row.num = num;
    return row;
  }

  function renumber() {
    [...rows.children].forEach((row, i) => {
      row.dataset.field = `${path}[${i}]`;
      row.num.textContent = `${i + 1}.`;
      for (const f of row.fields) {
        f.dataset.field = `${path}[${i}].${f.col.key}`;
        f.control.name = f.dataset.field;
      }
      tattr(row.remove_, 'aria-label', 'edit.remove_row', { n: i + 1 });
    });
    add.disabled = rows.children.length >= max;
    set(count, rows.children.length >= max ? tx('edit.max_rows', { n: max }) : '');
  }

  add.addEventListener('click', () => {
    const row = makeRow();
    rows.append(row);
    renumber();
    row.querySelector('input, select, textarea').focus();
    if (onChange) onChange();
  });
  for (const v of values || []) rows.append(makeRow(v));
  renumber();

  return {
    el,
    total() {
      let sum = 0;
      for (const row of rows.children) {
        for (const f of row.fields) {
          if (typeOf(f.col) === 'money') sum += parseMoney(f.control.value) || 0;
        }
      }
      return sum;
    },
    // The rows as JSON, or null after showing the first unreadable value.
    value(form) {
      const out = [];
      for (const row of rows.children) {
        const o = {};
        for (const f of row.fields) {
          const ty = f.col.def ? f.col.def.type : typeOf(f.col);
          const v = readControl(form, f, ty);
          if (v === undefined) return null;
          if (v !== null) o[f.col.key] = v;
        }
        out.push(o);
      }
      return out;
    },
  };
}

// ---- One application ---------------------------------------------------

const ACTIONS = {
  submit: { key: 'action.submit', cls: 'primary', confirm: { titleKey: 'edit.confirm_submit_title', bodyKey: 'edit.confirm_submit_body', confirmKey: 'action.submit' }, call: (id) => post(`/applications/${id}/submit`, {}) },
  start_screening: { key: 'action.start_screening', cls: 'primary', call: (id) => post(`/applications/${id}/screen`, { decision: 'start' }) },
  accept: { key: 'action.accept', cls: 'primary', confirm: { titleKey: 'view.confirm_accept_title', bodyKey: 'view.confirm_accept_body', confirmKey: 'action.accept', input: 'optional', inputLabelKey: 'field.note' },
    call: (id, note) => post(`/applications/${id}/screen`, note ? { decision: 'accept', note } : { decision: 'accept' }) },
  return: { key: 'action.return', cls: 'secondary', confirm: { titleKey: 'view.confirm_return_title', bodyKey: 'view.confirm_return_body', confirmKey: 'action.return', input: 'required', inputLabelKey: 'view.return_reason' },
    call: (id, note) => post(`/applications/${id}/screen`, { decision: 'return', note }) },
  withdraw: { key: 'action.withdraw', cls: 'danger', confirm: { titleKey: 'view.confirm_withdraw_title', bodyKey: 'view.confirm_withdraw_body', confirmKey: 'action.withdraw', input: 'optional', inputLabelKey: 'view.withdraw_reason', danger: true },
    call: (id, note) => post(`/applications/${id}/withdraw`, note ? { reason: note } : {}) },
};

export async function view(ctx) {
  const id = ctx.params[0];
  ctx.title(() => t('view.title', { id }));
  const back = session.hasRole('applicant') ? ['#/my', 'my.title']
    : session.hasRole('officer', 'auditor') ? ['#/queue', 'queue.title']
      : session.hasRole('approver') ? ['#/decisions', 'dec.title'] : ['#/panel', 'panel.title'];
  const slot = h('div', {}, loading());
  ctx.main.append(h('nav', { class: 'crumbs' }, h('a', { href: back[0] }, tx(back[1])), ' › ', `#${id}`), slot);
  const r = await get(`/applications/${id}`);
  if (!ctx.current()) return;
  if (!r.ok) {
    set(slot, h('h1', {}, tfn(() => t('view.title', { id }))),
      r.missing ? empty('apps.unavailable_title', 'apps.unavailable_body') : failure(r.error, () => ctx.go(location.hash)));
    return;
  }
  const a = r.data;
  const sr = await data.scheme(a.scheme);
  if (!ctx.current()) return;
  const s = sr.ok ? sr.data : null;
  ctx.title(() => a.reference || a.title);
  set(slot, ...renderApp(ctx, a, s));
}

function renderApp(ctx, a, s) {
  const alert = alertBox();
  const bar = h('div', { class: 'actions action-bar' });
  const allowed = a.allowed_actions || [];
  if (allowed.includes('edit') && session.hasRole('applicant'))
    bar.append(h('a', { class: 'button secondary', href: `#/applications/${a.id}/edit` }, tx(a.status === 'returned' ? 'view.edit_resubmit' : 'view.edit')));
  for (const name of allowed) {
    const spec = ACTIONS[name];
    if (!spec) continue;
    const b = h('button', { type: 'button', class: spec.cls, dataset: { action: name } }, tx(spec.key));
    b.addEventListener('click', async () => {
      clearErrors(actions);
      let note = null;
      if (spec.confirm) {
        const c = await confirmDialog(spec.confirm);
        if (!c) return;
        note = c.note || null;
      }
      await busy(b, async () => {
        const r = await spec.call(a.id, note);
        if (!r.ok) { showError(actions, r.error, alert); return; }
        notify(tfn(() => t('view.done', { action: t(spec.key) })));
        ctx.go(location.hash);
      });
    });
    bar.append(b);
  }
  const actions = h('section', { class: 'actions-wrap' }, bar, alert);
  const c = (l, value) => (value === null || value === undefined || value === '' ? null : [h('dt', {}, label(l)), h('dd', {}, value)]);

  const fieldsDl = s && (s.application_fields || []).length ? h('dl', { class: 'facts' },
    s.application_fields.map((def) => c(() => defLabel(def), fieldValue(def, (a.fields || {})[def.name])))) : null;
  return [
    h('div', { class: 'page-head' },
      h('h1', {}, a.title || '—'),
      h('p', { class: 'meta' }, h('span', { class: 'code' }, a.reference || tfn(() => t('app.draft_ref', { id: a.id }))), ' ', appStatus(a.status), ' · ',
        s ? tfn(() => `${s.code} · ${pick(s)}`) : a.scheme)),
    a.status === 'returned' && a.return_note
      ? h('div', { class: 'note returned', role: 'note' }, h('h2', {}, tx('view.returned_note')), h('p', { class: 'pre' }, a.return_note)) : null,
    actions,
    h('div', { class: 'two-col' },
      h('section', { class: 'panel' }, h('h2', {}, tx('view.summary')),
        h('dl', { class: 'facts' },
          c('app.organisation', tfn(() => pick(a.organisation))),
          c('app.period', a.start_date ? tfn(() => `${date(a.start_date)} – ${date(a.end_date)}`) : null),
          c('app.total_cost', money(a.total_cost_cents)),
          c('app.requested', a.requested_cents === null ? null : money(a.requested_cents)),
          c('app.applicant_share', a.applicant_cents === null ? null : money(a.applicant_cents)),
          c('app.rule_version', a.rule_version),
          c('calc.capped_by', a.capped_by ? tfn(() => data.labelOf('param', a.capped_by)) : null),
          c('app.submitted_on', a.submitted_on ? tfn(() => date(a.submitted_on)) : null)),
        a.summary ? [h('h3', {}, tx('app.summary')), h('p', { class: 'pre' }, a.summary)] : null,
        fieldsDl ? [h('h3', {}, tx('edit.scheme_fields')), fieldsDl] : null),
      h('section', { class: 'panel' }, h('h2', {}, tx('view.history')), timeline(a.history || []))),
    h('section', { class: 'panel' }, h('h2', {}, tx('edit.budget')),
      (a.budget_lines || []).length ? table([
        { label: 'app.category', cell: (l) => tfn(() => data.labelOf('cat', l.category)) },
        { label: 'app.description', cell: (l) => l.description },
        { label: 'app.amount', cell: (l) => money(l.amount_cents), class: 'num' },
        { label: 'view.gov_share', cell: (l) => (l.government_cents === null ? '—' : money(l.government_cents)), class: 'num' },
        { label: 'view.app_share', cell: (l) => (l.applicant_cents === null ? '—' : money(l.applicant_cents)), class: 'num' },
      ], a.budget_lines, { caption: 'edit.budget', captionHidden: true }) : empty('view.no_budget')),
    h('section', { class: 'panel' }, h('h2', {}, tx('edit.milestones')),
      (a.milestones || []).length ? table([
        { label: 'app.ms_title', cell: (m) => m.title },
        { label: 'app.deliverables', cell: (m) => h('span', { class: 'pre' }, m.deliverables || '') },
        { label: 'app.due_date', cell: (m) => tfn(() => date(m.due_date)) },
      ], a.milestones, { caption: 'edit.milestones', captionHidden: true }) : empty('view.no_milestones')),
    session.hasRole('officer') && a.status !== 'draft' ? duplicates(ctx, a) : null,
    session.hasRole('officer', 'auditor') ? auditTrail(ctx, a) : null,
  ];
}

function fieldValue(def, v) {
  if (v === undefined || v === null || v === '') return null;
  switch (def.type) {
  case 'cents': return money(v);
  case 'date': return tfn(() => date(v));
  case 'boolean': return tx(v ? 'value.yes' : 'value.no');
  case 'enum': return tfn(() => data.labelOf('enum', v));
  case 'list':
    return h('ul', {}, (Array.isArray(v) ? v : []).map((item) => h('li', {},
      (def.item_fields || []).map((d) => item[d.name] === undefined ? null : h('span', { class: 'item-part' },
        tfn(() => `${defLabel(d)}: `), fieldValue(d, item[d.name]))))));
  default: return String(v);
  }
}

function timeline(events) {
  if (!events.length) return empty('view.no_history');
  return h('ol', { class: 'timeline' }, events.slice().reverse().map((e) => h('li', {},
    h('p', { class: 'when' }, tfn(() => dateTime(e.at))),
    h('p', {}, h('strong', {}, tfn(() => data.labelOf('event', e.action))), ' ',
      e.from ? tfn(() => `${data.labelOf('astatus', e.from)} → ${data.labelOf('astatus', e.to)}`) : tfn(() => data.labelOf('astatus', e.to))),
    e.actor ? h('p', { class: 'muted' }, e.actor) : null,
    e.note ? h('p', { class: 'pre note-text' }, e.note) : null)));
}

// Officers: possible duplicate funding (same organisation, similar titles).
function duplicates(ctx, a) {
  const sec = h('section', { class: 'panel' }, h('h2', {}, tx('view.duplicates')), loading());
  get(`/applications/${a.id}/duplicates`).then((r) => {
    if (!ctx.current()) return;
    const head = h('h2', {}, tx('view.duplicates'));
    if (!r.ok) { set(sec, head, r.missing ? empty('view.duplicates_unavailable') : failure(r.error)); return; }
    const rows = [...(r.data.same_organisation || []), ...(r.data.similar || [])];
    set(sec, head, rows.length ? table([
      { label: 'app.reference', cell: (x) => h('a', { href: `#/applications/${x.id}` }, x.reference || `#${x.id}`) },
      { label: 'app.scheme', cell: (x) => x.scheme },
      { label: 'app.title', cell: (x) => x.title },
      { label: 'app.status', cell: (x) => appStatus(x.status) },
      { label: 'app.requested', cell: (x) => (x.requested_cents === null ? '—' : money(x.requested_cents)), class: 'num' },
    ], rows, { caption: 'view.duplicates', captionHidden: true }) : empty('view.no_duplicates'));
  });
  return sec;
}

// Officers and auditors: the audit trail of the application, oldest
// first, a page at a time (GET /api/v1/audit).
function auditTrail(ctx, a) {
  const list = moreList(ctx, {
    fetchPage: (after) => get(`/audit${query({ record_type: 'application', record_id: a.id, after, limit: 50 })}`),
    rowsOf: (d) => d.entries,
    cursorOf: (d) => d.next_after,
    emptyKey: 'audit.none',
    render: (rows) => table([
      { label: 'audit.when', cell: (e) => tfn(() => dateTime(e.at)), class: 'date' },
      { label: 'audit.who', cell: (e) => e.actor || '' },
      { label: 'audit.action', cell: (e) => tfn(() => data.labelOf('audit', e.action)) },
      { label: 'audit.change', cell: (e) => auditChange(e) },
      { label: 'field.reason', cell: (e) => (e.reason ? h('span', { class: 'pre' }, e.reason) : '') },
    ], rows, { caption: 'audit.title', captionHidden: true, class: 'wide audit' }),
  });
  return h('section', { class: 'panel audit-trail' }, h('h2', {}, tx('audit.title')), h('p', { class: 'hint' }, tx('audit.lead')), list);
}

function auditChange(e) {
  const b = e.before && typeof e.before === 'object' ? e.before : {};
  const f = e.after && typeof e.after === 'object' ? e.after : {};
  if (b.status || f.status) {
    return tfn(() => [b.status ? data.labelOf('astatus', b.status) : '', f.status ? data.labelOf('astatus', f.status) : '']
      .filter(Boolean).join(' → '));
  }
  if (!e.before) return '';
  const keys = Object.keys(f).filter((k) => JSON.stringify(f[k]) !== JSON.stringify(b[k]));
  return keys.length ? h('span', { class: 'muted' }, keys.slice(0, 6).join(', ')) : '';
}
