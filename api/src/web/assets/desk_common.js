// Shared by the help-desk pages: sign-in check and top bar, office users, badges, SLA colours,
// relative times, and a probe for optional endpoints (404: the panel stays hidden).
import { api, currentUser, logout } from '/assets/api.js';
import { el } from '/assets/util.js';

const OFFICE = ['admin', 'dispatcher', 'agent'];

/** Checks the session (office roles only), fills the top bar and returns the user. */
export async function startPage() {
  const user = await currentUser();
  if (!user) { location.href = '/'; return new Promise(() => {}); }
  if (!OFFICE.includes(user.role)) { location.href = '/'; return new Promise(() => {}); }
  const board = document.getElementById('nav-board');
  if (board) board.hidden = user.role === 'agent';
  const who = document.getElementById('user');
  if (who) who.textContent = `${user.name} · ${user.role}`;
  document.getElementById('logout')?.addEventListener('click', logout);
  return user;
}

let officeUsers = null;
/** The organisation's office users ({id, name, email, role}), fetched once. */
export async function agents() {
  if (!officeUsers) {
    officeUsers = api('GET', '/api/v1/desk/agents').then((r) => r.items).catch(() => []);
  }
  return officeUsers;
}

/** A call to an endpoint another part of the product may not offer yet: null on 404/405. */
export async function optional(method, path, body) {
  try {
    return await api(method, path, body);
  } catch (e) {
    if (e.status === 404 || e.status === 405) return null;
    throw e;
  }
}

/** A status badge. */
export function statusBadge(status, type) {
  return el('span', { class: `badge st st-${type || status}` }, (status || '').replaceAll('_', ' '));
}

/** A priority badge. */
export function priorityBadge(p) {
  return el('span', { class: `badge prio-${p}` }, p);
}

/** Minutes from now until `ts` (negative: past). */
function minutesUntil(ts) {
  return (new Date(ts).getTime() - Date.now()) / 60000;
}

/** `in 2 h 05` / `3 h ago` for a duration in minutes. */
export function relative(mins) {
  const abs = Math.abs(Math.round(mins));
  const text = abs < 60 ? `${abs} min` : abs < 2880 ? `${Math.floor(abs / 60)} h ${String(abs % 60).padStart(2, '0')}` : `${Math.round(abs / 1440)} d`;
  return mins >= 0 ? `in ${text}` : `${text} ago`;
}

/** SLA state of a due time: `breached` (late or flagged), `near` (under an hour left), `ok`. */
export function slaState(due, breached) {
  if (breached) return 'breached';
  if (!due) return null;
  const left = minutesUntil(due);
  if (left < 0) return 'breached';
  if (left < 60) return 'near';
  return 'ok';
}

/** The SLA cell: the due time, relative, coloured by [`slaState`]. */
export function slaCell(due, breached) {
  const state = slaState(due, breached);
  if (!state) return el('span', { class: 'muted' }, '—');
  const label = due ? (minutesUntil(due) < 0 ? `overdue ${relative(minutesUntil(due)).replace(' ago', '')}` : relative(minutesUntil(due))) : 'breached';
  return el('span', { class: `sla sla-${state}`, title: due ? new Date(due).toLocaleString() : 'an SLA target was missed', dataset: { sla: state } }, label);
}

/** A short date and time in the browser's zone. */
export function when(ts) {
  if (!ts) return '';
  const d = new Date(ts);
  return d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** A modal dialog built from `body` nodes and buttons; resolves with the clicked value. */
export function dialog(id, title, body, buttons) {
  const dlg = document.getElementById(id);
  dlg.replaceChildren();
  return new Promise((resolve) => {
    const actions = buttons.map((b) => el('button', {
      type: 'button', class: `btn ${b.primary ? 'btn-primary' : ''}`, id: b.id,
      onclick: async () => {
        if (b.check && !(await b.check())) return;
        dlg.close();
        resolve(b.value);
      },
    }, b.label));
    dlg.append(el('div', { class: 'dialog-body' }, el('h2', {}, title), body), el('div', { class: 'dialog-actions' }, actions));
    dlg.addEventListener('cancel', () => resolve(null), { once: true });
    dlg.showModal();
  });
}
