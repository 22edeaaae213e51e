// The unassigned queue: cards for open work orders without a technician, filtered by text,
// priority, skill, due time and area.
import { el, hhmm, minutes } from '/assets/util.js';

const ids = ['f-text', 'f-priority', 'f-skill', 'f-due', 'f-area'];

/** Wires the filter inputs to call `onChange` (re-render) when they change. */
export function wireFilters(onChange) {
  for (const id of ids) document.getElementById(id).addEventListener('input', onChange);
}

function fillSelect(select, values) {
  const current = select.value;
  const first = select.options[0];
  select.replaceChildren(first, ...values.map((v) => el('option', { value: v }, v.replace('_', ' '))));
  if (values.includes(current)) select.value = current;
}

function skillsOf(job) {
  return (job.required_skills || []).map((s) => s.skill);
}

/** Whether a job passes the current filters. */
function passes(job) {
  const text = document.getElementById('f-text').value.trim().toLowerCase();
  const prio = document.getElementById('f-priority').value;
  const skill = document.getElementById('f-skill').value;
  const due = document.getElementById('f-due').value;
  const area = document.getElementById('f-area').value;
  if (prio && job.priority !== prio) return false;
  if (skill && !skillsOf(job).includes(skill)) return false;
  if (area && job.area !== area) return false;
  if (due && (!job.window_end || new Date(job.window_end).getUTCHours() + new Date(job.window_end).getUTCMinutes() / 60 > Number(due))) return false;
  if (text && !`${job.number} ${job.title} ${job.site_name} ${job.customer_name || ''}`.toLowerCase().includes(text)) return false;
  return true;
}

/** Renders the queue. */
export function renderQueue(list, jobs) {
  fillSelect(document.getElementById('f-skill'), [...new Set(jobs.flatMap(skillsOf))].sort());
  fillSelect(document.getElementById('f-area'), [...new Set(jobs.map((j) => j.area))].sort());
  const shown = jobs.filter(passes);
  document.getElementById('queue-count').textContent = shown.length === jobs.length ? String(jobs.length) : `${shown.length}/${jobs.length}`;
  if (!shown.length) {
    list.replaceChildren(el('li', { class: 'empty' }, jobs.length ? 'No work order matches the filters.' : 'Everything is planned.'));
    return;
  }
  list.replaceChildren(...shown.map((j) => el('li', {
    class: `job-card p-${j.priority}`,
    draggable: 'true',
    dataset: { workOrderId: j.id, duration: j.estimated_duration_min, number: j.number },
    title: j.description || j.title,
  },
  el('div', { class: 'row1' }, el('span', { class: 'num' }, j.number), el('span', { class: `badge prio-${j.priority}` }, j.priority)),
  el('div', { class: 'title' }, j.title),
  el('div', { class: 'meta' },
    el('span', {}, j.window_start ? `${hhmm(j.window_start)}–${hhmm(j.window_end)}` : 'no window'),
    el('span', {}, `${minutes(j.estimated_duration_min)} on site`),
    el('span', {}, j.area)),
  el('div', { class: 'meta' }, j.site_name))));
}
