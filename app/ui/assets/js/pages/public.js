// Public pages (no sign-in): the landing page, the scheme browser with a
// funding calculator per scheme, and the search of funded projects.
import { h, set, append, field, alertBox, clearErrors, showError, busy, loading, empty, failure, table, nextId } from '../dom.js';
import { t, tx, tfn, tattr, pick } from '../i18n.js';
import { get, post, query } from '../api.js';
import { money, parseMoney, todayHK, date, percentBp } from '../format.js';
import * as data from '../data.js';
import * as session from '../session.js';

const AREAS = ['rd', 'adoption', 'talent', 'startups', 'culture'];
const STATUSES = ['open', 'closed', 'merged'];

export async function home(ctx) {
  if (session.signedIn() && session.home() !== '#/') {
    ctx.go(session.home(), true);
    return;
  }
  ctx.title('home.title');
  ctx.main.append(
    h('section', { class: 'hero' },
      h('h1', {}, tx('home.title')),
      h('p', { class: 'lead' }, tx('home.lead')),
      h('div', { class: 'actions' },
        h('a', { class: 'button primary', href: '#/schemes' }, tx('home.browse')),
        h('a', { class: 'button secondary', href: '#/projects' }, tx('home.search')))),
    h('section', { class: 'cards three' },
      card('home.card_schemes_title', 'home.card_schemes_body', '#/schemes', 'home.browse'),
      card('home.card_projects_title', 'home.card_projects_body', '#/projects', 'home.search'),
      session.state.available
        ? card('home.card_apply_title', 'home.card_apply_body', '#/register', 'nav.register')
        : null));
}

function card(titleKey, bodyKey, href, linkKey) {
  return h('article', { class: 'card' }, h('h2', {}, tx(titleKey)), h('p', {}, tx(bodyKey)),
    h('a', { href }, tx(linkKey)));
}

// ---- Scheme browser ---------------------------------------------------

export async function schemes(ctx) {
  ctx.title('schemes.title');
  const head = h('div', { class: 'page-head' }, h('h1', {}, tx('schemes.title')), h('p', { class: 'lead' }, tx('schemes.lead')));
  const slot = h('div', {}, loading());
  ctx.main.append(head, slot);
  const r = await data.schemes();
  if (!ctx.current()) return;
  if (!r.ok) { set(slot, failure(r.error, () => ctx.go(location.hash))); return; }

  const q = field({ name: 'q', label: 'schemes.filter_text', type: 'search', value: ctx.query.get('q') || '', attrs: { autocomplete: 'off' } });
  const area = field({ name: 'area', label: 'schemes.filter_area', type: 'select', value: ctx.query.get('area') || '',
    options: [{ value: '', label: 'filter.any' }, ...AREAS.map((a) => ({ value: a, label: `area.${a}` }))] });
  const status = field({ name: 'status', label: 'schemes.filter_status', type: 'select', value: ctx.query.get('status') || '',
    options: [{ value: '', label: 'filter.any' }, ...STATUSES.map((s) => ({ value: s, label: `status.${s}` }))] });
  const countEl = h('p', { class: 'result-count', 'aria-live': 'polite' });
  const grid = h('div', { class: 'cards scheme-grid' });
  const form = h('form', { class: 'filters', role: 'search', onsubmit: (e) => e.preventDefault() }, q, area, status);
  tattr(form, 'aria-label', 'schemes.filter_label');

  const draw = () => {
    const text = q.control.value.trim().toLowerCase();
    const rows = r.data.filter((s) =>
      (!area.control.value || s.area === area.control.value) &&
      (!status.control.value || s.status === status.control.value) &&
      (!text || [s.code, s.name_en, s.name_zh].some((x) => (x || '').toLowerCase().includes(text))));
    set(countEl, tx('schemes.count', { n: rows.length, total: r.data.length }));
    set(grid, ...rows.map(schemeCard));
    if (!rows.length) grid.append(empty('schemes.none'));
  };
  for (const c of [q, area, status]) c.control.addEventListener('input', draw);
  set(slot, form, countEl, grid);
  draw();
}

