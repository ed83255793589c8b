// Vetting panels (docs/api.md, "Panels and decisions").  Panel members:
// their meetings, each meeting's agenda, declaring conflicts, scoring
// against the scheme's criteria (the weighted total shown as typed; the
// service's own figure once saved) and the meeting's scoresheet.
// Officers: panels, members, meetings, building agendas, and recording a
// recommendation on the panel's behalf (as the chair may).
import { h, set, append, field, alertBox, clearErrors, showError, busy, loading, empty, failure, table, notify, confirmDialog } from '../dom.js';
import { t, tx, tfn, pick } from '../i18n.js';
import { get, post, query } from '../api.js';
import { money, parseMoney, moneyInput, date, dateTime, todayHK, percentBp } from '../format.js';
import * as data from '../data.js';
import * as session from '../session.js';
import { appStatus } from './applications.js';
import { actionForm, done, mapLimit, fetchOr } from './common.js';

const isOfficer = () => session.hasRole('officer');
const isMember = () => session.hasRole('panel_member');
// A member as the service names it: staff see names, others "Member 2",
// said in the page's language.
export function memberName(m) {
  if (!m) return '';
  if (m.name) return m.name;
  const n = /^Member (\d+)$/.exec(m.label || '');
  return n ? tfn(() => t('meeting.member_n', { n: n[1] })) : (m.label || '');
}

// Basis points of full marks as "70.00".
export const points = (bp) => (bp === null || bp === undefined ? '—' : (Number(bp) / 100).toFixed(2));

// ---- A panel member's meetings -------------------------------------------

export async function mine(ctx) {
  ctx.title('panel.title');
  const slot = h('div', {}, loading());
  ctx.main.append(h('div', { class: 'page-head' }, h('h1', {}, tx('panel.title')), h('p', { class: 'lead' }, tx('panel.lead'))), slot);
  const d = await fetchOr(ctx, slot, '/panels');
  if (!d) return;
  if (!(d.panels || []).length) { set(slot, empty('panel.none', 'panel.none_body')); return; }
  const full = await mapLimit(d.panels, 4, (p) => get(`/panels/${p.id}`));
  if (!ctx.current()) return;
  const today = todayHK();
  set(slot, ...full.map((r, i) => {
    const p = r.ok ? r.data : d.panels[i];
    const me = r.ok ? (p.members || []).find((m) => m.user_id === session.state.user.id) || (p.members || [])[0] : null;
    const meetings = (r.ok ? p.meetings || [] : []).slice().sort((a, b) => (a.meeting_date < b.meeting_date ? 1 : -1));
    return h('section', { class: 'panel', dataset: { panel: p.id } },
      h('h2', {}, tfn(() => pick(p))),
      h('p', { class: 'meta' }, h('span', { class: 'code' }, p.scheme), ' ',
        me ? [tfn(() => data.labelOf('mrole', me.role)), ' · ', tfn(() => t('panel.term', { from: date(me.term_from), to: date(me.term_to) }))] : null),
      r.ok ? (meetings.length ? table([
        { label: 'panel.date', cell: (m) => h('a', { href: `#/meetings/${m.id}` }, tfn(() => date(m.meeting_date))) },
        { label: 'panel.venue', cell: (m) => m.venue || '—' },
        { label: 'panel.items', cell: (m) => String(m.items ?? ''), class: 'num' },
        { label: 'panel.when', cell: (m) => h('span', { class: `badge ${m.meeting_date >= today ? 'st-upcoming' : 'st-past'}` }, tx(m.meeting_date >= today ? 'panel.upcoming' : 'panel.past')) },
      ], meetings, { caption: 'panel.meetings', captionHidden: true }) : empty('panel.no_meetings')) : failure(r.error));
  }));
}

// ---- Panels (staff) -------------------------------------------------------------

