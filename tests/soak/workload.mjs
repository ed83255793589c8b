// The soak's client (scripts/soak.sh starts the cluster and the service and
// runs this): seeds users, organisations, money and a panel, then drives a
// mixed workload for SOAK_SECONDS at no more than SOAK_RATE operations a
// second from SOAK_CLIENTS concurrent clients -- reads of every kind,
// applications created and submitted, screened, put on an agenda, scored,
// recommended and approved, projects signed, milestone reports sent and
// accepted, payments prepared (idempotency keys) and approved, and a share
// of requests that must be refused (403, 404, 409).  Every answer is
// classified: a 2xx where one is due, the refusal where one is due, or an
// error.  Kore's workers' RSS and CPU time are sampled from /proc.  Prints
// a Markdown summary; writes the figures as JSON to SOAK_JSON; exits 1 on
// any error answer.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';

const BASE = new URL(process.env.ITF_BASE_URL);
const ROOT = process.env.ITF_ROOT;
const SECONDS = Number(process.env.SOAK_SECONDS || 300);
const RATE = Number(process.env.SOAK_RATE || 40);
const CLIENTS = Number(process.env.SOAK_CLIENTS || 8);
const KORE_PID = Number(process.env.KORE_PID || 0);
const PW = 'correct horse battery staple';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const DAY = 86400e3;
const day = (o) => new Date(Date.now() + 8 * 3600e3 + o * DAY).toISOString().slice(0, 10);
let seq = 0;
const uniq = (p = 's') => `${p}${process.pid}x${Date.now() % 1e8}x${++seq}`;

// ---- HTTP -----------------------------------------------------------------

// Keep-alive connections for most requests; one in three on a connection of
// its own (as many browsers coming and going do), which also lets Kore's
// accept lock hand connections to every worker.
const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS * 2 });
function call(method, path, { cookie, body, headers = {}, timeout = 15000 } = {}) {
  const fresh = Math.random() < 1 / 3;
  return new Promise((resolve) => {
    const h = { ...headers };
    let data = null;
    if (cookie) h.cookie = cookie;
    if (method !== 'GET') h['x-itf-request'] = '1';
    if (body !== undefined) {
      data = Buffer.from(JSON.stringify(body));
      h['content-type'] = 'application/json';
    }
    h['content-length'] = data ? data.length : 0;
    const t0 = performance.now();
    if (fresh) h.connection = 'close';
    const req = http.request({ host: BASE.hostname, port: BASE.port, path, method, headers: h,
      agent: fresh ? false : agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json = null;
        try { json = JSON.parse(text); } catch { json = null; }
        resolve({ status: res.statusCode, json, text, ms: performance.now() - t0, set: res.headers['set-cookie'] });
      });
    });
    req.setTimeout(timeout, () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, text: e.message, json: null, ms: performance.now() - t0 }));
    if (data) req.write(data);
    req.end();
  });
}

// ---- accounting -------------------------------------------------------------

const stats = { ok: 0, refused: 0, errors: 0, byOp: {}, errorSamples: [], lat: {} };
function count(op, r, expect) {
  const o = (stats.byOp[op] ||= { ok: 0, refused: 0, errors: 0 });
  (stats.lat[op] ||= []).push(r.ms);
  const wanted = [].concat(expect);
  if (wanted.includes(r.status)) {
    if (r.status < 300) { stats.ok++; o.ok++; } else { stats.refused++; o.refused++; }
    return true;
  }
  stats.errors++;
  o.errors++;
  if (stats.errorSamples.length < 20)
    stats.errorSamples.push(`${op}: expected ${wanted.join('/')}, got ${r.status} ${r.text.slice(0, 200)}`);
  return false;
}
async function req(op, expect, method, path, opts) {
  const r = await call(method, path, opts);
  return { r, ok: count(op, r, expect) };
}

// ---- seeding ----------------------------------------------------------------

