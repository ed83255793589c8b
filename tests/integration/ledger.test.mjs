// The appropriation ledger over HTTP (docs/ledger.md, docs/api.md "Ledger"):
// the FCR(2021-22)22 scenario entered by a finance officer and read back to
// the cent after every step, roles, validation, overdraw refusals naming
// the shortfall, reversals, and the entry listing's filters and pages.
//
// Other test files may have used the ledger before this one (the database
// is shared), so each balance is checked as what it was before the
// scenario plus the scenario's own movements, to the cent.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, expectStatus, expectError, itfctl, psql, uniq } from './lib.mjs';

const PW = 'ledger test password 2021';
const FCR = 'FCR(2021-22)22';
const PAPER_DAY = '2021-05-28';		// the paper's date (approval day assumed)
const M = (n) => n * 100000000;		// HK$ million in cents

function addUser(role) {
  const email = `${uniq('ledger')}@example.hk`;
  const r = itfctl(['user', 'add', '--email', email, '--role', role], PW + '\n');
  assert.equal(r.status, 0, `itfctl user add: status ${r.status}: ${r.stderr}`);
  return email;
}

async function login(email) {
  const res = expectStatus(await api('POST', '/api/v1/session',
    { body: { email, password: PW } }), 200, `login ${email}`);
  const c = res.headers.getSetCookie().find((s) => s.startsWith('itf_session='));
  assert.ok(c, 'no session cookie');
  return c.split(';')[0];
}

const U = {};
async function as(who, method, path, body) {
  return api(method, path, { cookie: U[who], body });
}

// Normal-side balances and turnover of every account, as of a day.
async function position(on, who = 'finance') {
  const q = on ? `?on=${on}` : '';
  const r = expectStatus(await as(who, 'GET', `/api/v1/ledger/position${q}`), 200, 'position');
  const acc = {};
  for (const a of r.json.accounts) acc[a.code] = a;
  const sub = {};
  for (const s of r.json.subheads) sub[s.code] = s;
  return { acc, sub, totals: r.json.totals, json: r.json };
}

const CODES = ['GRA', 'H184-ITF', 'H135-700-801', 'H135-700-801.COMMITTED', 'H111-101',
  'H111-101.COMMITTED', 'H111-090', 'H111-090.COMMITTED', 'H111-112', 'H111-112.COMMITTED',
  'PAYMENTS', 'REFUNDS'];

let base;		// the position before the scenario
const moved = {};	// the scenario's movements so far, per account (normal side)
let head184 = 0;	// paid through Head 184 by the scenario

// Every account's balance is its base plus our movements, to the cent.
async function expectBalances(step) {
  const now = await position();
  for (const code of CODES) {
    assert.equal(now.acc[code].balance_cents, base.acc[code].balance_cents + (moved[code] || 0),
      `${step}: ${code}`);
  }
  assert.equal(now.acc['H184-ITF'].debit_cents, base.acc['H184-ITF'].debit_cents + head184,
    `${step}: Head 184 turnover`);
  assert.equal(now.totals.paid_through_head184_cents,
    base.totals.paid_through_head184_cents + head184, `${step}: paid through Head 184`);
  // The Fund's available commitment is the sum of its subheads' uncommitted balances.
  const fund = ['H111-101', 'H111-090', 'H111-112'];
  assert.equal(now.totals.available_commitment_cents,
    fund.reduce((s, c) => s + now.acc[c].balance_cents, 0), `${step}: available`);
  for (const c of fund.concat(['H135-700-801'])) {
    assert.equal(now.sub[c].available_commitment_cents, now.acc[c].balance_cents);
    assert.equal(now.sub[c].commitments_outstanding_cents, now.acc[`${c}.COMMITTED`].balance_cents);
    assert.equal(now.sub[c].approved_capacity_cents,
      now.acc[c].balance_cents + now.acc[`${c}.COMMITTED`].balance_cents);
    assert.ok(now.sub[c].available_commitment_cents >= 0);
  }
  return now;
}

function move(code, cents) {
  moved[code] = (moved[code] || 0) + cents;
}