export async function panels(ctx) {
  ctx.title('panels.title');
  const slot = h('div', { class: 'results' }, loading());
  ctx.main.append(h('div', { class: 'page-head' }, h('h1', {}, tx('panels.title')), h('p', { class: 'lead' }, tx('panels.lead'))));
  if (isOfficer()) ctx.main.append(newPanelForm(ctx));
  ctx.main.append(slot);
  const d = await fetchOr(ctx, slot, `/panels${query({ scheme: ctx.query.get('scheme') })}`);
  if (!d) return;
  set(slot, (d.panels || []).length ? table([
    { label: 'panels.name', cell: (p) => h('a', { href: `#/panels/${p.id}` }, tfn(() => pick(p))) },
    { label: 'app.scheme', cell: (p) => p.scheme },
    { label: 'col.quorum', cell: (p) => String(p.quorum), class: 'num' },
    { label: 'col.members', cell: (p) => String(p.members), class: 'num' },
    { label: 'col.meetings', cell: (p) => String(p.meetings), class: 'num' },
  ], d.panels, { caption: 'panels.title', captionHidden: true }) : empty('panels.none'));
}

function newPanelForm(ctx) {
  const scheme = field({ name: 'scheme', label: 'app.scheme', type: 'select', required: true, options: [{ value: '', label: 'filter.choose' }] });
  const nameEn = field({ name: 'name_en', label: 'field.name_en', required: true, attrs: { maxlength: '200', lang: 'en' } });
  const nameZh = field({ name: 'name_zh', label: 'field.name_zh', required: true, attrs: { maxlength: '200', lang: 'zh-Hant' } });
  const quorum = field({ name: 'quorum', label: 'col.quorum', type: 'number', hint: 'panels.quorum_hint', attrs: { min: '1', max: '50', step: '1', inputmode: 'numeric' } });
  data.schemes().then((r) => {
    if (!r.ok) return;
    for (const s of r.data) scheme.control.append(h('option', { value: s.code }, tfn(() => `${s.code} · ${pick(s)}`)));
  });
  const form = actionForm({
    id: 'new-panel',
    fields: [h('div', { class: 'row2' }, scheme, quorum), h('div', { class: 'row2' }, nameEn, nameZh)],
    buttonKey: 'panels.create', busyKey: 'busy.saving',
    submit: (f) => {
      for (const x of [scheme, nameEn, nameZh]) {
        if (!x.control.value.trim()) { showError(f, { code: 'invalid', field: x.dataset.field, key: 'err.required' }); return null; }
      }
      const body = { scheme: scheme.control.value, name_en: nameEn.control.value.trim(), name_zh: nameZh.control.value.trim() };
      if (quorum.control.value.trim()) {
        if (!/^\d+$/.test(quorum.control.value.trim())) { showError(f, { code: 'invalid', field: 'quorum', key: 'err.integer' }); return null; }
        body.quorum = Number(quorum.control.value.trim());
      }
      return post('/panels', body);
    },
    onDone: (p) => { notify(tx('panels.created')); ctx.go(`#/panels/${p.id}`); },
  });
  return h('details', { class: 'panel create', id: 'create-panel' }, h('summary', {}, tx('panels.new')), form);
}

