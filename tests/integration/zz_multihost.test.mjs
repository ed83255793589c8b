// More than one host: a second instance of the service (its own Kore, own
// port, same database, as a second machine behind a load balancer would
// be).  Sessions live in the database, so a login on one host is good on
// the other, and a logout on either ends it on both.  Registrations sent
// through both hosts at once, including pairs racing for the same email or
// BR number, leave no duplicate, a complete audit trail for every winner,
// nothing of any loser, and a hash chain itfctl still verifies.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BASE, api, expectStatus, itfctl, psql, uniq } from './lib.mjs';
import { startService, stopKore } from './service.mjs';

const PW = 'correct horse battery staple';
let hostB = null;

// A second service on a free loopback port, configured as test.sh
// configures the first (kore.conf with its own bind, pidfile and body
// directory), against the same ITF_DATABASE_URL.
function startHost() {
  return startService('hostb', 'the second host', { workers: 2 });
}

// One call to host base, on a connection of its own.
async function call(base, method, path, opts = {}) {
  const headers = { connection: 'close' };
  let body;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  if (opts.cookie) headers.cookie = opts.cookie;
  if (method !== 'GET') headers['x-itf-request'] = '1';
  const res = await fetch(base + path, { method, headers, body });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  return { status: res.status, json, text, headers: res.headers };
}

before(async () => { hostB = await startHost(); });

after(async () => { await stopKore(hostB && hostB.child); });

test('a session made on one host works on the other, and ends on both', async () => {
  const email = `${uniq('mh')}@example.hk`;
  const u = itfctl(['user', 'add', '--email', email, '--role', 'officer'], `${PW}\n`);
  assert.equal(u.status, 0, u.stderr);

  const login = expectStatus(await call(BASE, 'POST', '/api/v1/session',
    { body: { email, password: PW } }), 200, 'login on host A');
  const cookie = login.headers.getSetCookie().find((c) => c.startsWith('itf_session='))
    .split(';')[0];
  const onB = expectStatus(await call(hostB.base, 'GET', '/api/v1/session', { cookie }),
    200, 'the session on host B');
  assert.equal(onB.json.user.email, email);
  expectStatus(await call(hostB.base, 'GET', '/api/v1/notifications', { cookie }), 200);

  // Sign out on B: the token is dead on A too.
  expectStatus(await call(hostB.base, 'DELETE', '/api/v1/session', { cookie }), 204);
  expectStatus(await call(BASE, 'GET', '/api/v1/session', { cookie }), 401);
  expectStatus(await call(hostB.base, 'GET', '/api/v1/session', { cookie }), 401);
});

