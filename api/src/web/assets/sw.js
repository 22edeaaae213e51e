// Service worker of the technician page: keeps the page, its assets and the day's route
// JSON available offline (network first, cache as fallback). Changes (POST) are not
// intercepted: the page queues them in IndexedDB when the network is down.
const CACHE = 'fieldpath-tech-v1';
const SHELL = [
  '/tech',
  '/assets/app.css', '/assets/tech.css', '/assets/api.js', '/assets/util.js', '/assets/tech.js',
  '/assets/stops.js', '/assets/outbox.js', '/assets/signature.js', '/assets/report.js',
  '/assets/map.js', '/assets/icon.svg', '/assets/manifest.webmanifest',
];
const CACHED_API = ['/api/v1/board/my-route', '/api/v1/me', '/api/v1/board/roads'];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (e) {
    const hit = await cache.match(request, { ignoreVary: true });
    if (hit) return hit;
    throw e;
  }
}

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  const page = url.pathname === '/tech' || url.pathname.startsWith('/assets/');
  const api = CACHED_API.some((p) => url.pathname === p);
  if (page || api) event.respondWith(networkFirst(event.request));
});
