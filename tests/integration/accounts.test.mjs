// Identity and access: itfctl user/org add, sessions (login, logout,
// expiry, fixation, CSRF, throttling), self-registration, organisation
// visibility, notifications, the audit trail's API and its immutability.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, expectStatus, expectError, itfctl, psql, psqlTry, uniq } from './lib.mjs';

const PW = 'correct horse battery staple';

// Failed logins all come from 127.0.0.1; forget them after tests that make
// many, so neither later tests nor other files are throttled by ours.
function resetThrottle() {
  psql("DELETE FROM login_attempts WHERE address = '127.0.0.1' AND NOT success");
}
after(resetThrottle);

function addOrg(type = 'university', extra = []) {
  const r = itfctl(['org', 'add', '--name-en', `Org ${uniq()}`, '--name-zh', '測試機構',
    '--type', type, ...extra]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^\d+\n$/);
  return Number(r.stdout);
}

function addUser(roles, opts = {}) {
  const email = opts.email || `${uniq('u')}@example.hk`;
  const args = ['user', 'add', '--email', email];
  for (const r of [].concat(roles)) args.push('--role', r);
  if (opts.org) args.push('--org', String(opts.org));
  if (opts.name) args.push('--name', opts.name);
  if (opts.authority) args.push('--authority-cents', String(opts.authority));
  const r = itfctl(args, (opts.password || PW) + '\n');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^\d+\n$/);
  return { id: Number(r.stdout), email };
}

function sessionCookie(res) {
  const all = res.headers.getSetCookie();
  const c = all.find((s) => s.startsWith('itf_session='));
  return c;
}

async function login(email, password = PW) {
  const res = await api('POST', '/api/v1/session', { body: { email, password } });
  expectStatus(res, 200, `login ${email}`);
  const c = sessionCookie(res);
  assert.ok(c, 'no session cookie');
  return { res, cookie: c.split(';')[0] };
}

// A user of each kind, made once.
const orgA = addOrg('university');
const orgB = addOrg('rd_centre');
const applicantA = addUser('applicant', { org: orgA, name: '陳大文' });
const applicantB = addUser('applicant', { org: orgB });
const officer = addUser('officer', { name: 'Officer Wong' });
const auditor = addUser('auditor');
const panel = addUser('panel_member');
const approver = addUser(['approver', 'officer'], { authority: 1000000000 });

test('itfctl org add and user add validate and print ids', () => {
  const id = addOrg('company', ['--br', String(10000000 + (Date.now() % 89999999))]);
  assert.ok(id > 0);
  let r = itfctl(['org', 'add', '--name-en', 'No BR Ltd', '--name-zh', '無', '--type', 'company']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /br_number/);
  r = itfctl(['org', 'add', '--name-en', 'X', '--name-zh', 'X', '--type', 'charity']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /type/);
  r = itfctl(['org', 'add', '--name-en', 'X']);
  assert.equal(r.status, 2);

  const email = `${uniq('cli')}@Example.HK`;
  r = itfctl(['user', 'add', '--email', email, '--role', 'officer'], 'too short\n');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /at least 12 characters/);
  r = itfctl(['user', 'add', '--email', email, '--role', 'officer'], '');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no password/);
  r = itfctl(['user', 'add', '--email', email, '--role', 'wizard'], PW + '\n');
  assert.equal(r.status, 2);
  r = itfctl(['user', 'add', '--email', email, '--role', 'applicant'], PW + '\n');
  assert.equal(r.status, 1, 'an applicant needs --org');
  assert.match(r.stderr, /organisation/);
  r = itfctl(['user', 'add', '--email', email, '--role', 'applicant', '--org', '999999999'], PW + '\n');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no organisation/);
  r = itfctl(['user', 'add', '--email', email, '--role', 'officer', '--authority-cents', '5'], PW + '\n');
  assert.equal(r.status, 1, 'authority is for approvers');
  r = itfctl(['user', 'add', '--email', 'not-an-email', '--role', 'officer'], PW + '\n');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /email/);
  r = itfctl(['user', 'add', '--email', email, '--role', 'officer', '--name', 'CLI Person'], PW + '\r\n');
  assert.equal(r.status, 0, r.stderr);
  const uid = Number(r.stdout);
  assert.equal(psql(`SELECT email || '|' || name FROM users WHERE id = ${uid}`),
    `${email.toLowerCase()}|CLI Person`);
  assert.match(psql(`SELECT password_hash FROM users WHERE id = ${uid}`), /^\$argon2id\$v=19\$m=65536,t=2,p=1\$/);
  assert.equal(psql(`SELECT count(*) FROM audit_log WHERE action = 'user.create' AND record_id = '${uid}' AND actor_label LIKE 'itfctl:%'`), '1');
  r = itfctl(['user', 'add', '--email', email.toUpperCase(), '--role', 'auditor'], PW + '\n');
  assert.equal(r.status, 1, 'duplicate email, any case');
  assert.match(r.stderr, /already exists/);
});

