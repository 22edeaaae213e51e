// The dispatcher board: loads the day (GET /board/day), renders the Gantt, the queue and the
// map, handles drag and drop with a server preview before saving, pin/lock, "Optimize day",
// and live updates from other dispatchers and technicians.
import { api, currentUser, homeFor, logout } from '/assets/api.js';
import { el, hhmm, minutes, today, addDays, toast, debounce, STATUS_COLOURS, ROUTE_COLOURS, statusLabel } from '/assets/util.js';
import { renderGantt, makeFrame } from '/assets/gantt.js';
import { renderQueue, wireFilters } from '/assets/queue.js';
import { wireDnd } from '/assets/dnd.js';
import { MapView } from '/assets/map.js';
import { connectLive } from '/assets/live.js';
import { optimizeDay } from '/assets/optimize.js';

const state = { date: new URLSearchParams(location.search).get('date') || today(), days: 1, data: null, frame: null, user: null, roadsKey: null };
const $ = (id) => document.getElementById(id);
const map = new MapView($('map'));

async function load() {
  try {
    const data = await api('GET', `/api/v1/board/day?date=${state.date}&days=${state.days}`);
    state.data = data;
    state.frame = makeFrame(data);
    render();
    document.body.dataset.loaded = String(Date.now());
  } catch (e) {
    if (e.status === 401) { location.href = '/'; return; }
    toast(`Could not load the board: ${e.message}`, 'error');
  }
}
const reload = debounce(load, 250);

function render() {
  const data = state.data;
  $('date').value = state.date;
  renderGantt($('gantt'), data, state.frame, { onBarClick: showDetail });
  renderQueue($('queue'), data.unassigned);
  renderMap(data);
}

async function renderMap(data) {
  const colour = new Map(data.technicians.map((t, i) => [t.id, ROUTE_COLOURS[i % ROUTE_COLOURS.length]]));
  const routes = [];
  const markers = [];
  const legend = [];
  for (const t of data.technicians) {
    const mine = data.assignments.filter((a) => a.technician_id === t.id);
    if (!mine.length) continue;
    legend.push({ colour: colour.get(t.id), label: `${t.name} (${mine.length})` });
    const pts = [];
    for (const a of mine) {
      const g = a.travel_geometry;
      if (g && g.length) pts.push(...g); else pts.push([a.job.lon, a.job.lat]);
    }
    routes.push({ id: t.id, colour: colour.get(t.id), points: [[t.home.lon, t.home.lat], ...pts], dashed: mine.some((a) => a.travel_before.estimator !== 'road_graph') });
    markers.push({ id: `home-${t.id}`, kind: 'home', lon: t.home.lon, lat: t.home.lat, colour: colour.get(t.id), title: `${t.name} — start` });
  }
  for (const a of data.assignments) {
    markers.push({ id: a.work_order_id, kind: 'job', lon: a.job.lon, lat: a.job.lat, colour: STATUS_COLOURS[a.job.status], ring: colour.get(a.technician_id), title: `${a.job.number} ${a.job.title} — ${statusLabel(a.job.status)} ${hhmm(a.planned_start)}` });
  }
  for (const j of data.unassigned) {
    markers.push({ id: j.id, kind: 'job', lon: j.lon, lat: j.lat, colour: '#ffffff', ring: '#64748b', title: `${j.number} ${j.title} — unassigned` });
  }
  for (const t of data.technicians) {
    if (t.position) markers.push({ id: `tech-${t.id}`, kind: 'tech', lon: t.position.lon, lat: t.position.lat, colour: colour.get(t.id) || '#0f172a', label: t.name.split(' ').map((w) => w[0]).join(''), title: `${t.name} at ${hhmm(t.position.at)}` });
  }
  const key = data.bbox.map((v) => v.toFixed(3)).join(',');
  if (!map.view || state.roadsKey !== key) map.fit(data.bbox);
  map.setTileUrl(data.tile_url);
  map.setOverlay({ routes, markers, legend });
  $('map-note').textContent = data.graph ? `${data.assignments.length} visits · ${data.unassigned.length} unassigned` : 'no road graph: straight lines';
  if (data.graph && state.roadsKey !== key) {
    state.roadsKey = key;
    const pad = 0.01;
    const b = data.bbox;
    try {
      const roads = await api('GET', `/api/v1/board/roads?bbox=${b[0] - pad},${b[1] - pad},${b[2] + pad},${b[3] + pad}`);
      map.setRoads(roads.roads);
    } catch (e) {
      state.roadsKey = null;
    }
  }
}

