// Projects (funded applications) for the people who run them: the list
// (an applicant's own, or all for staff), and one project's page: the
// agreement, milestones with their progress reports (the applicant
// uploads, an officer accepts or returns), tranches and payments (an
// officer prepares one with an idempotency key made in the browser),
// suspension and resumption; for the claim-pattern schemes (RTH, STEM,
// TSSSU, ITVF) the claims: the applicant submits or corrects one, an
// officer accepts or returns it and prepares its payment; and the
// settlement of a terminated project.
import { h, set, field, alertBox, clearErrors, showError, busy, loading, empty, failure, table, confirmDialog } from '../dom.js';
import { t, tx, tfn, tattr, pick } from '../i18n.js';
import { get, post, query } from '../api.js';
import { money, parseMoney, date, dateTime, percentBp } from '../format.js';
import * as data from '../data.js';
import * as session from '../session.js';
import { badge, moreList, actionForm, done } from './common.js';

const STATUSES = ['awaiting_signature', 'active', 'suspended', 'refund_due', 'closed', 'terminated'];

const CLAIM_PATTERNS = ['monthly_claims', 'annual_reimbursement', 'co_investment'];

const isOfficer = () => session.hasRole('officer');
const isApplicant = () => session.hasRole('applicant');

// ---- The list ------------------------------------------------------------

export async function list(ctx) {
  const mine = isApplicant();
  ctx.title(mine ? 'grants.mine' : 'grants.title');
  const q = ctx.query;
  ctx.main.append(h('div', { class: 'page-head' }, h('h1', {}, tx(mine ? 'grants.mine' : 'grants.title')),
    h('p', { class: 'lead' }, tx(mine ? 'grants.mine_lead' : 'grants.lead'))));
  let form = null;
  if (!mine) {
    const f = {
      status: field({ name: 'status', label: 'app.status', type: 'select', value: q.get('status') || '',
        options: [{ value: '', label: 'filter.any' }, ...STATUSES.map((s) => ({ value: s, label: () => data.labelOf('prj', s) }))] }),
      scheme: field({ name: 'scheme', label: 'app.scheme', type: 'select', value: q.get('scheme') || '', options: [{ value: '', label: 'filter.any' }] }),
      on_hold: field({ name: 'on_hold', label: 'grants.on_hold', type: 'select', value: q.get('on_hold') || '',
        options: [{ value: '', label: 'filter.any' }, { value: 'true', label: 'grants.held' }, { value: 'false', label: 'grants.payable' }] }),
    };
    form = h('form', { class: 'filters', role: 'search', novalidate: true }, Object.values(f),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, tx('queue.apply')),
        h('a', { href: '#/grants', class: 'button secondary' }, tx('queue.reset'))));
    tattr(form, 'aria-label', 'grants.filters');
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      ctx.go(`#/grants${query({ status: f.status.control.value, scheme: f.scheme.control.value, on_hold: f.on_hold.control.value })}`);
    });
    data.schemes().then((r) => {
      if (!r.ok || !ctx.current()) return;
      for (const s of r.data) f.scheme.control.append(h('option', { value: s.code }, tfn(() => `${s.code} · ${pick(s)}`)));
      f.scheme.control.value = q.get('scheme') || '';
    });
    ctx.main.append(form);
  }
  const filters = { status: q.get('status'), scheme: q.get('scheme'), on_hold: q.get('on_hold') };
  const listEl = moreList(ctx, {
    fetchPage: (cursor) => get(`/projects${query({ ...filters, limit: 20, cursor })}`),
    rowsOf: (d) => d.projects,
    emptyKey: mine ? 'grants.none_mine' : 'grants.none',
    render: (rows) => table([
      { label: 'app.reference', cell: (p) => h('a', { href: `#/grants/${p.id}` }, p.reference) },
      { label: 'app.title', cell: (p) => p.title },
      mine ? null : { label: 'app.organisation', cell: (p) => tfn(() => pick(p.organisation)), class: 'org' },
      { label: 'app.scheme', cell: (p) => p.scheme },
      { label: 'app.status', cell: (p) => [badge('prj', p.status), p.on_hold ? [' ', h('span', { class: 'badge st-held' }, tx('grants.held_badge'))] : null] },
      { label: 'grants.government', cell: (p) => money(p.government_cents), class: 'num' },
      { label: 'grants.paid', cell: (p) => money(p.paid_cents), class: 'num' },
      { label: 'app.period', cell: (p) => tfn(() => `${date(p.start_date)} – ${date(p.end_date)}`), class: 'date' },
    ].filter(Boolean), rows, { caption: mine ? 'grants.mine' : 'grants.title', captionHidden: true, class: 'wide' }),
  });
  ctx.main.append(h('section', { class: 'results' }, listEl));
  await listEl.ready;
}

