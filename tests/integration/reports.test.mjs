// Excel reports (docs/api.md "Reports"): a known small data set, each report
// downloaded over HTTP and read back with an independent reader (exceljs):
// bilingual headings, frozen header rows, number formats and the exact
// figures; bad parameters refused with 400 naming the parameter; roles;
// the cash-flow estimates (PUT, audited); the CLI.
//
// Where the data comes from:
//   * users, organisations, the cash-flow estimates, and today's injection
//     and subhead transfer: through the CLI and the API;
//   * applications with their status history, decisions, projects, and the
//     ledger's 2004-06 commitments, payments, a payment reversal and a
//     release: as the database owner with psql(), because reaching those
//     states through the API means the whole vetting, decision, agreement
//     and maker-checker payment flow (other files test that flow); the rows
//     are written exactly as those flows write them (a project's id is its
//     application's id, ledger entries balance, sub-ledger by trigger).
// Application data sits in 2004-2006, where no other test file writes, so
// those figures are checked absolutely; the ledger is shared with the
// ledger tests, so ledger-based figures are checked as "after minus before".
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { api, BASE, ROOT, expectStatus, expectError, itfctl, psql, uniq } from './lib.mjs';

const PW = 'reports test password 2021';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const TODAY = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10); // HK
const U = {};
const ID = {};
const TAG = `${process.pid % 100000}`;

// --- helpers ---------------------------------------------------------------

async function login(email) {
  const res = expectStatus(await api('POST', '/api/v1/session',
    { body: { email, password: PW } }), 200, `login ${email}`);
  return res.headers.getSetCookie().find((s) => s.startsWith('itf_session=')).split(';')[0];
}

function addOrg(nameEn, nameZh, type = 'company') {
  const br = String(10000000 + Math.floor(Math.random() * 89999999));
  const args = ['org', 'add', '--name-en', nameEn, '--name-zh', nameZh, '--type', type];
  if (type === 'company') args.push('--br', br);
  const r = itfctl(args);
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout.trim());
}

function addUser(role, org) {
  const email = `${uniq('rpt')}@example.hk`;
  const args = ['user', 'add', '--email', email, '--role', role];
  if (org) args.push('--org', String(org));
  if (role === 'approver') args.push('--authority-cents', '100000000000');
  const r = itfctl(args, PW + '\n');
  assert.equal(r.status, 0, r.stderr);
  return { email, id: Number(r.stdout.trim()) };
}

// Download a report (or any file) as the given user; returns the response
// and, for a 200, the workbook read by exceljs.
async function download(path, who = 'officer') {
  const headers = {};
  if (who) headers.cookie = U[who];
  const res = await fetch(BASE + path, { headers });
  const buf = Buffer.from(await res.arrayBuffer());
  const out = { status: res.status, headers: res.headers, buf, text: buf.toString('utf8') };
  if (res.status === 200 && res.headers.get('content-type') === XLSX) {
    out.wb = new ExcelJS.Workbook();
    await out.wb.xlsx.load(buf);
  }
  return out;
}

async function report(path, who = 'officer') {
  const r = await download(path, who);
  assert.equal(r.status, 200, `${path}: ${r.status} ${r.text.slice(0, 300)}`);
  assert.equal(r.headers.get('content-type'), XLSX);
  assert.ok(r.wb, 'not a workbook');
  return r;
}

function cell(ws, row, col) {
  const v = ws.getRow(row).getCell(col).value;
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (v && typeof v === 'object' && 'richText' in v) return v.richText.map((t) => t.text).join('');
  return v;
}

function rowValues(ws, row) {
  const out = [];
  for (let c = 1; c <= ws.columnCount; c++) out.push(cell(ws, row, c));
  return out;
}

// The first row whose column col holds value (1-based), or 0.
function findRow(ws, col, value) {
  for (let r = 1; r <= ws.rowCount; r++) if (cell(ws, r, col) === value) return r;
  return 0;
}

// Cents of a money cell (stored as HK dollars).
function cents(ws, row, col) {
  const v = cell(ws, row, col);
  assert.equal(typeof v, 'number', `row ${row} col ${col}: ${JSON.stringify(v)}`);
  return Math.round(v * 100);
}

// The bilingual header: the row of English headings and the row below.
function header(ws, firstEn) {
  const r = findRow(ws, 1, firstEn);
  assert.ok(r > 0, `no header row starting ${firstEn}`);
  return { en: rowValues(ws, r), zh: rowValues(ws, r + 1), row: r };
}

// Every workbook: title block in both languages, frozen under the header.
function checkTitle(ws, titleEn, titleZh, headerRow, filters) {
  assert.equal(cell(ws, 1, 1), `${titleEn} ${titleZh}`);
  assert.equal(cell(ws, 2, 1).startsWith('Innovation and Technology Fund 創新及科技基金'), true);
  const block = [3, 4, 5].map((r) => String(cell(ws, r, 1)));
  assert.ok(block.some((l) => /^Generated 製備時間: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d HKT/.test(l)), block.join('|'));
  assert.ok(block.some((l) => l.startsWith('Filters 篩選條件: ')), block.join('|'));
  if (filters) assert.ok(block.some((l) => l.includes(filters)), `${filters} not in ${block.join('|')}`);
  const v = ws.views[0];
  assert.equal(v.state, 'frozen');
  assert.equal(v.ySplit, headerRow + 1, 'panes frozen under the two header rows');
}

// Sql helpers (as the owner; see the file comment).
function sql1(text) {
  return psql(text).split('\n')[0];
}

let seq = 9000;
function addApplication(a) {
  seq += 1;
  const yy = a.submitted.slice(2, 4);
  const ref = `RPT/${seq}/${yy}`;
  const id = Number(sql1(`INSERT INTO applications (org_id, scheme_code, status, title,
    submitted_on, submitted_at, start_date, end_date, requested_cents, applicant_cents,
    total_cost_cents, rule_version, reference, ref_prefix, ref_year, ref_seq)
    VALUES (${a.org}, '${a.scheme}', '${a.status}', '${a.title}', '${a.submitted}',
    '${a.submitted} 10:00+08', '${a.submitted}'::date + 30, '${a.submitted}'::date + 400,
    ${a.requested}, ${a.applicant}, ${a.requested + a.applicant}, 'TEST', '${ref}', 'RPT',
    ${Number(yy)}, ${seq}) RETURNING id`));
  let from = 'submitted';
  for (const [to, day] of a.events || []) {
    psql(`INSERT INTO application_events (application_id, at, actor_label, action, from_status,
      to_status) VALUES (${id}, '${day} 12:00+08', 'reports-test', '${to}', '${from}', '${to}')`);
    from = to;
  }
  return { id, ref };
}