const ids = {};

before(async () => {
  for (const role of ['finance', 'auditor', 'approver', 'admin', 'officer', 'applicant']) {
    if (role === 'applicant') {
      const o = itfctl(['org', 'add', '--name-en', `Ledger Org ${uniq()}`, '--name-zh', '測試機構',
        '--type', 'university']);
      assert.equal(o.status, 0, o.stderr);
      const email = `${uniq('ledger')}@example.hk`;
      const r = itfctl(['user', 'add', '--email', email, '--role', 'applicant', '--org',
        o.stdout.trim()], PW + '\n');
      assert.equal(r.status, 0, r.stderr);
      U[role] = await login(email);
    } else {
      U[role] = await login(addUser(role));
    }
  }
});

test('ledger: only finance writes; finance, auditors, approvers and admins read', async () => {
  expectError(await api('GET', '/api/v1/ledger/position'), 401, 'unauthenticated');
  expectError(await api('GET', '/api/v1/ledger/entries'), 401, 'unauthenticated');
  expectError(await api('POST', '/api/v1/ledger/injections', { body: {} }), 401,
    'unauthenticated');
  for (const who of ['officer', 'applicant']) {
    expectError(await as(who, 'GET', '/api/v1/ledger/position'), 403, 'forbidden');
    expectError(await as(who, 'GET', '/api/v1/ledger/entries'), 403, 'forbidden');
    expectError(await as(who, 'GET', '/api/v1/ledger/accounts'), 403, 'forbidden');
  }
  for (const who of ['finance', 'auditor', 'approver', 'admin']) {
    expectStatus(await as(who, 'GET', '/api/v1/ledger/position'), 200, who);
    expectStatus(await as(who, 'GET', '/api/v1/ledger/entries'), 200, who);
  }
  const inj = { amount_cents: 100, paper_ref: FCR, approved_on: PAPER_DAY };
  for (const who of ['auditor', 'approver', 'admin', 'officer', 'applicant'])
    expectError(await as(who, 'POST', '/api/v1/ledger/injections', inj), 403, 'forbidden');
  // The CSRF header is required on writes, before anything else.
  expectError(await api('POST', '/api/v1/ledger/injections', { cookie: U.finance, body: inj,
    csrf: false }), 403, 'forbidden', 'x-itf-request');
  expectStatus(await as('finance', 'GET', '/api/v1/ledger/injections'), 405);
  expectStatus(await as('finance', 'PUT', '/api/v1/ledger/position', {}), 405);
});

test('ledger: the chart of accounts is bilingual, with the sign rules', async () => {
  const r = expectStatus(await as('auditor', 'GET', '/api/v1/ledger/accounts'), 200);
  const byCode = Object.fromEntries(r.json.accounts.map((a) => [a.code, a]));
  assert.deepEqual(Object.keys(byCode).sort(), [...CODES].sort());
  for (const a of r.json.accounts) {
    assert.ok(a.name_en.length > 0);
    assert.match(a.name_zh, /[\u4e00-\u9fff]/, `${a.code} name_zh`);
  }
  assert.match(byCode['H184-ITF'].name_zh, /給予創新及科技基金的款項/);
  assert.match(byCode['H111-090'].name_zh, /院校中游研發計劃/);
  assert.match(byCode['H111-112'].name_zh, /再工業化資助計劃/);
  assert.match(byCode['H135-700-801'].name_zh, /創科生活基金/);
  assert.equal(byCode.GRA.normal_side, 'credit');
  assert.equal(byCode.GRA.may_be_negative, true);
  assert.equal(byCode['H184-ITF'].kind, 'clearing');
  for (const c of ['H111-101', 'H111-090', 'H111-112', 'H135-700-801', 'PAYMENTS', 'REFUNDS'])
    assert.equal(byCode[c].may_be_negative, false, c);
});

