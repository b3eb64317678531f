import type { IncomingMessage, ServerResponse } from 'node:http';

/** GET /bench/stats → {"open": <documents in memory>}: the harness waits on it for unloads. */
export function statsRoute(open: () => number) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (req.url === '/bench/stats') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ open: open() }));
      return;
    }
    res.writeHead(404);
    res.end();
  };
}
