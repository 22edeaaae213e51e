// The technician's route page: today's stops with ETAs and navigation links, the route on a
// map, status buttons and the service report. Works offline: the service worker keeps the page
// and route, and changes wait in the IndexedDB outbox until the connection is back.
import { api, logout } from '/assets/api.js';
import { el, hhmm, today, toast, STATUS_COLOURS } from '/assets/util.js';
import { MapView } from '/assets/map.js';
import { renderStops } from '/assets/stops.js';
import { askReport } from '/assets/report.js';
import { enqueue, pending, flush } from '/assets/outbox.js';

const $ = (id) => document.getElementById(id);
const ROUTE_KEY = 'fieldpath.route';
const state = { route: null, local: new Map(), map: null, roadsLoaded: false };

function setNet() {
  const on = navigator.onLine;
  $('net').textContent = on ? 'Online' : 'Offline';
  $('net').classList.toggle('offline', !on);
}

async function refreshPending() {
  const items = await pending().catch(() => []);
  state.local = new Map();
  for (const i of items) if (i.kind === 'status') state.local.set(i.work_order_id, i.status);
  $('pending').hidden = items.length === 0;
  $('pending').textContent = `${items.length} update${items.length === 1 ? '' : 's'} waiting to send`;
}

function render() {
  const route = state.route;
  if (!route) return;
  $('tech-name').textContent = route.technician.name;
  $('route-date').textContent = `${route.date} · ${route.stops.length} stop${route.stops.length === 1 ? "" : "s"} · times UTC`;
  $('updated').textContent = `Route as of ${hhmm(route.generated_at)} UTC${route.offline ? ' (saved copy)' : ''}`;
  renderStops($('stops'), route, state.local, { onStatus: setStatus, onComplete: complete });
  drawMap(route);
}

async function drawMap(route) {
  if (!state.map) state.map = new MapView($('tech-map'));
  const pts = [[route.technician.home.lon, route.technician.home.lat], ...route.stops.map((s) => [s.work_order.lon, s.work_order.lat]), ...route.geometry];
  const lons = pts.map((p) => p[0]);
  const lats = pts.map((p) => p[1]);
  const bbox = [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)];
  if (!state.map.view) state.map.fit(bbox, 0.12);
  state.map.setOverlay({
    routes: route.geometry.length ? [{ id: 'route', colour: '#1d4ed8', points: route.geometry, width: 4 }] : [],
    markers: [
      { id: 'home', kind: 'home', lon: route.technician.home.lon, lat: route.technician.home.lat, colour: '#1d4ed8', title: 'Start' },
      ...route.stops.map((s, i) => ({ id: s.work_order.id, kind: 'job', lon: s.work_order.lon, lat: s.work_order.lat, colour: STATUS_COLOURS[s.work_order.status], label: String(i + 1), title: s.work_order.number })),
    ],
  });
  if (!state.roadsLoaded) {
    const pad = 0.004;
    try {
      const roads = await api('GET', `/api/v1/board/roads?bbox=${bbox[0] - pad},${bbox[1] - pad},${bbox[2] + pad},${bbox[3] + pad}`);
      state.map.setRoads(roads.roads);
      state.roadsLoaded = true;
    } catch { /* offline without a cached copy: route and stops only */ }
  }
}

async function loadRoute() {
  try {
    const route = await api('GET', `/api/v1/board/my-route?date=${today()}`);
    localStorage.setItem(ROUTE_KEY, JSON.stringify(route));
    state.route = route;
  } catch (e) {
    if (e.status === 401) { location.href = '/'; return; }
    if (e.status === 403) { $('stops').replaceChildren(el('li', { class: 'empty' }, e.message)); return; }
    const saved = localStorage.getItem(ROUTE_KEY);
    if (saved) state.route = { ...JSON.parse(saved), offline: true };
  }
  await refreshPending();
  render();
  document.body.dataset.loaded = String(Date.now());
}

async function send(item) {
  if (item.kind === 'status') {
    await api('POST', `/api/v1/board/my-route/stops/${item.work_order_id}/status`, { status: item.status, at: item.at, client_id: item.client_id });
  } else if (item.kind === 'report') {
    const report = await api('POST', '/api/v1/service-reports', {
      work_order_id: item.work_order_id,
      technician_id: item.technician_id,
      work_done: item.work_done,
      parts_used: item.parts_used,
      notes: item.notes,
      signature_png: item.signature_png,
    });
    for (const photo of item.photos || []) {
      const res = await fetch(`/api/v1/attachments?service_report_id=${report.id}&filename=${encodeURIComponent(photo.name || 'photo.jpg')}`, {
        method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': photo.type || 'application/octet-stream' }, body: photo,
      });
      if (!res.ok && res.status >= 500) throw Object.assign(new Error('photo upload failed'), { status: res.status });
    }
  }
}

async function sync() {
  if (!navigator.onLine) return;
  const sent = await flush(send, (item, e) => toast(`Not saved: ${e.message}`, 'error'));
  await refreshPending();
  if (sent > 0) {
    toast(`${sent} update${sent === 1 ? '' : 's'} sent`, 'ok');
    await loadRoute();
  } else {
    render();
  }
}

async function setStatus(stop, status) {
  await enqueue({ kind: 'status', work_order_id: stop.work_order.id, status, at: new Date().toISOString() });
  await refreshPending();
  render();
  if (!navigator.onLine) toast('Offline: saved on this phone, will send when back online.');
  await sync();
}

async function complete(stop) {
  const report = await askReport($('report-dialog'), stop);
  if (!report) return;
  await enqueue({ kind: 'report', work_order_id: stop.work_order.id, technician_id: state.route.technician.id, ...report });
  await setStatus(stop, 'completed');
}

function watchPosition() {
  if (!('geolocation' in navigator)) return;
  let last = 0;
  navigator.geolocation.watchPosition((pos) => {
    const now = Date.now();
    if (!navigator.onLine || now - last < 20000) return;
    last = now;
    api('POST', '/api/v1/board/position', {
      lat: pos.coords.latitude, lon: pos.coords.longitude, accuracy_m: pos.coords.accuracy,
      at: new Date(pos.timestamp).toISOString(),
    }).catch(() => { last = 0; });
  }, () => {}, { enableHighAccuracy: true, maximumAge: 15000 });
}

async function init() {
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {});
  setNet();
  window.addEventListener('online', () => { setNet(); sync(); });
  window.addEventListener('offline', setNet);
  $('logout').addEventListener('click', logout);
  await loadRoute();
  await sync();
  watchPosition();
  setInterval(sync, 15000);
  try {
    const source = new EventSource('/api/v1/events', { withCredentials: true });
    source.addEventListener('assignment.changed', () => navigator.onLine && loadRoute());
  } catch { /* live updates are optional here */ }
}

init();
