// Claims of the claim-pattern schemes (issue 5 leftovers): RTH and STEM
// monthly allowance claims, TSSSU annual reimbursement with its advance,
// ITVF co-investment deals; each from submission through an officer's
// verification and the maker-checker payment to a ledger posting; every
// refusal writing nothing; the same idempotency key twice making one
// payment; and the settlement of a terminated project (eligible cost to
// termination -> refund due -> refund posted -> closed), the ledger read
// back to the cent.
//
// Projects are approved by the tests/db fixture (build/dbtests/
// test_projects approve ID CENTS), as in payments.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, expectStatus, expectError, itfctl, psql, psqlTry, uniq, projectsFixture,
} from './lib.mjs';

const PW = 'correct horse battery staple';

// Dates relative to today in Hong Kong, so the file passes on any day:
// ym(-2) is the month before last, firstOf / lastOf its first and last day;
// FY is the start year of the current financial year.
const NOW = new Date(Date.now() + 8 * 3600e3);
const CY = NOW.getUTCFullYear();
const CM = NOW.getUTCMonth();
const ym = (off) => new Date(Date.UTC(CY, CM + off, 1)).toISOString().slice(0, 7);
const firstOf = (off) => `${ym(off)}-01`;
const lastOf = (off) => new Date(Date.UTC(CY, CM + off + 1, 0)).toISOString().slice(0, 10);
const FY = CM >= 3 ? CY : CY - 1;
const fy = (y) => `${y}-${String((y + 1) % 100).padStart(2, '0')}`;

function addOrg(type) {
  const r = itfctl(['org', 'add', '--name-en', `Claims Org ${uniq()}`, '--name-zh', '申領測試機構',
    '--type', type]);
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout);
}

async function login(email) {
  const res = expectStatus(await api('POST', '/api/v1/session', { body: { email, password: PW } }),
    200, `login ${email}`);
  const c = res.headers.getSetCookie().find((s) => s.startsWith('itf_session='));
  return c.split(';')[0];
}