test('ledger: the FCR(2021-22)22 scenario, read back to the cent after each step', async () => {
  base = await position();
  const baseEve = await position('2021-05-27');
  const baseAfter = await position('2021-06-30');

  // Opening balances: the earlier approvals the paper builds on (docs/ledger.md).
  let r = expectStatus(await as('finance', 'POST', '/api/v1/ledger/openings', {
    account: 'H111-090', amount_cents: M(2000), paper_ref: 'FC-2016-06 MRP',
    approved_on: '2016-06-01',
    narrative: '$2bn injected June 2016 for the Mid-stream Research Programme (FCR(2021-22)22 fn 25(a))',
  }), 201, 'opening 090');
  ids.open090 = r.json.id;
  assert.equal(r.json.kind, 'opening');
  assert.equal(r.json.value_date, '2016-06-01');
  assert.deepEqual(r.json.postings.map((p) => [p.account, p.amount_cents]),
    [['GRA', -M(2000)], ['H111-090', M(2000)]]);
  move('GRA', M(2000));
  move('H111-090', M(2000));
  await expectBalances('opening 090');

  r = expectStatus(await as('finance', 'POST', '/api/v1/ledger/openings', {
    account: 'H111-112', amount_cents: M(2000), paper_ref: 'FC-2020-05 RFS',
    approved_on: '2020-05-01', narrative: '$2bn for the Re-industrialisation Funding Scheme (S para 22)',
  }), 201, 'opening 112');
  ids.open112 = r.json.id;
  move('GRA', M(2000));
  move('H111-112', M(2000));
  await expectBalances('opening 112');

  r = expectStatus(await as('finance', 'POST', '/api/v1/ledger/openings', {
    account: 'H135-700-801', amount_cents: M(425), paper_ref: 'FC-2016-06 BL',
    approved_on: '2016-06-01', value_date: '2021-03-31',
    narrative: 'Balance brought forward: $500M commitment of June 2016 less about $75M disbursed (S para 22)',
  }), 201, 'opening 135/700/801');
  ids.open135 = r.json.id;
  assert.equal(r.json.approved_on, '2016-06-01');
  assert.equal(r.json.value_date, '2021-03-31');
  move('GRA', M(425));
  move('H135-700-801', M(425));
  await expectBalances('opening 135/700/801');

  // (a) Inject $4,750M in 2021-22 through the new Head 184 subhead.
  r = expectStatus(await as('finance', 'POST', '/api/v1/ledger/injections', {
    amount_cents: 475000000000, paper_ref: FCR, approved_on: PAPER_DAY,
  }), 201, 'injection');
  ids.injection = r.json.id;
  assert.equal(r.json.kind, 'injection');
  assert.equal(r.json.to, 'H111-101');
  assert.equal(r.json.paper_ref, FCR);
  assert.deepEqual(r.json.postings.map((p) => [p.account, p.debit_cents, p.credit_cents]), [
    ['GRA', 0, 475000000000], ['H184-ITF', 475000000000, 0], ['H184-ITF', 0, 475000000000],
    ['H111-101', 475000000000, 0]]);
  move('GRA', M(4750));
  move('H111-101', M(4750));
  head184 += M(4750);
  await expectBalances('injection');

  // (b) The whole balance of subhead 090, then of subhead 112, to subhead 101.
  r = expectStatus(await as('finance', 'POST', '/api/v1/ledger/transfers', {
    from: 'H111-090', to: 'H111-101', whole_balance: true, paper_ref: FCR,
    approved_on: PAPER_DAY,
  }), 201, 'transfer 090');
  ids.t090 = r.json.id;
  assert.equal(r.json.whole_balance, true);
  assert.equal(r.json.amount_cents, M(2000) + base.acc['H111-090'].balance_cents +
    base.acc['H111-090.COMMITTED'].balance_cents);
  move('H111-090', -(M(2000) + base.acc['H111-090'].balance_cents));
  move('H111-101', M(2000) + base.acc['H111-090'].balance_cents);
  move('H111-090.COMMITTED', -base.acc['H111-090.COMMITTED'].balance_cents);
  move('H111-101.COMMITTED', base.acc['H111-090.COMMITTED'].balance_cents);
  let now = await expectBalances('transfer 090');
  assert.equal(now.acc['H111-090'].balance_cents, 0);
  assert.equal(now.sub['H111-090'].approved_capacity_cents, 0);

  r = expectStatus(await as('finance', 'POST', '/api/v1/ledger/transfers', {
    from: 'H111-112', to: 'H111-101', whole_balance: true, paper_ref: FCR,
    approved_on: PAPER_DAY,
  }), 201, 'transfer 112');
  ids.t112 = r.json.id;
  move('H111-112', -(M(2000) + base.acc['H111-112'].balance_cents));
  move('H111-101', M(2000) + base.acc['H111-112'].balance_cents);
  move('H111-112.COMMITTED', -base.acc['H111-112.COMMITTED'].balance_cents);
  move('H111-101.COMMITTED', base.acc['H111-112.COMMITTED'].balance_cents);
  now = await expectBalances('transfer 112');
  assert.equal(now.acc['H111-112'].balance_cents, 0);

  // (c) $425M from Head 135 subhead 700 item 801, via Head 184, into 101.
  r = expectStatus(await as('finance', 'POST', '/api/v1/ledger/transfers', {
    from: 'H135-700-801', to: 'H111-101', amount_cents: 42500000000, paper_ref: FCR,
    approved_on: PAPER_DAY,
  }), 201, 'transfer 135/700/801');
  ids.t135 = r.json.id;
  assert.deepEqual(r.json.postings.map((p) => [p.account, p.amount_cents]), [
    ['H135-700-801', -42500000000], ['H184-ITF', 42500000000], ['H184-ITF', -42500000000],
    ['H111-101', 42500000000]]);
  move('H135-700-801', -M(425));
  move('H111-101', M(425));
  head184 += M(425);
  now = await expectBalances('transfer 135/700/801');
  // Through Head 184 in 2021-22: $4,750M + $425M.
  assert.equal(now.totals.paid_through_head184_cents - base.totals.paid_through_head184_cents,
    517500000000);
  assert.equal(now.acc['H184-ITF'].balance_cents, 0);
  assert.equal(now.acc['H111-101'].balance_cents - base.acc['H111-101'].balance_cents,
    917500000000 + base.acc['H111-090'].balance_cents + base.acc['H111-112'].balance_cents);
  assert.equal(now.totals.injections_cents - base.totals.injections_cents, 475000000000);
  assert.equal(now.totals.openings_cents - base.totals.openings_cents, M(4425));

  // As of the eve of the paper nothing of it shows; a month later all of it.
  const eve = await position('2021-05-27');
  assert.equal(eve.acc['H111-101'].balance_cents, baseEve.acc['H111-101'].balance_cents);
  assert.equal(eve.acc['H111-090'].balance_cents, baseEve.acc['H111-090'].balance_cents + M(2000));
  assert.equal(eve.acc['H111-112'].balance_cents, baseEve.acc['H111-112'].balance_cents + M(2000));
  assert.equal(eve.acc['H135-700-801'].balance_cents,
    baseEve.acc['H135-700-801'].balance_cents + M(425));
  const june = await position('2021-06-30');
  assert.equal(june.json.on, '2021-06-30');
  assert.equal(june.acc['H111-101'].balance_cents - baseAfter.acc['H111-101'].balance_cents,
    917500000000 + baseAfter.acc['H111-090'].balance_cents + baseAfter.acc['H111-112'].balance_cents);
  assert.equal(june.acc['H135-700-801'].balance_cents, baseAfter.acc['H135-700-801'].balance_cents);
  assert.equal(june.acc.GRA.balance_cents - baseAfter.acc.GRA.balance_cents, 917500000000);
  // Before the fund existed there is nothing at all.
  const y1998 = await position('1998-12-31');
  for (const a of Object.values(y1998.acc)) assert.equal(a.balance_cents, 0, a.code);
});

