// Projects, agreements and payments (issue 5, second half): approval
// creates the project with its tranches; the schedule is adjusted before
// signing; signing; progress reports (multipart with a file, JSON),
// returned and accepted; payments prepared with an idempotency key (20
// concurrent identical requests make one payment), maker-checker approval
// posting to the ledger; refusals; suspension and overdue reports holding
// payments; variations making agreement versions; termination; and one
// project from approval to refund with the ledger balanced at every step.
//
// Most projects here are approved by the tests/db fixture
// (build/dbtests/test_projects approve ID CENTS), which in one transaction
// moves the application to approved, commits the money in the ledger and
// calls projects_create_from_approval(), exactly as the approval decision
// (app/core/decisions.c) does; the last test drives that decision itself
// through the panel's HTTP path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import {
  api, expectStatus, expectError, itfctl, psql, uniq, ROOT, BASE, projectsFixture,
} from './lib.mjs';

const PW = 'correct horse battery staple';
const DAY = 86400e3;
const hkNow = () => new Date(Date.now() + 8 * 3600e3);
const day = (offset) => new Date(hkNow().getTime() + offset * DAY).toISOString().slice(0, 10);
const TODAY = day(0);
const UPLOADS = process.env.ITF_UPLOAD_DIR || `${ROOT}/var/uploads`;

function addOrg(type = 'university') {
  const r = itfctl(['org', 'add', '--name-en', `Project Org ${uniq()}`, '--name-zh', '項目機構',
    '--type', type]);
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout);
}

async function addUser(roles, org, authority) {
  const email = `${uniq('pay')}@example.hk`;
  const args = ['user', 'add', '--email', email];
  for (const role of [].concat(roles)) args.push('--role', role);
  if (org) args.push('--org', String(org));
  if (authority) args.push('--authority-cents', String(authority));
  const r = itfctl(args, PW + '\n');
  assert.equal(r.status, 0, r.stderr);
  const res = await api('POST', '/api/v1/session', { body: { email, password: PW } });
  expectStatus(res, 200, `login ${email}`);
  const c = res.headers.getSetCookie().find((s) => s.startsWith('itf_session='));
  return { id: Number(r.stdout), email, org, cookie: c.split(';')[0] };
}

function as(u, method, path, body, opts = {}) {
  return api(method, path, { ...opts, body, cookie: u ? u.cookie : undefined });
}

// A multipart POST as user u: fields and an optional file.
async function multipart(u, path, fields, file) {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, String(v));
  if (file) fd.append('file', new Blob([file.data]), file.name);
  const res = await fetch(BASE + path, { method: 'POST', body: fd,
    headers: { cookie: u.cookie, 'x-itf-request': '1' } });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  return { status: res.status, json, text, headers: res.headers };
}

const fixture = projectsFixture;

