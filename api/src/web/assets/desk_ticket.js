// The ticket page (/desk/tickets/{id}): conversation (public replies and internal notes look
// different), the reply box, properties saved with If-Match (a clear notice on 409/412), the
// history tab, side actions and suggestions, and the collision notice.
import { api } from '/assets/api.js';
import { el, toast } from '/assets/util.js';
import { startPage, agents, statusBadge, priorityBadge, slaCell, when } from '/assets/desk_common.js';
import { wireComposer } from '/assets/desk_compose.js';
import { startPresence, collisionText } from '/assets/desk_presence.js';
import { showSuggestions, createWorkOrder, mergeTicket, splitMessage } from '/assets/desk_side.js';

const $ = (id) => document.getElementById(id);
const ticketId = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() || '');
const state = { ticket: null, people: [], byId: new Map(), editing: false };

/** Fields of the properties form, as PATCH wants them. */
function formValues() {
  return {
    status: $('p-status').value,
    priority: $('p-priority').value,
    assignee_id: $('p-assignee').value || null,
    team_id: $('p-team').value || null,
    tags: $('p-tags').value.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean),
  };
}

/** The fields of `values` that differ from the ticket. */
function changes(t, values) {
  const out = {};
  if (values.status !== t.status) out.status = values.status;
  if (values.priority !== t.priority) out.priority = values.priority;
  if (values.assignee_id !== (t.assignee_id || null)) out.assignee_id = values.assignee_id;
  if (values.team_id !== (t.team_id || null)) out.team_id = values.team_id;
  if ([...values.tags].sort().join(',') !== [...t.tags].sort().join(',')) out.tags = values.tags;
  return out;
}

function showHeader(t) {
  document.title = `${t.number} ${t.subject} — Fieldpath`;
  $('t-number').textContent = t.number;
  $('t-status').replaceChildren(statusBadge(t.status, t.status_type));
  $('t-priority').replaceChildren(priorityBadge(t.priority));
  const done = t.status_type === 'resolved' || t.status_type === 'closed';
  const due = [t.first_responded_at ? null : t.first_response_due, t.next_response_due, done ? null : t.resolution_due].filter(Boolean).sort()[0];
  const breached = t.first_response_breached || t.next_response_breached || t.resolution_breached;
  $('t-sla').replaceChildren(due || breached ? el('span', {}, 'SLA ', slaCell(due, breached)) : '');
  $('t-subject').textContent = t.subject;
  const links = [];
  if (t.merged_into_id) links.push(el('a', { href: `/desk/tickets/${t.merged_into_id}`, id: 'merged-link' }, 'merged — open target'));
  if (t.split_from_id) links.push(el('a', { href: `/desk/tickets/${t.split_from_id}` }, 'split from'));
  if (t.parent_id) links.push(el('a', { href: `/desk/tickets/${t.parent_id}` }, 'parent'));
  if (t.work_order_id) links.push(el('span', { class: 'badge', id: 'wo-linked' }, 'work order linked'));
  $('t-links').replaceChildren(...links);
  $('t-meta').replaceChildren(
    el('span', {}, `via ${t.channel}`), el('span', {}, `opened ${when(t.created_at)}`), el('span', {}, `updated ${when(t.updated_at)}`),
    t.category ? el('span', {}, `category ${t.category}`) : '', ...t.tags.map((g) => el('span', { class: 'tag' }, g)));
  $('create-wo').disabled = Boolean(t.work_order_id);
  $('merge').disabled = Boolean(t.merged_into_id);
}

function showForm(t) {
  const status = $('p-status');
  if (![...status.options].some((o) => o.value === t.status)) status.append(el('option', { value: t.status }, t.status));
  status.value = t.status;
  $('p-priority').value = t.priority;
  $('p-assignee').value = t.assignee_id || '';
  $('p-team').value = t.team_id || '';
  $('p-tags').value = t.tags.join(', ');
  $('conflict').hidden = true;
}

function authorName(m) {
  if (m.author_id && state.byId.has(m.author_id)) return state.byId.get(m.author_id).name;
  if (m.from_customer) return m.author_email || 'Customer';
  return m.author_email || (m.author_id ? 'Agent' : 'System');
}

