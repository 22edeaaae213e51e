// Help-desk reports page: reads GET /api/v1/reports/desk for the chosen range and grouping,
// shows totals, a daily chart (created / resolved bars, backlog line) and a per-group chart
// (median first response, SLA compliance), both drawn as SVG here, and links the CSV exports.
import { api, currentUser, logout } from '/assets/api.js';

const SVG = 'http://www.w3.org/2000/svg';
const COLORS = { created: '#1d4ed8', resolved: '#059669', backlog: '#d97706', frt: '#6366f1', sla: '#059669' };
const $ = (id) => document.getElementById(id);

/** An SVG element with attributes. */
function el(name, attrs = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Local YYYY-MM-DD of a Date. */
function isoDay(d) {
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** Seconds as "42 s" / "1 h 05 min" / "3 d 4 h" / "—". */
export function duration(secs) {
  if (secs === null || secs === undefined) return '—';
  if (secs < 60) return `${Math.round(secs)} s`;
  const m = Math.round(secs / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${String(m % 60).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

const pct = (v) => (v === null || v === undefined ? '—' : `${v.toFixed(1)} %`);
const rating = (s) => (s.avg_rating === null ? '—' : `${s.avg_rating.toFixed(2)} (${s.count})`);

/** A "nice" axis maximum at or above v. */
function niceMax(v) {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function query() {
  const q = new URLSearchParams();
  q.set('from', $('from').value);
  q.set('to', $('to').value);
  q.set('group', $('group').value);
  const tz = $('tz').value.trim();
  if (tz) q.set('tz', tz);
  return q;
}

function kpis(t) {
  const cards = [
    ['Created', t.created],
    ['Resolved', t.resolved],
    ['Backlog at end', t.backlog_end],
    ['First response (median)', duration(t.first_response.median_secs)],
    ['First response (average)', duration(t.first_response.avg_secs)],
    ['Resolution (median)', duration(t.resolution.median_secs)],
    ['SLA first response', pct(t.sla.first_response.compliance_pct)],
    ['SLA resolution', pct(t.sla.resolution.compliance_pct)],
    ['Satisfaction', rating(t.satisfaction)],
  ];
  const box = $('kpis');
  box.replaceChildren(...cards.map(([k, v]) => {
    const d = document.createElement('div');
    d.className = 'rp-kpi';
    d.innerHTML = '<div class="k"></div><div class="v"></div>';
    d.querySelector('.k').textContent = k;
    d.querySelector('.v').textContent = String(v);
    return d;
  }));
}

function legend(items) {
  const div = document.createElement('div');
  div.className = 'rp-legend';
  for (const [label, color] of items) {
    const span = document.createElement('span');
    const i = document.createElement('i');
    i.style.background = color;
    span.append(i, label);
    div.append(span);
  }
  return div;
}

/** Created and resolved bars per day with the backlog as a line. */
function dailyChart(series) {
  const W = 640, H = 260, L = 40, R = 12, T = 12, B = 34;
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'Tickets per day', class: 'daily' });
  // Counts: four whole-number steps.
  const step = niceMax(Math.ceil(Math.max(1, ...series.flatMap((d) => [d.created, d.resolved, d.backlog])) / 4));
  const max = step * 4;
  const y = (v) => T + (H - T - B) * (1 - v / max);
  const slot = (W - L - R) / Math.max(1, series.length);
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    svg.append(el('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: '#e2e8f0' }));
    svg.append(el('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end' }, String(v)));
  }
  const bw = Math.max(1, Math.min(18, slot / 2 - 2));
  const every = Math.ceil(series.length / 10);
  series.forEach((d, i) => {
    const cx = L + slot * (i + 0.5);
    for (const [key, dx] of [['created', -bw], ['resolved', 0]]) {
      const r = el('rect', { x: cx + dx, y: y(d[key]), width: bw, height: y(0) - y(d[key]), fill: COLORS[key], class: `bar-${key}` });
      r.append(el('title', {}, `${d.date}: ${d[key]} ${key}`));
      svg.append(r);
    }
    if (i % every === 0) svg.append(el('text', { x: cx, y: H - B + 16, 'text-anchor': 'middle' }, d.date.slice(5)));
  });
  const points = series.map((d, i) => `${L + slot * (i + 0.5)},${y(d.backlog)}`).join(' ');
  svg.append(el('polyline', { points, fill: 'none', stroke: COLORS.backlog, 'stroke-width': 2, class: 'backlog-line' }));
  series.forEach((d, i) => {
    const c = el('circle', { cx: L + slot * (i + 0.5), cy: y(d.backlog), r: 2.5, fill: COLORS.backlog });
    c.append(el('title', {}, `${d.date}: backlog ${d.backlog}`));
    svg.append(c);
  });
  svg.append(el('line', { x1: L, x2: W - R, y1: y(0), y2: y(0), stroke: '#94a3b8' }));
  $('chart-daily').replaceChildren(svg, legend([['Created', COLORS.created], ['Resolved', COLORS.resolved], ['Backlog', COLORS.backlog]]));
}

/** Per group: median first response (hours) and first-response SLA compliance (%). */
function groupChart(rows) {
  const box = $('chart-groups');
  if (!rows.length) {
    const p = document.createElement('p');
    p.className = 'rp-empty';
    p.textContent = 'No groups: choose Agent or Team, or widen the range.';
    box.replaceChildren(p);
    return;
  }
  const W = 640, rowH = 30, L = 150, R = 60, T = 8;
  const H = T + rows.length * rowH + 24;
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'Per group', class: 'groups' });
  const hours = rows.map((g) => (g.first_response.median_secs ?? 0) / 3600);
  const maxH = niceMax(Math.max(...hours, 0.1));
  const half = (W - L - R) / 2;
  rows.forEach((g, i) => {
    const yy = T + i * rowH;
    const name = g.name.length > 22 ? g.name.slice(0, 21) + '…' : g.name;
    svg.append(el('text', { x: L - 8, y: yy + 17, 'text-anchor': 'end' }, name));
    const w = (hours[i] / maxH) * (half - 8);
    const frt = el('rect', { x: L, y: yy + 5, width: Math.max(0, w), height: 9, fill: COLORS.frt, class: 'bar-frt' });
    frt.append(el('title', {}, `${g.name}: median first response ${duration(g.first_response.median_secs)}`));
    svg.append(frt);
    const c = g.sla.first_response.compliance_pct;
    const sw = c === null ? 0 : (c / 100) * (half - 8);
    const sla = el('rect', { x: L + half, y: yy + 5, width: sw, height: 9, fill: COLORS.sla, class: 'bar-sla' });
    sla.append(el('title', {}, `${g.name}: first-response SLA ${pct(c)}`));
    svg.append(sla);
    svg.append(el('text', { x: L + half + sw + 4, y: yy + 14 }, pct(c)));
    svg.append(el('text', { x: L + w + 4, y: yy + 24 }, duration(g.first_response.median_secs)));
  });
  svg.append(el('text', { x: L, y: H - 6 }, `0 – ${maxH} h`));
  svg.append(el('text', { x: L + half, y: H - 6 }, '0 – 100 %'));
  box.replaceChildren(svg, legend([['Median first response', COLORS.frt], ['First-response SLA', COLORS.sla]]));
}

function table(report) {
  const head = ['Name', 'Created', 'Resolved', 'Backlog', 'FRT median', 'FRT avg', 'Resolution median',
    'SLA first response', 'SLA resolution', 'Satisfaction'];
  const row = (name, m, cls) => {
    const tr = document.createElement('tr');
    if (cls) tr.className = cls;
    for (const v of [name, m.created, m.resolved, m.backlog_end, duration(m.first_response.median_secs),
      duration(m.first_response.avg_secs), duration(m.resolution.median_secs),
      pct(m.sla.first_response.compliance_pct), pct(m.sla.resolution.compliance_pct), rating(m.satisfaction)]) {
      const td = document.createElement('td');
      td.textContent = String(v);
      tr.append(td);
    }
    return tr;
  };
  const thead = document.createElement('thead');
  const htr = document.createElement('tr');
  for (const h of head) {
    const th = document.createElement('th');
    th.textContent = h;
    htr.append(th);
  }
  thead.append(htr);
  const tbody = document.createElement('tbody');
  tbody.append(row('All tickets', report.totals, 'total'));
  for (const g of report.groups) tbody.append(row(g.name, g));
  $('groups-table').replaceChildren(thead, tbody);
}

async function load() {
  const q = query();
  history.replaceState(null, '', `/desk/reports?${q}`);
  $('csv-groups').href = `/api/v1/reports/desk.csv?${q}&section=groups`;
  $('csv-series').href = `/api/v1/reports/desk.csv?${q}&section=series`;
  const word = { agent: 'agent', team: 'team', none: 'group' }[$('group').value];
  $('group-word').textContent = word;
  $('group-word-2').textContent = word;
  $('error').hidden = true;
  try {
    const report = await api('GET', `/api/v1/reports/desk?${q}`);
    kpis(report.totals);
    dailyChart(report.series);
    groupChart(report.groups);
    table(report);
  } catch (e) {
    if (e.status === 401) { location.href = '/'; return; }
    $('error').textContent = e.message;
    $('error').hidden = false;
  }
  document.body.dataset.loaded = String(Date.now());
}

async function start() {
  const me = await currentUser();
  if (!me) { location.href = '/'; return; }
  $('user').textContent = `${me.name || me.email} · ${me.role}`;
  $('logout').addEventListener('click', logout);
  const params = new URLSearchParams(location.search);
  const today = new Date();
  const monthAgo = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 29);
  $('from').value = params.get('from') || isoDay(monthAgo);
  $('to').value = params.get('to') || isoDay(today);
  $('group').value = params.get('group') || 'agent';
  $('tz').value = params.get('tz') || Intl.DateTimeFormat().resolvedOptions().timeZone || '';
  $('filters').addEventListener('submit', (ev) => { ev.preventDefault(); load(); });
  await load();
}

start();
