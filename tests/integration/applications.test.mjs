// Applications (issue 3): drafts and their validation, submission with the
// contribution computed by the scheme's funding model and a reference number,
// screening (start, return with a note, resubmit, accept), withdrawal, the
// list with filters and keyset pages, lookup by reference, duplicate-funding
// screening, the authorisation matrix, and the per-applicant cap race.
//
// TVP closed after 2024-12-31, so its tests run against a second Kore that
// this file starts with ITF_FAKE_TODAY=2021-06-01 on the same database.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import http from 'node:http';
import os from 'node:os';
import {
  api, expectStatus, expectError, itfctl, psql, psqlTry, uniq, projectsFixture,
} from './lib.mjs';
import { startService, stopKore } from './service.mjs';

const PW = 'correct horse battery staple';
const hkToday = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
const YY = hkToday().slice(2, 4);

let brSeq = 0;
function addOrg(type = 'company') {
  const args = ['org', 'add', '--name-en', `Applicant ${uniq()}`, '--name-zh', '申請機構',
    '--type', type];
  if (type === 'company') {
    brSeq += 1;
    args.push('--br', String(60000000 + (process.pid % 10000) * 100 + brSeq));
  }
  const r = itfctl(args);
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout);
}

async function addUser(roles, org) {
  const email = `${uniq('app')}@example.hk`;
  const args = ['user', 'add', '--email', email];
  for (const role of [].concat(roles)) args.push('--role', role);
  if (org) args.push('--org', String(org));
  const r = itfctl(args, PW + '\n');
  assert.equal(r.status, 0, r.stderr);
  const res = await api('POST', '/api/v1/session', { body: { email, password: PW } });
  expectStatus(res, 200, `login ${email}`);
  const c = res.headers.getSetCookie().find((s) => s.startsWith('itf_session='));
  return { id: Number(r.stdout), email, org, cookie: c.split(';')[0] };
}

// One call as user u (null: no session).
function as(u, method, path, body, opts = {}) {
  return api(method, path, { ...opts, body, cookie: u ? u.cookie : undefined });
}

function essBody(over = {}) {
  return {
    scheme: 'ESS',
    title: 'Smart warehouse robotics',
    summary: 'In-house research and development of autonomous picking robots.',
    start_date: '2027-01-01',
    end_date: '2027-12-31',
    budget_lines: [
      { category: 'manpower', description: 'Two engineers', amount_cents: 60000000 },
      { category: 'equipment', amount_cents: 40000000 },
    ],
    milestones: [{ title: 'Prototype', deliverables: 'A working prototype', due_date: '2027-06-30' }],
    fields: { project_title: 'Smart warehouse robotics' },
    ...over,
  };
}

function tvpBody(cost, over = {}) {
  return {
    scheme: 'TVP',
    title: `Cloud ERP adoption ${uniq()}`,
    summary: 'Adopt a cloud ERP system with a technology service provider.',
    start_date: '2021-07-01',
    end_date: '2022-06-30',
    budget_lines: [{ category: 'services', description: 'ERP consultancy', amount_cents: cost }],
    fields: { service_provider: 'HKPC', quotation_ref: 'Q-1', quotation_cents: cost },
    ...over,
  };
}

const counts = () => psql(`SELECT (SELECT count(*) FROM applications) || ',' ||
  (SELECT count(*) FROM application_budget_lines) || ',' ||
  (SELECT count(*) FROM application_milestones) || ',' ||
  (SELECT count(*) FROM application_events) || ',' ||
  (SELECT count(*) FROM audit_log WHERE record_type = 'application') || ',' ||
  (SELECT count(*) FROM notifications WHERE record_type = 'application')`);

const notes = (user, kind, appId) => Number(psql(`SELECT count(*) FROM notifications
  WHERE user_id = ${user.id} AND kind = '${kind}' AND record_id = ${appId}`));

// The cast: two companies, a university, and one user of each other role.
const coA = addOrg('company');
const coB = addOrg('company');
const uni = addOrg('university');
const appA = await addUser('applicant', coA);
const appA2 = await addUser('applicant', coA);
const appB = await addUser('applicant', coB);
const appU = await addUser('applicant', uni);
const officer = await addUser('officer');
const auditor = await addUser('auditor');
const panel = await addUser('panel_member');
const approver = await addUser('approver');
const finance = await addUser('finance');
const admin = await addUser('admin');

async function create(user, body) {
  const r = await as(user, 'POST', '/api/v1/applications', body);
  expectStatus(r, 201, 'create');
  return r.json;
}

async function submitted(user, body) {
  const a = await create(user, body);
  const r = await as(user, 'POST', `/api/v1/applications/${a.id}/submit`);
  expectStatus(r, 200, 'submit');
  return r.json;
}

const state = {};

test('a draft is created for the applicant\'s organisation', async () => {
  const a = await create(appA, essBody());
  assert.equal(a.status, 'draft');
  assert.equal(a.reference, null);
  assert.equal(a.scheme, 'ESS');
  assert.equal(a.organisation.id, coA);
  assert.equal(a.total_cost_cents, 100000000);
  assert.equal(a.requested_cents, null);
  assert.equal(a.version, 1);
  assert.deepEqual(a.budget_lines.map((l) => l.description), ['Two engineers', '']);
  assert.equal(a.milestones[0].due_date, '2027-06-30');
  assert.deepEqual(a.allowed_actions, ['edit', 'submit', 'withdraw']);
  assert.deepEqual(a.history.map((h) => [h.action, h.from, h.to]), [['create', null, 'draft']]);
  assert.equal(psql(`SELECT action FROM audit_log WHERE record_type = 'application'
    AND record_id = '${a.id}'`), 'application.create');
  // Lengths are characters: 200 Chinese characters make a valid title.
  const zh = await create(appA, essBody({ title: '智'.repeat(200) }));
  assert.equal(zh.title.length, 200);
  state.draft = a;
});