function addProject(app, p) {
  psql(`BEGIN;
    INSERT INTO projects (id, org_id, scheme_code, rule_version, reference, title, status,
      payment_pattern, initial_max_bp, final_min_bp, approved_cents, government_cents,
      applicant_cents, total_cost_cents, start_date, end_date, signed_version, signed_at,
      signed_as)
    SELECT id, org_id, scheme_code, 'TEST', reference, title, '${p.status}', 'milestones', 0, 0,
      ${p.approved}, ${p.approved}, ${p.applicant}, ${p.approved + p.applicant}, start_date,
      end_date, ${p.status === 'awaiting_signature' ? 'NULL' : 1},
      ${p.status === 'awaiting_signature' ? 'NULL' : "'2004-06-01'"},
      ${p.status === 'awaiting_signature' ? 'NULL' : "'officer'"}
    FROM applications WHERE id = ${app.id};
    INSERT INTO project_tranches (project_id, seq, kind, bp, amount_cents)
      VALUES (${app.id}, 0, 'initial', 10000, ${p.approved});
    COMMIT;`);
}

// One balanced ledger entry with its postings in one statement.
function ledger(e) {
  const q = (v) => (v === null || v === undefined ? 'NULL' : `'${v}'`);
  const lines = e.lines.map(([acct, amt, proj], i) =>
    `(${i + 1}, '${acct}', ${amt}::bigint, ${proj ? `${proj}::bigint` : 'NULL::bigint'})`).join(', ');
  return Number(sql1(`WITH e AS (INSERT INTO ledger_entries (kind, value_date, approved_on,
      paper_ref, amount_cents, project_id, from_account, to_account, reverses_id, narrative,
      actor_label) VALUES ('${e.kind}', '${e.value}', ${q(e.approved)}, ${q(e.paper)},
      ${e.amount}, ${e.project || 'NULL'}, NULL, ${q(e.to)}, ${e.reverses || 'NULL'},
      ${q(e.narrative)}, 'reports-test') RETURNING id, value_date)
    INSERT INTO ledger_postings (entry_id, line, account, amount_cents, value_date, project_id)
    SELECT e.id, v.line, v.account, v.amount, e.value_date, v.project FROM e,
      (VALUES ${lines}) AS v(line, account, amount, project) RETURNING entry_id`));
}
const SUB = 'H111-101';
const COM = 'H111-101.COMMITTED';
const commit = (p, amt, day) => ledger({ kind: 'commitment', value: day, amount: amt, project: p,
  lines: [[SUB, -amt], [COM, amt, p]] });
const pay = (p, amt, day) => ledger({ kind: 'payment', value: day, amount: amt, project: p,
  lines: [[COM, -amt, p], ['PAYMENTS', amt, p]] });
const release = (p, amt, day) => ledger({ kind: 'release', value: day, amount: amt, project: p,
  lines: [[COM, -amt, p], [SUB, amt]] });

// Read an entry of the xlsx zip (local headers) without any zip library.
function zipEntry(buf, name) {
  for (let o = 0; o + 30 < buf.length;) {
    if (buf.readUInt32LE(o) !== 0x04034b50) break;
    const method = buf.readUInt16LE(o + 8);
    const csize = buf.readUInt32LE(o + 18);
    const nlen = buf.readUInt16LE(o + 26);
    const xlen = buf.readUInt16LE(o + 28);
    const fname = buf.toString('utf8', o + 30, o + 30 + nlen);
    const data = buf.subarray(o + 30 + nlen + xlen, o + 30 + nlen + xlen + csize);
    if (fname === name) return (method === 8 ? inflateRawSync(data) : data).toString('utf8');
    o += 30 + nlen + xlen + csize;
  }
  return null;
}

function tmpFiles() {
  const dir = join(ROOT, 'var', 'tmp');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith('itf-file-')) : [];
}

// --- the data set -----------------------------------------------------------

const A = {};
let beforeCommit;	// commitment-position as at 2006-03-31 before our ledger rows
let beforeCash;		// cash-flow 2004-05..2007-08 before our ledger rows

