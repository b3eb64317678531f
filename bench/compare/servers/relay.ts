/**
 * The floor: a WebSocket relay that rebroadcasts each frame's bytes to the other sockets of
 * the same path (room). No CRDT, no storage, no checks. No CRDT server can beat it.
 *
 *   node --import tsx bench/compare/servers/relay.ts   (prints "listening <port>")
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { statsRoute } from './stats.ts';

const rooms = new Map<string, Set<WebSocket>>();
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
const http = createServer(statsRoute(() => rooms.size));
http.on('upgrade', (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, (ws) => {
    const name = (req.url ?? '/').split('?')[0] as string;
    let room = rooms.get(name);
    if (!room) rooms.set(name, (room = new Set()));
    const members = room;
    members.add(ws);
    ws.on('message', (data, isBinary) => {
      for (const peer of members) if (peer !== ws) peer.send(data, { binary: isBinary });
    });
    ws.on('error', () => {});
    ws.on('close', () => {
      members.delete(ws);
      if (members.size === 0) rooms.delete(name);
    });
  });
});
http.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () =>
  console.log(`listening ${(http.address() as AddressInfo).port}`),
);