test('ledger: the entries list filters and pages', async () => {
  let r = expectStatus(await as('auditor', 'GET',
    `/api/v1/ledger/entries?paper_ref=${encodeURIComponent(FCR)}&order=asc&limit=200`), 200);
  const mine = r.json.entries.filter((e) => [ids.injection, ids.t090, ids.t112, ids.t135].includes(e.id));
  assert.deepEqual(mine.map((e) => e.kind), ['injection', 'transfer', 'transfer', 'transfer']);
  for (const e of r.json.entries) assert.equal(e.paper_ref, FCR);
  assert.ok(mine.every((e) => e.postings.length >= 2));

  r = expectStatus(await as('approver', 'GET', '/api/v1/ledger/entries?account=H111-090&order=asc'), 200);
  const ids090 = r.json.entries.map((e) => e.id);
  assert.ok(ids090.indexOf(ids.open090) >= 0 && ids090.indexOf(ids.open090) < ids090.indexOf(ids.t090));
  assert.ok(!ids090.includes(ids.injection));

  r = expectStatus(await as('finance', 'GET', '/api/v1/ledger/entries?kind=opening&from=2016-01-01&to=2016-12-31'), 200);
  const opened = r.json.entries.map((e) => e.id);
  assert.ok(opened.includes(ids.open090));
  assert.ok(!opened.includes(ids.open112));		// dated 2020
  assert.ok(!opened.includes(ids.open135));		// dated 2021-03-31
  for (const e of r.json.entries) {
    assert.equal(e.kind, 'opening');
    assert.ok(e.value_date >= '2016-01-01' && e.value_date <= '2016-12-31');
  }

  // Pages: newest first by default; next_offset until the end.
  r = expectStatus(await as('finance', 'GET', '/api/v1/ledger/entries?limit=2'), 200);
  const total = r.json.total;
  assert.ok(total >= 6);
  assert.equal(r.json.entries.length, 2);
  assert.ok(r.json.entries[0].id > r.json.entries[1].id);
  const seen = [];
  let offset = 0;
  for (;;) {
    r = expectStatus(await as('finance', 'GET', `/api/v1/ledger/entries?limit=3&offset=${offset}`), 200);
    seen.push(...r.json.entries.map((e) => e.id));
    if (r.json.next_offset === null) break;
    offset = r.json.next_offset;
  }
  assert.equal(seen.length, total);
  assert.equal(new Set(seen).size, total);

  r = expectStatus(await as('finance', 'GET', `/api/v1/ledger/entries/${ids.t135}`), 200);
  assert.equal(r.json.from, 'H135-700-801');
  assert.equal(r.json.to, 'H111-101');
  assert.equal(r.json.amount_cents, 42500000000);
  expectError(await as('finance', 'GET', '/api/v1/ledger/entries/999999999'), 404, 'not_found');

  // Query parameters are strict.
  expectError(await as('finance', 'GET', '/api/v1/ledger/entries?acount=H111-101'), 400, 'bad_request', 'acount');
  expectError(await as('finance', 'GET', '/api/v1/ledger/entries?account=H111-999'), 422, 'invalid', 'account');
  expectError(await as('finance', 'GET', '/api/v1/ledger/entries?kind=gift'), 422, 'invalid', 'kind');
  expectError(await as('finance', 'GET', '/api/v1/ledger/entries?from=2021-02-30'), 400, 'bad_request', 'from');
  expectError(await as('finance', 'GET', '/api/v1/ledger/entries?from=2021-06-01&to=2021-05-01'), 422, 'invalid', 'from');
  expectError(await as('finance', 'GET', '/api/v1/ledger/entries?limit=0'), 422, 'invalid', 'limit');
  expectError(await as('finance', 'GET', '/api/v1/ledger/entries?limit=x'), 400, 'bad_request', 'limit');
  for (const bad of ['2021-02-30', '2021-6-1', 'today', ''])
    expectError(await as('finance', 'GET', `/api/v1/ledger/position?on=${bad}`), 400, 'bad_request', 'on');
  expectError(await as('finance', 'GET', '/api/v1/ledger/position?date=2021-06-01'), 400, 'bad_request', 'date');
});