function conflictToast() {
  const t = toast('Changed by someone else — reload to see the current plan.', 'error', 8000);
  t.append(' ', el('button', { class: 'btn btn-sm', onclick: () => { t.remove(); load(); } }, 'Reload'));
}

function travelText(t) {
  if (!t) return '—';
  const km = (t.meters / 1000).toFixed(1);
  return `${minutes(t.seconds / 60)} · ${km} km${t.estimator === 'road_graph' ? '' : ' (straight-line estimate)'}`;
}

function findJob(id) {
  const d = state.data;
  return d.unassigned.find((j) => j.id === id) || (d.assignments.find((a) => a.work_order_id === id) || {}).job;
}

async function onDrop(move) {
  const dialog = $('move-dialog');
  const job = findJob(move.work_order_id);
  const tech = state.data.technicians.find((t) => t.id === move.technician_id);
  let verdict;
  try {
    verdict = await api('POST', '/api/v1/board/preview', move);
  } catch (e) {
    toast(e.message, 'error');
    return;
  }
  const hard = verdict.violations.some((v) => v.code === 'locked' || v.code === 'closed');
  const confirm = el('button', { class: 'btn btn-primary', id: 'confirm-move', disabled: hard }, verdict.violations.length ? 'Assign anyway' : 'Assign');
  const cancel = el('button', { class: 'btn', onclick: () => dialog.close() }, 'Cancel');
  confirm.addEventListener('click', async () => {
    confirm.disabled = true;
    try {
      await api('POST', '/api/v1/board/moves', { ...move, accept_violations: verdict.violations.length > 0 });
      dialog.close();
      toast(`${job ? job.number : 'Job'} planned for ${tech ? tech.name : ''} at ${hhmm(verdict.planned_start)}`, 'ok');
      await load();
    } catch (e) {
      dialog.close();
      if (e.isConflict) conflictToast(); else toast(e.message, 'error');
      await load();
    }
  });
  dialog.replaceChildren(el('div', { class: 'dialog-body' },
    el('h2', {}, `${move.assignment_id ? 'Move' : 'Assign'} ${job ? job.number : ''}`),
    el('p', { class: 'muted' }, job ? `${job.title} · ${job.site_name}` : ''),
    el('dl', { class: 'kv' },
      el('dt', {}, 'Technician'), el('dd', {}, tech ? tech.name : move.technician_id),
      el('dt', {}, 'Time'), el('dd', { id: 'preview-time' }, `${hhmm(verdict.planned_start)}–${hhmm(verdict.planned_end)} (stop ${verdict.sequence + 1})`),
      el('dt', {}, 'Travel before'), el('dd', { id: 'preview-travel' }, travelText(verdict.travel_before)),
      el('dt', {}, 'Travel after'), el('dd', {}, travelText(verdict.travel_after)),
      job && job.window_start ? [el('dt', {}, 'Time window'), el('dd', {}, `${hhmm(job.window_start)}–${hhmm(job.window_end)}`)] : null),
    verdict.violations.length
      ? el('ul', { class: 'violations', id: 'preview-violations' }, verdict.violations.map((v) => el('li', { dataset: { code: v.code } }, v.message)))
      : el('p', { class: 'ok-note' }, 'No conflicts: skills, shift, time window and overlaps are fine.')),
  el('div', { class: 'dialog-actions' }, cancel, confirm));
  dialog.showModal();
}

async function onUnassign({ assignment_id, version }) {
  try {
    await api('POST', `/api/v1/board/assignments/${assignment_id}/unassign`, { version });
    toast('Moved back to the queue.', 'ok');
  } catch (e) {
    if (e.isConflict && e.status === 412) conflictToast(); else toast(e.message, 'error');
  }
  await load();
}

