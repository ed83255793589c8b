// The approving officer: applications waiting for a decision (recommended
// or not recommended by their panel) within the approver's financial
// authority, one application's recommendation and scores with the
// decision form; and payments waiting for approval (approvers and
// finance), where the maker-checker rule applies.
import { h, set, field, alertBox, clearErrors, showError, busy, loading, empty, failure, table, confirmDialog } from '../dom.js';
import { t, tx, tfn, tattr, pick } from '../i18n.js';
import { get, post, query } from '../api.js';
import { money, date, dateTime } from '../format.js';
import * as data from '../data.js';
import * as session from '../session.js';
import { appStatus } from './applications.js';
import { badge, moreList, actionForm, done, mapLimit } from './common.js';
import { points, memberName } from './panel.js';
import { trancheName } from './projects.js';

const WAITING = new Set(['recommended', 'not_recommended']);
const authority = () => Number((session.state.user && session.state.user.authority_cents) || 0);

/*
 * The applications waiting for a decision: the list of those recommended
 * or not recommended (approvers list the decidable ones), each with the
 * amount its recommendation puts at stake.  A service that does not let
 * approvers list applications is read through the panels instead: every
 * agenda item whose status is recommended or not recommended.
 */
async function waiting() {
  let items = [];
  let cursor = null;
  for (let page = 0; page < 10; page++) {
    const r = await get(`/applications${query({ status: 'recommended,not_recommended', limit: 100, cursor })}`);
    if (!r.ok && r.status === 403) { items = null; break; }
    if (!r.ok) return r;
    items.push(...r.data.applications.map((app) => ({ app })));
    cursor = r.data.next_cursor;
    if (!cursor) break;
  }
  if (items === null) {
    const viaPanels = await waitingViaPanels();
    if (!viaPanels.ok) return viaPanels;
    items = viaPanels.data;
  }
  const recs = await mapLimit(items, 4, (it) => get(`/applications/${it.app.id}/recommendation`));
  items.forEach((it, i) => {
    const rec = recs[i].ok ? recs[i].data.recommendation : null;
    it.rec = rec;
    it.amount = rec && rec.recommended_cents !== null && rec.recommended_cents !== undefined ? rec.recommended_cents : it.app.requested_cents;
  });
  return { ok: true, data: items };
}

async function waitingViaPanels() {
  const pr = await get('/panels');
  if (!pr.ok) return pr;
  const panels = await mapLimit(pr.data.panels || [], 4, (p) => get(`/panels/${p.id}`));
  const meetings = [];
  for (const r of panels) if (r.ok) for (const m of r.data.meetings || []) meetings.push(m);
  const agendas = await mapLimit(meetings, 4, (m) => get(`/meetings/${m.id}/agenda`));
  const items = [];
  for (const r of agendas) {
    if (!r.ok) continue;
    for (const it of r.data.agenda || []) {
      if (!it.withheld && WAITING.has(it.application.status)) items.push({ app: it.application });
    }
  }
  return { ok: true, data: items };
}

export async function decisions(ctx) {
  ctx.title('dec.title');
  const slot = h('div', { class: 'results' }, loading());
  ctx.main.append(h('div', { class: 'page-head' }, h('h1', {}, tx('dec.title')), h('p', { class: 'lead' }, tx('dec.lead')),
    h('p', { class: 'meta authority' }, tfn(() => t('dec.authority', { amount: money(authority()) })))), slot);
  const r = await waiting();
  if (!ctx.current()) return;
  if (!r.ok) { set(slot, failure(r.error, () => ctx.go(location.hash))); return; }
  const within = r.data.filter((x) => x.amount <= authority());
  const above = r.data.filter((x) => x.amount > authority());
  const cols = [
    { label: 'app.reference', cell: (x) => h('a', { href: `#/decisions/${x.app.id}` }, x.app.reference) },
    { label: 'app.title', cell: (x) => x.app.title },
    { label: 'app.organisation', cell: (x) => tfn(() => pick(x.app.organisation)), class: 'org' },
    { label: 'app.scheme', cell: (x) => x.app.scheme },
    { label: 'app.status', cell: (x) => appStatus(x.app.status) },
    { label: 'dec.score', cell: (x) => (x.rec ? points(x.rec.weighted_total_bp) : '—'), class: 'num' },
    { label: 'dec.amount', cell: (x) => money(x.amount), class: 'num' },
    { label: 'dec.recommended_on', cell: (x) => (x.rec ? tfn(() => dateTime(x.rec.recorded_at)) : '—'), class: 'date' },
  ];
  set(slot,
    within.length ? h('p', { class: 'result-count' }, tx('dec.count', { n: within.length })) : null,
    within.length ? table(cols, within, { caption: 'dec.title', captionHidden: true, class: 'wide waiting' }) : empty('dec.none', 'dec.none_body'),
    above.length ? h('details', { class: 'panel above' }, h('summary', {}, tx('dec.above', { n: above.length })),
      h('p', { class: 'hint' }, tx('dec.above_hint')),
      table(cols, above, { caption: 'dec.above_caption', captionHidden: true, class: 'wide' })) : null);
}