test('ledger: bodies are strict; amounts, accounts and dates are checked', async () => {
  const before = psql('SELECT count(*) FROM ledger_entries');
  const post = (path, body) => as('finance', 'POST', `/api/v1/ledger/${path}`, body);
  const inj = { amount_cents: 100, paper_ref: FCR, approved_on: PAPER_DAY };
  const xfer = { from: 'H111-101', to: 'H111-090', amount_cents: 100, paper_ref: FCR,
    approved_on: PAPER_DAY };

  expectError(await post('injections', { ...inj, amout_cents: 5 }), 400, 'bad_request', 'amout_cents');
  expectError(await post('injections', { ...inj, amount_cents: 1.5 }), 400, 'bad_request', 'amount_cents');
  expectError(await post('injections', { ...inj, amount_cents: '100' }), 400, 'bad_request', 'amount_cents');
  expectError(await post('injections', { ...inj, amount_cents: 0 }), 422, 'invalid', 'amount_cents');
  expectError(await post('injections', { ...inj, amount_cents: -100 }), 422, 'invalid', 'amount_cents');
  expectError(await post('injections', { ...inj, amount_cents: undefined }), 422, 'invalid', 'amount_cents');
  expectError(await post('injections', { ...inj, paper_ref: '' }), 422, 'invalid', 'paper_ref');
  expectError(await post('injections', { ...inj, paper_ref: 'x'.repeat(65) }), 422, 'invalid', 'paper_ref');
  expectError(await post('injections', { ...inj, approved_on: '2021-02-29' }), 422, 'invalid', 'approved_on');
  expectError(await post('injections', { ...inj, approved_on: '28/05/2021' }), 422, 'invalid', 'approved_on');
  expectError(await post('injections', { ...inj, approved_on: '2999-01-01' }), 422, 'invalid', 'approved_on');
  expectError(await post('injections', { ...inj, approved_on: '1999-06-29' }), 422, 'invalid', 'approved_on');
  expectError(await post('injections', { ...inj, value_date: '2021-05-27' }), 422, 'invalid', 'value_date');
  expectError(await post('injections', { ...inj, subhead: 'H111-999' }), 422, 'invalid', 'subhead');
  expectError(await post('injections', { ...inj, subhead: 'H135-700-801' }), 422, 'invalid', 'subhead');
  expectError(await post('injections', { ...inj, account: 'H111-101' }), 400, 'bad_request', 'account');
  expectError(await post('openings', { ...inj }), 422, 'invalid', 'account');
  expectError(await post('openings', { ...inj, account: 'PAYMENTS' }), 422, 'invalid', 'account');
  expectError(await post('transfers', { ...xfer, to: 'H111-101' }), 422, 'invalid', 'to');
  expectError(await post('transfers', { ...xfer, from: 'H999' }), 422, 'invalid', 'from');
  expectError(await post('transfers', { ...xfer, to: 'H111-101.COMMITTED' }), 422, 'invalid', 'to');
  expectError(await post('transfers', { ...xfer, to: 'H135-700-801' }), 422, 'invalid', 'to');
  expectError(await post('transfers', { ...xfer, whole_balance: true }), 422, 'invalid', 'amount_cents');
  expectError(await post('transfers', { ...xfer, whole_balance: 'yes' }), 400, 'bad_request', 'whole_balance');
  expectError(await post('transfers', { ...xfer, amount_cents: undefined }), 422, 'invalid', 'amount_cents');
  expectError(await post('transfers', { ...xfer, from: undefined }), 422, 'invalid', 'from');
  expectError(await as('finance', 'POST', '/api/v1/ledger/transfers', '[1]'), 400, 'bad_request');
  expectError(await api('POST', '/api/v1/ledger/transfers', { cookie: U.finance, body: '{"from":',
  }), 400, 'bad_request');
  expectError(await api('POST', '/api/v1/ledger/transfers', { cookie: U.finance, body: xfer,
    headers: { 'content-type': 'text/plain' } }), 400, 'bad_request', 'content-type');
  assert.equal(psql('SELECT count(*) FROM ledger_entries'), before, 'nothing was written');
});