// ---- One project ----------------------------------------------------------

// Idempotency keys of payments being prepared, by tranche, kept until the
// service answers (a retry after a lost answer sends the same key, so the
// payment is made once).
const payKeys = new Map();

export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map((v) => v.toString(16).padStart(2, '0')).join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

export async function view(ctx) {
  const id = ctx.params[0];
  ctx.title(() => t('grants.one', { id }));
  const slot = h('div', {}, loading());
  ctx.main.append(h('nav', { class: 'crumbs' }, h('a', { href: '#/grants' }, tx(isApplicant() ? 'grants.mine' : 'grants.title')), ' › ', `#${id}`), slot);
  const r = await get(`/projects/${id}`);
  if (!ctx.current()) return;
  if (!r.ok) { set(slot, h('h1', {}, tfn(() => t('grants.one', { id }))), failure(r.error, () => ctx.go(location.hash))); return; }
  const p = r.data;
  ctx.title(() => p.reference);
  set(slot, ...render(ctx, p));
}

function render(ctx, p) {
  const alert = alertBox();
  const bar = h('div', { class: 'actions action-bar' });
  const actions = h('section', { class: 'actions-wrap' }, bar, alert);
  const act = (key, cls, spec, call, doneKey) => {
    const b = h('button', { type: 'button', class: cls, dataset: { action: key } }, tx(`grants.act_${key}`));
    b.addEventListener('click', async () => {
      clearErrors(actions);
      const c = await confirmDialog(spec);
      if (!c) return;
      await busy(b, async () => {
        const res = await call(c.note || null);
        if (!res.ok) { showError(actions, res.error, alert); return; }
        done(ctx, doneKey);
      });
    });
    bar.append(b);
  };
  const path = `/projects/${p.id}`;
  if (p.status === 'awaiting_signature' && isApplicant())
    act('sign', 'primary', { titleKey: 'grants.sign_title', bodyKey: 'grants.sign_body', confirmKey: 'grants.act_sign' },
      () => post(`${path}/sign`, {}), 'grants.signed');
  if (p.status === 'awaiting_signature' && isOfficer())
    act('record_signature', 'primary', { titleKey: 'grants.record_title', bodyKey: 'grants.record_body', confirmKey: 'grants.act_record_signature', input: 'optional' },
      (note) => post(`${path}/sign`, note ? { note } : {}), 'grants.signed');
  if (p.status === 'active' && isOfficer())
    act('suspend', 'danger', { titleKey: 'grants.suspend_title', bodyKey: 'grants.suspend_body', confirmKey: 'grants.act_suspend', input: 'required', inputLabelKey: 'field.reason', danger: true },
      (reason) => post(`${path}/suspend`, { reason }), 'grants.suspended');
  if (p.status === 'suspended' && isOfficer())
    act('resume', 'primary', { titleKey: 'grants.resume_title', bodyKey: 'grants.resume_body', confirmKey: 'grants.act_resume', input: 'optional' },
      (note) => post(`${path}/resume`, note ? { note } : {}), 'grants.resumed');

  const a = p.agreement || {};
  const c = (l, value) => (value === null || value === undefined || value === '' ? null : [h('dt', {}, tx(l)), h('dd', {}, value)]);
  return [
    h('div', { class: 'page-head' },
      h('h1', {}, p.title),
      h('p', { class: 'meta' }, h('span', { class: 'code' }, p.reference), ' ', badge('prj', p.status), ' · ', p.scheme, ' · ',
        tfn(() => pick(p.organisation)))),
    holds(p),
    bar.children.length ? actions : null,
    h('div', { class: 'two-col' },
      h('section', { class: 'panel' }, h('h2', {}, tx('grants.agreement')),
        h('dl', { class: 'facts' },
          c('grants.approved', money(a.approved_cents)),
          c('grants.government', money(a.government_cents)),
          c('app.applicant_share', money(a.applicant_cents)),
          c('app.total_cost', money(a.total_cost_cents)),
          c('grants.paid', money(p.paid_cents)),
          c('app.period', tfn(() => `${date(a.start_date)} – ${date(a.end_date)}`)),
          c('grants.version', String(a.version)),
          c('grants.signed_at', a.signed_at ? tfn(() => t('fmt.paren', { a: dateTime(a.signed_at), b: data.labelOf('signedas', a.signed_as) })) : tx('grants.unsigned')))),
      p.ledger ? h('section', { class: 'panel' }, h('h2', {}, tx('grants.ledger')),
        h('dl', { class: 'facts' },
          c('grants.committed', money(p.ledger.committed_cents)),
          c('grants.paid', money(p.ledger.paid_cents)),
          c('grants.released', money(p.ledger.released_cents)),
          c('grants.refunded', money(p.ledger.refunded_cents)),
          c('grants.outstanding', money(p.ledger.outstanding_cents)),
          c('grants.account', h('span', { class: 'code' }, p.ledger.account)))) : paymentsBox(p, true)),
    settlement(ctx, p),
    CLAIM_PATTERNS.includes((p.payment || {}).pattern) ? claims(ctx, p) : null,
    milestones(ctx, p),
    tranches(ctx, p),
    p.ledger ? paymentsBox(p, false) : null,
  ];
}

