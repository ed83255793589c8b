// The public register of funded projects (issue 7): GET
// /api/v1/public/projects answers without a session, shows only the
// published fields, filters by text, scheme, organisation, approval year
// and public status, pages by keyset, and never lists an application that
// was not approved (drafts, submitted, rejected ones).
//
// Projects are approved by the tests/db fixture (build/dbtests/test_projects
// approve ID CENTS: the application approved, the money committed and the
// project created in one transaction, as the decision does), and one
// application is rejected through the real panel and decision path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, expectStatus, expectError, itfctl, psql, uniq, projectsFixture } from './lib.mjs';

const PW = 'correct horse battery staple';
const DAY = 86400e3;
const day = (n) => new Date(Date.now() + 8 * 3600e3 + n * DAY).toISOString().slice(0, 10);
// A word no other test file uses, in every title here, so the text
// search isolates this file's projects from the rest of the database.
const TOK = `zq${process.pid}k${Date.now() % 1e6}`;
const PATH = '/api/v1/public/projects';
const ITEM_KEYS = ['approved_cents', 'approved_on', 'end_date', 'organisation', 'reference',
  'scheme', 'start_date', 'status', 'title'];

let brSeq = 0;
function addOrg(type, nameEn, nameZh) {
  const args = ['org', 'add', '--name-en', nameEn, '--name-zh', nameZh, '--type', type];
  if (type === 'company') {
    brSeq += 1;
    args.push('--br', String(70000000 + (process.pid % 10000) * 100 + brSeq));
  }
  const r = itfctl(args);
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout);
}

async function addUser(roles, org, authority) {
  const email = `${uniq('pub')}@example.hk`;
  const args = ['user', 'add', '--email', email];
  for (const role of [].concat(roles)) args.push('--role', role);
  if (org) args.push('--org', String(org));
  if (authority) args.push('--authority-cents', String(authority));
  const r = itfctl(args, PW + '\n');
  assert.equal(r.status, 0, r.stderr);
  const res = await api('POST', '/api/v1/session', { body: { email, password: PW } });
  expectStatus(res, 200, `login ${email}`);
  const c = res.headers.getSetCookie().find((s) => s.startsWith('itf_session='));
  return { id: Number(r.stdout), email, org, cookie: c.split(';')[0] };
}

const as = (u, method, path, body) => api(method, path, { body, cookie: u ? u.cookie : undefined });

function fixture(args) {
  const r = projectsFixture(args);
  assert.equal(r.status, 0, `fixture ${args.join(' ')}: ${r.stdout} ${r.stderr}`);
}

const SUMMARY = `Private summary ${TOK} that only the applicant and staff may read.`;
function itspBody(title) {
  return {
    scheme: 'ITSP', title, summary: SUMMARY, start_date: day(1), end_date: day(360),
    budget_lines: [{ category: 'manpower', description: 'Researchers', amount_cents: 100000000 }],
    milestones: [{ title: 'Design', due_date: day(90) }, { title: 'Trial', due_date: day(350) }],
    fields: { project_title: title, project_tier: 'seed' },
  };
}
function essBody(title) {
  return {
    scheme: 'ESS', title, summary: SUMMARY, start_date: day(1), end_date: day(360),
    budget_lines: [{ category: 'equipment', amount_cents: 40000000 }],
    milestones: [{ title: 'Prototype', due_date: day(180) }],
    fields: { project_title: title },
  };
}

const uniName = `Register University ${TOK}`;
const uni = addOrg('university', uniName, `登記大學${TOK}`);
const co = addOrg('company', `Register Robotics ${TOK} Limited`, '登記機械人有限公司');
const appU = await addUser('applicant', uni);
const appC = await addUser('applicant', co);
const officer = await addUser('officer');
const approver = await addUser('approver', null, 10000000000);
const chair = await addUser('panel_member');
const brU = psql(`SELECT coalesce(br_number, '') FROM organisations WHERE id = ${co}`);

async function create(user, body) {
  return expectStatus(await as(user, 'POST', '/api/v1/applications', body), 201, 'create').json.id;
}
async function toAssessment(user, body) {
  const id = await create(user, body);
  expectStatus(await as(user, 'POST', `/api/v1/applications/${id}/submit`), 200, 'submit');
  expectStatus(await as(officer, 'POST', `/api/v1/applications/${id}/screen`, { decision: 'accept' }), 200, 'screen');
  return id;
}
async function approved(user, body, cents) {
  const id = await toAssessment(user, body);
  fixture(['approve', String(id), String(cents)]);
  return id;
}