test('ledger: what would overdraw is refused with 409 naming the shortfall in HK$', async () => {
  const before = psql('SELECT count(*) FROM ledger_entries');
  const auditBefore = psql('SELECT count(*) FROM audit_log');
  // Subhead 090 is empty after the transfer: one cent is too much.
  let r = expectError(await as('finance', 'POST', '/api/v1/ledger/transfers', {
    from: 'H111-090', to: 'H111-101', amount_cents: 1, paper_ref: FCR, approved_on: PAPER_DAY,
  }), 409, 'conflict', 'amount_cents');
  assert.match(r.json.error.message, /available commitment under H111-090 \(HK\$0\.00\) by HK\$0\.01/);
  r = expectError(await as('finance', 'POST', '/api/v1/ledger/transfers', {
    from: 'H111-112', to: 'H111-101', whole_balance: true, paper_ref: FCR, approved_on: PAPER_DAY,
  }), 409, 'conflict', 'from');
  // Reversing the 090 opening would take back $2bn that has moved on.
  r = expectError(await as('finance', 'POST', `/api/v1/ledger/entries/${ids.open090}/reverse`,
    { reason: 'entered in error' }), 409, 'conflict', 'amount_cents');
  assert.match(r.json.error.message, /HK\$2,000,000,000\.00/);
  // One cent... or HK$12.34 more than subhead 101 holds.
  const avail = (await position()).acc['H111-101'].balance_cents;
  r = expectError(await as('finance', 'POST', '/api/v1/ledger/transfers', {
    from: 'H111-101', to: 'H111-090', amount_cents: avail + 1234, paper_ref: 'FCR(2026-27)1',
    approved_on: PAPER_DAY, value_date: PAPER_DAY,
  }), 409, 'conflict', 'amount_cents');
  assert.match(r.json.error.message, /by HK\$12\.34/);
  assert.equal(psql('SELECT count(*) FROM ledger_entries'), before);
  assert.equal(psql('SELECT count(*) FROM audit_log'), auditBefore);
});