function holds(p) {
  if (!(p.holds || []).length) return null;
  return h('div', { class: 'note hold', role: 'note' }, h('h2', {}, tx('grants.holds')),
    h('ul', {}, p.holds.map((x) => h('li', {}, x.kind === 'suspended'
      ? tfn(() => t('grants.hold_suspended', { since: dateTime(x.since), reason: x.reason || '' }))
      : tfn(() => t('grants.hold_overdue', { seq: x.milestone_seq, title: x.title, due: date(x.due_date), days: x.days_overdue }))))));
}

// Milestones, their reports, and what each role may do with them.
function milestones(ctx, p) {
  const reportable = isApplicant() && ['active', 'suspended'].includes(p.status);
  const rows = (p.milestones || []).map((m) => {
    const reports = (m.reports || []).map((rep) => reportLine(ctx, rep));
    return h('li', { class: 'milestone', dataset: { seq: m.seq } },
      h('div', { class: 'ms-head' },
        h('h3', {}, tfn(() => `${m.seq}. ${m.title}`), m.final ? [' ', h('span', { class: 'badge' }, tx('grants.final'))] : null),
        h('p', { class: 'meta' }, tfn(() => t('grants.due', { date: date(m.due_date) })), ' · ', tfn(() => t('grants.share', { pct: percentBp(m.tranche_bp) })),
          m.days_overdue ? [' ', h('span', { class: 'badge st-held' }, tfn(() => t('grants.overdue_days', { n: m.days_overdue })))] : null)),
      m.deliverables ? h('p', { class: 'pre muted' }, m.deliverables) : null,
      reports.length ? h('ul', { class: 'reports' }, reports) : h('p', { class: 'muted' }, tx('grants.no_reports')),
      reportable && openKinds(m).length ? reportForm(ctx, p, m) : null);
  });
  return h('section', { class: 'panel' }, h('h2', {}, tx('edit.milestones')),
    rows.length ? h('ol', { class: 'milestones' }, rows) : empty('view.no_milestones'));
}