const P = {};
const ref = (id) => psql(`SELECT reference FROM projects WHERE id = ${id}`);
const list = async (qs, user = null) => expectStatus(await as(user, 'GET', `${PATH}${qs}`), 200, qs).json;
const refs = (j) => j.projects.map((p) => p.reference);

test('the cast: approved projects in every public status, and applications that never were', async () => {
  P.one = await approved(appU, itspBody(`Harbour water sensors ${TOK}`), 90000000);
  P.two = await approved(appU, itspBody(`Tunnel air monitors ${TOK}`), 80000000);
  P.three = await approved(appU, itspBody(`Slope radar ${TOK}`), 70000000);
  P.ess = await approved(appC, essBody(`Warehouse robotics ${TOK}`), 20000000);
  // Signed then suspended: published as ongoing (the hold stays internal).
  expectStatus(await as(appU, 'POST', `/api/v1/projects/${P.two}/sign`), 200, 'sign');
  expectStatus(await as(officer, 'POST', `/api/v1/projects/${P.two}/suspend`,
    { reason: 'Progress report disputed' }), 200, 'suspend');
  expectStatus(await as(officer, 'POST', `/api/v1/projects/${P.three}/terminate`,
    { reason: 'The applicant withdrew' }), 200, 'terminate');
  // Approved in 2021 (the project's own creation when no decision row).
  psql(`UPDATE projects SET created_at = '2021-05-05 10:00+08' WHERE id = ${P.one}`);

  // Never approved: a draft, a submitted one, and one rejected through
  // the panel (quorum 1) and the approver.
  P.draft = await create(appU, itspBody(`Draft idea ${TOK}`));
  P.submitted = await create(appU, itspBody(`Pending idea ${TOK}`));
  expectStatus(await as(appU, 'POST', `/api/v1/applications/${P.submitted}/submit`), 200);
  P.rejected = await toAssessment(appU, itspBody(`Rejected idea ${TOK}`));
  let r = expectStatus(await as(officer, 'POST', '/api/v1/panels',
    { scheme: 'ITSP', name_en: `Register panel ${TOK}`, name_zh: '登記評審委員會', quorum: 1 }), 201, 'panel');
  expectStatus(await as(officer, 'POST', `/api/v1/panels/${r.json.id}/members`,
    { user_id: chair.id, role: 'chair', term_from: '2020-01-01', term_to: '2035-12-31' }), 201, 'appoint');
  r = expectStatus(await as(officer, 'POST', '/api/v1/meetings', { panel_id: r.json.id, meeting_date: day(0) }), 201);
  expectStatus(await as(officer, 'POST', `/api/v1/meetings/${r.json.id}/agenda`, { application_ids: [P.rejected] }), 200);
  expectStatus(await as(chair, 'POST', `/api/v1/applications/${P.rejected}/conflicts`, { conflict: false }), 200);
  const scheme = expectStatus(await as(officer, 'GET', '/api/v1/schemes/ITSP'), 200).json;
  expectStatus(await as(chair, 'POST', `/api/v1/applications/${P.rejected}/scores`,
    { scores: Object.fromEntries(scheme.criteria.map((c) => [c.id, 1])) }), 200, 'scores');
  expectStatus(await as(chair, 'POST', `/api/v1/applications/${P.rejected}/recommendation`,
    { recommendation: 'not_support', reasons: 'Weak technical content.' }), 201, 'recommend');
  r = await as(approver, 'POST', `/api/v1/applications/${P.rejected}/decision`,
    { decision: 'reject', reasons: 'As the panel advised.' });
  assert.ok(r.status === 200 || r.status === 201, r.text);
  assert.equal(psql(`SELECT status FROM applications WHERE id = ${P.rejected}`), 'rejected');
});

test('no session is needed, none is made, and a session changes nothing', async () => {
  const res = await api('GET', `${PATH}?q=${TOK}`);
  expectStatus(res, 200);
  assert.equal(res.headers.get('set-cookie'), null, 'no cookie is set');
  assert.match(res.headers.get('content-type'), /application\/json/);
  const withSession = await list(`?q=${TOK}`, officer);
  assert.deepEqual(withSession, res.json, 'the same answer for staff');
  expectStatus(await api('DELETE', PATH), 405);
});

