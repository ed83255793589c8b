// Database loss: stop PostgreSQL under the running service.  It must keep
// answering (503 with a clear error, within a bounded time, never a crash),
// and recover by itself once the database is back.  Runs last (zz_).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { api, ROOT } from './lib.mjs';

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
