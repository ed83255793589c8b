// Language: English or Traditional Chinese, chosen by the switch on every
// page and remembered in localStorage.  Text is put on the page as live
// Text nodes (tx, tfn) that are rewritten in place when the language
// changes, so switching never re-renders a page and never loses what the
// user has typed.
import { STRINGS } from './strings.js';

const KEY = 'itf.lang';
const live = new Set();          // { node, fn } for text, { el, attr, fn } for attributes
const listeners = new Set();     // callbacks for what cannot be a text node (charts)
let current = initial();

function initial() {
  let saved = null;
  try { saved = localStorage.getItem(KEY); } catch { /* storage blocked */ }
  if (saved === 'en' || saved === 'zh') return saved;
  const nav = (navigator.language || '').toLowerCase();
  return nav.startsWith('zh') ? 'zh' : 'en';
}

export function lang() { return current; }

// The BCP 47 tag for <html lang>: zh-Hant-HK, the written form used here.
export function langTag(l = current) { return l === 'zh' ? 'zh-Hant-HK' : 'en'; }

// The string for key in the current language, with {name} placeholders
// filled from vars.  An unknown key shows itself (and warns), never blank.
export function t(key, vars) {
  const e = STRINGS[key];
  let s;
  if (e === undefined) {
    console.warn('i18n: no string', key);
    s = key;
  } else {
    s = e[current === 'zh' ? 1 : 0];
  }
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  return s;
}

// Is there a string for key?
export function has(key) { return Object.prototype.hasOwnProperty.call(STRINGS, key); }

// A record's name in the chosen language: obj.name_zh / obj.name_en (or
// other prefixes: pick(obj, 'label'), pick(obj, 'eligibility')), and
// {en, zh} objects; falls back to the other language.
export function pick(obj, prefix = 'name') {
  if (obj == null) return '';
  if (typeof obj === 'string') return obj;
  const en = obj[`${prefix}_en`] ?? obj.en;
  const zh = obj[`${prefix}_zh`] ?? obj.zh;
  return (current === 'zh' ? (zh || en) : (en || zh)) || '';
}

// A Text node showing fn() now and after each language change.
export function tfn(fn) {
  const node = document.createTextNode(fn());
  live.add({ node, fn });
  return node;
}

// A Text node for a string key.
export function tx(key, vars) { return tfn(() => t(key, vars)); }

// Set an attribute (placeholder, aria-label, title) that follows the language.
export function tattr(el, attr, key, vars) {
  const fn = typeof key === 'function' ? key : () => t(key, vars);
  el.setAttribute(attr, fn());
  live.add({ el, attr, fn });
  return el;
}

// Call fn(lang) after each language change until the page is left.
export function onLang(fn) { listeners.add(fn); return fn; }

// Forget text and callbacks of pages that are gone (called on navigation).
export function prune() {
  for (const r of live) {
    const n = r.node || r.el;
    if (!n.isConnected) live.delete(r);
  }
  listeners.clear();
}

export function setLang(l) {
  if (l !== 'en' && l !== 'zh') return;
  current = l;
  try { localStorage.setItem(KEY, l); } catch { /* storage blocked */ }
  document.documentElement.lang = langTag(l);
  for (const r of live) {
    if (r.node) r.node.data = r.fn();
    else r.el.setAttribute(r.attr, r.fn());
  }
  for (const fn of listeners) {
    try { fn(l); } catch (e) { console.error(e); }
  }
  document.dispatchEvent(new CustomEvent('itf:lang', { detail: l }));
}
