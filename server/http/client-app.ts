import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { Router } from 'express';
import { allowFraming } from './public-base.ts';

/**
 * The built client (client/dist), when there is one: the embed page, the static assets, and
 * the app's page for every other path outside the API, /collab and Socket.IO (the client
 * routes in the browser). Without a built client: an empty router, the hub serves the API only.
 */
export function clientApp(clientDist: string | undefined, embedAllowedOrigins: readonly string[]): Router {
  const router = Router();
  if (!clientDist || !existsSync(join(clientDist, 'index.html'))) return router;
  const page = join(clientDist, 'index.html');

  // The embed page alone may be framed, and only by the configured practice-system origins.
  router.get('/embed', (_req, res) => {
    allowFraming(res, embedAllowedOrigins);
    res.removeHeader('X-Frame-Options');
    res.setHeader('Cache-Control', 'no-store');
    res.sendFile(page);
  });
  router.use(
    express.static(clientDist, {
      index: 'index.html',
      maxAge: '1h',
      // The service worker, the page and the manifest are revalidated on every load, so a new
      // version of the client reaches the tablets; hashed assets keep their hour.
      setHeaders: (res, file) => {
        if (/(?:^|[\\/])(?:sw\.js|sw-sync\.js|index\.html|manifest\.webmanifest)$/.test(file))
          res.setHeader('Cache-Control', 'no-cache');
      },
    }),
  );
  router.get(/^\/(?!api\/|collab\/|socket\.io\/).*/, (_req, res) => res.sendFile(page));
  return router;
}