test('registrations through both hosts at once: no duplicates, every audit row', async () => {
  const tag = uniq('mh');
  // 100 BR numbers nobody holds yet.
  let brBase = 0;
  for (let i = 0; i < 50 && !brBase; i++) {
    const b = 40000000 + Math.floor(Math.random() * 500000) * 100;
    if (psql(`SELECT count(*) FROM organisations WHERE br_number ~ '^[0-9]{8}$'
      AND br_number::bigint BETWEEN ${b} AND ${b + 99}`) === '0') brBase = b;
  }
  assert.ok(brBase, 'a free range of BR numbers');
  const body = (i, email, br) => ({
    organisation: { name_en: `Multihost ${tag} ${i}`, name_zh: `多主機測試 ${i}`,
      type: 'company', br_number: String(br) },
    user: { email, password: PW, name: `Applicant ${i}` },
  });
  const jobs = [];
  // 16 distinct registrations, alternating hosts.
  for (let i = 0; i < 16; i++) {
    const base = i % 2 === 0 ? BASE : hostB.base;
    jobs.push({ kind: 'unique', i, base,
      body: body(i, `${tag}-${i}@example.hk`, brBase + i) });
  }
  // 4 pairs racing for one BR number, 4 pairs for one email: one host each.
  for (let k = 0; k < 4; k++) {
    const br = brBase + 50 + k;
    jobs.push({ kind: 'br', k, base: BASE, body: body(100 + k, `${tag}-brA${k}@example.hk`, br) });
    jobs.push({ kind: 'br', k, base: hostB.base, body: body(200 + k, `${tag}-brB${k}@example.hk`, br) });
    const email = `${tag}-same${k}@example.hk`;
    jobs.push({ kind: 'email', k, base: BASE, body: body(300 + k, email, brBase + 60 + 2 * k) });
    jobs.push({ kind: 'email', k, base: hostB.base, body: body(400 + k, email.toUpperCase(), brBase + 61 + 2 * k) });
  }
  const results = await Promise.all(jobs.map((j) =>
    call(j.base, 'POST', '/api/v1/organisations', { body: j.body })));

  const created = [];
  results.forEach((r, n) => {
    const j = jobs[n];
    if (j.kind === 'unique') {
      expectStatus(r, 201, `registration ${j.i}`);
      created.push(r.json);
    } else {
      assert.ok(r.status === 201 || r.status === 409, `${j.kind} race: ${r.status} ${r.text}`);
      if (r.status === 201) created.push(r.json);
      else assert.equal(r.json.error.field, j.kind === 'br' ? 'organisation.br_number' : 'user.email');
    }
  });
  for (const kind of ['br', 'email']) {
    for (let k = 0; k < 4; k++) {
      const won = results.filter((r, n) => jobs[n].kind === kind && jobs[n].k === k
        && r.status === 201);
      assert.equal(won.length, 1, `exactly one of the ${kind} race ${k} wins`);
    }
  }
  assert.equal(created.length, 24);

  // In the database: exactly the winners, once each.
  const orgIds = created.map((c) => c.organisation.id);
  const userIds = created.map((c) => c.user.id);
  assert.equal(new Set(orgIds).size, 24);
  assert.equal(psql(`SELECT count(*) FROM organisations WHERE name_en LIKE 'Multihost ${tag} %'`), '24');
  assert.equal(psql(`SELECT count(*) FROM users WHERE email LIKE '${tag}-%'`), '24');
  assert.equal(psql(`SELECT count(*) FROM (SELECT br_number FROM organisations
    WHERE br_number IS NOT NULL GROUP BY br_number HAVING count(*) > 1) d`), '0');
  assert.equal(psql(`SELECT count(*) FROM (SELECT lower(email) FROM users
    GROUP BY lower(email) HAVING count(*) > 1) d`), '0');

  // Every winner's audit rows, once each; nothing for the losers.
  const orgList = orgIds.join(',');
  const userList = userIds.join(',');
  assert.equal(psql(`SELECT count(*) FROM audit_log WHERE action = 'organisation.register'
    AND record_type = 'organisation' AND record_id::bigint IN (${orgList})`), '24');
  assert.equal(psql(`SELECT count(DISTINCT record_id) || '/' || count(*) FROM audit_log
    WHERE action = 'user.create' AND record_id::bigint IN (${userList})`), '24/24');
  assert.equal(psql(`SELECT count(*) FROM audit_log WHERE action = 'session.create'
    AND actor_id IN (${userList})`), '24');
  assert.equal(psql(`SELECT count(*) FROM audit_log WHERE action = 'organisation.register'
    AND after->>'name_en' LIKE 'Multihost ${tag} %'`), '24');

  // The chain, written by two services at once, is intact.
  const v = itfctl(['audit', 'verify']);
  assert.equal(v.status, 0, v.stderr + v.stdout);

  // Each new session works on the other host too.
  const r0 = results[1];
  const cookie = r0.headers.getSetCookie().find((c) => c.startsWith('itf_session='))
    .split(';')[0];
  expectStatus(await call(BASE, 'GET', '/api/v1/session', { cookie }), 200);
});

test('the second host\'s workers never died', async () => {
  expectStatus(await call(hostB.base, 'GET', '/api/v1/health'), 200);
  const log = readFileSync(`${hostB.dir}/kore.log`, 'utf8');
  assert.doesNotMatch(log, /sandbox violation|gone \(|worker \d+ .*gone/);
});