export async function panel(ctx) {
  const id = ctx.params[0];
  ctx.title(() => t('panels.one', { id }));
  const slot = h('div', {}, loading());
  ctx.main.append(h('nav', { class: 'crumbs' }, h('a', { href: isMember() && !isOfficer() ? '#/panel' : '#/panels' }, tx(isMember() && !isOfficer() ? 'panel.title' : 'panels.title')), ' › ', `#${id}`), slot);
  const p = await fetchOr(ctx, slot, `/panels/${id}`);
  if (!p) return;
  ctx.title(() => pick(p));
  const members = p.members || [];
  const meetings = (p.meetings || []).slice().sort((a, b) => (a.meeting_date < b.meeting_date ? 1 : -1));
  set(slot,
    h('div', { class: 'page-head' }, h('h1', {}, tfn(() => pick(p))),
      h('p', { class: 'meta' }, h('span', { class: 'code' }, p.scheme), ' ', tfn(() => t('panels.quorum_is', { n: p.quorum })), ' · ',
        tfn(() => t('panels.members_n', { n: p.members_count ?? members.length })))),
    h('div', { class: 'two-col' },
      h('section', { class: 'panel' }, h('h2', {}, tx('panels.members')),
        members.length ? table([
          { label: 'panels.member', cell: (m) => [m.name || m.email || `#${m.user_id}`,
            h('span', { class: 'muted block' }, [m.email && m.name ? m.email : null, tfn(() => t('panels.user_no', { id: m.user_id }))].filter(Boolean).flatMap((x, i) => (i ? [' · ', x] : [x])))] },
          { label: 'panels.role', cell: (m) => tfn(() => data.labelOf('mrole', m.role)) },
          { label: 'panels.term', cell: (m) => tfn(() => `${date(m.term_from)} – ${date(m.term_to)}`), class: 'date' },
        ], members, { caption: 'panels.members', captionHidden: true }) : empty('panels.no_members'),
        isOfficer() ? appointForm(ctx, p) : null),
      h('section', { class: 'panel' }, h('h2', {}, tx('panel.meetings')),
        meetings.length ? table([
          { label: 'panel.date', cell: (m) => h('a', { href: `#/meetings/${m.id}` }, tfn(() => date(m.meeting_date))) },
          { label: 'panel.venue', cell: (m) => m.venue || '—' },
          { label: 'panel.items', cell: (m) => String(m.items ?? ''), class: 'num' },
        ], meetings, { caption: 'panel.meetings', captionHidden: true }) : empty('panel.no_meetings'),
        isOfficer() ? newMeetingForm(ctx, p) : null)));
}

function appointForm(ctx, p) {
  const user = field({ name: 'user_id', label: 'panels.user_id', type: 'number', required: true, hint: 'panels.user_hint', attrs: { min: '1', step: '1', inputmode: 'numeric' } });
  const role = field({ name: 'role', label: 'panels.role', type: 'select', value: 'member',
    options: ['member', 'chair'].map((r) => ({ value: r, label: () => data.labelOf('mrole', r) })) });
  const from = field({ name: 'term_from', label: 'panels.term_from', type: 'date', required: true, value: todayHK() });
  const to = field({ name: 'term_to', label: 'panels.term_to', type: 'date', required: true });
  const form = actionForm({
    id: 'appoint-form',
    fields: [h('div', { class: 'row2' }, user, role), h('div', { class: 'row2' }, from, to)],
    buttonKey: 'panels.appoint', busyKey: 'busy.saving',
    submit: (f) => {
      const uid = user.control.value.trim();
      if (!/^\d+$/.test(uid)) { showError(f, { code: 'invalid', field: 'user_id', key: uid ? 'err.integer' : 'err.required' }); return null; }
      for (const x of [from, to]) if (!x.control.value) { showError(f, { code: 'invalid', field: x.dataset.field, key: 'err.required' }); return null; }
      if (from.control.value > to.control.value) { showError(f, { code: 'invalid', field: 'term_to', key: 'err.date_order' }); return null; }
      return post(`/panels/${p.id}/members`, { user_id: Number(uid), role: role.control.value, term_from: from.control.value, term_to: to.control.value });
    },
    onDone: () => done(ctx, 'panels.appointed'),
  });
  return h('details', { class: 'create', id: 'appoint' }, h('summary', {}, tx('panels.appoint_title')), form);
}

function newMeetingForm(ctx, p) {
  const day = field({ name: 'meeting_date', label: 'panel.date', type: 'date', required: true, value: todayHK() });
  const venue = field({ name: 'venue', label: 'panel.venue', attrs: { maxlength: '200' } });
  const form = actionForm({
    id: 'meeting-form',
    fields: [h('div', { class: 'row2' }, day, venue)],
    buttonKey: 'panels.new_meeting', busyKey: 'busy.saving',
    submit: (f) => {
      if (!day.control.value) { showError(f, { code: 'invalid', field: 'meeting_date', key: 'err.required' }); return null; }
      const body = { panel_id: p.id, meeting_date: day.control.value };
      if (venue.control.value.trim()) body.venue = venue.control.value.trim();
      return post('/meetings', body);
    },
    onDone: (m) => { notify(tx('panels.meeting_created')); ctx.go(`#/meetings/${m.id}`); },
  });
  return h('details', { class: 'create', id: 'new-meeting' }, h('summary', {}, tx('panels.new_meeting')), form);
}