before(async () => {
  const org1 = addOrg(`Reports Test Company ${TAG}`, `報表測試公司${TAG}`);
  const org2 = addOrg(`Reports Test University ${TAG}`, `報表測試大學${TAG}`, 'university');
  ID.org1 = org1;
  for (const role of ['officer', 'finance', 'auditor', 'approver', 'panel_member', 'admin'])
    U[role] = await login((ID[role] = addUser(role)).email);
  U.applicant = await login(addUser('applicant', org1).email);

  // Ledger-based reports before our ledger rows, for the deltas.
  beforeCommit = await report('/api/v1/reports/commitment-position.xlsx?on=2006-03-31', 'finance');
  beforeCash = await report('/api/v1/reports/cash-flow.xlsx?from=2004-04-01&to=2008-03-31&on=2006-06-30', 'finance');

  const ev = (...e) => e;
  A.a1 = addApplication({ org: org1, scheme: 'GSP', status: 'approved', title: 'Smart city expo',
    submitted: '2004-04-20', requested: 120000000, applicant: 30000000,
    events: ev(['under_assessment', '2004-04-25'], ['recommended', '2004-05-10'], ['approved', '2004-05-20']) });
  A.a2 = addApplication({ org: org2, scheme: 'PSTS', status: 'approved', title: 'Trial of sensors',
    submitted: '2004-05-15', requested: 60000000, applicant: 0,
    events: ev(['recommended', '2004-05-28'], ['approved', '2004-06-01']) });
  A.a3 = addApplication({ org: org1, scheme: 'TVP', status: 'approved', title: 'Cloud ERP',
    submitted: '2005-05-01', requested: 20000000, applicant: 6666667,
    events: ev(['recommended', '2005-05-20'], ['approved', '2005-05-30']) });
  A.a4 = addApplication({ org: org2, scheme: 'GSP', status: 'rejected', title: 'Science fair',
    submitted: '2005-07-01', requested: 5000000, applicant: 0,
    events: ev(['not_recommended', '2005-08-01'], ['rejected', '2005-08-15']) });
  A.a5 = addApplication({ org: org2, scheme: 'GSP', status: 'withdrawn', title: 'Withdrawn one',
    submitted: '2005-09-01', requested: 5000000, applicant: 0,
    events: ev(['withdrawn', '2005-09-10']) });
  A.a6 = addApplication({ org: org1, scheme: 'GSP', status: 'under_assessment', title: 'Pending',
    submitted: '2006-03-20', requested: 7000000, applicant: 0, events: ev(['under_assessment', '2006-03-22']) });
  A.a7 = addApplication({ org: org1, scheme: 'TVP', status: 'approved', title: 'After the window',
    submitted: '2006-03-25', requested: 10000000, applicant: 3333333,
    events: ev(['recommended', '2006-04-10'], ['approved', '2006-04-20']) });
  A.a8 = addApplication({ org: org2, scheme: 'PSTS', status: 'approved', title: 'Early one',
    submitted: '2004-02-01', requested: 9000000, applicant: 1000000,
    events: ev(['recommended', '2004-04-05'], ['approved', '2004-04-08']) });
  A.a9 = addApplication({ org: org1, scheme: 'TVP', status: 'approved', title: 'Approved later',
    submitted: '2005-12-01', requested: 15000000, applicant: 5000000,
    events: ev(['recommended', '2006-03-30'], ['approved', '2006-04-02']) });
  A.a10 = addApplication({ org: org1, scheme: 'TVP', status: 'withdrawn', title: 'Withdrawn TVP',
    submitted: '2005-06-01', requested: 1000000, applicant: 0, events: ev(['withdrawn', '2005-06-02']) });

  // A1's decision approved less than the request; A2 and A3 have projects.
  psql(`INSERT INTO decisions (application_id, decision, approved_cents, reasons, decided_by,
    authority_cents) VALUES (${A.a1.id}, 'approve', 100000025, 'Supported', ${ID.approver.id},
    100000000000)`);
  addProject(A.a1, { status: 'active', approved: 100000025, applicant: 35000000 });
  addProject(A.a2, { status: 'terminated', approved: 50000000, applicant: 10000000 });
  addProject(A.a3, { status: 'awaiting_signature', approved: 20000000, applicant: 6666667 });

  // The ledger, 2004-06, all on the block vote.
  ID.inj2004 = ledger({ kind: 'injection', value: '2004-04-15', approved: '2004-04-01',
    paper: `FCR(2004-05)RPT${TAG}`, amount: 1000000000, to: SUB,
    lines: [['GRA', -1000000000], ['H184-ITF', 1000000000], ['H184-ITF', -1000000000], [SUB, 1000000000]] });
  commit(A.a1.id, 100000025, '2004-05-20');
  commit(A.a2.id, 50000000, '2004-06-01');
  pay(A.a1.id, 10000000, '2004-08-01');			// 2004-05
  const p2 = pay(A.a2.id, 8000000, '2005-01-10');	// reversed below
  ledger({ kind: 'reversal', value: '2005-02-01', amount: 8000000, project: A.a2.id,
    reverses: p2, narrative: 'paid to the wrong account',
    lines: [[COM, 8000000, A.a2.id], ['PAYMENTS', -8000000, A.a2.id]] });
  pay(A.a2.id, 7000000, '2005-03-01');			// 2004-05
  commit(A.a3.id, 20000000, '2005-05-30');
  pay(A.a1.id, 25000050, '2005-09-01');			// 2005-06
  release(A.a2.id, 43000000, '2006-01-15');
  pay(A.a1.id, 3000000, '2006-05-01');			// 2006-07, to date
  pay(A.a1.id, 500000, '2006-08-01');			// after the as-at date
});

// --- the tests --------------------------------------------------------------

test('reports: listing, roles and sessions', async () => {
  let r = expectStatus(await api('GET', '/api/v1/reports', { cookie: U.auditor }), 200);
  const names = r.json.reports.map((x) => x.name);
  assert.deepEqual(names, ['scheme-statistics', 'cash-flow', 'applications-by-year',
    'commitment-position', 'appropriation', 'project-register']);
  const cf = r.json.reports[1];
  assert.equal(cf.title_en, 'Cash flow by financial year');
  assert.equal(cf.title_zh, '按財政年度劃分的現金流量');
  assert.deepEqual(cf.parameters.map((p) => p.name), ['from', 'to', 'fy', 'on', 'scheme']);
  expectError(await api('GET', '/api/v1/reports'), 401, 'unauthenticated');
  expectError(await api('GET', '/api/v1/reports', { cookie: U.applicant }), 403, 'forbidden');

  for (const who of ['officer', 'finance', 'approver', 'auditor', 'admin']) {
    const d = await download('/api/v1/reports/commitment-position.xlsx', who);
    assert.equal(d.status, 200, `${who}: ${d.text.slice(0, 200)}`);
  }
  for (const who of ['applicant', 'panel_member']) {
    const d = await download('/api/v1/reports/commitment-position.xlsx', who);
    assert.equal(d.status, 403, who);
    assert.equal(JSON.parse(d.text).error.code, 'forbidden');
  }
  r = await download('/api/v1/reports/commitment-position.xlsx', null);
  assert.equal(r.status, 401);
  r = await download('/api/v1/reports/no-such-report.xlsx');
  assert.equal(r.status, 404);
  assert.equal(JSON.parse(r.text).error.code, 'not_found');
  r = expectStatus(await api('POST', '/api/v1/reports/cash-flow.xlsx', { cookie: U.officer }), 405);
});

test('reports: bad parameters are refused with 400 naming them, and leave no file', async () => {
  const files = tmpFiles().length;
  const cases = [
    ['scheme-statistics.xlsx?from=2021-04-01&to=2021-03-31', 'from', /after to/],
    ['scheme-statistics.xlsx?fy=2020-22', 'fy', /not a financial year/],
    ['scheme-statistics.xlsx?fy=1990-91', 'fy', /out of range/],
    ['cash-flow.xlsx?fy=2150-51', 'fy', /out of range/],
    ['scheme-statistics.xlsx?fy=2020-21&from=2020-05-01', 'fy', /either fy or from/],
    ['scheme-statistics.xlsx?from=2021-02-30', 'from', /not a date/],
    ['commitment-position.xlsx?on=yesterday', 'on', /not a date/],
    ['scheme-statistics.xlsx?scheme=NOPE', 'scheme', /no scheme with code "NOPE"/],
    ['applications-by-year.xlsx?scheme=T1', 'scheme', /not a scheme code/],
    ['applications-by-year.xlsx?year_basis=weekly', 'year_basis', /neither calendar nor financial/],
    ['commitment-position.xlsx?scheme=TVP', 'scheme', /unknown query parameter/],
    ['project-register.xlsx?colour=red', 'colour', /unknown query parameter/],
    ['cash-flow.xlsx?from=1990-01-01&to=2100-12-31', 'from', /at most 40/],
    ['scheme-statistics.xlsx?to=', 'to', /required/],
  ];
  for (const [q, field, re] of cases) {
    const r = await download(`/api/v1/reports/${q}`);
    assert.equal(r.status, 400, `${q}: ${r.status} ${r.text.slice(0, 200)}`);
    const e = JSON.parse(r.text).error;
    assert.equal(e.code, 'bad_request', q);
    assert.equal(e.field, field, q);
    assert.match(e.message, re, q);
  }
  assert.equal(tmpFiles().length, files, 'a refused report left a temporary file');
});