function schemeCard(s) {
  return h('article', { class: 'card scheme-card', dataset: { code: s.code } },
    h('div', { class: 'card-top' }, h('span', { class: 'code' }, s.code), statusBadge(s.status)),
    h('h2', {}, h('a', { href: `#/schemes/${s.code}` }, tfn(() => pick(s)))),
    h('p', { class: 'meta' }, tfn(() => data.labelOf('area', s.area)), ' · ', tfn(() => data.labelOf('model', s.funding_model))),
    s.launched ? h('p', { class: 'meta' }, tfn(() => t('schemes.launched', { date: date(s.launched) }))) : null);
}

export function statusBadge(status) {
  return h('span', { class: `badge status-${status}` }, tfn(() => data.labelOf('status', status)));
}

// ---- One scheme, with its funding calculator --------------------------

export async function scheme(ctx) {
  const code = ctx.params[0].toUpperCase();
  ctx.title(() => code);
  const slot = h('div', {}, loading());
  ctx.main.append(h('nav', { class: 'crumbs' }, h('a', { href: '#/schemes' }, tx('schemes.title')), ' › ', code), slot);
  const r = await data.scheme(code);
  if (!ctx.current()) return;
  if (!r.ok) {
    set(slot, h('h1', {}, code), r.status === 404 ? empty('schemes.not_found', null, { code }) : failure(r.error, () => ctx.go(location.hash)));
    return;
  }
  const s = r.data;
  ctx.title(() => pick(s));
  const apply = applyBox(s);
  set(slot, 
    h('div', { class: 'page-head' },
      h('h1', {}, tfn(() => pick(s))),
      h('p', { class: 'meta' }, h('span', { class: 'code' }, s.code), ' ', statusBadge(s.status))),
    s.status_note_en || s.status_note_zh ? h('p', { class: 'note' }, tfn(() => pick(s, 'status_note'))) : null,
    h('div', { class: 'two-col' },
      h('div', {}, facts(s), apply),
      calculator(s)),
    rulesSection(s),
    criteriaSection(s),
    paymentSection(s));
}

function facts(s) {
  const row = (key, value) => (value ? [h('dt', {}, tx(key)), h('dd', {}, value)] : null);
  return h('section', { class: 'panel' }, h('h2', {}, tx('scheme.facts')),
    h('dl', { class: 'facts' },
      row('scheme.area', tfn(() => data.labelOf('area', s.area))),
      row('scheme.model', tfn(() => data.labelOf('model', s.funding_model))),
      row('scheme.launched', s.launched && tfn(() => date(s.launched))),
      row('scheme.closes_on', s.closes_on && tfn(() => date(s.closes_on))),
      row('scheme.eligible', tfn(() => (s.eligible_applicants || []).map((x) => data.labelOf('orgtype', x)).join(t('list.sep')))),
      row('scheme.eligibility', (s.eligibility_en || s.eligibility_zh) && tfn(() => pick(s, 'eligibility'))),
      row('scheme.partner', s.implementation_partner && tfn(() => pick(s.implementation_partner))),
      row('scheme.assessment', s.assessment_body && tfn(() => pick(s.assessment_body))),
      row('scheme.max_months', s.max_months && tfn(() => t('unit.months', { n: s.max_months.value }))),
      row('scheme.prefix', s.reference_prefix && `${s.reference_prefix}/nnnn/yy`)));
}

