// Live updates: the organisation's Server-Sent Events (GET /api/v1/events). EventSource
// reconnects by itself; `onState(true|false)` tells whether the stream is open.

/** Opens the stream; `onEvent(kind, data)` gets every event. Returns the EventSource. */
export function connectLive(onEvent, onState) {
  const source = new EventSource('/api/v1/events', { withCredentials: true });
  const kinds = ['ready', 'resync', 'assignment.changed', 'work_order.changed', 'service_report.changed',
    'attachment.changed', 'stop.status', 'position', 'plan.committed', 'technician.changed'];
  for (const kind of kinds) {
    source.addEventListener(kind, (ev) => {
      let data = {};
      try { data = JSON.parse(ev.data); } catch { /* keep {} */ }
      onEvent(kind, data);
    });
  }
  source.addEventListener('open', () => onState(true));
  source.addEventListener('error', () => onState(source.readyState === EventSource.OPEN));
  return source;
}
