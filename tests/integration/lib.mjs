// Shared helpers for the integration tests.  scripts/test.sh starts a
// private PostgreSQL cluster and the real Kore service, then runs these
// files with ITF_BASE_URL, ITF_DATABASE_URL and ITF_ROOT set.
import { execFileSync, spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';

export const BASE = process.env.ITF_BASE_URL;
export const ROOT = process.env.ITF_ROOT;
if (!BASE) throw new Error('run through scripts/test.sh (ITF_BASE_URL unset)');

// One HTTP call.  opts: body (object -> JSON, string -> raw), cookie,
// headers, csrf (default true on writes: sends X-ITF-Request).
export async function api(method, path, opts = {}) {
  const headers = { ...(opts.headers || {}) };
  let body;
  if (opts.body !== undefined) {
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    if (!('content-type' in headers)) headers['content-type'] = 'application/json';
  }
  if (opts.cookie) headers.cookie = opts.cookie;
  if (method !== 'GET' && method !== 'HEAD' && opts.csrf !== false)
    headers['x-itf-request'] = '1';
  const res = await fetch(BASE + path, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  return { status: res.status, json, text, headers: res.headers };
}

// Assert the status, printing the body when it differs.
export function expectStatus(res, status, what = '') {
  assert.equal(res.status, status,
    `${what} expected ${status}, got ${res.status}: ${res.text.slice(0, 400)}`);
  return res;
}

// Assert a JSON error body with the given code and (optionally) field.
export function expectError(res, status, code, field) {
  expectStatus(res, status);
  assert.ok(res.json && res.json.error, `no error body: ${res.text}`);
  if (code) assert.equal(res.json.error.code, code, res.text);
  if (field !== undefined) assert.equal(res.json.error.field, field, res.text);
  assert.ok(res.json.error.message.length > 0);
  return res;
}

// Run bin/itfctl against the test database; returns { status, stdout, stderr }.
export function itfctl(args, input = '') {
  const r = spawnSync(`${ROOT}/bin/itfctl`, args, { input, encoding: 'utf8',
    env: process.env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Run the tests/db fixture (build/dbtests/test_projects: "approve ID CENTS"
// approves as the decision does, "verify" runs ledger_verify()) against the
// test database; returns { status, stdout, stderr }.
export function projectsFixture(args) {
  const r = spawnSync(`${ROOT}/build/dbtests/test_projects`, args, { encoding: 'utf8',
    env: process.env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Run SQL as the database owner (tests only; the service never does this).
export function psql(sql, role) {
  const args = [process.env.ITF_DATABASE_URL, '-Atq', '-v', 'ON_ERROR_STOP=1'];
  const script = role ? `SET ROLE ${role};\n${sql}` : sql;
  return execFileSync('psql', [...args, '-c', script], { encoding: 'utf8' }).trim();
}

// Like psql() but returns { status, stdout, stderr } instead of throwing.
export function psqlTry(sql, role) {
  const script = role ? `SET ROLE ${role};\n${sql}` : sql;
  const r = spawnSync('psql', [process.env.ITF_DATABASE_URL, '-Atq', '-v',
    'ON_ERROR_STOP=1', '-c', script], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr };
}

let seq = 0;
// A unique suffix for test data, so files never collide.
export function uniq(prefix = 't') {
  seq += 1;
  return `${prefix}${process.pid}x${Date.now() % 1e8}x${seq}`;
}