export async function decision(ctx) {
  const id = ctx.params[0];
  ctx.title(() => t('dec.one', { id }));
  const slot = h('div', {}, loading());
  ctx.main.append(h('nav', { class: 'crumbs' }, h('a', { href: '#/decisions' }, tx('dec.title')), ' › ', `#${id}`), slot);
  const r = await get(`/applications/${id}/recommendation`);
  if (!ctx.current()) return;
  if (!r.ok) { set(slot, h('h1', {}, tfn(() => t('dec.one', { id }))), failure(r.error, () => ctx.go(location.hash))); return; }
  const d = r.data;
  const a = d.application;
  const rec = d.recommendation;
  // The title, organisation and scores are on the meeting's agenda and
  // scoresheet.
  let item = null;
  let sheetItem = null;
  let criteria = [];
  const full = await get(`/applications/${a.id}`);
  if (!ctx.current()) return;
  if (full.ok) item = full.data;
  if (rec && rec.meeting_id) {
    const [ag, sh] = await Promise.all([item ? null : get(`/meetings/${rec.meeting_id}/agenda`), get(`/meetings/${rec.meeting_id}/scoresheet`)]);
    if (!ctx.current()) return;
    if (ag && ag.ok) item = (ag.data.agenda || []).map((x) => x.application).find((x) => x.id === a.id) || null;
    if (sh.ok) {
      sheetItem = (sh.data.items || []).find((x) => x.application_id === a.id) || null;
      criteria = sh.data.criteria || [];
    }
  }
  ctx.title(() => a.reference);
  const amount = rec && rec.recommended_cents !== null && rec.recommended_cents !== undefined ? rec.recommended_cents : a.requested_cents;
  const c = (l, value) => (value === null || value === undefined || value === '' ? null : [h('dt', {}, tx(l)), h('dd', {}, value)]);
  set(slot,
    h('div', { class: 'page-head' }, h('h1', {}, item ? item.title : a.reference),
      h('p', { class: 'meta' }, h('span', { class: 'code' }, a.reference), ' ', appStatus(a.status), ' · ', a.scheme,
        item ? [' · ', tfn(() => pick(item.organisation))] : null),
      full.ok ? h('p', {}, h('a', { href: `#/applications/${a.id}` }, tx('dec.full'))) : null),
    h('div', { class: 'two-col' },
      h('section', { class: 'panel' }, h('h2', {}, tx('dec.recommendation')),
        rec ? h('dl', { class: 'facts' },
          c('rec.recommendation', tfn(() => data.labelOf('rec', rec.recommendation))),
          c('rec.reasons', h('span', { class: 'pre' }, rec.reasons)),
          c('rec.conditions', rec.conditions ? h('span', { class: 'pre' }, rec.conditions) : null),
          c('app.requested', money(a.requested_cents)),
          c('rec.amount', rec.recommended_cents !== null ? money(rec.recommended_cents) : null),
          c('sheet.weighted', points(rec.weighted_total_bp)),
          c('dec.scorers', String(rec.scorers)),
          c('dec.recorded', tfn(() => t('fmt.paren', { a: dateTime(rec.recorded_at), b: data.labelOf('recas', rec.recorded_as) })))) : empty('dec.no_recommendation'),
        d.partner_assessment ? h('p', { class: 'note' }, tfn(() => t(d.partner_assessment.supported ? 'dec.most_yes' : 'dec.most_no', { ref: d.partner_assessment.reference }))) : null),
      d.decision ? decided(d.decision) : decideForm(ctx, a, amount)),
    sheetItem && !sheetItem.withheld ? h('section', { class: 'panel' }, h('h2', {}, tx('sheet.title')),
      table([
        { label: 'panels.member', cell: (s) => memberName(s.member) },
        ...criteria.map((cr) => ({ label: () => pick(cr), class: 'num', cell: (s) => String(s.scores && s.scores[cr.id] !== undefined ? s.scores[cr.id] : '—') })),
        { label: 'sheet.weighted', class: 'num', cell: (s) => points(s.weighted_total_bp) },
      ], sheetItem.scorers || [], { caption: 'sheet.title', captionHidden: true, class: 'wide scores' }),
      h('p', { class: 'running' }, tx('sheet.mean'), ' ', h('strong', {}, points(sheetItem.mean_weighted_total_bp)))) : null);
}

