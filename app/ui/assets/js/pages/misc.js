// Notifications, and the not-found / not-allowed pages.
import { h, set, busy, loading, empty, failure, showError, alertBox } from '../dom.js';
import { tx } from '../i18n.js';
import { get, post, query } from '../api.js';
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