test('bad input is refused naming the field, and nothing is written', async () => {
  const before = counts();
  const cases = [
    [{ ...essBody(), colour: 'red' }, 400, 'bad_request', 'colour'],
    [{ ...essBody(), scheme: undefined }, 422, 'invalid', 'scheme'],
    [essBody({ scheme: 'NOPE' }), 422, 'invalid', 'scheme'],
    [essBody({ scheme: 5 }), 400, 'bad_request', 'scheme'],
    [{ ...essBody(), title: undefined }, 422, 'invalid', 'title'],
    [essBody({ title: '' }), 422, 'invalid', 'title'],
    [essBody({ title: '   ' }), 422, 'invalid', 'title'],
    [essBody({ title: 'x'.repeat(201) }), 422, 'invalid', 'title'],
    [essBody({ title: 'two\nlines' }), 422, 'invalid', 'title'],
    [essBody({ summary: 5 }), 400, 'bad_request', 'summary'],
    [essBody({ summary: 'y'.repeat(5001) }), 422, 'invalid', 'summary'],
    [essBody({ start_date: '2021-02-30' }), 422, 'invalid', 'start_date'],
    [essBody({ start_date: '2021-2-3' }), 422, 'invalid', 'start_date'],
    [essBody({ start_date: 20210203 }), 400, 'bad_request', 'start_date'],
    [essBody({ end_date: '2026-12-31' }), 422, 'invalid', 'end_date'],
    [essBody({ end_date: '2027-01-01' }), 422, 'invalid', 'end_date'],
    [essBody({ budget_lines: [{ category: 'travel', amount_cents: -1 }] }), 422, 'invalid',
      'budget_lines[0].amount_cents'],
    [essBody({ budget_lines: [{ category: 'travel', amount_cents: 1.5 }] }), 400, 'bad_request',
      'budget_lines[0].amount_cents'],
    [essBody({ budget_lines: [{ category: 'travel', amount_cents: '100' }] }), 400, 'bad_request',
      'budget_lines[0].amount_cents'],
    [essBody({ budget_lines: [{ category: 'travel' }] }), 422, 'invalid',
      'budget_lines[0].amount_cents'],
    [essBody({ budget_lines: [{ category: 'bribes', amount_cents: 1 }] }), 422, 'invalid',
      'budget_lines[0].category'],
    [essBody({ budget_lines: [{ category: 'travel', amount_cents: 100, government_cents: 75 }] }),
      400, 'bad_request', 'budget_lines[0].government_cents'],
    [essBody({ budget_lines: [{ category: 'travel', amount_cents: 1, colour: 'red' }] }), 400,
      'bad_request', 'budget_lines[0].colour'],
    [essBody({ budget_lines: Array(101).fill({ category: 'travel', amount_cents: 1 }) }), 422,
      'invalid', 'budget_lines'],
    [essBody({ budget_lines: 'lots' }), 400, 'bad_request', 'budget_lines'],
    [essBody({ milestones: [{ title: 'Late', due_date: '2028-01-01' }] }), 422, 'invalid',
      'milestones[0].due_date'],
    [essBody({ milestones: [{ title: 'Early', due_date: '2026-12-31' }] }), 422, 'invalid',
      'milestones[0].due_date'],
    [essBody({ milestones: [{ due_date: '2027-03-01' }] }), 422, 'invalid', 'milestones[0].title'],
    [essBody({ milestones: [{ title: 'M', due_date: '2027-02-29' }] }), 422, 'invalid',
      'milestones[0].due_date'],
    [essBody({ fields: { colour: 'red' } }), 400, 'bad_request', 'fields.colour'],
    [essBody({ fields: { project_title: 5 } }), 400, 'bad_request', 'fields.project_title'],
    [essBody({ fields: { project_title: 'p'.repeat(301) } }), 422, 'invalid',
      'fields.project_title'],
    [essBody({ fields: 'none' }), 400, 'bad_request', 'fields'],
  ];
  for (const [body, status, code, field] of cases) {
    const r = await as(appA, 'POST', '/api/v1/applications', body);
    expectError(r, status, code, field);
  }
  // Money beyond int64, a total beyond int64, malformed JSON, not JSON.
  const raw = (text, opts = {}) => api('POST', '/api/v1/applications',
    { body: text, cookie: appA.cookie, ...opts });
  const line = (n) => `{"category":"travel","amount_cents":${n}}`;
  expectError(await raw(`{"scheme":"ESS","title":"T","budget_lines":[${line('9223372036854775808')}]}`),
    400, 'bad_request');
  expectError(await raw(`{"scheme":"ESS","title":"T","budget_lines":[${line('9223372036854775807')},${line(1)}]}`),
    422, 'invalid', 'budget_lines');
  expectError(await raw('{"scheme":"ESS","title":'), 400, 'bad_request');
  expectError(await raw('[1,2]'), 400, 'bad_request');
  expectError(await raw('{"scheme":"ESS","title":"T","title":"U"}'), 400, 'bad_request');
  expectError(await raw('scheme=ESS', { headers: { 'content-type': 'text/plain' } }), 400,
    'bad_request', 'content-type');
  expectError(await as(appA, 'POST', '/api/v1/applications?draft=1', essBody()), 400,
    'bad_request', 'draft');
  assert.equal(counts(), before, 'nothing was written by any refusal');
});

test('drafts are edited with PATCH; stale versions and the scheme are refused', async () => {
  const id = state.draft.id;
  let r = expectStatus(await as(appA, 'PATCH', `/api/v1/applications/${id}`, {
    title: 'Smart warehouse robots', version: 1, end_date: '2027-10-31',
    fields: { project_title: 'Robots' },
  }), 200);
  assert.equal(r.json.title, 'Smart warehouse robots');
  assert.equal(r.json.version, 2);
  assert.equal(r.json.end_date, '2027-10-31');
  assert.equal(r.json.fields.project_title, 'Robots');
  assert.equal(r.json.summary, state.draft.summary, 'untouched fields stay');
  assert.equal(r.json.budget_lines.length, 2);
  // Arrays are replaced whole.
  r = expectStatus(await as(appA, 'PATCH', `/api/v1/applications/${id}`, {
    budget_lines: [{ category: 'manpower', amount_cents: 80000000 },
      { category: 'equipment', amount_cents: 20000000 }, { category: 'audit', amount_cents: 1 }],
  }), 200);
  assert.equal(r.json.total_cost_cents, 100000001);
  assert.equal(r.json.budget_lines.length, 3);
  const before = counts();
  expectError(await as(appA, 'PATCH', `/api/v1/applications/${id}`, { title: 'X', version: 1 }),
    409, 'conflict', 'version');
  expectError(await as(appA, 'PATCH', `/api/v1/applications/${id}`, { scheme: 'TVP' }),
    400, 'bad_request', 'scheme');
  expectError(await as(appA, 'PATCH', `/api/v1/applications/${id}`, { title: null }),
    422, 'invalid', 'title');
  expectError(await as(appA, 'PATCH', `/api/v1/applications/${id}`, { colour: 'red' }),
    400, 'bad_request', 'colour');
  // A change that would put a milestone outside the period is refused whole.
  expectError(await as(appA, 'PATCH', `/api/v1/applications/${id}`,
    { title: 'Changed', end_date: '2027-05-31' }), 422, 'invalid', 'milestones[0].due_date');
  expectError(await as(appA, 'PATCH', `/api/v1/applications/${id}`, {}, { csrf: false }),
    403, 'forbidden', 'x-itf-request');
  assert.equal(counts(), before);
  r = expectStatus(await as(appA, 'GET', `/api/v1/applications/${id}`), 200);
  assert.equal(r.json.version, 3);
  assert.equal(r.json.title, 'Smart warehouse robots');
  // null removes a scheme field; the other user of the organisation edits too.
  r = expectStatus(await as(appA2, 'PATCH', `/api/v1/applications/${id}`,
    { fields: { project_title: null } }), 200);
  assert.deepEqual(r.json.fields, {});
  assert.ok(Number(psql(`SELECT count(*) FROM audit_log WHERE record_type = 'application'
    AND record_id = '${id}' AND action = 'application.update'`)) >= 3);
});