async function addUser(roles, org, authority) {
  const email = `${uniq('claim')}@example.hk`;
  const args = ['user', 'add', '--email', email];
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

const fixture = projectsFixture;

function verifyLedger(what) {
  const r = fixture(['verify']);
  assert.equal(r.status, 0, `ledger verify after ${what}: ${r.stdout} ${r.stderr}`);
}

const orgRth = addOrg('rd_centre');
const orgStem = addOrg('university');
const orgTsssu = addOrg('university');
const orgItvf = addOrg('other');
const orgOther = addOrg('rd_centre');
const appRth = await addUser('applicant', orgRth);
const appStem = await addUser('applicant', orgStem);
const appTsssu = await addUser('applicant', orgTsssu);
const appItvf = await addUser('applicant', orgItvf);
const appOther = await addUser('applicant', orgOther);
const officer = await addUser('officer');
const officer2 = await addUser('officer');
const approver = await addUser('approver', null, 5000000000);
const finance = await addUser('finance');
const auditor = await addUser('auditor');
// An officer who is also an approver: verifies a claim, then tries to
// approve its payment; and prepares one, then tries to approve it.
const officerApprover = await addUser(['officer', 'approver'], null, 5000000000);

let keySeq = 0;
const newKey = () => `claim-${process.pid}-${Date.now()}-${++keySeq}`;

// Rows that a refusal must not add to.
function counts() {
  return psql(`SELECT (SELECT count(*) FROM claims) || ',' || (SELECT count(*) FROM claim_items)
    || ',' || (SELECT count(*) FROM payments) || ',' || (SELECT count(*) FROM audit_log)
    || ',' || (SELECT count(*) FROM ledger_entries)`);
}

async function refused(res, status, code, field, before) {
  expectError(res, status, code, field);
  assert.equal(counts(), before, `a refusal (${status} ${field}) wrote something`);
  return res;
}

async function position(what) {
  const r = expectStatus(await as(finance, 'GET', '/api/v1/ledger/position'), 200, 'position');
  const net = r.json.accounts.reduce((s, a) => s + BigInt(a.net_debit_cents), 0n);
  assert.equal(net, 0n, `the ledger does not balance after ${what}`);
  verifyLedger(what);
  return r.json.totals;
}

// Create, submit, screen and approve an application; sign the agreement.
async function project(user, body, amount, before) {
  let r = expectStatus(await as(user, 'POST', '/api/v1/applications', body), 201, 'create');
  const id = r.json.id;
  r = expectStatus(await as(user, 'POST', `/api/v1/applications/${id}/submit`), 200, 'submit');
  const requested = r.json.requested_cents;
  expectStatus(await as(officer, 'POST', `/api/v1/applications/${id}/screen`,
    { decision: 'accept' }), 200, 'screen');
  const f = fixture(['approve', String(id), String(amount || requested)]);
  assert.equal(f.status, 0, f.stderr);
  if (before) await before(id);
  expectStatus(await as(user, 'POST', `/api/v1/projects/${id}/sign`), 200, 'sign');
  return { id, requested };
}

const get = async (u, id) => expectStatus(await as(u, 'GET', `/api/v1/projects/${id}`), 200).json;

async function pay(claimId, amount) {
  const body = { claim_id: claimId };
  if (amount !== undefined) body.amount_cents = amount;
  const r = expectStatus(await as(officer2, 'POST', '/api/v1/payments', body,
    { headers: { 'idempotency-key': newKey() } }), 201, 'prepare');
  const a = expectStatus(await as(approver, 'POST', `/api/v1/payments/${r.json.id}/approve`), 200,
    'approve');
  assert.equal(a.json.status, 'approved');
  assert.ok(a.json.ledger_entry_id > 0);
  return a.json;
}

// The ledger's payment entry of a payment, read back.
async function ledgerEntry(id) {
  return expectStatus(await as(finance, 'GET', `/api/v1/ledger/entries/${id}`), 200).json;
}

const R = {};	// the RTH project, test to test

test('RTH: monthly claims per talent at the rule version\'s rate; refusals write nothing', async () => {
  R.t0 = await position('start');
  const p = await project(appRth, {
    scheme: 'RTH', title: `Vision lab talents ${uniq()}`, summary: 'Two research talents.',
    start_date: firstOf(-10), end_date: lastOf(20),
    fields: { talents: [
      { name: 'Dr Chan', qualification: 'doctorate', months: 2 },
      { name: 'Ms Lee', qualification: 'master', months: 12 },
    ] },
  }, 10000000);
  R.id = p.id;
  assert.equal(p.requested, 3200000 * 2 + 2100000 * 12);
  let pr = await get(officer, R.id);
  assert.equal(pr.payment.pattern, 'monthly_claims');
  assert.equal(pr.payment.pays_by, 'claims');
  assert.deepEqual(pr.claims, []);
  const path = `/api/v1/projects/${R.id}/claims`;

  // February for both: HK$32,000 (doctorate) + HK$21,000 (master).
  let r = expectStatus(await as(appRth, 'POST', path,
    { month: ym(-9), talents: [1, 2], note: 'First month of allowances' }), 201, 'claim');
  R.a = r.json.id;
  assert.equal(r.json.kind, 'monthly');
  assert.equal(r.json.status, 'submitted');
  assert.equal(r.json.period, ym(-9));
  assert.equal(r.json.rule_version, 'RTH-2020');
  assert.equal(r.json.amount_cents, 5300000);
  assert.equal(r.json.payable_cents, 5300000);
  assert.deepEqual(r.json.items.map((i) => [i.talent_no, i.name, i.qualification, i.rate_cents]),
    [[1, 'Dr Chan', 'doctorate', 3200000], [2, 'Ms Lee', 'master', 2100000]]);
  assert.equal(r.json.submitted_by, undefined, 'applicants do not see who handled it');

  let before = counts();
  // The same talent-month twice.
  await refused(await as(appRth, 'POST', path, { month: ym(-9), talents: [2] }), 409,
    'conflict', 'talents[0]', before);
  // March for Dr Chan: fine.
  r = expectStatus(await as(appRth, 'POST', path, { month: ym(-8), talents: [1] }), 201);
  R.b = r.json.id;
  assert.equal(r.json.amount_cents, 3200000);
  before = counts();
  // Dr Chan has 2 months: a third is refused.
  await refused(await as(appRth, 'POST', path, { month: ym(-7), talents: [1] }), 409,
    'conflict', 'max_months', before);
  // HK$100,000 approved, HK$85,000 claimed: HK$21,000 more is HK$6,000 too many.
  r = await refused(await as(appRth, 'POST', path, { month: ym(-7), talents: [2] }), 409,
    'conflict', 'amount_cents', before);
  assert.match(r.json.error.message, /HK\$15,000\.00\) by HK\$6,000\.00/);
  // Months outside the period or not yet begun; malformed and unknown fields.
  await refused(await as(appRth, 'POST', path, { month: ym(-11), talents: [2] }), 422,
    'invalid', 'month', before);
  await refused(await as(appRth, 'POST', path, { month: ym(1), talents: [2] }), 422,
    'invalid', 'month', before);
  await refused(await as(appRth, 'POST', path, { month: `${CY}-13`, talents: [2] }), 422,
    'invalid', 'month', before);
  await refused(await as(appRth, 'POST', path, { month: ym(-6), talents: [3] }), 422,
    'invalid', 'talents[0]', before);
  await refused(await as(appRth, 'POST', path, { month: ym(-6), talents: [2, 2] }), 422,
    'invalid', 'talents[1]', before);
  await refused(await as(appRth, 'POST', path, { month: ym(-6), talents: ['2'] }), 400,
    'bad_request', 'talents[0]', before);
  await refused(await as(appRth, 'POST', path, { month: ym(-6), talents: [2],
    amount_cents: 1 }), 400, 'bad_request', 'amount_cents', before);
  // Another organisation's project: 404; roles that do not claim: 403.
  await refused(await as(appOther, 'POST', path, { month: ym(-6), talents: [2] }), 404,
    'not_found', undefined, before);
  expectError(await as(appOther, 'GET', path), 404, 'not_found');
  expectError(await as(appOther, 'GET', `/api/v1/claims/${R.a}`), 404, 'not_found');
  await refused(await as(officer, 'POST', path, { month: ym(-6), talents: [2] }), 403,
    'forbidden', undefined, before);
  await refused(await as(auditor, 'POST', path, { month: ym(-6), talents: [2] }), 403,
    'forbidden', undefined, before);
  // A milestone-pattern project takes no claims.
  expectStatus(await as(appRth, 'GET', path), 200);
  const list = expectStatus(await as(officer, 'GET', `/api/v1/claims?project=${R.id}`), 200).json;
  assert.deepEqual(list.claims.map((c) => c.id), [R.b, R.a]);
  assert.equal(psql(`SELECT count(*) FROM audit_log WHERE action = 'claim.submit'
    AND record_type = 'claim' AND record_id IN ('${R.a}', '${R.b}')`), '2');
});

