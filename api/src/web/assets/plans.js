// Planning scenarios: create one from the records for a date range with a few what-if
// edits, follow the queue (status, progress, cancel), and compare the finished plans side
// by side: table, unassigned jobs with reasons, SVG charts, CSV export.
import { api, currentUser, logout } from '/assets/api.js';
import { el, today, addDays, toast, ROUTE_COLOURS } from '/assets/util.js';
import { barChart, download, csvLine } from '/assets/charts.js';

const $ = (id) => document.getElementById(id);
const state = { runs: [], selected: new URLSearchParams(location.search).get('id'), report: null, timer: null };

const num = (v, d = 1) => (v === null || v === undefined ? '—' : Number(v).toFixed(d));
const pct = (v) => `${num(100 * v, 1)} %`;
const hours = (s) => num(s / 3600, 2);

/** The rows of the comparison: label, value of a plan. */
const ROWS = [
  ['Jobs', (p) => p.jobs],
  ['Served', (p) => p.served],
  ['Unassigned', (p) => p.unassigned],
  ['Travel time (h)', (p) => hours(p.travel_time_s)],
  ['Travel per job (min)', (p) => num(p.travel_time_per_job_s / 60)],
  ['Distance (km)', (p) => num(p.distance_m / 1000)],
  ['Distance per job (km)', (p) => num(p.distance_per_job_m / 1000, 2)],
  ['Overtime (h)', (p) => hours(p.overtime_s)],
  ['Waiting (h)', (p) => hours(p.waiting_s)],
  ['Utilisation', (p) => pct(p.utilisation)],
  ['Window compliance', (p) => pct(p.window_compliance)],
  ['Technician-days used', (p) => p.technician_days_used],
  ['Cost', (p) => num(p.cost, 2)],
  ['Rules broken', (p) => p.violations || 0],
];

const planLabel = (p) => (p.planner === 'current' ? 'Current plan' : `${p.variant} · ${p.planner === 'greedy' ? 'greedy baseline' : 'optimised'}`);

async function loadTechnicians() {
  try {
    const page = await api('GET', '/api/v1/technicians?limit=200');
    for (const t of page.items) {
      $('f-remove').append(el('option', { value: t.name }, t.name));
      $('f-copy').append(el('option', { value: t.name }, t.name));
    }
  } catch (e) {
    toast(`Could not load technicians: ${e.message}`, 'error');
  }
}

function edits() {
  const out = [];
  for (const o of $('f-remove').selectedOptions) out.push({ remove_technician: { id: o.value } });
  if ($('f-copy').value) out.push({ copy_technician: { technician: $('f-copy').value, count: Number($('f-copies').value) || 1 } });
  const scale = Number($('f-scale').value);
  if (scale && scale !== 1) out.push({ scale_demand: { factor: scale, seed: 1 } });
  const s = $('f-shift-start').value, e = $('f-shift-end').value;
  if (s || e) out.push({ move_shifts: { technician: '*', start: s || undefined, end: e || undefined } });
  return out;
}

async function create(ev) {
  ev.preventDefault();
  $('f-error').hidden = true;
  const body = {
    name: $('f-name').value.trim(),
    from_records: { start: $('f-start').value, end: $('f-end').value },
    edits: edits(),
    seconds: Number($('f-seconds').value) || 5,
  };
  $('create').disabled = true;
  try {
    const run = await api('POST', '/api/v1/scenarios', body);
    state.selected = run.id;
    toast('Scenario queued', 'info');
    await refresh();
  } catch (e) {
    $('f-error').textContent = e.field ? `${e.field}: ${e.message}` : e.message;
    $('f-error').hidden = false;
  } finally {
    $('create').disabled = false;
  }
}

function renderRuns() {
  const list = $('runs');
  list.replaceChildren();
  if (!state.runs.length) list.append(el('li', { class: 'muted' }, 'No scenarios yet.'));
  for (const r of state.runs) {
    const active = r.status === 'queued' || r.status === 'running';
    const range = r.source && r.source.from_records ? `${r.source.from_records.start} → ${r.source.from_records.end}` : 'scenario file';
    list.append(el('li', {
      class: `run${r.id === state.selected ? ' selected' : ''}`, dataset: { id: r.id, status: r.status },
      onclick: () => { state.selected = r.id; history.replaceState(null, '', `/plans?id=${r.id}`); renderRuns(); showDetail(); },
    },
    el('div', { class: 'run-head' }, el('strong', {}, r.name || 'Unnamed'), el('span', { class: `badge status-${r.status}` }, r.status)),
    el('div', { class: 'small muted' }, range),
    active ? el('div', { class: 'progress', title: r.progress_note }, el('i', { style: { width: `${Math.round(100 * r.progress)}%` } })) : null,
    active ? el('div', { class: 'small muted' }, `${Math.round(100 * r.progress)} % ${r.progress_note || ''}`) : null,
    active ? el('button', { class: 'btn btn-sm btn-danger', type: 'button', onclick: (e) => { e.stopPropagation(); cancel(r.id); } }, 'Cancel') : null,
    r.error ? el('div', { class: 'small error' }, r.error) : null));
  }
}

async function cancel(id) {
  try {
    await api('DELETE', `/api/v1/scenarios/${id}`);
    await refresh();
  } catch (e) {
    toast(`Could not cancel: ${e.message}`, 'error');
  }
}

