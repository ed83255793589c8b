// Signing in, and registering an organisation (which signs its first
// user in).  On a refusal the form stays as typed and the error is shown
// next to the field it names.
import { h, field, alertBox, clearErrors, showError, busy, empty } from '../dom.js';
import { tx, tattr } from '../i18n.js';
import { post } from '../api.js';
import * as session from '../session.js';

// Only go back to an address inside this page (#/...), never elsewhere.
function nextHash(ctx) {
  const n = ctx.query.get('next');
  return n && /^#\/[\w\-/?=&%.]*$/.test(n) && !n.startsWith('#/login') ? n : null;
}

export async function login(ctx) {
  ctx.title('auth.signin_title');
  if (!session.state.available) {
    ctx.main.append(h('h1', {}, tx('auth.signin_title')), empty('auth.unavailable_title', 'auth.unavailable_body'));
    return;
  }
  if (session.signedIn()) {
    ctx.go(nextHash(ctx) || session.home(), true);
    return;
  }
  const email = field({ name: 'email', label: 'field.email', type: 'email', required: true, attrs: { autocomplete: 'username', spellcheck: 'false' } });
  const password = field({ name: 'password', label: 'field.password', type: 'password', required: true, attrs: { autocomplete: 'current-password' } });
  const alert = alertBox();
  const button = h('button', { type: 'submit', class: 'primary' }, tx('auth.signin'));
  const form = h('form', { class: 'panel narrow', novalidate: true }, email, password, alert, h('div', { class: 'actions' }, button),
    h('p', { class: 'muted' }, tx('auth.no_account'), ' ', h('a', { href: '#/register' }, tx('nav.register'))));
  tattr(form, 'aria-label', 'auth.signin_title');
  ctx.main.append(h('div', { class: 'page-head' }, h('h1', {}, tx('auth.signin_title'))), form);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    if (!email.control.value.trim()) { showError(form, { code: 'invalid', field: 'email', key: 'err.required' }); return; }
    if (!password.control.value) { showError(form, { code: 'invalid', field: 'password', key: 'err.required' }); return; }
    await busy(button, async () => {
      const r = await session.login(email.control.value.trim(), password.control.value);
      if (!r.ok) {
        // A wrong password is not about one field: say it by the button,
        // and keep what was typed (except the password itself).
        password.control.value = '';
        showError(form, r.error, alert);
        return;
      }
      ctx.go(nextHash(ctx) || session.home());
    }, 'busy.signing_in');
  });
}

const ORG_TYPES = ['company', 'university', 'rd_centre', 'public_body', 'other'];

export async function register(ctx) {
  ctx.title('reg.title');
  ctx.main.append(h('div', { class: 'page-head' }, h('h1', {}, tx('reg.title')), h('p', { class: 'lead' }, tx('reg.lead'))));
  if (!session.state.available) {
    ctx.main.append(empty('auth.unavailable_title', 'auth.unavailable_body'));
    return;
  }
  if (session.signedIn()) {
    ctx.main.append(h('p', { class: 'note' }, tx('reg.signed_in'), ' ', h('a', { href: session.home() }, tx('nav.home'))));
    return;
  }
  const f = {
    name_en: field({ name: 'organisation.name_en', label: 'field.org_name_en', required: true, attrs: { autocomplete: 'organization', lang: 'en' } }),
    name_zh: field({ name: 'organisation.name_zh', label: 'field.org_name_zh', required: true, attrs: { lang: 'zh-Hant' } }),
    type: field({ name: 'organisation.type', label: 'field.org_type', type: 'select', required: true,
      options: [{ value: '', label: 'filter.choose' }, ...ORG_TYPES.map((x) => ({ value: x, label: `orgtype.${x}` }))] }),
    br: field({ name: 'organisation.br_number', label: 'field.br_number', hint: 'reg.br_hint', attrs: { inputmode: 'numeric', autocomplete: 'off' } }),
    name: field({ name: 'user.name', label: 'field.name', attrs: { autocomplete: 'name' } }),
    email: field({ name: 'user.email', label: 'field.email', type: 'email', required: true, attrs: { autocomplete: 'email', spellcheck: 'false' } }),
    password: field({ name: 'user.password', label: 'field.password', type: 'password', required: true, hint: 'reg.password_hint', attrs: { autocomplete: 'new-password' } }),
    confirm: field({ name: 'confirm', label: 'field.password_confirm', type: 'password', required: true, attrs: { autocomplete: 'new-password' } }),
  };
  const syncBr = () => {
    f.br.control.required = f.type.control.value === 'company';
    f.br.querySelector('label .req')?.remove();
    if (f.br.control.required) f.br.querySelector('label').append(h('span', { class: 'req', 'aria-hidden': 'true' }, ' *'));
  };
  f.type.control.addEventListener('change', syncBr);
  const alert = alertBox();
  const button = h('button', { type: 'submit', class: 'primary' }, tx('reg.submit'));
  const form = h('form', { class: 'panel medium', novalidate: true },
    h('fieldset', {}, h('legend', {}, tx('reg.org')), f.name_en, f.name_zh, f.type, f.br),
    h('fieldset', {}, h('legend', {}, tx('reg.user')), f.name, f.email, f.password, f.confirm),
    alert, h('div', { class: 'actions' }, button));
  tattr(form, 'aria-label', 'reg.title');
  ctx.main.append(form);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    // What the browser can tell at once; the service checks everything again.
    for (const k of ['name_en', 'name_zh', 'type', 'email', 'password']) {
      if (!f[k].control.value.trim()) { showError(form, { code: 'invalid', field: f[k].dataset.field, key: 'err.required' }); return; }
    }
    if (f.password.control.value !== f.confirm.control.value) {
      showError(form, { code: 'invalid', field: 'confirm', key: 'err.password_mismatch' });
      return;
    }
    const body = {
      organisation: { name_en: f.name_en.control.value.trim(), name_zh: f.name_zh.control.value.trim(), type: f.type.control.value },
      user: { email: f.email.control.value.trim(), password: f.password.control.value },
    };
    if (f.br.control.value.trim()) body.organisation.br_number = f.br.control.value.trim();
    if (f.name.control.value.trim()) body.user.name = f.name.control.value.trim();
    await busy(button, async () => {
      const r = await post('/organisations', body, { quietUnauth: true });
      if (!r.ok) { showError(form, r.error, alert); return; }
      // Registration signs the new user in: load the session it made.
      await session.load();
      ctx.go(session.home());
    }, 'busy.registering');
  });
}