test('RTH: verification: officers only, never one\'s own claim; returned, corrected as a new version', async () => {
  let before = counts();
  // Not paid before it is accepted.
  await refused(await as(officer2, 'POST', '/api/v1/payments', { claim_id: R.a },
    { headers: { 'idempotency-key': newKey() } }), 409, 'invalid_state', 'claim_id', before);
  await refused(await as(appRth, 'POST', `/api/v1/claims/${R.a}/accept`), 403, 'forbidden',
    undefined, before);
  await refused(await as(auditor, 'POST', `/api/v1/claims/${R.a}/accept`), 403, 'forbidden',
    undefined, before);
  await refused(await as(approver, 'POST', `/api/v1/claims/${R.a}/accept`), 403, 'forbidden',
    undefined, before);
  await refused(await as(officer, 'POST', `/api/v1/claims/${R.a}/return`, {}), 422, 'invalid',
    'reason', before);
  await refused(await as(officer, 'POST', `/api/v1/claims/${R.a}/accept`, { reason: 'x' }), 400,
    'bad_request', 'reason', before);
  // Self-verification: a user holding both roles (only possible by hand in
  // the database) may not verify the claim it submitted.
  psql(`INSERT INTO user_roles (user_id, role) VALUES (${appRth.id}, 'officer')`);
  try {
    await refused(await as(appRth, 'POST', `/api/v1/claims/${R.b}/accept`), 403, 'forbidden',
      'reviewed_by', before);
  } finally {
    psql(`DELETE FROM user_roles WHERE user_id = ${appRth.id} AND role = 'officer'`);
  }
  // Accepted by an officer who is also an approver (for the next test).
  let r = expectStatus(await as(officerApprover, 'POST', `/api/v1/claims/${R.a}/accept`,
    { note: 'Payroll records checked' }), 200);
  assert.equal(r.json.status, 'accepted');
  assert.equal(r.json.reviewed_by, officerApprover.id);
  before = counts();
  await refused(await as(officer, 'POST', `/api/v1/claims/${R.a}/accept`), 409, 'invalid_state',
    'status', before);
  // Claim b is returned: it stays, and March is free for Dr Chan again.
  r = expectStatus(await as(officer, 'POST', `/api/v1/claims/${R.b}/return`,
    { reason: 'Timesheet for March missing' }), 200);
  assert.equal(r.json.status, 'returned');
  assert.equal(r.json.review_note, 'Timesheet for March missing');
  assert.ok(r.json.items.every((i) => !i.live));
  const n = psql(`SELECT count(*) FROM notifications WHERE kind = 'claim.returned'
    AND record_id = ${R.b} AND message_zh LIKE '%退回%'`);
  assert.equal(n, '1');
  before = counts();
  await refused(await as(officer, 'POST', `/api/v1/claims/${R.b}/accept`), 409, 'invalid_state',
    'status', before);
  await refused(await as(appOther, 'POST', `/api/v1/claims/${R.b}/resubmit`,
    { month: ym(-8), talents: [1] }), 404, 'not_found', undefined, before);
  await refused(await as(appRth, 'POST', `/api/v1/claims/${R.a}/resubmit`,
    { month: ym(-8), talents: [1] }), 409, 'invalid_state', 'status', before);
  r = expectStatus(await as(appRth, 'POST', `/api/v1/claims/${R.b}/resubmit`,
    { month: ym(-8), talents: [1], note: 'Timesheet attached' }), 201);
  R.b2 = r.json.id;
  assert.equal(r.json.version, 2);
  assert.equal(r.json.previous_id, R.b);
  assert.equal(r.json.status, 'submitted');
  before = counts();
  await refused(await as(appRth, 'POST', `/api/v1/claims/${R.b}/resubmit`,
    { month: ym(-8), talents: [1] }), 409, 'invalid_state', 'status', before);
  // The returned version still reads as it was, and points at its correction.
  const old = expectStatus(await as(appRth, 'GET', `/api/v1/claims/${R.b}`), 200).json;
  assert.equal(old.status, 'returned');
  assert.equal(old.corrected_by, R.b2);
  assert.equal(psql(`SELECT count(*) FROM claims WHERE project_id = ${R.id}`), '3');
});