// ---- A meeting: agenda, declarations ------------------------------------------

export async function meeting(ctx) {
  const id = ctx.params[0];
  ctx.title(() => t('meeting.title_n', { id }));
  const slot = h('div', {}, loading());
  ctx.main.append(slot);
  const m = await fetchOr(ctx, slot, `/meetings/${id}`);
  if (!m) return;
  const panelHref = isMember() && !isOfficer() ? '#/panel' : `#/panels/${m.panel.id}`;
  ctx.title(() => t('meeting.title', { panel: pick(m.panel), date: date(m.meeting_date) }));
  const declSlot = h('section', { class: 'panel' }, h('h2', {}, tx('meeting.declarations')), loading());
  set(slot,
    h('nav', { class: 'crumbs' }, h('a', { href: panelHref }, tfn(() => (isMember() && !isOfficer() ? t('panel.title') : pick(m.panel)))), ' › ', tfn(() => date(m.meeting_date))),
    h('div', { class: 'page-head' },
      h('h1', {}, tfn(() => t('meeting.title', { panel: pick(m.panel), date: date(m.meeting_date) }))),
      h('p', { class: 'meta' }, h('span', { class: 'code' }, m.panel.scheme), ' ', m.venue ? [tfn(() => t('meeting.venue', { venue: m.venue })), ' · '] : null,
        tfn(() => t('meeting.participants', { n: m.participants_count })), ' · ', tfn(() => t('panels.quorum_is', { n: m.panel.quorum })),
        m.you ? [' · ', h('span', { class: 'badge st-you' }, tfn(() => t('meeting.you_are', { role: data.labelOf('mrole', m.you.role) })))] : null)),
    h('p', { class: 'actions' }, h('a', { class: 'button secondary', href: `#/meetings/${m.id}/scoresheet` }, tx('meeting.scoresheet'))),
    agenda(ctx, m),
    isOfficer() ? addToAgenda(ctx, m) : null,
    declSlot,
    (m.participants || []).length ? h('section', { class: 'panel' }, h('h2', {}, tx('meeting.who')),
      h('ul', { class: 'plain' }, m.participants.map((x) => h('li', {}, x.name || `#${x.user_id}`)))) : null);
  const dr = await get(`/meetings/${m.id}/declarations`);
  if (!ctx.current()) return;
  set(declSlot, h('h2', {}, tx('meeting.declarations')), dr.ok ? declarations(dr.data, (m.agenda || []).length) : failure(dr.error));
}

function agenda(ctx, m) {
  const items = m.agenda || [];
  const sec = h('section', { class: 'panel agenda' }, h('h2', {}, tx('meeting.agenda')));
  if (!items.length) { sec.append(empty('meeting.no_items', isOfficer() ? 'meeting.no_items_officer' : null)); return sec; }
  const alert = alertBox();
  const canRead = session.hasRole('officer', 'auditor', 'panel_member');
  sec.append(table([
    { label: 'meeting.seq', cell: (it) => String(it.seq), class: 'num' },
    { label: 'app.reference', cell: (it) => (canRead && !it.withheld
      ? h('a', { href: `#/applications/${it.application.id}` }, it.application.reference || `#${it.application.id}`)
      : it.application.reference || `#${it.application.id}`) },
    { label: 'app.title', cell: (it) => (it.withheld ? h('span', { class: 'muted' }, tx('meeting.withheld')) : it.application.title) },
    { label: 'app.organisation', cell: (it) => (it.withheld ? '' : tfn(() => pick(it.application.organisation))), class: 'org' },
    { label: 'app.requested', cell: (it) => (it.withheld ? '' : money(it.application.requested_cents)), class: 'num' },
    { label: 'app.status', cell: (it) => (it.withheld ? '' : appStatus(it.application.status)) },
    m.you ? { label: 'meeting.your_declaration', cell: (it) => memberActions(ctx, m, it, sec, alert) } : null,
  ].filter(Boolean), items, { caption: 'meeting.agenda', captionHidden: true, class: 'wide' }), alert);
  return sec;
}

