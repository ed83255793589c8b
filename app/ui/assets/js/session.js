// Who is signed in.  The API decides what each role may do; the UI only
// hides what would be refused (navigation, buttons), by the same roles.
import { get, post, del } from './api.js';

export const state = {
  user: null,          // GET /api/v1/session's user, or null
  available: true,     // false while the service has no session endpoint
};

export async function load() {
  const r = await get('/session', { quietUnauth: true });
  if (r.ok) {
    state.user = r.data.user;
    state.available = true;
  } else {
    state.user = null;
    state.available = !r.missing;
  }
  return r;
}

export async function login(email, password) {
  const r = await post('/session', { email, password }, { quietUnauth: true });
  if (r.ok) state.user = r.data.user;
  return r;
}

export async function logout() {
  const r = await del('/session', { quietUnauth: true });
  // Signed out either way on this page; the cookie is HttpOnly and the
  // service drops it on success.
  state.user = null;
  return r;
}

export function setUser(u) { state.user = u; }

export function roles() { return state.user ? state.user.roles || [] : []; }
export function hasRole(...r) { const mine = roles(); return r.some((x) => mine.includes(x)); }
export function signedIn() { return !!state.user; }

// Each role lands on its own home page.
export function home() {
  if (!state.user) return '#/';
  if (hasRole('officer')) return '#/dashboard';
  if (hasRole('applicant')) return '#/my';
  if (hasRole('approver')) return '#/decisions';
  if (hasRole('auditor')) return '#/queue';
  if (hasRole('panel_member')) return '#/panel';
  if (hasRole('finance')) return '#/finance';
  if (hasRole('admin')) return '#/grants';
  return '#/schemes';
}
