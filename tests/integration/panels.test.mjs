// Vetting panels and decisions (issue 4): panels, members and terms,
// meetings and agendas, conflicts of interest, scoring with weighted totals,
// the scoresheet, recommendations, MOST's assessment for MHKJFS, approval
// decisions within financial authority with the caps and the ledger
// re-checked in the same transaction, and every refusal on the way.  The
// full path runs through HTTP: submission -> screening -> meeting ->
// declarations -> scores -> recommendation -> decision.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, expectStatus, expectError, itfctl, psql, uniq } from './lib.mjs';

const PW = 'correct horse battery staple';
const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
const TERM = { term_from: '2020-01-01', term_to: '2035-12-31' };

let brSeq = 0;
function addOrg(type) {
  const args = ['org', 'add', '--name-en', `Panel test ${uniq()}`, '--name-zh', '評審測試機構',
    '--type', type];
  if (type === 'company') {
    brSeq += 1;
    args.push('--br', String(70000000 + (process.pid % 10000) * 100 + brSeq));
  }
  const r = itfctl(args);
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout);
}

async function addUser(roles, { org, authority, name } = {}) {
  const email = `${uniq('pnl')}@example.hk`;
  const args = ['user', 'add', '--email', email, '--name', name || email.split('@')[0]];
  for (const role of [].concat(roles)) args.push('--role', role);
  if (org) args.push('--org', String(org));
  if (authority !== undefined) args.push('--authority-cents', String(authority));
  const r = itfctl(args, PW + '\n');
  assert.equal(r.status, 0, r.stderr);
  const res = await api('POST', '/api/v1/session', { body: { email, password: PW } });
  expectStatus(res, 200, `login ${email}`);
  const c = res.headers.getSetCookie().find((s) => s.startsWith('itf_session='));
  return { id: Number(r.stdout), email, name: name || email.split('@')[0], cookie: c.split(';')[0] };
}

function as(u, method, path, body, opts = {}) {
  return api(method, path, { ...opts, body, cookie: u ? u.cookie : undefined });
}

// What a refusal must leave untouched.
const snapshot = () => psql(`SELECT concat_ws(',',
  (SELECT count(*) FROM panels), (SELECT count(*) FROM panel_members),
  (SELECT count(*) FROM panel_meetings), (SELECT count(*) FROM meeting_items),
  (SELECT count(*) FROM conflict_declarations), (SELECT count(*) FROM panel_scores),
  (SELECT coalesce(sum(score), 0) FROM panel_scores),
  (SELECT count(*) FROM recommendations), (SELECT count(*) FROM partner_assessments),
  (SELECT count(*) FROM decisions), (SELECT count(*) FROM audit_log),
  (SELECT count(*) FROM notifications), (SELECT count(*) FROM application_events),
  (SELECT count(*) FROM ledger_entries), (SELECT count(*) FROM projects),
  (SELECT string_agg(status, '' ORDER BY id) FROM applications))`);

async function unchanged(fn) {
  const before = snapshot();
  await fn();
  assert.equal(snapshot(), before, 'a refusal wrote something');
}

// The cast.
const coA = addOrg('company');
const coB = addOrg('company');
const coC = addOrg('company');
const uni = addOrg('university');
const appA = await addUser('applicant', { org: coA });
const appB = await addUser('applicant', { org: coB });
const appC = await addUser('applicant', { org: coC });
const appU = await addUser('applicant', { org: uni });
// Screens every application here, and could approve: the same-person rule.
const screener = await addUser(['officer', 'approver'], { authority: 1e12 });
const officer = await addUser('officer', { name: 'Officer Chan' });
const chair = await addUser('panel_member', { name: 'Prof Lee (chair)' });
const m2 = await addUser('panel_member', { name: 'Dr Wong' });
const m3 = await addUser('panel_member', { name: 'Ms Ho' });
const m4 = await addUser('panel_member', { name: 'Mr Cheung' });
const memberApprover = await addUser(['panel_member', 'approver'], { authority: 1e12, name: 'Mr Lam' });
const outsider = await addUser('panel_member');
const expired = await addUser('panel_member');
const approver = await addUser('approver', { authority: 10000000000 });	// HK$100M
const smallApprover = await addUser('approver', { authority: 10000000 });	// HK$100k
const finance = await addUser('finance');
const auditor = await addUser('auditor');

function essBody(title) {
  return {
    scheme: 'ESS', title, summary: 'In-house R&D of autonomous picking robots.',
    start_date: '2027-01-01', end_date: '2027-12-31',
    budget_lines: [{ category: 'manpower', amount_cents: 60000000 },
      { category: 'equipment', amount_cents: 40000000 }],
    milestones: [{ title: 'Prototype', due_date: '2027-06-30' }],
    fields: { project_title: title },
  };
}

function rfsBody(title) {
  return {
    scheme: 'RFS', title, summary: 'A new smart production line.',
    start_date: '2027-01-01', end_date: '2027-12-31',
    budget_lines: [{ category: 'equipment', amount_cents: 30000000 }],
    fields: { project_title: title, production_line: 'Automated moulding line',
      production_site: 'Tai Po Industrial Estate' },
  };
}

function mhkBody(title) {
  return {
    scheme: 'MHKJFS', title, summary: 'Joint research with a Mainland partner.',
    start_date: '2027-01-01', end_date: '2027-12-31',
    budget_lines: [{ category: 'manpower', amount_cents: 10000000 }],
    milestones: [{ title: 'Joint report', due_date: '2027-12-01' }],
    fields: { project_title: title, project_type: 'collaborative',
      mainland_partner: 'Tsinghua University', theme: 'Advanced manufacturing' },
  };
}

// Draft, submit, accept at screening: an application under assessment.
async function underAssessment(applicant, body) {
  let r = await as(applicant, 'POST', '/api/v1/applications', body);
  expectStatus(r, 201, 'create');
  const id = r.json.id;
  expectStatus(await as(applicant, 'POST', `/api/v1/applications/${id}/submit`), 200, 'submit');
  r = await as(screener, 'POST', `/api/v1/applications/${id}/screen`, { decision: 'accept' });
  expectStatus(r, 200, 'accept');
  assert.equal(r.json.status, 'under_assessment');
  return r.json;
}

const criteria = {};
for (const code of ['ESS', 'RFS', 'MHKJFS']) {
  const r = expectStatus(await api('GET', `/api/v1/schemes/${code}`), 200);
  criteria[code] = r.json.criteria.map((c) => c.id);
}
const allScores = (code, v) => Object.fromEntries(criteria[code].map((c, i) =>
  [c, typeof v === 'function' ? v(i) : v]));

const appPath = (id, what) => `/api/v1/applications/${id}/${what}`;
const declare = (u, id, conflict, reason) =>
  as(u, 'POST', appPath(id, 'conflicts'), reason ? { conflict, reason } : { conflict });