test('only the published fields, never private ones', async () => {
  const res = await api('GET', `${PATH}?q=${TOK}&limit=100`);
  const j = res.json;
  assert.deepEqual(Object.keys(j).sort(), ['limit', 'next_cursor', 'projects', 'total']);
  assert.ok(j.projects.length > 0);
  for (const p of j.projects) {
    assert.deepEqual(Object.keys(p).sort(), ITEM_KEYS, JSON.stringify(p));
    assert.deepEqual(Object.keys(p.organisation).sort(), ['id', 'name_en', 'name_zh']);
    assert.equal(typeof p.approved_cents, 'number');
    assert.match(p.approved_on, /^\d{4}-\d{2}-\d{2}$/);
  }
  // Nothing private anywhere in the answer: the summary, the BR number,
  // the money paid or the applicant's share, the suspension.
  for (const word of [SUMMARY, 'Private summary', brU, 'br_number', 'government_cents',
    'applicant_cents', 'paid_cents', 'suspended', 'Progress report disputed', 'The applicant withdrew',
    'email', 'budget', 'milestone', 'tranche', 'org_type', 'rule_version'])
    assert.ok(!res.text.includes(word), `"${word}" is not published`);
  const one = j.projects.find((p) => p.reference === ref(P.one));
  assert.equal(one.title, `Harbour water sensors ${TOK}`);
  assert.equal(one.scheme, 'ITSP');
  assert.equal(one.organisation.name_en, uniName);
  assert.equal(one.organisation.name_zh, `登記大學${TOK}`);
  assert.equal(one.approved_cents, 90000000);
  assert.equal(one.start_date, day(1));
  assert.equal(one.end_date, day(360));
  assert.equal(one.approved_on, '2021-05-05');
});

test('drafts, submitted and rejected applications never appear', async () => {
  const j = await list(`?q=${TOK}&limit=100`);
  assert.equal(j.total, 4);
  assert.deepEqual(refs(j).sort(), [P.one, P.two, P.three, P.ess].map(ref).sort());
  for (const word of ['Draft idea', 'Pending idea', 'Rejected idea'])
    assert.ok(!JSON.stringify(j).includes(word), word);
  const sub = psql(`SELECT reference FROM applications WHERE id = ${P.submitted}`);
  assert.equal((await list(`?q=${encodeURIComponent(sub)}`)).total, 0, 'a submitted reference finds nothing');
  const rej = psql(`SELECT reference FROM applications WHERE id = ${P.rejected}`);
  assert.equal((await list(`?q=${encodeURIComponent(rej)}`)).total, 0, 'a rejected reference finds nothing');
});

test('statuses are the public ones', async () => {
  const j = await list(`?q=${TOK}`);
  const st = Object.fromEntries(j.projects.map((p) => [p.reference, p.status]));
  assert.equal(st[ref(P.one)], 'approved');
  assert.equal(st[ref(P.two)], 'ongoing', 'a suspension is not published');
  assert.equal(st[ref(P.three)], 'terminated');
  assert.deepEqual(refs(await list(`?q=${TOK}&status=terminated`)), [ref(P.three)]);
  assert.deepEqual(refs(await list(`?q=${TOK}&status=ongoing`)), [ref(P.two)]);
  assert.deepEqual(refs(await list(`?q=${TOK}&status=approved`)).sort(), [ref(P.one), ref(P.ess)].sort());
  assert.equal((await list(`?q=${TOK}&status=ongoing,terminated`)).total, 2);
  assert.equal((await list(`?q=${TOK}&status=completed`)).total, 0);
});