test('submission needs what the scheme needs, judged on the submission date', async () => {
  const a = await create(appA, { scheme: 'ESS', title: 'Incomplete' });
  const submit = () => as(appA, 'POST', `/api/v1/applications/${a.id}/submit`);
  const patch = (b) => as(appA, 'PATCH', `/api/v1/applications/${a.id}`, b).then((r) => expectStatus(r, 200));
  expectError(await submit(), 422, 'invalid', 'summary');
  await patch({ summary: 'Something' });
  expectError(await submit(), 422, 'invalid', 'start_date');
  await patch({ start_date: '2027-01-01', end_date: '2029-01-01' });
  // ESS projects last at most 24 months: 2027-01-01 .. 2028-12-31.
  let r = expectError(await submit(), 422, 'invalid', 'end_date');
  assert.match(r.json.error.message, /24 months.*2028-12-31/);
  await patch({ end_date: '2028-12-31' });
  expectError(await submit(), 422, 'invalid', 'budget_lines');
  await patch({ budget_lines: [{ category: 'equipment', amount_cents: 0 }] });
  expectError(await submit(), 422, 'invalid', 'budget_lines');
  await patch({ budget_lines: [{ category: 'equipment', amount_cents: 5000000 }] });
  expectError(await submit(), 422, 'invalid', 'milestones');
  await patch({ milestones: [{ title: 'Done', due_date: '2028-12-31' }] });
  r = expectError(await submit(), 422, 'invalid', 'fields.project_title');
  await patch({ fields: { project_title: '' } });
  expectError(await submit(), 422, 'invalid', 'fields.project_title');
  r = expectStatus(await as(appA, 'GET', `/api/v1/applications/${a.id}`), 200);
  assert.equal(r.json.status, 'draft');
  assert.equal(r.json.reference, null);
  // Not the applicant's type of organisation; a merged scheme; a closed one.
  const u = await create(appU, essBody());
  expectError(await as(appU, 'POST', `/api/v1/applications/${u.id}/submit`), 422, 'invalid',
    'org_type');
  const m = await create(appU, { ...essBody({ scheme: 'MRP', fields: {} }),
    fields: { project_title: 'P', theme: 'Elderly care', collaborative: true } });
  r = expectError(await as(appU, 'POST', `/api/v1/applications/${m.id}/submit`), 422, 'invalid',
    'scheme');
  assert.match(r.json.error.message, /closed after 2021-03-26 and was merged into ITSP/);
  const t = await create(appA, tvpBody(1000000));
  r = expectError(await as(appA, 'POST', `/api/v1/applications/${t.id}/submit`), 422, 'invalid',
    'scheme');
  assert.match(r.json.error.message, /closed after 2024-12-31/);
  state.incomplete = a;
});

test('submission computes the contribution, numbers it and tells the organisation', async () => {
  const id = state.incomplete.id;
  expectStatus(await as(appA, 'PATCH', `/api/v1/applications/${id}`, {
    fields: { project_title: 'Incomplete no more' },
    budget_lines: [{ category: 'manpower', amount_cents: 70000001 },
      { category: 'equipment', amount_cents: 29999999 }],
  }), 200);
  let r = expectStatus(await as(appA, 'POST', `/api/v1/applications/${id}/submit`), 200);
  const a = r.json;
  assert.equal(a.status, 'submitted');
  assert.match(a.reference, new RegExp(`^ESS/\\d{4}/${YY}$`));
  assert.equal(a.submitted_on, hkToday());
  // ESS: 1:1 matching, half of HK$1,000,000.
  assert.equal(a.requested_cents, 50000000);
  assert.equal(a.applicant_cents, 50000000);
  assert.equal(a.basis_cents, 100000000);
  assert.equal(a.rule_version, 'ESS-2015');
  assert.equal(a.capped_by, null);
  assert.equal(a.budget_lines.reduce((s, l) => s + l.government_cents, 0), 50000000);
  for (const l of a.budget_lines)
    assert.equal(l.government_cents + l.applicant_cents, l.amount_cents);
  assert.deepEqual(a.allowed_actions, ['withdraw']);
  assert.deepEqual(a.history.map((h) => h.action), ['create', 'submit']);
  // Every applicant user of the organisation is told, in the same transaction.
  assert.equal(notes(appA, 'application.submitted', id), 1);
  assert.equal(notes(appA2, 'application.submitted', id), 1);
  assert.equal(notes(appB, 'application.submitted', id), 0);
  assert.match(psql(`SELECT message_en || ' / ' || message_zh FROM notifications
    WHERE user_id = ${appA.id} AND record_id = ${id} AND kind = 'application.submitted'`),
  new RegExp(`${a.reference}.*已提交`));
  assert.equal(psql(`SELECT after->>'requested_cents' FROM audit_log WHERE record_type =
    'application' AND record_id = '${id}' AND action = 'application.submit'`), '50000000');
  // The next ESS reference this year is the next number; a big project hits the cap.
  const big = await submitted(appA, essBody({
    budget_lines: [{ category: 'equipment', amount_cents: 3000000000 }] }));
  const seq = (ref) => Number(ref.split('/')[1]);
  assert.equal(seq(big.reference), seq(a.reference) + 1);
  assert.equal(big.requested_cents, 1000000000);
  assert.equal(big.capped_by, 'per_project_cap_cents');
  assert.equal(psql(`SELECT last_seq FROM application_ref_counters WHERE prefix = 'ESS'
    AND year = ${Number(YY)}`), String(seq(big.reference)));
  // Submitting twice is an illegal move; so is editing a submitted one.
  const before = counts();
  expectError(await as(appA, 'POST', `/api/v1/applications/${id}/submit`), 409, 'invalid_state',
    'status');
  expectError(await as(appA, 'PATCH', `/api/v1/applications/${id}`, { title: 'Late edit' }), 409,
    'invalid_state', 'status');
  expectError(await as(appA, 'POST', `/api/v1/applications/${id}/submit`, { now: true }), 400,
    'bad_request', 'now');
  assert.equal(counts(), before);
  state.submitted = a;
  state.big = big;
});

