// Production layout: conf/kore.prod.conf, with its paths and port moved into
// a directory of the test's own, run as production runs it: Kore started as
// root without -n/-r, workers chrooted and running as an unprivileged user
// (itfweb, created like pg.sh creates itfpg) under their seccomp sandbox,
// one per CPU, access log on, ITF_TLS=1.  The database socket reaches the
// chroot as a hard link of the test cluster's socket (production points
// PostgreSQL's unix_socket_directories into the chroot instead).
//
// TLS is terminated in front of Kore, as kore.prod.conf explains (Debian's
// kore 4.1.0 cannot do a TLS handshake with OpenSSL 3); here a Node TLS
// server with a fresh self-signed certificate stands in for the proxy.
// Every route of conf/routes.conf is called over HTTPS, signed in, and the
// workers must survive all of it.  Kore's own TLS is tried too, as a todo:
// it passes the day the packaged Kore can do TLS.
// Needs root (chroot, setuid); skipped otherwise.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync, chownSync, cpSync, linkSync, mkdirSync, mkdtempSync, readFileSync,
  readdirSync, readlinkSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { itfctl, uniq, ROOT } from './lib.mjs';
import { answers, freePort, sleep, spawnKore, stopKore, waitFor } from './service.mjs';

const isRoot = process.getuid && process.getuid() === 0;
const skip = isRoot ? false : 'needs root (chroot and runas)';
const RUNAS = 'itfweb';
const PW = 'correct horse battery staple';
let env = null;		// what before() set up
let prodWorkers = 0;	// the workers line of kore.prod.conf

// host= and port= of the test database (scripts/test.sh's keyword form).
function dbSocket() {
  const url = process.env.ITF_DATABASE_URL;
  const host = /(?:^|\s)host=(\S+)/.exec(url)[1];
  const port = /(?:^|\s)port=(\S+)/.exec(url)[1];
  return { host, port, file: `${host}/.s.PGSQL.${port}` };
}

function ensureUser() {
  if (spawnSync('id', [RUNAS]).status !== 0) {
    execFileSync('useradd', ['--system', '--no-create-home', '--home-dir', '/nonexistent',
      '--shell', '/usr/sbin/nologin', RUNAS]);
  }
  return Number(execFileSync('id', ['-u', RUNAS], { encoding: 'utf8' }));
}

// The chroot: run/ (the database socket), ui/, tmp/, uploads/.  A hard link
// must stay on one filesystem, so the chroot goes beside the socket's
// directory if the test directory is elsewhere.
function makeChroot(dir, uid) {
  const sock = dbSocket();
  let root = `${dir}/www`;
  for (const base of [dir, path.dirname(path.dirname(sock.host))]) {
    root = mkdtempSync(`${base}/www-`);
    chmodSync(root, 0o755);
    mkdirSync(`${root}/run`, { mode: 0o755 });
    try {
      linkSync(sock.file, `${root}/run/.s.PGSQL.${sock.port}`);
      break;
    } catch (e) {
      rmSync(root, { recursive: true, force: true });
      if (e.code !== 'EXDEV') throw e;
      root = null;
    }
  }
  assert.ok(root, 'a chroot on the filesystem of the database socket');
  cpSync(`${ROOT}/build/ui`, `${root}/ui`, { recursive: true });
  for (const d of ['tmp', 'uploads']) {
    mkdirSync(`${root}/${d}`, { mode: 0o700 });
    chownSync(`${root}/${d}`, uid, 0);
  }
  return { root, port: sock.port };
}

// conf/kore.prod.conf with the test's paths: the same directives otherwise.
function prodConfig(dir, chroot, port) {
  const conf = readFileSync(`${ROOT}/conf/kore.prod.conf`, 'utf8');
  const out = conf
    .replace(/^load\t.*$/m, `load\t\t${ROOT}/build/app.so`)
    .replace(/^\tbind\t.*$/m, `\tbind\t127.0.0.1 ${port}`)
    .replace(/^root\t.*$/m, `root\t\t${chroot}`)
    .replace(/^runas\t.*$/m, `runas\t\t${RUNAS}`)
    .replace(/^pidfile\t.*$/m, `pidfile\t\t\t${dir}/kore.pid`)
    .replace(/^include\t.*$/m, `include\t\t\t${dir}/routes.prod.conf`);
  for (const d of ['load', 'root', 'runas', 'pidfile', 'include', 'http_hsts_enable',
    'http_body_disk_path'])
    assert.match(out, new RegExp(`^${d}\\t`, 'm'), `kore.prod.conf sets ${d}`);
  // Handlers block in libpq: a fixed number of workers, two per core of
  // the host it is written for (README "Performance").
  const wl = out.match(/^workers\t+(\d+)$/m);
  assert.ok(wl, 'kore.prod.conf sets workers');
  prodWorkers = Number(wl[1]);
  assert.match(out, /^worker_accept_threshold\t+1$/m, 'the accept lock is handed on');
  // The release step of kore.prod.conf: the access log after "attach".
  const routes = readFileSync(`${ROOT}/conf/routes.conf`, 'utf8')
    .replace(/^\tattach\t.*$/m, (m) => `${m}\n\taccesslog\t${dir}/log/access.log`);
  writeFileSync(`${dir}/routes.prod.conf`, routes);
  writeFileSync(`${dir}/kore.conf`, out);
  return `${dir}/kore.conf`;
}

