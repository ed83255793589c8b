// Database loss: stop PostgreSQL under the running service.  It must keep
// answering (503 with a clear error, within a bounded time, never a crash),
// and recover by itself once the database is back.  Runs last (zz_).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { api, itfctl, psql, ROOT } from './lib.mjs';

const PW = 'correct horse battery staple';

const dir = process.env.ITF_PG_DIR;
const port = process.env.ITF_PGPORT_TEST;

function pg(cmd) {
  execFileSync(`${ROOT}/scripts/pg.sh`, [cmd, dir, port], { stdio: 'ignore' });
}

test('the service answers 503 while the database is down and recovers', async () => {
  assert.equal((await api('GET', '/api/v1/health')).status, 200);
  pg('stop');
  try {
    for (let i = 0; i < 4; i++) {
      const t0 = Date.now();
      const r = await api('GET', '/api/v1/health');
      assert.equal(r.status, 503);
      assert.equal(r.json.database, 'unavailable');
      assert.ok(Date.now() - t0 < 5000, 'answered within the connect timeout');
    }
    // endpoints that need no database keep working
    assert.equal((await api('GET', '/api/v1/schemes')).status, 200);
  } finally {
    pg('start');
  }
  let ok = false;
  for (let i = 0; i < 50 && !ok; i++) {
    ok = (await api('GET', '/api/v1/health')).status === 200;
    if (!ok) await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(ok, 'health is 200 again within 10 s of the database coming back');
  // both workers recover: a few calls in a row all succeed
  for (let i = 0; i < 6; i++)
    assert.equal((await api('GET', '/api/v1/health')).status, 200);
});

// A worker whose idle connection was ended by the server (a restart it did
// not see, pg_terminate_backend, an idle timeout) renews it before the
// request's first statement, whatever that is: a login starts with a
// WITH query, which db_query() would not send twice.
test('idle connections ended by the server are renewed before any statement', async () => {
  const email = `dbloss${process.pid}@example.hk`;
  const u = itfctl(['user', 'add', '--email', email, '--role', 'officer'], `${PW}\n`);
  assert.equal(u.status, 0, u.stderr);
  const login = () => api('POST', '/api/v1/session', { body: { email, password: PW },
    headers: { connection: 'close' } });
  for (let round = 0; round < 3; round++) {
    const pids = psql(`SELECT string_agg(pid::text, ',') FROM pg_stat_activity
      WHERE application_name = 'itf' AND state = 'idle'`);
    assert.ok(pids, 'the service had idle connections to end');
    psql(`SELECT pg_terminate_backend(pid) FROM unnest('{${pids}}'::int[]) pid`);
    let left = -1;
    for (let i = 0; i < 50 && left !== 0; i++) {	// gone within 5 s
      left = Number(psql(`SELECT count(*) FROM pg_stat_activity
        WHERE pid = ANY('{${pids}}'::int[])`));
      if (left) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(left, 0, 'the ended backends are gone');
    // New connections, so both workers serve some of them.
    for (let i = 0; i < 4; i++) {
      const r = await login();
      assert.equal(r.status, 200, `login ${round}.${i} after the server ended the connections: ${r.text}`);
    }
  }
});
