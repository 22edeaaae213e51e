// The agents' ticket list (/desk): filters, sortable columns, paging, built-in and saved views
// (GET/POST/PATCH/DELETE /api/v1/desk/views) over GET /api/v1/desk/tickets. The whole state is
// in the URL, so reload and back/forward keep it.
import { api } from '/assets/api.js';
import { el, toast, debounce } from '/assets/util.js';
import { startPage, agents, statusBadge, priorityBadge, slaCell, when, dialog } from '/assets/desk_common.js';

const $ = (id) => document.getElementById(id);
const UNRESOLVED = ['open', 'pending', 'on_hold'];
const PAGE_SIZE = 25;

/** Columns the list can show (the keys of the API's column vocabulary). */
const COLUMNS = {
  number: { label: '#', sort: 'number', cell: (t) => el('a', { href: `/desk/tickets/${t.id}` }, t.number) },
  subject: { label: 'Subject', sort: 'subject', cell: (t) => t.subject },
  requester: { label: 'Requester', sort: 'requester', cell: (t) => t.requester_name || '—' },
  status: { label: 'Status', sort: 'status', cell: (t) => statusBadge(t.status, t.status_type) },
  priority: { label: 'Priority', sort: 'priority', cell: (t) => priorityBadge(t.priority) },
  assignee: { label: 'Assignee', sort: 'assignee', cell: (t) => t.assignee_name || el('span', { class: 'muted' }, 'unassigned') },
  sla_due: { label: 'SLA due', sort: 'sla_due', cell: (t) => (t.status_type === 'resolved' || t.status_type === 'closed') && !t.breached ? el('span', { class: 'muted' }, '—') : slaCell(t.sla_due, t.breached) },
  updated_at: { label: 'Updated', sort: 'updated_at', cell: (t) => when(t.updated_at) },
  team: { label: 'Team', cell: (t) => t.team_name || '—' },
  created_at: { label: 'Created', sort: 'created_at', cell: (t) => when(t.created_at) },
  channel: { label: 'Channel', cell: (t) => t.channel },
  category: { label: 'Category', cell: (t) => t.category || '—' },
  tags: { label: 'Tags', cell: (t) => t.tags.map((g) => el('span', { class: 'tag' }, g)) },
};
const DEFAULT_COLUMNS = ['number', 'subject', 'requester', 'status', 'priority', 'assignee', 'sla_due', 'updated_at'];

/** Views every agent has without saving anything. */
const BUILTIN = [
  { key: 'unresolved', name: 'All unresolved', filters: { status_type: UNRESOLVED } },
  { key: 'mine', name: 'My open tickets', filters: { assignee: ['me'], status_type: UNRESOLVED } },
  { key: 'unassigned', name: 'Unassigned', filters: { assignee: ['unassigned'], status_type: UNRESOLVED } },
  { key: 'breached', name: 'SLA breached', filters: { breached: true, status_type: UNRESOLVED } },
  { key: 'all', name: 'All tickets', filters: {} },
];
const FILTER_KEYS = ['status', 'status_type', 'priority', 'assignee', 'team', 'tag', 'channel', 'q', 'breached'];

const state = { filters: {}, sort: '-updated_at', page: 1, columns: DEFAULT_COLUMNS, view: null, preset: 'unresolved', views: [], total: 0 };

/** The filters without empty values. */
function clean(filters) {
  const out = {};
  for (const k of FILTER_KEYS) {
    const v = filters[k];
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && !v.length)) continue;
    out[k] = v;
  }
  return out;
}

function writeUrl() {
  const p = new URLSearchParams();
  if (state.view) p.set('view', state.view.id); else if (state.preset) p.set('preset', state.preset);
  const f = clean(state.filters);
  for (const [k, v] of Object.entries(f)) p.set(k, Array.isArray(v) ? v.join(',') : String(v));
  p.set('sort', state.sort);
  if (state.page > 1) p.set('page', String(state.page));
  p.set('columns', state.columns.join(','));
  history.replaceState(null, '', `/desk?${p}`);
}

