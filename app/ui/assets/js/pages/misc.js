// Notifications, the pages for roles whose API is still being built
// (panel members, finance), and the not-found / not-allowed pages.
import { h, set, busy, loading, empty, failure, table, showError, alertBox } from '../dom.js';
import { tx, tfn, pick } from '../i18n.js';
import * as data from '../data.js';
import { get, post, query } from '../api.js';
import { money, date, dateTime } from '../format.js';
import { noticeItem } from './applications.js';
import * as session from '../session.js';

export async function notifications(ctx) {
  ctx.title('notices.title');
  const unreadOnly = ctx.query.get('unread') === 'true';
  const offset = Math.max(0, Number(ctx.query.get('offset')) || 0);
  const slot = h('div', {}, loading());
  ctx.main.append(h('div', { class: 'page-head' }, h('h1', {}, tx('notices.title')),
    h('p', {}, h('a', { href: unreadOnly ? '#/notifications' : '#/notifications?unread=true' }, tx(unreadOnly ? 'notices.show_all' : 'notices.show_unread')))), slot);
  const r = await get(`/notifications${query({ unread: unreadOnly ? 'true' : '', limit: 20, offset: offset || '' })}`);
  if (!ctx.current()) return;
  if (!r.ok) { set(slot, r.missing ? empty('notices.unavailable') : failure(r.error, () => ctx.go(location.hash))); return; }
  const items = r.data.notifications || [];
  if (!items.length) { set(slot, empty('notices.none')); return; }
  const alert = alertBox();
  const list = h('ul', { class: 'notices big' }, items.map((n) => {
    const li = noticeItem(n);
    if (!n.read) {
      const b = h('button', { type: 'button', class: 'link small' }, tx('notices.mark_read'));
      b.addEventListener('click', () => busy(b, async () => {
        const res = await post(`/notifications/${n.id}/read`, {});
        if (!res.ok) { showError(slot, res.error, alert); return; }
        li.className = 'read';
        b.remove();
        document.dispatchEvent(new CustomEvent('itf:notices'));
      }));
      li.append(' ', b);
    }
    return li;
  }));
  const total = r.data.total ?? items.length;
  set(slot, alert, h('p', { class: 'result-count' }, tx('notices.count', { n: total, unread: r.data.unread ?? 0 })), list,
    total > 20 ? h('nav', { class: 'pager' },
      offset > 0 ? h('a', { href: `#/notifications${query({ unread: unreadOnly ? 'true' : '', offset: Math.max(0, offset - 20) || '' })}` }, tx('pager.prev')) : null,
      offset + 20 < total ? h('a', { href: `#/notifications${query({ unread: unreadOnly ? 'true' : '', offset: offset + 20 })}` }, tx('pager.next')) : null) : null);
}

/*
 * A role's home whose own pages are still to come: ask the service; while
 * the endpoint is missing say so plainly, and once it answers list what
 * it returns (names in the chosen language, money as HK$), so the page is
 * of use before its own design lands.
 */
async function upcoming(ctx, titleKey, leadKey, path) {
  ctx.title(titleKey);
  const slot = h('div', {}, loading());
  ctx.main.append(h('div', { class: 'page-head' }, h('h1', {}, tx(titleKey)), h('p', { class: 'lead' }, tx(leadKey))), slot);
  const r = await get(path);
  if (!ctx.current()) return;
  if (!r.ok) { set(slot, r.missing ? empty('upcoming.title', 'upcoming.body') : failure(r.error, () => ctx.go(location.hash))); return; }
  const list = Object.values(r.data || {}).find((v) => Array.isArray(v)) || [];
  if (!list.length) { set(slot, empty('upcoming.none')); return; }
  const first = list[0];
  const named = 'name_en' in first || 'name_zh' in first;
  // Text and numbers first, then up to two money columns; flags and
  // nested records are left for the page's own design.
  const scalar = Object.keys(first).filter((k) => !/^name_(en|zh)$/.test(k) &&
    (first[k] === null || ['string', 'number'].includes(typeof first[k])));
  const cents = scalar.filter((k) => /_cents$/.test(k)).slice(0, 2);
  const keys = [...scalar.filter((k) => !/_cents$/.test(k)).slice(0, (named ? 5 : 6) - cents.length), ...cents];
  const cols = [
    ...(named ? [{ label: 'upcoming.name', cell: (row) => tfn(() => pick(row)) }] : []),
    ...keys.map((k) => ({
      label: () => data.labelOf('col', k),
      class: /_cents$/.test(k) ? 'num' : '',
      cell: (row) => {
        const v = row[k];
        if (v === null || v === undefined) return '';
        if (/_cents$/.test(k)) return money(v);
        if (/_at$/.test(k)) return tfn(() => dateTime(v));
        if (/(_date|_on)$/.test(k)) return tfn(() => date(v));
        return String(v);
      },
    })),
  ];
  set(slot, table(cols, list, { caption: titleKey, captionHidden: true }));
}

export const panel = (ctx) => upcoming(ctx, 'panel.title', 'panel.lead', '/panels');
export const finance = (ctx) => upcoming(ctx, 'finance.title', 'finance.lead', '/ledger/accounts');

export function notFound(ctx) {
  ctx.title('notfound.title');
  ctx.main.append(h('h1', {}, tx('notfound.title')), h('p', {}, tx('notfound.body')),
    h('p', {}, h('a', { href: session.home() }, tx('nav.home'))));
}

export function forbidden(ctx) {
  ctx.title('forbidden.title');
  ctx.main.append(h('h1', {}, tx('forbidden.title')), h('p', {}, tx('forbidden.body')),
    h('p', {}, h('a', { href: session.home() }, tx('nav.home'))));
}