// The kinds of report milestone m may still take: a milestone has at most
// one report of each kind waiting or accepted.
function openKinds(m) {
  const taken = new Set((m.reports || []).filter((r) => r.status === 'submitted' || r.status === 'accepted').map((r) => r.kind));
  return ['progress', ...(m.final ? ['audited_accounts'] : [])].filter((k) => !taken.has(k));
}

function reportLine(ctx, rep) {
  const alert = alertBox();
  const line = h('li', { class: 'report', dataset: { report: rep.id } },
    h('p', {}, h('strong', {}, tfn(() => data.labelOf('rkind', rep.kind))), ' ', badge('rst', rep.status), ' ',
      h('span', { class: 'muted' }, tfn(() => t('grants.submitted_at', { when: dateTime(rep.submitted_at) })))),
    h('p', { class: 'muted' },
      rep.expenditure_cents !== null && rep.expenditure_cents !== undefined ? tfn(() => t('grants.expenditure_is', { amount: money(rep.expenditure_cents) })) : null,
      rep.audited_cost_cents !== null && rep.audited_cost_cents !== undefined ? [' · ', tfn(() => t('grants.audited_is', { amount: money(rep.audited_cost_cents) }))] : null,
      rep.has_file ? [' · ', h('a', { href: `/api/v1/progress-reports/${rep.id}/file`, download: '' }, tx('grants.file'))] : null),
    rep.review_note ? h('p', { class: 'pre note-text' }, rep.review_note) : null,
    alert);
  if (rep.status === 'submitted' && isOfficer()) {
    const accept = h('button', { type: 'button', class: 'primary small', dataset: { action: 'accept' } }, tx('grants.accept'));
    const ret = h('button', { type: 'button', class: 'secondary small', dataset: { action: 'return' } }, tx('grants.return'));
    const review = async (b, spec, verb, doneKey) => {
      clearErrors(line);
      const c = await confirmDialog(spec);
      if (!c) return;
      await busy(b, async () => {
        const r = await post(`/progress-reports/${rep.id}/${verb}`, c.note ? { note: c.note } : {});
        if (!r.ok) { showError(line, r.error, alert); return; }
        done(ctx, doneKey);
      });
    };
    accept.addEventListener('click', () => review(accept, { titleKey: 'grants.accept_title', bodyKey: 'grants.accept_body', confirmKey: 'grants.accept', input: 'optional' }, 'accept', 'grants.accepted'));
    ret.addEventListener('click', () => review(ret, { titleKey: 'grants.return_title', bodyKey: 'grants.return_body', confirmKey: 'grants.return', input: 'required', inputLabelKey: 'view.return_reason' }, 'return', 'grants.returned'));
    line.insertBefore(h('div', { class: 'actions' }, accept, ret), alert);
  }
  return line;
}

// The applicant's report for milestone m: text, expenditure, and a file,
// sent as multipart/form-data.
function reportForm(ctx, p, m) {
  const kinds = openKinds(m);
  const kind = field({ name: 'kind', label: 'grants.report_kind', type: 'select', value: kinds[0],
    options: kinds.map((k) => ({ value: k, label: () => data.labelOf('rkind', k) })) });
  const text = field({ name: 'text', label: 'grants.report_text', type: 'textarea', required: true, rows: 4, attrs: { maxlength: '20000' } });
  const spent = field({ name: 'expenditure_cents', label: 'grants.expenditure', type: 'money', required: true });
  const audited = field({ name: 'audited_cost_cents', label: 'grants.audited_cost', type: 'money', required: true });
  const interest = field({ name: 'interest_cents', label: 'grants.interest', type: 'money', hint: 'grants.interest_hint' });
  const file = field({ name: 'file', label: 'grants.file_label', type: 'file', hint: 'grants.file_hint',
    attrs: { accept: '.pdf,.png,.jpg,.jpeg,.zip,.docx,.xlsx,.txt,.csv' } });
  const sync = () => { audited.hidden = interest.hidden = kind.control.value !== 'audited_accounts'; };
  kind.control.addEventListener('change', sync);
  sync();
  const form = actionForm({
    fields: [kind, text, h('div', { class: 'row2' }, spent, audited, interest), file],
    buttonKey: 'grants.send_report', busyKey: 'busy.uploading',
    submit: (f) => {
      if (!text.control.value.trim()) { showError(f, { code: 'invalid', field: 'text', key: 'err.required' }); return null; }
      const fd = new FormData();
      fd.append('kind', kind.control.value);
      fd.append('text', text.control.value);
      for (const [fl, name, req] of [[spent, 'expenditure_cents', true], [audited, 'audited_cost_cents', kind.control.value === 'audited_accounts'], [interest, 'interest_cents', false]]) {
        if (fl.hidden) continue;
        const v = fl.control.value.trim();
        if (!v && !req) continue;
        const cents = parseMoney(v);
        if (cents === null) { showError(f, { code: 'invalid', field: name, key: v ? 'err.money' : 'err.required' }); return null; }
        fd.append(name, String(cents));
      }
      if (file.control.files && file.control.files[0]) fd.append('file', file.control.files[0], file.control.files[0].name);
      return post(`/projects/${p.id}/milestones/${m.seq}/reports`, fd);
    },
    onDone: () => done(ctx, 'grants.report_sent'),
  });
  return h('details', { class: 'report-form' }, h('summary', {}, tx('grants.submit_report')), form);
}