test('RTH: an accepted claim paid through maker-checker, posted to the ledger; one payment per key', async () => {
  const t0 = await position('before RTH payment');
  const key = newKey();
  const body = { claim_id: R.a, note: 'First month of allowances' };
  let before = counts();
  // Above the payable amount; both a tranche and a claim; wrong role.
  await refused(await as(officer2, 'POST', '/api/v1/payments', { ...body, amount_cents: 5300001 },
    { headers: { 'idempotency-key': newKey() } }), 422, 'invalid', 'amount_cents', before);
  await refused(await as(officer2, 'POST', '/api/v1/payments', { ...body, tranche_id: 1 },
    { headers: { 'idempotency-key': newKey() } }), 400, 'bad_request', 'claim_id', before);
  await refused(await as(appRth, 'POST', '/api/v1/payments', body,
    { headers: { 'idempotency-key': newKey() } }), 403, 'forbidden', undefined, before);
  // Prepared once; the same key and body again is the same payment.
  const r1 = expectStatus(await as(officer2, 'POST', '/api/v1/payments', body,
    { headers: { 'idempotency-key': key } }), 201, 'prepare');
  assert.equal(r1.json.amount_cents, 5300000);
  assert.equal(r1.json.tranche, null);
  assert.deepEqual([r1.json.claim.id, r1.json.claim.period], [R.a, ym(-9)]);
  before = counts();
  const r2 = expectStatus(await as(officer2, 'POST', '/api/v1/payments', body,
    { headers: { 'idempotency-key': key } }), 200, 'replay');
  assert.equal(r2.json.id, r1.json.id);
  assert.equal(counts(), before);
  await refused(await as(officer2, 'POST', '/api/v1/payments', { ...body, note: 'other' },
    { headers: { 'idempotency-key': key } }), 409, 'conflict', 'idempotency_key', before);
  // A second payment of the claim under a new key.
  await refused(await as(officer, 'POST', '/api/v1/payments', body,
    { headers: { 'idempotency-key': newKey() } }), 409, 'conflict', 'claim_id', before);
  // Maker-checker: the officer who verified the claim may not approve its
  // payment, nor may a preparer approve its own; an officer is no checker.
  await refused(await as(officerApprover, 'POST', `/api/v1/payments/${r1.json.id}/approve`), 403,
    'forbidden', 'approved_by', before);
  await refused(await as(officer2, 'POST', `/api/v1/payments/${r1.json.id}/approve`), 403,
    'forbidden', undefined, before);
  const a = expectStatus(await as(approver, 'POST', `/api/v1/payments/${r1.json.id}/approve`,
    { note: 'Checked' }), 200).json;
  assert.equal(a.status, 'approved');
  const e = await ledgerEntry(a.ledger_entry_id);
  assert.equal(e.kind, 'payment');
  assert.equal(e.amount_cents, 5300000);
  assert.equal(e.project_id, R.id);
  const t1 = await position('RTH payment');
  assert.equal(BigInt(t1.payments_cents) - BigInt(t0.payments_cents), 5300000n);
  const p = await get(officer, R.id);
  assert.equal(p.paid_cents, 5300000);
  assert.equal(p.ledger.paid_cents, 5300000);
  assert.equal(p.ledger.outstanding_cents, 10000000 - 5300000);
  assert.equal(p.payments[0].claim_id, R.a);
  const c = expectStatus(await as(appRth, 'GET', `/api/v1/claims/${R.a}`), 200).json;
  assert.equal(c.paid_cents, 5300000);
  // The milestone tranches of a project paid by claims are not paid.
  const fin = p.tranches.find((t) => t.kind === 'final');
  before = counts();
  const rt = await refused(await as(officer, 'POST', '/api/v1/payments', { tranche_id: fin.id },
    { headers: { 'idempotency-key': newKey() } }), 409, 'invalid_state', 'tranche_id', before);
  assert.match(rt.json.error.message, /paid by claims/);
  // Self-approval: an officer-approver prepares the corrected claim's
  // payment and may not approve it.
  expectStatus(await as(officer, 'POST', `/api/v1/claims/${R.b2}/accept`), 200);
  const r3 = expectStatus(await as(officerApprover, 'POST', '/api/v1/payments',
    { claim_id: R.b2 }, { headers: { 'idempotency-key': newKey() } }), 201);
  before = counts();
  await refused(await as(officerApprover, 'POST', `/api/v1/payments/${r3.json.id}/approve`), 403,
    'forbidden', 'approved_by', before);
  R.pendingPayment = r3.json.id;
});

test('the database holds the same rules, whatever the C code does', async () => {
  const before = counts();
  const refuse = (sql, re) => {
    const r = psqlTry(sql, 'itf_app');
    assert.notEqual(r.status, 0, `${sql} was allowed`);
    assert.match(r.stderr, re, sql);
  };
  // Nothing is deleted; a claim is never verified by its submitter.
  refuse(`DELETE FROM claims WHERE id = ${R.b}`, /permission denied/);
  refuse(`DELETE FROM claim_items WHERE claim_id = ${R.b}`, /permission denied/);
  refuse(`UPDATE claims SET reviewed_by = submitted_by WHERE id = ${R.a}`, /claims_not_self_verified/);
  // A talent-month once; a returned claim is never paid; payable = amount - offset.
  refuse(`INSERT INTO claim_items (claim_id, project_id, talent_no, talent_name, month, rate_cents)
    SELECT claim_id, project_id, talent_no, talent_name, month, rate_cents FROM claim_items
    WHERE claim_id = ${R.a} AND talent_no = 2`, /claim_items/);
  refuse(`INSERT INTO payments (project_id, claim_id, amount_cents, idempotency_key, request_hash,
    prepared_by) VALUES (${R.id}, ${R.b}, 1, 'db-${Date.now()}', '${'0'.repeat(64)}', ${officer.id})`,
  /is not accepted/);
  refuse(`UPDATE claims SET advance_offset_cents = 1 WHERE id = ${R.a}`, /claims_payable/);
  assert.equal(counts(), before);
});