test('screening: start, return with a note, edit, resubmit, accept', async () => {
  const id = state.submitted.id;
  const ref = state.submitted.reference;
  let r = expectStatus(await as(officer, 'POST', `/api/v1/applications/${id}/screen`,
    { decision: 'start' }), 200);
  assert.equal(r.json.status, 'screening');
  assert.deepEqual(r.json.allowed_actions, ['return', 'accept']);
  // A return needs a note, which the applicant sees.
  const before = counts();
  expectError(await as(officer, 'POST', `/api/v1/applications/${id}/screen`,
    { decision: 'return' }), 422, 'invalid', 'note');
  expectError(await as(officer, 'POST', `/api/v1/applications/${id}/screen`,
    { decision: 'return', note: '  ' }), 422, 'invalid', 'note');
  expectError(await as(officer, 'POST', `/api/v1/applications/${id}/screen`,
    { decision: 'return', note: 'n'.repeat(2001) }), 422, 'invalid', 'note');
  expectError(await as(officer, 'POST', `/api/v1/applications/${id}/screen`,
    { decision: 'approve' }), 422, 'invalid', 'decision');
  expectError(await as(officer, 'POST', `/api/v1/applications/${id}/screen`, {}), 422, 'invalid',
    'decision');
  expectError(await as(officer, 'POST', `/api/v1/applications/${id}/screen`,
    { decision: 'return', note: 'x', urgent: true }), 400, 'bad_request', 'urgent');
  expectError(await as(officer, 'POST', `/api/v1/applications/${id}/screen`,
    { decision: 7 }), 400, 'bad_request', 'decision');
  assert.equal(counts(), before);
  const note = 'Please explain the equipment line and attach two quotations.\n請提供報價。';
  r = expectStatus(await as(officer, 'POST', `/api/v1/applications/${id}/screen`,
    { decision: 'return', note }), 200);
  assert.equal(r.json.status, 'returned');
  assert.equal(notes(appA, 'application.returned', id), 1);
  assert.equal(notes(appA2, 'application.returned', id), 1);
  assert.match(psql(`SELECT message_en FROM notifications WHERE user_id = ${appA.id}
    AND record_id = ${id} AND kind = 'application.returned'`), /equipment line/);
  // The applicant sees the note and the history, but not which officer.
  r = expectStatus(await as(appA, 'GET', `/api/v1/applications/${id}`), 200);
  assert.equal(r.json.return_note, note);
  assert.deepEqual(r.json.allowed_actions, ['edit', 'resubmit', 'withdraw']);
  const ret = r.json.history.find((h) => h.action === 'return');
  assert.equal(ret.note, note);
  assert.equal(ret.actor, undefined);
  r = expectStatus(await as(auditor, 'GET', `/api/v1/applications/${id}`), 200);
  assert.equal(r.json.history.find((h) => h.action === 'return').actor, officer.email);
  // Edit and resubmit: the reference stays, the request is computed again.
  expectStatus(await as(appA, 'PATCH', `/api/v1/applications/${id}`, {
    budget_lines: [{ category: 'manpower', amount_cents: 70000000 },
      { category: 'equipment', amount_cents: 10000000 }] }), 200);
  r = expectStatus(await as(appA, 'POST', `/api/v1/applications/${id}/submit`), 200);
  assert.equal(r.json.status, 'resubmitted');
  assert.equal(r.json.reference, ref);
  assert.equal(r.json.submitted_on, state.submitted.submitted_on);
  assert.equal(r.json.requested_cents, 40000000);
  assert.ok(r.json.resubmitted_at);
  assert.equal(notes(officer, 'application.resubmitted', id), 0);
  assert.equal(notes(appA2, 'application.resubmitted', id), 1);
  // Accepting a resubmitted application passes through screening.
  r = expectStatus(await as(officer, 'POST', `/api/v1/applications/${id}/screen`,
    { decision: 'accept' }), 200);
  assert.equal(r.json.status, 'under_assessment');
  assert.deepEqual(r.json.history.map((h) => h.action),
    ['create', 'submit', 'start_screening', 'return', 'resubmit', 'start_screening', 'accept']);
  assert.equal(notes(appA, 'application.accepted', id), 1);
  assert.deepEqual(psql(`SELECT string_agg(action, ',' ORDER BY id) FROM audit_log
    WHERE record_type = 'application' AND record_id = '${id}' AND action NOT LIKE '%update'`)
    .split(','), ['application.create', 'application.submit', 'application.start_screening',
    'application.return', 'application.resubmit', 'application.start_screening',
    'application.accept']);
  assert.equal(psql(`SELECT string_agg(coalesce(from_status, '-') || '>' || to_status, ' '
    ORDER BY id) FROM application_events WHERE application_id = ${id}`),
  '->draft draft>submitted submitted>screening screening>returned returned>resubmitted '
    + 'resubmitted>screening screening>under_assessment');
  // A submitted application may be returned straight away, through screening.
  r = expectStatus(await as(officer, 'POST', `/api/v1/applications/${state.big.id}/screen`,
    { decision: 'return', note: 'Too big?' }), 200);
  assert.equal(r.json.status, 'returned');
  assert.deepEqual(r.json.history.slice(-2).map((h) => h.to), ['screening', 'returned']);
});

test('illegal moves are 409 and change nothing', async () => {
  const id = state.submitted.id;	// under_assessment
  const draft = state.draft.id;
  const before = counts();
  const v = (await as(appA, 'GET', `/api/v1/applications/${id}`)).json.version;
  for (const d of ['start', 'accept', 'return']) {
    expectError(await as(officer, 'POST', `/api/v1/applications/${id}/screen`,
      { decision: d, note: 'n' }), 409, 'invalid_state', 'status');
    expectError(await as(officer, 'POST', `/api/v1/applications/${draft}/screen`,
      { decision: d, note: 'n' }), 409, 'invalid_state', 'status');
  }
  expectError(await as(appA, 'POST', `/api/v1/applications/${id}/submit`), 409, 'invalid_state');
  expectError(await as(appA, 'PATCH', `/api/v1/applications/${id}`, { title: 'x' }), 409,
    'invalid_state');
  assert.equal(counts(), before);
  assert.equal((await as(appA, 'GET', `/api/v1/applications/${id}`)).json.version, v);
});

