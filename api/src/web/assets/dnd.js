// Drag and drop on the board (HTML5 drag events): queue cards and Gantt bars can be dropped
// on a technician's track at a time (snapped), and bars can be dropped back on the queue.
import { timeAt, pct } from '/assets/gantt.js';
import { el } from '/assets/util.js';

const TYPE = 'application/x-fieldpath-job';
let dragging = null;

/**
 * Wires drag and drop under `root`. getFrame() gives the current Gantt frame; onDrop({work_order_id,
 * assignment_id, version, technician_id, start}) and onUnassign({assignment_id, version}) act.
 */
export function wireDnd(root, { getFrame, onDrop, onUnassign }) {
  const ghost = el('div', { class: 'g-ghost' });

  root.addEventListener('dragstart', (ev) => {
    const src = ev.target.closest('.job-card, .g-bar');
    if (!src) return;
    const rect = src.getBoundingClientRect();
    dragging = {
      work_order_id: src.dataset.workOrderId,
      assignment_id: src.dataset.assignmentId || null,
      version: src.dataset.version ? Number(src.dataset.version) : null,
      duration: Number(src.dataset.duration) || 60,
      // A bar keeps the point where it was grabbed under the pointer; a card drops its start there.
      grabOffset: src.classList.contains('g-bar') ? ev.clientX - rect.left : 0,
    };
    src.classList.add('dragging');
    ev.dataTransfer.effectAllowed = 'move';
    ev.dataTransfer.setData(TYPE, JSON.stringify(dragging));
    ev.dataTransfer.setData('text/plain', src.dataset.number || '');
  });

  root.addEventListener('dragend', (ev) => {
    const src = ev.target.closest('.job-card, .g-bar');
    if (src) src.classList.remove('dragging');
    ghost.remove();
    root.querySelectorAll('.drop-hover').forEach((n) => n.classList.remove('drop-hover'));
    dragging = null;
  });

  const snapMin = () => (getFrame().days > 1 ? 30 : 5);
  const startAt = (track, clientX) => {
    const rect = track.getBoundingClientRect();
    const x = clientX - rect.left - (dragging ? dragging.grabOffset : 0);
    return timeAt(getFrame(), (x / rect.width) * 100, snapMin());
  };

  root.addEventListener('dragover', (ev) => {
    if (!dragging) return;
    const track = ev.target.closest('[data-drop="track"]');
    const queue = ev.target.closest('[data-drop="queue"]');
    root.querySelectorAll('.drop-hover').forEach((n) => n !== track && n !== queue && n.classList.remove('drop-hover'));
    if (track) {
      ev.preventDefault();
      ev.dataTransfer.dropEffect = 'move';
      track.classList.add('drop-hover');
      const start = startAt(track, ev.clientX);
      const frame = getFrame();
      const l = pct(frame, start.getTime());
      const r = pct(frame, start.getTime() + dragging.duration * 60000);
      ghost.style.left = l + '%';
      ghost.style.width = Math.max(r - l, 0.3) + '%';
      if (ghost.parentNode !== track) track.append(ghost);
    } else if (queue && dragging.assignment_id) {
      ev.preventDefault();
      queue.classList.add('drop-hover');
      ghost.remove();
    }
  });

  root.addEventListener('drop', (ev) => {
    if (!dragging) return;
    const info = dragging;
    const track = ev.target.closest('[data-drop="track"]');
    const queue = ev.target.closest('[data-drop="queue"]');
    ev.preventDefault();
    ghost.remove();
    if (track) {
      onDrop({
        work_order_id: info.work_order_id,
        assignment_id: info.assignment_id,
        version: info.version,
        technician_id: track.dataset.technicianId,
        start: startAt(track, ev.clientX).toISOString(),
      });
    } else if (queue && info.assignment_id) {
      onUnassign({ assignment_id: info.assignment_id, version: info.version });
    }
  });
}