function decided(dec) {
  return h('section', { class: 'panel decided' }, h('h2', {}, tx('dec.decision')),
    h('p', {}, h('span', { class: `badge ${dec.decision === 'approve' ? 'st-clear' : 'st-conflict'}` }, tfn(() => data.labelOf('dec.v', dec.decision)))),
    dec.approved_cents !== null && dec.approved_cents !== undefined ? h('p', {}, tfn(() => t('dec.approved_amount', { amount: money(dec.approved_cents) }))) : null,
    h('p', { class: 'pre' }, dec.reasons),
    h('p', { class: 'muted' }, tfn(() => dateTime(dec.decided_at))));
}

function decideForm(ctx, a, amount) {
  const can = WAITING.has(a.status);
  const sec = h('section', { class: 'panel decide' }, h('h2', {}, tx('dec.decide')));
  if (!can) { sec.append(empty('dec.not_waiting')); return sec; }
  const over = amount > authority();
  const choice = field({ name: 'decision', label: 'dec.decision', type: 'select', required: true,
    value: a.status === 'recommended' ? 'approve' : 'reject',
    options: (a.status === 'recommended' ? ['approve', 'reject'] : ['reject']).map((v) => ({ value: v, label: () => data.labelOf('dec.v', v) })) });
  const reasons = field({ name: 'reasons', label: 'dec.reasons', type: 'textarea', required: true, rows: 4, hint: 'dec.reasons_hint', attrs: { maxlength: '4000' } });
  const form = actionForm({
    id: 'decide-form',
    fields: [h('p', {}, tfn(() => t('dec.amount_is', { amount: money(amount) }))),
      over ? h('p', { class: 'note' }, tfn(() => t('dec.over', { amount: money(amount), authority: money(authority()) }))) : null,
      a.status === 'not_recommended' ? h('p', { class: 'hint' }, tx('dec.only_reject')) : null,
      choice, reasons],
    buttonKey: 'dec.record', busyKey: 'busy.saving',
    submit: async (f) => {
      const why = reasons.control.value.trim();
      if (!why) { showError(f, { code: 'invalid', field: 'reasons', key: 'err.required' }); return null; }
      const ok = await confirmDialog({ titleKey: choice.control.value === 'approve' ? 'dec.confirm_approve' : 'dec.confirm_reject',
        bodyKey: choice.control.value === 'approve' ? 'dec.confirm_approve_body' : 'dec.confirm_reject_body', confirmKey: 'dec.record',
        danger: choice.control.value !== 'approve' });
      if (!ok) return null;
      return post(`/applications/${a.id}/decision`, { decision: choice.control.value, reasons: why });
    },
    onDone: (d) => done(ctx, 'dec.done', { outcome: data.labelOf('astatus', d.application.status) }),
  });
  sec.append(form);
  return sec;
}

// ---- Payments -------------------------------------------------------------------

const PAY_STATUSES = ['prepared', 'approved', 'cancelled'];