test('suspension: no claim is made and no claim payment prepared or approved', async () => {
  const path = `/api/v1/projects/${R.id}/claims`;
  expectStatus(await as(officer, 'POST', `/api/v1/projects/${R.id}/suspend`,
    { reason: 'Investigation of payroll records' }), 200);
  const before = counts();
  await refused(await as(appRth, 'POST', path, { month: ym(-6), talents: [2] }), 409,
    'invalid_state', 'status', before);
  await refused(await as(approver, 'POST', `/api/v1/payments/${R.pendingPayment}/approve`), 409,
    'invalid_state', 'status', before);
  expectStatus(await as(officer, 'POST', `/api/v1/projects/${R.id}/resume`), 200);
  // Resumed: the payment waits; cancelled here, so its claim can be paid later.
  expectStatus(await as(officer, 'POST', `/api/v1/payments/${R.pendingPayment}/cancel`,
    { reason: 'Re-prepare after the investigation' }), 200);
});

test('STEM: an intern\'s month at the flat rate, paid to a ledger posting', async () => {
  const p = await project(appStem, {
    scheme: 'STEM', title: `Summer internship ${uniq()}`, summary: 'One intern.',
    start_date: firstOf(-1), end_date: lastOf(1),
    fields: { interns: [{ name: 'Wong Ka Yan', level: 'undergraduate', programme: 'BEng',
      employer: 'Acme Robotics', months: 3 }] },
  });
  assert.equal(p.requested, 1050000 * 3);
  const path = `/api/v1/projects/${p.id}/claims`;
  const c = expectStatus(await as(appStem, 'POST', path, { month: ym(-1), talents: [1] }), 201)
    .json;
  assert.equal(c.amount_cents, 1050000);
  assert.equal(c.items[0].qualification, null);
  const before = counts();
  await refused(await as(appStem, 'POST', path, { month: ym(-1), talents: [1] }), 409,
    'conflict', 'talents[0]', before);
  await refused(await as(appRth, 'POST', path, { month: ym(0), talents: [1] }), 404,
    'not_found', undefined, before);
  expectStatus(await as(officer, 'POST', `/api/v1/claims/${c.id}/accept`), 200);
  const paid = await pay(c.id);
  const e = await ledgerEntry(paid.ledger_entry_id);
  assert.deepEqual([e.kind, e.amount_cents, e.project_id], ['payment', 1050000, p.id]);
  verifyLedger('STEM payment');
});

test('monthly claims of several months at once: each month begun, in the period, once, within the person\'s months', async () => {
  const p = await project(appRth, {
    scheme: 'RTH', title: `Materials lab talent ${uniq()}`, summary: 'One talent, four months.',
    start_date: firstOf(-4), end_date: lastOf(1),
    fields: { talents: [{ name: 'Mr Chan', qualification: 'bachelor', months: 4 }] },
  });
  const rate = 1800000;
  assert.equal(p.requested, rate * 4);
  const path = `/api/v1/projects/${p.id}/claims`;
  let before = counts();
  await refused(await as(appRth, 'POST', path, { month: ym(-4), months: 0, talents: [1] }), 422,
    'invalid', 'months', before);
  await refused(await as(appRth, 'POST', path, { month: ym(-4), months: 13, talents: [1] }), 422,
    'invalid', 'months', before);
  await refused(await as(appRth, 'POST', path, { month: ym(-4), months: '2', talents: [1] }), 400,
    'bad_request', 'months', before);
  // The last of the months must have begun, and be inside the period.
  const future = await refused(await as(appRth, 'POST', path,
    { month: ym(-1), months: 3, talents: [1] }), 422, 'invalid', 'months', before);
  assert.match(future.json.error.message, new RegExp(`${ym(1)} has not begun`));
  await refused(await as(appRth, 'POST', path, { month: ym(-5), months: 2, talents: [1] }), 422,
    'invalid', 'month', before);
  // Two months at once: two items, twice the rate.
  const c = expectStatus(await as(appRth, 'POST', path,
    { month: ym(-4), months: 2, talents: [1] }), 201).json;
  assert.equal(c.amount_cents, 2 * rate);
  assert.equal(c.period, ym(-4));
  assert.deepEqual(c.items.map((i) => [i.talent_no, i.month]), [[1, ym(-4)], [1, ym(-3)]]);
  // A range overlapping a month claimed; more months than the intern has.
  before = counts();
  await refused(await as(appRth, 'POST', path, { month: ym(-3), months: 2, talents: [1] }), 409,
    'conflict', 'talents[0]', before);
  await refused(await as(appRth, 'POST', path, { month: ym(-2), months: 3, talents: [1] }), 409,
    'conflict', 'max_months', before);
  const c2 = expectStatus(await as(appRth, 'POST', path,
    { month: ym(-2), months: 2, talents: [1] }), 201).json;
  assert.equal(c2.amount_cents, 2 * rate);
  // Returned, its months are free again; accepted and paid in full.
  expectStatus(await as(officer, 'POST', `/api/v1/claims/${c.id}/accept`), 200);
  const paid = await pay(c.id);
  assert.equal(paid.amount_cents, 2 * rate);
  assert.equal(psql(`SELECT count(*) FROM claim_items WHERE claim_id = ${c2.id} AND live`), '2');
});

