// Small DOM and formatting helpers shared by the pages.

/** Creates an element: el('div', {class: 'x', onclick: f}, child, 'text', ...). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k === 'style' && typeof v === 'object') Object.assign(node.style, v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/** `HH:MM` of a timestamp, in UTC (the board's time zone). */
export function hhmm(ts) {
  const d = ts instanceof Date ? ts : new Date(ts);
  return d.toISOString().slice(11, 16);
}

/** Minutes as `1 h 05` / `12 min`. */
export function minutes(m) {
  const r = Math.round(m);
  if (r < 60) return `${r} min`;
  return `${Math.floor(r / 60)} h ${String(r % 60).padStart(2, '0')}`;
}

/** Today as YYYY-MM-DD (UTC). */
export function today() {
  return new Date().toISOString().slice(0, 10);
}

/** YYYY-MM-DD plus n days. */
export function addDays(date, n) {
  const d = new Date(date + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** A short notice at the bottom of the page. */
export function toast(message, kind = 'info', ms = 4500) {
  let box = document.getElementById('toasts');
  if (!box) {
    box = el('div', { id: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.append(box);
  }
  const t = el('div', { class: `toast toast-${kind}` }, message);
  box.append(t);
  setTimeout(() => t.remove(), ms);
  return t;
}

/** Colour of a work-order status (shared by bars, markers and badges). */
export const STATUS_COLOURS = {
  draft: '#94a3b8',
  scheduled: '#3b82f6',
  dispatched: '#8b5cf6',
  in_progress: '#f59e0b',
  completed: '#10b981',
  cancelled: '#ef4444',
};

/** Readable status label. */
export function statusLabel(s) {
  return (s || '').replaceAll('_', ' ');
}

/** Distinct route colours for technicians. */
export const ROUTE_COLOURS = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#db2777',
  '#0891b2', '#65a30d', '#ea580c', '#4f46e5', '#be123c', '#0d9488', '#a16207', '#9333ea', '#0369a1'];

/** Debounces `fn` by `ms`. */
export function debounce(fn, ms) {
  let t = null;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
}

/** A small padlock icon (SVG; no emoji font needed). */
export function lockIcon() {
  const span = document.createElement('span');
  span.className = 'lock-icon';
  span.setAttribute('aria-label', 'locked');
  span.innerHTML = '<svg viewBox="0 0 12 12" width="10" height="10" aria-hidden="true"><rect x="2" y="5" width="8" height="6" rx="1" fill="currentColor"/><path d="M4 5V3.5a2 2 0 0 1 4 0V5" fill="none" stroke="currentColor" stroke-width="1.4"/></svg>';
  return span;
}