function itfctl(args, input = '') {
  const r = spawnSync(`${ROOT}/bin/itfctl`, args, { input, encoding: 'utf8', env: process.env });
  if (r.status !== 0) throw new Error(`itfctl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}
async function user(roles, { org, authority } = {}) {
  const email = `${uniq('soak')}@example.hk`;
  const args = ['user', 'add', '--email', email, '--name', email.split('@')[0]];
  for (const role of [].concat(roles)) args.push('--role', role);
  if (org) args.push('--org', String(org));
  if (authority) args.push('--authority-cents', String(authority));
  const id = Number(itfctl(args, `${PW}\n`));
  const r = await call('POST', '/api/v1/session', { body: { email, password: PW } });
  if (r.status !== 200) throw new Error(`login: ${r.status} ${r.text}`);
  const c = [].concat(r.set).find((s) => s.startsWith('itf_session='));
  return { id, email, org, cookie: c.split(';')[0] };
}

const ORGS = [];
for (let i = 0; i < 12; i++)
  ORGS.push(Number(itfctl(['org', 'add', '--name-en', `Soak University ${i} ${uniq()}`, '--name-zh', '浸泡測試大學',
    '--type', 'university'])));
const applicants = [];
for (const org of ORGS) applicants.push(await user('applicant', { org }));
const officer = await user('officer');
const screener = await user('officer');
const chair = await user('panel_member');
const approver = await user('approver', { authority: 1e13 });
const finance = await user('finance');
const auditor = await user('auditor');
const byOrg = new Map(applicants.map((u) => [u.org, u]));

const must = async (what, p) => {
  const r = await p;
  if (r.status < 200 || r.status >= 300) throw new Error(`${what}: ${r.status} ${r.text}`);
  return r.json;
};
const TODAY = day(0);
await must('injection', call('POST', '/api/v1/ledger/injections', { cookie: finance.cookie,
  body: { amount_cents: 10000000000000, paper_ref: 'FCR(SOAK)1', approved_on: TODAY } }));
const panel = (await must('panel', call('POST', '/api/v1/panels', { cookie: officer.cookie,
  body: { scheme: 'ITSP', name_en: 'Soak panel', name_zh: '浸泡評審委員會', quorum: 1 } }))).id;
await must('chair', call('POST', `/api/v1/panels/${panel}/members`, { cookie: officer.cookie,
  body: { user_id: chair.id, role: 'chair', term_from: '2020-01-01', term_to: '2035-12-31' } }));
const criteria = (await must('scheme', call('GET', '/api/v1/schemes/ITSP'))).criteria.map((c) => c.id);
const scores = Object.fromEntries(criteria.map((c) => [c, 7]));
let meeting = null;
let meetingItems = 0;
async function currentMeeting() {
  if (meeting === null || meetingItems >= 80) {
    meeting = (await must('meeting', call('POST', '/api/v1/meetings', { cookie: officer.cookie,
      body: { panel_id: panel, meeting_date: TODAY } }))).id;
    meetingItems = 0;
  }
  return meeting;
}

function itspBody() {
  return {
    scheme: 'ITSP', title: `Soak project ${uniq()}`,
    summary: 'Applied research on low-power sensors for building services.',
    start_date: day(1), end_date: day(360),
    budget_lines: [{ category: 'manpower', description: 'Researchers', amount_cents: 60000000 },
      { category: 'equipment', description: 'Test rig', amount_cents: 40000000 }],
    milestones: [{ title: 'Design', deliverables: 'Design report', due_date: day(90) },
      { title: 'Prototype', deliverables: 'Working prototype', due_date: day(180) },
      { title: 'Field trial', deliverables: 'Trial report', due_date: day(350) }],
    fields: { project_title: 'Smart sensing platform', project_tier: 'seed' },
  };
}

// ---- the work queues and operations ---------------------------------------

const Q = { submitted: [], under: [], agenda: [], scored: [], recommended: [], awaiting: [], reportable: [],
  reported: [], payable: [], prepared: [], paid: [], apps: [], projects: [] };
const pick = (a) => a[Math.floor(Math.random() * a.length)];
const pop = (a) => (a.length ? a.shift() : null);
let keySeq = 0;

const OPS = {
  async submit() {
    const u = pick(applicants);
    const { r, ok } = await req('create', 201, 'POST', '/api/v1/applications', { cookie: u.cookie, body: itspBody() });
    if (!ok) return;
    Q.apps.push({ id: r.json.id, u });
    const s = await req('submit', 200, 'POST', `/api/v1/applications/${r.json.id}/submit`, { cookie: u.cookie });
    if (s.ok) Q.submitted.push(r.json.id);
  },
  async screen() {
    const id = pop(Q.submitted);
    if (id === null) return false;
    const { ok } = await req('screen', 200, 'POST', `/api/v1/applications/${id}/screen`,
      { cookie: screener.cookie, body: { decision: 'accept' } });
    if (ok) Q.under.push(id);
  },
  async agenda() {
    if (Q.under.length === 0) return false;
    const ids = Q.under.splice(0, 5);
    const m = await currentMeeting();
    meetingItems += ids.length;
    const { ok } = await req('agenda', 200, 'POST', `/api/v1/meetings/${m}/agenda`,
      { cookie: officer.cookie, body: { application_ids: ids } });
    if (ok) Q.agenda.push(...ids);
  },
  async score() {
    const id = pop(Q.agenda);
    if (id === null) return false;
    const d = await req('declare', 200, 'POST', `/api/v1/applications/${id}/conflicts`,
      { cookie: chair.cookie, body: { conflict: false } });
    if (!d.ok) return;
    const { ok } = await req('score', 200, 'POST', `/api/v1/applications/${id}/scores`,
      { cookie: chair.cookie, body: { scores } });
    if (ok) Q.scored.push(id);
  },
  async recommend() {
    const id = pop(Q.scored);
    if (id === null) return false;
    const { ok } = await req('recommend', 201, 'POST', `/api/v1/applications/${id}/recommendation`,
      { cookie: chair.cookie, body: { recommendation: 'support', reasons: 'Sound plan and team' } });
    if (ok) Q.recommended.push(id);
  },
  async decide() {
    const id = pop(Q.recommended);
    if (id === null) return false;
    const { ok } = await req('decide', 201, 'POST', `/api/v1/applications/${id}/decision`,
      { cookie: approver.cookie, body: { decision: 'approve', reasons: 'Within the budget' } });
    if (ok) Q.awaiting.push(id);
  },
  async sign() {
    const id = pop(Q.awaiting);
    if (id === null) return false;
    const a = Q.apps.find((x) => x.id === id);
    const { r, ok } = await req('sign', 200, 'POST', `/api/v1/projects/${id}/sign`, { cookie: a.u.cookie, body: {} });
    if (!ok) return;
    Q.projects.push({ id, u: a.u });
    for (const t of r.json.tranches.filter((x) => x.kind === 'milestone'))
      Q.reportable.push({ project: id, seq: t.seq, tranche: t.id, u: a.u });
  },
  async report() {
    const w = pop(Q.reportable);
    if (w === null) return false;
    const { r, ok } = await req('report', 201, 'POST', `/api/v1/projects/${w.project}/milestones/${w.seq}/reports`,
      { cookie: w.u.cookie, body: { text: `Milestone ${w.seq} completed as planned.`, expenditure_cents: 1000000 } });
    if (ok) Q.reported.push({ ...w, report: r.json.id });
  },
  async acceptReport() {
    const w = pop(Q.reported);
    if (w === null) return false;
    const { ok } = await req('accept report', 200, 'POST', `/api/v1/progress-reports/${w.report}/accept`,
      { cookie: officer.cookie, body: { note: 'Verified' } });
    if (ok) Q.payable.push(w);
  },
  async prepare() {
    const w = pop(Q.payable);
    if (w === null) return false;
    const key = `soak-${process.pid}-${++keySeq}`;
    const body = { tranche_id: w.tranche, note: `Milestone ${w.seq}` };
    const { r, ok } = await req('prepare', 201, 'POST', '/api/v1/payments',
      { cookie: officer.cookie, body, headers: { 'idempotency-key': key } });
    if (!ok) return;
    // Now and then the same request again: the same payment, 200.
    if (Math.random() < 0.2) {
      const again = await req('prepare (replay)', 200, 'POST', '/api/v1/payments',
        { cookie: officer.cookie, body, headers: { 'idempotency-key': key } });
      if (again.ok && again.r.json.id !== r.json.id) count('prepare (replay)', { status: -1, text: 'another payment',
        ms: 0 }, 200);
    }
    Q.prepared.push({ ...w, payment: r.json.id, key });
  },
  async approvePay() {
    const w = pop(Q.prepared);
    if (w === null) return false;
    const who = Math.random() < 0.5 ? approver : finance;
    const { ok } = await req('approve payment', 200, 'POST', `/api/v1/payments/${w.payment}/approve`,
      { cookie: who.cookie, body: { note: 'Checked' } });
    if (ok) Q.paid.push({ ...w, by: who });
  },
  async refusal() {
    // Requests that must be refused, and are.
    const u = pick(applicants);
    const other = pick(Q.apps.filter((a) => a.u.org !== u.org));
    const paid = pick(Q.paid);
    const choice = Math.floor(Math.random() * 5);
    if (choice === 0) await req('refusal: applicant reads the ledger', 403, 'GET', '/api/v1/ledger/position',
      { cookie: u.cookie });
    else if (choice === 1 && other) await req('refusal: another organisation\'s application', 404, 'GET',
      `/api/v1/applications/${other.id}`, { cookie: u.cookie });
    else if (choice === 2 && paid) await req('refusal: approved by someone else again', 409, 'POST',
      `/api/v1/payments/${paid.payment}/approve`, { cookie: (paid.by === approver ? finance : approver).cookie,
        body: {} });
    else if (choice === 3 && paid) await req('refusal: same key, another body', 409, 'POST', '/api/v1/payments',
      { cookie: officer.cookie, body: { tranche_id: paid.tranche, note: 'different' },
        headers: { 'idempotency-key': paid.key } });
    else await req('refusal: auditor writes', 403, 'POST', '/api/v1/ledger/injections',
      { cookie: auditor.cookie, body: { amount_cents: 1, paper_ref: 'X', approved_on: TODAY } });
  },
  async read() {
    const u = pick(applicants);
    const a = pick(Q.apps);
    const p = pick(Q.projects);
    const choice = Math.floor(Math.random() * 12);
    const reads = [
      () => req('read: health', 200, 'GET', '/api/v1/health'),
      () => req('read: schemes', 200, 'GET', '/api/v1/schemes'),
      () => req('read: own applications', 200, 'GET', '/api/v1/applications?limit=20', { cookie: u.cookie }),
      () => req('read: all applications', 200, 'GET', '/api/v1/applications?limit=50&status=submitted,under_assessment',
        { cookie: officer.cookie }),
      () => (a ? req('read: application', 200, 'GET', `/api/v1/applications/${a.id}`, { cookie: a.u.cookie })
        : req('read: health', 200, 'GET', '/api/v1/health')),
      () => (p ? req('read: project', 200, 'GET', `/api/v1/projects/${p.id}`, { cookie: officer.cookie })
        : req('read: projects', 200, 'GET', '/api/v1/projects', { cookie: officer.cookie })),
      () => req('read: ledger position', 200, 'GET', '/api/v1/ledger/position', { cookie: finance.cookie }),
      () => req('read: ledger entries', 200, 'GET', '/api/v1/ledger/entries?limit=50', { cookie: auditor.cookie }),
      () => req('read: payments', 200, 'GET', '/api/v1/payments?limit=50', { cookie: officer.cookie }),
      () => req('read: notifications', 200, 'GET', '/api/v1/notifications?limit=20', { cookie: u.cookie }),
      () => req('read: organisations search', 200, 'GET', '/api/v1/organisations?q=Soak&limit=20',
        { cookie: officer.cookie }),
      () => req('read: scoresheet', 200, 'GET', `/api/v1/meetings/${meeting}/scoresheet`,
        { cookie: approver.cookie }),
    ];
    if (choice === 11 && meeting === null) return reads[0]();
    return reads[choice]();
  },
};

// Weighted choice; a step with no work falls back to a read.
const WEIGHTS = [['read', 45], ['submit', 12], ['screen', 8], ['agenda', 3], ['score', 6], ['recommend', 5],
  ['decide', 5], ['sign', 4], ['report', 6], ['acceptReport', 6], ['prepare', 5], ['approvePay', 5], ['refusal', 4]];
const TOTAL = WEIGHTS.reduce((s, [, w]) => s + w, 0);
function choose() {
  let x = Math.random() * TOTAL;
  for (const [op, w] of WEIGHTS) { if ((x -= w) < 0) return op; }
  return 'read';
}

// ---- /proc ----------------------------------------------------------------

function workers() {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      if (Number(f[1]) !== KORE_PID) continue;
      const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${d}/status`, 'utf8'))[1]);
      out.push({ pid: Number(d), rssKb: rss, cpuS: (Number(f[11]) + Number(f[12])) / 100 });
    } catch { /* gone */ }
  }
  return out.sort((a, b) => a.pid - b.pid);
}

