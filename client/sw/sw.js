/* CareHub service worker: the app shell, so the installed app opens without a network (issue 6).
 *
 * Built by client/build/service-worker-plugin.ts, which fills in the version and the list of
 * files of this build. It caches only the shell (index.html, hashed assets, icons, manifest):
 * never /api, /collab or /socket.io, so no patient data ever enters this cache. Patient data
 * kept offline lives in IndexedDB per plan and is deleted on sign-out.
 */
const VERSION = '__CAREHUB_VERSION__';
const PRECACHE = __CAREHUB_PRECACHE__;
const CACHE = `carehub-shell-${VERSION}`;
/** A navigation waits this long for the network before the cached page is shown. */
const NAVIGATION_TIMEOUT_MS = 4000;
const NEVER = /^\/(?:api|collab|socket\.io|embed|smart|healthz|readyz|metrics)(?:\/|$)/;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE.map((path) => new Request(path, { cache: 'reload' }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(names.filter((n) => n.startsWith('carehub-shell-') && n !== CACHE).map((n) => caches.delete(n))),
      )
      .then(() => self.clients.claim()),
  );
});

async function fromCache(request) {
  const cache = await caches.open(CACHE);
  return cache.match(request, { ignoreSearch: true });
}

/** The page: the network when it answers in time (a new version reaches the tablet), else the cached shell. */
async function navigation(request) {
  const cachedShell = () => fromCache('/index.html');
  try {
    const network = fetch(request);
    const timeout = new Promise((resolve) => setTimeout(resolve, NAVIGATION_TIMEOUT_MS, null));
    const response = await Promise.race([network, timeout]);
    if (response && response.ok) return response;
    const shell = await cachedShell();
    if (shell) return shell;
    return response ?? (await network);
  } catch {
    const shell = await cachedShell();
    if (shell) return shell;
    throw new Error('offline and no cached app shell');
  }
}

/** Hashed assets never change under one name: the cache first, the network for anything new. */
async function asset(request) {
  const cached = await fromCache(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && response.type === 'basic') {
    const copy = response.clone();
    caches.open(CACHE).then((cache) => cache.put(request, copy));
  }
  return response;
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || NEVER.test(url.pathname)) return;
  if (request.mode === 'navigate') {
    event.respondWith(navigation(request));
    return;
  }
  if (url.pathname.startsWith('/assets/') || PRECACHE.includes(url.pathname)) event.respondWith(asset(request));
});
