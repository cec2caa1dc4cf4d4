// The service worker: the page works offline once loaded. Every same-origin GET is answered from the cache when it
// holds it, else from the network and then kept. Bundle files are fetched with their sha256 in the URL, so a
// kept copy never goes stale; the page itself and manifest.json go to the network first (a new build or bundle is
// seen at once) and fall back to the cache when the network is gone.
const CACHE = 'kard-web-v1';

// The few service-worker types used here (TypeScript's WebWorker lib cannot sit beside the DOM lib the page needs).
interface ExtendableEvent extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  request: Request;
  respondWith(r: Promise<Response>): void;
}
interface ServiceWorkerScope {
  location: Location;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  addEventListener(type: 'install' | 'activate', listener: (e: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (e: FetchEvent) => void): void;
}
const sw = self as unknown as ServiceWorkerScope;

/** The page itself, cached on install: it was fetched before this worker existed, so no fetch below saw it. */
const SHELL = [
  './',
  'index.html',
  'style.css',
  'main.js',
  'worker.js',
  'wasm/tfjs-backend-wasm.wasm',
  'wasm/tfjs-backend-wasm-simd.wasm',
  'wasm/tfjs-backend-wasm-threaded-simd.wasm',
];

sw.addEventListener('install', (e) =>
  e.waitUntil(
    caches
      .open(CACHE)
      .then((c) => c.addAll(SHELL))
      .then(() => sw.skipWaiting()),
  ),
);
sw.addEventListener('activate', (e) => e.waitUntil(sw.clients.claim()));

const networkFirst = (url: URL) =>
  url.pathname.endsWith('/') || url.pathname.endsWith('.html') || url.pathname.endsWith('manifest.json');

sw.addEventListener('fetch', (e) => {
  const req = e.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== sw.location.origin) return;
  e.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      if (networkFirst(url)) {
        try {
          const res = await fetch(req, { cache: 'no-cache' });
          if (res.ok) await cache.put(req, res.clone());
          return res;
        } catch (err) {
          const kept = await cache.match(req, { ignoreSearch: true });
          if (kept) return kept;
          throw err;
        }
      }
      const kept = await cache.match(req);
      if (kept) return kept;
      const res = await fetch(req);
      if (res.ok) await cache.put(req, res.clone());
      return res;
    })(),
  );
});