export async function payments(ctx) {
  const mayApprove = session.hasRole('approver', 'finance');
  const mayCancel = session.hasRole('officer', 'approver', 'finance');
  const applicant = session.hasRole('applicant');
  ctx.title(applicant ? 'pay.title_mine' : 'pay.title');
  const q = ctx.query;
  const status = q.has('status') ? (q.get('status') === 'any' ? '' : q.get('status')) : (mayApprove ? 'prepared' : '');
  const st = field({ name: 'status', label: 'app.status', type: 'select', value: status,
    options: [{ value: '', label: 'filter.any' }, ...PAY_STATUSES.map((s) => ({ value: s, label: () => data.labelOf('paystatus', s) }))] });
  const project = field({ name: 'project', label: 'pay.project', type: 'number', value: q.get('project') || '', attrs: { min: '1', step: '1', inputmode: 'numeric' } });
  const form = h('form', { class: 'filters', role: 'search', novalidate: true }, st, project,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, tx('queue.apply'))));
  tattr(form, 'aria-label', 'pay.filters');
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    ctx.go(`#/payments${query({ status: st.control.value || 'any', project: project.control.value.trim() })}`);
  });
  const alert = alertBox();
  const results = h('section', { class: 'results' });
  ctx.main.append(h('div', { class: 'page-head' }, h('h1', {}, tx(applicant ? 'pay.title_mine' : 'pay.title')),
    h('p', { class: 'lead' }, tx(applicant ? 'pay.lead_mine' : (mayApprove ? 'pay.lead_approve' : 'pay.lead')))), form, alert, results);
  const me = session.state.user.id;
  const filters = { status, project: q.get('project') };
  const action = (x, verb, b) => async () => {
    clearErrors(ctx.main);
    const c = await confirmDialog(verb === 'approve'
      ? { titleKey: 'pay.approve_title', bodyKey: 'pay.approve_body', confirmKey: 'pay.approve', input: 'optional' }
      : { titleKey: 'pay.cancel_title', bodyKey: 'pay.cancel_body', confirmKey: 'pay.cancel', input: 'required', inputLabelKey: 'field.reason', danger: true });
    if (!c) return;
    await busy(b, async () => {
      const body = verb === 'approve' ? (c.note ? { note: c.note } : {}) : { reason: c.note };
      const r = await post(`/payments/${x.id}/${verb}`, body);
      if (!r.ok) { showError(ctx.main, r.error, alert); return; }
      done(ctx, verb === 'approve' ? 'pay.approved' : 'pay.cancelled', { id: x.id, amount: money(x.amount_cents) });
    });
  };
  const listEl = moreList(ctx, {
    fetchPage: (cursor) => get(`/payments${query({ ...filters, limit: 50, cursor })}`),
    rowsOf: (d) => d.payments,
    emptyKey: status === 'prepared' ? 'pay.none_waiting' : 'pay.none',
    render: (rows) => table([
      { label: 'pay.no', cell: (x) => `#${x.id}` },
      { label: 'app.reference', cell: (x) => h('a', { href: `#/grants/${x.project_id}` }, x.reference) },
      { label: 'grants.tranche', cell: (x) => (x.tranche ? trancheName(x.tranche) : '') },
      { label: 'app.amount', cell: (x) => money(x.amount_cents), class: 'num' },
      { label: 'app.status', cell: (x) => badge('paystatus', x.status) },
      { label: 'pay.prepared', cell: (x) => [tfn(() => dateTime(x.prepared_at)), x.prepared_by ? h('span', { class: 'muted block' }, x.prepared_by.email) : null], class: 'date' },
      { label: 'pay.approved_col', cell: (x) => (x.approved_at ? [tfn(() => dateTime(x.approved_at)), x.approved_by ? h('span', { class: 'muted block' }, x.approved_by.email) : null] : '—'), class: 'date' },
      applicant ? null : { label: 'grants.action', cell: (x) => {
        if (x.status !== 'prepared') return '';
        const wrap = h('div', { class: 'actions' });
        if (mayApprove) {
          if (x.prepared_by && x.prepared_by.id === me) {
            wrap.append(h('span', { class: 'muted' }, tx('pay.yours')));
          } else {
            const b = h('button', { type: 'button', class: 'primary small', dataset: { action: 'approve', payment: x.id } }, tx('pay.approve'));
            b.addEventListener('click', action(x, 'approve', b));
            wrap.append(b);
          }
        }
        if (mayCancel) {
          const b = h('button', { type: 'button', class: 'danger small', dataset: { action: 'cancel', payment: x.id } }, tx('pay.cancel'));
          b.addEventListener('click', action(x, 'cancel', b));
          wrap.append(b);
        }
        return wrap;
      } },
    ].filter(Boolean), rows, { caption: 'pay.title', captionHidden: true, class: 'wide' }),
  });
  results.append(listEl);
  await listEl.ready;
}