async function startKore(conf, log, extraEnv, probe) {
  const child = spawnKore(conf, log, { args: [],
    env: { ...process.env, ITF_ROOT: ROOT, ...extraEnv } });
  if (await waitFor(child, probe)) return child;
  child.kill('SIGTERM');
  throw new Error(`kore did not start:\n${readFileSync(log, 'utf8')}`);
}

// The TLS terminator standing in for the production proxy.
function startProxy(key, cert, upstream) {
  return new Promise((resolve) => {
    const srv = tls.createServer({ key, cert }, (client) => {
      const up = net.connect(upstream, '127.0.0.1');
      client.pipe(up);
      up.pipe(client);
      client.on('error', () => up.destroy());
      up.on('error', () => client.destroy());
    });
    srv.listen(0, '127.0.0.1', () => resolve(srv));
  });
}

// One HTTPS call, certificate not checked (it is self-signed).
function call(port, method, p, opts = {}) {
  return new Promise((resolve, reject) => {
    const headers = { ...(opts.headers || {}) };
    let body;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(body);
    } else if (method !== 'GET') {
      headers['content-length'] = 0;
    }
    if (opts.cookie) headers.cookie = opts.cookie;
    if (method !== 'GET') headers['x-itf-request'] = '1';
    const req = https.request({ host: '127.0.0.1', port, path: p, method, headers,
      rejectUnauthorized: false, agent: false, timeout: 30000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json = null;
        try { json = JSON.parse(text); } catch { json = null; }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`timeout on ${method} ${p}`)));
    req.on('error', reject);
    req.end(body);
  });
}

// A concrete path for each route of conf/routes.conf.
function routePaths(manifest) {
  const asset = manifest.find((f) => f.startsWith('assets/')) || 'assets/none.js';
  const samples = {
    '[0-9]{1,18}': '1', '[0-9]{1,4}': '1', '[0-9]{4,6}': '0001', '[0-9]{2}': '21',
    '[A-Za-z]{2,8}': 'TVP', '[A-Za-z]{2,5}': 'TVP', '[a-z-]{1,40}': 'no-such-report',
    '[A-Za-z0-9._/-]{1,200}': asset.slice('assets/'.length), '.*': 'v1/no/such/path',
  };
  const out = new Set();
  for (const line of readFileSync(`${ROOT}/conf/routes.conf`, 'utf8').split('\n')) {
    const m = /^\troute\s+(\S+)\s+\S+/.exec(line);
    if (!m) continue;
    let p = m[1];
    if (p.startsWith('^')) {
      p = p.slice(1).replace(/\$$/, '').replace(/\\\./g, '.')
        .replace(/\(([^|)]+)(\|[^)]*)?\)/g, '$1');
      for (const [re, s] of Object.entries(samples)) p = p.split(re).join(s);
    }
    assert.doesNotMatch(p, /[[\]{}()^$|\\]/, `no sample for route ${m[1]}`);
    out.add(p);
  }
  return [...out];
}

