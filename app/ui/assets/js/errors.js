// An API error in the chosen language.  In English the service's own
// message is the most precise and is shown as is.  In Chinese the message
// is built from the error code, the field's label and, where the service's
// wording is one of the common ones below, the specific reason; the
// service's words are kept beside it (dom.js, errNode).
import { t, lang, has } from './i18n.js';

// [pattern over the English message, key of the Chinese reason]
const REASONS = [
  [/wrong email or password/i, 'reason.bad_login'],
  [/Business Registration number/i, 'reason.br_required'],
  [/is required|missing|must be given|at least one/i, 'reason.required'],
  [/already (registered|exists|in use|taken)|is taken|duplicate/i, 'reason.taken'],
  [/at least (\d+) characters/i, 'reason.too_short'],
  [/too long|at most (\d+) characters|longer than/i, 'reason.too_long'],
  [/must not be negative/i, 'reason.negative'],
  [/real date|YYYY-MM-DD/i, 'reason.date'],
  [/no rules in force|accepts no|closed to applications/i, 'reason.no_rules'],
  [/is before|must be after|after the start|ends before/i, 'reason.order'],
  [/e-?mail/i, 'reason.email'],
  [/does not accept|may not apply|not eligible/i, 'reason.ineligible'],
  [/version|changed since|someone else/i, 'reason.stale'],
  [/overflow|out of range/i, 'reason.range'],
];

// fieldLabel: the label of the field on the page, if the error found one.
export function errText(error, fieldLabel) {
  if (!error) return '';
  // Found by the page itself, before anything was sent: a string key.
  if (error.key) return t(error.key);
  if (lang() === 'en') {
    if (error.code === 'network' || error.code === 'bad_reply') return t(`err.${error.code}`);
    return error.message || t(has(`err.${error.code}`) ? `err.${error.code}` : 'err.error');
  }
  let reason = null;
  const m = error.message || '';
  for (const [re, key] of REASONS) {
    const r = re.exec(m);
    if (r) { reason = t(key, { n: r[1] || '' }); break; }
  }
  const generic = t(has(`err.${error.code}`) ? `err.${error.code}` : 'err.error');
  const text = reason && error.code !== 'unavailable' && error.code !== 'throttled' ? reason : generic;
  const name = fieldLabel || fieldName(error.field);
  return name ? `「${name}」：${text}` : text;
}

// A readable name for an API field path with no field on the page:
// "organisation.br_number" -> the label for br_number if one is known.
function fieldName(path) {
  if (!path) return null;
  const last = path.replace(/\[\d+\]/g, '').split('.').pop();
  return has(`field.${last}`) ? t(`field.${last}`) : path;
}