function readUrl() {
  const p = new URLSearchParams(location.search);
  const filters = {};
  for (const k of FILTER_KEYS) {
    if (!p.has(k)) continue;
    if (k === 'q') filters.q = p.get('q');
    else if (k === 'breached') filters.breached = p.get('breached') === 'true';
    else filters[k] = p.get(k).split(',').filter(Boolean);
  }
  return {
    viewId: p.get('view'), preset: p.get('preset'), filters, page: Number(p.get('page')) || 1,
    sort: p.get('sort'), columns: p.get('columns')?.split(',').filter((c) => COLUMNS[c]),
    explicit: [...p.keys()].some((k) => k !== 'view' && k !== 'preset' && k !== 'page'),
  };
}

/** Sets the filter controls from state.filters (adding options for values the lists lack). */
function showFilters() {
  const f = state.filters;
  $('f-q').value = f.q || '';
  $('f-tag').value = (f.tag || []).join(',');
  const statusValue = f.status?.length ? `s:${f.status.join(',')}` : f.status_type?.length ? `t:${f.status_type.join(',')}` : '';
  pick($('f-status'), statusValue);
  pick($('f-priority'), (f.priority || []).join(','));
  pick($('f-assignee'), (f.assignee || []).join(','));
  pick($('f-team'), (f.team || []).join(','));
}

function pick(select, value) {
  if (value && ![...select.options].some((o) => o.value === value)) {
    select.append(el('option', { value }, value.replace(/^[st]:/, '').replaceAll(',', ' or ')));
  }
  select.value = value;
}

/** Reads state.filters from the controls. */
function readFilters() {
  const list = (v) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : []);
  const status = $('f-status').value;
  state.filters = {
    ...state.filters,
    q: $('f-q').value.trim(),
    tag: list($('f-tag').value),
    status: status.startsWith('s:') ? list(status.slice(2)) : [],
    status_type: status.startsWith('t:') ? list(status.slice(2)) : [],
    priority: list($('f-priority').value),
    assignee: list($('f-assignee').value),
    team: list($('f-team').value),
  };
}

async function load() {
  const f = clean(state.filters);
  const p = new URLSearchParams({ page: String(state.page), limit: String(PAGE_SIZE), sort: state.sort });
  for (const [k, v] of Object.entries(f)) p.set(k, Array.isArray(v) ? v.join(',') : String(v));
  writeUrl();
  try {
    const data = await api('GET', `/api/v1/desk/tickets?${p}`);
    state.total = data.total;
    render(data.items);
  } catch (e) {
    if (e.status === 401) { location.href = '/'; return; }
    toast(`Could not load tickets: ${e.message}`, 'error');
  }
  document.body.dataset.loaded = String(Date.now());
}
const reload = debounce(() => { state.page = 1; readFilters(); markCustom(); load(); }, 250);

function render(items) {
  const [sortKey, desc] = state.sort.startsWith('-') ? [state.sort.slice(1), true] : [state.sort, false];
  const head = el('tr', {}, state.columns.map((c) => {
    const col = COLUMNS[c];
    const sorted = col.sort === sortKey ? (desc ? 'descending' : 'ascending') : undefined;
    return el('th', { 'aria-sort': sorted, dataset: { col: c } }, col.sort
      ? el('button', { type: 'button', onclick: () => sortBy(col.sort) }, col.label) : col.label);
  }));
  $('tickets').tHead.replaceChildren(head);
  const rows = items.map((t) => el('tr', { dataset: { id: t.id, number: t.number }, onclick: (ev) => { if (ev.target.tagName !== 'A') location.href = `/desk/tickets/${t.id}`; } },
    state.columns.map((c) => el('td', { class: `col-${c}` }, COLUMNS[c].cell(t)))));
  if (!rows.length) rows.push(el('tr', {}, el('td', { colspan: state.columns.length, class: 'empty' }, 'No tickets match.')));
  $('tickets').tBodies[0].replaceChildren(...rows);
  $('total').textContent = String(state.total);
  const pages = Math.max(1, Math.ceil(state.total / PAGE_SIZE));
  $('page-info').textContent = `Page ${state.page} of ${pages} · ${state.total} tickets`;
  $('prev-page').disabled = state.page <= 1;
  $('next-page').disabled = state.page >= pages;
  $('list-title').textContent = state.view ? state.view.name : (BUILTIN.find((b) => b.key === state.preset)?.name || 'Tickets');
  $('update-view').hidden = !(state.view && state.view.editable);
  renderViews();
}