test('filters: text (title, either name, reference), scheme, organisation, year', async () => {
  assert.deepEqual(refs(await list(`?q=${encodeURIComponent(`harbour WATER sensors ${TOK}`)}`)), [ref(P.one)],
    'title, any case');
  assert.equal((await list(`?q=${encodeURIComponent(`登記大學${TOK}`)}`)).total, 3, 'Chinese name');
  assert.equal((await list(`?q=${encodeURIComponent(`Robotics ${TOK} Limited`)}`)).total, 1, 'English name');
  assert.deepEqual(refs(await list(`?q=${encodeURIComponent(ref(P.two).toLowerCase())}`)), [ref(P.two)],
    'the reference, any case');
  assert.equal((await list(`?q=${encodeURIComponent(`${TOK}%`)}`)).total, 0, '% is literal');
  assert.equal((await list(`?q=${encodeURIComponent(`${TOK.slice(0, 3)}_${TOK.slice(4)}`)}`)).total, 0, '_ is literal');
  assert.deepEqual(refs(await list(`?q=${TOK}&scheme=ess`)), [ref(P.ess)], 'scheme, any case');
  assert.equal((await list(`?q=${TOK}&scheme=ITSP`)).total, 3);
  assert.equal((await list(`?organisation=${uni}`)).total, 3);
  assert.deepEqual(refs(await list(`?organisation=${co}`)), [ref(P.ess)]);
  assert.deepEqual(refs(await list(`?q=${TOK}&year=2021`)), [ref(P.one)], 'approval year');
  const thisYear = Number(day(0).slice(0, 4));
  assert.equal((await list(`?q=${TOK}&year=${thisYear}`)).total, 3);
  assert.equal((await list(`?q=${TOK}&year=2021&scheme=ESS`)).total, 0, 'filters combine');
  // An empty q is no filter.
  assert.equal((await list(`?q=&organisation=${uni}`)).total, 3);
});

test('keyset pages: newest first, every project once, limit at most 100', async () => {
  const seen = [];
  let cursor = null;
  for (let i = 0; i < 10; i++) {
    const j = await list(`?q=${TOK}&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(j.limit, 1);
    assert.equal(j.total, 4, 'the total counts every match, on every page');
    seen.push(...refs(j));
    cursor = j.next_cursor;
    if (!cursor) break;
    assert.match(cursor, /^\d+$/);
  }
  assert.equal(cursor, null);
  const ids = [P.ess, P.three, P.two, P.one].sort((a, b) => b - a);
  assert.deepEqual(seen, ids.map(ref), 'id descending, no repeats');
  const def = await list(`?q=${TOK}`);
  assert.equal(def.limit, 20);
  assert.equal((await list('?limit=100')).limit, 100);
});

test('bad parameters are refused naming them', async () => {
  const cases = [
    ['?colour=red', 'colour'], ['?limit=101', 'limit'], ['?limit=0', 'limit'], ['?limit=x', 'limit'],
    ['?cursor=abc', 'cursor'], ['?cursor=-1', 'cursor'], ['?scheme=NOPE', 'scheme'], ['?status=active', 'status'],
    ['?status=ongoing,', 'status'], ['?year=1998', 'year'], ['?year=20x1', 'year'], ['?organisation=0', 'organisation'],
    [`?q=${'x'.repeat(201)}`, 'q'], ['?q=%07bell', 'q'],
  ];
  for (const [qs, field] of cases) expectError(await api('GET', `${PATH}${qs}`), 400, 'bad_request', field);
  // 200 characters (Chinese ones too) are fine.
  expectStatus(await api('GET', `${PATH}?q=${encodeURIComponent('智'.repeat(200))}`), 200);
});

test('a terminated project stays terminated in the register after its settlement', async () => {
  const tok = `${TOK}x`;
  const id = await approved(appU, itspBody(`Flood gauge ${tok}`), 60000000);
  expectStatus(await as(appU, 'POST', `/api/v1/projects/${id}/sign`), 200, 'sign');
  expectStatus(await as(officer, 'POST', `/api/v1/projects/${id}/terminate`,
    { reason: 'The company was wound up' }), 200, 'terminate');
  expectStatus(await as(officer, 'POST', `/api/v1/projects/${id}/termination-cost`,
    { eligible_cost_cents: 0 }), 200, 'settle');
  assert.notEqual(psql(`SELECT status FROM projects WHERE id = ${id}`), 'terminated',
    'the settlement moved the project on');
  const j = await list(`?q=${encodeURIComponent(tok)}`);
  assert.deepEqual(j.projects.map((p) => p.status), ['terminated']);
  assert.equal((await list(`?q=${encodeURIComponent(tok)}&status=terminated`)).total, 1);
  assert.equal((await list(`?q=${encodeURIComponent(tok)}&status=completed`)).total, 0);
});
