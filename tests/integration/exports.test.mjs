// List exports (issue 6, docs/api.md "List downloads"): GET /applications,
// /projects, /payments and /ledger/entries with ?format=xlsx or csv give
// every row the JSON list gives for the same filters (all pages, in the same
// order), each read back independently (exceljs; an RFC 4180 parser here)
// and compared field by field with the JSON rows; an applicant's download
// holds its own organisation's rows and never another's; bilingual
// headings, HK$ formats, formula-injection guard, Content-Type and
// Content-Disposition; refusals.
//
// Data: two organisations' ITSP applications through the API, approved by
// the tests/db fixture (as app/core/decisions.c approves: the ledger
// commitment and the project), signed, a milestone report accepted and a
// payment prepared and approved through the API.  Other files share the
// database, so the staff downloads are compared with the staff JSON lists
// whatever else they hold.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { api, BASE, expectStatus, expectError, itfctl, uniq, projectsFixture } from './lib.mjs';

const PW = 'exports test password 2026';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const CSV = 'text/csv; charset=utf-8';
const DAY = 86400e3;
const day = (n) => new Date(Date.now() + 8 * 3600e3 + n * DAY).toISOString().slice(0, 10);

// ---- the columns, as the C code declares them ------------------------------

const APPLICATION_COLS = [
  ['id', 'ID', '編號', 'int'],
  ['reference', 'Reference', '檔案編號', 'text'],
  ['scheme', 'Scheme', '資助計劃', 'text'],
  ['status', 'Status', '狀態', 'text'],
  ['organisation.id', 'Organisation ID', '機構編號', 'int'],
  ['organisation.name_en', 'Organisation (English name)', '機構名稱 (英文)', 'text'],
  ['organisation.name_zh', 'Organisation (Chinese name)', '機構名稱 (中文)', 'text'],
  ['title', 'Title', '項目名稱', 'text'],
  ['total_cost_cents', 'Total cost (HK$)', '總成本 (港元)', 'cents'],
  ['requested_cents', 'Government contribution requested (HK$)', '申請政府資助額 (港元)', 'cents'],
  ['submitted_on', 'Submitted on', '提交日期', 'date'],
  ['updated_at', 'Last updated (UTC)', '最後更新 (協調世界時)', 'text'],
];

const PROJECT_COLS = [
  ['id', 'Project ID', '項目編號', 'int'],
  ['reference', 'Reference', '檔案編號', 'text'],
  ['title', 'Title', '項目名稱', 'text'],
  ['scheme', 'Scheme', '資助計劃', 'text'],
  ['status', 'Status', '狀態', 'text'],
  ['organisation.id', 'Organisation ID', '機構編號', 'int'],
  ['organisation.name_en', 'Organisation (English name)', '機構名稱 (英文)', 'text'],
  ['organisation.name_zh', 'Organisation (Chinese name)', '機構名稱 (中文)', 'text'],
  ['government_cents', 'Government contribution (HK$)', '政府資助額 (港元)', 'cents'],
  ['approved_cents', 'Approved (HK$)', '批准金額 (港元)', 'cents'],
  ['paid_cents', 'Paid (HK$)', '已付款額 (港元)', 'cents'],
  ['start_date', 'Start date', '開始日期', 'date'],
  ['end_date', 'End date', '完成日期', 'date'],
  ['on_hold', 'Payments on hold', '暫停付款', 'bool'],
  ['days_overdue', 'Days a report is overdue', '報告逾期日數', 'int'],
];