test('ledger: a correction is a reversing entry, once, with a reason', async () => {
  const auditBefore = Number(psql("SELECT count(*) FROM audit_log WHERE action = 'ledger.reversal'"));
  expectError(await as('finance', 'POST', `/api/v1/ledger/entries/${ids.t135}/reverse`, {}),
    422, 'invalid', 'reason');
  expectError(await as('finance', 'POST', `/api/v1/ledger/entries/${ids.t135}/reverse`,
    { reason: 'x', note: 'y' }), 400, 'bad_request', 'note');
  expectError(await as('finance', 'POST', `/api/v1/ledger/entries/${ids.t135}/reverse`,
    { reason: 'x', value_date: '2021-05-01' }), 422, 'invalid', 'value_date');
  expectError(await as('auditor', 'POST', `/api/v1/ledger/entries/${ids.t135}/reverse`,
    { reason: 'x' }), 403, 'forbidden');
  expectError(await as('finance', 'POST', '/api/v1/ledger/entries/999999999/reverse',
    { reason: 'x' }), 404, 'not_found');

  const r = expectStatus(await as('finance', 'POST', `/api/v1/ledger/entries/${ids.t135}/reverse`,
    { reason: 'entered before the Head 135 item was closed' }), 201, 'reverse');
  assert.equal(r.json.kind, 'reversal');
  assert.equal(r.json.reverses_id, ids.t135);
  assert.equal(r.json.narrative, 'entered before the Head 135 item was closed');
  assert.deepEqual(r.json.postings.map((p) => [p.account, p.amount_cents]), [
    ['H135-700-801', 42500000000], ['H184-ITF', -42500000000], ['H184-ITF', 42500000000],
    ['H111-101', -42500000000]]);
  move('H135-700-801', M(425));
  move('H111-101', -M(425));
  const now = await position();
  for (const code of CODES.filter((c) => c !== 'H184-ITF'))
    assert.equal(now.acc[code].balance_cents, base.acc[code].balance_cents + (moved[code] || 0), code);
  assert.equal(now.totals.paid_through_head184_cents - base.totals.paid_through_head184_cents,
    517500000000 + 42500000000);
  let e = expectStatus(await as('auditor', 'GET', `/api/v1/ledger/entries/${ids.t135}`), 200);
  assert.equal(e.json.reversed_by, r.json.id);
  // Once only, and a reversal is not reversed.
  expectError(await as('finance', 'POST', `/api/v1/ledger/entries/${ids.t135}/reverse`,
    { reason: 'again' }), 409, 'conflict', 'id');
  expectError(await as('finance', 'POST', `/api/v1/ledger/entries/${r.json.id}/reverse`,
    { reason: 'undo' }), 409, 'conflict', 'id');
  assert.equal(Number(psql("SELECT count(*) FROM audit_log WHERE action = 'ledger.reversal'")),
    auditBefore + 1);

  // Enter it again, dated today (it may not be back-dated before the reversal).
  e = expectError(await as('finance', 'POST', '/api/v1/ledger/transfers', {
    from: 'H135-700-801', to: 'H111-101', amount_cents: 42500000000, paper_ref: FCR,
    approved_on: PAPER_DAY }), 409, 'conflict', 'value_date');
  const today = (await position()).json.on;
  expectStatus(await as('finance', 'POST', '/api/v1/ledger/transfers', {
    from: 'H135-700-801', to: 'H111-101', amount_cents: 42500000000, paper_ref: FCR,
    approved_on: PAPER_DAY, value_date: today }), 201, 're-entered');
  move('H135-700-801', -M(425));
  move('H111-101', M(425));
  head184 += 2 * M(425);	// the reversal and the new entry pass Head 184 too
  await expectBalances('re-entered');
});

