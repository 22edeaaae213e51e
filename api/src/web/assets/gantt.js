// The Gantt chart: one row per technician, a UTC time axis (a day, or a week of days), shift
// bounds and breaks shaded, travel drawn as its own segment before each visit, overbooked
// rows flagged. Pure rendering: events go to the handlers given by the board.
import { el, hhmm, minutes, STATUS_COLOURS, statusLabel, lockIcon } from '/assets/util.js';

const DAY_MS = 86400000;

/** The visible time frame: `days` days from `from`, each shown from startMin to endMin. */
export function makeFrame(data) {
  let startMin = 6 * 60;
  let endMin = 20 * 60;
  for (const t of data.technicians) {
    for (const s of t.shifts) {
      if (!s.shift) continue;
      startMin = Math.min(startMin, minuteOfDay(s.shift.start) - 60);
      endMin = Math.max(endMin, minuteOfDay(s.shift.end) + 60);
    }
  }
  for (const a of data.assignments) {
    startMin = Math.min(startMin, minuteOfDay(a.planned_start) - 30);
    endMin = Math.max(endMin, minuteOfDay(a.planned_end) + 30);
  }
  startMin = Math.max(0, Math.floor(startMin / 60) * 60);
  endMin = Math.min(24 * 60, Math.ceil(endMin / 60) * 60);
  return { from: Date.parse(data.date + 'T00:00:00Z'), days: data.days, startMin, endMin };
}

function minuteOfDay(ts) {
  const d = new Date(ts);
  return d.getUTCHours() * 60 + d.getUTCMinutes();
}

/** Percent across the track of a time (clamped to the frame). */
export function pct(frame, ts) {
  const t = typeof ts === 'number' ? ts : Date.parse(ts);
  const day = Math.floor((t - frame.from) / DAY_MS);
  const clampedDay = Math.min(Math.max(day, 0), frame.days - 1);
  const minute = (t - frame.from - clampedDay * DAY_MS) / 60000;
  const span = frame.endMin - frame.startMin;
  let within = (minute - frame.startMin) / span;
  within = Math.min(Math.max(within, 0), 1);
  if (day < 0) within = 0;
  if (day >= frame.days) within = 1;
  return ((clampedDay + within) / frame.days) * 100;
}

/** The time at a percent across the track, snapped to `snapMin` minutes. */
export function timeAt(frame, percent, snapMin) {
  const x = Math.min(Math.max(percent / 100, 0), 0.99999) * frame.days;
  const day = Math.floor(x);
  const minute = frame.startMin + (x - day) * (frame.endMin - frame.startMin);
  const snapped = Math.round(minute / snapMin) * snapMin;
  return new Date(frame.from + day * DAY_MS + snapped * 60000);
}

function axis(frame) {
  const ticks = [];
  // A week shows one label per day; a day one per hour.
  const stepH = frame.days > 1 ? 24 : 1;
  for (let d = 0; d < frame.days; d++) {
    for (let m = frame.startMin; m < frame.endMin; m += stepH * 60) {
      const t = frame.from + d * DAY_MS + m * 60000;
      const first = m === frame.startMin;
      const label = frame.days > 1 && first
        ? new Date(t).toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', timeZone: 'UTC' })
        : hhmm(t);
      ticks.push(el('div', { class: `g-tick${first && frame.days > 1 ? ' day' : ''}`, style: { left: pct(frame, t) + '%' } }, label));
    }
  }
  return el('div', { class: 'g-axis' }, ticks);
}

function offShift(frame, tech) {
  const parts = [];
  for (let d = 0; d < frame.days; d++) {
    const dayStart = frame.from + d * DAY_MS + frame.startMin * 60000;
    const dayEnd = frame.from + d * DAY_MS + frame.endMin * 60000;
    const s = tech.shifts[d] && tech.shifts[d].shift;
    const shade = (a, b) => {
      if (b <= a) return;
      const l = pct(frame, a);
      const r = pct(frame, Math.min(b, dayEnd - 1));
      parts.push(el('div', { class: 'g-off', style: { left: l + '%', width: Math.max(r - l, 0) + '%' } }));
    };
    if (!s) { shade(dayStart, dayEnd); continue; }
    shade(dayStart, Date.parse(s.start));
    shade(Date.parse(s.end), dayEnd);
    for (const b of s.breaks || []) shade(Date.parse(b.start), Date.parse(b.end));
  }
  return parts;
}

