// Crash safety (issue 9, part 1).  This file starts a Kore of its own (a
// copy of the test configuration on another loopback port, the same
// database, its connections named "itfcrash"), runs clients that create and
// submit applications, accept them, report on milestones and prepare and
// approve payments, and kills the whole Kore process group with SIGKILL in
// the middle of that load -- three times at a random moment (with requests
// in flight; ITF_CRASH_ROUNDS), and once while a
// submission and a payment approval are provably inside their transactions
// (blocked on row locks this test holds).  After each kill it restarts the
// service and checks with SQL that nothing is half-written, that every
// acknowledged write (a 2xx the client received) is there, that every
// change has its history and audit rows, that the ledger and the audit
// chain verify, and that retrying a payment whose answer was lost never
// pays twice.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { api, expectStatus, itfctl, psql, uniq, ROOT, projectsFixture } from './lib.mjs';
import { freePort, koreConf, sleep, spawnKore, waitFor } from './service.mjs';

const PW = 'correct horse battery staple';
const DAY = 86400e3;
const hkNow = () => new Date(Date.now() + 8 * 3600e3);
const day = (offset) => new Date(hkNow().getTime() + offset * DAY).toISOString().slice(0, 10);
const UPLOADS = process.env.ITF_UPLOAD_DIR || `${ROOT}/var/uploads`;
const APPNAME = 'itfcrash';

// ---- our own Kore ---------------------------------------------------------

const port = await freePort();
const dir = `${process.env.ITF_TEST_TMP || os.tmpdir()}/kore-crash-${process.pid}`;
// Both workers take connections (see applications.test.mjs).
const conf = koreConf(dir, port, { workers: 2, edit: (c) => c
  .replace(/^http_request_limit.*$/m, 'http_request_limit\t1') });
// The same database; a later keyword wins in a libpq conninfo string, so
// our backends are told apart from the main service's in pg_stat_activity.
const DBURL = process.env.ITF_DATABASE_URL;
assert.ok(!/^postgres(ql)?:/.test(DBURL), 'a keyword/value ITF_DATABASE_URL');
const env = { ...process.env, ITF_DATABASE_URL: `${DBURL} application_name=${APPNAME}` };

let kore = null;	// { child, pgid }
let starts = 0;
async function startKore() {
  starts += 1;
  // detached: a process group of its own, so one kill takes the parent
  // and every worker, and never anything else.
  const child = spawnKore(conf, `${dir}/kore.log`, { env, detached: true, flags: 'a' });
  kore = { child, pgid: child.pid };
  const up = async () => (await call('GET', '/api/v1/version', { timeout: 1000 })).status === 200;
  if (await waitFor(child, up, { tries: 200, ms: 50 })) return;
  throw new Error(`our Kore did not start:\n${readFileSync(`${dir}/kore.log`, 'utf8').slice(-2000)}`);
}

// Every live process in our Kore's process group.
function groupPids(pgid) {
  const pids = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      if (Number(f[2]) === pgid && f[0] !== 'Z') pids.push(Number(d));
    } catch { /* gone */ }
  }
  return pids;
}

const ourBackends = () => Number(psql(`SELECT count(*) FROM pg_stat_activity WHERE application_name = '${APPNAME}'`));

// SIGKILL the parent and every worker at once, then wait until they are
// gone and PostgreSQL has ended their sessions (rolling back whatever they
// had open).
async function killKore(beforeKill = () => {}) {
  const { child, pgid } = kore;
  const pids = groupPids(pgid);
  assert.ok(pids.length >= 3, `parent and two workers expected, found ${pids.join(',')}`);
  process.kill(-pgid, 'SIGKILL');
  await beforeKill();
  for (let i = 0; i < 100 && groupPids(pgid).length > 0; i++) await sleep(50);
  assert.deepEqual(groupPids(pgid), [], 'a Kore process survived SIGKILL');
  if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r));
  kore = null;
  return pids.length;
}

async function waitBackendsGone() {
  for (let i = 0; i < 200 && ourBackends() > 0; i++) await sleep(50);
  assert.equal(ourBackends(), 0, 'the killed workers\' database sessions did not end');
}

// Never leave our Kore behind, however this process ends.
function reap() {
  if (kore) {
    try { process.kill(-kore.pgid, 'SIGKILL'); } catch { /* gone */ }
  }
}
after(reap);
process.on('exit', reap);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => { reap(); process.exit(1); });

