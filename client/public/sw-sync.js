/* CareHub service worker, the part Workbox does not write (issue 16). Workbox's generated sw.js
 * (vite-plugin-pwa, client/vite.config.ts) precaches the app shell and takes a new version
 * only when the page asks (SKIP_WAITING); it imports this file for:
 *
 * - Background Sync: the app registers the `carehub-send-waiting` tag while changes wait and the
 *   tablet is offline. When the browser fires it (the network is back, the app perhaps in the
 *   background), every open window of the app is asked to send (over its own WebSocket, with
 *   the signed-in session it holds) and answers with how many changes still wait; a non-zero
 *   answer fails the sync event so the browser tries again later. With no window open nothing
 *   can be sent from here (the session and the live connection live in the page): the app sends
 *   on its next open.
 * - Removing the caches of the hand-written worker this replaced (`carehub-shell-<version>`).
 *
 * Nothing here caches anything: patient data never enters a cache.
 */
const SEND_TAG = 'carehub-send-waiting';
const ANSWER_TIMEOUT_MS = 60000;

function askWindowToSend(client) {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => resolve(null), ANSWER_TIMEOUT_MS);
    channel.port1.onmessage = (event) => {
      clearTimeout(timer);
      resolve(event.data && typeof event.data.waiting === 'number' ? event.data.waiting : null);
    };
    client.postMessage({ type: 'carehub:send-waiting' }, [channel.port2]);
  });
}

async function sendWaiting() {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  if (windows.length === 0) return;
  const answers = await Promise.all(windows.map(askWindowToSend));
  if (answers.some((waiting) => waiting === null || waiting > 0)) throw new Error('changes still wait to be sent');
}

self.addEventListener('sync', (event) => {
  if (event.tag === SEND_TAG) event.waitUntil(sendWaiting());
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(names.filter((n) => /^carehub-shell-[0-9a-f]{16}$/.test(n)).map((n) => caches.delete(n))),
      ),
  );
});