function bar(frame, a, handlers) {
  const job = a.job;
  const left = pct(frame, a.planned_start);
  const width = Math.max(pct(frame, a.planned_end) - left, 0.25);
  const parts = [];
  const travelS = (a.travel_before && a.travel_before.seconds) || 0;
  if (travelS > 30) {
    const tl = pct(frame, Date.parse(a.planned_start) - travelS * 1000);
    const est = a.travel_before.estimator !== 'road_graph';
    parts.push(el('div', {
      class: `g-travel${est ? ' est' : ''}`,
      style: { left: tl + '%', width: Math.max(left - tl, 0.1) + '%' },
      title: `Travel ${minutes(travelS / 60)}, ${(a.travel_before.meters / 1000).toFixed(1)} km${est ? ' (straight-line estimate)' : ''}`,
    }));
  }
  const week = frame.days > 1;
  const b = el('div', {
    class: `g-bar${a.locked ? ' locked' : ''}`,
    draggable: a.locked ? 'false' : 'true',
    dataset: { assignmentId: a.id, workOrderId: a.work_order_id, version: a.version, duration: job.estimated_duration_min, number: job.number },
    style: { left: left + '%', width: width + '%', background: STATUS_COLOURS[job.status] || '#3b82f6' },
    title: `${job.number} ${job.title}\n${hhmm(a.planned_start)}–${hhmm(a.planned_end)} · ${job.site_name}\n${statusLabel(job.status)} · ${job.priority}${a.locked ? ' · locked' : ''}`,
    onclick: () => handlers.onBarClick(a),
  },
  a.locked ? lockIcon() : null,
  el('span', { class: 'b-num' }, week ? job.number.replace('WO-', '') : job.number),
  week ? null : el('br'),
  week ? null : el('span', { class: 'b-title' }, job.title));
  parts.push(b);
  return parts;
}

/** Renders the chart into `root`. handlers: onBarClick(assignment). */
export function renderGantt(root, data, frame, handlers) {
  const rows = [el('div', { class: 'g-head' }, el('div', { class: 'g-name' }, `${data.technicians.length} technicians`), axis(frame))];
  const byTech = new Map();
  for (const a of data.assignments) {
    if (!byTech.has(a.technician_id)) byTech.set(a.technician_id, []);
    byTech.get(a.technician_id).push(a);
  }
  const gridLines = [];
  for (let d = 0; d < frame.days; d++) {
    for (let m = frame.startMin; m < frame.endMin; m += frame.days > 1 ? 360 : 60) {
      gridLines.push(frame.from + d * DAY_MS + m * 60000);
    }
  }
  for (const t of data.technicians) {
    const mine = byTech.get(t.id) || [];
    const workMin = mine.reduce((s, a) => s + (Date.parse(a.planned_end) - Date.parse(a.planned_start)) / 60000, 0);
    const travelMin = mine.reduce((s, a) => s + ((a.travel_before && a.travel_before.seconds) || 0) / 60, 0);
    const skills = (t.skills || []).map((s) => s.skill.replace('_', ' ')).join(', ');
    const name = el('div', { class: 'g-name' },
      el('div', { class: 'tname' }, t.name, t.overbooked ? el('span', { class: 'flag', title: t.overbooked_reasons.join('\n') }, 'Overbooked') : null),
      el('div', { class: 'tmeta', title: skills }, `${mine.length} jobs · ${minutes(workMin)} work · ${minutes(travelMin)} travel`));
    const track = el('div', { class: 'g-track', dataset: { technicianId: t.id, drop: 'track' } },
      gridLines.map((g) => el('div', { class: 'g-grid', style: { left: pct(frame, g) + '%' } })),
      offShift(frame, t),
      mine.map((a) => bar(frame, a, handlers)));
    rows.push(el('div', { class: `g-row${t.overbooked ? ' overbooked' : ''}`, dataset: { technicianId: t.id, name: t.name } }, name, track));
  }
  if (!data.technicians.length) rows.push(el('div', { class: 'empty' }, 'No active technicians.'));
  root.replaceChildren(...rows);
}
