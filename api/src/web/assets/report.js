// The service report dialog: work done, parts used, notes, photos and the customer's
// signature. Resolves with the report (signature as PNG data URL, photos as Files) or null.
import { el } from '/assets/util.js';
import { SignaturePad } from '/assets/signature.js';

/** Parses "filter F7 x2" / "2 × fuse" lines into [{part, quantity}]. */
export function parseParts(text) {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).map((line) => {
    const m = line.match(/^(.*?)[\s]*[x×*]\s*(\d+)$/i) || line.match(/^(\d+)\s*[x×*]?\s+(.*)$/i);
    if (!m) return { part: line, quantity: 1 };
    return /^\d+$/.test(m[1]) ? { part: m[2], quantity: Number(m[1]) } : { part: m[1], quantity: Number(m[2]) };
  });
}

/** Opens the dialog for `stop`. */
export function askReport(dialog, stop) {
  return new Promise((resolve) => {
    const canvas = el('canvas', { id: 'signature', 'aria-label': 'Customer signature' });
    const hint = el('span', { class: 'sig-hint' }, 'Customer signs here');
    const form = el('form', { class: 'report-form', method: 'dialog' },
      el('label', {}, 'Work done', el('textarea', { name: 'work_done', required: true, placeholder: 'What was done' })),
      el('label', {}, 'Parts used (one per line, e.g. "filter F7 x2")', el('textarea', { name: 'parts', rows: 2 })),
      el('label', {}, 'Notes', el('textarea', { name: 'notes', rows: 2 })),
      el('label', {}, 'Photos', el('input', { type: 'file', name: 'photos', accept: 'image/*', multiple: true, capture: 'environment' })),
      el('div', {}, el('div', { class: 'small muted' }, 'Customer signature'), el('div', { class: 'sig-wrap' }, canvas, hint)),
      el('p', { class: 'error', hidden: true, id: 'report-error' }));
    const clear = el('button', { type: 'button', class: 'btn' }, 'Clear signature');
    const cancel = el('button', { type: 'button', class: 'btn' }, 'Cancel');
    const submit = el('button', { type: 'button', class: 'btn btn-ok', id: 'submit-report' }, 'Complete job');
    dialog.replaceChildren(el('div', { class: 'dialog-body' }, el('h2', {}, `Service report · ${stop.work_order.number}`), form),
      el('div', { class: 'dialog-actions' }, clear, cancel, submit));
    dialog.showModal();
    const pad = new SignaturePad(canvas);
    canvas.addEventListener('signature', () => { hint.hidden = true; });
    clear.addEventListener('click', () => { pad.clear(); hint.hidden = false; });
    cancel.addEventListener('click', () => { dialog.close(); resolve(null); });
    submit.addEventListener('click', () => {
      const error = form.querySelector('#report-error');
      if (!form.work_done.value.trim()) { error.textContent = 'Describe the work done.'; error.hidden = false; return; }
      if (pad.isEmpty()) { error.textContent = 'The customer has not signed yet.'; error.hidden = false; return; }
      const report = {
        work_done: form.work_done.value.trim(),
        parts_used: parseParts(form.parts.value),
        notes: form.notes.value.trim() || null,
        signature_png: pad.toPng(),
        photos: [...form.photos.files],
      };
      dialog.close();
      resolve(report);
    });
  });
}