// What a member may do with one item: declare, then score.
function memberActions(ctx, m, it, scope, alert) {
  const d = it.your_declaration;
  const appId = it.application.id;
  const wrap = h('div', { class: 'item-actions', dataset: { application: appId } });
  const open = !it.withheld && it.application.status === 'under_assessment';
  if (d && d.conflict) {
    wrap.append(h('span', { class: 'badge st-conflict' }, tx('meeting.conflict_declared')));
    return wrap;
  }
  if (d) wrap.append(h('span', { class: 'badge st-clear' }, tx('meeting.no_conflict_declared')), ' ');
  if (!open) return wrap;
  const declare = async (b, conflict) => {
    clearErrors(scope);
    const c = await confirmDialog(conflict
      ? { titleKey: 'meeting.conflict_title', bodyKey: 'meeting.conflict_body', confirmKey: 'meeting.declare_conflict', input: 'required', inputLabelKey: 'meeting.conflict_reason', danger: true }
      : { titleKey: 'meeting.clear_title', bodyKey: 'meeting.clear_body', confirmKey: 'meeting.declare_clear' });
    if (!c) return;
    await busy(b, async () => {
      const r = await post(`/applications/${appId}/conflicts`, conflict ? { conflict: true, reason: c.note } : { conflict: false });
      if (!r.ok) { showError(scope, r.error, alert); return; }
      done(ctx, conflict ? 'meeting.conflict_done' : 'meeting.clear_done');
    });
  };
  if (!d) {
    const clear = h('button', { type: 'button', class: 'primary small', dataset: { action: 'no-conflict' } }, tx('meeting.declare_clear'));
    clear.addEventListener('click', () => declare(clear, false));
    wrap.append(clear, ' ');
  } else {
    wrap.append(h('a', { class: 'button primary small', href: `#/meetings/${m.id}/score/${appId}`, dataset: { action: 'score' } }, tx('meeting.score')), ' ');
  }
  const conflict = h('button', { type: 'button', class: 'danger small', dataset: { action: 'conflict' } }, tx('meeting.declare_conflict'));
  conflict.addEventListener('click', () => declare(conflict, true));
  wrap.append(conflict);
  return wrap;
}

function declarations(d, agendaItems) {
  const items = d.items || [];
  if (!items.length) return empty(agendaItems ? 'meeting.none_declared' : 'meeting.no_declarations');
  return h('div', {}, items.map((it) => h('div', { class: 'decl' },
    h('h3', {}, it.reference || `#${it.application_id}`),
    (it.declarations || []).length ? table([
      { label: 'panels.member', cell: (x) => [memberName(x.member), x.member.you ? [' ', h('span', { class: 'badge st-you' }, tx('meeting.you'))] : null] },
      { label: 'meeting.declaration', cell: (x) => h('span', { class: `badge ${x.conflict ? 'st-conflict' : 'st-clear'}` }, tx(x.conflict ? 'meeting.conflict' : 'meeting.no_conflict')) },
      { label: 'field.reason', cell: (x) => x.reason || '' },
      { label: 'meeting.declared_at', cell: (x) => tfn(() => dateTime(x.declared_at)), class: 'date' },
    ], it.declarations, { caption: 'meeting.declarations', captionHidden: true }) : h('p', { class: 'muted' }, tx('meeting.none_declared')))));
}