test('withdrawal before approval; not after', async () => {
  // From under assessment, with a reason; the organisation is told.
  const id = state.submitted.id;
  expectError(await as(appA, 'POST', `/api/v1/applications/${id}/withdraw`,
    { reason: 'r'.repeat(2001) }), 422, 'invalid', 'reason');
  expectError(await as(appA, 'POST', `/api/v1/applications/${id}/withdraw`, { why: 'x' }), 400,
    'bad_request', 'why');
  let r = expectStatus(await as(appA2, 'POST', `/api/v1/applications/${id}/withdraw`,
    { reason: 'Funded elsewhere' }), 200);
  assert.equal(r.json.status, 'withdrawn');
  assert.equal(r.json.reference, state.submitted.reference, 'the reference is kept');
  assert.equal(r.json.history.at(-1).note, 'Funded elsewhere');
  assert.deepEqual(r.json.allowed_actions, []);
  assert.equal(notes(appA, 'application.withdrawn', id), 1);
  assert.equal(psql(`SELECT reason FROM audit_log WHERE record_type = 'application' AND
    record_id = '${id}' AND action = 'application.withdraw'`), 'Funded elsewhere');
  // Withdrawn is final.
  const before = counts();
  expectError(await as(appA, 'POST', `/api/v1/applications/${id}/withdraw`), 409, 'invalid_state');
  expectError(await as(appA, 'POST', `/api/v1/applications/${id}/submit`), 409, 'invalid_state');
  expectError(await as(appA, 'PATCH', `/api/v1/applications/${id}`, { title: 'x' }), 409,
    'invalid_state');
  assert.equal(counts(), before);
  // A draft can be withdrawn too (nobody needs telling); with no body at all.
  const d = await create(appA, essBody({ title: 'Abandoned idea' }));
  r = expectStatus(await as(appA, 'POST', `/api/v1/applications/${d.id}/withdraw`), 200);
  assert.equal(r.json.status, 'withdrawn');
  assert.equal(r.json.reference, null);
  assert.equal(notes(appA, 'application.withdrawn', d.id), 0);
  // Approval comes with a later issue; the table already refuses it after approval.
  psql(`UPDATE applications SET status = 'approved' WHERE id = ${state.big.id}`);
  expectError(await as(appA, 'POST', `/api/v1/applications/${state.big.id}/withdraw`), 409,
    'invalid_state');
  psql(`UPDATE applications SET status = 'returned' WHERE id = ${state.big.id}`);
});

test('RTH: the allowance is computed from the talents list', async () => {
  const talents = [
    { name: 'Dr Chan', qualification: 'doctorate', months: 36 },
    { name: 'Ms Lee', qualification: 'master', months: 12 },
  ];
  const body = (t) => ({ scheme: 'RTH', title: 'Research talents for vision lab',
    summary: 'Two research talents.', start_date: '2027-01-01', end_date: '2029-12-31',
    fields: { talents: t } });
  const a = await submitted(appA, body(talents));
  // HK$32,000 x 36 + HK$21,000 x 12.
  assert.equal(a.requested_cents, 3200000 * 36 + 2100000 * 12);
  assert.equal(a.heads, 2);
  assert.equal(a.basis_cents, null);
  assert.match(a.reference, new RegExp(`^RTH/\\d{4}/${YY}$`));
  // Four talents at a time: two more overlapping are fine, a fifth is not.
  await submitted(appA, body(talents));
  const third = await create(appA, body([talents[0]]));
  expectError(await as(appA, 'POST', `/api/v1/applications/${third.id}/submit`), 422,
    'invalid', 'max_heads');
  // Field errors name the talent.
  expectError(await as(appA, 'POST', '/api/v1/applications', body(Array(5).fill(talents[0]))),
    422, 'invalid', 'fields.talents');
  expectError(await as(appA, 'POST', '/api/v1/applications',
    body([{ ...talents[0], qualification: 'wizard' }])), 422, 'invalid',
  'fields.talents[0].qualification');
  expectError(await as(appA, 'POST', '/api/v1/applications',
    body([{ ...talents[0], age: 30 }])), 400, 'bad_request', 'fields.talents[0].age');
  const long = await create(appB, body([{ ...talents[0], months: 40 }]));
  expectError(await as(appB, 'POST', `/api/v1/applications/${long.id}/submit`), 422, 'invalid',
    'max_months');
  const none = await create(appB, body([{ name: 'X', qualification: 'master' }]));
  expectError(await as(appB, 'POST', `/api/v1/applications/${none.id}/submit`), 422, 'invalid',
    'fields.talents[0].months');
});

test('CRS: the rebate is computed from the audited expenditure', async () => {
  const a = await submitted(appA, { scheme: 'CRS', title: 'Rebate on partnership project',
    summary: 'Partnership project with HKUST.', start_date: '2025-01-01', end_date: '2026-06-30',
    fields: { project_type: 'partnership_project', partnership_institute: 'HKUST',
      project_completed_on: '2026-06-30', audited_expenditure_cents: 250000001 } });
  assert.equal(a.requested_cents, 100000000);
  assert.equal(a.basis_cents, 250000001);
  assert.equal(a.rule_version, 'CRS-2016');
  state.crs = a;
});

