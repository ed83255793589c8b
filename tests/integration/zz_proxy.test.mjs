// Behind a reverse proxy (issue 9): production terminates TLS at a proxy on
// the same host, so Kore's TCP peer is the proxy.  With ITF_TRUSTED_PROXIES
// set, and only when the peer is one of them, the client address is the
// rightmost X-Forwarded-For entry that is not itself a trusted proxy; it is
// what the login and registration throttles count and what login_attempts
// and register_attempts record.  A second service on the test database
// plays the host behind the proxy, trusting 127.0.0.1 (the test's own
// connections) and 10.0.0.0/8 (a second proxy tier); the test sends the
// headers a proxy would.  (Without the setting, access.test.mjs shows a
// forged header changes nothing.)  A bad setting stops the start.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { expectStatus, expectError, itfctl, psql, uniq } from './lib.mjs';
import { sleep, stopKore, tryService } from './service.mjs';

const PW = 'correct horse battery staple';
// Documentation addresses (RFC 5737, RFC 3849), unique to this file.
const A = '198.51.100.7';
const B = '198.51.100.8';
const R1 = '198.51.100.20';
const R2 = '198.51.100.21';
const V6 = '2001:db8:aa:bb::';
const MINE = [A, B, R1, R2, `${V6}/64`, '203.0.113.50', '203.0.113.1'];
let proxied = null;

// A service configured as test.sh configures the first, with env added.
// Resolves { child, base, dir } once it answers, or { child, log } if it
// exits first.
async function start(env, name) {
  const { child, base, dir, up } = await tryService(name,
    { env: { ...process.env, ...env }, workers: 2 });
  if (up) return { child, base, dir };
  if (child.exitCode === null) {
    await Promise.race([once(child, 'exit'), sleep(5000)]);
  }
  if (child.exitCode === null) child.kill('SIGTERM');
  return { child, log: readFileSync(`${dir}/kore.log`, 'utf8') };
}

async function stop(s) {
  await stopKore(s && s.child);
}