// Tranches: what each milestone releases, and (officers) preparing a
// payment of an unlocked one.
function tranches(ctx, p) {
  // A project paid by claims shows only its advance (the initial tranche):
  // its other tranches are the agreement's schedule, never paid.
  const byClaims = (p.payment || {}).pays_by === 'claims';
  const rows = (p.tranches || []).filter((x) => !byClaims || x.kind === 'initial');
  if (byClaims && !rows.length) return null;
  const alert = alertBox();
  const sec = h('section', { class: 'panel' }, h('h2', {}, tx('grants.tranches')));
  const payable = isOfficer() && p.status === 'active' && !(p.holds || []).length;
  sec.append(table([
    { label: 'grants.tranche', cell: (x) => trancheName(x) },
    { label: 'grants.share_col', cell: (x) => percentBp(x.bp), class: 'num' },
    { label: 'app.amount', cell: (x) => money(x.amount_cents), class: 'num' },
    { label: 'app.status', cell: (x) => badge('tstate', x.state) },
    { label: 'grants.paid', cell: (x) => money(x.paid_cents), class: 'num' },
    isOfficer() ? { label: 'grants.action', cell: (x) => (x.state === 'unlocked' && payable ? prepareButton(ctx, p, x, sec, alert) : '') } : null,
  ].filter(Boolean), rows, { caption: 'grants.tranches', captionHidden: true }), alert);
  if (isOfficer() && p.status === 'active' && (p.holds || []).length)
    sec.append(h('p', { class: 'muted' }, tx('grants.held_no_payment')));
  return sec;
}

// "1. Initial payment", "2. Milestone 1", "3. Final payment (milestone 2)".
export function trancheName(x) {
  return tfn(() => {
    const kind = data.labelOf('tkind', x.kind);
    if (x.kind === 'milestone' && x.milestone_seq) return `${x.seq}. ${kind} ${x.milestone_seq}`;
    if (x.milestone_seq) return `${x.seq}. ${t('fmt.paren', { a: kind, b: t('grants.milestone_n', { n: x.milestone_seq }) })}`;
    return `${x.seq}. ${kind}`;
  });
}

function prepareButton(ctx, p, x, scope, alert) {
  const b = h('button', { type: 'button', class: 'primary small', dataset: { action: 'prepare', tranche: x.id } }, tx('grants.prepare'));
  b.addEventListener('click', async () => {
    clearErrors(scope);
    const c = await confirmDialog({ titleKey: 'grants.prepare_title', bodyKey: 'grants.prepare_body', confirmKey: 'grants.prepare', input: 'optional' });
    if (!c) return;
    if (!payKeys.has(x.id)) payKeys.set(x.id, newKey());
    const key = payKeys.get(x.id);
    await busy(b, async () => {
      const body = { tranche_id: x.id, project_id: p.id };
      if (c.note) body.note = c.note;
      const r = await post('/payments', body, { headers: { 'idempotency-key': key } });
      // Only a lost answer keeps the key, so that trying again cannot
      // make a second payment; any answer from the service settles it.
      if (r.status !== 0) payKeys.delete(x.id);
      if (!r.ok) { showError(scope, r.error, alert); return; }
      done(ctx, 'grants.prepared', { amount: money(r.data.amount_cents) });
    }, 'busy.working');
  });
  return b;
}

