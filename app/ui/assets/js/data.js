// Reference data that many pages share, fetched once per page load:
// the scheme list and scheme definitions (public, unchanging while the
// service runs).
import { get } from './api.js';
import { t, has } from './i18n.js';

let list = null;
const defs = new Map();

// { ok, data: [scheme summaries], error } -- a failed fetch is retried next time.
export async function schemes() {
  if (list) return list;
  const r = await get('/schemes');
  if (!r.ok) return { ok: false, error: r.error, missing: r.missing };
  list = { ok: true, data: r.data.schemes };
  return list;
}

export async function scheme(code) {
  const key = code.toUpperCase();
  if (defs.has(key)) return defs.get(key);
  const r = await get(`/schemes/${encodeURIComponent(key)}`);
  if (!r.ok) return r;
  const v = { ok: true, data: r.data };
  defs.set(key, v);
  return v;
}

// The rule version in force on day (YYYY-MM-DD), chosen as the service
// does: effective_from <= day <= effective_to (open-ended when null).
export function rulesOn(def, day) {
  if (!def || !Array.isArray(def.rule_versions) || !/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  let found = null;
  for (const r of def.rule_versions) {
    if (r.effective_from <= day && (!r.effective_to || day <= r.effective_to)) found = r;
  }
  return found;
}

// A label for a code from a family of string keys ("area.rd"), or the
// code itself, readable, when the UI has no label for it yet.
export function labelOf(family, code) {
  if (code === null || code === undefined || code === '') return '';
  const k = `${family}.${code}`;
  return has(k) ? t(k) : String(code).replace(/_/g, ' ');
}