const score = (u, id, scores) => as(u, 'POST', appPath(id, 'scores'), { scores });
const status = (id) => psql(`SELECT status FROM applications WHERE id = ${id}`);

// A panel of a scheme with the usual members and a meeting today.
async function panelWithMeeting(scheme, names) {
  let r = await as(officer, 'POST', '/api/v1/panels', { scheme, ...names });
  expectStatus(r, 201, 'panel');
  const panel = r.json;
  for (const [u, role] of [[chair, 'chair'], [m2, 'member'], [m3, 'member'], [m4, 'member'],
    [memberApprover, 'member']]) {
    expectStatus(await as(officer, 'POST', `/api/v1/panels/${panel.id}/members`,
      { user_id: u.id, role, ...TERM }), 201, 'appoint');
  }
  r = await as(officer, 'POST', '/api/v1/meetings', { panel_id: panel.id, meeting_date: today });
  expectStatus(r, 201, 'meeting');
  return { panel, meeting: r.json };
}

async function onAgenda(meeting, ids) {
  expectStatus(await as(officer, 'POST', `/api/v1/meetings/${meeting.id}/agenda`,
    { application_ids: ids }), 200, 'agenda');
}

// Declarations of no conflict and full scores from the given members.
async function assess(id, code, members, v = 7) {
  for (const u of members) {
    expectStatus(await declare(u, id, false), 200, 'declare');
    expectStatus(await score(u, id, allScores(code, v)), 200, 'score');
  }
}

// Money in the block vote, so approvals can be committed.
async function fund(amount) {
  expectStatus(await as(finance, 'POST', '/api/v1/ledger/injections', {
    amount_cents: amount, paper_ref: 'FCR(2026-27)99', approved_on: today,
  }), 201, 'injection');
}

const S = {};

test('panels: officers set them up per scheme, bilingual, quorum from the scheme', async () => {
  let r = await as(officer, 'POST', '/api/v1/panels',
    { scheme: 'ess', name_en: 'ESS Assessment Panel', name_zh: '企業支援計劃評審委員會' });
  expectStatus(r, 201);
  assert.equal(r.json.scheme, 'ESS');
  assert.equal(r.json.quorum, 3, 'the scheme\'s panel_quorum');
  assert.equal(r.json.name_zh, '企業支援計劃評審委員會');
  assert.deepEqual(r.json.members, []);
  S.essPanel = r.json;
  assert.equal(psql(`SELECT count(*) FROM audit_log WHERE action = 'panel.create'
    AND record_id = '${r.json.id}'`), '1');

  r = await as(officer, 'POST', '/api/v1/panels',
    { scheme: 'RFS', name_en: 'RFS Assessment Committee', name_zh: '再工業化資助計劃評審委員會', quorum: 4 });
  expectStatus(r, 201);
  assert.equal(r.json.quorum, 4);
  const rfs4 = r.json.id;

  await unchanged(async () => {
    expectError(await as(m2, 'POST', '/api/v1/panels',
      { scheme: 'ESS', name_en: 'X', name_zh: 'X' }), 403, 'forbidden');
    expectError(await as(approver, 'POST', '/api/v1/panels',
      { scheme: 'ESS', name_en: 'X', name_zh: 'X' }), 403, 'forbidden');
    expectError(await as(officer, 'POST', '/api/v1/panels',
      { scheme: 'XYZ', name_en: 'X', name_zh: 'X' }), 422, 'invalid', 'scheme');
    expectError(await as(officer, 'POST', '/api/v1/panels',
      { scheme: 'ESS', name_en: 'X' }), 422, 'invalid', 'name_zh');
    expectError(await as(officer, 'POST', '/api/v1/panels',
      { scheme: 'ESS', name_en: 'X', name_zh: 'X', quorum: 0 }), 422, 'invalid', 'quorum');
    expectError(await as(officer, 'POST', '/api/v1/panels',
      { scheme: 'ESS', name_en: 'X', name_zh: 'X', quorum: '3' }), 400, 'bad_request', 'quorum');
    expectError(await as(officer, 'POST', '/api/v1/panels',
      { scheme: 'ESS', name_en: 'X', name_zh: 'X', chair: 1 }), 400, 'bad_request', 'chair');
    expectError(await as(officer, 'POST', '/api/v1/panels',
      { scheme: 'ESS', name_en: 'X', name_zh: 'X' }, { csrf: false }), 403, 'forbidden', 'x-itf-request');
    expectError(await api('POST', '/api/v1/panels',
      { body: { scheme: 'ESS', name_en: 'X', name_zh: 'X' } }), 401, 'unauthenticated');
  });

  r = expectStatus(await as(officer, 'GET', '/api/v1/panels?scheme=rfs'), 200);
  assert.ok(r.json.panels.some((p) => p.id === rfs4));
  assert.ok(r.json.panels.every((p) => p.scheme === 'RFS'));
  expectError(await as(appA, 'GET', '/api/v1/panels'), 403, 'forbidden');
  expectError(await as(officer, 'GET', '/api/v1/panels?colour=red'), 400, 'bad_request', 'colour');
  expectError(await as(officer, 'GET', '/api/v1/panels/999999999'), 404, 'not_found');
});