test('authorisation: no session, each role, another organisation', async () => {
  const id = state.draft.id;
  const ref = state.crs.reference.split('/');
  const v0 = (await as(appA, 'GET', `/api/v1/applications/${id}`)).json.version;
  const endpoints = [
    ['GET', '/api/v1/applications'],
    ['POST', '/api/v1/applications', essBody()],
    ['GET', `/api/v1/applications/${id}`],
    ['PATCH', `/api/v1/applications/${id}`, { title: 'Hijacked' }],
    ['POST', `/api/v1/applications/${id}/submit`],
    ['POST', `/api/v1/applications/${id}/screen`, { decision: 'start' }],
    ['POST', `/api/v1/applications/${id}/withdraw`],
    ['GET', `/api/v1/applications/${id}/duplicates`],
    ['GET', `/api/v1/applications/by-reference/${ref.join('/')}`],
  ];
  const before = counts();
  for (const [m, p, b] of endpoints) {
    expectError(await as(null, m, p, b), 401, 'unauthenticated');
    // Approvers list what awaits their decision (panels.test.mjs).
    for (const u of [approver, finance, admin].filter((x) => x !== approver || p !== endpoints[0][1]))
      expectError(await as(u, m, p, b), 403, 'forbidden');
    // A panel member reads only what is on its agendas (panels.test.mjs).
    if (m === 'GET' && (p.endsWith(`/${id}`) || p.includes('by-reference')))
      expectError(await as(panel, m, p, b), 404, 'not_found');
    else
      expectError(await as(panel, m, p, b), 403, 'forbidden');
  }
  const seen = expectStatus(await as(approver, 'GET', '/api/v1/applications?limit=100'), 200).json;
  assert.ok(seen.applications.every((a) => ['recommended', 'not_recommended', 'approved',
    'agreement_signed', 'rejected'].includes(a.status)), JSON.stringify(seen));
  // Auditors read everything and change nothing.
  expectStatus(await as(auditor, 'GET', '/api/v1/applications'), 200);
  expectStatus(await as(auditor, 'GET', `/api/v1/applications/${id}`), 200);
  expectStatus(await as(auditor, 'GET', `/api/v1/applications/by-reference/${ref.join('/')}`), 200);
  for (const [m, p, b] of endpoints.filter(([m2]) => m2 !== 'GET')) {
    const r = expectError(await as(auditor, m, p, b), 403, 'forbidden');
    assert.match(r.json.error.message, /auditors|applicant/);
  }
  expectError(await as(auditor, 'GET', `/api/v1/applications/${id}/duplicates`), 403, 'forbidden');
  // Another organisation's applicant: the application does not exist.
  for (const [m, p, b] of [endpoints[2], endpoints[3], endpoints[4], endpoints[6], endpoints[8]])
    expectError(await as(appB, m, p, b), 404, 'not_found');
  expectError(await as(appB, 'POST', `/api/v1/applications/${id}/screen`, { decision: 'start' }),
    403, 'forbidden');
  expectError(await as(appB, 'GET', `/api/v1/applications/${id}/duplicates`), 403, 'forbidden');
  let r = expectStatus(await as(appB, 'GET', `/api/v1/applications?organisation=${coA}`), 200);
  assert.deepEqual(r.json.applications, []);
  // Officers read and screen, never write an applicant's application.
  expectStatus(await as(officer, 'GET', `/api/v1/applications/${id}`), 200);
  expectStatus(await as(officer, 'GET', `/api/v1/applications/${id}/duplicates`), 200);
  for (const [m, p, b] of [endpoints[1], endpoints[3], endpoints[4], endpoints[6]])
    expectError(await as(officer, m, p, b), 403, 'forbidden');
  // Writes without the CSRF header are refused before anything else.
  expectError(await as(appA, 'POST', `/api/v1/applications/${id}/submit`, undefined,
    { csrf: false }), 403, 'forbidden', 'x-itf-request');
  // Wrong methods, unknown ids and paths.
  expectStatus(await as(appA, 'DELETE', `/api/v1/applications/${id}`), 405);
  expectStatus(await as(appA, 'GET', `/api/v1/applications/${id}/submit`), 405);
  expectStatus(await as(appA, 'PUT', '/api/v1/applications'), 405);
  expectError(await as(officer, 'GET', '/api/v1/applications/999999999'), 404, 'not_found');
  expectError(await as(officer, 'GET', '/api/v1/applications/0'), 404, 'not_found');
  expectError(await as(officer, 'GET', '/api/v1/applications/abc'), 404, 'not_found');
  assert.equal(counts(), before, 'no refusal wrote anything');
  assert.equal((await as(appA, 'GET', `/api/v1/applications/${id}`)).json.version, v0);
});

