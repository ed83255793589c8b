// Building the page.  Everything the user or the API supplies goes in as
// text (Text nodes, textContent, setAttribute), never as HTML: there is no
// innerHTML anywhere in the UI.
import { tx, tfn, tattr } from './i18n.js';
import { errText } from './errors.js';

let uid = 0;
export function nextId(prefix = 'f') { uid += 1; return `${prefix}-${uid}`; }

// h('button', {class: 'primary', onclick: fn, type: 'button'}, 'text', node, [more])
// Attributes: on* take functions; boolean true sets an empty attribute,
// false/null/undefined leaves it out; 'dataset' takes an object.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === false || v === null || v === undefined) continue;
      if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k === 'value' && 'value' in el) el.value = v;
      else if (k === 'checked') el.checked = !!v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) { el.replaceChildren(); return el; }

// Replace el's children, skipping null/false/undefined (which
// replaceChildren would print as text).
export function set(el, ...children) { el.replaceChildren(); return append(el, children); }

// A label given as a string key, a function (live) or a Node.
export function label(l) {
  if (l instanceof Node) return l;
  if (typeof l === 'function') return tfn(l);
  return tx(l);
}

/*
 * A labelled form control in a .field wrapper whose data-field is the API
 * field path (e.g. "organisation.br_number"), so that an error the API
 * names lands next to it.
 *   opts: name, label, type (text, email, password, date, number, money,
 *   textarea, select, checkbox), value, required, hint, options
 *   ([{value, label}]), attrs (extra attributes for the control).
 * Returns the wrapper; wrapper.control is the input.
 */
export function field(opts) {
  const id = nextId(opts.idPrefix || 'f');
  const hintId = `${id}-hint`;
  const errId = `${id}-err`;
  let control;
  const common = {
    id, name: opts.name, required: !!opts.required,
    'aria-describedby': `${opts.hint ? hintId + ' ' : ''}${errId}`,
    ...(opts.attrs || {}),
  };
  if (opts.type === 'textarea') {
    control = h('textarea', { rows: opts.rows || 4, ...common });
    control.value = opts.value ?? '';
  } else if (opts.type === 'select') {
    control = h('select', common, (opts.options || []).map((o) =>
      h('option', { value: o.value }, label(o.label))));
    if (opts.value !== undefined && opts.value !== null) control.value = opts.value;
  } else if (opts.type === 'checkbox') {
    control = h('input', { type: 'checkbox', ...common });
    control.checked = !!opts.value;
  } else if (opts.type === 'money') {
    control = h('input', { type: 'text', inputmode: 'decimal', autocomplete: 'off', class: 'money', ...common });
    control.value = opts.value ?? '';
  } else {
    control = h('input', { type: opts.type || 'text', ...common });
    control.value = opts.value ?? '';
  }
  const labelEl = h('label', { for: id }, label(opts.label),
    opts.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null,
    opts.type === 'money' ? h('span', { class: 'unit' }, ' (HK$)') : null);
  const wrap = h('div', { class: `field${opts.type === 'checkbox' ? ' check' : ''}${opts.class ? ' ' + opts.class : ''}`, dataset: { field: opts.name || '' } },
    opts.type === 'checkbox' ? [control, labelEl] : [labelEl, control],
    opts.hint ? h('p', { class: 'hint', id: hintId }, label(opts.hint)) : null,
    h('p', { class: 'field-error', id: errId, hidden: true }));
  // Once the user changes a refused value, its message has done its job.
  const fixed = () => {
    if (!wrap.classList.contains('has-error')) return;
    wrap.classList.remove('has-error');
    control.removeAttribute('aria-invalid');
    const slot = wrap.querySelector(':scope > .field-error');
    if (slot) { slot.hidden = true; slot.replaceChildren(); }
  };
  control.addEventListener('input', fixed);
  control.addEventListener('change', fixed);
  wrap.control = control;
  wrap.labelText = () => labelEl.textContent.replace(/\s*\*$/, '').replace(/\s*\(HK\$\)$/, '');
  return wrap;
}

// A form-level message area (role=alert) for errors no field claims.
export function alertBox() {
  return h('div', { class: 'alert', role: 'alert', hidden: true });
}

// Find where an error about path belongs: the element whose data-field
// is path, or else the nearest parent path ("budget_lines[2].amount_cents"
// -> "budget_lines[2]" -> "budget_lines").
export function findField(scope, path) {
  let p = path;
  while (p) {
    const el = scope.querySelector(`[data-field="${CSS.escape(p)}"]`);
    if (el) return el;
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
    if (cut <= 0) break;
    p = p.slice(0, cut);
  }
  return null;
}

