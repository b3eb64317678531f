/**
 * The y-websocket reference server (@y/websocket-server 0.1.1) as its own bin runs it:
 * setupWSConnection per socket, documents in memory (no YPERSISTENCE), room = URL path.
 *
 *   node --import tsx bench/compare/servers/y-websocket.ts   (prints "listening <port>")
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { docs, setupWSConnection } from '@y/websocket-server/utils';
import { statsRoute } from './stats.ts';

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
const http = createServer(statsRoute(() => (docs as Map<string, unknown>).size));
http.on('upgrade', (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, (ws) => (setupWSConnection as (ws: unknown, req: unknown) => void)(ws, req));
});
http.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () =>
  console.log(`listening ${(http.address() as AddressInfo).port}`),
);