function applyBox(s) {
  if (s.status === 'merged') return null;
  if (session.hasRole('applicant'))
    return h('p', { class: 'apply' }, h('a', { class: 'button primary', href: `#/applications/new?scheme=${s.code}` }, tx('scheme.apply')));
  if (!session.signedIn() && session.state.available)
    return h('p', { class: 'apply muted' }, tx('scheme.apply_signin_pre'), ' ',
      h('a', { href: `#/login?next=${encodeURIComponent(`#/applications/new?scheme=${s.code}`)}` }, tx('nav.signin')), ' · ',
      h('a', { href: '#/register' }, tx('nav.register')));
  return null;
}

// The quote inputs follow the scheme's funding model (docs/schemes.md,
// "Quotes"); money is typed in HK dollars and sent in cents.
const MODEL_INPUTS = {
  grant: [['eligible_cost_cents', 'money', 'calc.cost', true]],
  rebate: [['eligible_cost_cents', 'money', 'calc.expenditure', true]],
  matching: [['eligible_cost_cents', 'money', 'calc.cost', true],
    ['prior_approved_cents', 'money', 'calc.prior_approved', false],
    ['prior_projects', 'integer', 'calc.prior_projects', false]],
  block_grant: [['eligible_cost_cents', 'money', 'calc.request', true],
    ['institution_prior_cents', 'money', 'calc.institution_prior', false],
    ['startup_prior_cents', 'money', 'calc.startup_prior', false]],
  co_investment: [['eligible_cost_cents', 'money', 'calc.partner_investment', true],
    ['prior_approved_cents', 'money', 'calc.prior_approved', false]],
  allowance: [['prior_heads', 'integer', 'calc.prior_heads', false]],
};

export function calculator(s) {
  const model = s.funding_model;
  const form = h('form', { class: 'panel calc', novalidate: true });
  const heading = h('h2', { id: nextId('calc') }, tx('calc.title'));
  form.setAttribute('aria-labelledby', heading.id);
  // Today, or for a scheme closed to applications the last day it had rules.
  let day = todayHK();
  if (!data.rulesOn(s, day) && (s.rule_versions || []).length) {
    const last = s.rule_versions[s.rule_versions.length - 1];
    day = last.effective_to || s.closes_on || day;
  }
  const on = field({ name: 'submitted_on', label: 'calc.submitted_on', type: 'date', value: day, required: true, hint: 'calc.submitted_on_hint' });
  const rulesLine = h('p', { class: 'hint rules-line', 'aria-live': 'polite' });
  const inputs = (MODEL_INPUTS[model] || []).map(([name, type, key, required]) =>
    field({ name, label: key, type: type === 'money' ? 'money' : 'number', required,
      attrs: type === 'integer' ? { min: '0', step: '1', inputmode: 'numeric' } : {} }));
  const talents = model === 'allowance' ? talentRows(s, on) : null;
  const alert = alertBox();
  const result = h('div', { class: 'result', 'aria-live': 'polite' });
  const button = h('button', { type: 'submit', class: 'primary' }, tx('calc.calculate'));

  const showRules = () => {
    const r = data.rulesOn(s, on.control.value);
    set(rulesLine, r
      ? tfn(() => t('calc.rules_in_force', { id: r.id, from: date(r.effective_from) }))
      : tfn(() => t('calc.no_rules')));
    if (talents) talents.sync();
  };
  on.control.addEventListener('input', showRules);
  showRules();

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const body = { submitted_on: on.control.value };
    for (const f of inputs) {
      const v = f.control.value.trim();
      if (!v) continue;
      if (f.control.classList.contains('money')) {
        const c = parseMoney(v);
        if (c === null) { showError(form, { code: 'invalid', field: f.control.name, key: 'err.money' }); return; }
        body[f.control.name] = c;
      } else {
        if (!/^\d+$/.test(v)) { showError(form, { code: 'invalid', field: f.control.name, key: 'err.integer' }); return; }
        body[f.control.name] = Number(v);
      }
    }
    if (talents) {
      const list = talents.value(form);
      if (list === null) return;
      body.talents = list;
    }
    await busy(button, async () => {
      const r = await post(`/schemes/${s.code}/quote`, body);
      if (!r.ok) {
        set(result);
        showError(form, r.error, alert);
        return;
      }
      set(result, quoteResult(r.data));
    }, 'busy.calculating');
  });
  append(form, [heading, h('p', { class: 'hint' }, tx('calc.lead')), on, rulesLine, inputs, talents ? talents.el : null,
    alert, h('div', { class: 'actions' }, button), result]);
  return form;
}

