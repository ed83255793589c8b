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
  const headers = { accept: 'application/json', ...(opts.headers || {}) };
  // CSRF defence (docs/api.md): every write carries X-ITF-Request.
  if (WRITE.has(method)) headers['x-itf-request'] = '1';
  let payload;
  if (body instanceof FormData) {
    // multipart/form-data: the browser writes the boundary itself.
    payload = body;
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const r = await send(path, { method, headers, body: payload, signal: opts.signal });
  if (r.error) return r;
  const res = r.res;
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
  return refusal(path, res.status, data, opts);
}

// fetch, never throwing: { res } or { ok: false, error } (network, aborted).
async function send(path, init) {
  try {
    const res = await fetch(BASE + path, { ...init, credentials: 'same-origin', cache: 'no-store' });
    return { res };
  } catch (e) {
    if (e && e.name === 'AbortError') return { ok: false, status: 0, aborted: true, error: { code: 'aborted', message: 'aborted', field: null } };
    return { ok: false, status: 0, data: null, error: { code: 'network', message: 'The service could not be reached.', field: null } };
  }
}

// A refusal (4xx/5xx) as { ok: false, status, data, error, missing }.
function refusal(path, status, data, opts) {
  const error = data && data.error && typeof data.error === 'object'
    ? { code: data.error.code || 'error', message: data.error.message || '', field: data.error.field || null }
    : { code: status >= 500 ? 'internal_error' : 'error', message: `HTTP ${status}`, field: null };
  if (status === 503) error.code = error.code === 'error' ? 'unavailable' : error.code;
  const out = { ok: false, status, data, error, missing: isMissing(status, error) };
  if (status === 401 && onUnauth && !opts.quietUnauth) onUnauth(path);
  return out;
}

/*
 * A file from the API (a report workbook, an uploaded file): resolves to
 * { ok, blob, filename } or the refusal, read from the JSON error body.
 */
export async function download(path, opts = {}) {
  const r = await send(path, { method: 'GET', headers: { accept: '*/*' }, signal: opts.signal });
  if (r.error) return r;
  const res = r.res;
  if (!res.ok) {
    let data = null;
    try { data = JSON.parse(await res.text()); } catch { data = null; }
    return refusal(path, res.status, data, opts);
  }
  const blob = await res.blob();
  const cd = res.headers.get('content-disposition') || '';
  const m = /filename="([^"]+)"/.exec(cd);
  return { ok: true, status: res.status, blob, filename: m ? m[1] : path.split('/').pop().split('?')[0], error: null };
}

// Hand a downloaded file to the browser (the link is never on the page).
export function saveFile(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30000);
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
export const put = (p, b, o) => api('PUT', p, b, o);

// Build "?a=1&b=2" from an object, leaving out empty values.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}