const PAYMENT_COLS = [
  ['id', 'Payment ID', '付款編號', 'int'],
  ['project_id', 'Project ID', '項目編號', 'int'],
  ['reference', 'Reference', '檔案編號', 'text'],
  ['tranche.id', 'Tranche ID', '分期編號', 'int'],
  ['tranche.seq', 'Tranche', '期數', 'int'],
  ['tranche.kind', 'Tranche kind', '分期類別', 'text'],
  ['tranche.milestone_seq', 'Milestone', '里程碑', 'int'],
  ['tranche.amount_cents', 'Tranche amount (HK$)', '分期金額 (港元)', 'cents'],
  ['amount_cents', 'Amount (HK$)', '付款金額 (港元)', 'cents'],
  ['status', 'Status', '狀態', 'text'],
  ['note', 'Note', '備註', 'text'],
  ['prepared_at', 'Prepared at (UTC)', '擬備時間 (協調世界時)', 'text'],
  ['approved_at', 'Approved at (UTC)', '批核時間 (協調世界時)', 'text'],
  ['approval_note', 'Approval note', '批核備註', 'text'],
  ['ledger_entry_id', 'Ledger entry', '分類賬記項', 'int'],
  ['cancelled_at', 'Cancelled at (UTC)', '取消時間 (協調世界時)', 'text'],
  ['cancel_reason', 'Reason cancelled', '取消原因', 'text'],
];
const PAYMENT_STAFF_COLS = [
  ['idempotency_key', 'Idempotency key', '冪等鍵', 'text'],
  ['prepared_by.email', 'Prepared by', '擬備人', 'text'],
  ['approved_by.email', 'Approved by', '批核人', 'text'],
];

// The postings of an entry as the export writes them (debit positive).
function postingsText(e) {
  return e.postings.map((p) => {
    const a = Math.abs(p.amount_cents);
    return `${p.account} ${p.amount_cents < 0 ? '-' : '+'}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
  }).join('; ');
}

const LEDGER_COLS = [
  ['id', 'Entry ID', '記項編號', 'int'],
  ['kind', 'Kind', '類別', 'text'],
  ['value_date', 'Value date', '起息日', 'date'],
  ['approved_on', 'Approved on', '批准日期', 'date'],
  ['paper_ref', 'Paper reference', '文件編號', 'text'],
  ['amount_cents', 'Amount (HK$)', '金額 (港元)', 'cents'],
  ['project_id', 'Project ID', '項目編號', 'int'],
  ['from', 'From account', '轉出賬戶', 'text'],
  ['to', 'To account', '轉入賬戶', 'text'],
  ['whole_balance', 'Whole balance', '全數結餘', 'bool'],
  ['reverses_id', 'Reverses entry', '沖銷記項', 'int'],
  ['reversed_by', 'Reversed by entry', '被沖銷記項', 'int'],
  ['narrative', 'Narrative', '說明', 'text'],
  ['actor', 'Entered by', '記錄人', 'text'],
  ['actor_id', 'Entered by (user ID)', '記錄人 (用戶編號)', 'int'],
  ['created_at', 'Entered at (UTC)', '記錄時間 (協調世界時)', 'text'],
  [postingsText, 'Postings (debit +, credit -)', '過賬 (借 +，貸 -)', 'text'],
];

// ---- reading the files back ---------------------------------------------------

// RFC 4180: fields separated by commas, records by CRLF, quoted fields with
// "" for a quote; line breaks inside quotes belong to the field.
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') {
      assert.equal(field, '', `a quote inside an unquoted field at ${i}`);
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r') {
      assert.equal(text[i + 1], '\n', `a bare CR at ${i}`);
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else {
      assert.notEqual(c, '\n', `a bare LF at ${i}`);
      field += c;
    }
  }
  assert.equal(quoted, false, 'an unterminated quoted field');
  assert.equal(field + row.join(''), '', 'the last record must end with CRLF');
  return rows;
}

function get(obj, key) {
  if (typeof key === 'function') return key(obj);
  return key.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj);
}

const FORMULA = /^[=+\-@\t\r]/;

// What a CSV field holds for a JSON value: money as decimal HK$, dates
// YYYY-MM-DD, booleans true/false, text guarded against formulas.
function csvValue(v, type) {
  if (v === null || v === undefined) return '';
  switch (type) {
    case 'cents': {
      const a = Math.abs(v);
      return `${v < 0 ? '-' : ''}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
    }
    case 'date': return v.slice(0, 10);
    case 'bool': return v ? 'true' : 'false';
    case 'int': return String(v);
    default: return FORMULA.test(v) ? `'${v}` : v;
  }
}

