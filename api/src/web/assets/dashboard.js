// The plan dashboard: first-time fix rate, utilisation, completion time, SLA compliance and
// travel per job over time (GET /api/v1/dashboard/plan), as SVG line charts and a table.
import { api, currentUser, logout } from '/assets/api.js';
import { el, today, addDays, toast } from '/assets/util.js';
import { lineChart } from '/assets/charts.js';

const $ = (id) => document.getElementById(id);
const fmt = (d) => (v) => (v === null || v === undefined ? '—' : Number(v).toFixed(d));
const pctFmt = (v) => (v === null || v === undefined ? '—' : `${(100 * v).toFixed(0)} %`);

function query() {
  return `from=${$('from').value}&to=${$('to').value}&bucket=${$('bucket').value}`;
}

async function load(ev) {
  if (ev) ev.preventDefault();
  let d;
  try {
    d = await api('GET', `/api/v1/dashboard/plan?${query()}`);
  } catch (e) {
    if (e.status === 401) { location.href = '/'; return; }
    toast(`Could not load the dashboard: ${e.message}`, 'error');
    return;
  }
  $('csv').href = `/api/v1/dashboard/plan.csv?${query()}`;
  const labels = d.buckets.map((b) => b.start.slice(5));
  const series = (key, name, colour) => ({ name, colour, values: d.buckets.map((b) => b[key]) });
  $('charts').replaceChildren(
    el('div', { class: 'card' }, lineChart(labels, [series('first_time_fix_rate', 'First-time fix', '#059669'), series('sla_compliance', 'SLA compliance', '#2563eb')], { title: 'First-time fix rate and SLA compliance', format: pctFmt, min: 0 })),
    el('div', { class: 'card' }, lineChart(labels, [series('utilisation', 'Utilisation', '#d97706')], { title: 'Technician utilisation', format: pctFmt, min: 0 })),
    el('div', { class: 'card' }, lineChart(labels, [series('avg_completion_h', 'Created → completed (h)', '#7c3aed')], { title: 'Average completion time (hours)', format: fmt(1), min: 0 })),
    el('div', { class: 'card' }, lineChart(labels, [series('avg_on_site_min', 'On site (min)', '#db2777'), series('travel_per_job_min', 'Travel per job (min)', '#0891b2')], { title: 'On-site time and travel per job (minutes)', format: fmt(0), min: 0 })),
  );
  const cols = [
    ['Period', (b) => (b.start === b.end ? b.start : `${b.start} → ${b.end}`)],
    ['Completed', (b) => b.completed],
    ['First-time fix', (b) => pctFmt(b.first_time_fix_rate)],
    ['Utilisation', (b) => pctFmt(b.utilisation)],
    ['Completion (h)', (b) => fmt(1)(b.avg_completion_h)],
    ['On site (min)', (b) => fmt(0)(b.avg_on_site_min)],
    ['SLA', (b) => pctFmt(b.sla_compliance)],
    ['Travel / job (min)', (b) => fmt(1)(b.travel_per_job_min)],
  ];
  const row = (b, tag = 'td') => el('tr', {}, cols.map(([, f]) => el(tag, {}, String(f(b)))));
  $('table').replaceChildren(el('table', { class: 'compare', id: 'dash-table' },
    el('thead', {}, el('tr', {}, cols.map(([h]) => el('th', {}, h)))),
    el('tbody', {}, d.buckets.map((b) => row(b)), row({ ...d.total, start: 'Whole period', end: 'Whole period' }, 'th'))));
  document.body.dataset.loaded = String(Date.now());
}

async function main() {
  const user = await currentUser();
  if (!user) { location.href = '/'; return; }
  $('user').textContent = `${user.name} (${user.role})`;
  $('logout').addEventListener('click', logout);
  $('to').value = addDays(today(), -1);
  $('from').value = addDays(today(), -28);
  $('controls').addEventListener('submit', load);
  await load();
}

main();