// Payments: for the applicant, the money received; for staff, every
// payment with who handled it.
function paymentsBox(p, applicantView) {
  const rows = (p.payments || []).filter((x) => !applicantView || x.status === 'approved');
  const sec = h('section', { class: 'panel payments' }, h('h2', {}, tx(applicantView ? 'grants.received' : 'grants.payments')));
  if (!rows.length) { sec.append(empty(applicantView ? 'grants.none_received' : 'grants.no_payments')); return sec; }
  sec.append(table([
    { label: 'pay.no', cell: (x) => String(x.id) },
    { label: 'grants.tranche', cell: (x) => {
      if (x.claim_id) return tfn(() => t('claims.claim_n', { id: x.claim_id }));
      const tr = (p.tranches || []).find((y) => y.id === x.tranche_id);
      return tr ? trancheName(tr) : '';
    } },
    { label: 'app.amount', cell: (x) => money(x.amount_cents), class: 'num' },
    { label: 'app.status', cell: (x) => badge('paystatus', x.status) },
    { label: applicantView ? 'pay.paid_on' : 'pay.prepared_at', cell: (x) => tfn(() => dateTime(applicantView ? x.approved_at : x.prepared_at)), class: 'date' },
    applicantView ? null : { label: 'pay.approved_at', cell: (x) => (x.approved_at ? tfn(() => dateTime(x.approved_at)) : '—'), class: 'date' },
  ].filter(Boolean), rows, { caption: applicantView ? 'grants.received' : 'grants.payments', captionHidden: true }));
  if (applicantView) sec.append(h('p', { class: 'running' }, tx('grants.received_total'), ' ', h('strong', {}, money(rows.reduce((s, x) => s + x.amount_cents, 0)))));
  return sec;
}

// ---- Claims (claim-pattern schemes) ----------------------------------------

// A claim's period as people read it: a month, a financial year, a date.
function claimPeriod(c) {
  return tfn(() => (c.kind === 'co_investment' ? date(c.period) : c.period));
}

function claims(ctx, p) {
  const alert = alertBox();
  const sec = h('section', { class: 'panel claims', dataset: { pattern: p.payment.pattern } },
    h('h2', {}, tx('claims.title')),
    h('p', { class: 'muted' }, tx(`claims.lead_${p.payment.pattern}`)));
  const rows = p.claims || [];
  const corrected = new Set(rows.filter((c) => c.previous_id).map((c) => c.previous_id));
  const paid = new Map((p.payments || []).filter((x) => x.claim_id && x.status !== 'cancelled').map((x) => [x.claim_id, x]));
  const payable = isOfficer() && p.status === 'active' && !(p.holds || []).length;
  if (rows.length) {
    sec.append(table([
      { label: 'claims.no', cell: (c) => tfn(() => (c.version > 1 ? t('claims.no_version', { id: c.id, v: c.version }) : String(c.id))) },
      { label: 'claims.period', cell: (c) => claimPeriod(c) },
      { label: 'app.status', cell: (c) => badge('cst', c.status) },
      { label: 'claims.amount', cell: (c) => money(c.amount_cents), class: 'num' },
      { label: 'claims.offset', cell: (c) => money(c.advance_offset_cents), class: 'num' },
      { label: 'claims.payable', cell: (c) => money(c.payable_cents), class: 'num' },
      { label: 'claims.note', cell: (c) => c.review_note || (c.capped_by ? tfn(() => t('claims.capped', { cap: c.capped_by })) : '') },
      isOfficer() ? { label: 'grants.action', cell: (c) => claimActions(ctx, p, c, sec, alert, { payable, paid }) } : null,
    ].filter(Boolean), rows, { caption: 'claims.title', captionHidden: true }), alert);
  } else {
    sec.append(empty('claims.none'));
  }
  if (isApplicant() && p.status === 'active')
    sec.append(claimForm(ctx, p, rows.filter((c) => c.status === 'returned' && !corrected.has(c.id))));
  return sec;
}