function sortBy(key) {
  const current = state.sort.replace(/^-/, '');
  const firstDesc = key === 'updated_at' || key === 'created_at' || key === 'priority';
  state.sort = current === key ? (state.sort.startsWith('-') ? key : `-${key}`) : (firstDesc ? `-${key}` : key);
  state.page = 1;
  load();
}

/** A change to filters by hand leaves the built-in preset (a saved view stays selected). */
function markCustom() {
  if (!state.view) state.preset = null;
}

function viewItem(v, { builtin = false } = {}) {
  const current = builtin ? !state.view && state.preset === v.key : state.view?.id === v.id;
  return el('li', { class: `view-item ${current ? 'current' : ''}`, dataset: { view: v.name } },
    el('button', { type: 'button', class: 'view-open', onclick: () => (builtin ? applyPreset(v) : applyView(v)) }, v.name),
    !builtin && !v.mine ? el('span', { class: 'owner' }, v.owner_name) : null,
    !builtin && v.editable && v.mine ? el('button', { type: 'button', class: 'view-del', title: `Delete view ${v.name}`, 'aria-label': `Delete view ${v.name}`, onclick: () => deleteView(v) }, '×') : null);
}

function renderViews() {
  $('builtin-views').replaceChildren(...BUILTIN.map((b) => viewItem(b, { builtin: true })));
  $('my-views').replaceChildren(...state.views.filter((v) => v.mine).map((v) => viewItem(v)));
  $('shared-views').replaceChildren(...state.views.filter((v) => !v.mine).map((v) => viewItem(v)));
  if (!$('my-views').children.length) $('my-views').append(el('li', { class: 'muted small', style: { padding: '2px 10px' } }, 'None saved yet'));
}

function applyPreset(b) {
  state.view = null;
  state.preset = b.key;
  state.filters = { ...b.filters };
  state.page = 1;
  showFilters();
  load();
}

function applyView(v) {
  applyViewState(v);
  state.page = 1;
  showFilters();
  renderColumnsMenu();
  load();
}

async function loadViews() {
  try {
    state.views = (await api('GET', '/api/v1/desk/views')).items;
  } catch (e) {
    toast(`Could not load saved views: ${e.message}`, 'error');
  }
  renderViews();
}

async function saveView() {
  readFilters();
  const name = el('input', { id: 'view-name', required: true, maxlength: 80, value: state.view && !state.view.mine ? `${state.view.name} (copy)` : '' });
  const shared = el('input', { type: 'checkbox', id: 'view-shared' });
  const error = el('p', { class: 'error', hidden: true });
  const body = el('div', { style: { display: 'flex', flexDirection: 'column', gap: '10px' } },
    el('label', {}, 'Name', name),
    el('label', { style: { flexDirection: 'row', alignItems: 'center', gap: '6px' } }, shared, 'Share with the whole team'),
    el('p', { class: 'muted small' }, 'Saves the current filters, columns and sort.'), error);
  let saved = null;
  const check = async () => {
    try {
      saved = await api('POST', '/api/v1/desk/views', { name: name.value, filters: clean(state.filters), columns: state.columns, sort: state.sort, shared: shared.checked });
      return true;
    } catch (e) {
      error.textContent = e.status === 409 ? 'You already have a view with this name.' : e.message;
      error.hidden = false;
      return false;
    }
  };
  const done = await dialog('view-dialog', 'Save view', body, [
    { label: 'Cancel', value: null },
    { label: 'Save view', value: 'save', primary: true, id: 'view-save', check },
  ]);
  if (done !== 'save' || !saved) return;
  toast(`View “${saved.name}” saved`, 'ok');
  await loadViews();
  state.view = state.views.find((v) => v.id === saved.id) || saved;
  state.preset = null;
  load();
}

async function updateView() {
  readFilters();
  const v = state.view;
  try {
    const updated = await api('PATCH', `/api/v1/desk/views/${v.id}`, { filters: clean(state.filters), columns: state.columns, sort: state.sort }, { ifMatch: v.version });
    toast(`View “${updated.name}” updated`, 'ok');
    await loadViews();
    state.view = state.views.find((x) => x.id === v.id) || null;
    render([]); load();
  } catch (e) {
    if (e.isConflict) {
      toast('This view was changed elsewhere meanwhile; it has been reloaded. Apply your changes again.', 'error', 7000);
      await loadViews();
      const fresh = state.views.find((x) => x.id === v.id);
      if (fresh) applyView(fresh);
    } else toast(`Could not update the view: ${e.message}`, 'error');
  }
}