function quoteResult(q) {
  return h('div', { class: 'quote' },
    h('dl', {},
      h('div', { class: 'big' }, h('dt', {}, tx('calc.government')), h('dd', { class: 'gov' }, money(q.government_cents))),
      h('div', {}, h('dt', {}, tx('calc.applicant')), h('dd', { class: 'app' }, money(q.applicant_cents))),
      h('div', {}, h('dt', {}, tx('calc.rule_version')), h('dd', {}, q.rule_version)),
      h('div', {}, h('dt', {}, tx('calc.capped_by')), h('dd', {}, q.capped_by ? tfn(() => data.labelOf('param', q.capped_by)) : tx('calc.not_capped')))));
}

// Allowance schemes (RTH, STEM): one row per person, qualification shown
// only when the rules in force pay by qualification.
function talentRows(s, on) {
  const list = h('div', { class: 'rows' });
  const el = h('fieldset', { class: 'talents', dataset: { field: 'talents' } },
    h('legend', {}, tx('calc.talents')), list,
    h('p', { class: 'field-error', hidden: true }),
    h('button', { type: 'button', class: 'secondary small', onclick: () => { add(); } }, tx('calc.add_talent')));
  let byQual = true;
  const quals = () => {
    const r = data.rulesOn(s, on.control.value);
    const m = r && r.params && r.params.monthly_cents && r.params.monthly_cents.value;
    return m && typeof m === 'object' ? Object.keys(m) : null;
  };
  function add(focus = true) {
    const i = list.children.length;
    const q = quals() || ['bachelor', 'master', 'doctorate'];
    const row = h('div', { class: 'row', dataset: { field: `talents[${i}]` } },
      field({ name: `talents[${i}].qualification`, label: 'calc.qualification', type: 'select', class: 'qual',
        options: q.map((x) => ({ value: x, label: () => data.labelOf('qual', x) })) }),
      field({ name: `talents[${i}].months`, label: 'calc.months', type: 'number', required: true, attrs: { min: '1', step: '1', inputmode: 'numeric' } }),
      h('button', { type: 'button', class: 'link remove', onclick: () => { row.remove(); renumber(); } }, tx('action.remove')));
    list.append(row);
    sync();
    if (focus) row.querySelector(byQual ? 'select' : 'input').focus();
  }
  function renumber() {
    [...list.children].forEach((row, i) => {
      row.dataset.field = `talents[${i}]`;
      for (const f of row.querySelectorAll('.field')) {
        const what = f.dataset.field.replace(/^talents\[\d+\]\./, '');
        f.dataset.field = `talents[${i}].${what}`;
        f.control.name = f.dataset.field;
      }
    });
  }
  function sync() {
    byQual = quals() !== null;
    for (const f of list.querySelectorAll('.field.qual')) f.hidden = !byQual;
  }
  add(false);
  return {
    el, sync,
    value(form) {
      const out = [];
      for (const row of list.children) {
        const [qf, mf] = row.querySelectorAll('.field');
        const months = mf.control.value.trim();
        if (!/^\d+$/.test(months)) {
          showError(form, { code: 'invalid', field: mf.dataset.field, key: 'err.integer' });
          return null;
        }
        out.push(byQual ? { qualification: qf.control.value, months: Number(months) } : { months: Number(months) });
      }
      return out;
    },
  };
}

function rulesSection(s) {
  const rows = (s.rule_versions || []).slice().reverse();
  return h('section', { class: 'panel' }, h('h2', {}, tx('scheme.rules')),
    table([
      { label: 'scheme.rule_id', cell: (r) => r.id },
      { label: 'scheme.rule_from', cell: (r) => tfn(() => date(r.effective_from)) },
      { label: 'scheme.rule_to', cell: (r) => (r.effective_to ? tfn(() => date(r.effective_to)) : tx('scheme.rule_open')) },
      { label: 'scheme.rule_params', cell: (r) => paramList(r.params || {}) },
    ], rows, { caption: 'scheme.rules', captionHidden: true, class: 'wide' }));
}