function claimActions(ctx, p, c, scope, alert, { payable, paid }) {
  const review = (verb, spec, doneKey) => {
    const b = h('button', { type: 'button', class: verb === 'accept' ? 'primary small' : 'secondary small', dataset: { action: `claim-${verb}`, claim: c.id } },
      tx(verb === 'accept' ? 'grants.accept' : 'grants.return'));
    b.addEventListener('click', async () => {
      clearErrors(scope);
      const d = await confirmDialog(spec);
      if (!d) return;
      await busy(b, async () => {
        const body = verb === 'accept' ? (d.note ? { note: d.note } : {}) : { reason: d.note };
        const r = await post(`/claims/${c.id}/${verb}`, body);
        if (!r.ok) { showError(scope, r.error, alert); return; }
        done(ctx, doneKey);
      });
    });
    return b;
  };
  if (c.status === 'submitted')
    return h('div', { class: 'actions' },
      review('accept', { titleKey: 'claims.accept_title', bodyKey: 'claims.accept_body', confirmKey: 'grants.accept', input: 'optional' }, 'claims.accepted'),
      review('return', { titleKey: 'claims.return_title', bodyKey: 'claims.return_body', confirmKey: 'grants.return', input: 'required', inputLabelKey: 'field.reason' }, 'claims.returned'));
  if (c.status === 'accepted' && paid.has(c.id)) return badge('paystatus', paid.get(c.id).status);
  if (c.status === 'accepted' && payable && c.payable_cents > 0) {
    const b = h('button', { type: 'button', class: 'primary small', dataset: { action: 'prepare', claim: c.id } }, tx('grants.prepare'));
    b.addEventListener('click', async () => {
      clearErrors(scope);
      const d = await confirmDialog({ titleKey: 'claims.prepare_title', bodyKey: 'grants.prepare_body', confirmKey: 'grants.prepare', input: 'optional' });
      if (!d) return;
      const k = `claim-${c.id}`;
      if (!payKeys.has(k)) payKeys.set(k, newKey());
      const key = payKeys.get(k);
      await busy(b, async () => {
        const body = { claim_id: c.id, project_id: p.id };
        if (d.note) body.note = d.note;
        const r = await post('/payments', body, { headers: { 'idempotency-key': key } });
        if (r.status !== 0) payKeys.delete(k);
        if (!r.ok) { showError(scope, r.error, alert); return; }
        done(ctx, 'grants.prepared', { amount: money(r.data.amount_cents) });
      }, 'busy.working');
    });
    return b;
  }
  return '';
}

