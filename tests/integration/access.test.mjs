// The authorisation matrix (issue 9, part 2): every endpoint of docs/api.md
// (one row per method and path) against every kind of caller -- no session,
// an applicant of the record's organisation, an applicant of another
// organisation, an officer, a panel member taking part (unconflicted, the
// chair) and one who declared a conflict, an approver, a finance officer,
// an auditor and an administrator -- with the exact status each must get.
//
// Every refused cell runs first and must write nothing (the audit trail's
// last id, the ledger, payments, applications and notifications are
// compared before and after); then the allowed callers run, each on a
// record of its own where the action changes state, and must succeed.
// Further: CSRF (every write without X-ITF-Request is refused and writes
// nothing), session fixation, logout killing the token server-side, login
// throttling, and the auditor refused on every write.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  api, expectStatus, expectError, itfctl, psql, uniq, ROOT, BASE, projectsFixture,
} from './lib.mjs';

const PW = 'correct horse battery staple';
const DAY = 86400e3;
const hkNow = () => new Date(Date.now() + 8 * 3600e3);
const day = (offset) => new Date(hkNow().getTime() + offset * DAY).toISOString().slice(0, 10);
const TODAY = day(0);
const TERM = { term_from: '2020-01-01', term_to: '2035-12-31' };

function resetThrottle() {
  psql("DELETE FROM login_attempts WHERE address = '127.0.0.1' AND NOT success");
}
after(resetThrottle);

function addOrg(type) {
  const r = itfctl(['org', 'add', '--name-en', `Access Org ${uniq()}`, '--name-zh', '權限測試機構',
    '--type', type]);
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout);
}

function cookieOf(res) {
  const c = res.headers.getSetCookie().find((s) => s.startsWith('itf_session='));
  return c ? c.split(';')[0] : null;
}

async function login(email) {
  const res = expectStatus(await api('POST', '/api/v1/session', { body: { email, password: PW } }),
    200, `login ${email}`);
  return cookieOf(res);
}

async function addUser(roles, { org, authority } = {}) {
  const email = `${uniq('acc')}@example.hk`;
  const args = ['user', 'add', '--email', email, '--name', email.split('@')[0]];
  for (const role of [].concat(roles)) args.push('--role', role);
  if (org) args.push('--org', String(org));
  if (authority) args.push('--authority-cents', String(authority));
  const r = itfctl(args, PW + '\n');
  assert.equal(r.status, 0, r.stderr);
  return { id: Number(r.stdout), email, org, cookie: await login(email) };
}

function as(u, method, path, body, opts = {}) {
  return api(method, path, { ...opts, body, cookie: u ? u.cookie : undefined });
}