test('members: only panel_member users, with terms, one chair', async () => {
  const p = S.essPanel.id;
  const appoint = (u, role, term = TERM) =>
    as(officer, 'POST', `/api/v1/panels/${p}/members`, { user_id: u.id, role, ...term });
  for (const [u, role] of [[m2, 'chair'], [m3, 'member'], [m4, 'member'], [memberApprover, 'member']])
    expectStatus(await appoint(u, role), 201);
  // A new chair: the old one stays as a member.
  let r = expectStatus(await appoint(chair, 'chair'), 201);
  const roles = Object.fromEntries(r.json.members.map((m) => [m.user_id, m.role]));
  assert.equal(roles[chair.id], 'chair');
  assert.equal(roles[m2.id], 'member');
  assert.equal(r.json.members.filter((m) => m.role === 'chair').length, 1);
  // Re-appointing renews the term: 200, no second row.
  r = expectStatus(await appoint(m3, 'member', { term_from: '2021-01-01', term_to: '2035-12-31' }), 200);
  assert.equal(r.json.members.find((m) => m.user_id === m3.id).term_from, '2021-01-01');
  assert.equal(psql(`SELECT count(*) FROM panel_members WHERE panel_id = ${p} AND user_id = ${m3.id}`), '1');
  // A term that ended before today's meeting.
  expectStatus(await appoint(expired, 'member', { term_from: '2019-01-01', term_to: '2020-12-31' }), 201);
  assert.equal(psql(`SELECT string_agg(action, ',' ORDER BY id) FROM audit_log
    WHERE record_type = 'panel' AND record_id = '${p}' AND action LIKE 'panel.member%'`),
  'panel.member.appoint,panel.member.appoint,panel.member.appoint,panel.member.appoint,' +
    'panel.member.appoint,panel.member.reappoint,panel.member.appoint');

  await unchanged(async () => {
    expectError(await appoint(officer, 'member'), 422, 'invalid', 'user_id');
    expectError(await appoint(approver, 'member'), 422, 'invalid', 'user_id');
    expectError(await as(officer, 'POST', `/api/v1/panels/${p}/members`,
      { user_id: 999999999, ...TERM }), 422, 'invalid', 'user_id');
    expectError(await appoint(outsider, 'member', { term_from: '2026-01-01', term_to: '2025-12-31' }),
      422, 'invalid', 'term_to');
    expectError(await appoint(outsider, 'member', { term_from: '2026-02-30', term_to: '2027-01-01' }),
      422, 'invalid', 'term_from');
    expectError(await appoint(outsider, 'vice_chair'), 422, 'invalid', 'role');
    expectError(await as(officer, 'POST', `/api/v1/panels/${p}/members`,
      { user_id: outsider.id, ...TERM, expertise: 'AI' }), 400, 'bad_request', 'expertise');
    expectError(await as(m2, 'POST', `/api/v1/panels/${p}/members`,
      { user_id: outsider.id, ...TERM }), 403, 'forbidden');
    expectError(await as(officer, 'POST', '/api/v1/panels/999999999/members',
      { user_id: outsider.id, ...TERM }), 404, 'not_found');
  });

  // Staff see every member by name; a member only its own appointment.
  r = expectStatus(await as(approver, 'GET', `/api/v1/panels/${p}`), 200);
  assert.equal(r.json.members.length, 6);
  assert.equal(r.json.members[0].name, 'Prof Lee (chair)');
  r = expectStatus(await as(m3, 'GET', `/api/v1/panels/${p}`), 200);
  assert.deepEqual(r.json.members.map((m) => m.user_id), [m3.id]);
  assert.equal(r.json.members_count, 6);
  expectError(await as(outsider, 'GET', `/api/v1/panels/${p}`), 404, 'not_found');
  r = expectStatus(await as(m3, 'GET', '/api/v1/panels'), 200);
  assert.deepEqual(r.json.panels.map((x) => x.id), [p]);
});