// A rule version's parameters in words: money as HK$, basis points as %,
// the government's share as a fraction.
function paramList(p) {
  const items = [];
  for (const [k, v] of Object.entries(p)) {
    if (k === 'gov_share_den') continue;
    const val = v && typeof v === 'object' && 'value' in v ? v.value : v;
    let text;
    if (k === 'gov_share_num') text = () => `${val}/${p.gov_share_den ? p.gov_share_den.value : '?'}`;
    else if (val && typeof val === 'object') text = () => Object.entries(val).map(([q, c]) => `${data.labelOf('qual', q)} ${money(c)}`).join(t('list.sep'));
    else if (k.endsWith('_cents')) text = () => money(val);
    else if (k.endsWith('_bp')) text = () => percentBp(val);
    else text = () => data.labelOf('value', val);
    items.push(h('li', {}, h('span', { class: 'pname' }, tfn(() => data.labelOf('param', k))), ': ', tfn(text),
      v && v.unconfirmed ? h('span', { class: 'badge warn' }, tx('scheme.unconfirmed')) : null));
  }
  return h('ul', { class: 'params' }, items);
}

function criteriaSection(s) {
  if (!s.criteria || !s.criteria.length) return null;
  return h('section', { class: 'panel' }, h('h2', {}, tx('scheme.criteria')),
    table([
      { label: 'scheme.criterion', cell: (c) => tfn(() => pick(c)) },
      { label: 'scheme.weight', cell: (c) => percentBp(c.weight_bp), class: 'num' },
      { label: 'scheme.max_score', cell: (c) => String(c.max_score), class: 'num' },
    ], s.criteria, { caption: 'scheme.criteria', captionHidden: true }));
}

function paymentSection(s) {
  if (!s.payment) return null;
  return h('section', { class: 'panel' }, h('h2', {}, tx('scheme.payment')),
    h('p', {}, tfn(() => data.labelOf('pattern', s.payment.pattern))),
    s.payment.note_en || s.payment.note_zh ? h('p', { class: 'muted' }, tfn(() => pick(s.payment, 'note'))) : null);
}

// ---- Funded projects (public register) --------------------------------

const PUBLIC_STATUSES = ['approved', 'ongoing', 'completed', 'terminated'];
const REGISTER_PAGE = 20;