function fixture(args) {
  const r = projectsFixture(args);
  assert.equal(r.status, 0, `test_projects ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

// ---- the cast -------------------------------------------------------------

const orgA = addOrg('university');
const orgB = addOrg('rd_centre');
const U = {
  anon: null,
  appA: await addUser('applicant', { org: orgA }),
  appB: await addUser('applicant', { org: orgB }),
  officer: await addUser('officer'),
  panel: await addUser('panel_member'),		// the chair; declares no conflict
  panelC: await addUser('panel_member'),	// declares a conflict on the items
  outsider: await addUser('panel_member'),	// on no panel
  approver: await addUser('approver', { authority: 1e12 }),
  finance: await addUser('finance'),
  auditor: await addUser('auditor'),
  admin: await addUser('admin'),
};
const ACTORS = Object.keys(U);
// Helpers that set the stage, so no matrix actor trips a same-person rule.
const H = {
  officer: await addUser('officer'),
  spare: await addUser('panel_member'),
  approver2: await addUser('approver', { authority: 1000000 }),
};

const criteria = expectStatus(await api('GET', '/api/v1/schemes/ITSP'), 200).json.criteria.map((c) => c.id);
const fullScores = Object.fromEntries(criteria.map((c) => [c, 7]));

function itspBody(title = `Access matrix project ${uniq()}`) {
  return {
    scheme: 'ITSP', title,
    summary: 'Applied research on low-power sensors for building services.',
    start_date: day(1), end_date: day(360),
    budget_lines: [
      { category: 'manpower', description: 'Researchers', amount_cents: 60000000 },
      { category: 'equipment', description: 'Test rig', amount_cents: 40000000 },
    ],
    milestones: [
      { title: 'Design', deliverables: 'Design report', due_date: day(90) },
      { title: 'Prototype', deliverables: 'Working prototype', due_date: day(180) },
      { title: 'Field trial', deliverables: 'Trial report', due_date: day(350) },
    ],
    fields: { project_title: 'Smart sensing platform', project_tier: 'seed' },
  };
}

function mhkBody() {
  return {
    scheme: 'MHKJFS', title: `Joint research ${uniq()}`, summary: 'Joint research with a Mainland partner.',
    start_date: day(30), end_date: day(360),
    budget_lines: [{ category: 'manpower', amount_cents: 10000000 }],
    milestones: [{ title: 'Joint report', due_date: day(300) }],
    fields: { project_title: 'Joint research', project_type: 'collaborative',
      mainland_partner: 'Tsinghua University', theme: 'Advanced manufacturing' },
  };
}

async function draft(user = U.appA, body = itspBody()) {
  return expectStatus(await as(user, 'POST', '/api/v1/applications', body), 201, 'create').json.id;
}
async function submitted(user = U.appA, body = itspBody()) {
  const id = await draft(user, body);
  expectStatus(await as(user, 'POST', `/api/v1/applications/${id}/submit`), 200, 'submit');
  return id;
}
async function underAssessment(user = U.appA, body = itspBody()) {
  const id = await submitted(user, body);
  expectStatus(await as(H.officer, 'POST', `/api/v1/applications/${id}/screen`,
    { decision: 'accept' }), 200, 'accept');
  return id;
}
// Approved through the tests/db fixture (as payments.test.mjs does).
async function project() {
  const id = await underAssessment();
  fixture(['approve', String(id), '90000000']);
  return id;
}
async function signed() {
  const id = await project();
  expectStatus(await as(U.appA, 'POST', `/api/v1/projects/${id}/sign`), 200, 'sign');
  return id;
}
async function report(pid, seq) {
  return expectStatus(await as(U.appA, 'POST', `/api/v1/projects/${pid}/milestones/${seq}/reports`,
    { text: `Report on milestone ${seq}`, expenditure_cents: 1000 }), 201, 'report').json.id;
}
async function accepted(pid, seq) {
  const rid = await report(pid, seq);
  expectStatus(await as(H.officer, 'POST', `/api/v1/progress-reports/${rid}/accept`, {}), 200, 'accept');
}
const tranches = async (pid) => expectStatus(await as(H.officer, 'GET', `/api/v1/projects/${pid}`),
  200).json.tranches;
let keySeq = 0;
const newKey = () => `acc-${process.pid}-${Date.now()}-${++keySeq}`;
async function preparedPayment(pid, seq) {
  const t = (await tranches(pid)).find((x) => x.seq === seq);
  return expectStatus(await as(H.officer, 'POST', '/api/v1/payments', { tranche_id: t.id }, {
    headers: { 'idempotency-key': newKey() } }), 201, 'prepare').json.id;
}

// ---- the records the matrix acts on ---------------------------------------

const F = {};

// Money for the approvals, and an entry to reverse.
expectStatus(await as(U.finance, 'POST', '/api/v1/ledger/injections', {
  amount_cents: 100000000000, paper_ref: 'FCR(2026-27)ACC', approved_on: TODAY,
}), 201, 'injection');
F.injection = expectStatus(await as(U.finance, 'POST', '/api/v1/ledger/injections', {
  amount_cents: 1000, paper_ref: 'FCR(2026-27)ACC1', approved_on: TODAY,
}), 201, 'injection to reverse').json.id;

// A panel of ITSP with quorum 1: the chair and a conflicted member, a
// meeting today with the item X on its agenda.
F.panel = expectStatus(await as(H.officer, 'POST', '/api/v1/panels', {
  scheme: 'ITSP', name_en: 'Access panel', name_zh: '權限評審委員會', quorum: 1 }), 201).json.id;
for (const [u, role] of [[U.panel, 'chair'], [U.panelC, 'member']])
  expectStatus(await as(H.officer, 'POST', `/api/v1/panels/${F.panel}/members`,
    { user_id: u.id, role, ...TERM }), 201, 'appoint');
F.meeting = expectStatus(await as(H.officer, 'POST', '/api/v1/meetings',
  { panel_id: F.panel, meeting_date: TODAY }), 201).json.id;
F.meeting2 = expectStatus(await as(H.officer, 'POST', '/api/v1/meetings',
  { panel_id: F.panel, meeting_date: day(30) }), 201).json.id;
F.X = await underAssessment();		// read, declared on, scored
F.R1 = await underAssessment();		// recommended by the chair
F.R2 = await underAssessment();		// recommended by an officer
F.D = await underAssessment();		// recommended, then decided by the approver
F.Y = await underAssessment();		// to be put on meeting2's agenda
expectStatus(await as(H.officer, 'POST', `/api/v1/meetings/${F.meeting}/agenda`,
  { application_ids: [F.X, F.R1, F.R2, F.D] }), 200, 'agenda');
for (const id of [F.X, F.R1, F.R2, F.D]) {
  expectStatus(await as(U.panel, 'POST', `/api/v1/applications/${id}/conflicts`, { conflict: false }), 200);
  expectStatus(await as(U.panel, 'POST', `/api/v1/applications/${id}/scores`, { scores: fullScores }), 200);
  expectStatus(await as(U.panelC, 'POST', `/api/v1/applications/${id}/conflicts`,
    { conflict: true, reason: 'Former employee of the applicant' }), 200);
}
expectStatus(await as(H.officer, 'POST', `/api/v1/applications/${F.D}/recommendation`,
  { recommendation: 'support', reasons: 'Sound plan' }), 201, 'recommend D');
F.MH = await underAssessment(U.appA, mhkBody());
F.refX = psql(`SELECT reference FROM applications WHERE id = ${F.X}`);

// Applications in the states the applicant's and officer's actions need.
F.draftPatch = await draft();
F.draftSubmit = await draft();
F.draftWithdraw = await draft();
F.submitted = await submitted();

// Projects: awaiting signature (schedule, signing by either side,
// termination), active (reports, suspension, variations, close, refund),
// suspended (resumption), with reports and payments in every state needed.
F.pSchedule = await project();
F.pSignA = await project();
F.pSignO = await project();
F.pActive = await signed();
F.pSuspend = await signed();
F.pResume = await signed();
expectStatus(await as(H.officer, 'POST', `/api/v1/projects/${F.pResume}/suspend`,
  { reason: 'Progress poorer than agreed' }), 200);
F.pTerminate = await signed();
F.pVarRequest = await signed();
F.pVarApprove = await signed();
F.pVarReject = await signed();
for (const k of ['pVarApprove', 'pVarReject'])
  F[k.replace('p', 'v')] = expectStatus(await as(U.appA, 'POST', `/api/v1/projects/${F[k]}/variations`,
    { reason: 'Two more months for the trial', end_date: day(400) }), 201).json.id;
// Reports: one with a file (read, accepted), one to return.
{
  const fd = new FormData();
  fd.append('text', 'Milestone 1 report with its file');
  fd.append('expenditure_cents', '1000');
  fd.append('file', new Blob([Buffer.from('Progress report, plain UTF-8 text.\n')]), 'report.txt');
  const res = await fetch(`${BASE}/api/v1/projects/${F.pActive}/milestones/1/reports`,
    { method: 'POST', body: fd, headers: { cookie: U.appA.cookie, 'x-itf-request': '1' } });
  assert.equal(res.status, 201, await res.clone().text());
  F.report = (await res.json()).id;
}
F.reportReturn = await report(F.pActive, 2);
// Payments: a tranche to prepare, two prepared ones to approve, three to cancel.
F.pPay = await signed();
await accepted(F.pPay, 1);
await accepted(F.pPay, 2);
F.tranche = (await tranches(F.pPay)).find((t) => t.seq === 1).id;
F.pPay2 = await signed();
await accepted(F.pPay2, 1);
await accepted(F.pPay2, 2);
F.payApprover = await preparedPayment(F.pPay2, 1);
F.payFinance = await preparedPayment(F.pPay2, 2);
F.pPay3 = await signed();
await accepted(F.pPay3, 1);
await accepted(F.pPay3, 2);
F.payCancelOfficer = await preparedPayment(F.pPay3, 1);
F.payCancelApprover = await preparedPayment(F.pPay3, 2);
F.pPay4 = await signed();
await accepted(F.pPay4, 1);
F.payCancelFinance = await preparedPayment(F.pPay4, 1);
F.notification = Number(psql(`SELECT min(id) FROM notifications WHERE user_id = ${U.appA.id}`));
assert.ok(F.notification > 0);

// ---- the matrix -----------------------------------------------------------
//
// Columns: no session (no), appA, appB, officer, panel (the chair),
// panelC (conflicted), outsider (on no panel), approver, finance, auditor,
// admin.
// Each row: method, path and body (values, or functions of the actor for
// the rows whose allowed callers each need a record of their own), and
// the statuses in column order.
const cols = (s) => {
  const v = s.trim().split(/\s+/).map(Number);
  assert.equal(v.length, ACTORS.length, s);
  return Object.fromEntries(ACTORS.map((a, i) => [a, v[i]]));
};
// A value per allowed caller; everyone else gets dflt.
const per = (map, dflt) => (who) => (who in map ? map[who] : dflt);
const pr = (id) => `/api/v1/projects/${id}`;
const ap = (id) => `/api/v1/applications/${id}`;
const uniqueOrg = () => ({
  organisation: { name_en: `Registered ${uniq()}`, name_zh: '自行登記機構', type: 'university' },
  user: { email: `${uniq('reg')}@example.hk`, password: PW },
});

const ROWS = [
  //                                                            no  apA apB off pnl pnC out apr fin aud adm
  ['GET', '/api/v1/health', null,                              '200 200 200 200 200 200 200 200 200 200 200'],
  ['GET', '/api/v1/version', null,                             '200 200 200 200 200 200 200 200 200 200 200'],
  ['GET', '/', null,                                           '200 200 200 200 200 200 200 200 200 200 200'],
  ['GET', '/api/v1/schemes', null,                             '200 200 200 200 200 200 200 200 200 200 200'],
  ['GET', '/api/v1/schemes/ITSP', null,                        '200 200 200 200 200 200 200 200 200 200 200'],
  ['GET', '/api/v1/schemes/ITSP/rules', null,                  '200 200 200 200 200 200 200 200 200 200 200'],
  ['POST', '/api/v1/schemes/TVP/quote', { submitted_on: '2020-04-01', eligible_cost_cents: 80000000 },
    '200 200 200 200 200 200 200 200 200 200 200'],
  // Sessions: each caller signs in afresh (the token sent along is retired).
  ['POST', '/api/v1/session', (w) => ({ email: w === 'anon' ? U.officer.email : U[w].email, password: PW }),
    '200 200 200 200 200 200 200 200 200 200 200', { fresh: true }],
  ['GET', '/api/v1/session', null,                             '401 200 200 200 200 200 200 200 200 200 200'],
  ['DELETE', '/api/v1/session', null,                          '401 204 204 204 204 204 204 204 204 204 204', { fresh: true }],
  // Organisations.
  ['POST', '/api/v1/organisations', () => uniqueOrg(),         '201 201 201 201 201 201 201 201 201 201 201'],
  ['GET', '/api/v1/organisations', null,                       '401 403 403 200 403 403 403 403 403 200 200'],
  ['GET', () => `/api/v1/organisations/${orgA}`, null,         '401 200 404 200 403 403 403 403 403 200 200'],
  // Notifications (appA's own; anyone else's is 404).
  ['GET', '/api/v1/notifications', null,                       '401 200 200 200 200 200 200 200 200 200 200'],
  ['POST', () => `/api/v1/notifications/${F.notification}/read`, {},
    '401 200 404 404 404 404 404 404 404 404 404'],
  ['GET', '/api/v1/audit?record_type=user', null,              '401 403 403 200 403 403 403 403 403 200 200'],
  // Ledger.
  ['GET', '/api/v1/ledger/position', null,                     '401 403 403 403 403 403 403 200 200 200 200'],
  ['GET', '/api/v1/ledger/accounts', null,                     '401 403 403 403 403 403 403 200 200 200 200'],
  ['GET', '/api/v1/ledger/entries', null,                      '401 403 403 403 403 403 403 200 200 200 200'],
  ['GET', () => `/api/v1/ledger/entries/${F.injection}`, null, '401 403 403 403 403 403 403 200 200 200 200'],
  ['POST', () => `/api/v1/ledger/entries/${F.injection}/reverse`, { reason: 'Access matrix reversal' },
    '401 403 403 403 403 403 403 403 201 403 403'],
  ['POST', '/api/v1/ledger/injections', { amount_cents: 100, paper_ref: 'FCR(2026-27)ACC2', approved_on: TODAY },
    '401 403 403 403 403 403 403 403 201 403 403'],
  // Only H111-101 moves today: ledger.test.mjs, which runs later, dates
  // entries drawing on the other subheads in 2021, before any movement of
  // theirs.  So the transfer is one the balance refuses (409, nothing
  // written): finance gets past authorisation and no further.
  ['POST', '/api/v1/ledger/openings',
    { account: 'H111-101', amount_cents: 100, paper_ref: 'FCR(2026-27)ACC3', approved_on: TODAY },
    '401 403 403 403 403 403 403 403 201 403 403'],
  ['POST', '/api/v1/ledger/transfers',
    { from: 'H111-101', to: 'H111-090', amount_cents: 1e15, paper_ref: 'FCR(2026-27)ACC4', approved_on: TODAY },
    '401 403 403 403 403 403 403 403 409 403 403'],
  // Panels, meetings.
  ['GET', '/api/v1/panels?scheme=ITSP', null,                  '401 403 403 200 200 200 200 200 403 200 403'],
  ['POST', '/api/v1/panels', { scheme: 'ITSP', name_en: 'Another panel', name_zh: '另一評審委員會' },
    '401 403 403 201 403 403 403 403 403 403 403'],
  ['GET', () => `/api/v1/panels/${F.panel}`, null,             '401 403 403 200 200 200 404 200 403 200 403'],
  ['POST', () => `/api/v1/panels/${F.panel}/members`, () => ({ user_id: H.spare.id, role: 'member', ...TERM }),
    '401 403 403 201 403 403 403 403 403 403 403'],
  ['POST', '/api/v1/meetings', () => ({ panel_id: F.panel, meeting_date: day(60) }),
    '401 403 403 201 403 403 403 403 403 403 403'],
  ['GET', () => `/api/v1/meetings/${F.meeting}`, null,         '401 403 403 200 200 200 404 200 403 200 403'],
  ['GET', () => `/api/v1/meetings/${F.meeting}/agenda`, null,  '401 403 403 200 200 200 404 200 403 200 403'],
  ['POST', () => `/api/v1/meetings/${F.meeting2}/agenda`, () => ({ application_ids: [F.Y] }),
    '401 403 403 200 403 403 403 403 403 403 403'],
  ['GET', () => `/api/v1/meetings/${F.meeting}/declarations`, null,
    '401 403 403 200 200 200 404 200 403 200 403'],
  ['GET', () => `/api/v1/meetings/${F.meeting}/scoresheet`, null,
    '401 403 403 200 200 200 404 200 403 200 403'],
  // Actions on an application by the panel and the approver.
  ['POST', () => `${ap(F.X)}/conflicts`, per({ panel: { conflict: false },
    panelC: { conflict: true, reason: 'Former employee of the applicant' } }, { conflict: false }),
    '401 403 403 403 200 200 404 403 403 403 403'],
  ['POST', () => `${ap(F.X)}/scores`, () => ({ scores: fullScores }),
    '401 403 403 403 200 403 404 403 403 403 403'],
  ['POST', per({ panel: `${ap(F.R1)}/recommendation`, officer: `${ap(F.R2)}/recommendation` },
    `${ap(F.R1)}/recommendation`), { recommendation: 'support', reasons: 'Strong team and plan' },
    '401 403 403 201 201 403 403 403 403 403 403'],
  ['GET', () => `${ap(F.X)}/recommendation`, null,             '401 200 404 200 200 403 404 200 403 200 403'],
  ['POST', () => `${ap(F.MH)}/partner-assessment`, () => ({ supported: true, reference: 'MOST-2026-1',
    assessed_on: TODAY }),                                      '401 403 403 201 403 403 403 403 403 403 403'],
  ['POST', () => `${ap(F.D)}/decision`, { decision: 'approve', reasons: 'Within the budget' },
    '401 403 403 403 403 403 403 201 403 403 403'],
  // Applications.
  // Approvers list the applications waiting for a decision or decided.
  ['GET', '/api/v1/applications', null,                        '401 200 200 200 403 403 403 200 403 200 403'],
  ['POST', '/api/v1/applications', () => itspBody(),           '401 201 201 403 403 403 403 403 403 403 403'],
  ['GET', () => ap(F.X), null,                                 '401 200 404 200 200 403 404 403 403 200 403'],
  ['GET', () => `/api/v1/applications/by-reference/${F.refX}`, null,
    '401 200 404 200 200 403 404 403 403 200 403'],
  ['PATCH', () => ap(F.draftPatch), { summary: 'Edited in the access matrix' },
    '401 200 404 403 403 403 403 403 403 403 403'],
  ['POST', () => `${ap(F.draftSubmit)}/submit`, {},            '401 200 404 403 403 403 403 403 403 403 403'],
  ['POST', () => `${ap(F.submitted)}/screen`, { decision: 'start' },
    '401 403 403 200 403 403 403 403 403 403 403'],
  ['POST', () => `${ap(F.draftWithdraw)}/withdraw`, { reason: 'No longer needed' },
    '401 200 404 403 403 403 403 403 403 403 403'],
  ['GET', () => `${ap(F.X)}/duplicates`, null,                 '401 403 403 200 403 403 403 403 403 403 403'],
  // Projects.
  ['GET', '/api/v1/projects', null,                            '401 200 200 200 403 403 403 200 200 200 200'],
  ['GET', () => pr(F.pActive), null,                           '401 200 404 200 403 403 403 200 200 200 200'],
  ['PUT', () => `${pr(F.pSchedule)}/milestones`, { milestones: [
    { title: 'Design', deliverables: 'Design report', due_date: day(90), tranche_bp: 2000 },
    { title: 'Prototype', due_date: day(180), tranche_bp: 3000 },
    { title: 'Field trial', due_date: day(350), tranche_bp: 5000 }] },
  '401 403 404 200 403 403 403 403 403 403 403'],
  ['POST', per({ appA: `${pr(F.pSignA)}/sign`, officer: `${pr(F.pSignO)}/sign` }, `${pr(F.pSignA)}/sign`), {},
    '401 200 404 200 403 403 403 403 403 403 403'],
  ['POST', () => `${pr(F.pActive)}/milestones/3/reports`, { text: 'Field trial report', expenditure_cents: 5 },
    '401 201 404 403 403 403 403 403 403 403 403'],
  ['GET', () => `/api/v1/progress-reports/${F.report}`, null,  '401 200 404 200 403 403 403 200 200 200 200'],
  ['GET', () => `/api/v1/progress-reports/${F.report}/file`, null,
    '401 200 404 200 403 403 403 200 200 200 200'],
  ['POST', () => `/api/v1/progress-reports/${F.report}/accept`, { note: 'Verified' },
    '401 403 404 200 403 403 403 403 403 403 403'],
  ['POST', () => `/api/v1/progress-reports/${F.reportReturn}/return`, { note: 'Please add the results' },
    '401 403 404 200 403 403 403 403 403 403 403'],
  ['POST', '/api/v1/payments', () => ({ tranche_id: F.tranche }),
    '401 403 403 201 403 403 403 403 403 403 403', { key: true }],
  ['GET', '/api/v1/payments', null,                            '401 200 200 200 403 403 403 200 200 200 200'],
  ['GET', () => `/api/v1/payments/${F.payApprover}`, null,     '401 200 404 200 403 403 403 200 200 200 200'],
  ['POST', per({ finance: `/api/v1/payments/${F.payFinance}/approve` },
    `/api/v1/payments/${F.payApprover}/approve`), { note: 'Checked' },
  '401 403 404 403 403 403 403 200 200 403 403'],
  ['POST', per({ approver: `/api/v1/payments/${F.payCancelApprover}/cancel`,
    finance: `/api/v1/payments/${F.payCancelFinance}/cancel` }, `/api/v1/payments/${F.payCancelOfficer}/cancel`),
  { reason: 'Wrong bank account' },
  '401 403 404 200 403 403 403 200 200 403 403'],
  ['POST', () => `${pr(F.pSuspend)}/suspend`, { reason: 'Progress poorer than agreed' },
    '401 403 404 200 403 403 403 403 403 403 403'],
  ['POST', () => `${pr(F.pResume)}/resume`, { note: 'Recovery plan accepted' },
    '401 403 404 200 403 403 403 403 403 403 403'],
  ['POST', () => `${pr(F.pTerminate)}/terminate`, { reason: 'The applicant gave up' },
    '401 403 404 200 403 403 403 403 403 403 403'],
  ['GET', () => `${pr(F.pActive)}/variations`, null,           '401 200 404 200 403 403 403 200 200 200 200'],
  ['POST', () => `${pr(F.pVarRequest)}/variations`, { reason: 'More time', end_date: day(400) },
    '401 201 404 403 403 403 403 403 403 403 403'],
  ['POST', () => `/api/v1/variations/${F.vVarApprove}/approve`, { note: 'Justified' },
    '401 403 404 200 403 403 403 403 403 403 403'],
  ['POST', () => `/api/v1/variations/${F.vVarReject}/reject`, { note: 'Not justified' },
    '401 403 404 200 403 403 403 403 403 403 403'],
  // Close-out and refunds: allowed callers get past authorisation and are
  // refused by the state (no final report; nothing due): 409.
  ['POST', () => `${pr(F.pActive)}/close`, { note: 'Closing' },
    '401 403 404 409 403 403 403 403 403 403 403'],
  ['POST', () => `${pr(F.pActive)}/refund`, { amount_cents: 100 },
    '401 403 404 409 403 403 403 403 409 403 403'],
  // Reports.
  ['GET', '/api/v1/reports', null,                             '401 403 403 200 403 403 403 200 200 200 200'],
  ['GET', '/api/v1/reports/commitment-position.xlsx', null,   '401 403 403 200 403 403 403 200 200 200 200'],
  ['GET', '/api/v1/cash-flow-estimates', null,                 '401 403 403 200 403 403 403 200 200 200 200'],
  ['PUT', '/api/v1/cash-flow-estimates', { estimates: [{ fy: '2030-31', scheme: 'ITSP', amount_cents: 123400 }] },
    '401 403 403 403 403 403 403 403 200 403 403'],
];

// Users: an admin sets another approver's authority (docs/api.md, "Users"),
// where the route is present.
if (readRoutes().includes('^/api/v1/users/[0-9]{1,18}/authority$'))
  ROWS.push(['PUT', () => `/api/v1/users/${H.approver2.id}/authority`, { authority_cents: 2000000 },
    '401 403 403 403 403 403 403 403 403 403 200']);
// The public register (docs/api.md, "Public project register"), where the
// route is present.
if (readRoutes().includes('/api/v1/public/projects'))
  ROWS.push(['GET', '/api/v1/public/projects', null, '200 200 200 200 200 200 200 200 200 200 200']);
// Claims and the settlement of a terminated project (docs/api.md,
// "Claims"), where the routes are present: an RTH project of appA's
// organisation with one submitted claim, and a terminated signed project.
if (readRoutes().includes('^/api/v1/projects/[0-9]{1,18}/claims$')) {
  const month = (offset) => day(offset).slice(0, 7);
  const rth = await underAssessment(U.appA, {
    scheme: 'RTH', title: `Access matrix talents ${uniq()}`, summary: 'One research talent.',
    start_date: day(-70), end_date: day(700),
    fields: { talents: [{ name: 'Dr Access', qualification: 'master', months: 12 }] },
  });
  fixture(['approve', String(rth), String(2100000 * 12)]);
  expectStatus(await as(U.appA, 'POST', `${pr(rth)}/sign`), 200, 'sign RTH');
  F.claim = expectStatus(await as(U.appA, 'POST', `${pr(rth)}/claims`,
    { month: month(-35), talents: [1] }), 201, 'claim').json.id;
  F.pSettle = await signed();
  expectStatus(await as(H.officer, 'POST', `${pr(F.pSettle)}/terminate`,
    { reason: 'Ended early' }), 200, 'terminate');
  ROWS.push(
    ['GET', () => `${pr(rth)}/claims`, null,                   '401 200 404 200 403 403 403 200 200 200 200'],
    ['POST', () => `${pr(rth)}/claims`, { month: month(-1), talents: [1] },
      '401 201 404 403 403 403 403 403 403 403 403'],
    ['GET', '/api/v1/claims', null,                            '401 200 200 200 403 403 403 200 200 200 200'],
    ['GET', () => `/api/v1/claims/${F.claim}`, null,           '401 200 404 200 403 403 403 200 200 200 200'],
    ['POST', () => `/api/v1/claims/${F.claim}/accept`, { note: 'Verified' },
      '401 403 403 200 403 403 403 403 403 403 403'],
    ['POST', () => `${pr(F.pSettle)}/termination-cost`, { eligible_cost_cents: 0 },
      '401 403 404 200 403 403 403 403 403 403 403'],
  );
}

const rowPath = (row, who = 'officer') => (typeof row[1] === 'function' ? row[1](who) : row[1]);
const label = (row) => `${row[0]} ${rowPath(row)}`;
const isWrite = (m) => m !== 'GET';

// Every route of conf/routes.conf is exercised by some row.
test('the matrix covers every route', () => {
  const routes = readRoutes();
  const paths = ROWS.map((row) => rowPath(row));
  for (const r of routes) {
    const re = r.startsWith('^') ? new RegExp(r) : new RegExp(`^${r.replace(/[.*+?()[\]{}|\\]/g, '\\$&')}$`);
    if (r === '^/api/.*$' || r.startsWith('^/assets/')) continue;
    assert.ok(paths.some((p) => re.test(p.split('?')[0])), `no matrix row for the route ${r}`);
  }
});

function readRoutes() {
  return readFileSync(`${ROOT}/conf/routes.conf`, 'utf8').split('\n')
    .map((l) => l.trim()).filter((l) => l.startsWith('route')).map((l) => l.split(/\s+/)[1]);
}

// What a refusal must leave untouched.
const snapshot = () => psql(`SELECT concat_ws(',',
  (SELECT max(id) FROM audit_log), (SELECT count(*) FROM applications),
  (SELECT string_agg(status || version, '' ORDER BY id) FROM applications WHERE org_id IN (${orgA}, ${orgB})),
  (SELECT count(*) FROM application_events), (SELECT count(*) FROM ledger_entries),
  (SELECT count(*) FROM payments), (SELECT string_agg(status, '' ORDER BY id) FROM payments),
  (SELECT count(*) FROM notifications WHERE read_at IS NOT NULL), (SELECT count(*) FROM notifications),
  (SELECT count(*) FROM organisations), (SELECT count(*) FROM panels), (SELECT count(*) FROM panel_members),
  (SELECT count(*) FROM panel_meetings), (SELECT count(*) FROM meeting_items),
  (SELECT count(*) FROM conflict_declarations), (SELECT count(*) FROM panel_scores),
  (SELECT count(*) FROM recommendations), (SELECT count(*) FROM decisions),
  (SELECT count(*) FROM partner_assessments), (SELECT string_agg(status, '' ORDER BY id) FROM projects),
  (SELECT count(*) FROM progress_reports), (SELECT string_agg(status, '' ORDER BY id) FROM progress_reports),
  (SELECT count(*) FROM project_variations), (SELECT string_agg(status, '' ORDER BY id) FROM project_variations),
  (SELECT count(*) FROM agreement_versions), (SELECT count(*) FROM cash_flow_estimates),
  (SELECT count(*) FROM sessions))`);

// The caller's cookie for a row: a fresh session for the rows that end or
// replace it (taken before any snapshot, since signing in writes).
async function cookieFor(row, who) {
  if (!U[who]) return undefined;
  return row[4] && row[4].fresh ? login(U[who].email) : U[who].cookie;
}

async function call(row, who, cookie, { csrf = true } = {}) {
  const [method, , bodySpec, , opts = {}] = row;
  const path = rowPath(row, who);
  const body = typeof bodySpec === 'function' ? bodySpec(who) : bodySpec;
  const headers = {};
  if (opts.key) headers['idempotency-key'] = newKey();
  return api(method, path, { body: body === null ? undefined : body, cookie, headers, csrf });
}


test('without X-ITF-Request every write is refused (403, field x-itf-request) and writes nothing', async () => {
  let n = 0;
  for (const row of ROWS) {
    if (!isWrite(row[0]) || row[1] === '/api/v1/schemes/TVP/quote') continue;
    const want = cols(row[3]);
    // Everyone the row lets in, and no session at all.
    const who = [...new Set(ACTORS.filter((a) => want[a] < 300).concat(['anon']))];
    const cookies = {};
    for (const w of who) cookies[w] = await cookieFor(row, w);
    const before = snapshot();
    for (const w of who) {
      const r = await call(row, w, cookies[w], { csrf: false });
      if (w === 'anon' && want.anon === 401) {
        // No session: 401 or the CSRF refusal, never anything else.
        assert.ok([401, 403].includes(r.status), `${label(row)} as anon without CSRF: ${r.status}`);
      } else {
        expectError(r, 403, 'forbidden', 'x-itf-request');
      }
      n++;
    }
    assert.equal(snapshot(), before, `${label(row)} without CSRF wrote something`);
  }
  assert.ok(n > 40, `only ${n} writes checked`);
  // The quote changes nothing and needs no header.
  expectStatus(await api('POST', '/api/v1/schemes/TVP/quote', { csrf: false,
    body: { submitted_on: '2020-04-01', eligible_cost_cents: 80000000 } }), 200);
});

test('the auditor is refused every write', () => {
  const anyone = ['/api/v1/session', '/api/v1/organisations', '/api/v1/schemes/TVP/quote'];
  for (const row of ROWS) {
    if (!isWrite(row[0]) || anyone.includes(row[1])) continue;
    const a = cols(row[3]).auditor;
    assert.ok([403, 404].includes(a), `${label(row)}: the auditor gets ${a}`);
  }
});

test('the matrix: every endpoint, every role, the exact status; refusals write nothing', async () => {
  const failures = [];
  for (const row of ROWS) {
    const want = cols(row[3]);
    const refused = ACTORS.filter((a) => want[a] >= 400);
    const allowed = ACTORS.filter((a) => want[a] < 400);
    const before = snapshot();
    for (const who of refused) {
      const r = await call(row, who, await cookieFor(row, who));
      if (r.status !== want[who]) {
        failures.push(`${label(row)} as ${who}: expected ${want[who]}, got ${r.status} ${r.text.slice(0, 160)}`);
      } else if (!r.json || !r.json.error || !r.json.error.message) {
        failures.push(`${label(row)} as ${who}: ${r.status} without an error body`);
      }
    }
    if (isWrite(row[0]) || row[1] === '/api/v1/session') {
      const afterRefusals = snapshot();
      if (afterRefusals !== before)
        failures.push(`${label(row)}: a refused call wrote something`);
    }
    for (const who of allowed) {
      const r = await call(row, who, await cookieFor(row, who));
      if (r.status !== want[who])
        failures.push(`${label(row)} as ${who}: expected ${want[who]}, got ${r.status} ${r.text.slice(0, 200)}`);
    }
  }
  assert.deepEqual(failures, []);
});

test('session fixation: a new token at every sign-in; a planted token never becomes a session', async () => {
  const first = await login(U.auditor.email);
  const second = await api('POST', '/api/v1/session', { body: { email: U.auditor.email, password: PW },
    cookie: first });
  expectStatus(second, 200);
  const c2 = cookieOf(second);
  assert.notEqual(c2, first);
  expectError(await api('GET', '/api/v1/session', { cookie: first }), 401, 'unauthenticated');
  const planted = `itf_session=${'cd'.repeat(32)}`;
  const third = expectStatus(await api('POST', '/api/v1/session', {
    body: { email: U.auditor.email, password: PW }, cookie: planted }), 200);
  assert.notEqual(cookieOf(third), planted);
  expectError(await api('GET', '/api/v1/session', { cookie: planted }), 401, 'unauthenticated');
  assert.match(cookieOf(third), /^itf_session=[0-9a-f]{64}$/);
  // Registration signs the new user in with a fresh token too.
  const reg = expectStatus(await api('POST', '/api/v1/organisations', { body: uniqueOrg(), cookie: planted }), 201);
  assert.notEqual(cookieOf(reg), planted);
});

test('sign-out kills the token server-side, not only the cookie', async () => {
  const c = await login(U.finance.email);
  const hash = psql(`SELECT encode(digest('${c.split('=')[1]}', 'sha256'), 'hex')`);
  assert.equal(psql(`SELECT count(*) FROM sessions WHERE token_hash = '${hash}'`), '1');
  expectStatus(await api('DELETE', '/api/v1/session', { cookie: c }), 204);
  assert.equal(psql(`SELECT count(*) FROM sessions WHERE token_hash = '${hash}'`), '0');
  // Replaying the old cookie gets nowhere, on any endpoint.
  expectError(await api('GET', '/api/v1/session', { cookie: c }), 401, 'unauthenticated');
  expectError(await api('GET', '/api/v1/ledger/position', { cookie: c }), 401, 'unauthenticated');
  expectError(await api('POST', '/api/v1/ledger/injections', { cookie: c,
    body: { amount_cents: 1, paper_ref: 'X', approved_on: TODAY } }), 401, 'unauthenticated');
});

test('login throttling engages after 5 failures for an email, and for 20 from one address', async () => {
  resetThrottle();
  const victim = await addUser('officer');
  for (let i = 0; i < 5; i++)
    expectError(await api('POST', '/api/v1/session', { body: { email: victim.email, password: `wrong ${i}` } }),
      401, 'unauthenticated');
  const r = await api('POST', '/api/v1/session', { body: { email: victim.email, password: PW } });
  expectError(r, 429, 'throttled');
  assert.ok(Number(r.headers.get('retry-after')) > 0);
  assert.equal(cookieOf(r), null);
  // The victim's existing session is unaffected.
  expectStatus(await api('GET', '/api/v1/session', { cookie: victim.cookie }), 200);
  resetThrottle();
  for (let i = 0; i < 20; i++)
    expectError(await api('POST', '/api/v1/session', {
      body: { email: `${uniq('spray')}@example.hk`, password: 'password spraying' } }), 401, 'unauthenticated');
  expectError(await api('POST', '/api/v1/session', { body: { email: U.admin.email, password: PW } }),
    429, 'throttled');
  resetThrottle();
  await login(U.admin.email);
});

// Without ITF_TRUSTED_PROXIES (as here) X-Forwarded-For is the client's
// own say-so: it is ignored, so a client cannot spray passwords past the
// per-address throttle by changing it, and what is recorded is the TCP
// peer.  zz_proxy.test.mjs shows the trusted case.
test('a forged X-Forwarded-For neither resets the address throttle nor is recorded', async () => {
  resetThrottle();
  const forged = (i) => ({ 'x-forwarded-for': `203.0.113.${i + 1}` });
  for (let i = 0; i < 20; i++)
    expectError(await api('POST', '/api/v1/session', { headers: forged(i),
      body: { email: `${uniq('xff')}@example.hk`, password: 'password spraying' } }), 401, 'unauthenticated');
  for (const h of [forged(99), { 'x-forwarded-for': '127.0.0.2' }, { 'x-forwarded-for': '::1' }, {}]) {
    const r = await api('POST', '/api/v1/session', { headers: h, body: { email: U.admin.email, password: PW } });
    expectError(r, 429, 'throttled');
    assert.ok(Number(r.headers.get('retry-after')) > 0);
  }
  assert.equal(psql("SELECT count(*) FROM login_attempts WHERE address LIKE '203.0.113.%'"), '0');
  assert.ok(Number(psql("SELECT count(*) FROM login_attempts WHERE address = '127.0.0.1' AND NOT success")) >= 20);
  resetThrottle();
  await login(U.admin.email);
});

test('lists never show another organisation\'s records, whatever the filter', async () => {
  const checks = [
    ['/api/v1/applications?limit=100', 'applications', (x) => x.organisation.id],
    [`/api/v1/applications?organisation=${orgA}&limit=100`, 'applications', (x) => x.organisation.id],
    [`/api/v1/applications?reference=${encodeURIComponent(F.refX)}`, 'applications', (x) => x.organisation.id],
    ['/api/v1/projects?limit=100', 'projects', (x) => x.organisation.id],
    [`/api/v1/projects?organisation=${orgA}&limit=100`, 'projects', (x) => x.organisation.id],
    ['/api/v1/payments?limit=100', 'payments', null],
    [`/api/v1/payments?project=${F.pPay2}&limit=100`, 'payments', null],
  ];
  for (const [path, key, orgOf] of checks) {
    const mine = expectStatus(await as(U.appA, 'GET', path), 200, path).json[key];
    const theirs = expectStatus(await as(U.appB, 'GET', path), 200, path).json[key];
    assert.ok(mine.length > 0, `${path}: appA sees its own`);
    if (orgOf) assert.ok(mine.every((x) => orgOf(x) === orgA), `${path}: appA sees only its own`);
    assert.deepEqual(theirs.filter((x) => !orgOf || orgOf(x) === orgA), [], `${path}: appB sees orgA's`);
    if (!orgOf) assert.deepEqual(theirs, [], `${path}: appB sees payments it has none of`);
  }
  // The applicant's view of a payment leaves out who handled it; its view of
  // the history leaves out the officers.
  const pay = expectStatus(await as(U.appA, 'GET', `/api/v1/payments/${F.payApprover}`), 200).json;
  assert.equal(pay.prepared_by, undefined);
  assert.equal(pay.approved_by, undefined);
  const app = expectStatus(await as(U.appA, 'GET', ap(F.X)), 200).json;
  assert.ok(app.history.every((h) => h.actor === undefined && h.actor_id === undefined));
  // A conflicted member sees the agenda item withheld.
  const ag = expectStatus(await as(U.panelC, 'GET', `/api/v1/meetings/${F.meeting}/agenda`), 200).json;
  const item = ag.agenda.find((i) => i.application.id === F.X);
  assert.equal(item.withheld, true);
  assert.equal(item.application.title, undefined);
  // An approver lists only what waits for its decision or was decided.
  const decidable = ['recommended', 'not_recommended', 'approved', 'agreement_signed', 'rejected'];
  const apr = expectStatus(await as(U.approver, 'GET', '/api/v1/applications?limit=100'), 200).json.applications;
  assert.ok(apr.length > 0 && apr.every((x) => decidable.includes(x.status)), JSON.stringify(apr.map((x) => x.status)));
  expectStatus(await as(U.approver, 'GET', ap(F.D)), 200);
  expectError(await as(U.approver, 'GET', ap(F.X)), 403, 'forbidden', 'status');
  // Notifications are one's own only.
  const n = expectStatus(await as(U.appB, 'GET', '/api/v1/notifications?limit=100'), 200).json;
  assert.ok(n.notifications.every((x) => x.id !== F.notification));
});
