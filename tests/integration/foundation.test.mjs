// Foundation endpoints: health, version, the scheme catalogue, rules by date,
// funding quotes, and the error contract.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { api, expectStatus, expectError, itfctl, psql, ROOT } from './lib.mjs';

const CODES = ['ITSP', 'MHKJFS', 'TCFS', 'PRP', 'ESS', 'CRS', 'MRP', 'PSTS', 'TVP',
  'RFS', 'RTH', 'RTTP', 'STEM', 'TSSSU', 'ITVF', 'GSP', 'PAG'];

test('health reports the database', async () => {
  const r = expectStatus(await api('GET', '/api/v1/health'), 200);
  assert.equal(r.json.status, 'ok');
  assert.equal(r.json.database, 'ok');
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  assert.match(r.headers.get('content-security-policy'), /frame-ancestors 'none'/);
  expectStatus(await api('POST', '/api/v1/health', { body: {} }), 405);
});

test('unknown API paths are JSON 404s', async () => {
  expectError(await api('GET', '/api/v1/nope'), 404, 'not_found');
});

test('GET /schemes lists the 17 schemes with their summary fields', async () => {
  const r = expectStatus(await api('GET', '/api/v1/schemes'), 200);
  const got = r.json.schemes.map((s) => s.code).sort();
  assert.deepEqual(got, [...CODES].sort());
  for (const s of r.json.schemes) {
    for (const k of ['code', 'name_en', 'name_zh', 'area', 'launched', 'status', 'funding_model'])
      assert.ok(s[k] !== undefined && s[k] !== '', `${s.code} lacks ${k}`);
    assert.match(s.name_zh, /[\u4e00-\u9fff]/, `${s.code} name_zh is not Chinese`);
    assert.ok(['rd', 'adoption', 'talent', 'startups', 'culture'].includes(s.area));
  }
  const mrp = r.json.schemes.find((s) => s.code === 'MRP');
  assert.equal(mrp.status, 'merged');
  expectError(await api('GET', '/api/v1/schemes?x=1'), 400, 'bad_request', 'x');
});

test('the database holds the same catalogue (itfctl schemes load)', () => {
  assert.equal(psql('SELECT count(*) FROM schemes'), '17');
  assert.equal(psql("SELECT name_zh FROM schemes WHERE code = 'TVP'"), '科技券');
});

test('GET /schemes/{code} returns the whole definition with rule versions', async () => {
  const r = expectStatus(await api('GET', '/api/v1/schemes/TVP'), 200);
  assert.equal(r.json.code, 'TVP');
  assert.ok(r.json.rule_versions.length >= 2);
  const v2020 = r.json.rule_versions.find((v) => v.effective_from === '2020-04-01');
  assert.ok(v2020, 'TVP has a version from 2020-04-01');
  const before = r.json.rule_versions[r.json.rule_versions.indexOf(v2020) - 1];
  assert.equal(before.effective_to, '2020-03-31');
  // lower case codes work too; unknown codes are 404
  expectStatus(await api('GET', '/api/v1/schemes/tvp'), 200);
  expectError(await api('GET', '/api/v1/schemes/NOPE'), 404, 'not_found', 'code');
});

test('GET /schemes/{code}/rules?on= picks the version in force', async () => {
  let r = expectStatus(await api('GET', '/api/v1/schemes/TVP/rules?on=2020-03-31'), 200);
  const early = r.json;
  r = expectStatus(await api('GET', '/api/v1/schemes/TVP/rules?on=2020-04-01'), 200);
  assert.notEqual(r.json.id, early.id);
  assert.equal(r.json.effective_from, '2020-04-01');
  r = expectStatus(await api('GET', '/api/v1/schemes/CRS/rules?on=2016-02-24'), 200);
  assert.equal(r.json.params.rate_bp.value, 4000);
  r = expectStatus(await api('GET', '/api/v1/schemes/CRS/rules?on=2016-02-23'), 200);
  assert.equal(r.json.params.rate_bp.value, 3000);
  // today's rules when no date is given
  expectStatus(await api('GET', '/api/v1/schemes/ESS/rules'), 200);
  for (const bad of ['2021-02-30', '2021-2-1', 'yesterday', '2021-13-01', ''])
    expectError(await api('GET', `/api/v1/schemes/TVP/rules?on=${bad}`), 400, 'bad_request', 'on');
  expectError(await api('GET', '/api/v1/schemes/TVP/rules?on=1990-01-01'), 404, 'not_found', 'on');
  expectError(await api('GET', '/api/v1/schemes/TVP/rules?when=2020-01-01'), 400, 'bad_request', 'when');
});

async function quote(code, body) {
  return api('POST', `/api/v1/schemes/${code}/quote`, { body, csrf: false });
}

test('TVP quotes follow the 2020-04-01 rule change', async () => {
  let r = expectStatus(await quote('TVP', { submitted_on: '2020-04-01', eligible_cost_cents: 80000000,
    prior_approved_cents: 0, prior_projects: 0 }), 200);
  assert.equal(r.json.government_cents, 60000000);
  assert.equal(r.json.applicant_cents, 20000000);
  assert.ok(r.json.rule_version);
  assert.ok('capped_by' in r.json);
  r = expectStatus(await quote('TVP', { submitted_on: '2020-03-31', eligible_cost_cents: 80000000,
    prior_approved_cents: 0, prior_projects: 0 }), 200);
  assert.equal(r.json.government_cents, 40000000);
  assert.ok(r.json.capped_by);
  // under every cap: 3/4 of HK$100,000
  r = expectStatus(await quote('TVP', { submitted_on: '2021-01-04', eligible_cost_cents: 10000000 }), 200);
  assert.equal(r.json.government_cents, 7500000);
  assert.equal(r.json.capped_by, null);
  // the per-applicant ceiling counts what was approved before
  r = expectStatus(await quote('TVP', { submitted_on: '2021-01-04', eligible_cost_cents: 80000000,
    prior_approved_cents: 50000000, prior_projects: 2 }), 200);
  assert.equal(r.json.government_cents, 10000000);
});