test('ledger: every write left one audit row in the same transaction', async () => {
  for (const id of Object.values(ids)) {
    const n = psql(`SELECT count(*) FROM audit_log WHERE record_type = 'ledger_entry'
      AND record_id = '${id}'`);
    assert.equal(n, '1', `entry ${id}`);
  }
  assert.equal(psql(`SELECT count(*) FROM ledger_entries e WHERE NOT EXISTS (SELECT 1 FROM
    audit_log a WHERE a.record_type = 'ledger_entry' AND a.record_id = e.id::text)`), '0');
  // The service's role cannot rewrite the ledger.
  const r = (sql) => {
    try { psql(sql, 'itf_app'); return 'accepted'; } catch { return 'refused'; }
  };
  assert.equal(r(`UPDATE ledger_entries SET amount_cents = 1 WHERE id = ${ids.injection}`), 'refused');
  assert.equal(r(`DELETE FROM ledger_postings WHERE entry_id = ${ids.injection}`), 'refused');
  assert.equal(r("UPDATE ledger_accounts SET balance_cents = 0 WHERE code = 'H111-101'"), 'refused');
});

test('itfctl ledger verify: every invariant, exit 1 when one is broken', () => {
  let r = itfctl(['ledger', 'verify']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^\d+ ledger entries checked$/m);
  assert.match(r.stdout, /accounts whose balance differs from their postings +0$/m);
  assert.match(r.stdout, /^ledger intact/m);
  assert.doesNotMatch(r.stdout, /BROKEN/);
  // Tamper with a cached balance as the owner (triggers bypassed), check,
  // and put it back: verify names the broken invariant and exits 1.
  const tamper = (d) => psql(`SET session_replication_role = replica;
    UPDATE ledger_accounts SET balance_cents = balance_cents + (${d}) WHERE code = 'GRA';`);
  tamper(1);
  try {
    r = itfctl(['ledger', 'verify']);
  } finally {
    tamper(-1);
  }
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /accounts whose balance differs from their postings +1 +BROKEN$/m);
  assert.match(r.stdout, /^ledger BROKEN/m);
  r = itfctl(['ledger', 'verify']);
  assert.equal(r.status, 0, r.stdout);
  assert.equal(itfctl(['ledger', 'verify', 'now']).status, 2, 'usage');
  assert.match(itfctl(['--help']).stdout, /ledger verify/);
});
