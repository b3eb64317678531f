import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';

const clientRoot = fileURLToPath(new URL('.', import.meta.url));
const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const backend = process.env.CAREHUB_DEV_BACKEND ?? 'http://localhost:8080';

/** Paths the service worker never answers for: the API, live connections, the pages inside a practice system. */
const NOT_THE_APP = /^\/(?:api|collab|socket\.io|embed|smart|healthz|readyz|metrics)(?:\/|$)/;

export default defineConfig({
  root: clientRoot,
  base: '/',
  plugins: [
    react(),
    // The service worker (issue 16): Workbox precaches the app shell (page, every emitted script
    // and style including the lazily loaded pages, icons, manifest; no source maps) and serves
    // the page for navigations offline. A new version waits until the app asks it to take over
    // (offline/register-sw.ts: only when no change waits to be sent). client/public/sw-sync.js
    // adds Background Sync. The app's own manifest.webmanifest is kept as it is.
    VitePWA({
      strategies: 'generateSW',
      registerType: 'prompt',
      injectRegister: false,
      manifest: false,
      filename: 'sw.js',
      workbox: {
        cacheId: 'carehub-shell',
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        globIgnores: ['sw-sync.js'],
        navigateFallback: '/index.html',
        navigateFallbackDenylist: [NOT_THE_APP],
        cleanupOutdatedCaches: true,
        clientsClaim: true,
        skipWaiting: false,
        inlineWorkboxRuntime: true,
        sourcemap: false,
        importScripts: ['/sw-sync.js'],
        // The plan page chunk is ~610 kB before gzip: well under this.
        maximumFileSizeToCacheInBytes: 3 * 1024 * 1024,
        // No runtime caching: answers from /api, /collab and Socket.IO never enter a cache.
        runtimeCaching: [],
      },
    }),
  ],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // The plan page chunk (ProseMirror, Tiptap, Yjs, Socket.IO client) is ~610 kB before gzip
    // (~190 kB gzipped); it is loaded lazily, only when a plan is opened.
    chunkSizeWarningLimit: 700,
  },
  server: {
    // The client imports the project's shared/ folder, which lies outside client/.
    fs: { allow: [projectRoot] },
    proxy: {
      '/api': { target: backend, changeOrigin: true },
      '/collab': { target: backend, ws: true, changeOrigin: true },
      '/socket.io': { target: backend, ws: true, changeOrigin: true },
      // SMART App Launch: the launch and its callback are the hub's (the launched page is the app's).
      '/smart/launch': { target: backend, changeOrigin: false },
      '/smart/callback': { target: backend, changeOrigin: false },
    },
  },
});