// ---- run ----------------------------------------------------------------

// Warm up (a few of each) before the first sample, so start-up allocations
// are not counted as growth.
for (let i = 0; i < 10; i++) await OPS.submit();
for (const op of ['screen', 'agenda', 'score', 'recommend', 'decide', 'read', 'read'])
  for (let i = 0; i < 3; i++) await OPS[op]();
const start = workers();
const samples = [{ t: 0, w: start }];
const t0 = Date.now();
const deadline = t0 + SECONDS * 1000;
let issued = 0;
const interval = 1000 / RATE;
let next = Date.now();
async function client() {
  while (Date.now() < deadline) {
    // Global pacing: one operation every 1/RATE s across all clients.
    const wait = next - Date.now();
    next = Math.max(next, Date.now()) + interval;
    if (wait > 0) await sleep(wait);
    if (Date.now() >= deadline) break;
    issued++;
    const op = choose();
    const r = await OPS[op]();
    if (r === false) await OPS.read();
  }
}
const sampler = setInterval(() => samples.push({ t: Math.round((Date.now() - t0) / 1000), w: workers() }), 10000);
await Promise.all(Array.from({ length: CLIENTS }, client));
clearInterval(sampler);
const end = workers();
samples.push({ t: Math.round((Date.now() - t0) / 1000), w: end });
const elapsed = (Date.now() - t0) / 1000;