// One request on a connection of its own, bounded by a timeout.  Network
// errors and timeouts come back as { status: 0, error } (outcome unknown).
// Kore's own 503 (no body: the worker already holds http_request_limit
// requests) means the handler never ran; it is sent again, a few times.
let busy = 0;
async function call(method, path, opts = {}) {
  for (let i = 0; ; i++) {
    const r = await call1(method, path, opts);
    if (r.status !== 503 || r.text !== '' || i >= 20 || stop) return r;
    busy += 1;
    await sleep(10 + Math.random() * 20);
  }
}
let inflight = 0;
function call1(method, path, { cookie, body, headers = {}, timeout = 5000 } = {}) {
  inflight += 1;
  return new Promise((resolve) => {
    let data = null;
    const h = { connection: 'close', ...headers };
    if (cookie) h.cookie = cookie;
    if (method !== 'GET') h['x-itf-request'] = '1';
    if (body !== undefined) {
      data = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
      if (!h['content-type']) h['content-type'] = 'application/json';
    }
    h['content-length'] = data ? data.length : 0;
    let done = false;
    const finish = (v) => { if (!done) { done = true; inflight -= 1; resolve(v); } };
    const req = http.request({ host: '127.0.0.1', port, path, method, headers: h, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json = null;
        try { json = JSON.parse(text); } catch { json = null; }
        finish({ status: res.statusCode, json, text });
      });
      res.on('error', (e) => finish({ status: 0, error: e.message }));
    });
    req.setTimeout(timeout, () => { req.destroy(new Error('timeout')); });
    req.on('error', (e) => finish({ status: 0, error: e.message }));
    if (data) req.write(data);
    req.end();
  });
}

// ---- the cast (through the main service) and the project pool -------------

function addOrg() {
  const r = itfctl(['org', 'add', '--name-en', `Crash Org ${uniq()}`, '--name-zh', '崩潰測試機構',
    '--type', 'university']);
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout);
}
async function addUser(roles, { org, authority } = {}) {
  const email = `${uniq('crash')}@example.hk`;
  const args = ['user', 'add', '--email', email];
  for (const role of [].concat(roles)) args.push('--role', role);
  if (org) args.push('--org', String(org));
  if (authority) args.push('--authority-cents', String(authority));
  const r = itfctl(args, PW + '\n');
  assert.equal(r.status, 0, r.stderr);
  const res = expectStatus(await api('POST', '/api/v1/session', { body: { email, password: PW } }), 200);
  const c = res.headers.getSetCookie().find((s) => s.startsWith('itf_session='));
  return { id: Number(r.stdout), email, org, cookie: c.split(';')[0] };
}

const ORGS = [addOrg(), addOrg(), addOrg()];
const APPLICANTS = [];
for (const o of ORGS) APPLICANTS.push(await addUser('applicant', { org: o }));
const POOL_ORG = addOrg();
const poolApp = await addUser('applicant', { org: POOL_ORG });
const officer = await addUser('officer');
const screener = await addUser('officer');
const approver = await addUser('approver', { authority: 1e12 });
const ALL_ORGS = [...ORGS, POOL_ORG].join(',');

