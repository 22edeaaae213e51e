// The offline outbox: changes made on the route page (stop statuses, service reports with
// photos) are kept in IndexedDB and sent in order when the device is online.

const DB = 'fieldpath-tech';
const STORE = 'outbox';

function open() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'seq', autoIncrement: true });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function tx(mode, fn) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const t = db.transaction(STORE, mode);
    const result = fn(t.objectStore(STORE));
    t.oncomplete = () => { db.close(); resolve(result && 'result' in result ? result.result : result); };
    t.onerror = () => { db.close(); reject(t.error); };
  });
}

/** Adds an item ({kind, ...}) with a client id (the server's idempotency key). */
export function enqueue(item) {
  const clientId = item.client_id || (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`);
  return tx('readwrite', (s) => s.add({ ...item, client_id: clientId, queued_at: new Date().toISOString() }));
}

/** Every queued item, oldest first. */
export function pending() {
  return tx('readonly', (s) => s.getAll());
}

function remove(seq) {
  return tx('readwrite', (s) => s.delete(seq));
}

let flushing = null;

/**
 * Sends queued items in order with `send(item)`. Stops at the first network failure (status 0
 * or 5xx: tried again later); an item the server refuses (4xx) is dropped and reported through
 * `onRejected(item, error)`. Returns the number of items sent.
 */
export function flush(send, onRejected) {
  if (flushing) return flushing;
  flushing = (async () => {
    let sent = 0;
    try {
      for (const item of await pending()) {
        try {
          await send(item);
          sent++;
        } catch (e) {
          if (e.status === 0 || e.status >= 500 || e.status === 429 || e.status === undefined) break;
          onRejected(item, e);
        }
        await remove(item.seq);
      }
    } finally {
      flushing = null;
    }
    return sent;
  })();
  return flushing;
}