export function clearErrors(scope) {
  for (const el of scope.querySelectorAll('.field-error')) { el.hidden = true; el.replaceChildren(); }
  for (const el of scope.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  for (const el of scope.querySelectorAll('.alert')) { el.hidden = true; el.replaceChildren(); }
  for (const el of scope.querySelectorAll('.has-error')) el.classList.remove('has-error');
}

/*
 * Show an API error next to the field it names (error.field), or in the
 * scope's alert box (or the given one) when no field on the page matches.
 * The message follows the language.  Focus moves to the field (or the
 * alert) so keyboard and screen-reader users land on it.
 */
export function showError(scope, error, alertEl) {
  const target = error.field ? findField(scope, error.field) : null;
  const msg = () => errText(error, target && target.labelText ? target.labelText() : null);
  if (target) {
    let slot = target.querySelector(':scope > .field-error');
    if (!slot) {
      slot = h('p', { class: 'field-error' });
      target.append(slot);
    }
    slot.replaceChildren(errNode(error, msg));
    slot.hidden = false;
    target.classList.add('has-error');
    const control = target.control || target.querySelector('input, select, textarea');
    if (control) {
      control.setAttribute('aria-invalid', 'true');
      if (!slot.id) slot.id = nextId('err');
      const d = control.getAttribute('aria-describedby') || '';
      if (!d.split(' ').includes(slot.id)) control.setAttribute('aria-describedby', `${d} ${slot.id}`.trim());
      control.focus();
    } else {
      slot.setAttribute('tabindex', '-1');
      slot.focus();
    }
    target.scrollIntoView({ block: 'center', behavior: 'instant' });
    return target;
  }
  const box = alertEl || scope.querySelector('.alert');
  if (box) {
    box.replaceChildren(errNode(error, msg));
    box.hidden = false;
    box.setAttribute('tabindex', '-1');
    box.focus();
    return box;
  }
  notify(tfn(msg), 'error');
  return null;
}

// The error's message; in Chinese, with the service's own words beside
// it (lang="en") when they say more than the translation.
function errNode(error, msg) {
  const span = h('span', { class: 'err-text' }, tfn(msg));
  // Shown only while the page is in Chinese (app.css: html[lang=en] .err-detail).
  if (error.message && !error.key && error.code !== 'network')
    span.append(h('span', { class: 'err-detail', lang: 'en' }, ` (${error.message})`));
  return span;
}

// Mark a button busy while fn runs; the button is disabled meanwhile and
// says so (aria-busy, and the busy label when one is given).
export async function busy(button, fn, busyKey = 'busy.working') {
  const old = [...button.childNodes];
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  button.replaceChildren(h('span', { class: 'spinner', 'aria-hidden': 'true' }), tx(busyKey));
  try {
    return await fn();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    button.replaceChildren(...old);
  }
}

// A passing message in the page's status region (role=status); text is
// a string or a live node (tx, tfn).
export function notify(text, kind = 'ok') {
  const region = document.getElementById('toast');
  if (!region) return;
  const item = h('div', { class: `toast ${kind}` }, text);
  region.append(item);
  // At most three at a time: the oldest make way.
  while (region.children.length > 3) region.firstElementChild.remove();
  setTimeout(() => item.remove(), kind === 'error' ? 9000 : 4000);
}

// Loading and empty states.
export function loading() {
  return h('p', { class: 'loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), tx('state.loading'));
}

export function empty(titleKey, bodyKey, vars) {
  return h('div', { class: 'empty' }, h('p', { class: 'empty-title' }, tx(titleKey, vars)),
    bodyKey ? h('p', {}, tx(bodyKey, vars)) : null);
}

// A page-level failure: what went wrong, in the chosen language, and a
// way to try again.
export function failure(error, retry) {
  return h('div', { class: 'alert', role: 'alert' }, errNode(error, () => errText(error, null)),
    retry ? h('p', {}, h('button', { type: 'button', class: 'secondary', onclick: retry }, tx('action.retry'))) : null);
}

/*
 * A modal confirmation (native <dialog>: focus is trapped and Esc
 * cancels).  With input set, a textarea is asked for; note required when
 * input === 'required'.  Resolves to null on cancel, else { note }.
 */
export function confirmDialog({ titleKey, bodyKey, confirmKey, input, inputLabelKey, danger }) {
  return new Promise((resolve) => {
    const note = input ? field({ type: 'textarea', name: 'note', label: inputLabelKey || 'field.note', required: input === 'required', rows: 3 }) : null;
    const ok = h('button', { type: 'submit', class: danger ? 'danger' : 'primary' }, tx(confirmKey || 'action.confirm'));
    const cancel = h('button', { type: 'button', class: 'secondary', onclick: () => close(null) }, tx('action.cancel'));
    const heading = h('h2', { id: nextId('dlg') }, tx(titleKey));
    const form = h('form', { method: 'dialog', novalidate: true }, heading, bodyKey ? h('p', {}, tx(bodyKey)) : null, note,
      h('div', { class: 'actions' }, ok, cancel));
    const dlg = h('dialog', { class: 'dialog', 'aria-labelledby': heading.id }, form);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const v = note ? note.control.value.trim() : '';
      if (input === 'required' && !v) {
        clearErrors(form);
        showError(form, { code: 'invalid', field: 'note', key: 'err.required' });
        return;
      }
      close({ note: v });
    });
    dlg.addEventListener('cancel', (e) => { e.preventDefault(); close(null); });
    function close(v) { dlg.close(); dlg.remove(); resolve(v); }
    document.body.append(dlg);
    dlg.showModal();
    (note ? note.control : ok).focus();
  });
}

// A table from columns [{key|label, cell(row) -> node|string, class}] and rows.
export function table(columns, rows, opts = {}) {
  const wrap = h('div', { class: 'table-wrap', tabindex: '0', role: 'region' });
  if (opts.caption) tattr(wrap, 'aria-label', opts.caption);
  return append(wrap, [
    h('table', { class: opts.class || '' },
      opts.caption ? h('caption', { class: opts.captionHidden ? 'sr-only' : '' }, tx(opts.caption)) : null,
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.class || '' }, label(c.label))))),
      h('tbody', {}, rows.map((r) => h('tr', {}, columns.map((c) => h('td', { class: c.class || '' }, c.cell(r)))))))]);
}
