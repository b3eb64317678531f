/// <reference types="vite/client" />
/**
 * Registers the service worker that keeps the app shell for offline use (client/sw/sw.js).
 * Only in the built app (the dev server has no sw.js), only in a secure context (https, or
 * localhost/127.0.0.1), and never on the embed page, which lives inside another system's frame.
 */
export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator) || !window.isSecureContext) return;
  const register = () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {
      // Without the worker the app works online as before; nothing to tell the person.
    });
  };
  if (document.readyState === 'complete') register();
  else window.addEventListener('load', register, { once: true });
}
