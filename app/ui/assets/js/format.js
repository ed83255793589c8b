// Money, dates and numbers.  Money is integer HK cents everywhere: the
// inputs take HK dollars as typed ("800,000" or "1,234.50") and turn them
// into cents with string arithmetic, never through floating point.
import { t, lang } from './i18n.js';

const GROUP = /\B(?=(\d{3})+(?!\d))/g;

// "HK$600,000" or "HK$1,234.50"; '' for null/undefined.
export function money(cents) {
  if (cents === null || cents === undefined || cents === '') return '';
  let n = BigInt(cents);
  const neg = n < 0n;
  if (neg) n = -n;
  const dollars = (n / 100n).toString().replace(GROUP, ',');
  const c = n % 100n;
  return `${neg ? '-' : ''}HK$${dollars}${c ? '.' + c.toString().padStart(2, '0') : ''}`;
}

// "HK$1.2 million" style, or whole dollars below a million, for summary
// figures.
export function moneyShort(cents) {
  const d = Number(cents) / 100;
  if (Math.abs(d) >= 1e6) {
    const m = (d / 1e6).toLocaleString('en', { maximumFractionDigits: 1 });
    return t('money.million', { n: m });
  }
  return money(Math.round(Number(cents) / 100) * 100);
}

// HK dollars as typed -> cents (Number), or null if it is not an amount.
// Accepts "800000", "800,000", "HK$800,000.5", " 1 234.50 ".
export function parseMoney(text) {
  const s = String(text).trim().replace(/^HK\$/i, '').replace(/^\$/, '').replace(/[,\s]/g, '');
  const m = /^(\d{1,15})(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] || '').padEnd(2, '0'));
}

// Cents -> what a money input shows ("800,000" or "1,234.50").
export function moneyInput(cents) {
  if (cents === null || cents === undefined) return '';
  return money(cents).replace(/^HK\$/, '');
}

// Today in Hong Kong, YYYY-MM-DD (the date the service stamps submissions).
export function todayHK() {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Hong_Kong', year: 'numeric', month: '2-digit', day: '2-digit',
  }).format(new Date());
}

// "2020-04-01" -> "1 Apr 2020" / "2020年4月1日".
export function date(iso) {
  if (!iso) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!m) return iso;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return new Intl.DateTimeFormat(lang() === 'zh' ? 'zh-HK' : 'en-GB', {
    timeZone: 'UTC', year: 'numeric', month: lang() === 'zh' ? 'long' : 'short', day: 'numeric',
  }).format(d);
}

// An ISO timestamp in Hong Kong time, to the minute.
export function dateTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(lang() === 'zh' ? 'zh-HK' : 'en-GB', {
    timeZone: 'Asia/Hong_Kong', year: 'numeric', month: 'short', day: 'numeric',
    hour: '2-digit', minute: '2-digit',
  }).format(d);
}

// Basis points -> "25%" / "33.33%".
export function percentBp(bp) {
  return `${(Number(bp) / 100).toLocaleString('en', { maximumFractionDigits: 2 })}%`;
}

export function count(n) { return Number(n).toLocaleString('en'); }