// One call to the proxied service, as the proxy would send it.
async function call(method, path, { body, xff, cookie } = {}) {
  const headers = { connection: 'close' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (xff !== undefined) headers['x-forwarded-for'] = xff;
  if (cookie) headers.cookie = cookie;
  if (method !== 'GET') headers['x-itf-request'] = '1';
  const res = await fetch(proxied.base + path, { method, headers,
    body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  return { status: res.status, json, text, headers: res.headers };
}

// A raw request with the header lines given, in order (fetch joins
// repeated headers into one; a proxy such as haproxy adds a line).
function raw(lines, body) {
  const { hostname, port } = new URL(proxied.base);
  return new Promise((resolve, reject) => {
    const s = net.connect(Number(port), hostname, () => {
      s.write(['POST /api/v1/session HTTP/1.1', `Host: ${hostname}`, 'Connection: close',
        'Content-Type: application/json', 'X-ITF-Request: 1', `Content-Length: ${Buffer.byteLength(body)}`,
        ...lines, '', body].join('\r\n'));
    });
    let d = '';
    s.setEncoding('utf8');
    s.on('data', (c) => { d += c; });
    s.on('close', () => resolve(Number(d.slice(9, 12))));
    s.on('error', reject);
    s.setTimeout(10000, () => s.destroy());
  });
}

const failed = (address) => Number(psql(`SELECT count(*) FROM login_attempts
  WHERE address = '${address}' AND NOT success`));
const spray = (xff) => call('POST', '/api/v1/session', { xff,
  body: { email: `${uniq('px')}@example.hk`, password: 'password spraying' } });

function cleanup() {
  const list = MINE.map((a) => `'${a}'`).join(',');
  psql(`DELETE FROM login_attempts WHERE address IN (${list});
    DELETE FROM register_attempts WHERE address IN (${list})`);
}

before(async () => {
  cleanup();
  proxied = await start({ ITF_TRUSTED_PROXIES: '127.0.0.1, 10.0.0.0/8' }, 'proxied');
  assert.ok(proxied.base, `the proxied service did not start:\n${proxied.log}`);
});

after(async () => {
  await stop(proxied);
  cleanup();
});

test('a bad ITF_TRUSTED_PROXIES stops the start, naming it', async () => {
  for (const bad of ['10.1.0.0/8', 'proxy.example', '127.0.0.1:8080', '127.0.0.1,,::1']) {
    const s = await start({ ITF_TRUSTED_PROXIES: bad }, 'badproxy');
    await stop(s);
    assert.equal(s.base, undefined, `${bad}: started`);
    assert.match(s.log, /ITF_TRUSTED_PROXIES: /, bad);
  }
});

test('behind a trusted proxy, two forwarded addresses are throttled separately and recorded', async () => {
  const email = `${uniq('px')}@example.hk`;
  assert.equal(itfctl(['user', 'add', '--email', email, '--role', 'officer'], `${PW}\n`).status, 0);
  const before127 = failed('127.0.0.1');
  for (let i = 0; i < 20; i++) expectError(await spray(A), 401, 'unauthenticated');
  // A's 21st is refused, even with the right password; B is not.
  const r = await call('POST', '/api/v1/session', { xff: A, body: { email, password: PW } });
  expectError(r, 429, 'throttled');
  assert.ok(Number(r.headers.get('retry-after')) > 0);
  expectStatus(await call('POST', '/api/v1/session', { xff: B, body: { email, password: PW } }), 200, 'B');
  // Recorded under the forwarded address, not the proxy's.
  assert.equal(failed(A), 20);
  assert.equal(failed('127.0.0.1'), before127);
  assert.equal(psql(`SELECT count(*) FROM login_attempts WHERE address = '${B}' AND success`), '1');
  // The rightmost address that is not a proxy counts: entries to its left
  // are the client's own and change nothing, a trusted hop to its right
  // (10.0.0.0/8) is passed over.
  for (const xff of [`203.0.113.1, ${A}`, `${A}, 10.1.2.3`, `203.0.113.1,${A} , 10.9.9.9`]) {
    expectError(await call('POST', '/api/v1/session', { xff, body: { email, password: PW } }), 429, 'throttled');
  }
  // Two header lines (a proxy adding its own after the client's): one list.
  const body = JSON.stringify({ email, password: PW });
  assert.equal(await raw(['X-Forwarded-For: 203.0.113.50', `X-Forwarded-For: ${A}`], body), 429);
  assert.equal(await raw([`X-Forwarded-For: ${A}`, 'X-Forwarded-For: 203.0.113.50'], body), 200);
  assert.equal(failed('203.0.113.50'), 0);
  assert.equal(psql("SELECT count(*) FROM login_attempts WHERE address = '203.0.113.50' AND success"), '1');
});

test('forwarded IPv6 clients count by /64; an unreadable entry counts as the proxy', async () => {
  await spray(`${V6}1`);
  await spray(`[${V6}2]:4711`);
  await spray(`::ffff:${B}`);
  assert.equal(failed(`${V6}/64`), 2);
  assert.equal(failed(B), 1);
  const before127 = failed('127.0.0.1');
  await spray('unknown');
  await spray(`${A}, unknown`);
  await spray(' , ');
  assert.equal(failed('127.0.0.1'), before127 + 3);
  psql("DELETE FROM login_attempts WHERE address = '127.0.0.1' AND NOT success AND at > now() - interval '1 minute'");
});

test('registrations are throttled per forwarded address: 429 with Retry-After, nothing written', async () => {
  const tag = uniq('pxr');
  const reg = (i, xff, o = {}) => call('POST', '/api/v1/organisations', { xff, body: {
    organisation: { name_en: `Proxy ${tag} ${i}`, name_zh: '代理測試', type: 'other' },
    user: { email: `${tag}-${i}@example.hk`, password: PW }, ...o } });
  // Refused for its input: does not count.
  expectError(await reg('bad', R1, { user: { email: 'not an email', password: PW } }), 422, 'invalid', 'user.email');
  assert.equal(psql(`SELECT count(*) FROM register_attempts WHERE address = '${R1}'`), '0');
  for (let i = 0; i < 9; i++) expectStatus(await reg(i, R1), 201, `registration ${i}`);
  // A duplicate (which tells the caller the email exists) counts.
  expectError(await reg(0, R1), 409, 'conflict', 'user.email');
  assert.equal(psql(`SELECT count(*) FROM register_attempts WHERE address = '${R1}'`), '10');
  const snap = () => psql(`SELECT concat_ws(',', (SELECT max(id) FROM audit_log),
    (SELECT count(*) FROM organisations), (SELECT count(*) FROM users), (SELECT count(*) FROM sessions),
    (SELECT count(*) FROM register_attempts))`);
  const s0 = snap();
  const r = await reg(10, R1);
  expectError(r, 429, 'throttled');
  assert.ok(Number(r.headers.get('retry-after')) > 3000, r.headers.get('retry-after'));
  assert.equal(r.headers.getSetCookie().length, 0);
  // The client's forged entries do not help it.
  expectError(await reg(11, `${R2}, ${R1}`), 429, 'throttled');
  assert.equal(snap(), s0, 'a throttled registration wrote something');
  // Another address is not held up.
  expectStatus(await reg(12, R2), 201);
  assert.equal(psql(`SELECT count(*) FROM register_attempts WHERE address = '${R2}'`), '1');
  assert.equal(psql(`SELECT count(*) FROM organisations WHERE name_en LIKE 'Proxy ${tag} %'`), '10');
});

test('the proxied service\'s workers never died', async () => {
  expectStatus(await call('GET', '/api/v1/health'), 200);
  const log = readFileSync(`${proxied.dir}/kore.log`, 'utf8');
  assert.match(log, /client addresses from X-Forwarded-For when the peer is one of 2 trusted proxy entries/);
  assert.doesNotMatch(log, /sandbox violation|gone \(|worker \d+ .*gone/);
});

// The service's own start without the setting answers every client as its
// TCP peer; shown in access.test.mjs.  Registrations from the host itself
// (loopback, not through a proxy) are not throttled: the suites register
// hundreds of organisations from 127.0.0.1.
test('loopback registrations are not counted', () => {
  assert.equal(psql("SELECT count(*) FROM register_attempts WHERE address LIKE '127.%'"), '0');
});