// The applicant's claim: the fields of the project's pattern; optionally
// the correction of a returned claim (a new version of it).
function claimForm(ctx, p, returned) {
  const pattern = p.payment.pattern;
  const fields = [];
  const f = {};
  if (pattern === 'monthly_claims') {
    f.month = field({ name: 'month', label: 'claims.month', type: 'month', required: true, hint: 'claims.month_hint' });
    f.talents = field({ name: 'talents', label: 'claims.talents', required: true, hint: 'claims.talents_hint' });
    fields.push(h('div', { class: 'row2' }, f.month, f.talents));
  } else if (pattern === 'annual_reimbursement') {
    f.fy = field({ name: 'fy', label: 'claims.fy', required: true, hint: 'claims.fy_hint', attrs: { pattern: '[0-9]{4}-[0-9]{2}' } });
    f.expenditure = field({ name: 'expenditure_cents', label: 'claims.expenditure', type: 'money', required: true });
    fields.push(h('div', { class: 'row2' }, f.fy, f.expenditure));
  } else {
    f.date = field({ name: 'investment_date', label: 'claims.investment_date', type: 'date', required: true });
    f.partner = field({ name: 'partner_investment_cents', label: 'claims.partner', type: 'money', required: true });
    f.round = field({ name: 'round', label: 'claims.round' });
    fields.push(h('div', { class: 'row2' }, f.date, f.partner, f.round));
  }
  f.note = field({ name: 'note', label: 'field.note', type: 'textarea', rows: 2 });
  fields.push(f.note);
  if (returned.length) {
    f.corrects = field({ name: 'corrects', label: 'claims.corrects', type: 'select', value: '',
      options: [{ value: '', label: 'claims.new_claim' }, ...returned.map((c) => ({ value: String(c.id), label: () => t('claims.corrects_n', { id: c.id, period: c.period }) }))] });
    fields.unshift(f.corrects);
  }
  const form = actionForm({
    fields, buttonKey: 'claims.send', busyKey: 'busy.working',
    submit: (fm) => {
      const body = {};
      if (f.month) {
        body.month = f.month.control.value;
        body.talents = f.talents.control.value.split(/[\s,]+/).filter(Boolean).map(Number);
        if (!body.talents.length || body.talents.some((n) => !Number.isInteger(n) || n < 1)) {
          showError(fm, { code: 'invalid', field: 'talents', key: 'claims.talents_hint' });
          return null;
        }
      } else if (f.fy) {
        body.fy = f.fy.control.value.trim();
        const cents = parseMoney(f.expenditure.control.value.trim());
        if (cents === null) { showError(fm, { code: 'invalid', field: 'expenditure_cents', key: 'err.money' }); return null; }
        body.expenditure_cents = cents;
      } else {
        body.investment_date = f.date.control.value;
        const cents = parseMoney(f.partner.control.value.trim());
        if (cents === null) { showError(fm, { code: 'invalid', field: 'partner_investment_cents', key: 'err.money' }); return null; }
        body.partner_investment_cents = cents;
        if (f.round.control.value.trim()) body.round = f.round.control.value.trim();
      }
      if (f.note.control.value.trim()) body.note = f.note.control.value.trim();
      const prev = f.corrects ? f.corrects.control.value : '';
      return prev ? post(`/claims/${prev}/resubmit`, body) : post(`/projects/${p.id}/claims`, body);
    },
    onDone: (c) => done(ctx, 'claims.sent', { amount: money(c.payable_cents) }),
  });
  return h('details', { class: 'claim-form', open: !(p.claims || []).length }, h('summary', {}, tx('claims.submit')), form);
}

// ---- Settlement of a terminated project -------------------------------------

function settlement(ctx, p) {
  const tm = p.termination;
  if (!tm || !isOfficer() || p.status !== 'terminated' || tm.settled_at || !(p.agreement || {}).signed_at) return null;
  const cost = field({ name: 'eligible_cost_cents', label: 'settle.cost', type: 'money', required: true, hint: 'settle.cost_hint' });
  const interest = field({ name: 'interest_cents', label: 'grants.interest', type: 'money', hint: 'grants.interest_hint' });
  const note = field({ name: 'note', label: 'field.note', type: 'textarea', rows: 2 });
  const form = actionForm({
    fields: [h('div', { class: 'row2' }, cost, interest), note], buttonKey: 'settle.send', busyKey: 'busy.working',
    submit: (fm) => {
      const body = {};
      const c = parseMoney(cost.control.value.trim());
      if (c === null) { showError(fm, { code: 'invalid', field: 'eligible_cost_cents', key: 'err.money' }); return null; }
      body.eligible_cost_cents = c;
      const iv = interest.control.value.trim();
      if (iv) {
        const i = parseMoney(iv);
        if (i === null) { showError(fm, { code: 'invalid', field: 'interest_cents', key: 'err.money' }); return null; }
        body.interest_cents = i;
      }
      if (note.control.value.trim()) body.note = note.control.value.trim();
      return post(`/projects/${p.id}/termination-cost`, body);
    },
    onDone: () => done(ctx, 'settle.done'),
  });
  return h('section', { class: 'panel settlement' }, h('h2', {}, tx('settle.title')), h('p', { class: 'muted' }, tx('settle.lead')), form);
}