test('scheme-statistics: per scheme by programme area, exact figures', async () => {
  const r = await report('/api/v1/reports/scheme-statistics.xlsx?from=2004-04-01&to=2006-03-31');
  assert.match(r.headers.get('content-disposition'),
    /^attachment; filename="scheme-statistics-2004-04-01-2006-03-31\.xlsx"$/);
  const ws = r.wb.worksheets[0];
  const h = header(ws, 'Code');
  checkTitle(ws, 'Scheme statistics', '資助計劃統計數字', h.row, 'all schemes 所有計劃');
  assert.equal(cell(ws, 3, 1), 'Period 期間: 2004-04-01 to 至 2006-03-31');
  assert.deepEqual(h.en, ['Code', 'Scheme (English name)', 'Scheme (Chinese name)',
    'Applications received', 'Applications assessed', 'Applications approved', 'Success rate',
    'Government funding approved (HK$)', 'Applicant / private contribution (HK$)']);
  assert.deepEqual(h.zh, ['編號', '計劃名稱 (英文)', '計劃名稱 (中文)', '接獲申請數目',
    '已評審申請數目', '獲批申請數目', '成功率', '批出資助額 (港元)', '申請者／私營機構出資 (港元)']);

  // The five programme areas in the paper's order, each with its schemes.
  const groups = ['Support research and development 支持研究及發展',
    'Promote technology adoption 推動科技應用', 'Nurture I&T talent 培育創科人才',
    'Support technology start-ups 支援科技初創企業', 'Foster an I&T culture 培養創科文化'];
  const at = groups.map((g) => findRow(ws, 1, g));
  assert.ok(at.every((x, i) => x > 0 && (i === 0 || x > at[i - 1])), JSON.stringify(at));
  const schemes = [];
  for (let i = h.row + 2; i <= ws.rowCount; i++)
    if (/^[A-Z]{2,8}$/.test(String(cell(ws, i, 1)))) schemes.push(cell(ws, i, 1));
  assert.equal(schemes.length, 17);

  const line = (code) => {
    const n = findRow(ws, 1, code);
    assert.ok(n > 0, code);
    return [cell(ws, n, 4), cell(ws, n, 5), cell(ws, n, 6), cell(ws, n, 7),
      cents(ws, n, 8), cents(ws, n, 9)];
  };
  assert.deepEqual(line('GSP'), [3, 2, 1, 0.5, 100000025, 35000000]);
  assert.equal(cell(ws, findRow(ws, 1, 'GSP'), 3), '一般支援計劃');
  assert.deepEqual(line('PSTS'), [1, 2, 2, 1, 59000000, 11000000]);
  assert.deepEqual(line('TVP'), [3, 2, 1, 0.5, 20000000, 6666667]);
  const n = findRow(ws, 1, 'TVP');
  assert.equal(ws.getRow(n).getCell(7).numFmt, '0.0%');
  assert.equal(ws.getRow(n).getCell(8).numFmt, '#,##0.00');
  const itsp = findRow(ws, 1, 'ITSP');
  assert.equal(cell(ws, itsp, 4), 0);
  assert.equal(cell(ws, itsp, 7), null, 'no success rate without assessments');

  const sub = findRow(ws, 2, 'Subtotal: Promote technology adoption 小計');
  assert.deepEqual([cell(ws, sub, 4), cell(ws, sub, 5), cell(ws, sub, 6), cell(ws, sub, 7),
    cents(ws, sub, 8), cents(ws, sub, 9)], [4, 4, 3, 0.75, 79000000, 17666667]);
  const tot = findRow(ws, 2, 'Total 總計');
  assert.deepEqual([cell(ws, tot, 4), cell(ws, tot, 5), cell(ws, tot, 6), cents(ws, tot, 8),
    cents(ws, tot, 9)], [7, 6, 4, 179000025, 52666667]);
  assert.ok(Math.abs(cell(ws, tot, 7) - 4 / 6) < 1e-12);
  assert.ok(ws.getRow(tot).getCell(4).font.bold, 'total row in bold');
  // Columns sized to what they hold.
  assert.ok(ws.getColumn(2).width >= 'Guangdong-Hong Kong Technology Cooperation Funding Scheme'.length);

  // One financial year and one scheme.
  const one = await report('/api/v1/reports/scheme-statistics.xlsx?fy=2004-05&scheme=psts');
  const w1 = one.wb.worksheets[0];
  assert.match(one.headers.get('content-disposition'), /scheme-statistics-PSTS-2004-05\.xlsx/);
  assert.equal(cell(w1, 3, 1), 'Period 期間: financial year 2004-05 財政年度 (2004-04-01 to 至 2005-03-31)');
  assert.equal(cell(w1, 4, 1), 'Filters 篩選條件: scheme 計劃 = PSTS Public Sector Trial Scheme 公營機構試用計劃');
  const p = findRow(w1, 1, 'PSTS');
  assert.deepEqual([cell(w1, p, 4), cell(w1, p, 5), cell(w1, p, 6), cents(w1, p, 8)],
    [1, 2, 2, 59000000]);
  assert.equal(findRow(w1, 1, 'TVP'), 0, 'only the scheme asked for');
});

test('applications-by-year: calendar and financial years, one scheme or all', async () => {
  let r = await report('/api/v1/reports/applications-by-year.xlsx?scheme=TVP&to=2006-12-31');
  let ws = r.wb.worksheets[0];
  let h = header(ws, 'Year');
  checkTitle(ws, 'Applications received by year', '每年接獲的申請數目', h.row,
    'scheme 計劃 = TVP Technology Voucher Programme 科技券');
  assert.deepEqual(h.en, ['Year', 'Applications received', 'First received', 'Last received']);
  assert.deepEqual(h.zh, ['年份', '申請數目', '最早接獲日期', '最後接獲日期']);
  assert.deepEqual(rowValues(ws, h.row + 2), ['2005', 2, '2005-05-01', '2005-12-01']);
  assert.deepEqual(rowValues(ws, h.row + 3), ['2006', 1, '2006-03-25', '2006-03-25']);
  assert.deepEqual(rowValues(ws, h.row + 4).slice(0, 2), ['Total 總計', 3]);
  assert.equal(ws.getRow(h.row + 2).getCell(3).numFmt, 'yyyy-mm-dd');

  r = await report('/api/v1/reports/applications-by-year.xlsx?from=2004-01-01&to=2006-12-31&year_basis=financial');
  ws = r.wb.worksheets[0];
  h = header(ws, 'Financial year');
  assert.deepEqual(h.en, ['Financial year', 'PSTS', 'TVP', 'GSP', 'Total applications received',
    'First received', 'Last received']);
  assert.deepEqual(h.zh.slice(0, 4), ['財政年度', 'PSTS 公營機構試用計劃', 'TVP 科技券', 'GSP 一般支援計劃']);
  assert.deepEqual(rowValues(ws, h.row + 2), ['2003-04', 1, 0, 0, 1, '2004-02-01', '2004-02-01']);
  assert.deepEqual(rowValues(ws, h.row + 3), ['2004-05', 1, 0, 1, 2, '2004-04-20', '2004-05-15']);
  assert.deepEqual(rowValues(ws, h.row + 4), ['2005-06', 0, 3, 2, 5, '2005-05-01', '2006-03-25']);
  assert.deepEqual(rowValues(ws, h.row + 5).slice(0, 5), ['Total 總計', 1 + 1, 3, 3, 8]);
});