function showDetail(a) {
  const dialog = $('detail-dialog');
  const j = a.job;
  const lock = el('button', { class: 'btn', id: 'toggle-lock' }, a.locked ? 'Unlock' : 'Lock (pin)');
  lock.addEventListener('click', async () => {
    try {
      await api('POST', `/api/v1/board/assignments/${a.id}/lock`, { locked: !a.locked, version: a.version });
      dialog.close();
      toast(a.locked ? 'Unlocked.' : 'Locked: the optimizer and drag and drop leave it in place.', 'ok');
    } catch (e) {
      dialog.close();
      if (e.isConflict) conflictToast(); else toast(e.message, 'error');
    }
    await load();
  });
  const unassign = el('button', { class: 'btn btn-danger', disabled: a.locked }, 'Unassign');
  unassign.addEventListener('click', () => { dialog.close(); onUnassign({ assignment_id: a.id, version: a.version }); });
  const tech = state.data.technicians.find((t) => t.id === a.technician_id);
  dialog.replaceChildren(el('div', { class: 'dialog-body' },
    el('h2', {}, `${j.number} · ${j.title}`),
    el('dl', { class: 'kv' },
      el('dt', {}, 'Status'), el('dd', {}, el('span', { class: 'badge', style: { background: STATUS_COLOURS[j.status], color: '#fff' } }, statusLabel(j.status))),
      el('dt', {}, 'Priority'), el('dd', {}, el('span', { class: `badge prio-${j.priority}` }, j.priority)),
      el('dt', {}, 'Technician'), el('dd', {}, tech ? tech.name : ''),
      el('dt', {}, 'Planned'), el('dd', {}, `${hhmm(a.planned_start)}–${hhmm(a.planned_end)}${a.locked ? ' · locked' : ''}`),
      el('dt', {}, 'Window'), el('dd', {}, j.window_start ? `${hhmm(j.window_start)}–${hhmm(j.window_end)}` : '—'),
      el('dt', {}, 'Travel before'), el('dd', {}, travelText(a.travel_before)),
      el('dt', {}, 'Site'), el('dd', {}, `${j.site_name}${j.address ? ', ' + j.address : ''}`),
      el('dt', {}, 'Customer'), el('dd', {}, j.customer_name || '—'),
      el('dt', {}, 'Skills'), el('dd', {}, (j.required_skills || []).map((s) => `${s.skill} ≥ ${s.level}`).join(', ') || '—'))),
  el('div', { class: 'dialog-actions' }, unassign, lock, el('button', { class: 'btn btn-primary', onclick: () => dialog.close() }, 'Close')));
  dialog.showModal();
}

function onLive(kind, data) {
  if (kind === 'ready') return;
  if (kind === 'position') {
    const t = state.data && state.data.technicians.find((x) => x.id === data.technician_id);
    if (t) t.position = data;
    map.moveMarker(`tech-${data.technician_id}`, data.lon, data.lat);
    return;
  }
  if (kind === 'stop.status' && state.data) {
    const a = state.data.assignments.find((x) => x.work_order_id === data.work_order_id);
    const tech = state.data.technicians.find((x) => x.id === data.technician_id);
    if (a) toast(`${a.job.number}: ${statusLabel(data.status)}${tech ? ' — ' + tech.name : ''}`, 'info');
  }
  reload();
}

function setLive(on) {
  $('live').classList.toggle('live-on', on);
  $('live-text').textContent = on ? 'Live' : 'Reconnecting…';
}

function go(date) {
  state.date = date;
  history.replaceState(null, '', `/board?date=${date}`);
  load();
}

async function init() {
  const user = await currentUser().catch(() => null);
  if (!user) { location.href = '/'; return; }
  if (!['admin', 'dispatcher', 'agent'].includes(user.role)) { location.href = homeFor(user.role); return; }
  state.user = user;
  $('user').textContent = `${user.name} · ${user.role}`;
  $('logout').addEventListener('click', logout);
  $('prev-day').addEventListener('click', () => go(addDays(state.date, state.days > 1 ? -7 : -1)));
  $('next-day').addEventListener('click', () => go(addDays(state.date, state.days > 1 ? 7 : 1)));
  $('today').addEventListener('click', () => go(today()));
  $('date').addEventListener('change', (e) => e.target.value && go(e.target.value));
  const zoom = (days) => {
    state.days = days;
    $('zoom-day').classList.toggle('active', days === 1);
    $('zoom-week').classList.toggle('active', days > 1);
    load();
  };
  $('zoom-day').addEventListener('click', () => zoom(1));
  $('zoom-week').addEventListener('click', () => zoom(7));
  const planner = ['admin', 'dispatcher'].includes(user.role);
  $('optimize').hidden = !planner;
  $('optimize').addEventListener('click', () => optimizeDay($('optimize-dialog'), state.date, state.data, (diff) => {
    toast(`Plan accepted: ${diff.added.length} added, ${diff.moved.length} moved.`, 'ok');
    load();
  }));
  wireFilters(() => state.data && renderQueue($('queue'), state.data.unassigned));
  if (planner) wireDnd(document.querySelector('.board'), { getFrame: () => state.frame, onDrop, onUnassign });
  connectLive(onLive, setLive);
  await load();
}

init();
