// Excel reports for Finance Committee papers: every report the service
// offers (GET /api/v1/reports), each with a form for its own parameters,
// downloaded as a workbook while the button says it is being built.
import { h, set, field, alertBox, clearErrors, showError, busy, loading, failure, notify } from '../dom.js';
import { t, tx, tfn, tattr, pick, has } from '../i18n.js';
import { get, download, saveFile, query } from '../api.js';
import * as data from '../data.js';

export async function reports(ctx) {
  ctx.title('rep.title');
  const slot = h('div', {}, loading());
  ctx.main.append(h('div', { class: 'page-head' }, h('h1', {}, tx('rep.title')), h('p', { class: 'lead' }, tx('rep.lead'))), slot);
  const [r, sr] = await Promise.all([get('/reports'), data.schemes()]);
  if (!ctx.current()) return;
  if (!r.ok) { set(slot, failure(r.error, () => ctx.go(location.hash))); return; }
  const schemes = sr.ok ? sr.data : [];
  set(slot, h('div', { class: 'cards reports' }, (r.data.reports || []).map((rep) => reportCard(rep, schemes))));
}

// A form control for one parameter, by its declared type.
function paramField(p, schemes) {
  const lbl = has(`rep.p_${p.name}`) ? `rep.p_${p.name}` : () => p.name;
  const hint = has(`rep.h_${p.name}`) ? `rep.h_${p.name}` : () => p.description || '';
  if (p.type === 'date') return field({ name: p.name, label: lbl, type: 'date', hint });
  if (p.type === 'scheme_code')
    return field({ name: p.name, label: lbl, type: 'select', hint,
      options: [{ value: '', label: 'rep.all_schemes' }, ...schemes.map((s) => ({ value: s.code, label: () => `${s.code} · ${pick(s)}` }))] });
  if (p.type === 'financial_year')
    return field({ name: p.name, label: lbl, hint, attrs: { placeholder: '2021-22', pattern: '\\d{4}-\\d{2}', autocomplete: 'off', inputmode: 'numeric' } });
  if (p.type.includes('|')) {
    const values = p.type.split('|');
    return field({ name: p.name, label: lbl, type: 'select', hint,
      options: values.map((v) => ({ value: v, label: () => data.labelOf('rep.v', v) })) });
  }
  return field({ name: p.name, label: lbl, hint });
}

function reportCard(rep, schemes) {
  const fields = (rep.parameters || []).map((p) => paramField(p, schemes));
  const alert = alertBox();
  const status = h('p', { class: 'hint download-status', role: 'status', 'aria-live': 'polite' });
  const button = h('button', { type: 'submit', class: 'primary', dataset: { report: rep.name } }, tx('rep.download'));
  const form = h('form', { class: 'report-form', novalidate: true, dataset: { report: rep.name } },
    h('div', { class: 'row2' }, fields), alert, h('div', { class: 'actions' }, button), status);
  tattr(form, 'aria-label', () => pick(rep, 'title'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    set(status);
    const params = {};
    for (const f of fields) {
      const v = f.control.value.trim();
      if (!v) continue;
      if (f.control.name === 'fy' && !/^\d{4}-\d{2}$/.test(v)) { showError(form, { code: 'invalid', field: 'fy', key: 'rep.bad_fy' }); return; }
      params[f.control.name] = v;
    }
    if (params.from && params.to && params.from > params.to) { showError(form, { code: 'invalid', field: 'to', key: 'err.date_order' }); return; }
    form.setAttribute('aria-busy', 'true');
    await busy(button, async () => {
      const r = await download(`/reports/${rep.name}.xlsx${query(params)}`);
      if (!r.ok) { showError(form, r.error, alert); return; }
      saveFile(r.blob, r.filename);
      const size = Math.max(1, Math.round(r.blob.size / 1024));
      set(status, tfn(() => t('rep.saved', { name: r.filename, size })));
      status.dataset.filename = r.filename;
      notify(tfn(() => t('rep.saved', { name: r.filename, size })));
    }, 'rep.building');
    form.removeAttribute('aria-busy');
  });
  return h('section', { class: 'card report', dataset: { report: rep.name } },
    h('h2', {}, tfn(() => pick(rep, 'title'))),
    h('p', { class: 'meta' }, h('span', { class: 'code' }, `${rep.name}.${rep.format || 'xlsx'}`)),
    has(`rep.s_${rep.name}`) ? h('p', {}, tx(`rep.s_${rep.name}`)) : h('p', { lang: 'en' }, rep.summary || ''),
    form);
}