test('cash-flow estimates: finance sets them, audited; others cannot', async () => {
  const body = { estimates: [
    { fy: '2006-07', scheme: 'GSP', amount_cents: 40000000 },
    { fy: '2007-08', scheme: 'GSP', amount_cents: 50000000 },
    { fy: '2007-08', scheme: 'PSTS', amount_cents: 12345678 },
    { fy: '2007-08', scheme: null, amount_cents: 100000000 },
  ] };
  expectError(await api('PUT', '/api/v1/cash-flow-estimates', { cookie: U.officer, body }), 403, 'forbidden');
  expectError(await api('PUT', '/api/v1/cash-flow-estimates', { cookie: U.finance, body, csrf: false }),
    403, 'forbidden', 'x-itf-request');
  expectError(await api('PUT', '/api/v1/cash-flow-estimates', { body }), 401, 'unauthenticated');
  const bad = async (estimates, status, field) => expectError(await api('PUT',
    '/api/v1/cash-flow-estimates', { cookie: U.finance, body: { estimates } }), status, undefined, field);
  await bad([{ fy: '2007-09', scheme: 'GSP', amount_cents: 1 }], 422, 'estimates[0].fy');
  await bad([{ fy: '1990-91', scheme: 'GSP', amount_cents: 1 }], 422, 'estimates[0].fy');
  await bad([{ fy: '2007-08', scheme: 'NOPE', amount_cents: 1 }], 422, 'estimates[0].scheme');
  await bad([{ fy: '2007-08', scheme: 'GSP', amount_cents: -1 }], 422, 'estimates[0].amount_cents');
  await bad([{ fy: '2007-08', scheme: 'GSP', amount_cents: 1.5 }], 400, 'estimates[0].amount_cents');
  await bad([{ fy: '2007-08', scheme: 'GSP', amount_cents: 1, colour: 'red' }], 400, 'estimates[0].colour');
  await bad([{ fy: '2007-08', scheme: 'GSP', amount_cents: 1 }, { fy: '2007-08', scheme: 'GSP', amount_cents: 2 }],
    422, 'estimates[1]');
  await bad([], 422, 'estimates');

  // A first value, then the real one: two audit rows, the second with "before".
  expectStatus(await api('PUT', '/api/v1/cash-flow-estimates', { cookie: U.finance,
    body: { estimates: [{ fy: '2006-07', scheme: 'GSP', amount_cents: 1 }] } }), 200);
  const r = expectStatus(await api('PUT', '/api/v1/cash-flow-estimates', { cookie: U.finance, body }), 200);
  const mine = r.json.estimates.filter((e) => ['2006-07', '2007-08'].includes(e.fy));
  assert.deepEqual(mine.map((e) => [e.fy, e.scheme, e.amount_cents]), [
    ['2006-07', 'GSP', 40000000], ['2007-08', 'GSP', 50000000], ['2007-08', 'PSTS', 12345678],
    ['2007-08', null, 100000000]]);
  assert.equal(mine[0].updated_by, ID.finance.email);
  const g = expectStatus(await api('GET', '/api/v1/cash-flow-estimates', { cookie: U.auditor }), 200);
  assert.equal(g.json.count, g.json.estimates.length);
  expectError(await api('GET', '/api/v1/cash-flow-estimates', { cookie: U.applicant }), 403, 'forbidden');

  const a = expectStatus(await api('GET',
    '/api/v1/audit?record_type=cash_flow_estimate&record_id=2006-07%2FGSP', { cookie: U.auditor }), 200);
  assert.deepEqual(a.json.entries.map((e) => [e.action, e.before && e.before.amount_cents,
    e.after.amount_cents, e.actor]), [
    ['cash_flow_estimate.set', null, 1, ID.finance.email],
    ['cash_flow_estimate.set', 1, 40000000, ID.finance.email]]);
});

