// The collision notice of a ticket page: a heartbeat (POST /api/v1/tickets/{id}/presence every
// 10 s, "viewing" or "replying") answers who else is on the ticket; `ticket.presence` events on
// the live stream make the page ask again at once. Leaving the page removes the entry.
import { api } from '/assets/api.js';

const BEAT_MS = 10000;

/**
 * Starts presence for a ticket; `onOthers(items)` gets the other people on it
 * ([{user_id, name, state, seen_at}]). Returns {setState, stop}; does nothing when the server
 * has no presence endpoint (404).
 */
export function startPresence(ticketId, onOthers) {
  const url = `/api/v1/tickets/${ticketId}/presence`;
  let state = 'viewing';
  let timer = null;
  let source = null;
  let disabled = false;

  async function send(method, body) {
    if (disabled) return;
    try {
      const r = await api(method, url, body);
      onOthers(r.items || []);
    } catch (e) {
      if (e.status === 404 || e.status === 405 || e.status === 403) {
        disabled = true;
        stop();
        onOthers([]);
      }
    }
  }
  const beat = () => send('POST', { state });

  function stop() {
    clearInterval(timer);
    source?.close();
  }

  timer = setInterval(beat, BEAT_MS);
  beat();
  source = new EventSource('/api/v1/events', { withCredentials: true });
  source.addEventListener('ticket.presence', (ev) => {
    try {
      if (JSON.parse(ev.data).ticket_id === ticketId) send('GET');
    } catch { /* ignore malformed events */ }
  });
  source.addEventListener('resync', () => send('GET'));
  window.addEventListener('pagehide', () => {
    // keepalive lets the request outlive the page.
    fetch(url, { method: 'DELETE', credentials: 'same-origin', keepalive: true }).catch(() => {});
  });
  document.addEventListener('visibilitychange', () => { if (!document.hidden) beat(); });

  return {
    /** `viewing` or `replying`; a change is sent at once. */
    setState(next) {
      if (next === state) return;
      state = next;
      beat();
    },
    stop,
    /** The live stream, for other events of the page. */
    events: source,
  };
}

/** The notice text: "Alex is replying · Bea is viewing", or '' when alone. */
export function collisionText(others) {
  const by = (s) => others.filter((o) => o.state === s).map((o) => o.name);
  const part = (names, verb) => {
    if (!names.length) return null;
    const who = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
    return `${who} ${names.length === 1 ? 'is' : 'are'} ${verb}`;
  };
  return [part(by('replying'), 'replying'), part(by('viewing'), 'viewing')].filter(Boolean).join(' · ');
}