// What an xlsx cell holds for a JSON value (exceljs's reading of it).
function xlsxValue(v, type) {
  if (v === null || v === undefined || v === '') return null;
  switch (type) {
    case 'cents': return v / 100;
    case 'date': return v.slice(0, 10);
    case 'bool': return v ? 'Yes 是' : 'No 否';
    default: return v;
  }
}

function xlsxCell(c) {
  const v = c.value;
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (v && typeof v === 'object' && 'richText' in v) return v.richText.map((t) => t.text).join('');
  assert.ok(v === null || typeof v !== 'object', `a formula or object in a cell: ${JSON.stringify(v)}`);
  return v === undefined ? null : v;
}

// Download path as a session; the response, the body, and the parsed file.
async function download(path, cookie) {
  const headers = cookie ? { cookie } : {};
  const res = await fetch(BASE + path, { headers });
  const buf = Buffer.from(await res.arrayBuffer());
  const out = { status: res.status, headers: res.headers, buf, text: buf.toString('utf8') };
  if (res.status !== 200) return out;
  if (res.headers.get('content-type') === XLSX) {
    out.wb = new ExcelJS.Workbook();
    await out.wb.xlsx.load(buf);
  }
  return out;
}

function checkAttachment(r, name, type) {
  assert.equal(r.status, 200, r.text.slice(0, 300));
  assert.equal(r.headers.get('content-type'), type);
  assert.equal(r.headers.get('content-disposition'), `attachment; filename="${name}"`);
  assert.equal(r.headers.get('cache-control'), 'no-store');
}