test('RTH, CRS and ESS quotes', async () => {
  let r = expectStatus(await quote('RTH', { submitted_on: '2021-01-04', qualification: 'doctorate',
    head_count: 1, months: 36 }), 200);
  assert.equal(r.json.government_cents, 115200000);
  r = expectStatus(await quote('CRS', { submitted_on: '2017-01-01', eligible_cost_cents: 1000000 }), 200);
  assert.equal(r.json.government_cents, 400000);
  r = expectStatus(await quote('ESS', { submitted_on: '2019-06-01', eligible_cost_cents: 3000000000 }), 200);
  assert.equal(r.json.government_cents, 1000000000);
  assert.ok(r.json.capped_by);
});

test('quote refusals name the field', async () => {
  let r = await quote('TVP', { eligible_cost_cents: 100 });
  assert.ok([400, 422].includes(r.status));
  assert.equal(r.json.error.field, 'submitted_on');
  r = await quote('TVP', { submitted_on: '2020-04-01', eligible_cost_cents: -1 });
  assert.ok([400, 422].includes(r.status));
  assert.equal(r.json.error.field, 'eligible_cost_cents');
  r = await quote('TVP', { submitted_on: '2020-04-01', eligible_cost_cents: 1.5 });
  assert.ok([400, 422].includes(r.status));
  assert.equal(r.json.error.field, 'eligible_cost_cents');
  r = await quote('TVP', { submitted_on: '2020-04-01', eligible_cost_cents: '100' });
  assert.ok([400, 422].includes(r.status));
  r = await quote('TVP', { submitted_on: '2020-02-30', eligible_cost_cents: 100 });
  assert.ok([400, 422].includes(r.status));
  assert.equal(r.json.error.field, 'submitted_on');
  r = await quote('TVP', { submitted_on: '2020-04-01', eligible_cost_cents: 100, colour: 'red' });
  assert.ok([400, 422].includes(r.status));
  assert.equal(r.json.error.field, 'colour');
  r = await quote('TVP', { submitted_on: '2020-04-01', eligible_cost_cents: 100, prior_projects: 6 });
  assert.equal(r.status, 422);
  r = await quote('RTH', { submitted_on: '2021-01-04', qualification: 'doctorate', head_count: 5, months: 12 });
  assert.equal(r.status, 422);
  r = await quote('RTH', { submitted_on: '2021-01-04', qualification: 'wizard', head_count: 1, months: 12 });
  assert.ok([400, 422].includes(r.status));
  assert.equal(r.json.error.field, 'qualification');
  expectError(await quote('NOPE', { submitted_on: '2020-04-01' }), 404, 'not_found');
});

test('malformed bodies are refused before anything runs', async () => {
  let r = await api('POST', '/api/v1/schemes/TVP/quote', { body: '{"submitted_on": ', csrf: false });
  expectError(r, 400, 'bad_request');
  assert.match(r.json.error.message, /line 1, column/);
  r = await api('POST', '/api/v1/schemes/TVP/quote', { body: '[1,2]', csrf: false });
  expectError(r, 400, 'bad_request');
  r = await api('POST', '/api/v1/schemes/TVP/quote', { body: '{"a":1,"a":2}', csrf: false });
  expectError(r, 400, 'bad_request');
  r = await api('POST', '/api/v1/schemes/TVP/quote', { body: 'submitted_on=2020-04-01',
    headers: { 'content-type': 'application/x-www-form-urlencoded' }, csrf: false });
  expectError(r, 400, 'bad_request', 'content-type');
  r = await api('POST', '/api/v1/schemes/TVP/quote', { body: '{"x":"' + 'a'.repeat(300000) + '"}', csrf: false });
  expectError(r, 413, 'too_large');
  r = await api('POST', '/api/v1/schemes/TVP/quote', { body: '['.repeat(5000) + ']'.repeat(5000), csrf: false });
  expectError(r, 400, 'bad_request');
  expectStatus(await api('GET', '/api/v1/schemes/TVP/quote'), 405);
});

test('itfctl: help, migrate is idempotent, a changed migration is refused', () => {
  let r = itfctl(['--help']);
  assert.equal(r.status, 0);
  for (const c of ['migrate', 'schemes load', 'schemes check'])
    assert.ok(r.stdout.includes(c), `--help lists ${c}`);
  r = itfctl(['migrate']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /0 migrations applied/);
  r = itfctl(['migrate', 'status']);
  assert.equal(r.status, 0);
  // pretend 0001 was applied from different text
  psql("UPDATE schema_migrations SET checksum = 'deadbeef' WHERE version = '0001'");
  try {
    r = itfctl(['migrate']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /0001_foundation\.sql was changed after it was applied/);
  } finally {
    // put back the real sha256 of the file, as the runner computes it
    const real = createHash('sha256')
      .update(readFileSync(`${ROOT}/migrations/0001_foundation.sql`)).digest('hex');
    psql(`UPDATE schema_migrations SET checksum = '${real}' WHERE version = '0001'`);
  }
  assert.equal(itfctl(['migrate']).status, 0);
});
