// Pieces the staff and project pages share: status badges, a page's
// tab bar, a list loaded a page at a time, a small action form, and
// bounded parallel fetching.
import { h, set, alertBox, clearErrors, showError, busy, loading, empty, failure, notify } from '../dom.js';
import { t, tx, tfn, tattr } from '../i18n.js';
import { get } from '../api.js';
import * as data from '../data.js';

// A status badge: family is the string family ("pstatus", "paystatus",
// "rstatus", "tstate"); the class colours it (app.css .st-*).
export function badge(family, status) {
  return h('span', { class: `badge st-${status}` }, tfn(() => data.labelOf(family, status)));
}

// Tabs between a role's related pages: [[hash, key], ...]; the current
// one is marked.
export function tabs(ctx, items, labelKey) {
  const nav = h('nav', { class: 'tabs' }, h('ul', {}, items.map(([hash, key]) => h('li', {},
    h('a', { href: hash, 'aria-current': `#${ctx.path}` === hash.split('?')[0] ? 'page' : null }, tx(key))))));
  tattr(nav, 'aria-label', labelKey);
  return nav;
}

/*
 * A list read a page at a time through a keyset cursor ("Show more"):
 *   fetchPage(cursor) -> api result; rowsOf(data) -> rows; render(rows)
 *   -> node (the whole list so far).  Returns the element.
 */
export function moreList(ctx, { fetchPage, rowsOf, render, emptyKey, emptyBodyKey, cursorOf = (d) => d.next_cursor }) {
  const rows = [];
  const body = h('div', { class: 'list-body' }, loading());
  const more = h('button', { type: 'button', class: 'secondary more', hidden: true }, tx('pager.more'));
  const el = h('div', {}, body, more);
  let cursor = null;
  const load = async () => {
    const r = await fetchPage(cursor);
    if (!ctx.current()) return;
    if (!r.ok) {
      set(body, failure(r.error, () => ctx.go(location.hash)));
      more.hidden = true;
      return;
    }
    rows.push(...rowsOf(r.data));
    cursor = cursorOf(r.data);
    more.hidden = !cursor;
    set(body, rows.length ? render(rows) : empty(emptyKey, emptyBodyKey));
  };
  more.addEventListener('click', () => busy(more, load, 'busy.loading'));
  el.ready = load();
  return el;
}

/*
 * A small form that does one thing: fields, a submit button and an alert
 * for errors no field claims.  submit(values, form) returns an api
 * result; on success onDone(data) runs.  The button is busy meanwhile.
 */
export function actionForm({ fields = [], buttonKey, busyKey, cls = 'primary', submit, onDone, extra, id }) {
  const alert = alertBox();
  const button = h('button', { type: 'submit', class: cls }, tx(buttonKey));
  const form = h('form', { class: 'action-form', novalidate: true, id }, fields, extra || null, alert, h('div', { class: 'actions' }, button));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    await busy(button, async () => {
      const r = await submit(form);
      if (!r) return;                      // refused in the page, error shown
      if (!r.ok) { showError(form, r.error, alert); return; }
      if (onDone) await onDone(r.data, form);
    }, busyKey);
  });
  form.button = button;
  form.alert = alert;
  return form;
}

// Run fn over items, at most n at a time; results in order.
export async function mapLimit(items, n, fn) {
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

// Show the result of an action and reload the page in place.
export function done(ctx, key, vars) {
  notify(tfn(() => t(key, vars)));
  ctx.go(location.hash);
}

// GET a path, or show a failure in slot and return null.
export async function fetchOr(ctx, slot, path) {
  const r = await get(path);
  if (!ctx.current()) return null;
  if (!r.ok) { set(slot, failure(r.error, () => ctx.go(location.hash))); return null; }
  return r.data;
}