function messageItem(m) {
  const note = m.kind === 'note';
  const cls = `msg msg-${m.kind}${m.from_customer ? ' from-customer' : ''}`;
  return el('li', { class: cls, dataset: { kind: m.kind, id: m.id } },
    el('div', { class: 'msg-head' },
      el('span', { class: 'who' }, authorName(m)),
      el('span', { class: 'kind-label' }, note ? 'Internal note' : m.from_customer ? 'Customer' : 'Public reply'),
      m.moved_from_id ? el('span', {}, '(moved by merge)') : '',
      el('span', { class: 'spacer' }),
      el('time', { datetime: m.created_at }, when(m.created_at)),
      el('button', { type: 'button', class: 'btn btn-sm split', title: 'Split into a new ticket', onclick: () => splitMessage(state.ticket, m) }, 'Split')),
    el('div', { class: 'msg-body' }, m.body));
}

async function loadConversation() {
  const t = state.ticket;
  const { items } = await api('GET', `/api/v1/tickets/${t.id}/messages`);
  const first = t.description
    ? [el('li', { class: 'msg msg-reply from-customer', dataset: { kind: 'description' } },
      el('div', { class: 'msg-head' }, el('span', { class: 'who' }, t.requester_email || 'Requester'), el('span', { class: 'kind-label' }, 'Request'),
        el('span', { class: 'spacer' }), el('time', {}, when(t.created_at))),
      el('div', { class: 'msg-body' }, t.description))]
    : [];
  $('conversation').replaceChildren(...first, ...items.map(messageItem));
  if (!first.length && !items.length) $('conversation').append(el('li', { class: 'empty' }, 'No messages yet.'));
}

/** A readable line for a history entry: who, what, which fields changed. */
function historyItem(h) {
  const who = h.actor_id ? (state.byId.get(h.actor_id)?.name || 'someone') : 'system';
  const noise = new Set(['version', 'updated_at', 'sla_elapsed_secs', 'sla_running_since', 'created_at']);
  const before = h.before || {};
  const after = h.after || {};
  const name = (k, v) => (k.endsWith('_id') && state.byId.has(v) ? state.byId.get(v).name : Array.isArray(v) ? v.join(', ') : v ?? '—');
  const diffs = Object.keys(after).filter((k) => !noise.has(k) && JSON.stringify(before[k]) !== JSON.stringify(after[k]) && h.before)
    .map((k) => `${k.replace(/_id$/, '').replaceAll('_', ' ')}: ${name(k, before[k])} → ${name(k, after[k])}`);
  return el('li', {}, el('strong', {}, `${h.action.replaceAll('_', ' ')}`), ` by ${who} · ${when(h.at)}`,
    diffs.length ? el('div', { class: 'changes' }, diffs.join('; ')) : '');
}

async function loadHistory() {
  try {
    const { items } = await api('GET', `/api/v1/tickets/${ticketId}/history`);
    $('history').replaceChildren(...items.map(historyItem));
  } catch (e) {
    $('history').replaceChildren(el('li', { class: 'error' }, `Could not load the history: ${e.message}`));
  }
}

async function loadTicket({ keepForm = false } = {}) {
  try {
    state.ticket = await api('GET', `/api/v1/tickets/${ticketId}`);
  } catch (e) {
    if (e.status === 401) { location.href = '/'; return; }
    $('t-subject').textContent = e.status === 404 ? 'Ticket not found' : `Could not load the ticket: ${e.message}`;
    throw e;
  }
  showHeader(state.ticket);
  if (!keepForm) showForm(state.ticket);
  await loadConversation();
  if (!$('history-panel').hidden) await loadHistory();
  document.body.dataset.loaded = String(Date.now());
}

/** Saves the properties with If-Match; on 409/412 explains and offers both ways out. */
async function saveProps(ev) {
  ev?.preventDefault();
  const t = state.ticket;
  const patch = changes(t, formValues());
  if (!Object.keys(patch).length) { toast('Nothing changed'); return; }
  $('save-props').disabled = true;
  try {
    const updated = await api('PATCH', `/api/v1/tickets/${t.id}`, patch, { ifMatch: t.version });
    state.ticket = updated;
    showHeader(updated);
    showForm(updated);
    toast('Saved', 'ok');
    if (!$('history-panel').hidden) loadHistory();
  } catch (e) {
    if (e.status === 412 || e.status === 409) showConflict(e, patch);
    else toast(`Could not save: ${e.message}`, 'error');
  } finally {
    $('save-props').disabled = false;
  }
}