// Officers: the scheme's applications under assessment, not yet on this
// agenda, ticked and added together.
function addToAgenda(ctx, m) {
  const sec = h('section', { class: 'panel add-agenda' }, h('h2', {}, tx('meeting.add')), loading());
  const onAgenda = new Set((m.agenda || []).map((it) => it.application.id));
  get(`/applications${query({ status: 'under_assessment', scheme: m.panel.scheme, limit: 100 })}`).then((r) => {
    if (!ctx.current()) return;
    const head = h('h2', {}, tx('meeting.add'));
    if (!r.ok) { set(sec, head, failure(r.error)); return; }
    const apps = r.data.applications.filter((a) => !onAgenda.has(a.id));
    if (!apps.length) { set(sec, head, empty('meeting.none_to_add')); return; }
    const boxes = apps.map((a) => {
      const f = field({ name: `app-${a.id}`, type: 'checkbox', label: () => `${a.reference} · ${a.title} · ${pick(a.organisation)} · ${money(a.requested_cents)}` });
      f.control.value = String(a.id);
      return f;
    });
    const list = h('fieldset', { dataset: { field: 'application_ids' } }, h('legend', { class: 'sr-only' }, tx('meeting.add')), boxes, h('p', { class: 'field-error', hidden: true }));
    const form = actionForm({
      id: 'add-agenda',
      fields: [h('p', { class: 'hint' }, tfn(() => t('meeting.add_hint', { scheme: m.panel.scheme }))), list],
      buttonKey: 'meeting.add_button', busyKey: 'busy.saving',
      submit: (f) => {
        const ids = boxes.filter((b) => b.control.checked).map((b) => Number(b.control.value));
        if (!ids.length) { showError(f, { code: 'invalid', field: 'application_ids', key: 'meeting.pick_one' }); return null; }
        return post(`/meetings/${m.id}/agenda`, { application_ids: ids });
      },
      onDone: () => done(ctx, 'meeting.added'),
    });
    set(sec, head, form);
  });
  return sec;
}

// ---- Scoring -------------------------------------------------------------------

// The weighted total in basis points of full marks, as the service
// computes it (exact fraction, rounded once, halves up): for display while
// typing only; the saved answer carries the service's own figure.
export function weightedBp(criteria, scores) {
  let num = 0;
  for (const c of criteria) {
    const s = scores[c.id];
    if (s === undefined || s === null) return null;
    num += (s * c.weight_bp) / c.max_score;
  }
  return Math.floor(num + 0.5 + 1e-9);
}

export async function score(ctx) {
  const [mid, aid] = ctx.params;
  ctx.title('score.title');
  const slot = h('div', {}, loading());
  ctx.main.append(h('nav', { class: 'crumbs' }, h('a', { href: '#/panel' }, tx('panel.title')), ' › ',
    h('a', { href: `#/meetings/${mid}` }, tfn(() => t('meeting.title_n', { id: mid }))), ' › ', tx('score.title')), slot);
  const [sr, ar] = await Promise.all([get(`/meetings/${mid}/scoresheet`), get(`/meetings/${mid}/agenda`)]);
  if (!ctx.current()) return;
  if (!sr.ok || !ar.ok) { set(slot, failure((sr.ok ? ar : sr).error, () => ctx.go(location.hash))); return; }
  const sheet = sr.data;
  const item = (sheet.items || []).find((x) => String(x.application_id) === aid);
  const agendaItem = (ar.data.agenda || []).find((x) => String(x.application.id) === aid);
  if (!item || !agendaItem) { set(slot, h('h1', {}, tx('score.title')), empty('score.not_on_agenda')); return; }
  if (item.withheld) { set(slot, h('h1', {}, tx('score.title')), empty('meeting.withheld')); return; }
  const mine = (item.scorers || []).find((s) => s.member && s.member.you);
  const criteria = sheet.criteria || [];
  const fields = criteria.map((c) => {
    const f = field({ name: `scores.${c.id}`, type: 'number', required: true,
      label: () => pick(c), hint: () => t('score.hint', { weight: percentBp(c.weight_bp), max: c.max_score }),
      value: mine && mine.scores && mine.scores[c.id] !== undefined ? String(mine.scores[c.id]) : '',
      attrs: { min: '0', max: String(c.max_score), step: '1', inputmode: 'numeric', class: 'score-input' } });
    f.criterion = c;
    return f;
  });
  const live = h('output', { class: 'score-total', 'aria-live': 'polite' });
  const saved = h('p', { class: 'saved-total', 'aria-live': 'polite' });
  const read = () => {
    const out = {};
    for (const f of fields) {
      const v = f.control.value.trim();
      if (v !== '' && /^\d+$/.test(v)) out[f.criterion.id] = Number(v);
    }
    return out;
  };
  const recalc = () => {
    const bp = weightedBp(criteria, read());
    set(live, bp === null ? tx('score.incomplete') : tfn(() => t('score.points', { n: points(bp) })));
  };
  for (const f of fields) f.control.addEventListener('input', recalc);
  recalc();
  if (mine && mine.weighted_total_bp !== null && mine.weighted_total_bp !== undefined)
    set(saved, tfn(() => t('score.saved_total', { n: points(mine.weighted_total_bp) })));
  const form = actionForm({
    id: 'score-form',
    fields: [h('div', { class: 'criteria' }, fields),
      h('div', { class: 'total-box' }, h('p', {}, h('strong', {}, tx('score.weighted')), ' ', live), h('p', { class: 'hint' }, tx('score.display_only')), saved)],
    buttonKey: 'score.save', busyKey: 'busy.saving',
    submit: (f) => {
      const scores = {};
      for (const x of fields) {
        const v = x.control.value.trim();
        if (v === '') continue;
        if (!/^\d+$/.test(v)) { showError(f, { code: 'invalid', field: x.dataset.field, key: 'err.integer' }); return null; }
        scores[x.criterion.id] = Number(v);
      }
      if (!Object.keys(scores).length) { showError(f, { code: 'invalid', field: fields[0].dataset.field, key: 'err.required' }); return null; }
      return post(`/applications/${aid}/scores`, { scores });
    },
    onDone: (d) => {
      set(saved, d.complete
        ? tfn(() => t('score.saved_total', { n: points(d.weighted_total_bp) }))
        : tfn(() => t('score.saved_missing', { n: d.missing.length })));
      saved.dataset.bp = d.weighted_total_bp ?? '';
      notify(tx('score.saved'));
    },
  });
  const a = agendaItem.application;
  set(slot,
    h('div', { class: 'page-head' }, h('h1', {}, tfn(() => t('score.heading', { ref: a.reference }))),
      h('p', { class: 'meta' }, a.title, ' · ', tfn(() => pick(a.organisation)), ' · ', money(a.requested_cents))),
    h('p', { class: 'hint' }, tfn(() => t('score.lead', { scheme: sheet.scheme }))),
    h('section', { class: 'panel medium' }, form),
    h('p', {}, h('a', { href: `#/meetings/${mid}/scoresheet` }, tx('meeting.scoresheet'))));
}

