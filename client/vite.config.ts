import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { serviceWorkerPlugin } from './build/service-worker-plugin.ts';

const clientRoot = fileURLToPath(new URL('.', import.meta.url));
const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const backend = process.env.CAREHUB_DEV_BACKEND ?? 'http://localhost:8080';

export default defineConfig({
  root: clientRoot,
  base: '/',
  // The service worker (offline app shell) is written beside the build with its precache list.
  plugins: [react(), serviceWorkerPlugin(fileURLToPath(new URL('./sw/sw.js', import.meta.url)))],
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
