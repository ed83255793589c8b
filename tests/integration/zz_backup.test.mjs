// Backups: scripts/backup.sh dumps the test database with a fingerprint
// taken in the same snapshot; scripts/restore.sh restores it into a fresh
// database of the same cluster and checks it against the fingerprint.  The
// fingerprint (rows and a checksum per table, the audit trail's last hash
// and chain check, the ledger's balances) is also compared directly between
// the two databases, the restored audit chain is verified by itfctl, and
// the check is shown to catch a change.  Independent of zz_dbloss.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { api, expectStatus, itfctl, psql, uniq, ROOT } from './lib.mjs';

const tmp = mkdtempSync(`${process.env.ITF_TEST_TMP || '/tmp'}/backup-`);
const restored = `itf_restore_${process.pid}`;
const URL = process.env.ITF_DATABASE_URL;
// The test cluster's URL with another database name (keyword/value form:
// libpq keeps the last dbname).
const restoredURL = `${URL} dbname=${restored}`;

function run(script, args, env = {}) {
  const r = spawnSync(`${ROOT}/scripts/${script}`, args, { encoding: 'utf8',
    env: { ...process.env, ...env }, timeout: 120000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// psql against another database of the cluster; throws on an error.
function psqlAt(url, sql) {
  const r = spawnSync('psql', [url, '-Atq', '-v', 'ON_ERROR_STOP=1', '-c', sql],
    { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

function fingerprint(url) {
  const r = run('backup.sh', ['--fingerprint'], { ITF_DATABASE_URL: url });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  return r.stdout;
}

after(() => {
  psql(`DROP DATABASE IF EXISTS ${restored} WITH (FORCE)`);
  psql(`DROP DATABASE IF EXISTS ${restored}_busy WITH (FORCE)`);
  rmSync(tmp, { recursive: true, force: true });
});

test('backup.sh and restore.sh round-trip the database exactly', async () => {
  // Some data of our own, through the CLI and the API, so every kind of
  // row the audit trail chains is in the dump whatever ran before.
  const org = itfctl(['org', 'add', '--name-en', `Backup ${uniq()}`, '--name-zh', '備份測試',
    '--type', 'university']);
  assert.equal(org.status, 0, org.stderr);
  const email = `${uniq('bk')}@example.hk`;
  const user = itfctl(['user', 'add', '--email', email, '--role', 'officer'],
    'correct horse battery staple\n');
  assert.equal(user.status, 0, user.stderr);
  expectStatus(await api('POST', '/api/v1/session',
    { body: { email, password: 'correct horse battery staple' } }), 200);

  const dump = `${tmp}/itf.dump`;
  const b = run('backup.sh', [dump]);
  assert.equal(b.status, 0, b.stderr + b.stdout);
  assert.match(b.stdout, /^backup: .*itf\.dump \(\d+ bytes, \d+ tables\)/);
  assert.ok(existsSync(`${dump}.fingerprint`));
  const fp = readFileSync(`${dump}.fingerprint`, 'utf8');
  assert.match(fp, /^table organisations rows=\d+ sum=\d+$/m);
  assert.match(fp, /^table audit_log rows=\d+ sum=\d+$/m);
  const audit = fp.match(/^audit rows=(\d+) last=([0-9a-f]{64}) broken=0$/m);
  assert.ok(audit, `no audit line in:\n${fp}`);
  assert.equal(audit[2], psql('SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1'));
  if (psql("SELECT to_regclass('public.ledger_postings') IS NOT NULL") === 't')
    assert.match(fp, /^ledger H111-101 balance=-?\d+ postings=-?\d+$/m);
  // The fingerprint describes the database at the dump, not just now.
  assert.equal(fingerprint(URL), fp);

  const r = run('restore.sh', [dump, restored]);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.match(r.stdout, new RegExp(`restore: ${restored} matches`));

  // Compared directly, and the restored chain verified by itfctl.
  assert.equal(fingerprint(restoredURL), fingerprint(URL));
  const v = spawnSync(`${ROOT}/bin/itfctl`, ['audit', 'verify'], { encoding: 'utf8',
    env: { ...process.env, ITF_DATABASE_URL: restoredURL } });
  assert.equal(v.status, 0, v.stderr + v.stdout);
  // The service's role can use the restored database as it uses the live one.
  assert.equal(psqlAt(restoredURL, 'SET ROLE itf_app; SELECT count(*) > 0 FROM organisations'), 't');
  const mig = spawnSync(`${ROOT}/bin/itfctl`, ['migrate', 'status'], { encoding: 'utf8',
    env: { ...process.env, ITF_DATABASE_URL: restoredURL } });
  assert.equal(mig.status, 0, mig.stderr + mig.stdout);
});

test('restore.sh never overwrites and its check catches a difference', () => {
  const dump = `${tmp}/itf.dump`;
  assert.ok(existsSync(dump), 'the previous test made the dump');
  let r = run('restore.sh', [dump, restored]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /exists/);
  r = run('restore.sh', [dump, 'Bad-Name']);
  assert.equal(r.status, 2);
  r = run('restore.sh', [`${tmp}/missing.dump`, `${restored}_x`]);
  assert.equal(r.status, 1);

  r = run('restore.sh', ['--verify', dump, restored]);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  // One more organisation in the copy: the check must see it.
  psqlAt(restoredURL,
    "INSERT INTO organisations (name_en, name_zh, org_type) VALUES ('Tamper', '篡改', 'other')");
  r = run('restore.sh', ['--verify', dump, restored]);
  assert.equal(r.status, 1, r.stdout);
  assert.match(r.stderr, /does NOT match/);
  assert.match(r.stderr, /table organisations rows=/);
});

test('a backup taken while the service writes restores to exactly its fingerprint', async () => {
  // Registrations (organisation, user, session, notification and four
  // audit rows each, in one transaction) run until the backup is done, so
  // some commit between pg_dump's start and the fingerprint's queries: the
  // file and its fingerprint agree only if both read one snapshot.
  const dump = `${tmp}/busy.dump`;
  // ITF_BACKUP_PAUSE holds the backup for a second between its snapshot and
  // pg_dump's start, so writes surely land there.
  const child = spawn(`${ROOT}/scripts/backup.sh`, [dump], { env: { ...process.env,
    ITF_BACKUP_PAUSE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c) => { out += c; });
  child.stderr.on('data', (c) => { out += c; });
  const done = once(child, 'exit');
  let running = true;
  done.then(() => { running = false; });
  let writes = 0;
  const writer = async () => {
    for (let i = 0; i < 200 && running; i++) {
      const r = await api('POST', '/api/v1/organisations', { body: {
        organisation: { name_en: `Busy ${uniq()}`, name_zh: '備份期間', type: 'other' },
        user: { email: `${uniq('busy')}@example.hk`, password: 'correct horse battery staple' } } });
      expectStatus(r, 201, 'registration during the backup');
      writes++;
    }
  };
  await Promise.all([writer(), writer(), done]);
  assert.equal(child.exitCode, 0, out);
  assert.ok(writes >= 4, `the service wrote during the backup (${writes})`);
  const r = run('restore.sh', [dump, `${restored}_busy`]);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /matches/);
});