// ---- The scoresheet, and the recommendation ------------------------------------------

export async function scoresheet(ctx) {
  const mid = ctx.params[0];
  ctx.title('sheet.title');
  const slot = h('div', {}, loading());
  ctx.main.append(h('nav', { class: 'crumbs' }, h('a', { href: `#/meetings/${mid}` }, tfn(() => t('meeting.title_n', { id: mid }))), ' › ', tx('sheet.title')), slot);
  const [sr, mr] = await Promise.all([get(`/meetings/${mid}/scoresheet`), get(`/meetings/${mid}`)]);
  if (!ctx.current()) return;
  if (!sr.ok || !mr.ok) { set(slot, failure((sr.ok ? mr : sr).error, () => ctx.go(location.hash))); return; }
  const sheet = sr.data;
  const m = mr.data;
  const chair = m.you && m.you.role === 'chair';
  const criteria = sheet.criteria || [];
  set(slot,
    h('div', { class: 'page-head' }, h('h1', {}, tfn(() => t('sheet.heading', { panel: pick(m.panel), date: date(m.meeting_date) }))),
      h('p', { class: 'meta' }, h('span', { class: 'code' }, sheet.scheme), ' ', tfn(() => t('panels.quorum_is', { n: sheet.quorum })),
        sheet.members_named ? null : [' · ', tx('sheet.unnamed')])),
    h('section', { class: 'panel' }, h('h2', {}, tx('scheme.criteria')),
      h('ul', { class: 'criteria-list' }, criteria.map((c) => h('li', {}, tfn(() => `${pick(c)} — ${t('score.hint', { weight: percentBp(c.weight_bp), max: c.max_score })}`))))),
    (sheet.items || []).length ? (sheet.items || []).map((it) => sheetItem(ctx, it, criteria, chair || isOfficer())) : empty('meeting.no_items'));
}