// ---- report ---------------------------------------------------------------

const pct = (a, p) => {
  if (!a.length) return 0;
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const all = Object.values(stats.lat).flat();
const mb = (kb) => (kb / 1024).toFixed(1);
const maxRss = (pid) => Math.max(...samples.map((s) => (s.w.find((x) => x.pid === pid) || { rssKb: 0 }).rssKb));
const lines = [];
lines.push(`### make soak (${SECONDS} s, at most ${RATE} operations/s, ${CLIENTS} clients, Kore workers ${start.length})`);
lines.push('');
lines.push(`${issued} operations, ${stats.ok + stats.refused + stats.errors} requests in ${elapsed.toFixed(0)} s `
  + `(${((stats.ok + stats.refused + stats.errors) / elapsed).toFixed(1)} requests/s): **${stats.ok} answered 2xx, `
  + `${stats.refused} expected refusals, ${stats.errors} errors**. Latency over all requests: p50 `
  + `${pct(all, 50).toFixed(1)} ms, p99 ${pct(all, 99).toFixed(1)} ms, max ${pct(all, 100).toFixed(0)} ms.`);
lines.push('');
lines.push('| worker pid | RSS at start (MB) | RSS at end (MB) | max RSS (MB) | CPU s during the soak |');
lines.push('| ---: | ---: | ---: | ---: | ---: |');
for (const w of start) {
  const e = end.find((x) => x.pid === w.pid);
  lines.push(`| ${w.pid} | ${mb(w.rssKb)} | ${e ? mb(e.rssKb) : 'gone'} | ${mb(maxRss(w.pid))} | `
    + `${e ? (e.cpuS - w.cpuS).toFixed(1) : '-'} |`);
}
for (const e of end.filter((x) => !start.some((w) => w.pid === x.pid)))
  lines.push(`| ${e.pid} (new) | - | ${mb(e.rssKb)} | ${mb(maxRss(e.pid))} | - |`);
// The trend: RSS after the first minute against the end, per worker.
const at = (t) => samples.reduce((best, s) => (Math.abs(s.t - t) < Math.abs(best.t - t) ? s : best), samples[0]);
const minute = at(Math.min(60, elapsed / 2));
lines.push('');
lines.push(`RSS growth from ${minute.t} s to the end: ${start.map((w) => {
  const a = minute.w.find((x) => x.pid === w.pid);
  const e = end.find((x) => x.pid === w.pid);
  return a && e ? `${w.pid} ${e.rssKb - a.rssKb >= 0 ? '+' : ''}${e.rssKb - a.rssKb} kB` : `${w.pid} -`;
}).join(', ')} (samples every 10 s in test-artifacts/soak.json).`);
lines.push('');
lines.push('| operation | 2xx | expected refusals | errors | p50 ms | p99 ms |');
lines.push('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const [op, o] of Object.entries(stats.byOp).sort())
  lines.push(`| ${op} | ${o.ok} | ${o.refused} | ${o.errors} | ${pct(stats.lat[op], 50).toFixed(1)} | `
    + `${pct(stats.lat[op], 99).toFixed(1)} |`);
lines.push('');
lines.push(`Flow: ${Q.apps.length} applications created, ${Q.projects.length} projects signed, `
  + `${Q.paid.length} payments approved; ${Q.submitted.length + Q.under.length + Q.agenda.length + Q.scored.length
    + Q.recommended.length} applications still in the pipeline at the end.`);
if (stats.errorSamples.length) {
  lines.push('');
  lines.push('Errors (first 20):');
  for (const e of stats.errorSamples) lines.push(`- ${e}`);
}
console.log(lines.join('\n'));
if (process.env.SOAK_JSON)
  writeFileSync(process.env.SOAK_JSON, JSON.stringify({ stats, start, end, samples, issued, elapsed }, null, 1));
agent.destroy();
process.exit(stats.errors === 0 ? 0 : 1);
