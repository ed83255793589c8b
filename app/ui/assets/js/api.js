// The one way the UI talks to /api/v1.  Every call resolves (never
// throws) to { ok, status, data, error }: error is the API's
// {code, message, field}, or one made here for a network failure or a
// reply that is not JSON, so no failure can pass silently.
const BASE = '/api/v1';
const WRITE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

let onUnauth = null;
// Called with the path when a session-bound call answers 401.
export function setUnauthHandler(fn) { onUnauth = fn; }

export async function api(method, path, body, opts = {}) {
  const headers = { accept: 'application/json' };
  // CSRF defence (docs/api.md): every write carries X-ITF-Request.
  if (WRITE.has(method)) headers['x-itf-request'] = '1';
  let payload;
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(BASE + path, {
      method, headers, body: payload, credentials: 'same-origin', cache: 'no-store',
      signal: opts.signal,
    });
  } catch (e) {
    if (e && e.name === 'AbortError') return { ok: false, status: 0, aborted: true, error: { code: 'aborted', message: 'aborted', field: null } };
    return { ok: false, status: 0, data: null, error: { code: 'network', message: 'The service could not be reached.', field: null } };
  }
  let data = null;
  const text = await res.text().catch(() => '');
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (res.ok) {
    if (text && data === null)
      return { ok: false, status: res.status, data: null, error: { code: 'bad_reply', message: 'The service sent a reply the page cannot read.', field: null } };
    return { ok: true, status: res.status, data, error: null };
  }
  const error = data && data.error && typeof data.error === 'object'
    ? { code: data.error.code || 'error', message: data.error.message || '', field: data.error.field || null }
    : { code: res.status >= 500 ? 'internal_error' : 'error', message: `HTTP ${res.status}`, field: null };
  if (res.status === 503) error.code = error.code === 'error' ? 'unavailable' : error.code;
  const out = { ok: false, status: res.status, data, error, missing: isMissing(res.status, error) };
  if (res.status === 401 && onUnauth && !opts.quietUnauth) onUnauth(path);
  return out;
}

// True when the endpoint itself is not part of this service yet (the
// catch-all /api/ route answered): the page then says so, plainly.
export function isMissing(status, error) {
  return status === 404 && error && !error.field && /^no such API path/.test(error.message || '');
}

export const get = (p, o) => api('GET', p, undefined, o);
export const post = (p, b, o) => api('POST', p, b === undefined ? {} : b, o);
export const patch = (p, b, o) => api('PATCH', p, b, o);
export const del = (p, o) => api('DELETE', p, undefined, o);

// Build "?a=1&b=2" from an object, leaving out empty values.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}