test('list export: the estimates as CSV (quoted, BOM) and as a workbook', async () => {
  let r = await download('/api/v1/cash-flow-estimates?format=csv', 'auditor');
  assert.equal(r.status, 200, r.text.slice(0, 200));
  assert.equal(r.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.equal(r.headers.get('content-disposition'), 'attachment; filename="cash-flow-estimates.csv"');
  assert.deepEqual([...r.buf.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const lines = r.buf.subarray(3).toString('utf8').split('\r\n');
  assert.equal(lines[0], 'Financial year 財政年度,Scheme 資助計劃,Scheme (English name) 計劃名稱 (英文),'
    + 'Scheme (Chinese name) 計劃名稱 (中文),Estimate (HK$) 預算 (港元),Set by 設定人,Set on 設定日期');
  assert.ok(lines.includes(`2006-07,GSP,General Support Programme,一般支援計劃,400000.00,${ID.finance.email},${TODAY}`),
    lines.join('\n'));
  assert.ok(lines.includes(`2007-08,,,,1000000.00,${ID.finance.email},${TODAY}`));
  assert.equal(lines[lines.length - 1], '', 'CRLF after the last row');

  r = await download('/api/v1/cash-flow-estimates?format=csv&bom=0', 'auditor');
  assert.equal(r.buf[0], 'F'.charCodeAt(0));

  r = await report('/api/v1/cash-flow-estimates?format=xlsx', 'finance');
  const ws = r.wb.worksheets[0];
  const h = header(ws, 'Financial year');
  checkTitle(ws, 'Cash-flow estimates', '現金流量預算', h.row);
  assert.deepEqual(h.zh, ['財政年度', '資助計劃', '計劃名稱 (英文)', '計劃名稱 (中文)', '預算 (港元)',
    '設定人', '設定日期']);
  const psts = findRow(ws, 2, 'PSTS');
  assert.deepEqual(rowValues(ws, psts), ['2007-08', 'PSTS', 'Public Sector Trial Scheme', '公營機構試用計劃',
    123456.78, ID.finance.email, TODAY]);
  assert.equal(ws.getRow(psts).getCell(5).numFmt, '#,##0.00');

  expectError(await api('GET', '/api/v1/cash-flow-estimates?format=pdf', { cookie: U.finance }),
    400, 'bad_request', 'format');
  expectError(await api('GET', '/api/v1/cash-flow-estimates?format=csv&bom=2', { cookie: U.finance }),
    400, 'bad_request', 'bom');
  expectError(await api('GET', '/api/v1/cash-flow-estimates?format=csv', { cookie: U.applicant }),
    403, 'forbidden');
  expectError(await api('GET', '/api/v1/cash-flow-estimates?format=csv'), 401, 'unauthenticated');
});

test('cash-flow: actual by financial year, estimates, totals and the chart', async () => {
  const path = '/api/v1/reports/cash-flow.xlsx?from=2004-04-01&to=2008-03-31&on=2006-06-30';
  const r = await report(path, 'finance');
  const ws = r.wb.worksheets[0];
  assert.equal(ws.name, 'Cash flow');
  const h = header(ws, 'Code');
  checkTitle(ws, 'Cash flow by financial year', '按財政年度劃分的現金流量', h.row);
  assert.equal(cell(ws, 3, 1), 'Financial years 財政年度: 2004-05 to 至 2007-08; actual payments as at 實際付款截至 2006-06-30');
  assert.deepEqual(h.en.slice(3), ['2004-05 Actual', '2005-06 Actual', '2006-07 Actual to date',
    '2006-07 Estimate', '2007-08 Estimate', 'Total']);
  assert.deepEqual(h.zh.slice(3), ['2004-05年度 實際', '2005-06年度 實際', '2006-07年度 截至日期實際',
    '2006-07年度 預算', '2007-08年度 預算', '總計']);
  assert.ok(findRow(ws, 1, 'HK$ million 百萬港元 (each cell holds the exact amount in HK$ 儲存格載有以港元計的準確金額)') > 0);

  const w0 = beforeCash.wb.worksheets[0];
  const delta = (row, col, label) => {
    const a = findRow(ws, 1, label) || findRow(ws, 2, label);
    const b = findRow(w0, 1, label) || findRow(w0, 2, label);
    return cents(ws, a, col) - (b ? cents(w0, b, col) : 0);
  };
  const gsp = findRow(ws, 1, 'GSP');
  assert.equal(ws.getRow(gsp).getCell(4).numFmt, '#,##0.0,,');
  // GSP: paid 100,000.00 (2004-05), 250,000.50 (2005-06), 30,000.00 to date
  // (2006-07; the 5,000.00 of 2006-08-01 is after the as-at date).
  assert.deepEqual([4, 5, 6].map((c) => delta(gsp, c, 'GSP')), [10000000, 25000050, 3000000]);
  assert.deepEqual([7, 8].map((c) => cents(ws, gsp, c)), [40000000, 50000000]);
  // Total: actuals for past years + estimates from the current year on.
  assert.equal(delta(gsp, 9, 'GSP'), 10000000 + 25000050 + 40000000 + 50000000);
  // PSTS: 80,000 paid and reversed, then 70,000, all in 2004-05.
  const psts = findRow(ws, 1, 'PSTS');
  assert.equal(delta(psts, 4, 'PSTS'), 7000000);
  assert.equal(cents(ws, psts, 8), 12345678);
  const un = findRow(ws, 2, 'Not allocated to a scheme');
  assert.equal(cell(ws, un, 3), '未按計劃分配');
  assert.equal(cents(ws, un, 8), 100000000);
  const tot = findRow(ws, 2, 'Total');
  assert.equal(cell(ws, tot, 3), '總計');
  assert.equal(cents(ws, tot, 8), 50000000 + 12345678 + 100000000);

  // The paper's table (S para 32) and its native chart.
  const yh = header(ws, 'Financial year');
  assert.deepEqual(yh.en.slice(0, 3), ['Financial year', 'Basis', 'HK$ million']);
  assert.deepEqual(yh.zh.slice(0, 3), ['財政年度', '基礎', '百萬元']);
  const years = [0, 1, 2, 3].map((i) => rowValues(ws, yh.row + 2 + i).slice(0, 2));
  assert.deepEqual(years, [['2004-05', 'Actual 實際'], ['2005-06', 'Actual 實際'],
    ['2006-07', 'Estimate 預算'], ['2007-08', 'Estimate 預算']]);
  const wy = header(w0, 'Financial year');
  const yd = (i) => cents(ws, yh.row + 2 + i, 3) - cents(w0, wy.row + 2 + i, 3);
  assert.deepEqual([0, 1, 2, 3].map(yd), [17000000, 25000050, 40000000, 162345678]);
  assert.equal(cell(ws, yh.row + 6, 1), 'Total 總計');
  assert.equal(cents(ws, yh.row + 6, 3) - cents(w0, wy.row + 6, 3), 17000000 + 25000050 + 40000000 + 162345678);
  const chart = zipEntry(r.buf, 'xl/charts/chart1.xml');
  assert.ok(chart, 'the workbook has a chart');
  assert.match(chart, /<c:barChart>/);
  assert.ok(chart.includes(`<c:f>'Cash flow'!$A$${yh.row + 2}:$A$${yh.row + 5}</c:f>`), chart.slice(0, 2000));
  assert.ok(chart.includes(`<c:f>'Cash flow'!$C$${yh.row + 2}:$C$${yh.row + 5}</c:f>`));
  assert.match(chart, /按財政年度劃分的現金流量/);

  // One scheme: its row only; estimates not allocated to a scheme left out.
  const one = await report('/api/v1/reports/cash-flow.xlsx?fy=2007-08&on=2006-06-30&scheme=GSP', 'finance');
  const w1 = one.wb.worksheets[0];
  assert.equal(findRow(w1, 1, 'PSTS'), 0);
  assert.equal(findRow(w1, 2, 'Not allocated to a scheme'), 0);
  const g1 = findRow(w1, 1, 'GSP');
  assert.deepEqual(header(w1, 'Code').en.slice(3), ['2007-08 Estimate', 'Total']);
  assert.deepEqual([cents(w1, g1, 4), cents(w1, g1, 5)], [50000000, 50000000]);
});

test('commitment-position: approved since inception, payments, releases, available', async () => {
  const r = await report('/api/v1/reports/commitment-position.xlsx?on=2006-03-31', 'finance');
  const ws = r.wb.worksheets[0];
  const h = header(ws, 'Account');
  checkTitle(ws, 'Commitment position', '承擔額狀況', h.row);
  assert.equal(cell(ws, 3, 1), 'As at 截至: 2006-03-31');
  assert.deepEqual(h.en, ['Account', 'Subhead', 'Subhead (Chinese)', 'Projects with commitments',
    'Commitments approved since inception (HK$)', 'Payments (HK$)', 'Commitments released (HK$)',
    'Commitments transferred, net (HK$)', 'Commitments outstanding (HK$)', 'Available commitment (HK$)']);
  assert.equal(h.zh[4], '自成立以來批出的承擔額 (港元)');
  assert.equal(h.zh[9], '可用承擔額 (港元)');
  assert.deepEqual([2, 3, 4].map((i) => cell(ws, h.row + i, 1)), ['H111-101', 'H111-090', 'H111-112']);

  const w0 = beforeCommit.wb.worksheets[0];
  const d = (label, col, labelCol = 1) => {
    const a = findRow(ws, labelCol, label);
    const b = findRow(w0, labelCol, label);
    return col === 4 ? cell(ws, a, col) - cell(w0, b, col) : cents(ws, a, col) - cents(w0, b, col);
  };
  // Commitments 1,000,000.25 + 500,000 + 200,000; paid 100,000 + 250,000.50
  // (GSP) and 70,000 net (PSTS); 430,000 released; HK$10M injected.
  const expect = [3, 170000025, 35000050 + 7000000, 43000000, 0,
    170000025 - 42000050 - 43000000, 1000000000 - 170000025 + 43000000];
  assert.deepEqual([4, 5, 6, 7, 8, 9, 10].map((c) => d('H111-101', c)), expect);
  assert.deepEqual([4, 5, 6, 7, 8, 9, 10].map((c) => d('Innovation and Technology Fund: total', c, 2)), expect);
  // The identity holds on every row.
  for (let i = h.row + 2; i <= h.row + 5; i++) {
    assert.equal(cents(ws, i, 9), cents(ws, i, 5) - cents(ws, i, 6) - cents(ws, i, 7) + cents(ws, i, 8), `row ${i}`);
  }
});

test('appropriation: injections and transfers with paper references, subhead balances', async () => {
  const paper = `FCR(2099-00)${TAG}`;
  const path = `/api/v1/reports/appropriation.xlsx?from=${TODAY}&to=${TODAY}`;
  const before = await report(path, 'finance');
  expectStatus(await api('POST', '/api/v1/ledger/injections', { cookie: U.finance,
    body: { amount_cents: 1234567890, paper_ref: paper, approved_on: TODAY } }), 201);
  expectStatus(await api('POST', '/api/v1/ledger/transfers', { cookie: U.finance,
    body: { from: 'H111-101', to: 'H111-112', amount_cents: 100000001, paper_ref: paper,
      approved_on: TODAY, narrative: 'for the test' } }), 201);
  const r = await report(path, 'auditor');
  const [mv, bal] = r.wb.worksheets;
  assert.equal(mv.name, 'Injections and transfers');
  assert.equal(bal.name, 'Subhead balances');
  const h = header(mv, 'Value date');
  checkTitle(mv, 'Injections, subhead transfers and balances', '注資、分目轉撥及分目結餘', h.row);
  assert.deepEqual(h.en, ['Value date', 'Approved on', 'Paper reference', 'Type', 'From', 'To',
    'Whole balance', 'Amount (HK$)', 'Narrative', 'Entry no.']);
  assert.deepEqual(h.zh, ['生效日期', '批准日期', '文件編號', '類別', '轉出', '轉入', '全數轉撥',
    '金額 (港元)', '說明', '記項編號']);
  const rows = [];
  for (let i = h.row + 2; i <= mv.rowCount; i++)
    if (cell(mv, i, 3) === paper) rows.push(rowValues(mv, i));
  assert.equal(rows.length, 2);
  assert.deepEqual(rows[0].slice(0, 8), [TODAY, TODAY, paper, 'Injection 注資', 'GRA', 'H111-101',
    null, 12345678.9]);
  assert.deepEqual(rows[1].slice(0, 9), [TODAY, TODAY, paper, 'Subhead transfer 分目轉撥', 'H111-101',
    'H111-112', null, 1000000.01, 'for the test']);
  const ti = findRow(mv, 4, 'Total injections 注資總額');
  const tb = findRow(before.wb.worksheets[0], 4, 'Total injections 注資總額');
  assert.equal(cents(mv, ti, 8) - cents(before.wb.worksheets[0], tb, 8), 1234567890);

  const bh = header(bal, 'Account');
  assert.deepEqual(bh.en, ['Account', 'Head', 'Subhead', 'Item', 'Name (English)', 'Name (Chinese)',
    'In the fund', 'Uncommitted balance (HK$)', 'Commitments outstanding (HK$)', 'Balance (HK$)']);
  assert.equal(cell(bal, 3, 1), `As at 截至: ${TODAY}`);
  const b0 = before.wb.worksheets[1];
  const bd = (code, col) => cents(bal, findRow(bal, 1, code), col) - cents(b0, findRow(b0, 1, code), col);
  assert.equal(bd('H111-101', 8), 1234567890 - 100000001);
  assert.equal(bd('H111-112', 8), 100000001);
  assert.equal(bd('H111-090', 8), 0);
  const h135 = findRow(bal, 1, 'H135-700-801');
  assert.deepEqual([cell(bal, h135, 2), cell(bal, h135, 3), cell(bal, h135, 4), cell(bal, h135, 7)],
    ['135', '700', '801', 'No 否']);
  const tot = findRow(bal, 5, 'Innovation and Technology Fund: total');
  assert.equal(cents(bal, tot, 8) - cents(b0, findRow(b0, 5, 'Innovation and Technology Fund: total'), 8),
    1234567890);

  // The 2004 injection with its paper and dates, in its financial year.
  const fy = await report('/api/v1/reports/appropriation.xlsx?fy=2004-05', 'finance');
  const w = fy.wb.worksheets[0];
  const i = findRow(w, 3, `FCR(2004-05)RPT${TAG}`);
  assert.deepEqual(rowValues(w, i).slice(0, 8), ['2004-04-15', '2004-04-01', `FCR(2004-05)RPT${TAG}`,
    'Injection 注資', 'GRA', 'H111-101', null, 10000000]);
  assert.equal(cell(w, i, 10), ID.inj2004);
});

test('project-register: one row per project, read through a cursor in constant memory', async () => {
  // 2,100 more projects, so the register spans several cursor batches.
  psql(`BEGIN;
    INSERT INTO applications (org_id, scheme_code, status, title, submitted_on, start_date,
      end_date, requested_cents, applicant_cents, total_cost_cents, rule_version, reference,
      ref_prefix, ref_year, ref_seq)
    SELECT ${ID.org1}, 'STEM', 'approved', 'Internship batch ' || g, DATE '2010-01-01',
      DATE '2010-02-01', DATE '2011-01-31', 100000 + g, 0, 100000 + g, 'TEST',
      'RPX/' || (10000 + g) || '/10', 'RPX', 10, 10000 + g FROM generate_series(1, 2100) g;
    INSERT INTO projects (id, org_id, scheme_code, rule_version, reference, title, status,
      payment_pattern, initial_max_bp, final_min_bp, approved_cents, government_cents,
      applicant_cents, total_cost_cents, start_date, end_date, signed_version, signed_at, signed_as)
    SELECT id, org_id, scheme_code, 'TEST', reference, title, 'active', 'monthly_claims', 0, 0,
      requested_cents, requested_cents, 0, requested_cents, start_date, end_date, 1, now(), 'officer'
    FROM applications WHERE ref_prefix = 'RPX';
    INSERT INTO project_tranches (project_id, seq, kind, bp, amount_cents)
    SELECT id, 0, 'initial', 10000, government_cents FROM projects WHERE reference LIKE 'RPX/%';
    COMMIT;`);
  const r = await report('/api/v1/reports/project-register.xlsx');
  // One sheet: a register continues on "Project register 2" ... only past
  // Excel's 1,048,576 rows (tests/unit/test_report.c, test_sheet_continues).
  assert.deepEqual(r.wb.worksheets.map((w) => w.name), ['Project register']);
  const ws = r.wb.worksheets[0];
  const h = header(ws, 'Reference');
  checkTitle(ws, 'Project register', '項目登記冊', h.row);
  assert.deepEqual(h.en, ['Reference', 'Project title', 'Organisation (English name)',
    'Organisation (Chinese name)', 'Scheme', 'Approved amount (HK$)', 'Government contribution (HK$)',
    'Paid to date, net of refunds (HK$)', 'Start date', 'End date', 'Status']);
  assert.deepEqual(h.zh, ['編號', '項目名稱', '機構名稱 (英文)', '機構名稱 (中文)', '資助計劃',
    '批出金額 (港元)', '政府資助額 (港元)', '已發放款項 (扣除退款) (港元)', '開始日期', '完結日期', '狀況']);
  assert.ok(ws.autoFilter, 'an autofilter over the register');

  const row = (ref) => rowValues(ws, findRow(ws, 1, ref));
  assert.deepEqual(row(A.a1.ref), [A.a1.ref, 'Smart city expo', `Reports Test Company ${TAG}`,
    `報表測試公司${TAG}`, 'GSP', 1000000.25, 1000000.25, 385000.5, '2004-05-20', '2005-05-25',
    'Active 進行中']);
  assert.deepEqual(row(A.a2.ref).slice(4), ['PSTS', 500000, 500000, 70000, '2004-06-14', '2005-06-19',
    'Terminated 已終止']);
  assert.deepEqual(row(A.a3.ref).slice(7), [0, '2005-05-31', '2006-06-05', 'Awaiting signature 待簽署協議']);

  // Every bulk project once, in id order (the cursor crossed batches).
  const bulk = [];
  let count = 0;
  for (let i = h.row + 2; i <= ws.rowCount; i++) {
    const ref = cell(ws, i, 1);
    if (typeof ref === 'string' && /^[A-Z]{2,5}\/\d+\/\d\d$/.test(ref)) count++;
    if (typeof ref === 'string' && ref.startsWith('RPX/')) bulk.push([ref, cents(ws, i, 6)]);
  }
  assert.equal(bulk.length, 2100);
  assert.deepEqual(bulk[0], ['RPX/10001/10', 100001]);
  assert.deepEqual(bulk[2099], ['RPX/12100/10', 102100]);
  const total = findRow(ws, 1, `Total: ${count} projects 總計：${count} 個項目`);
  assert.ok(total > 0, 'total row counts every project');
  assert.equal(total, ws.rowCount);

  const one = await report('/api/v1/reports/project-register.xlsx?scheme=GSP');
  const w1 = one.wb.worksheets[0];
  assert.ok(findRow(w1, 1, A.a1.ref) > 0);
  assert.equal(findRow(w1, 1, 'RPX/10001/10'), 0);
});

test('reports: several at once on the workers, no file left behind', async () => {
  const files = tmpFiles().length;
  const paths = ['scheme-statistics.xlsx?fy=2004-05', 'cash-flow.xlsx?on=2006-06-30&from=2004-04-01',
    'applications-by-year.xlsx', 'commitment-position.xlsx', 'appropriation.xlsx',
    'project-register.xlsx'];
  const t0 = Date.now();
  const pending = paths.map((p) => report(`/api/v1/reports/${p}`, 'auditor'));
  // The service keeps answering while the workbooks are built in tasks.
  for (let i = 0; i < 5; i++) expectStatus(await api('GET', '/api/v1/health'), 200);
  const done = await Promise.all(pending);
  for (const d of done) assert.ok(d.wb.worksheets.length >= 1);
  assert.ok(Date.now() - t0 < 60000);
  assert.equal(tmpFiles().length, files, 'temporary workbooks are removed after sending');
});

test('itfctl report writes the same workbook; bad options fail without a file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'itf-report-'));
  try {
    const out = join(dir, 'stats.xlsx');
    let r = itfctl(['report', 'scheme-statistics', '--from', '2004-04-01', '--to', '2006-03-31',
      '--scheme', 'GSP', '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /stats\.xlsx: \d+ bytes/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync(out));
    const ws = wb.worksheets[0];
    const n = findRow(ws, 1, 'GSP');
    assert.deepEqual([cell(ws, n, 4), cell(ws, n, 5), cell(ws, n, 6), cents(ws, n, 8)], [3, 2, 1, 100000025]);

    const bad = join(dir, 'bad.xlsx');
    r = itfctl(['report', 'scheme-statistics', '--fy', '2020-22', '--out', bad]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /fy: "2020-22" is not a financial year/);
    r = itfctl(['report', 'scheme-statistics', '--scheme', 'NOPE', '--out', bad]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /scheme: no scheme with code "NOPE"/);
    r = itfctl(['report', 'nonesuch', '--out', bad]);
    assert.notEqual(r.status, 0);
    assert.equal(existsSync(bad), false);
    assert.deepEqual(readdirSync(dir), ['stats.xlsx'], 'no temporary file left');
    r = itfctl(['report']);
    assert.match(r.stderr, /project-register/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
