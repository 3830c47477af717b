// Interleave's service worker: keeps one whole build in a cache, serves it offline with the
// headers that threads need (COOP/COEP), and moves to a new build only when the page agrees,
// so no page ever mixes two builds. The list below is written by www/precache.mjs at build time.
const PRECACHE = /* PRECACHE */ { version: 'unbuilt', files: [] };
const CACHE = `interleave-${PRECACHE.version}`;
const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(PRECACHE.files.map((f) => new Request(f.url, { cache: 'reload' })))),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith('interleave-') && key !== CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

// The page says when the learner accepted the new version.
self.addEventListener('message', (event) => {
  if (event.data === 'skip-waiting') self.skipWaiting();
});

// Threads need cross-origin isolation, also offline and on hosts that cannot set headers.
function isolated(response, status = response.status) {
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(ISOLATION)) headers.set(name, value);
  return new Response(response.body, status === response.status
    ? { status, statusText: response.statusText, headers }
    : { status, statusText: 'Not Found', headers });
}

function pageOf(path) {
  if (path.endsWith('.html')) return path;
  return path.endsWith('/') ? `${path}index.html` : `${path}/index.html`;
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    // An address is its page's file (`/lessons/x` is `/lessons/x/index.html`), else the 404 page,
    // answered as a static host answers it: with status 404.
    if (request.mode === 'navigate') {
      const page = await cache.match(pageOf(url.pathname));
      if (page) return isolated(page);
      const missing = await cache.match('/404.html');
      if (missing) return isolated(missing, 404);
    }
    const cached = request.mode === 'navigate' ? undefined : await cache.match(request, { ignoreSearch: true });
    if (cached) return isolated(cached);
    try {
      return isolated(await fetch(request));
    } catch (error) {
      return new Response('Offline, and this file is not part of the saved site.', { status: 503, headers: ISOLATION });
    }
  })());
});