// The CSV's data rows, checked against the columns' headings.
async function csvRows(path, cookie, name, cols) {
  const r = await download(path, cookie);
  checkAttachment(r, name, CSV);
  assert.deepEqual([...r.buf.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a UTF-8 byte-order mark');
  const rows = parseCsv(r.buf.subarray(3).toString('utf8'));
  assert.deepEqual(rows[0], cols.map((c) => `${c[1]} ${c[2]}`), 'one bilingual heading row');
  for (const row of rows) assert.equal(row.length, cols.length);
  return { rows: rows.slice(1), text: r.buf.subarray(3).toString('utf8') };
}

// The workbook's data rows under its two-row bilingual heading.
async function xlsxRows(path, cookie, name, cols, title) {
  const r = await download(path, cookie);
  checkAttachment(r, name, XLSX);
  const ws = r.wb.worksheets[0];
  assert.equal(xlsxCell(ws.getRow(1).getCell(1)), `${title[0]} ${title[1]}`);
  let h = 0;
  for (let i = 1; i <= ws.rowCount && !h; i++)
    if (xlsxCell(ws.getRow(i).getCell(1)) === cols[0][1]) h = i;
  assert.ok(h > 0, 'no heading row');
  const en = [];
  const zh = [];
  for (let c = 1; c <= cols.length; c++) {
    en.push(xlsxCell(ws.getRow(h).getCell(c)));
    zh.push(xlsxCell(ws.getRow(h + 1).getCell(c)));
  }
  assert.deepEqual(en, cols.map((c) => c[1]));
  assert.deepEqual(zh, cols.map((c) => c[2]));
  assert.equal(ws.views[0].state, 'frozen');
  assert.equal(ws.views[0].ySplit, h + 1, 'panes frozen under the heading');
  const rows = [];
  for (let i = h + 2; i <= ws.rowCount; i++) {
    const row = ws.getRow(i);
    const vals = [];
    for (let c = 1; c <= cols.length; c++) vals.push(xlsxCell(row.getCell(c)));
    if (vals.every((v) => v === null)) continue;
    rows.push({ vals, row });
  }
  return { rows, ws, headerRow: h };
}

// Every JSON row of a keyset-paged list (cursor) or an offset-paged one.
async function allRows(path, cookie, key) {
  const out = [];
  let url = path;
  for (let n = 0; n < 1000; n++) {
    const r = expectStatus(await api('GET', url, { cookie }), 200, url).json;
    out.push(...r[key]);
    const sep = path.includes('?') ? '&' : '?';
    if (r.next_cursor) url = `${path}${sep}cursor=${r.next_cursor}`;
    else if (r.next_offset) url = `${path}${sep}offset=${r.next_offset}`;
    else return out;
  }
  throw new Error('too many pages');
}

// The download (both formats) holds exactly the JSON list's rows, in order.
async function sameRows(listPath, key, exportPath, cookie, cols, name, title) {
  const json = await allRows(listPath, cookie, key);
  const sep = exportPath.includes('?') ? '&' : '?';
  const csv = await csvRows(`${exportPath}${sep}format=csv`, cookie, `${name}.csv`, cols);
  assert.equal(csv.rows.length, json.length, `${name}.csv: as many rows as the list`);
  json.forEach((j, i) => assert.deepEqual(csv.rows[i],
    cols.map(([k, , , t]) => csvValue(get(j, k), t)), `${name}.csv row ${i + 1}`));
  const x = await xlsxRows(`${exportPath}${sep}format=xlsx`, cookie, `${name}.xlsx`, cols, title);
  assert.equal(x.rows.length, json.length, `${name}.xlsx: as many rows as the list`);
  json.forEach((j, i) => {
    const want = cols.map(([k, , , t]) => xlsxValue(get(j, k), t));
    const got = x.rows[i].vals.map((v, c) => (cols[c][3] === 'cents' && typeof v === 'number'
      ? Math.round(v * 100) / 100 : v));
    assert.deepEqual(got, want, `${name}.xlsx row ${i + 1}`);
  });
  // Money cells are numbers in HK$ #,##0.00; dates real dates.
  if (x.rows.length > 0) {
    cols.forEach(([, , , t], c) => {
      const cell = x.rows[0].row.getCell(c + 1);
      if (t === 'cents' && cell.value !== null) assert.equal(cell.numFmt, '#,##0.00');
      if (t === 'date' && cell.value !== null) assert.ok(cell.value instanceof Date);
    });
  }
  return { json, csv, xlsx: x };
}

// ---- the cast and the data -----------------------------------------------------

function addOrg(type, nameEn, nameZh) {
  const r = itfctl(['org', 'add', '--name-en', nameEn, '--name-zh', nameZh, '--type', type]);
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout);
}

async function addUser(role, org, authority) {
  const email = `${uniq('exp')}@example.hk`;
  const args = ['user', 'add', '--email', email, '--role', role];
  if (org) args.push('--org', String(org));
  if (authority) args.push('--authority-cents', String(authority));
  const r = itfctl(args, PW + '\n');
  assert.equal(r.status, 0, r.stderr);
  const res = expectStatus(await api('POST', '/api/v1/session', { body: { email, password: PW } }), 200);
  const c = res.headers.getSetCookie().find((s) => s.startsWith('itf_session='));
  return { id: Number(r.stdout), email, org, cookie: c.split(';')[0] };
}

const as = (u, method, path, body, opts = {}) => api(method, path, { ...opts, body, cookie: u.cookie });

function itspBody(title) {
  return {
    scheme: 'ITSP', title,
    summary: 'Applied research, exported.',
    start_date: day(1), end_date: day(360),
    budget_lines: [
      { category: 'manpower', description: 'Researchers, two', amount_cents: 60000000 },
      { category: 'equipment', description: 'Rig', amount_cents: 40000005 },
    ],
    milestones: [
      { title: 'Design', due_date: day(90) },
      { title: 'Prototype', due_date: day(180) },
      { title: 'Trial', due_date: day(350) },
    ],
    fields: { project_title: 'Exported', project_tier: 'seed' },
  };
}

const U = {};
const D = {};
let keySeq = 0;

async function application(u, title, steps = []) {
  let r = expectStatus(await as(u, 'POST', '/api/v1/applications', itspBody(title)), 201, 'create');
  const id = r.json.id;
  if (steps.includes('submit'))
    expectStatus(await as(u, 'POST', `/api/v1/applications/${id}/submit`), 200, 'submit');
  if (steps.includes('accept'))
    expectStatus(await as(U.officer, 'POST', `/api/v1/applications/${id}/screen`,
      { decision: 'accept' }), 200, 'accept');
  if (steps.includes('approve')) {
    r = projectsFixture(['approve', String(id), '90000004']);
    assert.equal(r.status, 0, r.stderr);
  }
  if (steps.includes('sign'))
    expectStatus(await as(u, 'POST', `/api/v1/projects/${id}/sign`), 200, 'sign');
  if (steps.includes('pay')) {
    r = expectStatus(await as(u, 'POST', `/api/v1/projects/${id}/milestones/1/reports`,
      { text: 'Design report', expenditure_cents: 1000000 }), 201, 'report');
    expectStatus(await as(U.officer, 'POST', `/api/v1/progress-reports/${r.json.id}/accept`, {}),
      200, 'accept report');
    const p = expectStatus(await as(U.officer, 'GET', `/api/v1/projects/${id}`), 200).json;
    const t = p.tranches.find((x) => x.seq === 1);
    keySeq += 1;
    r = expectStatus(await as(U.officer, 'POST', '/api/v1/payments',
      { tranche_id: t.id, note: '-first tranche, "as agreed"' },
      { headers: { 'idempotency-key': `exp-${process.pid}-${keySeq}` } }), 201, 'prepare');
    if (steps.includes('approve-payment'))
      expectStatus(await as(U.finance, 'POST', `/api/v1/payments/${r.json.id}/approve`,
        { note: '=checked' }), 200, 'approve payment');
  }
  return id;
}

before(async () => {
  D.orgA = addOrg('university', `Exports University ${uniq()}`, '匯出大學');
  D.orgB = addOrg('rd_centre', `Exports R&D Centre, "B" ${uniq()}`, '匯出研發中心');
  U.appA = await addUser('applicant', D.orgA);
  U.appB = await addUser('applicant', D.orgB);
  U.officer = await addUser('officer');
  U.auditor = await addUser('auditor');
  U.finance = await addUser('finance');
  U.approver = await addUser('approver', null, 1e12);
  U.panel = await addUser('panel_member');
  // Organisation A: a draft whose title a spreadsheet would run, a
  // submitted one, a project awaiting signature, a signed one with a paid
  // tranche.  Organisation B: a submitted one and a signed project with a
  // payment waiting for approval.
  D.formula = await application(U.appA, '=HYPERLINK("http://evil.example","click")');
  D.a1 = await application(U.appA, 'Sensors, "smart" and 智能', ['submit']);
  D.a2 = await application(U.appA, `+Robots ${uniq()}`, ['submit', 'accept', 'approve']);
  D.a3 = await application(U.appA, `@Lab ${uniq()}`,
    ['submit', 'accept', 'approve', 'sign', 'pay', 'approve-payment']);
  D.b1 = await application(U.appB, `-Minus B ${uniq()}`, ['submit']);
  D.b2 = await application(U.appB, `B project ${uniq()}`, ['submit', 'accept', 'approve', 'sign', 'pay']);
  D.aIds = [D.formula, D.a1, D.a2, D.a3];
  D.bIds = [D.b1, D.b2];
});

// ---- applications ----------------------------------------------------------------

const APPS_TITLE = ['Applications', '申請'];

test('applications: staff download every row of the list, both formats, in order', async () => {
  const r = await sameRows('/api/v1/applications?limit=100', 'applications', '/api/v1/applications',
    U.officer.cookie, APPLICATION_COLS, 'applications', APPS_TITLE);
  for (const id of [...D.aIds, ...D.bIds]) assert.ok(r.json.some((a) => a.id === id), `${id} listed`);
  // The filters are the list's; the title block names them.
  const q = `organisation=${D.orgA}&status=submitted,draft&scheme=itsp`;
  const f = await sameRows(`/api/v1/applications?${q}&limit=1`, 'applications',
    `/api/v1/applications?${q}&limit=1&cursor=1`, U.auditor.cookie, APPLICATION_COLS, 'applications',
    APPS_TITLE);
  assert.deepEqual(f.json.map((a) => a.id), [D.a1, D.formula]);
  const block = [3, 4, 5].map((i) => String(f.xlsx.ws.getRow(i).getCell(1).value));
  assert.ok(block.some((l) => l.startsWith('Filters 篩選條件: ') && l.includes(`organisation=${D.orgA}`)
    && l.includes('status=submitted,draft') && l.includes('scheme=itsp')), block.join('|'));
});

test('applications: an applicant downloads its own organisation\'s rows only', async () => {
  const r = await sameRows('/api/v1/applications', 'applications', '/api/v1/applications',
    U.appA.cookie, APPLICATION_COLS, 'applications', APPS_TITLE);
  assert.deepEqual(r.json.map((a) => a.id).sort(), [...D.aIds].sort());
  assert.ok(r.json.every((a) => a.organisation.id === D.orgA));
  for (const id of D.bIds) {
    assert.ok(!r.csv.rows.some((row) => row[0] === String(id)));
    assert.ok(!r.xlsx.rows.some((row) => row.vals[0] === id));
  }
  assert.ok(!r.csv.text.includes('Minus B'));
  // Asking for the other organisation gives the heading and nothing else.
  const other = await csvRows(`/api/v1/applications?organisation=${D.orgB}&format=csv`,
    U.appA.cookie, 'applications.csv', APPLICATION_COLS);
  assert.deepEqual(other.rows, []);
  const b = await sameRows('/api/v1/applications', 'applications', '/api/v1/applications',
    U.appB.cookie, APPLICATION_COLS, 'applications', APPS_TITLE);
  assert.deepEqual(b.json.map((a) => a.id).sort(), [...D.bIds].sort());
});

test('applications: an approver downloads what waits for a decision or is decided', async () => {
  const r = await sameRows('/api/v1/applications?limit=100', 'applications', '/api/v1/applications',
    U.approver.cookie, APPLICATION_COLS, 'applications', APPS_TITLE);
  assert.ok(r.json.every((a) => ['recommended', 'not_recommended', 'approved', 'agreement_signed',
    'rejected'].includes(a.status)));
  assert.ok(r.json.some((a) => a.id === D.a2), 'approved');
  assert.ok(r.json.some((a) => a.id === D.a3 && a.status === 'agreement_signed'));
  assert.ok(!r.json.some((a) => a.id === D.a1 || a.id === D.formula), 'nothing earlier');
});

test('CSV: formula injection guarded, quoting, UTF-8, money in decimal HK$', async () => {
  const { rows, text } = await csvRows(`/api/v1/applications?organisation=${D.orgA}&format=csv`,
    U.officer.cookie, 'applications.csv', APPLICATION_COLS);
  const byId = Object.fromEntries(rows.map((r) => [r[0], r]));
  assert.equal(byId[D.formula][7], '\'=HYPERLINK("http://evil.example","click")');
  assert.ok(text.includes('"\'=HYPERLINK(""http://evil.example"",""click"")"'), 'quoted, quotes doubled');
  assert.match(byId[D.a2][7], /^'\+Robots /);
  assert.match(byId[D.a3][7], /^'@Lab /);
  assert.equal(byId[D.a1][7], 'Sensors, "smart" and 智能');
  assert.equal(byId[D.a1][6], '匯出大學');
  assert.match(byId[D.a1][5], /^Exports University /);
  // HK$1,000,000.05 total cost; the request is 90% of it, rounded down.
  assert.equal(byId[D.a1][8], '1000000.05');
  assert.equal(byId[D.a1][9], '900000.04');
  assert.equal(byId[D.formula][9], '', 'no request before submission');
  assert.match(byId[D.a1][10], /^\d{4}-\d\d-\d\d$/);
  // Organisation B's name (comma and quotes) is quoted in its own download.
  const b = await download(`/api/v1/applications?organisation=${D.orgB}&format=csv`, U.officer.cookie);
  assert.match(b.text, /,"Exports R&D Centre, ""B"" [^"]+",/);
  // Without the byte-order mark on request.
  const nobom = await download('/api/v1/applications?format=csv&bom=0', U.appA.cookie);
  assert.equal(nobom.buf[0], 'I'.charCodeAt(0));
  assert.ok(nobom.text.startsWith('ID 編號,Reference 檔案編號,'));
});

test('xlsx: text is never a formula; numbers and dates are typed', async () => {
  const x = await xlsxRows(`/api/v1/applications?organisation=${D.orgA}&format=xlsx`,
    U.officer.cookie, 'applications.xlsx', APPLICATION_COLS, APPS_TITLE);
  const f = x.rows.find((r) => r.vals[0] === D.formula);
  const cell = f.row.getCell(8);
  assert.equal(typeof cell.value, 'string');
  assert.equal(cell.value, '=HYPERLINK("http://evil.example","click")');
  assert.equal(cell.formula, undefined);
  const a1 = x.rows.find((r) => r.vals[0] === D.a1);
  assert.equal(a1.row.getCell(9).value, 1000000.05);
  assert.equal(a1.row.getCell(9).numFmt, '#,##0.00');
  assert.ok(a1.row.getCell(11).value instanceof Date);
  assert.equal(typeof a1.row.getCell(1).value, 'number');
  assert.ok(x.ws.autoFilter, 'an autofilter over the table');
});

// ---- projects ------------------------------------------------------------------------

const PROJECTS_TITLE = ['Projects', '項目'];

test('projects: staff and applicant downloads equal their lists', async () => {
  const all = await sameRows('/api/v1/projects?limit=100', 'projects', '/api/v1/projects',
    U.auditor.cookie, PROJECT_COLS, 'projects', PROJECTS_TITLE);
  for (const id of [D.a2, D.a3, D.b2]) assert.ok(all.json.some((p) => p.id === id));
  const a3 = all.csv.rows.find((r) => r[0] === String(D.a3));
  assert.equal(a3[4], 'active');
  assert.equal(a3[9], '900000.04');
  assert.equal(a3[10], '299970.01', 'the first tranche, 33.33% of HK$900,000.04, paid');
  assert.equal(a3[13], 'false');
  const mine = await sameRows('/api/v1/projects', 'projects', '/api/v1/projects', U.appA.cookie,
    PROJECT_COLS, 'projects', PROJECTS_TITLE);
  assert.deepEqual(mine.json.map((p) => p.id).sort(), [D.a2, D.a3].sort());
  assert.ok(!mine.csv.rows.some((r) => r[0] === String(D.b2)));
  assert.ok(!mine.xlsx.rows.some((r) => r.vals[0] === D.b2));
  const active = await sameRows(`/api/v1/projects?status=active&organisation=${D.orgA}`, 'projects',
    `/api/v1/projects?status=active&organisation=${D.orgA}`, U.officer.cookie, PROJECT_COLS,
    'projects', PROJECTS_TITLE);
  assert.deepEqual(active.json.map((p) => p.id), [D.a3]);
  expectError(await api('GET', '/api/v1/projects?format=csv', { cookie: U.panel.cookie }), 403,
    'forbidden');
});

// ---- payments ------------------------------------------------------------------------

const PAYMENTS_TITLE = ['Payments', '付款'];

test('payments: staff see who handled them; applicants their own, without', async () => {
  const staffCols = [...PAYMENT_COLS, ...PAYMENT_STAFF_COLS];
  const all = await sameRows('/api/v1/payments?limit=100', 'payments', '/api/v1/payments',
    U.finance.cookie, staffCols, 'payments', PAYMENTS_TITLE);
  const paidA = all.json.find((p) => p.project_id === D.a3);
  const waitB = all.json.find((p) => p.project_id === D.b2);
  assert.equal(paidA.status, 'approved');
  assert.equal(waitB.status, 'prepared');
  const rowA = all.csv.rows.find((r) => r[0] === String(paidA.id));
  assert.equal(rowA[10], '\'-first tranche, "as agreed"');
  assert.equal(rowA[13], '\'=checked');
  assert.equal(rowA[18], U.officer.email);
  assert.equal(rowA[19], U.finance.email);
  const mine = await sameRows('/api/v1/payments', 'payments', '/api/v1/payments', U.appA.cookie,
    PAYMENT_COLS, 'payments', PAYMENTS_TITLE);
  assert.deepEqual(mine.json.map((p) => p.id), [paidA.id]);
  assert.ok(!mine.csv.text.includes(U.officer.email), 'not who prepared it');
  assert.ok(!mine.csv.rows.some((r) => r[0] === String(waitB.id)));
  const theirs = await sameRows(`/api/v1/payments?project=${D.b2}`, 'payments',
    `/api/v1/payments?project=${D.b2}`, U.appA.cookie, PAYMENT_COLS, 'payments', PAYMENTS_TITLE);
  assert.deepEqual(theirs.json, []);
  const prepared = await sameRows('/api/v1/payments?status=prepared', 'payments',
    '/api/v1/payments?status=prepared', U.officer.cookie, staffCols, 'payments', PAYMENTS_TITLE);
  assert.ok(prepared.json.every((p) => p.status === 'prepared'));
});

// ---- ledger entries ------------------------------------------------------------------

const LEDGER_TITLE = ['Ledger entries', '分類賬記項'];

test('ledger entries: every entry the filters match, in the list\'s order', async () => {
  const all = await sameRows('/api/v1/ledger/entries?limit=200', 'entries', '/api/v1/ledger/entries',
    U.finance.cookie, LEDGER_COLS, 'ledger-entries', LEDGER_TITLE);
  assert.ok(all.json.length >= 5);
  const commit = all.json.find((e) => e.kind === 'commitment' && e.project_id === D.a3);
  const row = all.csv.rows.find((r) => r[0] === String(commit.id));
  assert.equal(row[5], '900000.04');
  assert.match(row[16], /\.COMMITTED [+-]900000\.04/);
  const q = `kind=payment&project_id=${D.a3}&order=asc`;
  const pay = await sameRows(`/api/v1/ledger/entries?${q}`, 'entries', `/api/v1/ledger/entries?${q}`,
    U.auditor.cookie, LEDGER_COLS, 'ledger-entries', LEDGER_TITLE);
  assert.equal(pay.json.length, 1);
  const asc = await sameRows('/api/v1/ledger/entries?order=asc&limit=200', 'entries',
    '/api/v1/ledger/entries?order=asc&offset=3', U.approver.cookie, LEDGER_COLS, 'ledger-entries',
    LEDGER_TITLE);
  assert.ok(asc.json[0].id < asc.json.at(-1).id);
  expectError(await api('GET', '/api/v1/ledger/entries?format=csv&account=NOPE',
    { cookie: U.finance.cookie }), 422, 'invalid', 'account');
  for (const u of [U.appA, U.officer, U.panel])
    expectError(await api('GET', '/api/v1/ledger/entries?format=xlsx', { cookie: u.cookie }), 403,
      'forbidden');
});

// ---- refusals ------------------------------------------------------------------------

test('refusals: format, bom, sessions and roles, before any file is made', async () => {
  for (const path of ['/api/v1/applications', '/api/v1/projects', '/api/v1/payments',
    '/api/v1/ledger/entries']) {
    const c = path.includes('ledger') ? U.finance.cookie : U.officer.cookie;
    expectError(await api('GET', `${path}?format=pdf`, { cookie: c }), 400, 'bad_request', 'format');
    expectError(await api('GET', `${path}?format=`, { cookie: c }), 400, 'bad_request', 'format');
    expectError(await api('GET', `${path}?format=csv&bom=2`, { cookie: c }), 400, 'bad_request', 'bom');
    expectError(await api('GET', `${path}?bom=1`, { cookie: c }), 400, 'bad_request', 'format');
    expectError(await api('GET', `${path}?format=csv&colour=red`, { cookie: c }), 400, 'bad_request',
      'colour');
    expectError(await api('GET', `${path}?format=csv`), 401, 'unauthenticated');
  }
  expectError(await api('GET', '/api/v1/applications?format=csv&status=nope',
    { cookie: U.officer.cookie }), 400, 'bad_request', 'status');
  expectError(await api('GET', '/api/v1/applications?format=xlsx', { cookie: U.finance.cookie }), 403,
    'forbidden');
  expectError(await api('GET', '/api/v1/applications?format=xlsx', { cookie: U.panel.cookie }), 403,
    'forbidden');
  expectError(await api('GET', '/api/v1/payments?format=csv', { cookie: U.panel.cookie }), 403,
    'forbidden');
  // JSON stays the default.
  const r = expectStatus(await api('GET', '/api/v1/applications', { cookie: U.appA.cookie }), 200);
  assert.match(r.headers.get('content-type'), /application\/json/);
});