function itspBody(title) {
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

// Projects made through the main service and the approval fixture; their
// milestones 1 and 2 are the payment clients' work.
const POOL = [];
for (let i = 0; i < 11; i++) {
  let r = expectStatus(await api('POST', '/api/v1/applications', { cookie: poolApp.cookie,
    body: itspBody(`Crash pool ${uniq()}`) }), 201);
  const id = r.json.id;
  expectStatus(await api('POST', `/api/v1/applications/${id}/submit`, { cookie: poolApp.cookie }), 200);
  expectStatus(await api('POST', `/api/v1/applications/${id}/screen`, { cookie: screener.cookie,
    body: { decision: 'accept' } }), 200);
  const f = projectsFixture(['approve', String(id), '90000000']);
  assert.equal(f.status, 0, f.stderr);
  expectStatus(await api('POST', `/api/v1/projects/${id}/sign`, { cookie: poolApp.cookie }), 200);
  r = expectStatus(await api('GET', `/api/v1/projects/${id}`, { cookie: officer.cookie }), 200);
  for (const seq of [1, 2])
    POOL.push({ project: id, seq, tranche: r.json.tranches.find((t) => t.seq === seq).id, amount:
      r.json.tranches.find((t) => t.seq === seq).amount_cents });
}

// ---- the clients ----------------------------------------------------------

// What the clients were told (2xx received), and what they never heard.
const ack = { created: [], submitted: [], accepted: [], reports: [], reportsAccepted: [], prepared: [],
  approved: [] };
const unknown = { prepares: [], approves: [], other: 0, why: {} };
const errors = [];	// 4xx/5xx that are not expected refusals
let stop = false;
// An answer (not a lost one); a lost one is counted by its cause.
const known = (r) => {
  if (r.status >= 200 && r.status < 500) return true;
  const why = r.error || `HTTP ${r.status} ${r.json && r.json.error ? r.json.error.message : ''}`;
  unknown.why[why] = (unknown.why[why] || 0) + 1;
  return false;
};

async function applicantClient(u, n, deadline) {
  for (let i = 0; i < n && !stop && Date.now() < deadline; i++) {
    const title = `Crash load ${u.id} ${uniq()}`;
    const c = await call('POST', '/api/v1/applications', { cookie: u.cookie, body: itspBody(title) });
    if (c.status === 201) ack.created.push({ id: c.json.id, title, org: u.org });
    else { if (known(c)) errors.push(`create: ${c.status} ${c.text}`); else unknown.other++; continue; }
    if (stop) break;
    const s = await call('POST', `/api/v1/applications/${c.json.id}/submit`, { cookie: u.cookie });
    if (s.status === 200) ack.submitted.push({ id: c.json.id, reference: s.json.reference });
    else if (known(s)) errors.push(`submit: ${s.status} ${s.text}`); else unknown.other++;
  }
}

let screenNext = 0;
async function screeningClient(deadline) {
  while (!stop && Date.now() < deadline) {
    if (screenNext >= ack.submitted.length) { await sleep(20); continue; }
    const { id } = ack.submitted[screenNext++];
    const r = await call('POST', `/api/v1/applications/${id}/screen`, { cookie: screener.cookie,
      body: { decision: 'accept' } });
    if (r.status === 200) ack.accepted.push(id);
    else if (known(r)) errors.push(`screen: ${r.status} ${r.text}`); else unknown.other++;
  }
}

// A tiny text file with each report, so uploads are in flight too.
function reportForm(text, file) {
  const b = `crash${Date.now()}`;
  return { body: Buffer.concat([Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="text"\r\n\r\n${text}`
    + `\r\n--${b}\r\nContent-Disposition: form-data; name="expenditure_cents"\r\n\r\n1000\r\n--${b}\r\n`
    + 'Content-Disposition: form-data; name="file"; filename="report.txt"\r\nContent-Type: text/plain\r\n\r\n'),
  file, Buffer.from(`\r\n--${b}--\r\n`)]), headers: { 'content-type': `multipart/form-data; boundary=${b}` } };
}

// Each work item: report on the milestone (with a file), accept it,
// prepare the tranche's payment under an idempotency key, approve it.  A
// step whose answer was lost is found done, or done again, next round.
async function stepReport(w) {
  if (w.reported) return true;
  const file = Buffer.from(`Progress on milestone ${w.seq} of project ${w.project}. ${uniq()}\n`.repeat(20));
  const f = reportForm(`Milestone ${w.seq} done`, file);
  const r = await call('POST', `/api/v1/projects/${w.project}/milestones/${w.seq}/reports`,
    { cookie: poolApp.cookie, body: f.body, headers: f.headers });
  if (r.status === 201) {
    w.reported = r.json.id;
    ack.reports.push({ id: r.json.id, sha256: createHash('sha256').update(file).digest('hex') });
    return true;
  }
  if (r.status === 409) {	// committed in an earlier round, its answer lost
    w.reported = Number(psql(`SELECT max(id) FROM progress_reports WHERE project_id = ${w.project}
      AND milestone_seq = ${w.seq}`));
    return true;
  }
  if (known(r)) errors.push(`report: ${r.status} ${r.text}`); else unknown.other++;
  return false;
}
async function stepAccept(w) {
  if (w.accepted) return true;
  const r = await call('POST', `/api/v1/progress-reports/${w.reported}/accept`, { cookie: officer.cookie, body: {} });
  if (r.status === 200) { w.accepted = true; ack.reportsAccepted.push(w.reported); return true; }
  if (r.status === 409 && psql(`SELECT status FROM progress_reports WHERE id = ${w.reported}`) === 'accepted') {
    w.accepted = true;
    return true;
  }
  if (known(r)) errors.push(`accept report: ${r.status} ${r.text}`); else unknown.other++;
  return false;
}
const prepareBody = (w) => ({ tranche_id: w.tranche, note: `Milestone ${w.seq}` });
async function stepPrepare(w) {
  if (w.payment) return true;
  w.key = w.key || `crash-${process.pid}-${w.tranche}-${uniq()}`;
  const r = await call('POST', '/api/v1/payments', { cookie: officer.cookie, body: prepareBody(w),
    headers: { 'idempotency-key': w.key } });
  if (r.status === 201 || r.status === 200) {
    w.payment = r.json.id;
    ack.prepared.push({ id: r.json.id, key: w.key, tranche: w.tranche, body: prepareBody(w) });
    return true;
  }
  // The same key goes again later (after the restart): never a second payment.
  if (known(r)) errors.push(`prepare: ${r.status} ${r.text}`);
  else unknown.prepares.push({ key: w.key, body: prepareBody(w) });
  return false;
}
async function stepApprove(w) {
  const r = await call('POST', `/api/v1/payments/${w.payment}/approve`, { cookie: approver.cookie,
    body: { note: 'Checked' } });
  if (r.status === 200) { ack.approved.push(w.payment); w.done = true; return true; }
  if (known(r)) { errors.push(`approve: ${r.status} ${r.text}`); w.done = true; } else unknown.approves.push(w.payment);
  return false;
}
async function paymentClient(items, deadline) {
  for (const w of items) {
    if (w.done) continue;
    for (const step of [stepReport, stepAccept, stepPrepare, stepApprove]) {
      if (stop || Date.now() >= deadline) return;
      if (!await step(w)) break;
    }
    if (!w.done) return;	// the service is gone; next round resumes here
  }
}

// Two payment clients with ten tranches each; the last project's first
// tranche is kept for the mid-transaction kill.
const work = [POOL.slice(0, 10), POOL.slice(10, 20)].map((a) => a.map((x) => ({ ...x })));
const reserved = { ...POOL[20] };

// Run the clients until the kill; returns how many acknowledgements came in.
async function loadAndKill(ms) {
  stop = false;
  const acks0 = Object.values(ack).reduce((s, a) => s + a.length, 0);
  const deadline = Date.now() + 20000;
  const clients = [
    ...APPLICANTS.map((u) => applicantClient(u, 60, deadline)),
    screeningClient(deadline),
    ...work.map((items) => paymentClient(items, deadline)),
  ];
  await sleep(ms);
  // Kill while requests are in flight (bounded wait).
  for (let i = 0; i < 200 && inflight < 2; i++) await sleep(5);
  const active = inflight;
  stop = true;
  const procs = await killKore();
  await Promise.all(clients);
  return { acks: Object.values(ack).reduce((s, a) => s + a.length, 0) - acks0, active, procs };
}

// ---- the checks -----------------------------------------------------------

function rows(sql) {
  const out = psql(sql);
  return out === '' ? [] : out.split('\n');
}

function checkConsistency(what) {
  const problems = [];
  const bad = (name, sql) => {
    const r = rows(sql);
    if (r.length > 0) problems.push(`${what}: ${name}: ${r.slice(0, 5).join(' | ')}`);
  };
  // Applications of the load: all of a draft or none of it; every status
  // change with its event and its audit row; the status its last event's.
  bad('application without its 2 budget lines and 3 milestones', `SELECT a.id FROM applications a
    WHERE a.org_id IN (${ORGS}) AND ((SELECT count(*) FROM application_budget_lines l WHERE l.application_id = a.id) <> 2
      OR (SELECT count(*) FROM application_milestones m WHERE m.application_id = a.id) <> 3)`);
  bad('application whose status is not its last event\'s', `SELECT a.id, a.status FROM applications a
    WHERE a.org_id IN (${ORGS}) AND a.status IS DISTINCT FROM (SELECT e.to_status FROM application_events e
      WHERE e.application_id = a.id ORDER BY e.id DESC LIMIT 1)`);
  bad('events and audit rows disagree', `SELECT a.id, e.action, e.n, coalesce(l.n, 0) FROM applications a
    JOIN (SELECT application_id, action, count(*) n FROM application_events GROUP BY 1, 2) e ON e.application_id = a.id
    LEFT JOIN (SELECT record_id, action, count(*) n FROM audit_log WHERE record_type = 'application' GROUP BY 1, 2) l
      ON l.record_id = a.id::text AND l.action = 'application.' || e.action
    WHERE a.org_id IN (${ALL_ORGS}) AND e.n <> coalesce(l.n, 0)`);
  bad('audit rows without their event', `SELECT l.record_id, l.action FROM audit_log l
    JOIN applications a ON a.id::text = l.record_id AND a.org_id IN (${ORGS})
    WHERE l.record_type = 'application' AND l.action LIKE 'application.%' AND l.action <> 'application.update'
      AND NOT EXISTS (SELECT 1 FROM application_events e WHERE e.application_id = a.id
        AND 'application.' || e.action = l.action)`);
  bad('reference without a submission (or the reverse)', `SELECT a.id FROM applications a
    WHERE a.org_id IN (${ORGS}) AND (a.reference IS NOT NULL) <> EXISTS (SELECT 1 FROM application_events e
      WHERE e.application_id = a.id AND e.action = 'submit')`);
  bad('submission without its notification', `SELECT a.id FROM applications a WHERE a.org_id IN (${ORGS})
    AND a.reference IS NOT NULL AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.kind = 'application.submitted'
      AND n.record_id = a.id)`);
  bad('duplicate references', `SELECT reference FROM applications WHERE reference IS NOT NULL
    GROUP BY 1 HAVING count(*) > 1`);
  // Progress reports: audited, accepted ones unlock their tranche, files
  // on disk exactly as sent.
  bad('report without its audit row', `SELECT r.id FROM progress_reports r JOIN projects p ON p.id = r.project_id
    WHERE p.org_id = ${POOL_ORG} AND NOT EXISTS (SELECT 1 FROM audit_log l WHERE l.record_type = 'progress_report'
      AND l.record_id = r.id::text AND l.action = 'progress_report.submit')`);
  bad('accepted report without its audit row, milestone or unlocked tranche', `SELECT r.id FROM progress_reports r
    JOIN projects p ON p.id = r.project_id JOIN project_milestones m ON m.project_id = r.project_id
      AND m.seq = r.milestone_seq
    JOIN project_tranches t ON t.project_id = r.project_id AND t.milestone_seq = r.milestone_seq
    WHERE p.org_id = ${POOL_ORG} AND r.status = 'accepted' AND (m.report_accepted_at IS NULL
      OR t.unlocked_at IS NULL OR NOT EXISTS (SELECT 1 FROM audit_log l WHERE l.record_type = 'progress_report'
        AND l.record_id = r.id::text AND l.action = 'progress_report.accept'))`);
  bad('unlocked tranche without an accepted report', `SELECT t.id FROM project_tranches t
    JOIN projects p ON p.id = t.project_id WHERE p.org_id = ${POOL_ORG} AND t.unlocked_at IS NOT NULL
      AND t.kind = 'milestone' AND NOT EXISTS (SELECT 1 FROM progress_reports r WHERE r.project_id = t.project_id
        AND r.milestone_seq = t.milestone_seq AND r.status = 'accepted')`);
  for (const line of rows(`SELECT r.file_stored, r.file_size, r.file_sha256 FROM progress_reports r
    JOIN projects p ON p.id = r.project_id WHERE p.org_id = ${POOL_ORG} AND r.file_stored IS NOT NULL`)) {
    const [stored, size, sha] = line.split('|');
    const path = `${UPLOADS}/${stored}`;
    if (!existsSync(path)) { problems.push(`${what}: report file ${stored} is missing`); continue; }
    const data = readFileSync(path);
    if (data.length !== Number(size) || createHash('sha256').update(data).digest('hex') !== sha)
      problems.push(`${what}: report file ${stored} differs from its row`);
  }
  // Payments: approved exactly when the ledger holds the payment, with the
  // amount and project; no ledger payment without its payment row; every
  // change audited; one live payment per tranche and per key.
  bad('approved payment without its ledger entry (or the reverse)', `SELECT y.id, y.status, e.id FROM payments y
    JOIN projects p ON p.id = y.project_id LEFT JOIN ledger_entries e ON e.id = y.ledger_entry_id
    WHERE p.org_id = ${POOL_ORG} AND ((y.status = 'approved') <> (e.id IS NOT NULL
      AND e.kind = 'payment' AND e.amount_cents = y.amount_cents AND e.project_id = y.project_id))`);
  bad('ledger payment without an approved payment', `SELECT e.id FROM ledger_entries e
    JOIN projects p ON p.id = e.project_id WHERE p.org_id = ${POOL_ORG} AND e.kind = 'payment'
      AND NOT EXISTS (SELECT 1 FROM payments y WHERE y.ledger_entry_id = e.id AND y.status = 'approved')`);
  bad('payment without its audit rows', `SELECT y.id FROM payments y JOIN projects p ON p.id = y.project_id
    WHERE p.org_id = ${POOL_ORG} AND (NOT EXISTS (SELECT 1 FROM audit_log l WHERE l.record_type = 'payment'
      AND l.record_id = y.id::text AND l.action = 'payment.prepare') OR (y.status = 'approved' AND NOT EXISTS (
      SELECT 1 FROM audit_log l WHERE l.record_type = 'payment' AND l.record_id = y.id::text
        AND l.action = 'payment.approve')))`);
  bad('two live payments of one tranche', `SELECT tranche_id FROM payments WHERE status <> 'cancelled'
    GROUP BY 1 HAVING count(*) > 1`);
  bad('two payments under one key', `SELECT idempotency_key FROM payments GROUP BY 1 HAVING count(*) > 1`);
  bad('a payment on a locked tranche', `SELECT y.id FROM payments y JOIN project_tranches t ON t.id = y.tranche_id
    WHERE y.status <> 'cancelled' AND t.unlocked_at IS NULL`);
  // Every project: tranches sum exactly to the government contribution.
  bad('tranches that do not sum to the contribution', `SELECT p.id FROM projects p
    WHERE p.government_cents <> (SELECT coalesce(sum(amount_cents), 0) FROM project_tranches t
      WHERE t.project_id = p.id)`);
  bad('paid more than the tranche', `SELECT y.id FROM payments y JOIN project_tranches t ON t.id = y.tranche_id
    WHERE y.amount_cents > t.amount_cents`);
  // The ledger's own verification (itfctl ledger verify where it exists,
  // and the core's ledger_verify() through the fixture) and the audit chain.
  const v = projectsFixture(['verify']);
  if (v.status !== 0) problems.push(`${what}: ledger verify: ${v.stdout} ${v.stderr}`);
  if (/ledger verify/.test(itfctl(['--help']).stdout + itfctl(['--help']).stderr)) {
    const lv = itfctl(['ledger', 'verify']);
    if (lv.status !== 0 || !/ledger intact/.test(lv.stdout)) problems.push(`${what}: itfctl ledger verify: ${lv.stdout}`);
  }
  const a = itfctl(['audit', 'verify']);
  if (a.status !== 0) problems.push(`${what}: audit verify: ${a.stdout} ${a.stderr}`);
  return problems;
}

// Everything a client was told happened did happen (one query per kind).
function checkAcknowledged(what) {
  const problems = [];
  const missing = (name, list, values, sql) => {
    if (list.length === 0) return;
    const r = rows(`WITH ack(${values}) AS (VALUES ${list.join(',')}) ${sql}`);
    if (r.length > 0) problems.push(`${what}: acknowledged ${name} missing: ${r.slice(0, 5).join(' | ')}`);
  };
  const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
  missing('applications', ack.created.map((c) => `(${c.id}, ${c.org}, ${q(c.title)})`), 'id, org, title',
    `SELECT ack.id FROM ack LEFT JOIN applications a ON a.id = ack.id AND a.org_id = ack.org AND a.title = ack.title
      WHERE a.id IS NULL`);
  missing('submissions', ack.submitted.map((x) => `(${x.id}, ${q(x.reference)})`), 'id, reference',
    `SELECT ack.id FROM ack LEFT JOIN applications a ON a.id = ack.id AND a.reference = ack.reference
      AND a.status <> 'draft' WHERE a.id IS NULL`);
  missing('acceptances', ack.accepted.map((id) => `(${id})`), 'id',
    `SELECT ack.id FROM ack LEFT JOIN applications a ON a.id = ack.id AND a.status = 'under_assessment'
      WHERE a.id IS NULL`);
  missing('reports', ack.reports.map((r) => `(${r.id}, ${q(r.sha256)})`), 'id, sha',
    `SELECT ack.id FROM ack LEFT JOIN progress_reports r ON r.id = ack.id AND r.file_sha256 = ack.sha
      WHERE r.id IS NULL`);
  missing('report acceptances', ack.reportsAccepted.map((id) => `(${id})`), 'id',
    `SELECT ack.id FROM ack LEFT JOIN progress_reports r ON r.id = ack.id AND r.status = 'accepted'
      WHERE r.id IS NULL`);
  missing('payments', ack.prepared.map((p) => `(${p.id}, ${q(p.key)}, ${p.tranche})`), 'id, key, tranche',
    `SELECT ack.id FROM ack LEFT JOIN payments y ON y.id = ack.id AND y.idempotency_key = ack.key
      AND y.tranche_id = ack.tranche WHERE y.id IS NULL`);
  missing('approvals', ack.approved.map((id) => `(${id})`), 'id',
    `SELECT ack.id FROM ack LEFT JOIN payments y ON y.id = ack.id AND y.status = 'approved'
      AND y.ledger_entry_id IS NOT NULL WHERE y.id IS NULL`);
  return problems;
}

const summary = [];

test('crash safety: SIGKILL of every Kore process at random moments under load', async () => {
  await startKore();
  assert.deepEqual(checkConsistency('before'), []);
  // ITF_CRASH_ROUNDS random kills (default 3), each after 1.5 to 3.5 s of load.
  const rounds = Number(process.env.ITF_CRASH_ROUNDS || 3);
  for (let round = 1; round <= rounds; round++) {
    const ms = 1500 + Math.floor(Math.random() * 2000);
    const r = await loadAndKill(ms);
    summary.push(`round ${round}: killed ${r.procs} processes after ${ms} ms with ${r.active} requests in flight;`
      + ` ${r.acks} acknowledged writes`);
    assert.ok(r.acks > 5, `round ${round}: the load made only ${r.acks} writes before the kill`);
    assert.ok(r.active >= 1, `round ${round}: no request was in flight at the kill`);
    await waitBackendsGone();
    assert.deepEqual(checkConsistency(`after kill ${round}`), []);
    assert.deepEqual(checkAcknowledged(`after kill ${round}`), []);
    await startKore();
  }
  assert.deepEqual(errors, [], 'refusals the load did not expect');
});

test('crash safety: killed while a submission and a payment approval are inside their transactions', async () => {
  if (!kore) await startKore();
  // A draft and a prepared payment, through our service.
  const u = APPLICANTS[0];
  const title = `Crash mid-transaction ${uniq()}`;
  const d = await call('POST', '/api/v1/applications', { cookie: u.cookie, body: itspBody(title) });
  assert.equal(d.status, 201, d.text);
  ack.created.push({ id: d.json.id, title, org: u.org });
  const w = reserved;
  stop = false;
  for (const step of [stepReport, stepAccept, stepPrepare]) assert.ok(await step(w), step.name);
  assert.ok(w.payment, 'the payment was prepared');
  assert.equal(psql(`SELECT status FROM payments WHERE id = ${w.payment}`), 'prepared');
  // The pool's applications made sure the counter row of ITS and this year exists.
  const ref = psql(`SELECT reference FROM applications WHERE org_id = ${POOL_ORG} ORDER BY id DESC LIMIT 1`).split('/');
  assert.equal(ref.length, 3, 'a reference of the pool');
  const entries0 = psql('SELECT count(*) FROM ledger_entries');
  const audit0 = psql('SELECT max(id) FROM audit_log');

  // Hold the row each must lock last: the ITS reference counter for the
  // year, and the ledger's PAYMENTS account.
  const holder = spawn('psql', [DBURL, '-Atq', '-v', 'ON_ERROR_STOP=1'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const locked = new Promise((resolve, reject) => {
    holder.stdout.once('data', resolve);
    holder.once('exit', (c) => reject(new Error(`the lock holder exited (${c})`)));
  });
  holder.stdin.write(`BEGIN;\nSELECT 'locked', (SELECT last_seq FROM application_ref_counters WHERE prefix = '${ref[0]}'
    AND year = ${Number(ref[2])} FOR UPDATE), (SELECT code FROM ledger_accounts WHERE code = 'PAYMENTS' FOR UPDATE);\n`);
  await locked;
  let sub;
  let appr;
  try {
    // One at a time, each once the one before is blocked, so a worker that
    // is blocked does not hold the other's connection (see
    // applications.test.mjs); within lock_timeout.
    const waiting = () => Number(psql(`SELECT count(*) FROM pg_stat_activity WHERE application_name = '${APPNAME}'
      AND wait_event_type = 'Lock' AND state = 'active'`));
    const until = async (n) => { for (let i = 0; i < 100 && waiting() < n; i++) await sleep(30); };
    sub = call('POST', `/api/v1/applications/${d.json.id}/submit`, { cookie: u.cookie, timeout: 30000 });
    await until(1);
    appr = call('POST', `/api/v1/payments/${w.payment}/approve`, { cookie: approver.cookie, body: {},
      timeout: 30000 });
    await until(2);
    assert.equal(waiting(), 2, 'the submission and the approval are both waiting inside their transactions');
    // They have written already: the approval's payment row is locked.
    await killKore();
  } finally {
    holder.stdin.end('ROLLBACK;\n');
    await new Promise((r) => holder.once('exit', r));
  }
  const [rs, ra] = await Promise.all([sub, appr]);
  assert.equal(rs.status, 0, 'no answer for the submission');
  assert.equal(ra.status, 0, 'no answer for the approval');
  await waitBackendsGone();
  // Neither committed anything.
  assert.equal(psql(`SELECT status || ',' || coalesce(reference, '-') FROM applications WHERE id = ${d.json.id}`),
    'draft,-');
  assert.equal(psql(`SELECT count(*) FROM application_events WHERE application_id = ${d.json.id}`), '1');
  assert.equal(psql(`SELECT status || ',' || coalesce(ledger_entry_id::text, '-') FROM payments WHERE id = ${w.payment}`),
    'prepared,-');
  assert.equal(psql('SELECT count(*) FROM ledger_entries'), entries0);
  assert.equal(psql(`SELECT count(*) FROM audit_log WHERE id > ${audit0}`), '0');
  assert.deepEqual(checkConsistency('after the mid-transaction kill'), []);
  assert.deepEqual(checkAcknowledged('after the mid-transaction kill'), []);
  // Restarted, both go through.
  await startKore();
  const s2 = await call('POST', `/api/v1/applications/${d.json.id}/submit`, { cookie: u.cookie });
  assert.equal(s2.status, 200, s2.text);
  const a2 = await call('POST', `/api/v1/payments/${w.payment}/approve`, { cookie: approver.cookie, body: {} });
  assert.equal(a2.status, 200, a2.text);
  ack.submitted.push({ id: d.json.id, reference: s2.json.reference });
  ack.approved.push(w.payment);
  summary.push('mid-transaction kill: a submission and an approval blocked inside PostgreSQL; neither committed');
});

test('crash safety: answers lost in the crash are retried; nothing is paid twice', async () => {
  // Prepares whose answer never came: the same key and body again.
  for (const p of unknown.prepares) {
    const r = await call('POST', '/api/v1/payments', { cookie: officer.cookie, body: p.body,
      headers: { 'idempotency-key': p.key } });
    assert.ok([200, 201].includes(r.status), `retried prepare ${p.key}: ${r.status} ${r.text}`);
    assert.equal(psql(`SELECT count(*) FROM payments WHERE idempotency_key = '${p.key}'`), '1');
  }
  // Acknowledged prepares, sent again: the same payment, 200.
  for (const p of ack.prepared) {
    const r = await call('POST', '/api/v1/payments', { cookie: officer.cookie, body: p.body,
      headers: { 'idempotency-key': p.key } });
    assert.equal(r.status, 200, `replayed prepare ${p.key}: ${r.text}`);
    assert.equal(r.json.id, p.id);
  }
  // Approvals whose answer never came: approved once, by the same approver.
  for (const id of unknown.approves) {
    const r = await call('POST', `/api/v1/payments/${id}/approve`, { cookie: approver.cookie, body: { note: 'Checked' } });
    assert.equal(r.status, 200, `retried approval of ${id}: ${r.text}`);
    assert.equal(r.json.status, 'approved');
    ack.approved.push(id);
    const w = work.flat().find((x) => x.payment === id);
    if (w) w.done = true;
  }
  // Finish the remaining work (bounded), then the full checks.
  stop = false;
  await Promise.all(work.map((items) => paymentClient(items, Date.now() + 15000)));
  assert.deepEqual(checkConsistency('final'), []);
  assert.deepEqual(checkAcknowledged('final'), []);
  assert.deepEqual(errors, [], 'refusals the load did not expect');
  // Money: the ledger's payments for the pool are exactly the approved
  // payments, each tranche paid at most once and never above its amount.
  const paid = psql(`SELECT coalesce(sum(y.amount_cents), 0) FROM payments y JOIN projects p ON p.id = y.project_id
    WHERE p.org_id = ${POOL_ORG} AND y.status = 'approved'`);
  const ledger = psql(`SELECT coalesce(sum(e.amount_cents), 0) FROM ledger_entries e JOIN projects p ON p.id = e.project_id
    WHERE p.org_id = ${POOL_ORG} AND e.kind = 'payment'`);
  assert.equal(ledger, paid);
  assert.equal(psql(`SELECT count(*) FROM payments y JOIN projects p ON p.id = y.project_id
    WHERE p.org_id = ${POOL_ORG} AND y.status = 'approved'`), String(new Set(ack.approved).size));
  summary.push(`acknowledged: ${Object.entries(ack).map(([k, v]) => `${k} ${v.length}`).join(', ')}; lost answers `
    + `retried: ${unknown.prepares.length} prepares, ${unknown.approves.length} approvals, ${unknown.other} others;`
    + ` HK$${(Number(paid) / 100).toFixed(2)} paid, equal to the ledger; causes of lost answers: `
    + `${JSON.stringify(unknown.why)}; ${busy} busy answers from Kore sent again`);
  console.log(`# crash safety: ${starts} starts\n# ${summary.join('\n# ')}`);
  await killKore();
  const log = readFileSync(`${dir}/kore.log`, 'utf8');
  assert.doesNotMatch(log, /sandbox violation/);
});