test('TSSSU: the advance, then annual reimbursement net of it, per-start-up cap, one claim a year', async () => {
  const p = await project(appTsssu, {
    scheme: 'TSSSU', title: `Start-up support ${uniq()}`, summary: 'A university start-up.',
    start_date: `${FY - 2}-04-01`, end_date: `${FY + 1}-03-31`,
    budget_lines: [{ category: 'manpower', description: 'Founders', amount_cents: 150000000 }],
    fields: { university: 'HKU', startup_name: `Spin-off ${uniq()}`,
      startup_registered_on: `${FY - 2}-01-15` },
  }, undefined, async (id) => {
    // Up to 50% advanced (schemes/tsssu.json payment.initial_bp), agreed
    // before signing.
    expectStatus(await as(officer, 'PUT', `/api/v1/projects/${id}/milestones`, {
      initial_bp: 5000,
      milestones: [{ title: 'Annual reports', due_date: `${FY + 1}-03-31`, tranche_bp: 5000 }],
    }), 200, 'schedule');
  });
  assert.equal(p.requested, 150000000);
  let pr = await get(officer, p.id);
  assert.equal(pr.payment.pattern, 'annual_reimbursement');
  const adv = pr.tranches.find((t) => t.kind === 'initial');
  assert.equal(adv.amount_cents, 75000000);
  assert.equal(adv.state, 'unlocked');
  // The advance is paid as the initial tranche.
  const r = expectStatus(await as(officer2, 'POST', '/api/v1/payments', { tranche_id: adv.id },
    { headers: { 'idempotency-key': newKey() } }), 201);
  expectStatus(await as(approver, 'POST', `/api/v1/payments/${r.json.id}/approve`), 200);
  const path = `/api/v1/projects/${p.id}/claims`;
  // 2024-25: HK$1.2M spent; HK$750,000 of it was advanced.
  let c = expectStatus(await as(appTsssu, 'POST', path,
    { fy: fy(FY - 2), expenditure_cents: 120000000 }), 201).json;
  assert.deepEqual([c.kind, c.period, c.expenditure_cents, c.amount_cents, c.advance_offset_cents,
    c.payable_cents, c.capped_by], ['annual', fy(FY - 2), 120000000, 120000000, 75000000, 45000000,
    null]);
  let before = counts();
  await refused(await as(appTsssu, 'POST', path, { fy: fy(FY - 2), expenditure_cents: 1 }), 409,
    'conflict', 'fy', before);
  await refused(await as(appTsssu, 'POST', path, { fy: fy(FY), expenditure_cents: 1 }), 422,
    'invalid', 'fy', before);
  await refused(await as(appTsssu, 'POST', path, { fy: fy(FY - 3), expenditure_cents: 1 }), 422,
    'invalid', 'fy', before);
  await refused(await as(appTsssu, 'POST', path, { fy: fy(FY - 1), expenditure_cents: 0 }), 422,
    'invalid', 'expenditure_cents', before);
  await refused(await as(appTsssu, 'POST', path, { fy: fy(FY - 1), expenditure_cents: 1.5 }), 400,
    'bad_request', 'expenditure_cents', before);
  // 2025-26: HK$2M spent is capped at HK$1.5M a start-up, more than the
  // HK$300,000 left of the contribution (HK$1.5M - 750,000 - 450,000).
  const over = await refused(await as(appTsssu, 'POST', path,
    { fy: fy(FY - 1), expenditure_cents: 200000000 }), 409, 'conflict', 'amount_cents', before);
  assert.match(over.json.error.message, /HK\$1,500,000\.00 exceeds .* \(HK\$300,000\.00\) by HK\$1,200,000\.00/);
  expectStatus(await as(officer, 'POST', `/api/v1/claims/${c.id}/accept`), 200);
  const paid = await pay(c.id);
  assert.equal(paid.amount_cents, 45000000);
  const e = await ledgerEntry(paid.ledger_entry_id);
  assert.deepEqual([e.kind, e.amount_cents], ['payment', 45000000]);
  // What is left is claimable: HK$250,000 for 2025-26.
  c = expectStatus(await as(appTsssu, 'POST', path,
    { fy: fy(FY - 1), expenditure_cents: 25000000 }), 201).json;
  assert.deepEqual([c.advance_offset_cents, c.payable_cents], [0, 25000000]);
  pr = await get(officer, p.id);
  assert.equal(pr.ledger.paid_cents, 75000000 + 45000000);
  verifyLedger('TSSSU');
});