async function deleteView(v) {
  if (!confirm(`Delete the view “${v.name}”?`)) return;
  try {
    await api('DELETE', `/api/v1/desk/views/${v.id}`, undefined, { ifMatch: v.version });
    if (state.view?.id === v.id) { state.view = null; state.preset = 'unresolved'; }
    await loadViews();
    load();
  } catch (e) {
    toast(e.isConflict ? 'The view was changed meanwhile; reload and try again.' : `Could not delete: ${e.message}`, 'error');
  }
}

function renderColumnsMenu() {
  const menu = $('columns-menu');
  menu.replaceChildren(...Object.entries(COLUMNS).map(([key, col]) => el('label', {},
    el('input', { type: 'checkbox', value: key, checked: state.columns.includes(key), onchange: (ev) => {
      if (ev.target.checked) state.columns = Object.keys(COLUMNS).filter((k) => k === key || state.columns.includes(k));
      else if (state.columns.length > 1) state.columns = state.columns.filter((k) => k !== key);
      else ev.target.checked = true;
      load();
    } }), key === 'number' ? 'Number' : col.label)));
}

async function fillOptions() {
  const status = $('f-status');
  status.append(
    el('option', { value: '' }, 'Any status'),
    el('option', { value: `t:${UNRESOLVED.join(',')}` }, 'Unresolved'),
    ...['open', 'pending', 'on_hold', 'resolved', 'closed'].map((t) => el('option', { value: `t:${t}` }, t.replace('_', ' '))));
  const [people, teams, statuses] = await Promise.all([
    agents(),
    api('GET', '/api/v1/desk/teams').then((r) => r.items).catch(() => []),
    api('GET', '/api/v1/desk/statuses').then((r) => r.items).catch(() => []),
  ]);
  for (const s of statuses) status.append(el('option', { value: `s:${s.name}` }, s.name.replaceAll('_', ' ')));
  $('f-assignee').append(...people.map((u) => el('option', { value: u.id }, u.name)));
  $('f-team').append(...teams.map((t) => el('option', { value: t.id }, t.name)));
}

async function main() {
  await startPage();
  await Promise.all([fillOptions(), loadViews()]);
  const url = readUrl();
  const view = url.viewId && state.views.find((v) => v.id === url.viewId);
  if (view) {
    applyViewState(view);
  } else {
    const preset = BUILTIN.find((b) => b.key === url.preset) || BUILTIN[0];
    state.preset = url.explicit && !url.preset ? null : preset.key;
    state.filters = { ...preset.filters };
  }
  if (url.explicit) {
    state.filters = url.filters;
    if (url.sort) state.sort = url.sort;
    if (url.columns?.length) state.columns = url.columns;
  }
  state.page = url.page;
  showFilters();
  renderColumnsMenu();
  for (const id of ['f-status', 'f-priority', 'f-assignee', 'f-team']) $(id).addEventListener('change', reload);
  $('f-q').addEventListener('input', reload);
  $('f-tag').addEventListener('input', reload);
  $('clear-filters').addEventListener('click', () => applyPreset(BUILTIN.find((b) => b.key === 'all')));
  $('prev-page').addEventListener('click', () => { state.page -= 1; load(); });
  $('next-page').addEventListener('click', () => { state.page += 1; load(); });
  $('save-view').addEventListener('click', saveView);
  $('update-view').addEventListener('click', updateView);
  $('columns-button').addEventListener('click', () => {
    const menu = $('columns-menu');
    menu.hidden = !menu.hidden;
    $('columns-button').setAttribute('aria-expanded', String(!menu.hidden));
  });
  setInterval(() => { if (!document.hidden) load(); }, 60000);
  load();
}

function applyViewState(v) {
  state.view = v;
  state.preset = null;
  state.filters = { ...v.filters };
  state.sort = v.sort;
  state.columns = v.columns.filter((c) => COLUMNS[c]);
}

main();