test('meetings and agendas: only applications under assessment of the panel\'s scheme', async () => {
  S.app1 = await underAssessment(appA, essBody(`Warehouse robots ${uniq()}`));
  S.app2 = await underAssessment(appA, essBody(`Cold chain sensors ${uniq()}`));
  assert.equal(S.app1.requested_cents, 50000000);

  let r = await as(officer, 'POST', '/api/v1/meetings',
    { panel_id: S.essPanel.id, meeting_date: today, venue: 'Science Park, Conference Hall 2' });
  expectStatus(r, 201);
  S.meeting = r.json;
  assert.equal(S.meeting.panel.scheme, 'ESS');
  assert.equal(S.meeting.meeting_date, today);
  assert.deepEqual(S.meeting.agenda, []);
  // Members whose term covers the date take part; the expired one does not.
  assert.equal(S.meeting.participants_count, 5);
  assert.ok(!S.meeting.participants.some((x) => x.user_id === expired.id));

  const draft = expectStatus(await as(appA, 'POST', '/api/v1/applications',
    essBody(`Draft ${uniq()}`)), 201).json;
  const rfs = await underAssessment(appC, rfsBody(`Other scheme ${uniq()}`));
  S.rfsSpare = rfs;
  const agenda = (body, u = officer) => as(u, 'POST', `/api/v1/meetings/${S.meeting.id}/agenda`, body);
  await unchanged(async () => {
    let e = expectError(await agenda({ application_ids: [S.app1.id, draft.id] }), 422, 'invalid',
      'application_ids[1]');
    assert.match(e.json.error.message, /draft/);
    e = expectError(await agenda({ application_ids: [rfs.id] }), 422, 'invalid', 'application_ids[0]');
    assert.match(e.json.error.message, new RegExp(rfs.reference.replace(/\//g, '\\/')));
    assert.match(e.json.error.message, /RFS/);
    expectError(await agenda({ application_ids: [999999999] }), 422, 'invalid', 'application_ids[0]');
    expectError(await agenda({ application_ids: [S.app1.id, S.app1.id] }), 422, 'invalid',
      'application_ids[1]');
    expectError(await agenda({ application_ids: [] }), 422, 'invalid', 'application_ids');
    expectError(await agenda({ application_ids: ['1'] }), 400, 'bad_request', 'application_ids[0]');
    expectError(await agenda({ application_ids: [S.app1.id], notes: 'x' }), 400, 'bad_request', 'notes');
    expectError(await agenda({ application_ids: [S.app1.id] }, chair), 403, 'forbidden');
    expectError(await as(officer, 'POST', '/api/v1/meetings', { panel_id: 999999999, meeting_date: today }),
      422, 'invalid', 'panel_id');
    expectError(await as(officer, 'POST', '/api/v1/meetings', { panel_id: S.essPanel.id }),
      422, 'invalid', 'meeting_date');
    expectError(await as(chair, 'POST', '/api/v1/meetings', { panel_id: S.essPanel.id, meeting_date: today }),
      403, 'forbidden');
  });
  r = expectStatus(await agenda({ application_ids: [S.app1.id, S.app2.id] }), 200);
  assert.deepEqual(r.json.agenda.map((i) => [i.seq, i.application.id]), [[1, S.app1.id], [2, S.app2.id]]);
  assert.equal(psql(`SELECT count(*) FROM audit_log WHERE action = 'meeting.agenda.add'
    AND record_id = '${S.meeting.id}'`), '1');
  // One agenda per application.
  const other = expectStatus(await as(officer, 'POST', '/api/v1/meetings',
    { panel_id: S.essPanel.id, meeting_date: '2035-01-01' }), 201).json;
  await unchanged(async () => {
    const e = expectError(await as(officer, 'POST', `/api/v1/meetings/${other.id}/agenda`,
      { application_ids: [S.app1.id] }), 409, 'conflict', 'application_ids[0]');
    assert.match(e.json.error.message, /already on the agenda/);
  });
});

test('what members see: their meetings\' agendas, nothing else', async () => {
  let r = expectStatus(await as(m2, 'GET', `/api/v1/meetings/${S.meeting.id}/agenda`), 200);
  assert.equal(r.json.agenda.length, 2);
  assert.equal(r.json.agenda[0].application.title, S.app1.title);
  assert.equal(r.json.agenda[0].application.organisation.id, coA);
  assert.equal(r.json.agenda[0].your_declaration, null);
  r = expectStatus(await as(chair, 'GET', `/api/v1/meetings/${S.meeting.id}`), 200);
  assert.deepEqual(r.json.you, { role: 'chair' });
  assert.deepEqual(r.json.participants, [], 'names are for staff');
  expectError(await as(outsider, 'GET', `/api/v1/meetings/${S.meeting.id}`), 404, 'not_found');
  expectError(await as(outsider, 'GET', `/api/v1/meetings/${S.meeting.id}/agenda`), 404, 'not_found');
  expectError(await as(expired, 'GET', `/api/v1/meetings/${S.meeting.id}/agenda`), 404, 'not_found');
  expectError(await as(appA, 'GET', `/api/v1/meetings/${S.meeting.id}`), 403, 'forbidden');
  expectError(await as(officer, 'GET', '/api/v1/meetings/999999999'), 404, 'not_found');
  r = expectStatus(await as(auditor, 'GET', `/api/v1/meetings/${S.meeting.id}`), 200);
  assert.equal(r.json.participants.length, 5);
  // The assessment view: members of the meeting, staff, the applicant.
  expectStatus(await as(m2, 'GET', appPath(S.app1.id, 'recommendation')), 200);
  expectError(await as(outsider, 'GET', appPath(S.app1.id, 'recommendation')), 404, 'not_found');
  expectError(await as(appB, 'GET', appPath(S.app1.id, 'recommendation')), 404, 'not_found');
});

test('the applications read path lets an agenda\'s members in', async () => {
  expectStatus(await as(m2, 'GET', `/api/v1/applications/${S.app1.id}`), 200);
  expectError(await as(outsider, 'GET', `/api/v1/applications/${S.app1.id}`), 404, 'not_found');
});

test('conflicts: declared before scoring, with a reason, never withdrawn, audited and listed', async () => {
  const id = S.app1.id;
  await unchanged(async () => {
    expectError(await score(m4, id, allScores('ESS', 5)), 409, 'invalid_state', 'conflict');
    expectError(await declare(m4, id, true), 422, 'invalid', 'reason');
    expectError(await declare(m4, id, true, '   '), 422, 'invalid', 'reason');
    expectError(await declare(m4, id, false, 'none really'), 422, 'invalid', 'reason');
    expectError(await as(m4, 'POST', appPath(id, 'conflicts'), { conflict: 'no' }), 400, 'bad_request', 'conflict');
    expectError(await as(m4, 'POST', appPath(id, 'conflicts'), {}), 422, 'invalid', 'conflict');
    expectError(await as(m4, 'POST', appPath(id, 'conflicts'), { conflict: false, when: 1 }), 400,
      'bad_request', 'when');
    expectError(await declare(outsider, id, false), 404, 'not_found');
    expectError(await declare(expired, id, false), 404, 'not_found');
    expectError(await declare(officer, id, false), 403, 'forbidden');
    expectError(await declare(m4, 999999999, false), 404, 'not_found');
    expectError(await declare(m4, S.rfsSpare.id, false), 404, 'not_found');
  });
  let r = expectStatus(await declare(m4, id, true, 'Director of the applicant company until 2025'), 200);
  assert.equal(r.json.conflict, true);
  expectStatus(await declare(memberApprover, id, true, 'Shareholder of the applicant'), 200);
  // Declaring the same again changes nothing; withdrawing is refused.
  const audits = psql(`SELECT count(*) FROM audit_log WHERE action = 'conflict.declare'`);
  expectStatus(await declare(m4, id, true, 'Director of the applicant company until 2025'), 200);
  assert.equal(psql(`SELECT count(*) FROM audit_log WHERE action = 'conflict.declare'`), audits);
  await unchanged(async () => {
    expectError(await declare(m4, id, false), 409, 'invalid_state', 'conflict');
  });
  assert.equal(psql(`SELECT reason FROM audit_log WHERE action = 'conflict.declare'
    AND record_id = '${id}' AND actor_id = ${m4.id}`), 'Director of the applicant company until 2025');

  // A no-conflict declaration may become a conflict: the scores go.
  expectStatus(await declare(m3, id, false), 200);
  expectStatus(await score(m3, id, { innovation_technology: 9 }), 200);
  expectStatus(await declare(m3, id, true, 'Discovered a family tie to the applicant'), 200);
  assert.equal(psql(`SELECT count(*) FROM panel_scores WHERE application_id = ${id} AND user_id = ${m3.id}`), '0');
  assert.match(psql(`SELECT before::text FROM audit_log WHERE action = 'conflict.declare'
    AND actor_id = ${m3.id} ORDER BY id DESC LIMIT 1`), /"innovation_technology": 9/);

  // The conflicted cannot read the application here...
  r = expectStatus(await as(m4, 'GET', `/api/v1/meetings/${S.meeting.id}/agenda`), 200);
  const item = r.json.agenda.find((i) => i.application.id === id);
  assert.equal(item.withheld, true);
  assert.deepEqual(Object.keys(item.application).sort(), ['id', 'reference']);
  assert.equal(item.your_declaration.conflict, true);
  assert.equal(r.json.agenda.find((i) => i.application.id === S.app2.id).application.title, S.app2.title);
  expectError(await as(m4, 'GET', appPath(id, 'recommendation')), 403, 'forbidden');
  // ...nor score it.
  await unchanged(async () => {
    expectError(await score(m4, id, allScores('ESS', 5)), 403, 'forbidden', 'conflict');
  });

  // Listed per meeting: names and reasons to staff, labels to members.
  r = expectStatus(await as(officer, 'GET', `/api/v1/meetings/${S.meeting.id}/declarations`), 200);
  const decls = r.json.items.find((i) => i.application_id === id).declarations;
  assert.equal(decls.length, 3);
  const byName = Object.fromEntries(decls.map((d) => [d.member.name, d]));
  assert.equal(byName['Mr Cheung'].reason, 'Director of the applicant company until 2025');
  assert.equal(byName['Ms Ho'].conflict, true);
  r = expectStatus(await as(m2, 'GET', `/api/v1/meetings/${S.meeting.id}/declarations`), 200);
  const seen = r.json.items.find((i) => i.application_id === id).declarations;
  assert.ok(seen.every((d) => /^Member \d+$/.test(d.member.label) && !('name' in d.member)));
  assert.ok(seen.every((d) => !('reason' in d)));
  r = expectStatus(await as(m4, 'GET', `/api/v1/meetings/${S.meeting.id}/declarations`), 200);
  const own = r.json.items.find((i) => i.application_id === id).declarations.filter((d) => d.member.you);
  assert.equal(own.length, 1);
  assert.equal(own[0].reason, 'Director of the applicant company until 2025');
  expectError(await as(appA, 'GET', `/api/v1/meetings/${S.meeting.id}/declarations`), 403, 'forbidden');
});

test('scores: per criterion of the scheme, weighted total computed, updates not duplicates', async () => {
  const id = S.app1.id;
  expectStatus(await declare(chair, id, false), 200);
  expectStatus(await declare(m2, id, false), 200);
  await unchanged(async () => {
    expectError(await score(m2, id, { innovation_technology: 11 }), 422, 'invalid',
      'scores.innovation_technology');
    expectError(await score(m2, id, { innovation_technology: -1 }), 422, 'invalid',
      'scores.innovation_technology');
    expectError(await score(m2, id, { innovation_technology: 5, smart_production: 5 }), 422, 'invalid',
      'scores.smart_production');
    expectError(await score(m2, id, { innovation_technology: 7.5 }), 400, 'bad_request',
      'scores.innovation_technology');
    expectError(await score(m2, id, { innovation_technology: '7' }), 400, 'bad_request',
      'scores.innovation_technology');
    expectError(await score(m2, id, {}), 422, 'invalid', 'scores');
    expectError(await score(m2, id, [7]), 400, 'bad_request', 'scores');
    expectError(await as(m2, 'POST', appPath(id, 'scores'), { scores: { community_policy: 7 },
      weighted_total_bp: 10000 }), 400, 'bad_request', 'weighted_total_bp');
    expectError(await score(officer, id, { community_policy: 7 }), 403, 'forbidden');
    expectError(await score(outsider, id, { community_policy: 7 }), 404, 'not_found');
  });
  // 7, 8, 6, 9, 5 at 20% each: 70% = 7000 basis points.
  let r = expectStatus(await score(chair, id, { innovation_technology: 7, technical_management: 8 }), 200);
  assert.equal(r.json.complete, false);
  assert.equal(r.json.weighted_total_bp, null);
  assert.deepEqual(r.json.missing, ['financial_considerations', 'commercial_viability', 'community_policy']);
  r = expectStatus(await score(chair, id, { financial_considerations: 6, commercial_viability: 9,
    community_policy: 5 }), 200);
  assert.equal(r.json.complete, true);
  assert.equal(r.json.weighted_total_bp, 7000);
  // A second score for a criterion replaces the first.
  r = expectStatus(await score(chair, id, { community_policy: 10 }), 200);
  assert.equal(r.json.scores.community_policy, 10);
  assert.equal(r.json.weighted_total_bp, 8000);
  assert.equal(psql(`SELECT count(*) FROM panel_scores WHERE application_id = ${id}
    AND user_id = ${chair.id}`), '5');
  assert.match(psql(`SELECT before::text || after::text FROM audit_log WHERE action = 'score.record'
    AND actor_id = ${chair.id} ORDER BY id DESC LIMIT 1`), /"community_policy": 5.*"community_policy": 10/);
  expectStatus(await score(m2, id, allScores('ESS', 6)), 200);
});

test('recommendation: only when a quorum of unconflicted members has scored everything', async () => {
  const id = S.app1.id;
  // Two complete scorers (chair, m2) against a quorum of 3; m3 and m4 are conflicted.
  await unchanged(async () => {
    const e = expectError(await as(chair, 'POST', appPath(id, 'recommendation'),
      { recommendation: 'support', reasons: 'Sound plan' }), 409, 'invalid_state', 'quorum');
    assert.match(e.json.error.message, /2 unconflicted/);
  });
  // A third member scores part of the framework: still no quorum.
  const third = await addUser('panel_member', { name: 'Dr Yip' });
  expectStatus(await as(officer, 'POST', `/api/v1/panels/${S.essPanel.id}/members`,
    { user_id: third.id, ...TERM }), 201);
  S.third = third;
  expectStatus(await declare(third, id, false), 200);
  expectStatus(await score(third, id, { innovation_technology: 8 }), 200);
  await unchanged(async () => {
    expectError(await as(chair, 'POST', appPath(id, 'recommendation'),
      { recommendation: 'support', reasons: 'Sound plan' }), 409, 'invalid_state', 'quorum');
  });
  expectStatus(await score(third, id, allScores('ESS', 8)), 200);

  // The scoresheet: named for officers, labelled for others; the mean of
  // 80%, 60% and 80% is 73.33% -> 7333 basis points.
  let r = expectStatus(await as(officer, 'GET', `/api/v1/meetings/${S.meeting.id}/scoresheet`), 200);
  assert.equal(r.json.members_named, true);
  assert.equal(r.json.criteria.length, 5);
  let item = r.json.items.find((i) => i.application_id === id);
  assert.equal(item.complete_scorers, 3);
  assert.equal(item.quorum_met, true);
  assert.equal(item.decidable, true);
  assert.equal(item.conflicted, 3);
  assert.equal(item.mean_weighted_total_bp, 7333);
  assert.deepEqual(item.scorers.map((s) => s.member.name).sort(),
    ['Dr Wong', 'Dr Yip', 'Prof Lee (chair)']);
  assert.deepEqual(item.scorers.map((s) => s.weighted_total_bp).sort(), [6000, 8000, 8000]);
  for (const u of [m2, approver, auditor]) {
    r = expectStatus(await as(u, 'GET', `/api/v1/meetings/${S.meeting.id}/scoresheet`), 200);
    assert.equal(r.json.members_named, false);
    item = r.json.items.find((i) => i.application_id === id);
    assert.ok(item.scorers.every((s) => !('name' in s.member) && !('user_id' in s.member)
      && /^Member \d+$/.test(s.member.label)));
  }
  r = expectStatus(await as(m4, 'GET', `/api/v1/meetings/${S.meeting.id}/scoresheet`), 200);
  item = r.json.items.find((i) => i.application_id === id);
  assert.equal(item.withheld, true);
  assert.equal(item.scorers, undefined);
  expectError(await as(appA, 'GET', `/api/v1/meetings/${S.meeting.id}/scoresheet`), 403, 'forbidden');

  const rec = (u, body) => as(u, 'POST', appPath(id, 'recommendation'), body);
  await unchanged(async () => {
    expectError(await rec(m2, { recommendation: 'support', reasons: 'x' }), 403, 'forbidden');
    expectError(await rec(m4, { recommendation: 'support', reasons: 'x' }), 403, 'forbidden', 'conflict');
    expectError(await rec(approver, { recommendation: 'support', reasons: 'x' }), 403, 'forbidden');
    expectError(await rec(chair, { recommendation: 'support_with_conditions', reasons: 'x',
      conditions: 'Trim the budget', recommended_cents: 50000001 }), 422, 'invalid', 'recommended_cents');
    expectError(await rec(chair, { recommendation: 'support_with_conditions', reasons: 'x' }),
      422, 'invalid', 'conditions');
    expectError(await rec(chair, { recommendation: 'support', reasons: 'x', conditions: 'y' }),
      422, 'invalid', 'conditions');
    expectError(await rec(chair, { recommendation: 'support' }), 422, 'invalid', 'reasons');
    expectError(await rec(chair, { recommendation: 'strongly_support', reasons: 'x' }), 422, 'invalid',
      'recommendation');
    expectError(await rec(chair, { recommendation: 'support', reasons: 'x', score: 90 }), 400,
      'bad_request', 'score');
  });
  r = expectStatus(await rec(chair, { recommendation: 'support_with_conditions',
    reasons: 'Strong team; the equipment budget is high.', conditions: 'Equipment capped at HK$300,000',
    recommended_cents: 40000000 }), 201);
  assert.equal(r.json.application.status, 'recommended');
  assert.equal(r.json.recommendation.recommendation, 'support_with_conditions');
  assert.equal(r.json.recommendation.recommended_cents, 40000000);
  assert.equal(r.json.recommendation.weighted_total_bp, 7333);
  assert.equal(r.json.recommendation.scorers, 3);
  assert.equal(r.json.recommendation.recorded_as, 'chair');
  assert.equal(r.json.decision, null);
  assert.equal(status(id), 'recommended');
  assert.equal(psql(`SELECT string_agg(action, ',' ORDER BY id) FROM audit_log WHERE record_type = 'application'
    AND record_id = '${id}' AND action IN ('recommendation.record', 'application.recommend')`),
  'recommendation.record,application.recommend');
  assert.equal(psql(`SELECT from_status || '>' || to_status FROM application_events
    WHERE application_id = ${id} ORDER BY id DESC LIMIT 1`), 'under_assessment>recommended');
  assert.equal(psql(`SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id
    WHERE n.record_id = ${id} AND n.kind = 'application.recommended' AND u.org_id = ${coA}`), '1');
  // Decided: no more declarations, scores or recommendations.
  await unchanged(async () => {
    expectError(await rec(chair, { recommendation: 'support', reasons: 'again' }), 409, 'invalid_state');
    expectError(await score(chair, id, { community_policy: 1 }), 409, 'invalid_state', 'status');
    expectError(await declare(third, id, true, 'late'), 409, 'invalid_state', 'status');
  });
  // The applicant sees the outcome, not the panel's reasoning.
  r = expectStatus(await as(appA, 'GET', appPath(id, 'recommendation')), 200);
  assert.deepEqual(r.json.recommendation, { outcome: 'recommended' });
});

test('approvers read the applications waiting for their decision, nothing earlier', async () => {
  // app1 is recommended (above); app2 is still under assessment.
  let r = expectStatus(await as(approver, 'GET', `/api/v1/applications/${S.app1.id}`), 200);
  assert.equal(r.json.status, 'recommended');
  assert.equal(r.json.title, S.app1.title);
  assert.deepEqual(r.json.allowed_actions, [], 'the decision is taken at POST .../decision');
  assert.ok(r.json.history.every((h) => !('actor' in h)), 'who screened it stays internal');
  expectStatus(await as(approver, 'GET',
    `/api/v1/applications/by-reference/${S.app1.reference}`), 200);
  const e = expectError(await as(approver, 'GET', `/api/v1/applications/${S.app2.id}`), 403,
    'forbidden', 'status');
  assert.match(e.json.error.message, /under_assessment/);
  // The list: only what awaits a decision or is decided, whatever the filter asks.
  const decidable = ['recommended', 'not_recommended', 'approved', 'agreement_signed', 'rejected'];
  r = expectStatus(await as(approver, 'GET', `/api/v1/applications?organisation=${coA}&limit=100`), 200);
  assert.ok(r.json.applications.some((a) => a.id === S.app1.id));
  assert.ok(!r.json.applications.some((a) => a.id === S.app2.id));
  assert.ok(r.json.applications.every((a) => decidable.includes(a.status)), JSON.stringify(r.json));
  r = expectStatus(await as(approver, 'GET', '/api/v1/applications?status=recommended&limit=100'), 200);
  assert.ok(r.json.applications.some((a) => a.id === S.app1.id));
  assert.ok(r.json.applications.every((a) => a.status === 'recommended'));
  r = expectStatus(await as(approver, 'GET', '/api/v1/applications?status=under_assessment,draft'), 200);
  assert.deepEqual(r.json.applications, []);
  // A member-approver who declared a conflict on it may not read it.
  expectError(await as(memberApprover, 'GET', `/api/v1/applications/${S.app1.id}`), 403, 'forbidden');
  // Finance still has no access to applications.
  expectError(await as(finance, 'GET', `/api/v1/applications/${S.app1.id}`), 403, 'forbidden');
  expectError(await as(finance, 'GET', '/api/v1/applications'), 403, 'forbidden');
});

test('decision: authority, same-person rules, caps and ledger in one transaction', async () => {
  const id = S.app1.id;
  const decide = (u, body) => as(u, 'POST', appPath(id, 'decision'), body);
  const approve = { decision: 'approve', reasons: 'Within the scheme\'s objectives; conditions apply.' };
  await unchanged(async () => {
    expectError(await decide(officer, approve), 403, 'forbidden');
    expectError(await decide(appA, approve), 403, 'forbidden');
    expectError(await decide(chair, approve), 403, 'forbidden');
    // HK$400,000 recommended, HK$100,000 authority.
    let e = expectError(await decide(smallApprover, approve), 403, 'forbidden', 'authority_cents');
    assert.match(e.json.error.message, /HK\$100,000\.00/);
    assert.match(e.json.error.message, /HK\$400,000\.00/);
    // The officer who screened it.
    e = expectError(await decide(screener, approve), 403, 'forbidden', 'screened_by');
    assert.match(e.json.error.message, /screened/);
    // A panel member who declared a conflict on it.
    e = expectError(await decide(memberApprover, approve), 403, 'forbidden', 'conflict');
    assert.match(e.json.error.message, /conflict of interest/);
    expectError(await decide(approver, { decision: 'approve' }), 422, 'invalid', 'reasons');
    expectError(await decide(approver, { decision: 'approved', reasons: 'x' }), 422, 'invalid', 'decision');
    expectError(await decide(approver, { ...approve, amount_cents: 1 }), 400, 'bad_request', 'amount_cents');
    expectError(await as(approver, 'POST', appPath(999999999, 'decision'), approve), 404, 'not_found');
  });

  // No money uncommitted in the block vote: refused, nothing written.
  const avail = Number(psql(`SELECT balance_cents FROM ledger_accounts WHERE code = 'H111-101'`));
  if (avail > 0) {
    expectStatus(await as(finance, 'POST', '/api/v1/ledger/transfers', { from: 'H111-101',
      to: 'H111-090', amount_cents: avail, paper_ref: 'FCR(2026-27)98', approved_on: today }), 201,
    'transfer away');
  }
  await unchanged(async () => {
    expectError(await decide(approver, approve), 409, 'conflict');
  });

  await fund(100000000000);
  const entries = Number(psql('SELECT count(*) FROM ledger_entries'));
  const r = expectStatus(await decide(approver, approve), 201);
  assert.equal(r.json.application.status, 'approved');
  assert.equal(r.json.decision.decision, 'approve');
  assert.equal(r.json.decision.approved_cents, 40000000);
  assert.equal(r.json.decision.decided_by, approver.id);
  assert.ok(r.json.decision.ledger_entry_id > 0);
  assert.equal(Number(psql('SELECT count(*) FROM ledger_entries')), entries + 1);
  assert.equal(psql(`SELECT kind || ':' || amount_cents || ':' || project_id FROM ledger_entries
    WHERE id = ${r.json.decision.ledger_entry_id}`), `commitment:40000000:${id}`);
  assert.equal(status(id), 'approved');
  assert.equal(psql(`SELECT decided_at IS NOT NULL FROM applications WHERE id = ${id}`), 't');
  // The project, awaiting signature, for the approved amount (projects.h's hook).
  assert.equal(psql(`SELECT status || ':' || approved_cents FROM projects WHERE id = ${id}`),
    'awaiting_signature:40000000');
  assert.equal(psql(`SELECT authority_cents FROM decisions WHERE application_id = ${id}`), '10000000000');
  assert.equal(psql(`SELECT string_agg(action, ',' ORDER BY id) FROM audit_log WHERE record_type = 'application'
    AND record_id = '${id}' AND action IN ('decision.record', 'application.approve')`),
  'decision.record,application.approve');
  // The organisation is told, with the amount and the reasons.
  const msg = psql(`SELECT message_en FROM notifications WHERE user_id = ${appA.id}
    AND kind = 'application.approved' AND record_id = ${id}`);
  assert.match(msg, /HK\$400,000\.00/);
  assert.match(msg, /conditions apply/);
  assert.match(psql(`SELECT message_zh FROM notifications WHERE user_id = ${appA.id}
    AND kind = 'application.approved' AND record_id = ${id}`), /已獲批准/);
  // Once only.
  await unchanged(async () => {
    expectError(await decide(approver, approve), 409, 'invalid_state');
    expectError(await decide(approver, { decision: 'reject', reasons: 'changed mind' }), 409, 'invalid_state');
  });
  // The applicant sees the decision and its reasons, not who took it.
  const seen = expectStatus(await as(appA, 'GET', appPath(id, 'recommendation')), 200).json;
  assert.equal(seen.decision.decision, 'approve');
  assert.equal(seen.decision.reasons, approve.reasons);
  assert.equal(seen.decision.decided_by, undefined);
});

test('not supported: an officer records it for a conflicted chair; reject, never approve', async () => {
  const id = S.app2.id;
  // The chair is conflicted on this one: it can neither read nor recommend.
  expectStatus(await declare(chair, id, true, 'Adviser to the applicant'), 200);
  for (const u of [m2, m3, m4]) {
    expectStatus(await declare(u, id, false), 200);
    expectStatus(await score(u, id, allScores('ESS', 3)), 200);
  }
  const rec = { recommendation: 'not_support', reasons: 'Weak commercial case; little R&D content.' };
  await unchanged(async () => {
    expectError(await as(chair, 'POST', appPath(id, 'recommendation'), rec), 403, 'forbidden', 'conflict');
    expectError(await as(chair, 'GET', appPath(id, 'recommendation')), 403, 'forbidden');
  });
  let r = expectStatus(await as(officer, 'POST', appPath(id, 'recommendation'), rec), 201);
  assert.equal(r.json.application.status, 'not_recommended');
  assert.equal(r.json.recommendation.recorded_as, 'officer');
  assert.equal(r.json.recommendation.recommended_cents, null);
  assert.equal(r.json.recommendation.weighted_total_bp, 3000);
  await unchanged(async () => {
    expectError(await as(approver, 'POST', appPath(id, 'decision'), { decision: 'approve', reasons: 'x' }),
      409, 'invalid_state', 'decision');
  });
  r = expectStatus(await as(approver, 'POST', appPath(id, 'decision'),
    { decision: 'reject', reasons: 'As the panel advised: weak commercial case.' }), 201);
  assert.equal(r.json.application.status, 'rejected');
  assert.equal(r.json.decision.approved_cents, null);
  assert.equal(r.json.decision.ledger_entry_id, null);
  assert.match(psql(`SELECT message_en FROM notifications WHERE user_id = ${appA.id}
    AND kind = 'application.rejected' AND record_id = ${id}`), /rejected.*weak commercial case/);
});

test('MHKJFS: MOST and ITC\'s panel must both support it', async () => {
  const { meeting } = await panelWithMeeting('MHKJFS',
    { name_en: 'ITF Research Projects Assessment Panel (MHKJFS)', name_zh: '創新及科技基金研究項目評審委員會' });
  const a = await underAssessment(appU, mhkBody(`Joint lab ${uniq()}`));
  const b = await underAssessment(appU, mhkBody(`Joint sensors ${uniq()}`));
  const c = await underAssessment(appU, mhkBody(`Joint materials ${uniq()}`));
  await onAgenda(meeting, [a.id, b.id, c.id]);
  const most = (u, id, body) => as(u, 'POST', appPath(id, 'partner-assessment'), body);
  const yes = { supported: true, reference: 'MOST-2026-0042', assessed_on: today, notes: '同意資助' };

  await assess(a.id, 'MHKJFS', [chair, m2, m3], 8);
  const support = { recommendation: 'support', reasons: 'Excellent joint platform.' };
  await unchanged(async () => {
    // ITC's panel alone cannot carry it.
    expectError(await as(chair, 'POST', appPath(a.id, 'recommendation'), support), 409,
      'invalid_state', 'partner_assessment');
    expectError(await most(chair, a.id, yes), 403, 'forbidden');
    expectError(await most(approver, a.id, yes), 403, 'forbidden');
    expectError(await most(officer, S.app1.id, yes), 422, 'invalid', 'scheme');
    expectError(await most(officer, S.rfsSpare.id, yes), 422, 'invalid', 'scheme');
    expectError(await most(officer, a.id, { ...yes, supported: undefined }), 422, 'invalid', 'supported');
    expectError(await most(officer, a.id, { ...yes, supported: 'yes' }), 400, 'bad_request', 'supported');
    expectError(await most(officer, a.id, { ...yes, reference: '' }), 422, 'invalid', 'reference');
    expectError(await most(officer, a.id, { ...yes, assessed_on: '2099-01-01' }), 422, 'invalid', 'assessed_on');
    expectError(await most(officer, a.id, { ...yes, score: 1 }), 400, 'bad_request', 'score');
  });
  let r = expectStatus(await most(officer, a.id, yes), 201);
  assert.equal(r.json.partner_assessment.supported, true);
  assert.equal(r.json.partner_assessment.reference, 'MOST-2026-0042');
  assert.equal(r.json.application.status, 'under_assessment');
  await unchanged(async () => {
    expectError(await most(officer, a.id, yes), 409, 'conflict', 'partner_assessment');
  });
  r = expectStatus(await as(chair, 'POST', appPath(a.id, 'recommendation'), support), 201);
  assert.equal(r.json.application.status, 'recommended');

  // MOST does not support b: it goes no further, whatever the panel thinks.
  r = expectStatus(await most(officer, b.id, { ...yes, supported: false, reference: 'MOST-2026-0043' }), 201);
  assert.equal(r.json.application.status, 'not_recommended');
  assert.equal(psql(`SELECT count(*) FROM notifications WHERE user_id = ${appU.id}
    AND kind = 'application.not_recommended' AND record_id = ${b.id}`), '1');
  await unchanged(async () => {
    expectError(await declare(chair, b.id, false), 409, 'invalid_state');
    expectError(await as(chair, 'POST', appPath(b.id, 'recommendation'), support), 409, 'invalid_state');
  });

  // MOST supports c, ITC's panel does not.
  expectStatus(await most(officer, c.id, { ...yes, reference: 'MOST-2026-0044' }), 201);
  await assess(c.id, 'MHKJFS', [chair, m2, m3], 4);
  r = expectStatus(await as(chair, 'POST', appPath(c.id, 'recommendation'),
    { recommendation: 'not_support', reasons: 'Overlaps an existing ITF project.' }), 201);
  assert.equal(r.json.application.status, 'not_recommended');

  // Only the one both support can be approved.
  r = expectStatus(await as(approver, 'POST', appPath(a.id, 'decision'),
    { decision: 'approve', reasons: 'Supported by MOST and the panel.' }), 201);
  assert.equal(r.json.application.status, 'approved');
  assert.equal(r.json.decision.approved_cents, a.requested_cents);
  for (const id of [b.id, c.id]) {
    expectError(await as(approver, 'POST', appPath(id, 'decision'),
      { decision: 'approve', reasons: 'x' }), 409, 'invalid_state');
  }
});

test('approval re-checks the cumulative caps, locking the organisation', async () => {
  const { meeting } = await panelWithMeeting('RFS',
    { name_en: 'RFS Assessment Committee', name_zh: '再工業化資助計劃評審委員會' });
  const apps = [];
  for (let i = 0; i < 3; i++)
    apps.push(await underAssessment(appB, rfsBody(`Smart line ${i} ${uniq()}`)));
  await onAgenda(meeting, apps.map((x) => x.id));
  for (const x of apps) {
    await assess(x.id, 'RFS', [chair, m2, m3], (i) => 5 + i);
    expectStatus(await as(chair, 'POST', appPath(x.id, 'recommendation'),
      { recommendation: 'support', reasons: 'Good automation case.' }), 201);
  }
  assert.equal(apps[0].requested_cents, 10000000);	// 1/3 of HK$300,000
  await fund(10000000000);

  // Projects approved before (fixtures): RFS-2024 allows HK$45M and three
  // projects an applicant.
  let n = 0;
  const approvedBefore = (cents) => {
    n += 1;
    return Number(psql(`INSERT INTO applications (org_id, scheme_code, status, title, start_date,
      end_date, total_cost_cents, requested_cents, rule_version, reference, submitted_on)
      VALUES (${coB}, 'RFS', 'approved', 'Earlier line', '2025-01-01', '2025-12-31', 0, ${cents},
      'RFS-2024', 'ZZ/${String(process.pid % 10000).padStart(4, '0')}${n}/25', '2025-01-01') RETURNING id`));
  };
  const ok = { decision: 'approve', reasons: 'Recommended by the committee.' };
  let fixtures = [approvedBefore(4495000000)];	// HK$44.95M
  await unchanged(async () => {
    const e = expectError(await as(approver, 'POST', appPath(apps[0].id, 'decision'), ok), 409,
      'conflict', 'per_applicant_cap_cents');
    assert.match(e.json.error.message, /HK\$44,950,000\.00/);
  });
  psql(`DELETE FROM applications WHERE id IN (${fixtures.join(',')})`);

  // Two approved already: of two concurrent approvals only one fits.
  fixtures = [approvedBefore(10000000), approvedBefore(10000000)];
  const [r0, r1] = await Promise.all([
    as(approver, 'POST', appPath(apps[0].id, 'decision'), ok),
    as(approver, 'POST', appPath(apps[1].id, 'decision'), ok),
  ]);
  const codes = [r0.status, r1.status].sort();
  assert.deepEqual(codes, [201, 409], `${r0.text} ${r1.text}`);
  const refused = r0.status === 409 ? r0 : r1;
  assert.equal(refused.json.error.field, 'max_projects');
  assert.equal(psql(`SELECT count(*) FROM applications WHERE org_id = ${coB} AND scheme_code = 'RFS'
    AND status = 'approved'`), '3');
  assert.equal(psql(`SELECT count(*) FROM decisions d JOIN applications a ON a.id = d.application_id
    WHERE a.org_id = ${coB}`), '1');
  await unchanged(async () => {
    expectError(await as(approver, 'POST', appPath(apps[2].id, 'decision'), ok), 409, 'conflict',
      'max_projects');
  });
  // A rejection needs no room under the caps.  Reasons may run to 4,000
  // characters: the decision keeps them whole, the history's note (at most
  // 2,000) their beginning.
  const long = `The applicant has reached the scheme's limit of projects. ${'理由'.repeat(1700)}`;
  expectStatus(await as(approver, 'POST', appPath(apps[2].id, 'decision'),
    { decision: 'reject', reasons: long }), 201);
  assert.equal(psql(`SELECT reasons FROM decisions WHERE application_id = ${apps[2].id}`), long);
  const h = expectStatus(await as(appB, 'GET', `/api/v1/applications/${apps[2].id}`), 200).json.history;
  assert.equal(h.at(-1).action, 'reject');
  assert.equal(h.at(-1).to, 'rejected');
  assert.equal([...h.at(-1).note].length, 2000);
  assert.ok(long.startsWith(h.at(-1).note));
  psql(`DELETE FROM applications WHERE id IN (${fixtures.join(',')})`);
});

test('methods and routes', async () => {
  let r = await as(officer, 'DELETE', `/api/v1/panels/${S.essPanel.id}`);
  assert.equal(r.status, 405);
  assert.equal(r.headers.get('allow'), 'GET');
  r = await as(officer, 'GET', appPath(S.app1.id, 'decision'));
  assert.equal(r.status, 405);
  r = await as(officer, 'PUT', `/api/v1/meetings/${S.meeting.id}/agenda`, {});
  assert.equal(r.status, 405);
  expectError(await as(officer, 'GET', `/api/v1/meetings/${S.meeting.id}/minutes`), 404, 'not_found');
  // The applications engineer's own routes still answer behind ours.
  expectStatus(await as(officer, 'GET', `/api/v1/applications/${S.app1.id}`), 200);
  // Every change left an audit row with the acting user.
  assert.equal(psql(`SELECT count(*) FROM audit_log WHERE action IN ('panel.create', 'meeting.create',
    'meeting.agenda.add', 'conflict.declare', 'score.record', 'recommendation.record',
    'partner_assessment.record', 'decision.record') AND actor_id IS NULL`), '0');
});