before(async () => {
  if (!isRoot) return;
  const dir = mkdtempSync(`${process.env.ITF_TEST_TMP || '/tmp'}/prod-`);
  chmodSync(dir, 0o755);
  mkdirSync(`${dir}/log`);
  const uid = ensureUser();
  const { root: chroot, port: pgport } = makeChroot(dir, uid);
  const korePort = await freePort();
  const conf = prodConfig(dir, chroot, korePort);

  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt',
    'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', `${dir}/key.pem`, '-out', `${dir}/cert.pem`], { stdio: 'ignore' });
  const key = readFileSync(`${dir}/key.pem`);
  const cert = readFileSync(`${dir}/cert.pem`);

  const kenv = { ITF_TLS: '1', ITF_UI_DIR: '/ui', ITF_TMPDIR: '/tmp',
    ITF_UPLOAD_DIR: '/uploads',
    ITF_DATABASE_URL: `host=/run port=${pgport} dbname=itf user=itf` };
  const kore = await startKore(conf, `${dir}/kore.log`, kenv,
    () => answers(`http://127.0.0.1:${korePort}`));
  const proxy = await startProxy(key, cert, korePort);
  env = { dir, chroot, uid, kore, proxy, port: proxy.address().port, korePort, key, cert };
});

after(async () => {
  if (!env) return;
  env.proxy.close();
  await stopKore(env.kore, { kill: true });
  await stopKore(env.nativeKore, { kill: true });
  rmSync(env.chroot, { recursive: true, force: true });
});

// The children of Kore's parent process: its workers. One worker answering
// the start-up probe says nothing of the others, which may still be forking,
// chrooting and loading their seccomp filter (slowly under the sanitizers),
// so the test waits, bounded, until all are there and sandboxed.
function startedWorkers(parent) {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      return readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ')[1]
        === String(parent);
    } catch { return false; }
  });
}

