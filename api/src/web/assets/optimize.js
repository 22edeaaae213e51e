// "Optimize day": runs the planner (POST /api/v1/schedule/optimize, asynchronous jobs with
// progress when the server answers 202), then shows the proposal as a diff against the current
// plan — moved, added, still unassigned with reasons — to accept (commit) or discard.
import { api } from '/assets/api.js';
import { el, hhmm } from '/assets/util.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function list(value) {
  return Array.isArray(value) ? value : [];
}

/** The plan's diff: `assignments` tagged add/move/keep (the planner's shape), or ready lists. */
function diffOf(plan) {
  const d = plan.diff || plan.proposal || plan;
  if (Array.isArray(d.assignments)) {
    const tagged = (c) => d.assignments.filter((a) => a.change === c).map((a) => ({
      ...a, from_technician_id: a.previous && a.previous.technician_id,
    }));
    return { moved: tagged('move'), added: tagged('add'), unassigned: list(d.unassigned), kept: tagged('keep').length + list(d.kept).length };
  }
  return { moved: list(d.moved), added: list(d.added), unassigned: list(d.unassigned), kept: 0 };
}

function reasonText(r) {
  if (!r) return 'no feasible slot';
  if (typeof r === 'string') return r;
  return r.message || r.code || 'no feasible slot';
}

function planId(plan) {
  return plan.plan_id || plan.id || (plan.plan && plan.plan.id);
}

function describe(item, jobs, techs) {
  const wo = item.work_order_id || item.job_id || item.id;
  const job = jobs.get(wo);
  const label = item.number || (job && job.number) || String(wo || '').slice(0, 8);
  const title = item.title || (job && job.title) || '';
  const techName = (id) => (techs.get(id) || {}).name || '';
  const to = item.technician || techName(item.technician_id || item.to_technician_id || (item.to && item.to.technician_id));
  const from = techName(item.from_technician_id || (item.from && item.from.technician_id));
  const start = item.planned_start || (item.to && item.to.planned_start);
  return { label, title, to, from, start };
}

/** Runs the optimiser for `date` in `dialog`; calls `onCommitted()` after accept. */
export async function optimizeDay(dialog, date, data, onCommitted) {
  const jobs = new Map([...data.unassigned, ...data.assignments.map((a) => a.job)].map((j) => [j.id, j]));
  const techs = new Map(data.technicians.map((t) => [t.id, t]));
  const bar = el('progress', { max: 100 });
  const status = el('p', { class: 'muted' }, 'Starting the planner…');
  const cancel = el('button', { class: 'btn', onclick: () => { cancelled = true; dialog.close(); } }, 'Cancel');
  let cancelled = false;
  dialog.replaceChildren(el('div', { class: 'dialog-body' }, el('h2', {}, `Optimize ${date}`), status, bar), el('div', { class: 'dialog-actions' }, cancel));
  dialog.showModal();
  let plan;
  const started = Date.now();
  const timer = setInterval(() => {
    status.textContent = `Planning ${data.unassigned.length} open jobs for ${data.technicians.length} technicians… ${Math.round((Date.now() - started) / 1000)} s`;
  }, 250);
  const next = new Date(Date.parse(date + 'T00:00:00Z') + 86400000).toISOString();
  try {
    const { data: first, res } = await api('POST', '/api/v1/schedule/optimize', { from: date + 'T00:00:00Z', to: next, options: { seconds: 5 } }, { withResponse: true });
    plan = first;
    let poll = res.status === 202 ? (res.headers.get('Location') || (first.job_id && `/api/v1/optimize/jobs/${first.job_id}`)) : null;
    while (poll && !cancelled) {
      const job = await api('GET', poll);
      const p = job.progress;
      const fraction = typeof p === 'number' ? p : (p && (p.fraction ?? p.percent / 100));
      if (typeof fraction === 'number') bar.value = Math.round(Math.min(fraction <= 1 ? fraction * 100 : fraction, 100));
      status.textContent = `Planning… ${job.status || ''} ${p && p.unassigned !== undefined ? `· ${p.unassigned} unassigned` : ''}`;
      if (['done', 'completed', 'finished', 'succeeded'].includes(job.status) || job.plan || job.result) {
        plan = job.plan || job.result || job;
        poll = job.plan_url || null;
        if (poll) { plan = await api('GET', poll); poll = null; }
        break;
      }
      if (['failed', 'cancelled', 'error'].includes(job.status)) throw new Error(job.error || `planner ${job.status}`);
      await sleep(400);
    }
  } catch (e) {
    clearInterval(timer);
    if (cancelled) return;
    status.textContent = e.status === 404 ? 'The planner is not available on this server yet.' : `Planning failed: ${e.message}`;
    status.className = 'error';
    bar.remove();
    return;
  }
  clearInterval(timer);
  if (cancelled) return;
  bar.value = 100;
  const diff = diffOf(plan);
  const id = planId(plan);
  const rows = [
    ...diff.added.map((i) => ['added', i]),
    ...diff.moved.map((i) => ['moved', i]),
    ...diff.unassigned.map((i) => ['unassigned', i]),
  ].map(([kind, item]) => {
    const d = describe(item, jobs, techs);
    const text = kind === 'unassigned'
      ? `${d.label} ${d.title} — still unassigned: ${reasonText(item.reason || item.reasons)}`
      : kind === 'moved'
        ? `${d.label} ${d.title} — ${d.from ? d.from + ' → ' : ''}${d.to}${d.start ? ' at ' + hhmm(d.start) : ''}`
        : `${d.label} ${d.title} — ${d.to}${d.start ? ' at ' + hhmm(d.start) : ''}`;
    return el('li', { class: `diff-${kind}` }, text);
  });
  const accept = el('button', { class: 'btn btn-primary', id: 'accept-plan' }, 'Accept plan');
  const discard = el('button', { class: 'btn', id: 'discard-plan' }, 'Discard');
  accept.addEventListener('click', async () => {
    accept.disabled = true;
    try {
      await api('POST', `/api/v1/schedule/plans/${id}/commit`, {});
      dialog.close();
      onCommitted(diff);
    } catch (e) {
      status.textContent = e.isConflict ? 'The plan changed meanwhile; run the optimizer again.' : e.message;
      status.className = 'error';
      accept.disabled = false;
    }
  });
  discard.addEventListener('click', async () => {
    try { await api('DELETE', `/api/v1/schedule/plans/${id}`); } catch { /* gone already */ }
    dialog.close();
  });
  status.textContent = 'Proposed changes against the current plan:';
  status.className = 'muted';
  dialog.replaceChildren(el('div', { class: 'dialog-body' },
    el('h2', {}, `Proposal for ${date}`),
    el('div', { class: 'diff-summary' },
      el('span', { class: 'badge', style: { background: '#d1fae5', color: '#065f46' } }, `${diff.added.length} added`),
      el('span', { class: 'badge', style: { background: '#dbeafe', color: '#1e40af' } }, `${diff.moved.length} moved`),
      el('span', { class: 'badge', style: { background: '#fee2e2', color: '#991b1b' } }, `${diff.unassigned.length} still unassigned`)),
    status,
    diff.kept ? el('p', { class: 'muted small' }, `${diff.kept} visits stay as they are (unchanged or locked).`) : null,
    rows.length ? el('ul', { class: 'diff-list' }, rows) : el('p', { class: 'ok-note' }, 'The current plan is already the best found.')),
  el('div', { class: 'dialog-actions' }, discard, accept));
}