function sheetItem(ctx, it, criteria, mayRecommend) {
  if (it.withheld)
    return h('section', { class: 'panel sheet-item', dataset: { application: it.application_id } },
      h('h2', {}, it.reference || `#${it.application_id}`), h('p', { class: 'muted' }, tx('meeting.withheld')));
  const scorers = it.scorers || [];
  const rows = [...scorers, { mean: true }];
  const tbl = table([
    { label: 'panels.member', cell: (s) => (s.mean ? h('strong', {}, tx('sheet.mean')) : [memberName(s.member), s.member.you ? [' ', h('span', { class: 'badge st-you' }, tx('meeting.you'))] : null]) },
    ...criteria.map((c) => ({ label: () => pick(c), class: 'num', cell: (s) => (s.mean ? '' : String(s.scores && s.scores[c.id] !== undefined ? s.scores[c.id] : '—')) })),
    { label: 'sheet.weighted', class: 'num', cell: (s) => (s.mean ? h('strong', { class: 'mean' }, points(it.mean_weighted_total_bp)) : points(s.weighted_total_bp)) },
  ], rows, { caption: 'sheet.title', captionHidden: true, class: 'wide scores' });
  const sec = h('section', { class: 'panel sheet-item', dataset: { application: it.application_id } },
    h('h2', {}, `${it.reference} · ${it.title}`),
    h('p', { class: 'meta' }, appStatus(it.status), ' · ', money(it.requested_cents), ' · ',
      tfn(() => t('sheet.quorum', { done: it.complete_scorers, need: it.quorum })), ' ',
      h('span', { class: `badge ${it.quorum_met ? 'st-clear' : 'st-past'}` }, tx(it.quorum_met ? 'sheet.quorum_met' : 'sheet.quorum_not_met')),
      ' · ', tfn(() => t('sheet.declared', { clear: it.declared_no_conflict, conflict: it.conflicted }))),
    scorers.length ? tbl : empty('sheet.no_scores'));
  if (mayRecommend && it.decidable && it.status === 'under_assessment') sec.append(recommendForm(ctx, it));
  return sec;
}

function recommendForm(ctx, it) {
  const rec = field({ name: 'recommendation', label: 'rec.recommendation', type: 'select', required: true, value: 'support',
    options: ['support', 'support_with_conditions', 'not_support'].map((v) => ({ value: v, label: () => data.labelOf('rec', v) })) });
  const reasons = field({ name: 'reasons', label: 'rec.reasons', type: 'textarea', required: true, rows: 3, attrs: { maxlength: '4000' } });
  const conditions = field({ name: 'conditions', label: 'rec.conditions', type: 'textarea', required: true, rows: 2, attrs: { maxlength: '4000' } });
  const amount = field({ name: 'recommended_cents', label: 'rec.amount', type: 'money', value: moneyInput(it.requested_cents), hint: 'rec.amount_hint' });
  const sync = () => { conditions.hidden = amount.hidden = rec.control.value !== 'support_with_conditions'; };
  rec.control.addEventListener('change', sync);
  sync();
  const form = actionForm({
    fields: [rec, reasons, conditions, amount],
    buttonKey: 'rec.record', busyKey: 'busy.saving',
    submit: (f) => {
      const body = { recommendation: rec.control.value, reasons: reasons.control.value.trim() };
      if (!body.reasons) { showError(f, { code: 'invalid', field: 'reasons', key: 'err.required' }); return null; }
      if (body.recommendation === 'support_with_conditions') {
        body.conditions = conditions.control.value.trim();
        if (!body.conditions) { showError(f, { code: 'invalid', field: 'conditions', key: 'err.required' }); return null; }
        const c = parseMoney(amount.control.value);
        if (c === null) { showError(f, { code: 'invalid', field: 'recommended_cents', key: 'err.money' }); return null; }
        body.recommended_cents = c;
      }
      return post(`/applications/${it.application_id}/recommendation`, body);
    },
    onDone: (d) => done(ctx, 'rec.done', { outcome: data.labelOf('astatus', d.application.status) }),
  });
  return h('details', { class: 'recommend', open: true }, h('summary', {}, tx(isOfficer() ? 'rec.title_officer' : 'rec.title')), form);
}