test('the list: filters, stable keyset pages, bad parameters', async () => {
  const list = async (u, q) => expectStatus(await as(u, 'GET', `/api/v1/applications?${q}`), 200).json;
  const all = await list(officer, `organisation=${coA}&limit=100`);
  assert.ok(all.applications.length >= 8);
  const ids = all.applications.map((a) => a.id);
  assert.deepEqual(ids, [...ids].sort((x, y) => y - x), 'newest first');
  for (const a of all.applications) assert.equal(a.organisation.id, coA);
  // Page by page with the cursor: the same rows, once each.
  let got = [];
  let cursor = null;
  let pages = 0;
  do {
    const page = await list(officer, `organisation=${coA}&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
    assert.ok(page.applications.length <= 3);
    got = got.concat(page.applications.map((a) => a.id));
    cursor = page.next_cursor;
    pages += 1;
  } while (cursor && pages < 50);
  assert.deepEqual(got, ids);
  // Filters.
  let r = await list(officer, `organisation=${coA}&scheme=rth`);
  assert.ok(r.applications.length >= 3);
  assert.ok(r.applications.every((a) => a.scheme === 'RTH'));
  r = await list(officer, `organisation=${coA}&status=withdrawn,under_assessment`);
  assert.ok(r.applications.length >= 2);
  assert.ok(r.applications.every((a) => ['withdrawn', 'under_assessment'].includes(a.status)));
  r = await list(officer, `organisation=${coA}&submitted_from=${hkToday()}&submitted_to=${hkToday()}`);
  assert.ok(r.applications.length >= 3);
  assert.ok(r.applications.every((a) => a.submitted_on === hkToday()));
  r = await list(officer, `submitted_to=2000-01-01`);
  assert.deepEqual(r.applications, []);
  r = await list(officer, `reference=${encodeURIComponent(state.crs.reference)}`);
  assert.deepEqual(r.applications.map((a) => a.id), [state.crs.id]);
  // An applicant lists its own organisation only; others are 403.
  r = await list(appB, 'limit=100');
  assert.ok(r.applications.length >= 1);
  assert.ok(r.applications.every((a) => a.organisation.id === coB));
  r = await list(auditor, 'limit=1');
  assert.equal(r.applications.length, 1);
  assert.ok(r.next_cursor);
  for (const [q, field] of [['limit=0', 'limit'], ['limit=101', 'limit'], ['limit=x', 'limit'],
    ['cursor=-1', 'cursor'], ['status=approvedish', 'status'], ['status=', 'status'],
    ['scheme=NOPE', 'scheme'], ['organisation=0', 'organisation'],
    ['submitted_from=2021-02-30', 'submitted_from'],
    ['submitted_from=2021-03-01&submitted_to=2021-02-01', 'submitted_to'], ['sort=id', 'sort']])
    expectError(await as(officer, 'GET', `/api/v1/applications?${q}`), 400, 'bad_request', field);
});

test('lookup by reference', async () => {
  const ref = state.crs.reference;
  let r = expectStatus(await as(appA, 'GET', `/api/v1/applications/by-reference/${ref}`), 200);
  assert.equal(r.json.id, state.crs.id);
  assert.ok(Array.isArray(r.json.history));
  r = expectStatus(await as(officer, 'GET',
    `/api/v1/applications/by-reference/${ref.toLowerCase()}`), 200);
  assert.equal(r.json.reference, ref);
  expectError(await as(appB, 'GET', `/api/v1/applications/by-reference/${ref}`), 404, 'not_found',
    'reference');
  expectError(await as(officer, 'GET', '/api/v1/applications/by-reference/CRS/9999/99'), 404,
    'not_found', 'reference');
  expectError(await as(officer, 'GET', '/api/v1/applications/by-reference/CRS/1/21'), 404,
    'not_found');
});

test('duplicate-funding screening shows the organisation\'s others and similar ones', async () => {
  const mine = await submitted(appA, essBody({ title: 'Autonomous warehouse picking robots',
    summary: 'Research on autonomous picking robots for logistics warehouses in Hong Kong.' }));
  const theirs = await submitted(appB, essBody({ title: 'Autonomous warehouse picking robot arms',
    summary: 'Autonomous picking robot arms for warehouses.' }));
  const other = await submitted(appB, essBody({ title: 'Seaweed packaging materials',
    summary: 'Biodegradable packaging.' }));
  await create(appB, essBody({ title: 'Autonomous warehouse picking robots (draft)' }));
  const r = expectStatus(await as(officer, 'GET', `/api/v1/applications/${mine.id}/duplicates`), 200);
  assert.equal(r.json.application.reference, mine.reference);
  const sim = r.json.similar.find((x) => x.id === theirs.id);
  assert.ok(sim, 'the other organisation\'s similar application is listed');
  assert.equal(sim.reference, theirs.reference);
  assert.equal(sim.scheme, 'ESS');
  assert.equal(sim.status, 'submitted');
  assert.equal(sim.organisation.id, coB);
  assert.equal(sim.same_organisation, false);
  assert.ok(sim.title_similarity >= 0.3);
  assert.ok(!r.json.similar.some((x) => x.id === other.id), 'dissimilar ones are not');
  assert.ok(!r.json.similar.some((x) => x.status === 'draft'), 'drafts are not applications yet');
  assert.ok(!r.json.similar.some((x) => x.id === mine.id));
  // The organisation's other applications and projects, any scheme.
  const same = r.json.same_organisation;
  assert.ok(same.some((x) => x.scheme === 'RTH' && x.reference && x.status === 'submitted'));
  assert.ok(same.some((x) => x.id === state.crs.id && x.reference === state.crs.reference));
  assert.ok(same.every((x) => x.status !== 'draft' && x.id !== mine.id));
  assert.ok(same.some((x) => x.kind === 'project' || x.kind === 'application'));
  // The trigram indexes exist for this query.
  const idx = psql(`SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes
    WHERE tablename = 'applications' AND indexdef LIKE '%gin_trgm_ops%'`);
  assert.equal(idx, 'applications_summary_trgm,applications_title_trgm');
});

test('the database holds the invariants the code assumes', () => {
  const ref = state.crs.reference;
  // References are unique; the service role cannot delete or rewrite history.
  let r = psqlTry(`UPDATE applications SET reference = '${ref}', ref_seq = ref_seq + 1000
    WHERE id = ${state.submitted.id}`);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /applications_reference_unique/);
  r = psqlTry(`DELETE FROM applications WHERE id = ${state.draft.id}`, 'itf_app');
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /permission denied/);
  r = psqlTry(`UPDATE application_events SET note = 'rewritten'`, 'itf_app');
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /permission denied/);
  r = psqlTry(`UPDATE application_budget_lines SET amount_cents = -1 WHERE application_id = ${state.draft.id}`);
  assert.notEqual(r.status, 0);
  r = psqlTry(`UPDATE applications SET status = 'submitted' WHERE id = ${state.draft.id}`);
  assert.notEqual(r.status, 0, 'a submitted application needs its reference');
  assert.equal(itfctl(['audit', 'verify']).status, 0);
});

// ---- TVP, on a second service whose clock says 2021-06-01 -------------------

let fake = null;

async function startFakeToday(today) {
  return startService('kore-fake', 'the second service', {
    tmp: process.env.ITF_TEST_TMP || os.tmpdir(), tries: 300, workers: 2,
    env: { ...process.env, ITF_FAKE_TODAY: today },
    // Kore 4.1 leaves the accept lock with one worker until it holds
    // http_request_limit requests; at 1, a worker blocked in a handler lets
    // the other accept, so two submissions really run at once (as they
    // would on two hosts).
    edit: (c) => c.replace(/^http_request_limit.*$/m, 'http_request_limit\t1'),
  });
}

after(async () => { await stopKore(fake && fake.child, { ms: Infinity }); });

// The same calls against the second service.
async function fapi(user, method, path, body) {
  const headers = { cookie: user.cookie };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-itf-request'] = '1';
  const res = await fetch(fake.base + path, { method, headers,
    body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  return { status: res.status, json, text, headers: res.headers };
}

async function fakeSubmitted(user, body) {
  const a = await create(user, body);
  return expectStatus(await fapi(user, 'POST', `/api/v1/applications/${a.id}/submit`), 200).json;
}

// One submission on a connection of its own (no keep-alive), so a second one
// cannot queue behind the first on the same Kore worker.
function freshSubmit(user, id) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${fake.base}/api/v1/applications/${id}/submit`, {
      method: 'POST', agent: false,
      headers: { cookie: user.cookie, 'x-itf-request': '1', connection: 'close',
        'content-length': 0 },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => {
        let json = null;
        try { json = JSON.parse(text); } catch { json = null; }
        resolve({ status: res.statusCode, json, text });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const lockWaiters = () => Number(psql(`SELECT count(*) FROM pg_stat_activity
  WHERE application_name = 'itf' AND wait_event_type = 'Lock'`));

async function until(fn, what) {
  for (let i = 0; i < 400; i++) {
    if (fn()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

// Submit the drafts truly at once: psql holds the TVP/21 reference counter's
// row (the last thing a submission touches before it commits), the drafts
// are submitted one after another until every one of them is blocked inside
// PostgreSQL, then the counter is let go.  Without the organisation's lock
// each would have read the same committed total; with it, the first holds
// the lock and the others wait for it.
async function race(user, drafts) {
  const url = process.env.ITF_DATABASE_URL;
  const holder = spawn('psql', [url, '-Atq', '-v', 'ON_ERROR_STOP=1'],
    { stdio: ['pipe', 'pipe', 'inherit'] });
  const locked = once(holder.stdout, 'data');
  holder.stdin.write("BEGIN;\nSELECT last_seq FROM application_ref_counters "
    + "WHERE prefix = 'TVP' AND year = 21 FOR UPDATE;\n");
  await locked;
  const pending = [];
  try {
    for (const [i, d] of drafts.entries()) {
      pending.push(freshSubmit(user, d.id));
      await until(() => lockWaiters() >= i + 1, `submission ${i + 1} to block`);
    }
  } finally {
    holder.stdin.end('COMMIT;\n');
    await once(holder, 'exit');
  }
  return Promise.all(pending);
}

test('TVP on 2021-06-01: the 2020 rules and TVP/NNNN/21 references', async () => {
  fake = await startFakeToday('2021-06-01');
  const co = addOrg('company');
  const u = await addUser('applicant', co);
  state.tvpUser = u;
  const a = await fakeSubmitted(u, tvpBody(80000000));
  assert.equal(a.submitted_on, '2021-06-01');
  assert.match(a.reference, /^TVP\/\d{4}\/21$/);
  assert.equal(a.rule_version, 'TVP-2020');
  // 3/4 of HK$800,000 is HK$600,000: both the project and the applicant cap.
  assert.equal(a.requested_cents, 60000000);
  assert.equal(a.applicant_cents, 20000000);
  assert.ok(['per_project_cap_cents', 'per_applicant_cap_cents'].includes(a.capped_by));
  // Nothing is left under the HK$600,000 ceiling: refused, naming the cap.
  const b = await create(u, tvpBody(1000000));
  const r = expectError(await fapi(u, 'POST', `/api/v1/applications/${b.id}/submit`), 422,
    'invalid', 'per_applicant_cap_cents');
  assert.match(r.json.error.message, /600,000/);
  // Withdrawing the first frees the room.
  expectStatus(await fapi(u, 'POST', `/api/v1/applications/${a.id}/withdraw`), 200);
  const c = expectStatus(await fapi(u, 'POST', `/api/v1/applications/${b.id}/submit`), 200).json;
  assert.equal(c.requested_cents, 750000);
  assert.equal(Number(c.reference.split('/')[1]), Number(a.reference.split('/')[1]) + 1);
  // The main service (today's date) still refuses TVP.
  const d = await create(u, tvpBody(1000000));
  expectError(await as(u, 'POST', `/api/v1/applications/${d.id}/submit`), 422, 'invalid', 'scheme');
});

test('two concurrent submissions at the TVP ceiling: exactly one passes', async () => {
  for (let round = 0; round < 3; round++) {
    const co = addOrg('company');
    const u = await addUser('applicant', co);
    // HK$450,000 pending leaves HK$150,000; each new one asks HK$300,000.
    await fakeSubmitted(u, tvpBody(60000000));
    const x = await create(u, tvpBody(40000000));
    const y = await create(u, tvpBody(40000000));
    const res = await race(u, [x, y]);
    const ok = res.filter((r) => r.status === 200);
    const refused = res.filter((r) => r.status !== 200);
    assert.equal(ok.length, 1, res.map((r) => r.text).join('\n'));
    assert.equal(refused.length, 1);
    expectError(refused[0], 422, 'invalid', 'per_applicant_cap_cents');
    assert.equal(ok[0].json.requested_cents, 15000000);
    assert.equal(ok[0].json.capped_by, 'per_applicant_cap_cents');
    assert.equal(psql(`SELECT sum(requested_cents) FROM applications WHERE org_id = ${co}
      AND status <> 'draft'`), '60000000');
    // The refused one is still a draft with no reference.
    const loser = refused[0] === res[0] ? x : y;
    assert.equal(psql(`SELECT status || coalesce(reference, '-') FROM applications
      WHERE id = ${loser.id}`), 'draft-');
  }
});

test('concurrent submissions at TVP\'s six projects: exactly one passes', async () => {
  const co = addOrg('company');
  const u = await addUser('applicant', co);
  for (let i = 0; i < 5; i++) await fakeSubmitted(u, tvpBody(100000));
  const drafts = [];
  for (let i = 0; i < 2; i++) drafts.push(await create(u, tvpBody(100000)));
  const res = await race(u, drafts);
  assert.equal(res.filter((r) => r.status === 200).length, 1, res.map((r) => r.text).join('\n'));
  for (const r of res.filter((x) => x.status !== 200))
    expectError(r, 422, 'invalid', 'max_projects');
  assert.equal(psql(`SELECT count(*) FROM applications WHERE org_id = ${co}
    AND status = 'submitted'`), '6');
  // References of one prefix and year never repeat.
  assert.equal(psql(`SELECT count(reference) - count(DISTINCT reference) FROM applications`), '0');
});

// Approval as app/core/decisions.c does it (the tests/db fixture: approved,
// committed in the ledger, the project created awaiting signature).
function approveFixture(id, cents) {
  const r = projectsFixture(['approve', String(id), String(cents)]);
  assert.equal(r.status, 0, r.stderr);
}

test('signing the agreement: the application is agreement_signed and still counts for TVP\'s cap', async () => {
  const co = addOrg('company');
  const u = await addUser('applicant', co);
  // HK$600,000: the whole of TVP's per-applicant ceiling.
  const a = await fakeSubmitted(u, tvpBody(80000000));
  assert.equal(a.requested_cents, 60000000);
  expectStatus(await as(officer, 'POST', `/api/v1/applications/${a.id}/screen`,
    { decision: 'accept' }), 200);
  approveFixture(a.id, 60000000);
  assert.equal((await as(u, 'GET', `/api/v1/applications/${a.id}`)).json.status, 'approved');
  // The organisation signs the project's agreement: the application moves on
  // along its state table, with its history row and audit row.
  const p = expectStatus(await as(u, 'POST', `/api/v1/projects/${a.id}/sign`,
    { note: 'Signed by the director' }), 200).json;
  assert.equal(p.status, 'active');
  const r = expectStatus(await as(u, 'GET', `/api/v1/applications/${a.id}`), 200).json;
  assert.equal(r.status, 'agreement_signed');
  assert.deepEqual(r.allowed_actions, []);
  const last = r.history.at(-1);
  assert.deepEqual([last.action, last.from, last.to, last.note],
    ['sign', 'approved', 'agreement_signed', 'Signed by the director']);
  assert.equal(psql(`SELECT actor_id || ':' || (before->>'status') || '>' || (after->>'status')
    FROM audit_log WHERE record_type = 'application' AND record_id = '${a.id}'
    AND action = 'application.sign'`), `${u.id}:approved>agreement_signed`);
  // It is found by its new status, and cannot be withdrawn or signed again.
  const l = expectStatus(await as(officer, 'GET',
    `/api/v1/applications?status=agreement_signed&organisation=${co}`), 200).json;
  assert.deepEqual(l.applications.map((x) => x.id), [a.id]);
  expectError(await as(u, 'POST', `/api/v1/applications/${a.id}/withdraw`), 409, 'invalid_state',
    'status');
  expectError(await as(u, 'POST', `/api/v1/projects/${a.id}/sign`), 409, 'invalid_state');
  // Duplicate screening calls it a project.
  const other = await create(u, tvpBody(1000000));
  const d = expectStatus(await as(officer, 'GET', `/api/v1/applications/${other.id}/duplicates`),
    200).json;
  assert.deepEqual(d.same_organisation.map((x) => [x.id, x.status, x.kind]),
    [[a.id, 'agreement_signed', 'project']]);
  // The ceiling is still taken: a signed agreement counts as approved did.
  const e = expectError(await fapi(u, 'POST', `/api/v1/applications/${other.id}/submit`), 422,
    'invalid', 'per_applicant_cap_cents');
  assert.match(e.json.error.message, /600,000/);
  assert.equal(psql(`SELECT status FROM applications WHERE id = ${other.id}`), 'draft');
  assert.equal(itfctl(['audit', 'verify']).status, 0);
});

test('the second service ran clean', () => {
  const log = readFileSync(`${fake.dir}/kore.log`, 'utf8');
  assert.doesNotMatch(log, /sandbox violation|gone \(/);
});