async function refresh() {
  try {
    state.runs = (await api('GET', '/api/v1/scenarios')).items;
  } catch (e) {
    if (e.status === 401) { location.href = '/'; return; }
    toast(`Could not load scenarios: ${e.message}`, 'error');
    return;
  }
  renderRuns();
  await showDetail();
  clearTimeout(state.timer);
  if (state.runs.some((r) => r.status === 'queued' || r.status === 'running')) state.timer = setTimeout(refresh, 1500);
}

function comparisonCsv(report) {
  let text = csvLine(['figure', ...report.plans.map(planLabel)]);
  for (const [label, value] of ROWS) text += csvLine([label, ...report.plans.map(value)]);
  return text;
}

async function showDetail() {
  const box = $('detail');
  const run = state.runs.find((r) => r.id === state.selected);
  if (!run) return;
  if (run.status !== 'succeeded') {
    box.replaceChildren(el('h2', {}, run.name || 'Scenario'), el('p', { class: 'muted' }, `Status: ${run.status}. ${run.error || ''}`));
    state.report = null;
    return;
  }
  if (state.report && state.report.id === run.id) return;
  const full = await api('GET', `/api/v1/scenarios/${run.id}`);
  const report = full.result;
  state.report = { id: run.id, report };
  const plans = report.plans;
  const base = report.savings.find((s) => s.variant === 'base') || report.savings[0];
  const current = plans.find((p) => p.planner === 'current');
  const optBase = plans.find((p) => p.variant === 'base' && p.planner === 'optimized');
  const headline = el('div', { class: 'headline', id: 'headline' },
    'Travel time reduced by ', el('span', { class: 'good' }, `${num(base.travel_time_reduction_pct, 1)} %`), ' vs the greedy baseline',
    current && optBase && current.travel_time_per_job_s > 0
      ? ` · travel per job ${num(100 * (current.travel_time_per_job_s - optBase.travel_time_per_job_s) / current.travel_time_per_job_s, 1)} % less than the current plan (which serves ${current.served} of ${current.jobs})`
      : '');

  const table = el('table', { class: 'compare', id: 'compare' },
    el('thead', {}, el('tr', {}, el('th', {}, 'Figure'), plans.map((p) => el('th', { scope: 'col' }, planLabel(p))))),
    el('tbody', {},
      ROWS.map(([label, value]) => el('tr', {}, el('th', { scope: 'row' }, label), plans.map((p) => el('td', {}, String(value(p)))))),
      el('tr', {}, el('th', { scope: 'row' }, 'Unassigned jobs'), plans.map((p) => el('td', {},
        p.unassigned_jobs.length ? el('details', {}, el('summary', {}, `${p.unassigned_jobs.length} job(s)`),
          el('ul', { class: 'small' }, p.unassigned_jobs.map((u) => el('li', {}, `${u.id}: ${u.reason}`)))) : '—')))));

  const colour = (i) => ROUTE_COLOURS[i % ROUTE_COLOURS.length];
  const charts = el('div', { class: 'charts' },
    barChart(plans.map((p, i) => ({ label: planLabel(p), value: p.travel_time_s / 3600, colour: colour(i) })), { title: 'Travel time (h) per plan', format: (v) => num(v, 2) }),
    barChart(plans.map((p, i) => ({ label: planLabel(p), value: p.cost, colour: colour(i) })), { title: 'Cost per plan', format: (v) => num(v, 0) }));
  const utilPlan = optBase || plans[plans.length - 1];
  charts.append(barChart(utilPlan.technicians.map((t) => ({ label: t.id, value: 100 * t.utilisation, colour: '#059669' })),
    { title: `Utilisation per technician (%) — ${planLabel(utilPlan)}`, format: (v) => num(v, 0) }));

  const actions = el('div', { class: 'actions' },
    el('a', { class: 'btn', id: 'csv-server', href: `/api/v1/scenarios/${run.id}/report.csv`, download: `scenario-${run.id}.csv` }, 'Download CSV'),
    el('button', { class: 'btn', type: 'button', id: 'csv-client', onclick: () => download(`comparison-${run.id}.csv`, comparisonCsv(report)) }, 'Export table as CSV'));
  const notes = report.warnings.map((w) => el('p', { class: 'small warn' }, w));
  box.replaceChildren(el('h2', {}, report.scenario),
    el('p', { class: 'small muted' }, `${report.horizon_days} day(s) from ${report.horizon_start} · travel by ${report.estimator} · ${report.seconds_per_plan} s per plan · ran in ${num(report.wall_s, 1)} s`),
    ...notes, headline, actions, table, charts);
  document.body.dataset.report = run.id;
}

async function main() {
  const user = await currentUser();
  if (!user) { location.href = '/'; return; }
  if (user.role !== 'admin' && user.role !== 'dispatcher') { document.querySelector('main').replaceChildren(el('p', { class: 'card' }, 'Planning scenarios are for admins and dispatchers.')); return; }
  $('user').textContent = `${user.name} (${user.role})`;
  $('logout').addEventListener('click', logout);
  $('f-start').value = today();
  $('f-end').value = addDays(today(), 1);
  $('new-form').addEventListener('submit', create);
  await loadTechnicians();
  await refresh();
  document.body.dataset.loaded = String(Date.now());
}

main();