function sandboxed(pid) {
  try {
    return /^Seccomp:\t2$/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch { return false; }
}

test('workers run chrooted, as the unprivileged user, sandboxed, as many as set', { skip }, async () => {
  const parent = Number(readFileSync(`${env.dir}/kore.pid`, 'utf8'));
  assert.equal(statSync(`/proc/${parent}`).uid, 0, 'the parent stays root');
  let kids = startedWorkers(parent);
  for (let i = 0; i < 300; i++) {	// at most 30 s
    if (kids.length >= prodWorkers && kids.every(sandboxed)) break;
    await sleep(100);
    kids = startedWorkers(parent);
  }
  assert.equal(kids.length, prodWorkers, `the workers of kore.prod.conf (${prodWorkers})`);
  for (const pid of kids) {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    assert.match(status, new RegExp(`^Uid:\\t${env.uid}\\t${env.uid}\\t${env.uid}\\t`, 'm'));
    assert.match(status, /^Seccomp:\t2$/m, 'seccomp filter on');
    assert.match(status, /^NoNewPrivs:\t1$/m);
    assert.equal(readlinkSync(`/proc/${pid}/root`), env.chroot);
  }
});

test('every route answers over HTTPS, with Secure cookies and HSTS', { skip }, async () => {
  const email = `${uniq('prod')}@example.hk`;
  const u = itfctl(['user', 'add', '--email', email, '--role', 'admin', '--role', 'officer',
    '--role', 'auditor', '--role', 'finance'], `${PW}\n`);
  assert.equal(u.status, 0, u.stderr);
  const hsts = 'max-age=31536000; includeSubDomains';

  const login = await call(env.port, 'POST', '/api/v1/session', { body: { email, password: PW } });
  assert.equal(login.status, 200, login.text);
  const set = [].concat(login.headers['set-cookie']).find((c) => c.startsWith('itf_session='));
  assert.match(set, /; HttpOnly/);
  assert.match(set, /; SameSite=Strict/);
  assert.match(set, /; Secure/, 'Secure with ITF_TLS=1');
  assert.equal(login.headers['strict-transport-security'], hsts);
  const cookie = set.split(';')[0];

  // Self-registration signs in too: Secure as well.
  const reg = await call(env.port, 'POST', '/api/v1/organisations', { body: {
    organisation: { name_en: `Prod ${uniq()}`, name_zh: '生產測試', type: 'university' },
    user: { email: `${uniq('prodreg')}@example.hk`, password: PW } } });
  assert.equal(reg.status, 201, reg.text);
  assert.match([].concat(reg.headers['set-cookie']).join('\n'), /itf_session=[0-9a-f]{64};.*; Secure/);

  const quote = await call(env.port, 'POST', '/api/v1/schemes/TVP/quote', { body: {
    submitted_on: '2021-06-01', eligible_cost_cents: 80000000 } });
  assert.equal(quote.status, 200, quote.text);

  const manifest = readFileSync(`${ROOT}/build/ui/MANIFEST`, 'utf8').split('\n').filter(Boolean);
  const paths = routePaths(manifest);
  assert.ok(paths.length >= 20, `${paths.length} routes`);
  const failures = [];
  for (const p of paths) {
    for (const c of [undefined, cookie]) {
      const r = await call(env.port, 'GET', p, { cookie: c });
      if (r.status >= 500 || r.headers['strict-transport-security'] !== hsts)
        failures.push(`GET ${p}${c ? ' (signed in)' : ''}: ${r.status} ${r.text.slice(0, 200)}`);
    }
  }
  // The UI is served from the chroot's copy.
  const index = await call(env.port, 'GET', '/');
  assert.equal(index.status, 200);
  assert.match(index.headers['content-type'], /^text\/html/);
  const logout = await call(env.port, 'DELETE', '/api/v1/session', { cookie });
  assert.equal(logout.status, 204);
  assert.deepEqual(failures, []);
});

test('the workers survived and the access log has the requests', { skip }, async () => {
  const health = await call(env.port, 'GET', '/api/v1/health');
  assert.equal(health.status, 200, health.text);
  assert.equal(health.json.database, 'ok');
  const log = readFileSync(`${env.dir}/kore.log`, 'utf8');
  assert.doesNotMatch(log, /sandbox violation|gone \(|\) gone|seccomp violation/);
  assert.match(log, /seccomp sandbox enabled/);
  assert.doesNotMatch(log, /privsep: will not (chroot|change user)/);
  // The parent writes the access log about every 10 s (100 ticks of its
  // 100 ms event loop), or sooner when a buffer fills.
  let access = '';
  for (let i = 0; i < 250 && !/"GET \/api\/v1\/health HTTP\/1.1" 200/.test(access); i++) {
    await sleep(100);
    try { access = readFileSync(`${env.dir}/log/access.log`, 'utf8'); } catch { access = ''; }
  }
  assert.match(access, /"POST \/api\/v1\/session HTTP\/1.1" 200/);
  assert.match(access, /"GET \/api\/v1\/health HTTP\/1.1" 200/);
});

// Kore's own TLS (kore.prod.conf's alternative): expected to fail on
// bookworm.  A todo failure does not fail the run; a pass shows as a
// passing todo, the sign to drop the proxy.
test('Kore terminates TLS itself (Debian kore 4.1.0 + OpenSSL 3: broken)',
  { skip, todo: 'Debian kore 4.1.0 cannot sign with OpenSSL 3 (openssl/openssl#15350)' },
  async () => {
    const dir = env.dir;
    const port = await freePort();
    mkdirSync(`${dir}/keymgr/cert`, { recursive: true });
    cpSync(`${dir}/cert.pem`, `${dir}/keymgr/cert/cert.pem`);
    cpSync(`${dir}/key.pem`, `${dir}/keymgr/cert/key.pem`);
    chownSync(`${dir}/keymgr/cert/key.pem`, env.uid, 0);
    chmodSync(`${dir}/keymgr/cert/key.pem`, 0o400);
    execFileSync('openssl', ['genpkey', '-genparam', '-algorithm', 'DH', '-pkeyopt',
      'group:ffdhe2048', '-out', `${dir}/dh.pem`], { stdio: 'ignore' });
    const conf = readFileSync(`${dir}/kore.conf`, 'utf8')
      .replace(/^server plain \{\n\tbind\t.*\n\ttls\tno\n\}/m,
        `server tls {\n\tbind\t127.0.0.1 ${port}\n\ttls\tyes\n}\n`
        + `tls_dhparam\t${dir}/dh.pem\nkeymgr_root\t${dir}/keymgr\nkeymgr_runas\t${RUNAS}`)
      .replace(/^pidfile\t.*$/m, `pidfile\t\t\t${dir}/kore-tls.pid`)
      .replace(/^include\t.*$/m, `include\t\t\t${dir}/routes.tls.conf`);
    assert.match(conf, /tls\tyes/);
    writeFileSync(`${dir}/kore-tls.conf`, conf);
    writeFileSync(`${dir}/routes.tls.conf`, readFileSync(`${dir}/routes.prod.conf`, 'utf8')
      .replace(/^\tattach\t.*$/m,
        '\tattach\t\ttls\n\tcertfile\tcert/cert.pem\n\tcertkey\t\tcert/key.pem'));
    env.nativeKore = await startKore(`${dir}/kore-tls.conf`, `${dir}/kore-tls.log`,
      { ITF_TLS: '1', ITF_UI_DIR: '/ui' }, async () => {
        try {
          return readFileSync(`${dir}/kore-tls.log`, 'utf8').includes('loaded private key');
        } catch { return false; }
      });
    const r = await call(port, 'GET', '/api/v1/version');
    assert.equal(r.status, 200);
  });