// GET /api/v1/public/projects: no session; filters in the address, a
// page at a time by keyset cursor.  The hash keeps the cursors that led
// to this page (cs=a,b), so every page has an address and Previous works
// from a link too.
export async function projects(ctx) {
  ctx.title('projects.title');
  const qs = ctx.query;
  const year = new Date().getFullYear();
  const q = field({ name: 'q', label: 'projects.q', type: 'search', value: qs.get('q') || '', hint: 'projects.q_hint', attrs: { maxlength: '200' } });
  const sc = field({ name: 'scheme', label: 'projects.scheme', type: 'select', value: qs.get('scheme') || '',
    options: [{ value: '', label: 'filter.any' }] });
  const st = field({ name: 'status', label: 'app.status', type: 'select', value: qs.get('status') || '',
    options: [{ value: '', label: 'filter.any' }, ...PUBLIC_STATUSES.map((x) => ({ value: x, label: () => data.labelOf('pstatus', x) }))] });
  const yr = field({ name: 'year', label: 'projects.year', type: 'select', value: qs.get('year') || '',
    options: [{ value: '', label: 'filter.any' }, ...Array.from({ length: year - 1998 }, (_, i) => String(year - i)).map((y) => ({ value: y, label: () => y }))] });
  const alert = alertBox();
  const button = h('button', { type: 'submit', class: 'primary' }, tx('action.search'));
  const orgFilter = qs.get('organisation');
  const form = h('form', { class: 'filters register', role: 'search', novalidate: true }, q, sc, st, yr,
    h('div', { class: 'actions' }, button, h('a', { href: '#/projects', class: 'button secondary' }, tx('queue.reset'))));
  tattr(form, 'aria-label', 'projects.title');
  const results = h('div', { class: 'results', 'aria-live': 'polite' });
  ctx.main.append(h('div', { class: 'page-head' }, h('h1', {}, tx('projects.title')), h('p', { class: 'lead' }, tx('projects.lead'))),
    form, alert, results);

  data.schemes().then((r) => {
    if (!r.ok || !ctx.current()) return;
    const keep = qs.get('scheme') || '';
    for (const s of r.data) sc.control.append(h('option', { value: s.code }, tfn(() => `${s.code} · ${pick(s)}`)));
    sc.control.value = keep;
  });

  const filters = () => ({ q: q.control.value.trim(), scheme: sc.control.value, status: st.control.value, year: yr.control.value, organisation: orgFilter });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    ctx.go(`#/projects${query(filters())}`);
  });

  const cursors = (qs.get('cs') || '').split(',').filter((c) => /^\d{1,18}$/.test(c)).slice(0, 500);
  const page = cursors.length + 1;
  const params = { q: qs.get('q'), scheme: qs.get('scheme'), status: qs.get('status'), year: qs.get('year'), organisation: orgFilter };
  set(results, loading());
  const [r, sr] = await Promise.all([get(`/public/projects${query({ ...params, limit: REGISTER_PAGE, cursor: cursors[cursors.length - 1] })}`), data.schemes()]);
  const schemeOf = new Map(sr.ok ? sr.data.map((s) => [s.code, s]) : []);
  if (!ctx.current()) return;
  if (!r.ok) {
    if (r.missing) set(results, empty('projects.unavailable_title', 'projects.unavailable_body'));
    else { set(results); showError(form, r.error, alert); }
    return;
  }
  const rows = r.data.projects || [];
  const orgName = orgFilter && rows.length ? rows[0].organisation : null;
  const orgNote = orgFilter ? h('p', { class: 'note org-filter' }, orgName ? tfn(() => t('projects.of_org', { name: pick(orgName) })) : tx('projects.of_org_any'), ' ',
    h('a', { href: `#/projects${query({ ...params, organisation: null })}` }, tx('projects.all_orgs'))) : null;
  if (!rows.length) { set(results, orgNote, empty('projects.none', 'projects.none_body')); return; }
  const from = (page - 1) * REGISTER_PAGE + 1;
  const link = (o) => `#/projects${query({ ...params, ...o })}`;
  set(results, orgNote,
    h('p', { class: 'result-count' }, tx('pager.range', { from, to: from + rows.length - 1, total: r.data.total })),
    table([
      { label: 'app.reference', cell: (p) => h('span', { class: 'code' }, p.reference) },
      { label: 'app.title', cell: (p) => p.title },
      { label: 'app.organisation', class: 'org', cell: (p) => h('a', { href: link({ organisation: p.organisation.id, cs: null }), class: 'org-link' }, tfn(() => pick(p.organisation))) },
      { label: 'app.scheme', cell: (p) => (schemeOf.has(p.scheme) ? tattr(h('abbr', {}, p.scheme), 'title', () => pick(schemeOf.get(p.scheme))) : p.scheme) },
      { label: 'projects.amount', cell: (p) => money(p.approved_cents), class: 'num' },
      { label: 'projects.period', cell: (p) => tfn(() => `${date(p.start_date)} – ${date(p.end_date)}`), class: 'date' },
      { label: 'projects.approved_on', cell: (p) => tfn(() => date(p.approved_on)), class: 'date' },
      { label: 'app.status', cell: (p) => h('span', { class: `badge pst-${p.status}` }, tfn(() => data.labelOf('pstatus', p.status))) },
    ], rows, { caption: 'projects.title', captionHidden: true, class: 'wide register' }),
    page === 1 && !r.data.next_cursor ? null : h('nav', { class: 'pager' },
      page > 2 ? h('a', { href: link({ cs: null }), class: 'button secondary small' }, tx('pager.first')) : null,
      page > 1 ? h('a', { href: link({ cs: cursors.slice(0, -1).join(',') || null }), class: 'button secondary small', rel: 'prev' }, tx('pager.prev')) : null,
      h('span', {}, tfn(() => t('queue.page_short', { page }))),
      r.data.next_cursor ? h('a', { href: link({ cs: [...cursors, r.data.next_cursor].join(',') }), class: 'button secondary small', rel: 'next' }, tx('pager.next')) : null));
  const pager = results.querySelector('.pager');
  if (pager) tattr(pager, 'aria-label', 'pager.label');
}