// The ledger's own invariant check (ledger_verify) must pass.
function verifyLedger(what) {
  const r = fixture(['verify']);
  assert.equal(r.status, 0, `ledger verify after ${what}: ${r.stdout} ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const orgA = addOrg('university');
const orgB = addOrg('rd_centre');
const appA = await addUser('applicant', orgA);
const appB = await addUser('applicant', orgB);
const officer = await addUser('officer');
const officer2 = await addUser('officer');
const approver = await addUser('approver', null, 5000000000);
const finance = await addUser('finance');
const auditor = await addUser('auditor');
const panel = await addUser('panel_member');

// The ledger position as finance sees it, with a double-entry check.
async function position(what) {
  const r = expectStatus(await as(finance, 'GET', '/api/v1/ledger/position'), 200, 'position');
  const net = r.json.accounts.reduce((s, a) => s + BigInt(a.net_debit_cents), 0n);
  assert.equal(net, 0n, `the ledger does not balance after ${what}`);
  verifyLedger(what);
  return r.json.totals;
}

function itspBody(o = {}) {
  return {
    scheme: 'ITSP',
    title: `Smart sensing platform ${uniq()}`,
    summary: 'Applied research on low-power sensors for building services.',
    start_date: o.start || day(1),
    end_date: o.end || day(360),
    budget_lines: [
      { category: 'manpower', description: 'Researchers', amount_cents: 60000000 },
      { category: 'equipment', description: 'Test rig', amount_cents: 40000000 },
    ],
    milestones: o.milestones || [
      { title: 'Design', deliverables: 'Design report', due_date: day(90) },
      { title: 'Prototype', deliverables: 'Working prototype', due_date: day(180) },
      { title: 'Field trial', deliverables: 'Trial report', due_date: day(350) },
    ],
    fields: { project_title: 'Smart sensing platform', project_tier: 'seed' },
  };
}

// An ITSP application taken to approval (HK$1M cost, 90% = HK$900k).
async function approvedProject(user, o = {}) {
  let r = expectStatus(await as(user, 'POST', '/api/v1/applications', itspBody(o)), 201, 'create');
  const id = r.json.id;
  r = expectStatus(await as(user, 'POST', `/api/v1/applications/${id}/submit`), 200, 'submit');
  assert.equal(r.json.requested_cents, 90000000);
  expectStatus(await as(officer, 'POST', `/api/v1/applications/${id}/screen`,
    { decision: 'accept' }), 200, 'screen');
  const f = fixture(['approve', String(id), String(o.amount || 90000000)]);
  assert.equal(f.status, 0, f.stderr);
  return id;
}

const get = async (u, id) => expectStatus(await as(u, 'GET', `/api/v1/projects/${id}`), 200, 'get').json;
const notes = (u, kind, id) => Number(psql(`SELECT count(*) FROM notifications
  WHERE user_id = ${u.id} AND kind = '${kind}' AND record_id = ${id}`));
const tranche = (p, seq) => p.tranches.find((t) => t.seq === seq);
let keySeq = 0;
const newKey = () => `k-${process.pid}-${Date.now()}-${++keySeq}`;

async function prepare(u, body, key, expect) {
  const r = await as(u, 'POST', '/api/v1/payments', body,
    key ? { headers: { 'idempotency-key': key } } : {});
  if (expect) expectStatus(r, expect, 'prepare');
  return r;
}

async function acceptReport(projectId, seq, body = {}) {
  const r = expectStatus(await as(appA, 'POST',
    `/api/v1/projects/${projectId}/milestones/${seq}/reports`,
    { text: `Report on milestone ${seq}`, expenditure_cents: 1000000 * seq, ...body }), 201, 'report');
  expectStatus(await as(officer, 'POST', `/api/v1/progress-reports/${r.json.id}/accept`,
    { note: 'Deliverables verified' }), 200, 'accept');
  return r.json.id;
}

const S = {};	// the main project's state, test to test

test('approval creates a project awaiting signature, tranches summing exactly', async () => {
  const t0 = await position('start');
  S.t0 = t0;
  S.id = await approvedProject(appA);
  const p = await get(officer, S.id);
  assert.equal(p.status, 'awaiting_signature');
  assert.equal(p.scheme, 'ITSP');
  assert.equal(p.payment.pattern, 'milestones');
  assert.equal(p.payment.final_min_bp, 1000);
  assert.equal(p.agreement.approved_cents, 90000000);
  assert.equal(p.agreement.government_cents, 90000000);
  assert.equal(p.agreement.applicant_cents, 10000000);
  assert.deepEqual(p.tranches.map((t) => [t.kind, t.bp]),
    [['milestone', 3333], ['milestone', 3333], ['final', 3334]]);
  assert.equal(p.tranches.reduce((s, t) => s + t.amount_cents, 0), 90000000);
  assert.equal(p.tranches[2].amount_cents, 90000000 - 2 * 29997000);
  assert.ok(p.tranches.every((t) => t.state === 'locked'));
  assert.equal(p.agreement_versions.length, 1);
  assert.equal(p.agreement_versions[0].reason, 'approval');
  assert.equal(p.agreement.budget_lines.reduce((s, l) => s + l.government_cents, 0), 90000000);
  assert.equal(p.ledger.committed_cents, 90000000);
  assert.equal(p.ledger.outstanding_cents, 90000000);
  assert.deepEqual(p.holds, []);
  assert.equal(notes(appA, 'project.created', S.id), 1);
  const t1 = await position('approval');
  assert.equal(BigInt(t1.commitments_outstanding_cents) - BigInt(t0.commitments_outstanding_cents), 90000000n);
  // Who sees it: its organisation, staff; another organisation 404, a panel member 403.
  expectStatus(await as(appA, 'GET', `/api/v1/projects/${S.id}`), 200);
  expectStatus(await as(auditor, 'GET', `/api/v1/projects/${S.id}`), 200);
  expectError(await as(appB, 'GET', `/api/v1/projects/${S.id}`), 404, 'not_found');
  expectError(await as(panel, 'GET', `/api/v1/projects/${S.id}`), 403, 'forbidden');
  expectError(await as(null, 'GET', `/api/v1/projects/${S.id}`), 401, 'unauthenticated');
  const applicantView = await get(appA, S.id);
  assert.equal(applicantView.ledger, undefined);
  // A second approval of the same application is refused.
  const again = fixture(['approve', String(S.id), '90000000']);
  assert.notEqual(again.status, 0);
});

test('an officer adjusts milestones and tranches before signing: a new version', async () => {
  const ms = (bp, due3 = day(350)) => ({ milestones: [
    { title: 'Design', deliverables: 'Design report', due_date: day(90), tranche_bp: bp[0] },
    { title: 'Prototype', due_date: day(180), tranche_bp: bp[1] },
    { title: 'Field trial and final report', due_date: due3, tranche_bp: bp[2] },
  ] });
  const path = `/api/v1/projects/${S.id}/milestones`;
  expectError(await as(appA, 'PUT', path, ms([2000, 3000, 5000])), 403, 'forbidden');
  expectError(await as(auditor, 'PUT', path, ms([2000, 3000, 5000])), 403, 'forbidden');
  expectError(await as(officer, 'PUT', path, ms([2000, 3000, 4000])), 422, 'invalid', 'milestones');
  expectError(await as(officer, 'PUT', path, ms([5000, 4500, 500])), 422, 'invalid',
    'milestones[2].tranche_bp');
  expectError(await as(officer, 'PUT', path, ms([2000, 3000, 5000], day(400))), 422, 'invalid',
    'milestones[2].due_date');
  expectError(await as(officer, 'PUT', path, { ...ms([2000, 3000, 5000]), initial_bp: 1000 }),
    422, 'invalid', 'initial_bp');
  expectError(await as(officer, 'PUT', path, { milestones: [] }), 422, 'invalid', 'milestones');
  const r = expectStatus(await as(officer, 'PUT', path, ms([2000, 3000, 5000])), 200);
  assert.deepEqual(r.json.tranches.map((t) => t.amount_cents), [18000000, 27000000, 45000000]);
  assert.equal(r.json.agreement.version, 2);
  assert.equal(r.json.agreement_versions.length, 2);
  // The first version still reads as it was.
  assert.deepEqual(r.json.agreement_versions[0].tranches.map((t) => t.amount_cents),
    [29997000, 29997000, 30006000]);
  assert.equal(r.json.milestones[2].title, 'Field trial and final report');
  await position('schedule');
});

test('signing: by the organisation (or an officer); once', async () => {
  const path = `/api/v1/projects/${S.id}/sign`;
  expectError(await as(appB, 'POST', path), 404, 'not_found');
  expectError(await as(auditor, 'POST', path), 403, 'forbidden');
  expectError(await as(appA, 'POST', path, { note: 'x'.repeat(2001) }), 422, 'invalid', 'note');
  const r = expectStatus(await as(appA, 'POST', path, { note: 'Signed by the Dean' }), 200);
  assert.equal(r.json.status, 'active');
  assert.equal(r.json.agreement.signed_version, 2);
  assert.equal(r.json.agreement.signed_as, 'applicant');
  expectError(await as(appA, 'POST', path), 409, 'invalid_state');
  assert.equal(notes(appA, 'project.signed', S.id), 1);
  const app = expectStatus(await as(appA, 'GET', `/api/v1/applications/${S.id}`), 200).json;
  assert.ok(['approved', 'agreement_signed'].includes(app.status), app.status);
  // A changed schedule needs a variation now.
  expectError(await as(officer, 'PUT', `/api/v1/projects/${S.id}/milestones`, { milestones: [] }),
    409, 'invalid_state');
});

test('reports: multipart with a file, returned, resubmitted, accepted', async () => {
  const p = await get(officer, S.id);
  S.t1 = tranche(p, 1).id;
  S.t2 = tranche(p, 2).id;
  S.t3 = tranche(p, 3).id;
  // A locked tranche cannot be paid.
  expectError(await prepare(officer, { tranche_id: S.t1 }, newKey()), 409, 'invalid_state', 'tranche_id');
  const path = `/api/v1/projects/${S.id}/milestones/1/reports`;
  const pdf = Buffer.from('%PDF-1.4\n% ITF progress report\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
  // Officers do not submit the organisation's reports.
  expectError(await as(officer, 'POST', path, { text: 'x', expenditure_cents: 1 }), 403, 'forbidden');
  expectError(await as(appA, 'POST', path, { text: 'x' }), 422, 'invalid', 'expenditure_cents');
  expectError(await as(appA, 'POST', path, { text: 'x', expenditure_cents: 1, kind: 'audited_accounts',
    audited_cost_cents: 1, interest_cents: 0 }), 422, 'invalid', 'kind');
  expectError(await as(appA, 'POST', `/api/v1/projects/${S.id}/milestones/9/reports`,
    { text: 'x', expenditure_cents: 1 }), 404, 'not_found');
  // Refused file types and sizes leave nothing behind.
  const before = existsSync(UPLOADS) ? readdirSync(UPLOADS).length : 0;
  let r = await multipart(appA, path, { text: 'Binary', expenditure_cents: 5 },
    { data: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), name: 'tool.exe' });
  expectError(r, 422, 'invalid', 'file');
  r = await multipart(appA, path, { text: 'Huge', expenditure_cents: 5 },
    { data: Buffer.alloc(5 * 1024 * 1024 + 1, 0x41), name: 'big.txt' });
  expectError(r, 413, 'too_large', 'file');
  assert.equal(existsSync(UPLOADS) ? readdirSync(UPLOADS).length : 0, before);
  // A report with a PDF whose client name is a path: stored under our name.
  r = await multipart(appA, path, { text: 'Milestone 1 done.\nDesign report attached.',
    expenditure_cents: 15000000 }, { data: pdf, name: '../../etc/evil.pdf' });
  expectStatus(r, 201, 'multipart report');
  assert.equal(r.json.status, 'submitted');
  assert.equal(r.json.expenditure_cents, 15000000);
  assert.equal(r.json.file.type, 'application/pdf');
  assert.equal(r.json.file.name, 'evil.pdf');
  assert.equal(r.json.file.size, pdf.length);
  assert.equal(r.json.file.sha256, createHash('sha256').update(pdf).digest('hex'));
  const stored = psql(`SELECT file_stored FROM progress_reports WHERE id = ${r.json.id}`);
  assert.match(stored, /^[0-9a-f]{32}$/);
  assert.deepEqual(readFileSync(`${UPLOADS}/${stored}`), pdf);
  const dl = await fetch(`${BASE}/api/v1/progress-reports/${r.json.id}/file`,
    { headers: { cookie: officer.cookie } });
  assert.equal(dl.status, 200);
  assert.equal(dl.headers.get('content-type'), 'application/pdf');
  assert.match(dl.headers.get('content-disposition'), new RegExp(`report-${r.json.id}\\.pdf`));
  assert.deepEqual(Buffer.from(await dl.arrayBuffer()), pdf);
  expectStatus(await as(appB, 'GET', `/api/v1/progress-reports/${r.json.id}/file`), 404);
  // One waiting report per milestone.
  expectError(await as(appA, 'POST', path, { text: 'Again', expenditure_cents: 1 }), 409, 'invalid_state');
  // Returned with a note (required), the organisation told.
  const rid = r.json.id;
  expectError(await as(officer, 'POST', `/api/v1/progress-reports/${rid}/return`), 422, 'invalid', 'note');
  expectError(await as(appA, 'POST', `/api/v1/progress-reports/${rid}/accept`), 403, 'forbidden');
  r = expectStatus(await as(officer, 'POST', `/api/v1/progress-reports/${rid}/return`,
    { note: 'Please add the test results.' }), 200);
  assert.equal(r.json.status, 'returned');
  assert.equal(notes(appA, 'report.returned', S.id), 1);
  expectError(await as(officer, 'POST', `/api/v1/progress-reports/${rid}/accept`), 409, 'invalid_state');
  // Resubmitted as JSON and accepted: the tranche unlocks.
  await acceptReport(S.id, 1);
  const p2 = await get(appA, S.id);
  assert.equal(tranche(p2, 1).state, 'unlocked');
  assert.equal(tranche(p2, 2).state, 'locked');
  assert.equal(p2.milestones[0].reports.length, 2);
  assert.equal(psql(`SELECT count(*) FROM audit_log WHERE record_type = 'progress_report'
    AND record_id IN (SELECT id::text FROM progress_reports WHERE project_id = ${S.id})`), '4');
});

test('payments: idempotency key, refusals, maker-checker, posted to the ledger', async () => {
  const t0 = await position('before payment');
  // No key, or a bad one: 400.
  expectError(await prepare(officer, { tranche_id: S.t1 }), 400, 'bad_request', 'idempotency_key');
  expectError(await prepare(officer, { tranche_id: S.t1 }, 'has space'), 400, 'bad_request');
  expectError(await prepare(officer, { tranche_id: S.t1, idempotency_key: 'a' }, 'b'), 400, 'bad_request');
  // Above the unlocked amount.
  expectError(await prepare(officer, { tranche_id: S.t1, amount_cents: 18000001 }, newKey()), 422,
    'invalid', 'amount_cents');
  // Only officers prepare.
  for (const u of [appA, auditor, approver, finance])
    expectError(await prepare(u, { tranche_id: S.t1 }, newKey()), u === appA ? 403 : 403, 'forbidden');
  const key = newKey();
  const body = { tranche_id: S.t1, project_id: S.id, note: 'Milestone 1 tranche' };
  let r = await prepare(officer, body, key, 201);
  assert.equal(r.json.status, 'prepared');
  assert.equal(r.json.amount_cents, 18000000);
  S.pay1 = r.json.id;
  // The same key and body: the same payment (200), never a second.
  r = await prepare(officer, { note: 'Milestone 1 tranche', project_id: S.id, tranche_id: S.t1 }, key, 200);
  assert.equal(r.json.id, S.pay1);
  // By another officer, with the key in the body: still the same one.
  r = await prepare(officer2, { ...body, idempotency_key: key }, null, 200);
  assert.equal(r.json.id, S.pay1);
  // The same key with another body: 409.
  expectError(await prepare(officer, { ...body, amount_cents: 100 }, key), 409, 'conflict', 'idempotency_key');
  // A second payment of the tranche under a new key: 409.
  expectError(await prepare(officer, body, newKey()), 409, 'conflict', 'tranche_id');
  assert.equal(psql(`SELECT count(*) FROM payments WHERE tranche_id = ${S.t1}`), '1');
  // Maker-checker: not the preparer, not an officer without the role.
  expectError(await as(officer, 'POST', `/api/v1/payments/${S.pay1}/approve`), 403, 'forbidden');
  expectError(await as(officer2, 'POST', `/api/v1/payments/${S.pay1}/approve`), 403, 'forbidden');
  expectError(await as(appA, 'POST', `/api/v1/payments/${S.pay1}/approve`), 403, 'forbidden');
  r = expectStatus(await as(approver, 'POST', `/api/v1/payments/${S.pay1}/approve`,
    { note: 'Checked against the accepted report' }), 200);
  assert.equal(r.json.status, 'approved');
  assert.equal(r.json.approved_by.id, approver.id);
  assert.ok(r.json.ledger_entry_id > 0);
  // Approving again: the same approval back; by someone else: 409.
  r = expectStatus(await as(approver, 'POST', `/api/v1/payments/${S.pay1}/approve`), 200);
  assert.equal(r.json.status, 'approved');
  expectError(await as(finance, 'POST', `/api/v1/payments/${S.pay1}/approve`), 409, 'invalid_state');
  const t1 = await position('payment 1');
  assert.equal(BigInt(t1.payments_cents) - BigInt(t0.payments_cents), 18000000n);
  assert.equal(BigInt(t0.commitments_outstanding_cents) - BigInt(t1.commitments_outstanding_cents), 18000000n);
  const p = await get(officer, S.id);
  assert.equal(p.ledger.paid_cents, 18000000);
  assert.equal(p.paid_cents, 18000000);
  assert.equal(tranche(p, 1).state, 'paid');
  assert.equal(notes(appA, 'payment.approved', S.id), 1);
  assert.equal(psql(`SELECT count(*) FROM audit_log WHERE record_type = 'payment'
    AND record_id = '${S.pay1}'`), '2');
  // The applicant sees its payment but not who handled it.
  const mine = expectStatus(await as(appA, 'GET', `/api/v1/payments?project=${S.id}`), 200).json;
  assert.equal(mine.payments.length, 1);
  assert.equal(mine.payments[0].prepared_by, undefined);
  const theirs = expectStatus(await as(appB, 'GET', `/api/v1/payments?project=${S.id}`), 200).json;
  assert.equal(theirs.payments.length, 0);
  expectError(await as(appB, 'GET', `/api/v1/payments/${S.pay1}`), 404, 'not_found');
});

test('twenty concurrent identical prepares make exactly one payment', async () => {
  await acceptReport(S.id, 2);
  const key = newKey();
  const body = { tranche_id: S.t2, note: 'Milestone 2 tranche' };
  const rs = await Promise.all(Array.from({ length: 20 }, () => prepare(officer, body, key)));
  const statuses = rs.map((r) => r.status).sort();
  assert.equal(statuses.filter((s) => s === 201).length, 1, statuses.join(','));
  assert.equal(statuses.filter((s) => s === 200).length, 19, statuses.join(','));
  const ids = new Set(rs.map((r) => r.json.id));
  assert.equal(ids.size, 1);
  S.pay2 = [...ids][0];
  assert.equal(psql(`SELECT count(*) FROM payments WHERE idempotency_key = '${key}'`), '1');
  assert.equal(psql(`SELECT count(*) FROM payments WHERE tranche_id = ${S.t2}`), '1');
  // Twenty different keys racing for one tranche: one payment, the rest 409.
  const p3 = await approvedProject(appA);
  expectStatus(await as(appA, 'POST', `/api/v1/projects/${p3}/sign`), 200);
  await acceptReport(p3, 1);
  const t = tranche(await get(officer, p3), 1).id;
  const race = await Promise.all(Array.from({ length: 20 }, () =>
    prepare(officer, { tranche_id: t }, newKey())));
  const st = race.map((r) => r.status);
  assert.equal(st.filter((s) => s === 201).length, 1, st.join(','));
  assert.equal(st.filter((s) => s === 409).length, 19, st.join(','));
  assert.equal(psql(`SELECT count(*) FROM payments WHERE tranche_id = ${t}`), '1');
  S.p3 = p3;
  await position('concurrent prepares');
});

test('suspension blocks preparing and approving until resumed', async () => {
  const path = `/api/v1/projects/${S.id}`;
  expectError(await as(officer, 'POST', `${path}/suspend`), 422, 'invalid', 'reason');
  expectError(await as(auditor, 'POST', `${path}/suspend`, { reason: 'x' }), 403, 'forbidden');
  expectError(await as(appA, 'POST', `${path}/suspend`, { reason: 'x' }), 403, 'forbidden');
  let r = expectStatus(await as(officer, 'POST', `${path}/suspend`,
    { reason: 'Progress poorer than the agreement requires' }), 200);
  assert.equal(r.json.status, 'suspended');
  assert.deepEqual(r.json.holds.map((h) => h.kind), ['suspended']);
  assert.equal(r.json.holds[0].reason, 'Progress poorer than the agreement requires');
  assert.equal(notes(appA, 'project.suspended', S.id), 1);
  expectError(await as(officer, 'POST', `${path}/suspend`, { reason: 'again' }), 409, 'invalid_state');
  // The prepared payment cannot be approved; nothing new can be prepared.
  expectError(await as(approver, 'POST', `/api/v1/payments/${S.pay2}/approve`), 409, 'invalid_state', 'status');
  assert.equal(psql(`SELECT status FROM payments WHERE id = ${S.pay2}`), 'prepared');
  expectError(await prepare(officer, { tranche_id: S.t3 }, newKey()), 409, 'invalid_state');
  const held = expectStatus(await as(officer, 'GET', '/api/v1/projects?on_hold=true&limit=100'), 200).json;
  assert.ok(held.projects.some((x) => x.id === S.id && x.on_hold));
  // Resumed: the approval goes through.
  r = expectStatus(await as(officer, 'POST', `${path}/resume`, { note: 'Recovery plan accepted' }), 200);
  assert.equal(r.json.status, 'active');
  assert.deepEqual(r.json.holds, []);
  expectError(await as(officer, 'POST', `${path}/resume`), 409, 'invalid_state');
  const t0 = await position('before payment 2');
  r = expectStatus(await as(finance, 'POST', `/api/v1/payments/${S.pay2}/approve`), 200);
  assert.equal(r.json.status, 'approved');
  const t1 = await position('payment 2');
  assert.equal(BigInt(t1.payments_cents) - BigInt(t0.payments_cents), 27000000n);
});

test('an overdue milestone report holds payments until the report is received', async () => {
  const id = await approvedProject(appA, {
    start: day(-60), end: day(300),
    milestones: [
      { title: 'Inception', due_date: day(-20) },
      { title: 'Midterm', due_date: day(100) },
      { title: 'Completion', due_date: day(290) },
    ],
  });
  let p = await get(officer, id);
  assert.deepEqual(p.holds, []);	// not signed: nothing is payable yet
  expectStatus(await as(officer, 'POST', `/api/v1/projects/${id}/sign`,
    { note: 'Paper agreement signed 1 Oct' }), 200);
  p = await get(appA, id);
  assert.equal(p.agreement.signed_as, 'officer');
  assert.equal(p.holds.length, 1);
  assert.equal(p.holds[0].kind, 'overdue_report');
  assert.equal(p.holds[0].milestone_seq, 1);
  assert.equal(p.holds[0].days_overdue, 20);
  assert.equal(p.milestones[0].days_overdue, 20);
  const list = expectStatus(await as(appA, 'GET', '/api/v1/projects?on_hold=true'), 200).json;
  const item = list.projects.find((x) => x.id === id);
  assert.ok(item && item.on_hold && item.days_overdue === 20, JSON.stringify(item));
  // Milestone 2's tranche is unlocked, but the overdue report holds it.
  await acceptReport(id, 2);
  const t2 = tranche(p, 2).id;
  const r = await prepare(officer, { tranche_id: t2 }, newKey());
  expectError(r, 409, 'invalid_state', 'holds');
  assert.match(r.json.error.message, /milestone 1 .* 20 day\(s\) overdue/);
  // Received (not yet accepted) lifts the hold.
  expectStatus(await as(appA, 'POST', `/api/v1/projects/${id}/milestones/1/reports`,
    { text: 'Late inception report', expenditure_cents: 0 }), 201);
  p = await get(officer, id);
  assert.deepEqual(p.holds, []);
  await prepare(officer, { tranche_id: t2 }, newKey(), 201);
  S.overdue = id;
});

test('variations: requested by the organisation, decided by an officer, versions kept', async () => {
  const path = `/api/v1/projects/${S.id}/variations`;
  // Shape and rules.
  expectError(await as(appA, 'POST', path, { reason: 'x' }), 422, 'invalid');
  expectError(await as(appA, 'POST', path, { reason: 'x', end_date: day(10) }), 422, 'invalid', 'end_date');
  expectError(await as(appA, 'POST', path, { reason: 'x', end_date: day(900) }), 422, 'invalid', 'end_date');
  expectError(await as(appA, 'POST', path, { reason: 'x', government_cents: 90000001 }), 422, 'invalid',
    'government_cents');
  expectError(await as(appA, 'POST', path, { reason: 'x', budget_lines: [
    { line_no: 1, amount_cents: 70000000 }, { line_no: 2, amount_cents: 40000000 }] }), 422, 'invalid',
    'budget_lines');
  expectError(await as(appA, 'POST', path, { reason: 'x', milestones: [{ seq: 1, title: 'New' }] }),
    422, 'invalid', 'milestones[0].seq');
  expectError(await as(officer, 'POST', path, { reason: 'x', end_date: day(400) }), 403, 'forbidden');
  expectError(await as(appA, 'POST', path, { reason: 'x', colour: 'red' }), 400, 'bad_request', 'colour');
  // A reallocation, an extension and a milestone change together.
  let r = expectStatus(await as(appA, 'POST', path, {
    reason: 'Equipment came in cheaper; the trial needs two more months',
    budget_lines: [{ line_no: 1, amount_cents: 70000000 }, { line_no: 2, amount_cents: 30000000 }],
    end_date: day(420),
    milestones: [{ seq: 3, due_date: day(410), deliverables: 'Trial report and final report' }],
  }), 201);
  const v1 = r.json.id;
  assert.equal(r.json.status, 'requested');
  expectError(await as(appA, 'POST', path, { reason: 'another', end_date: day(430) }), 409, 'invalid_state');
  expectError(await as(appA, 'POST', `/api/v1/variations/${v1}/approve`), 403, 'forbidden');
  r = expectStatus(await as(officer, 'POST', `/api/v1/variations/${v1}/approve`,
    { note: 'Justified' }), 200);
  assert.equal(r.json.status, 'approved');
  assert.equal(r.json.agreement_version, 3);
  let p = await get(appA, S.id);
  assert.equal(p.agreement.version, 3);
  assert.equal(p.agreement.end_date, day(420));
  assert.deepEqual(p.agreement.budget_lines.map((l) => [l.amount_cents, l.government_cents]),
    [[70000000, 63000000], [30000000, 27000000]]);
  assert.equal(p.milestones[2].due_date, day(410));
  assert.equal(p.agreement_versions.length, 3);
  assert.equal(p.agreement_versions[1].end_date, day(360));
  assert.deepEqual(p.agreement_versions[1].budget_lines.map((l) => l.amount_cents), [60000000, 40000000]);
  assert.equal(notes(appA, 'variation.approved', S.id), 1);
  // Rejected, with a note.
  r = expectStatus(await as(appA, 'POST', path, { reason: 'More time', end_date: day(430) }), 201);
  expectError(await as(officer, 'POST', `/api/v1/variations/${r.json.id}/reject`), 422, 'invalid', 'note');
  r = expectStatus(await as(officer, 'POST', `/api/v1/variations/${r.json.id}/reject`,
    { note: 'Not justified' }), 200);
  assert.equal(r.json.status, 'rejected');
  // A lower government contribution: unpaid tranches rescaled, the
  // difference of commitment released in the ledger.
  const t0 = await position('before variation');
  r = expectStatus(await as(appA, 'POST', path, { reason: 'Scope reduced', government_cents: 80000000 }), 201);
  expectStatus(await as(officer, 'POST', `/api/v1/variations/${r.json.id}/approve`), 200);
  p = await get(officer, S.id);
  assert.equal(p.agreement.government_cents, 80000000);
  assert.equal(p.agreement.approved_cents, 90000000);
  assert.equal(p.agreement.applicant_cents, 20000000);
  assert.deepEqual(p.tranches.map((t) => t.amount_cents), [18000000, 27000000, 35000000]);
  assert.equal(p.agreement.budget_lines.reduce((s, l) => s + l.government_cents, 0), 80000000);
  assert.equal(p.agreement_versions.length, 4);
  assert.equal(p.agreement_versions[2].government_cents, 90000000);
  assert.equal(p.ledger.released_cents, 10000000);
  assert.equal(p.ledger.outstanding_cents, 35000000);
  const t1 = await position('variation');
  assert.equal(BigInt(t1.releases_cents) - BigInt(t0.releases_cents), 10000000n);
  expectStatus(await as(auditor, 'GET', path), 200);
});

test('close-out: final report and audited accounts, final tranche, surplus refunded', async () => {
  const id = S.id;
  // Audited accounts only on the final milestone, with their figures.
  expectError(await as(appA, 'POST', `/api/v1/projects/${id}/milestones/2/reports`,
    { kind: 'audited_accounts', text: 'x', expenditure_cents: 1, audited_cost_cents: 1, interest_cents: 0 }),
    422, 'invalid', 'kind');
  expectError(await as(appA, 'POST', `/api/v1/projects/${id}/milestones/3/reports`,
    { kind: 'audited_accounts', text: 'x', expenditure_cents: 1 }), 422, 'invalid', 'audited_cost_cents');
  // The final report alone does not unlock the final tranche.
  await acceptReport(id, 3, { text: 'Final report' });
  let p = await get(officer, id);
  assert.equal(tranche(p, 3).state, 'locked');
  expectError(await as(officer, 'POST', `/api/v1/projects/${id}/close`), 409, 'invalid_state');
  // Audited accounts: eligible cost HK$850,000, interest HK$500.
  const fd = await multipart(appA, `/api/v1/projects/${id}/milestones/3/reports`, {
    kind: 'audited_accounts', text: 'Audited project accounts', expenditure_cents: 85000000,
    audited_cost_cents: 85000000, interest_cents: 50000,
  }, { data: Buffer.from('item,amount\nmanpower,60000000\nequipment,25000000\n'), name: 'accounts.csv' });
  expectStatus(fd, 201, 'audited accounts');
  assert.equal(fd.json.file.type, 'text/plain; charset=utf-8');
  assert.equal(fd.json.audited_cost_cents, 85000000);
  expectStatus(await as(officer, 'POST', `/api/v1/progress-reports/${fd.json.id}/accept`), 200);
  p = await get(officer, id);
  assert.equal(tranche(p, 3).state, 'unlocked');
  assert.deepEqual(p.audited_accounts, { audited_cost_cents: 85000000, interest_cents: 50000 });
  // The final tranche, paid.
  const r = await prepare(officer, { tranche_id: S.t3 }, newKey(), 201);
  assert.equal(r.json.amount_cents, 35000000);
  // A payment waiting for approval stops the close.
  expectError(await as(officer, 'POST', `/api/v1/projects/${id}/close`), 409, 'invalid_state', 'payments');
  expectStatus(await as(approver, 'POST', `/api/v1/payments/${r.json.id}/approve`), 200);
  let t0 = await position('final payment');
  // Close: paid 80M - share (85M x 80M / 100M = 68M) + interest 0.5M = 12.05M due.
  expectError(await as(auditor, 'POST', `/api/v1/projects/${id}/close`), 403, 'forbidden');
  p = expectStatus(await as(officer, 'POST', `/api/v1/projects/${id}/close`,
    { note: 'Final audit reviewed' }), 200).json;
  assert.equal(p.status, 'refund_due');
  assert.deepEqual(p.close_out && [p.close_out.gov_share_cents, p.close_out.surplus_cents,
    p.close_out.refund_due_cents], [68000000, 12050000, 12050000]);
  assert.equal(p.ledger.outstanding_cents, 0);
  assert.equal(notes(appA, 'project.closed', id), 1);
  // No payment after close.
  expectError(await prepare(officer, { tranche_id: S.t3 }, newKey()), 409);
  // Refunds: not more than due; in parts; the last closes the project.
  expectError(await as(officer, 'POST', `/api/v1/projects/${id}/refund`, { amount_cents: 12050001 }),
    422, 'invalid', 'amount_cents');
  expectError(await as(appA, 'POST', `/api/v1/projects/${id}/refund`, { amount_cents: 1 }), 403, 'forbidden');
  p = expectStatus(await as(finance, 'POST', `/api/v1/projects/${id}/refund`,
    { amount_cents: 50000, reference: 'Cheque 001234' }), 200).json;
  assert.equal(p.status, 'refund_due');
  let t1 = await position('refund 1');
  assert.equal(BigInt(t1.refunds_cents) - BigInt(t0.refunds_cents), 50000n);
  p = expectStatus(await as(officer, 'POST', `/api/v1/projects/${id}/refund`,
    { amount_cents: 12000000, reference: 'Cheque 001235' }), 200).json;
  assert.equal(p.status, 'closed');
  assert.equal(p.close_out.refunded_cents, 12050000);
  assert.equal(p.refunds.length, 2);
  assert.equal(p.ledger.refunded_cents, 12050000);
  assert.equal(p.ledger.paid_cents, 80000000);
  expectError(await as(officer, 'POST', `/api/v1/projects/${id}/refund`, { amount_cents: 1 }), 409, 'invalid_state');
  t1 = await position('refund 2');
  // From approval to refund: committed 90M = paid 80M + released 10M;
  // refunded 12.05M back to the block vote.
  assert.equal(BigInt(t1.payments_cents) - BigInt(S.t0.payments_cents) >= 80000000n, true);
  const sub = psql(`SELECT outstanding_cents || ',' || paid_cents || ',' || refunded_cents
    FROM ledger_commitments WHERE project_id = ${id}`);
  assert.equal(sub, '0,80000000,12050000');
  assert.equal(psql(`SELECT count(*) FROM audit_log WHERE record_type = 'project'
    AND record_id = '${id}' AND action IN ('project.create', 'project.schedule', 'project.sign',
    'project.suspend', 'project.resume', 'project.close', 'project.refund')`), '8');
});

test('termination cancels prepared payments and releases the commitment', async () => {
  const id = S.p3;
  const t0 = await position('before termination');
  let p = await get(officer, id);
  assert.equal(p.payments.filter((x) => x.status === 'prepared').length, 1);
  expectError(await as(officer, 'POST', `/api/v1/projects/${id}/terminate`), 422, 'invalid', 'reason');
  p = expectStatus(await as(officer, 'POST', `/api/v1/projects/${id}/terminate`,
    { reason: 'The organisation withdrew from the project' }), 200).json;
  assert.equal(p.status, 'terminated');
  assert.equal(p.payments[0].status, 'cancelled');
  assert.equal(p.ledger.outstanding_cents, 0);
  assert.equal(p.ledger.released_cents, 90000000);
  assert.equal(notes(appA, 'project.terminated', id), 1);
  const t1 = await position('termination');
  assert.equal(BigInt(t1.releases_cents) - BigInt(t0.releases_cents), 90000000n);
  expectError(await as(officer, 'POST', `/api/v1/projects/${id}/terminate`, { reason: 'again' }),
    409, 'invalid_state');
  expectError(await as(officer, 'POST', `/api/v1/projects/${id}/resume`), 409, 'invalid_state');
});

test('lists: each organisation sees its own; filters; unknown parameters refused', async () => {
  const mine = expectStatus(await as(appA, 'GET', '/api/v1/projects?limit=100'), 200).json;
  assert.ok(mine.projects.length >= 3);
  assert.ok(mine.projects.every((x) => x.organisation.id === orgA));
  const theirs = expectStatus(await as(appB, 'GET', '/api/v1/projects'), 200).json;
  assert.equal(theirs.projects.length, 0);
  const closed = expectStatus(await as(auditor, 'GET', '/api/v1/projects?status=closed,terminated&scheme=itsp&limit=100'),
    200).json;
  assert.ok(closed.projects.some((x) => x.id === S.id && x.status === 'closed'));
  assert.ok(closed.projects.some((x) => x.id === S.p3 && x.status === 'terminated'));
  const page = expectStatus(await as(officer, 'GET', `/api/v1/projects?organisation=${orgA}&limit=1`), 200).json;
  assert.equal(page.projects.length, 1);
  assert.ok(page.next_cursor);
  const next = expectStatus(await as(officer, 'GET',
    `/api/v1/projects?organisation=${orgA}&limit=1&cursor=${page.next_cursor}`), 200).json;
  assert.ok(next.projects[0].id < page.projects[0].id);
  expectError(await as(officer, 'GET', '/api/v1/projects?colour=red'), 400, 'bad_request', 'colour');
  expectError(await as(officer, 'GET', '/api/v1/projects?status=paid'), 400, 'bad_request', 'status');
  expectError(await as(panel, 'GET', '/api/v1/projects'), 403, 'forbidden');
  const pays = expectStatus(await as(finance, 'GET', `/api/v1/payments?project=${S.id}&status=approved`), 200).json;
  assert.equal(pays.payments.length, 3);
  assert.equal(pays.payments.reduce((s, x) => s + x.amount_cents, 0), 80000000);
  expectError(await as(officer, 'POST', '/api/v1/payments', { tranche_id: 1 }, { csrf: false }), 403,
    'forbidden', 'x-itf-request');
  // Nothing but digits after /projects/: the catch-all answers.
  expectStatus(await as(officer, 'GET', '/api/v1/projects/abc'), 404);
  expectStatus(await as(officer, 'DELETE', `/api/v1/projects/${S.id}`), 405);
  verifyLedger('the end');
});

// The approval decision itself, through the panel's HTTP path: the project
// exists the moment the decision is recorded (decisions.c calls
// projects_create_from_approval() in the approving transaction).
test('the full path: a panel approval creates the project in its own transaction', async () => {
  let r = expectStatus(await as(appA, 'POST', '/api/v1/applications', itspBody()), 201, 'create');
  const id = r.json.id;
  expectStatus(await as(appA, 'POST', `/api/v1/applications/${id}/submit`), 200, 'submit');
  expectStatus(await as(officer, 'POST', `/api/v1/applications/${id}/screen`,
    { decision: 'accept' }), 200, 'screen');
  const scheme = expectStatus(await as(officer, 'GET', '/api/v1/schemes/ITSP'), 200).json;
  const scores = Object.fromEntries(scheme.criteria.map((c) => [c.id, Math.ceil(c.max_score * 0.7)]));
  const members = [await addUser('panel_member'), await addUser('panel_member'),
    await addUser('panel_member')];
  r = expectStatus(await as(officer, 'POST', '/api/v1/panels',
    { scheme: 'ITSP', name_en: `ITSP Panel ${uniq()}`, name_zh: '創新及科技支援計劃評審委員會' }), 201, 'panel');
  const panelId = r.json.id;
  for (const [i, u] of members.entries())
    expectStatus(await as(officer, 'POST', `/api/v1/panels/${panelId}/members`,
      { user_id: u.id, role: i === 0 ? 'chair' : 'member', term_from: '2020-01-01',
        term_to: '2035-12-31' }), 201, 'appoint');
  r = expectStatus(await as(officer, 'POST', '/api/v1/meetings',
    { panel_id: panelId, meeting_date: TODAY }), 201, 'meeting');
  expectStatus(await as(officer, 'POST', `/api/v1/meetings/${r.json.id}/agenda`,
    { application_ids: [id] }), 200, 'agenda');
  for (const u of members) {
    expectStatus(await as(u, 'POST', `/api/v1/applications/${id}/conflicts`, { conflict: false }), 200);
    expectStatus(await as(u, 'POST', `/api/v1/applications/${id}/scores`, { scores }), 200);
  }
  expectStatus(await as(members[0], 'POST', `/api/v1/applications/${id}/recommendation`,
    { recommendation: 'support', reasons: 'A sound seed project.' }), 201, 'recommend');
  expectStatus(await as(finance, 'POST', '/api/v1/ledger/injections',
    { amount_cents: 90000000, paper_ref: 'FCR(2026-27)98', approved_on: TODAY }), 201, 'injection');
  const t0 = await position('before the decision');
  r = await as(approver, 'POST', `/api/v1/applications/${id}/decision`,
    { decision: 'approve', reasons: 'Within the scheme\'s objectives.' });
  assert.ok(r.status === 200 || r.status === 201, r.text);
  const t1 = await position('the decision');
  assert.equal(BigInt(t1.commitments_outstanding_cents) - BigInt(t0.commitments_outstanding_cents),
    90000000n);
  r = expectStatus(await as(officer, 'GET', `/api/v1/projects/${id}`), 200, 'the project');
  assert.equal(r.json.status, 'awaiting_signature');
  assert.equal(r.json.agreement.government_cents, 90000000);
  assert.equal(r.json.ledger.outstanding_cents, 90000000);
  assert.equal(r.json.tranches.reduce((s, x) => s + x.amount_cents, 0), 90000000);
  assert.equal(notes(appA, 'project.created', id), 1);
  // The whole path on to the first payment.
  expectStatus(await as(appA, 'POST', `/api/v1/projects/${id}/sign`), 200, 'sign');
  await acceptReport(id, 1);
  const pay = await prepare(officer, { tranche_id: tranche(r.json, 1).id }, newKey(), 201);
  expectStatus(await as(approver, 'POST', `/api/v1/payments/${pay.json.id}/approve`), 200);
  const t2 = await position('the first payment of a decided project');
  assert.equal(BigInt(t2.payments_cents) - BigInt(t1.payments_cents), 29997000n);
});
