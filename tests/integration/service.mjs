// Kore services of a test's own, for the zz_* files that need one beside
// the service scripts/test.sh started (a second host, other settings, a
// crash, the production configuration): a free port, a copy of kore.conf,
// the process, the wait until it answers, and the stop.  Not a test file
// itself (scripts/test.sh runs *.test.mjs).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';

const ROOT = process.env.ITF_ROOT;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A loopback port nobody listens on at the moment of asking.
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// dir/kore.conf: kore.conf as scripts/test.sh configures the main service
// (its own bind on 127.0.0.1:port, pidfile and body directory in dir,
// build/app.so), with the workers line set when workers is given and
// edit(conf) applied last.  Returns its path.
export function koreConf(dir, port, { workers, edit = (c) => c } = {}) {
  mkdirSync(`${dir}/body`, { recursive: true });
  let conf = readFileSync(`${ROOT}/kore.conf`, 'utf8')
    .replace(/^\tbind.*$/m, `\tbind\t127.0.0.1 ${port}`)
    .replace(/^pidfile.*$/m, `pidfile\t\t\t${dir}/kore.pid`)
    .replace(/^http_body_disk_path.*$/m, `http_body_disk_path\t${dir}/body`)
    .replace(/^load.*$/m, `load\t\t${ROOT}/build/app.so`);
  if (workers !== undefined) conf = conf.replace(/^workers.*$/m, `workers\t\t\t${workers}`);
  writeFileSync(`${dir}/kore.conf`, edit(conf));
  return `${dir}/kore.conf`;
}

// kore -c conf in the foreground from the project root, line-buffered
// (stdbuf) into log, opened with flags ('w', or 'a' to add to it).  args
// follow -f; detached puts it in a process group of its own.
export function spawnKore(conf, log, { args = ['-n', '-r'], env = process.env,
  detached = false, flags = 'w' } = {}) {
  const fd = openSync(log, flags);
  const child = spawn('stdbuf', ['-oL', 'kore', '-c', conf, '-f', ...args],
    { cwd: ROOT, env, detached, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  return child;
}

// Ask probe() up to tries times, ms apart, while child runs: true as soon
// as it says yes, false if the child exits or never does.
export async function waitFor(child, probe, { tries = 100, ms = 100 } = {}) {
  for (let i = 0; i < tries && child.exitCode === null; i++) {
    if (await probe()) return true;
    await sleep(ms);
  }
  return false;
}

// Whether GET base/api/v1/version answers 200 (false while nothing listens).
export async function answers(base) {
  try {
    return (await fetch(`${base}/api/v1/version`)).ok;
  } catch {
    return false;
  }
}

// A service of its own on a free port: koreConf() in tmp/name-PID, kore
// started with env and waited for (tries, 100 ms apart).  Resolves
// { child, base, dir, port, up }; up is false if it exited or never
// answered (then it may still run: stop it).
export async function tryService(name, { env, workers, edit, tries = 100,
  tmp = process.env.ITF_TEST_TMP || '/tmp' } = {}) {
  const port = await freePort();
  const dir = `${tmp}/${name}-${process.pid}`;
  const child = spawnKore(koreConf(dir, port, { workers, edit }), `${dir}/kore.log`, { env });
  const base = `http://127.0.0.1:${port}`;
  const up = await waitFor(child, () => answers(base), { tries });
  return { child, base, dir, port, up };
}

// tryService(), up; or SIGTERM and an error with its log, naming it what.
export async function startService(name, what, opts) {
  const s = await tryService(name, opts);
  if (s.up) return s;
  s.child.kill('SIGTERM');
  throw new Error(`${what} did not start:\n${readFileSync(`${s.dir}/kore.log`, 'utf8')}`);
}

// SIGTERM a running child and wait for its exit, at most ms (Infinity: as
// long as it takes); then, with kill set, SIGKILL it if it still runs.
export async function stopKore(child, { ms = 10000, kill = false } = {}) {
  if (!child || child.exitCode !== null) return;
  child.kill('SIGTERM');
  await (ms === Infinity ? once(child, 'exit') : Promise.race([once(child, 'exit'), sleep(ms)]));
  if (kill && child.exitCode === null) child.kill('SIGKILL');
}