test('ITVF: a co-investment deal at the government\'s share, capped, paid; over the remainder refused', async () => {
  const p = await project(appItvf, {
    scheme: 'ITVF', title: `Co-investment ${uniq()}`, summary: 'A Series A round.',
    start_date: firstOf(-12), end_date: lastOf(47),
    fields: { co_investment_partner: 'Example Ventures Fund I', investee_name: `Investee ${uniq()}`,
      partner_investment_cents: 4000000000 },
  });
  assert.equal(p.requested, 2000000000);
  const path = `/api/v1/projects/${p.id}/claims`;
  const before = counts();
  await refused(await as(appItvf, 'POST', path,
    { investment_date: firstOf(48), partner_investment_cents: 100 }), 422, 'invalid',
  'investment_date', before);
  await refused(await as(appItvf, 'POST', path, { partner_investment_cents: 100 }), 422,
    'invalid', 'investment_date', before);
  // HK$30M from the partner: HK$15M, half.
  const c = expectStatus(await as(appItvf, 'POST', path, { investment_date: `${ym(-6)}-15`,
    partner_investment_cents: 3000000000, round: 'Series A' }), 201).json;
  assert.deepEqual([c.kind, c.period, c.partner_investment_cents, c.amount_cents, c.capped_by],
    ['co_investment', `${ym(-6)}-15`, 3000000000, 1500000000, null]);
  assert.equal(c.detail.round, 'Series A');
  // HK$80M more would be HK$40M: the per-deal cap makes it HK$30M, more
  // than the HK$5M left.
  const over = await refused(await as(appItvf, 'POST', path, { investment_date: `${ym(-5)}-15`,
    partner_investment_cents: 8000000000 }), 409, 'conflict', 'amount_cents', counts());
  assert.match(over.json.error.message, /by HK\$25,000,000\.00/);
  expectStatus(await as(officer, 'POST', `/api/v1/claims/${c.id}/accept`), 200);
  const t0 = await position('before ITVF');
  const paid = await pay(c.id);
  const e = await ledgerEntry(paid.ledger_entry_id);
  assert.deepEqual([e.kind, e.amount_cents, e.project_id], ['payment', 1500000000, p.id]);
  const t1 = await position('ITVF');
  assert.equal(BigInt(t1.payments_cents) - BigInt(t0.payments_cents), 1500000000n);
});

test('a variation never lowers the contribution below what is paid or claimed, accepted or not', async () => {
  const p = await project(appItvf, {
    scheme: 'ITVF', title: `Co-investment ${uniq()}`, summary: 'A second round.',
    start_date: firstOf(-12), end_date: lastOf(47),
    fields: { co_investment_partner: 'Example Ventures Fund II', investee_name: `Investee ${uniq()}`,
      partner_investment_cents: 4000000000 },
  });
  assert.equal(p.requested, 2000000000);
  const claims = `/api/v1/projects/${p.id}/claims`;
  const vars = `/api/v1/projects/${p.id}/variations`;
  const deal = async (day) => {
    const c = expectStatus(await as(appItvf, 'POST', claims, { investment_date: `${ym(-6)}-${day}`,
      partner_investment_cents: 1000000000 }), 201).json;
    assert.equal(c.amount_cents, 500000000);
    expectStatus(await as(officer, 'POST', `/api/v1/claims/${c.id}/accept`), 200);
    return c;
  };
  // HK$5M paid; then a variation to HK$8M is asked for, which fits.
  await pay((await deal(10)).id);
  const v = expectStatus(await as(appItvf, 'POST', vars,
    { reason: 'Smaller round', government_cents: 800000000 }), 201).json;
  // A second HK$5M deal is accepted but not paid: HK$10M is now carried,
  // and approving the variation would strand HK$2M of an accepted claim.
  const c2 = await deal(20);
  let before = counts();
  const r = await refused(await as(officer, 'POST', `/api/v1/variations/${v.id}/approve`), 409,
    'conflict', 'government_cents', before);
  assert.match(r.json.error.message,
    /HK\$8,000,000\.00 is below the HK\$10,000,000\.00 .* by HK\$2,000,000\.00/);
  let q = await get(officer, p.id);
  assert.equal(q.agreement.government_cents, 2000000000);
  assert.equal(q.agreement_versions.length, 1);
  expectStatus(await as(officer, 'POST', `/api/v1/variations/${v.id}/reject`,
    { note: 'A claim is outstanding' }), 200);
  // Asked for again below it: refused at the request, nothing written.
  before = counts();
  await refused(await as(appItvf, 'POST', vars, { reason: 'Smaller round',
    government_cents: 999999999 }), 409, 'conflict', 'government_cents', before);
  // Exactly what is carried is allowed: the rest of the commitment is
  // released, and the accepted claim is still paid in full.
  const t0 = await position('before the variation to HK$10M');
  const v2 = expectStatus(await as(appItvf, 'POST', vars,
    { reason: 'Smaller round', government_cents: 1000000000 }), 201).json;
  expectStatus(await as(officer, 'POST', `/api/v1/variations/${v2.id}/approve`), 200);
  q = await get(officer, p.id);
  assert.equal(q.agreement.government_cents, 1000000000);
  assert.equal(q.ledger.released_cents, 1000000000);
  assert.equal(q.ledger.outstanding_cents, 500000000);
  const t1 = await position('the variation to HK$10M');
  assert.equal(BigInt(t1.releases_cents) - BigInt(t0.releases_cents), 1000000000n);
  await pay(c2.id);
  q = await get(officer, p.id);
  assert.equal(q.ledger.outstanding_cents, 0);
  // Nothing is left to claim.
  before = counts();
  await refused(await as(appItvf, 'POST', claims, { investment_date: `${ym(-5)}-15`,
    partner_investment_cents: 2 }), 409, 'conflict', 'amount_cents', before);
});