test('login sets a strict cookie and returns the user', async () => {
  const { res, cookie } = await login(applicantA.email.toUpperCase());
  const set = sessionCookie(res);
  assert.match(set, /^itf_session=[0-9a-f]{64}; /);
  assert.match(set, /; HttpOnly/);
  assert.match(set, /; SameSite=Strict/);
  assert.match(set, /; Path=\//);
  assert.match(set, /; Max-Age=43200/);
  assert.doesNotMatch(set, /Secure/, 'no TLS in the test service');
  assert.doesNotMatch(set, /Domain=/i);
  const u = res.json.user;
  assert.equal(u.id, applicantA.id);
  assert.equal(u.email, applicantA.email);
  assert.equal(u.name, '陳大文');
  assert.deepEqual(u.roles, ['applicant']);
  assert.equal(u.organisation.id, orgA);
  assert.equal(u.organisation.type, 'university');
  assert.equal(res.json.session.idle_timeout_seconds, 28800);
  assert.match(res.json.session.expires_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(res.headers.get('cache-control'), 'no-store');

  // Only the hash is stored.
  const token = cookie.split('=')[1];
  assert.equal(psql(`SELECT count(*) FROM sessions WHERE token_hash = '${token}'`), '0');
  assert.equal(psql(`SELECT count(*) FROM sessions WHERE token_hash = encode(digest('${token}', 'sha256'), 'hex')`), '1');

  const me = expectStatus(await api('GET', '/api/v1/session', { cookie }), 200);
  assert.equal(me.json.user.id, applicantA.id);
  assert.deepEqual(me.json.user.roles, ['applicant']);

  const staff = await login(approver.email);
  assert.deepEqual(staff.res.json.user.roles, ['officer', 'approver']);
  assert.equal(staff.res.json.user.organisation, null);
  assert.equal(staff.res.json.user.authority_cents, 1000000000);
  assert.ok(psql(`SELECT count(*) FROM login_attempts WHERE email = '${approver.email}' AND success`) >= 1);
  assert.ok(Number(psql(`SELECT count(*) FROM audit_log WHERE action = 'session.create' AND record_id = '${approver.id}'`)) >= 1);
});

test('no session, a bad cookie or a wrong method', async () => {
  expectError(await api('GET', '/api/v1/session'), 401, 'unauthenticated');
  expectError(await api('GET', '/api/v1/session', { cookie: 'itf_session=abc' }), 401, 'unauthenticated');
  const bad = await api('GET', '/api/v1/session', { cookie: `itf_session=${'0'.repeat(64)}` });
  expectError(bad, 401, 'unauthenticated');
  assert.match(sessionCookie(bad) || '', /^itf_session=; .*Max-Age=0/, 'a dead cookie is dropped');
  expectError(await api('GET', '/api/v1/organisations/1'), 401, 'unauthenticated');
  expectError(await api('GET', '/api/v1/notifications'), 401, 'unauthenticated');
  expectError(await api('GET', '/api/v1/audit?record_type=user'), 401, 'unauthenticated');
  expectStatus(await api('PUT', '/api/v1/session', { body: {} }), 405);
  expectError(await api('GET', '/api/v1/session?x=1'), 400, 'bad_request', 'x');
});

test('login and logout need the CSRF header; logout kills the token server-side', async () => {
  const noCsrf = await api('POST', '/api/v1/session', {
    body: { email: officer.email, password: PW }, csrf: false });
  expectError(noCsrf, 403, 'forbidden', 'x-itf-request');
  assert.equal(sessionCookie(noCsrf), undefined);

  const { cookie } = await login(officer.email);
  expectError(await api('DELETE', '/api/v1/session', { cookie, csrf: false }), 403, 'forbidden', 'x-itf-request');
  expectStatus(await api('GET', '/api/v1/session', { cookie }), 200, 'still signed in');

  const out = expectStatus(await api('DELETE', '/api/v1/session', { cookie }), 204);
  assert.match(sessionCookie(out), /^itf_session=; .*Max-Age=0/);
  expectError(await api('GET', '/api/v1/session', { cookie }), 401, 'unauthenticated');
  expectError(await api('DELETE', '/api/v1/session', { cookie }), 401, 'unauthenticated');
  assert.ok(Number(psql(`SELECT count(*) FROM audit_log WHERE action = 'session.delete' AND record_id = '${officer.id}'`)) >= 1);
});

test('every login issues a new token and retires the one presented', async () => {
  const first = await login(officer.email);
  const second = await api('POST', '/api/v1/session', {
    body: { email: officer.email, password: PW }, cookie: first.cookie });
  expectStatus(second, 200);
  const cookie2 = sessionCookie(second).split(';')[0];
  assert.notEqual(cookie2, first.cookie);
  expectError(await api('GET', '/api/v1/session', { cookie: first.cookie }), 401, 'unauthenticated');
  expectStatus(await api('GET', '/api/v1/session', { cookie: cookie2 }), 200);

  // A token planted by someone else (fixation) never becomes a session.
  const planted = `itf_session=${'ab'.repeat(32)}`;
  const third = await api('POST', '/api/v1/session', {
    body: { email: officer.email, password: PW }, cookie: planted });
  expectStatus(third, 200);
  assert.notEqual(sessionCookie(third).split(';')[0], planted);
});

test('bad credentials: the same answer, and hashing time, for unknown emails', async () => {
  resetThrottle();
  const timed = async (email, password) => {
    const t0 = performance.now();
    const r = await api('POST', '/api/v1/session', { body: { email, password } });
    return { r, ms: performance.now() - t0 };
  };
  const wrong = await timed(auditor.email, 'not the password at all');
  const unknown = await timed(`${uniq('ghost')}@example.hk`, 'not the password at all');
  expectError(wrong.r, 401, 'unauthenticated');
  expectError(unknown.r, 401, 'unauthenticated');
  assert.equal(wrong.r.text, unknown.r.text);
  assert.equal(sessionCookie(wrong.r), undefined);
  // Argon2id at 64 MiB takes tens of milliseconds; both paths pay it.
  assert.ok(unknown.ms > wrong.ms * 0.4,
    `unknown email answered in ${unknown.ms} ms, wrong password in ${wrong.ms} ms`);

  // A disabled account answers like a wrong password, and its sessions die.
  const gone = addUser('auditor');
  const { cookie } = await login(gone.email);
  psql(`UPDATE users SET active = false WHERE id = ${gone.id}`);
  const disabled = await api('POST', '/api/v1/session', { body: { email: gone.email, password: PW } });
  assert.equal(disabled.status, 401);
  assert.equal(disabled.text, wrong.r.text);
  expectError(await api('GET', '/api/v1/session', { cookie }), 401, 'unauthenticated');

  expectError(await api('POST', '/api/v1/session', { body: { email: auditor.email } }), 400, 'bad_request', 'password');
  expectError(await api('POST', '/api/v1/session', { body: { email: auditor.email, password: 5 } }), 400, 'bad_request', 'password');
  expectError(await api('POST', '/api/v1/session', { body: { email: auditor.email, password: PW, remember: true } }), 400, 'bad_request', 'remember');
  expectError(await api('POST', '/api/v1/session', { body: '{"email":' }), 400, 'bad_request');
  expectError(await api('POST', '/api/v1/session', { body: { email: auditor.email, password: 'x'.repeat(1025) } }), 422, 'invalid', 'password');
  assert.equal(psql(`SELECT count(*) FROM login_attempts WHERE email = '${auditor.email}' AND NOT success`), '1');
  resetThrottle();
});

test('sessions expire after 8 hours idle or 12 hours in all', async () => {
  const a = await login(auditor.email);
  const b = await login(auditor.email);
  const hash = (c) => `encode(digest('${c.split('=')[1]}', 'sha256'), 'hex')`;
  psql(`UPDATE sessions SET last_seen_at = now() - interval '8 hours 1 minute' WHERE token_hash = ${hash(a.cookie)}`);
  psql(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token_hash = ${hash(b.cookie)}`);
  expectError(await api('GET', '/api/v1/session', { cookie: a.cookie }), 401, 'unauthenticated');
  expectError(await api('GET', '/api/v1/session', { cookie: b.cookie }), 401, 'unauthenticated');
  const c = await login(auditor.email);
  psql(`UPDATE sessions SET last_seen_at = now() - interval '7 hours' WHERE token_hash = ${hash(c.cookie)}`);
  expectStatus(await api('GET', '/api/v1/session', { cookie: c.cookie }), 200);
  assert.equal(psql(`SELECT last_seen_at > now() - interval '1 minute' FROM sessions WHERE token_hash = ${hash(c.cookie)}`), 't',
    'use refreshes the idle timer');
  // Stale sessions of a user are swept at their next login.
  assert.equal(psql(`SELECT count(*) FROM sessions WHERE token_hash IN (${hash(a.cookie)}, ${hash(b.cookie)})`), '0');
});

test('throttling per account, without revealing whether it exists', async () => {
  resetThrottle();
  const victim = addUser('finance');
  const ghost = `${uniq('ghost')}@example.hk`;
  for (const email of [victim.email, ghost]) {
    for (let i = 0; i < 5; i++) {
      const r = await api('POST', '/api/v1/session', { body: { email, password: `wrong password ${i}` } });
      expectError(r, 401, 'unauthenticated');
    }
  }
  const real = await api('POST', '/api/v1/session', { body: { email: victim.email, password: PW } });
  const fake = await api('POST', '/api/v1/session', { body: { email: ghost, password: PW } });
  for (const r of [real, fake]) {
    expectError(r, 429, 'throttled');
    const wait = Number(r.headers.get('retry-after'));
    assert.ok(wait >= 1 && wait <= 900, `Retry-After ${wait}`);
    assert.equal(sessionCookie(r), undefined);
  }
  assert.equal(real.json.error.message.replace(/\d+/g, 'N'), fake.json.error.message.replace(/\d+/g, 'N'));
  // Other accounts are unaffected; once the window passes the victim is let in.
  await login(officer.email);
  psql(`UPDATE login_attempts SET at = at - interval '16 minutes' WHERE email IN ('${victim.email}', '${ghost}')`);
  await login(victim.email);
  resetThrottle();
});

test('throttling per client address', async () => {
  resetThrottle();
  for (let i = 0; i < 20; i++) {
    const r = await api('POST', '/api/v1/session', {
      body: { email: `${uniq('spray')}@example.hk`, password: 'password spraying' } });
    expectError(r, 401, 'unauthenticated');
  }
  const r = await api('POST', '/api/v1/session', { body: { email: officer.email, password: PW } });
  expectError(r, 429, 'throttled');
  assert.ok(Number(r.headers.get('retry-after')) > 0);
  resetThrottle();
  await login(officer.email);
});

test('self-registration creates organisation and applicant in one transaction', async () => {
  const br = String(20000000 + (Date.now() % 79999999));
  const email = `${uniq('reg')}@Startup.HK`;
  const body = {
    organisation: { name_en: `Registered ${uniq()} Limited`, name_zh: '註冊測試有限公司', type: 'company', br_number: br },
    user: { email, password: PW, name: 'Founder Lee' },
  };
  expectError(await api('POST', '/api/v1/organisations', { body, csrf: false }), 403, 'forbidden', 'x-itf-request');
  const res = expectStatus(await api('POST', '/api/v1/organisations', { body }), 201);
  const org = res.json.organisation;
  const user = res.json.user;
  assert.equal(org.type, 'company');
  assert.equal(org.br_number, br);
  assert.equal(org.name_zh, '註冊測試有限公司');
  assert.equal(user.email, email.toLowerCase());
  assert.deepEqual(user.roles, ['applicant']);
  assert.equal(user.organisation.id, org.id);
  assert.ok(res.json.session.expires_at);

  // Signed in by the registration itself.
  const cookie = sessionCookie(res).split(';')[0];
  const me = expectStatus(await api('GET', '/api/v1/session', { cookie }), 200);
  assert.equal(me.json.user.id, user.id);
  // And can sign in later with the password.
  await login(email);
  // Welcomed in the same transaction (notify_user).
  const inbox = expectStatus(await api('GET', '/api/v1/notifications', { cookie }), 200);
  assert.equal(inbox.json.total, 1);
  const welcome = inbox.json.notifications[0];
  assert.equal(welcome.kind, 'organisation.registered');
  assert.equal(welcome.record_type, 'organisation');
  assert.equal(welcome.record_id, org.id);
  assert.match(welcome.message_en, /^Welcome\. Registered .* is registered/);
  assert.match(welcome.message_zh, /註冊測試有限公司已在創新及科技基金登記/);

  const trail = psql(`SELECT string_agg(action || ':' || record_type || ':' || coalesce(actor_id::text, '-'), ',' ORDER BY id) FROM audit_log
    WHERE (record_type = 'organisation' AND record_id = '${org.id}') OR (record_type = 'user' AND record_id = '${user.id}')`);
  assert.ok(trail.startsWith(`user.create:user:${user.id},organisation.register:organisation:${user.id},session.create:user:${user.id}`), trail);
  assert.equal(psql(`SELECT count(*) FROM audit_log WHERE after::text LIKE '%argon2%'`), '0', 'no password hash in the trail');

  // Duplicates: 409 naming the field, and nothing half-made.
  const dupEmail = structuredClone(body);
  dupEmail.organisation.br_number = String(Number(br) + 1).padStart(8, '0');
  dupEmail.user.email = email.toUpperCase();
  expectError(await api('POST', '/api/v1/organisations', { body: dupEmail }), 409, 'conflict', 'user.email');
  assert.equal(psql(`SELECT count(*) FROM organisations WHERE br_number = '${dupEmail.organisation.br_number}'`), '0');
  const dupBr = structuredClone(body);
  dupBr.user.email = `${uniq('reg')}@startup.hk`;
  expectError(await api('POST', '/api/v1/organisations', { body: dupBr }), 409, 'conflict', 'organisation.br_number');
  assert.equal(psql(`SELECT count(*) FROM users WHERE email = '${dupBr.user.email}'`), '0');
});

test('self-registration validates every field', async () => {
  const good = () => ({
    organisation: { name_en: `Valid ${uniq()}`, name_zh: '有效', type: 'university' },
    user: { email: `${uniq('v')}@uni.edu.hk`, password: PW },
  });
  const cases = [
    [(b) => { b.organisation.type = 'company'; }, 422, 'organisation.br_number'],
    [(b) => { b.organisation.type = 'company'; b.organisation.br_number = '1234567'; }, 422, 'organisation.br_number'],
    [(b) => { b.organisation.br_number = '12-45678'; }, 422, 'organisation.br_number'],
    [(b) => { b.organisation.type = 'charity'; }, 422, 'organisation.type'],
    [(b) => { b.organisation.name_en = ''; }, 422, 'organisation.name_en'],
    [(b) => { b.organisation.name_zh = 'x'.repeat(201); }, 422, 'organisation.name_zh'],
    [(b) => { delete b.organisation.name_zh; }, 400, 'organisation.name_zh'],
    [(b) => { b.organisation.name_en = 42; }, 400, 'organisation.name_en'],
    [(b) => { b.organisation.website = 'x'; }, 400, 'organisation.website'],
    [(b) => { b.user.password = 'short pw'; }, 422, 'user.password'],
    [(b) => { b.user.email = 'nobody@nowhere'; }, 422, 'user.email'],
    [(b) => { b.user.role = 'admin'; }, 400, 'user.role'],
    [(b) => { b.user.name = 'bell\u0007'; }, 422, 'user.name'],
    [(b) => { b.admin = true; }, 400, 'admin'],
    [(b) => { b.user = 'me'; }, 400, 'user'],
    [(b) => { delete b.organisation; }, 400, 'organisation'],
  ];
  for (const [change, status, field] of cases) {
    const b = good();
    change(b);
    const r = await api('POST', '/api/v1/organisations', { body: b });
    expectError(r, status, undefined, field);
    assert.equal(sessionCookie(r), undefined);
  }
  expectStatus(await api('POST', '/api/v1/organisations', { body: good() }), 201);
});

test('organisations: an applicant sees only its own; staff see and search all', async () => {
  const a = (await login(applicantA.email)).cookie;
  const own = expectStatus(await api('GET', `/api/v1/organisations/${orgA}`, { cookie: a }), 200);
  assert.equal(own.json.id, orgA);
  assert.equal(own.json.type, 'university');
  const other = await api('GET', `/api/v1/organisations/${orgB}`, { cookie: a });
  const none = await api('GET', '/api/v1/organisations/999999999', { cookie: a });
  expectError(other, 404, 'not_found');
  assert.equal(other.text, none.text, 'another organisation looks absent');
  expectError(await api('GET', '/api/v1/organisations?q=Org', { cookie: a }), 403, 'forbidden');

  for (const who of [officer, auditor]) {
    const c = (await login(who.email)).cookie;
    expectStatus(await api('GET', `/api/v1/organisations/${orgB}`, { cookie: c }), 200);
  }
  const p = (await login(panel.email)).cookie;
  expectError(await api('GET', `/api/v1/organisations/${orgA}`, { cookie: p }), 403, 'forbidden');
  expectError(await api('GET', '/api/v1/organisations', { cookie: p }), 403, 'forbidden');

  const o = (await login(officer.email)).cookie;
  const tag = uniq('Findme');
  const ids = [];
  for (const n of ['Alpha', 'Beta', 'Gamma']) {
    const r = itfctl(['org', 'add', '--name-en', `${n} ${tag} 50%_off`, '--name-zh', `${n}中文`, '--type', 'other']);
    ids.push(Number(r.stdout));
  }
  let s = expectStatus(await api('GET', `/api/v1/organisations?q=${tag.toLowerCase()}`, { cookie: o }), 200);
  assert.equal(s.json.total, 3);
  assert.deepEqual(s.json.organisations.map((x) => x.id), ids);
  s = expectStatus(await api('GET', `/api/v1/organisations?q=${tag}&limit=2&offset=2`, { cookie: o }), 200);
  assert.equal(s.json.total, 3);
  assert.equal(s.json.organisations.length, 1);
  assert.equal(s.json.organisations[0].id, ids[2]);
  assert.equal(s.json.limit, 2);
  assert.equal(s.json.offset, 2);
  s = expectStatus(await api('GET', `/api/v1/organisations?q=${encodeURIComponent('Beta中')}`, { cookie: o }), 200);
  assert.ok(s.json.organisations.some((x) => x.id === ids[1]));
  // LIKE wildcards are literal.
  s = expectStatus(await api('GET', `/api/v1/organisations?q=${encodeURIComponent(`${tag} 50%_`)}`, { cookie: o }), 200);
  assert.equal(s.json.total, 3);
  s = expectStatus(await api('GET', `/api/v1/organisations?q=${encodeURIComponent(`${tag} 5_%`)}`, { cookie: o }), 200);
  assert.equal(s.json.total, 0);
  s = expectStatus(await api('GET', '/api/v1/organisations', { cookie: o }), 200);
  assert.ok(s.json.total >= 5);
  assert.equal(s.json.organisations.length, Math.min(20, s.json.total));
  expectError(await api('GET', '/api/v1/organisations?limit=0', { cookie: o }), 400, 'bad_request', 'limit');
  expectError(await api('GET', '/api/v1/organisations?limit=101', { cookie: o }), 400, 'bad_request', 'limit');
  expectError(await api('GET', '/api/v1/organisations?offset=-1', { cookie: o }), 400, 'bad_request', 'offset');
  expectError(await api('GET', '/api/v1/organisations?sort=name', { cookie: o }), 400, 'bad_request', 'sort');
  expectStatus(await api('DELETE', `/api/v1/organisations/${orgA}`, { cookie: o }), 405);
});

test('notifications: own inbox only, newest first, mark read', async () => {
  const note = (user, kind, en) => psql(`INSERT INTO notifications (user_id, kind, record_type, record_id, message_en, message_zh)
    VALUES (${user}, '${kind}', 'application', 7, '${en}', '中文訊息') RETURNING id`);
  const n1 = Number(note(applicantA.id, 'application.submitted', 'first'));
  const n2 = Number(note(applicantA.id, 'application.returned', 'second'));
  const n3 = Number(note(applicantA.id, 'application.approved', 'third'));
  const nb = Number(note(applicantB.id, 'application.submitted', 'for B'));
  const a = (await login(applicantA.email)).cookie;
  const b = (await login(applicantB.email)).cookie;

  let r = expectStatus(await api('GET', '/api/v1/notifications', { cookie: a }), 200);
  assert.deepEqual(r.json.notifications.map((x) => x.id).slice(0, 3), [n3, n2, n1]);
  assert.ok(!r.json.notifications.some((x) => x.id === nb));
  assert.equal(r.json.unread, r.json.total);
  const first = r.json.notifications.find((x) => x.id === n1);
  assert.equal(first.message_zh, '中文訊息');
  assert.equal(first.record_type, 'application');
  assert.equal(first.record_id, 7);
  assert.equal(first.read, false);
  assert.equal(first.read_at, null);

  r = expectStatus(await api('GET', '/api/v1/notifications?limit=1&offset=1', { cookie: a }), 200);
  assert.equal(r.json.notifications.length, 1);
  assert.equal(r.json.notifications[0].id, n2);

  expectError(await api('POST', `/api/v1/notifications/${n2}/read`, { cookie: a, csrf: false }), 403, 'forbidden', 'x-itf-request');
  r = expectStatus(await api('POST', `/api/v1/notifications/${n2}/read`, { cookie: a }), 200);
  assert.equal(r.json.id, n2);
  assert.equal(r.json.read, true);
  assert.match(r.json.read_at, /Z$/);
  const again = expectStatus(await api('POST', `/api/v1/notifications/${n2}/read`, { cookie: a }), 200);
  assert.equal(again.json.read_at, r.json.read_at, 'reading twice changes nothing');
  assert.equal(psql(`SELECT count(*) FROM audit_log WHERE action = 'notification.read' AND record_id = '${n2}'`), '1');

  // Someone else's notification does not exist for you.
  const foreign = await api('POST', `/api/v1/notifications/${nb}/read`, { cookie: a });
  expectError(foreign, 404, 'not_found');
  assert.equal(foreign.text, (await api('POST', '/api/v1/notifications/999999999/read', { cookie: a })).text);
  assert.equal(psql(`SELECT read_at IS NULL FROM notifications WHERE id = ${nb}`), 't');

  r = expectStatus(await api('GET', '/api/v1/notifications?unread=true', { cookie: a }), 200);
  assert.ok(!r.json.notifications.some((x) => x.id === n2));
  assert.ok(r.json.notifications.some((x) => x.id === n3));
  assert.equal(r.json.total, r.json.unread);
  r = expectStatus(await api('GET', '/api/v1/notifications', { cookie: b }), 200);
  assert.deepEqual(r.json.notifications.filter((x) => x.kind !== 'user.added').map((x) => x.id), [nb]);
  expectError(await api('GET', '/api/v1/notifications?unread=yes', { cookie: a }), 400, 'bad_request', 'unread');
  expectError(await api('GET', '/api/v1/notifications?limit=1000', { cookie: a }), 400, 'bad_request', 'limit');
  expectStatus(await api('POST', '/api/v1/notifications', { cookie: a, body: {} }), 405);
  expectStatus(await api('GET', `/api/v1/notifications/${n1}/read`, { cookie: a }), 405);
});

test('adding a user to an organisation tells its applicant users (notify_org)', async () => {
  const a = (await login(applicantA.email)).cookie;
  const before = expectStatus(await api('GET', '/api/v1/notifications?unread=true', { cookie: a }), 200).json.unread;
  const newcomer = addUser('applicant', { org: orgA });
  const r = expectStatus(await api('GET', '/api/v1/notifications?unread=true', { cookie: a }), 200);
  assert.equal(r.json.unread, before + 1);
  const n = r.json.notifications[0];
  assert.equal(n.kind, 'user.added');
  assert.equal(n.record_type, 'user');
  assert.equal(n.record_id, newcomer.id);
  assert.ok(n.message_en.includes(newcomer.email) && n.message_en.includes('itfctl:'), n.message_en);
  assert.ok(n.message_zh.includes(newcomer.email));
  // The newcomer is told too; other organisations and staff are not.
  const mine = expectStatus(await api('GET', '/api/v1/notifications', { cookie: (await login(newcomer.email)).cookie }), 200);
  assert.ok(mine.json.notifications.some((x) => x.kind === 'user.added' && x.record_id === newcomer.id));
  assert.equal(psql(`SELECT count(*) FROM notifications WHERE kind = 'user.added' AND record_id = ${newcomer.id}`), '2');
  // A disabled user of the organisation is not.
  const idle = addUser('applicant', { org: orgA });
  psql(`UPDATE users SET active = false WHERE id = ${idle.id}`);
  const third = addUser('applicant', { org: orgA });
  assert.equal(psql(`SELECT count(*) FROM notifications WHERE record_id = ${third.id} AND user_id = ${idle.id}`), '0');
  assert.equal(psql(`SELECT count(*) FROM notifications WHERE kind = 'user.added' AND record_id = ${third.id}`), '3');
});

test('audit API: staff read a record\'s trail; others are refused', async () => {
  const o = (await login(officer.email)).cookie;
  let r = expectStatus(await api('GET', `/api/v1/audit?record_type=user&record_id=${applicantA.id}`, { cookie: o }), 200);
  const actions = r.json.entries.map((e) => e.action);
  assert.equal(actions[0], 'user.create');
  assert.ok(actions.includes('session.create'));
  assert.equal(r.json.entries[0].after.email, applicantA.email);
  assert.equal(r.json.entries[0].after.password_hash, undefined);
  assert.ok(r.json.entries.every((e, i, all) => i === 0 || e.id > all[i - 1].id));

  r = expectStatus(await api('GET', `/api/v1/audit?record_type=user&record_id=${applicantA.id}&limit=1`, { cookie: o }), 200);
  assert.equal(r.json.entries.length, 1);
  assert.equal(r.json.next_after, r.json.entries[0].id);
  const page2 = expectStatus(await api('GET',
    `/api/v1/audit?record_type=user&record_id=${applicantA.id}&limit=1&after=${r.json.next_after}`, { cookie: o }), 200);
  assert.ok(page2.json.entries[0].id > r.json.next_after);

  const au = (await login(auditor.email)).cookie;
  expectStatus(await api('GET', `/api/v1/audit?record_type=organisation&record_id=${orgA}`, { cookie: au }), 200);
  const a = (await login(applicantA.email)).cookie;
  expectError(await api('GET', `/api/v1/audit?record_type=user&record_id=${applicantA.id}`, { cookie: a }), 403, 'forbidden');
  const ap = (await login(approver.email)).cookie;
  expectStatus(await api('GET', `/api/v1/audit?record_type=user&record_id=${applicantA.id}`, { cookie: ap }), 200, 'approver is also an officer');
  expectError(await api('GET', '/api/v1/audit', { cookie: o }), 400, 'bad_request', 'record_type');
  expectError(await api('GET', '/api/v1/audit?record_type=user&limit=501', { cookie: o }), 400, 'bad_request', 'limit');
  expectError(await api('GET', '/api/v1/audit?record_type=user&after=x', { cookie: o }), 400, 'bad_request', 'after');
  expectError(await api('GET', '/api/v1/audit?record_type=user&who=me', { cookie: o }), 400, 'bad_request', 'who');
});

test('the audit trail is append-only for itf_app and tampering is detected', () => {
  const row = psql(`SELECT id FROM audit_log WHERE action = 'user.create' AND record_id = '${applicantB.id}'`);
  assert.match(row, /^\d+$/);
  for (const sql of [
    `UPDATE audit_log SET reason = 'rewritten' WHERE id = ${row}`,
    `DELETE FROM audit_log WHERE id = ${row}`,
    'TRUNCATE audit_log',
  ]) {
    const r = psqlTry(sql, 'itf_app');
    assert.notEqual(r.status, 0, `itf_app could run: ${sql}`);
    assert.match(r.stderr, /permission denied/);
  }
  // The owner cannot either, through ordinary statements.
  const owner = psqlTry(`UPDATE audit_log SET reason = 'rewritten' WHERE id = ${row}`);
  assert.notEqual(owner.status, 0);
  assert.match(owner.stderr, /append-only/);
  // But itf_app can still append and read.
  assert.equal(psqlTry('SELECT count(*) > 0 FROM audit_log', 'itf_app').stdout, 't');

  let v = itfctl(['audit', 'verify']);
  assert.equal(v.status, 0, v.stdout + v.stderr);
  assert.match(v.stdout, /intact/);

  // Someone with the owner's rights bypasses the trigger: verify names the row.
  const tamper = (value) => psql(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update;
    UPDATE audit_log SET reason = ${value} WHERE id = ${row};
    ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update;`);
  const original = psql(`SELECT coalesce(quote_literal(reason), 'NULL') FROM audit_log WHERE id = ${row}`);
  tamper("'quietly rewritten'");
  try {
    v = itfctl(['audit', 'verify']);
    assert.equal(v.status, 1, v.stdout);
    assert.match(v.stdout, new RegExp(`BROKEN at row ${row}\\b`));
  } finally {
    tamper(original);	// put it back, so later tests see a whole chain
  }
  v = itfctl(['audit', 'verify']);
  assert.equal(v.status, 0, v.stdout);
});

test('an admin changes an approver\'s financial authority, audited; nobody else may', async () => {
  const admin = addUser('admin');
  const adminApprover = addUser(['admin', 'approver'], { authority: 100 });
  const target = addUser('approver', { authority: 10000000 });
  const cookie = {};
  for (const [k, u] of Object.entries({ admin, adminApprover, target, officer, auditor, panel,
    approver, applicantA }))
    cookie[k] = (await login(u.email)).cookie;
  const path = `/api/v1/users/${target.id}/authority`;
  const put = (who, body, opts = {}) => api('PUT', path, { cookie: cookie[who], body, ...opts });
  const audits = () => psql(`SELECT count(*) FROM audit_log WHERE action = 'user.authority'
    AND record_id = '${target.id}'`);
  const authority = () => Number(psql(`SELECT authority_cents FROM users WHERE id = ${target.id}`));

  // Only administrators; approvers cannot raise their own or anyone's limit.
  for (const who of ['officer', 'auditor', 'panel', 'approver', 'applicantA', 'target'])
    expectError(await put(who, { authority_cents: 1 }), 403, 'forbidden');
  expectError(await api('PUT', path, { body: { authority_cents: 1 } }), 401, 'unauthenticated');
  expectError(await put('admin', { authority_cents: 1 }, { csrf: false }), 403, 'forbidden',
    'x-itf-request');
  // Strict bodies: JSON integers of cents, nothing else.
  expectError(await put('admin', {}), 400, 'bad_request', 'authority_cents');
  expectError(await put('admin', { authority_cents: '100' }), 400, 'bad_request', 'authority_cents');
  expectError(await put('admin', { authority_cents: 1.5 }), 400, 'bad_request', 'authority_cents');
  expectError(await put('admin', { authority_cents: 1, reason: 'x' }), 400, 'bad_request', 'reason');
  expectError(await put('admin', '[1]'), 400, 'bad_request');
  expectError(await put('admin', { authority_cents: -1 }), 422, 'invalid', 'authority_cents');
  expectError(await put('admin', { authority_cents: 1000000000000001 }), 422, 'invalid',
    'authority_cents');
  // Only approvers hold an authority; unknown users; never one's own.
  let e = expectError(await api('PUT', `/api/v1/users/${officer.id}/authority`,
    { cookie: cookie.admin, body: { authority_cents: 1 } }), 422, 'invalid', 'authority_cents');
  assert.match(e.json.error.message, /not an approver/);
  expectError(await api('PUT', '/api/v1/users/999999999/authority',
    { cookie: cookie.admin, body: { authority_cents: 1 } }), 404, 'not_found');
  e = expectError(await api('PUT', `/api/v1/users/${adminApprover.id}/authority`,
    { cookie: cookie.adminApprover, body: { authority_cents: 1e12 } }), 403, 'forbidden', 'id');
  assert.match(e.json.error.message, /own/);
  assert.equal(authority(), 10000000, 'no refusal changed anything');
  assert.equal(audits(), '0');

  // Set: the user back, one audit row with before and after, a notice.
  const r = expectStatus(await put('admin', { authority_cents: 250000000 }), 200);
  assert.equal(r.json.id, target.id);
  assert.equal(r.json.authority_cents, 250000000);
  assert.deepEqual(r.json.roles, ['approver']);
  assert.equal(authority(), 250000000);
  assert.equal(psql(`SELECT actor_id || ':' || (before->>'authority_cents') || '>'
    || (after->>'authority_cents') FROM audit_log WHERE action = 'user.authority'
    AND record_type = 'user' AND record_id = '${target.id}'`), `${admin.id}:10000000>250000000`);
  assert.match(psql(`SELECT message_en FROM notifications WHERE user_id = ${target.id}
    AND kind = 'user.authority'`), /HK\$2,500,000\.00.*HK\$100,000\.00/);
  // The approver's own session shows it at once.
  const s = expectStatus(await api('GET', '/api/v1/session', { cookie: cookie.target }), 200);
  assert.equal(s.json.user.authority_cents, 250000000);
  // The same value again changes nothing; zero is allowed.
  expectStatus(await put('admin', { authority_cents: 250000000 }), 200);
  assert.equal(audits(), '1');
  expectStatus(await put('admin', { authority_cents: 0 }), 200);
  assert.equal(authority(), 0);
  assert.equal(audits(), '2');
  // Methods and paths.
  const m = await api('GET', path, { cookie: cookie.admin });
  assert.equal(m.status, 405);
  assert.equal(m.headers.get('allow'), 'PUT');
  expectError(await api('PUT', `/api/v1/users/${target.id}/limit`,
    { cookie: cookie.admin, body: { authority_cents: 1 } }), 404, 'not_found');
  assert.equal(itfctl(['audit', 'verify']).status, 0);
});
