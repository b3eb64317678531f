/**
 * Hocuspocus v4 (@hocuspocus/server) with its defaults (storage debounced 2 s, at most 10 s),
 * in memory or with @hocuspocus/extension-sqlite on a file (BENCH_SQLITE=<file>).
 *
 *   node --import tsx bench/compare/servers/hocuspocus.ts   (prints "listening <port>")
 */
import type { AddressInfo } from 'node:net';
import { Server } from '@hocuspocus/server';
import { SQLite } from '@hocuspocus/extension-sqlite';

const file = process.env.BENCH_SQLITE;
const server = new Server({
  port: Number(process.env.PORT ?? 0),
  address: '127.0.0.1',
  quiet: true,
  stopOnSignals: true,
  extensions: file ? [new SQLite({ database: file })] : [],
  async onRequest({ request, response }) {
    if (request.url === '/bench/stats') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ open: server.hocuspocus.documents.size }));
      // Hocuspocus's hook chain stops when a hook rejects with nothing.
      throw null;
    }
  },
});
await server.listen();
console.log(`listening ${(server.httpServer.address() as AddressInfo).port}`);