test('termination: the eligible cost to termination makes a refund due; refunded, closed, to the cent', async () => {
  const id = R.id;
  let before = counts();
  // Only a terminated project is settled this way.
  await refused(await as(officer, 'POST', `/api/v1/projects/${id}/termination-cost`,
    { eligible_cost_cents: 3000000 }), 409, 'invalid_state', 'status', before);
  const t0 = await position('before termination');
  let p = expectStatus(await as(officer, 'POST', `/api/v1/projects/${id}/terminate`,
    { reason: 'The talents left the organisation' }), 200).json;
  assert.equal(p.status, 'terminated');
  assert.equal(p.ledger.released_cents, 10000000 - 5300000);
  before = counts();
  // Claims are no longer verified or made.
  await refused(await as(appRth, 'POST', `/api/v1/projects/${id}/claims`,
    { month: ym(-6), talents: [2] }), 409, 'invalid_state', 'status', before);
  await refused(await as(appRth, 'POST', `/api/v1/projects/${id}/termination-cost`,
    { eligible_cost_cents: 3000000 }), 403, 'forbidden', undefined, before);
  await refused(await as(appOther, 'POST', `/api/v1/projects/${id}/termination-cost`,
    { eligible_cost_cents: 3000000 }), 404, 'not_found', undefined, before);
  await refused(await as(officer, 'POST', `/api/v1/projects/${id}/termination-cost`, {}), 422,
    'invalid', 'eligible_cost_cents', before);
  await refused(await as(officer, 'POST', `/api/v1/projects/${id}/termination-cost`,
    { eligible_cost_cents: '3000000' }), 400, 'bad_request', 'eligible_cost_cents', before);
  // Paid HK$53,000; eligible cost to termination HK$30,000 (an allowance
  // has no cost basis: the government share is the cost itself), so
  // HK$23,000 is due back.
  p = expectStatus(await as(officer, 'POST', `/api/v1/projects/${id}/termination-cost`,
    { eligible_cost_cents: 3000000, note: 'Payroll to termination audited' }), 200).json;
  assert.equal(p.status, 'refund_due');
  assert.deepEqual([p.termination.eligible_cost_cents, p.close_out.gov_share_cents,
    p.close_out.refund_due_cents], [3000000, 3000000, 2300000]);
  assert.ok(p.termination.settled_at);
  assert.equal(psql(`SELECT count(*) FROM notifications WHERE kind = 'project.settled'
    AND record_id = ${id} AND message_zh LIKE '%須退還%'`), '1');
  before = counts();
  await refused(await as(officer, 'POST', `/api/v1/projects/${id}/termination-cost`,
    { eligible_cost_cents: 3000000 }), 409, 'invalid_state', 'status', before);
  await refused(await as(finance, 'POST', `/api/v1/projects/${id}/refund`,
    { amount_cents: 2300001 }), 422, 'invalid', 'amount_cents', before);
  p = expectStatus(await as(finance, 'POST', `/api/v1/projects/${id}/refund`,
    { amount_cents: 2300000, reference: 'Cheque 778899' }), 200).json;
  assert.equal(p.status, 'closed');
  assert.equal(p.close_out.refunded_cents, 2300000);
  // The ledger, read back to the cent.
  const t1 = await position('terminated refund');
  assert.equal(BigInt(t1.refunds_cents) - BigInt(t0.refunds_cents), 2300000n);
  assert.equal(BigInt(t1.releases_cents) - BigInt(t0.releases_cents), 4700000n);
  assert.equal(BigInt(t1.payments_cents) - BigInt(t0.payments_cents), 0n);
  assert.equal(BigInt(t1.available_commitment_cents) - BigInt(t0.available_commitment_cents),
    4700000n + 2300000n);
  assert.equal(psql(`SELECT outstanding_cents || ',' || paid_cents || ',' || refunded_cents
    FROM ledger_commitments WHERE project_id = ${id}`), '0,5300000,2300000');
  assert.deepEqual([p.ledger.committed_cents, p.ledger.released_cents, p.ledger.paid_cents,
    p.ledger.refunded_cents, p.ledger.outstanding_cents], [10000000, 4700000, 5300000, 2300000, 0]);
  const refunds = expectStatus(await as(finance, 'GET',
    `/api/v1/ledger/entries?project_id=${id}&kind=refund`), 200).json;
  assert.deepEqual(refunds.entries.map((x) => x.amount_cents), [2300000]);
  assert.equal(p.ledger.refunded_cents, 2300000);
  assert.equal(psql(`SELECT count(*) FROM audit_log WHERE record_type = 'project'
    AND record_id = '${id}' AND action IN ('project.settle', 'project.refund')`), '2');
  // From the start of this file: the whole ledger still balances.
  verifyLedger('end');
});