/** Explains a lost update; "Apply mine on top" re-sends only the fields this agent changed. */
function showConflict(e, patch) {
  const box = $('conflict');
  box.replaceChildren(
    el('strong', {}, 'Someone else changed this ticket while you were editing.'),
    el('span', {}, `Your changes were not saved (${e.message}).`),
    el('div', { class: 'actions', style: { padding: 0 } },
      el('button', { type: 'button', class: 'btn btn-sm', id: 'conflict-reload', onclick: () => loadTicket() }, 'Discard mine, show theirs'),
      el('button', { type: 'button', class: 'btn btn-sm btn-primary', id: 'conflict-overwrite', onclick: async () => {
        await loadTicket();
        if ('status' in patch) $('p-status').value = patch.status;
        if ('priority' in patch) $('p-priority').value = patch.priority;
        if ('assignee_id' in patch) $('p-assignee').value = patch.assignee_id || '';
        if ('team_id' in patch) $('p-team').value = patch.team_id || '';
        if ('tags' in patch) $('p-tags').value = patch.tags.join(', ');
        saveProps();
      } }, 'Apply mine on top')));
  box.hidden = false;
}

function showTab(which) {
  const history = which === 'history';
  $('tab-conversation').setAttribute('aria-selected', String(!history));
  $('tab-history').setAttribute('aria-selected', String(history));
  $('conversation-panel').hidden = history;
  $('history-panel').hidden = !history;
  if (history) loadHistory();
}

async function fillOptions() {
  const [people, teams, statuses] = await Promise.all([
    agents(),
    api('GET', '/api/v1/desk/teams').then((r) => r.items).catch(() => []),
    api('GET', '/api/v1/desk/statuses').then((r) => r.items).catch(() => []),
  ]);
  state.people = people;
  state.byId = new Map(people.map((u) => [u.id, u]));
  $('p-status').append(...['open', 'pending', 'on_hold', 'resolved', 'closed'].map((s) => el('option', { value: s }, s.replace('_', ' '))),
    ...statuses.map((s) => el('option', { value: s.name }, `${s.name.replaceAll('_', ' ')} (${s.status_type.replace('_', ' ')})`)));
  $('p-assignee').append(...people.map((u) => el('option', { value: u.id }, u.name)));
  $('p-team').append(...teams.map((t) => el('option', { value: t.id }, t.name)));
}

function showCollision(others) {
  const box = $('collision');
  const text = collisionText(others);
  box.textContent = text ? `⚠ ${text}` : '';
  box.classList.toggle('replying', others.some((o) => o.state === 'replying'));
  box.hidden = !text;
}

async function main() {
  await startPage();
  await fillOptions();
  try {
    await loadTicket();
  } catch {
    document.body.dataset.loaded = String(Date.now());
    return;
  }
  const presence = startPresence(ticketId, showCollision);
  wireComposer(ticketId, state.people, {
    onSent: () => loadTicket({ keepForm: true }),
    onTyping: (drafting) => presence.setState(drafting ? 'replying' : 'viewing'),
  });
  for (const kind of ['ticket.changed', 'ticket.updated', 'ticket.message']) {
    presence.events.addEventListener(kind, (ev) => {
      try {
        const d = JSON.parse(ev.data);
        if ((d.id || d.ticket_id) === ticketId) loadTicket({ keepForm: true });
      } catch { /* ignore */ }
    });
  }
  $('props').addEventListener('submit', saveProps);
  $('tab-conversation').addEventListener('click', () => showTab('conversation'));
  $('tab-history').addEventListener('click', () => showTab('history'));
  $('create-wo').addEventListener('click', () => createWorkOrder(state.ticket, () => loadTicket({ keepForm: true })));
  $('merge').addEventListener('click', () => mergeTicket(state.ticket));
  showSuggestions(state.ticket, (p) => { $('p-priority').value = p; toast('Priority set in the form; save to apply'); });
}

main();
