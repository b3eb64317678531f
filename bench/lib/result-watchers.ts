/**
 * Child process of bench/results-latency.ts: N Socket.IO clients watching one plan. Records,
 * for every `result:filed`, the wall-clock receive time, and reports them on 'report'.
 */
import { writeFileSync } from 'node:fs';
import { io, type Socket } from 'socket.io-client';

const [url, token, planId, countArg, reportFile] = process.argv.slice(2) as [string, string, string, string, string];
const count = Number(countArg);
const now = () => performance.timeOrigin + performance.now();
const received: [string, number][] = [];
const sockets: Socket[] = [];

for (let i = 0; i < count; i++) {
  const s = io(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  s.on('result:filed', (msg: { result: { id: string } }) => received.push([msg.result.id, now()]));
  sockets.push(s);
}
await Promise.all(
  sockets.map(
    (s) =>
      new Promise<void>((resolve, reject) => {
        s.once('connect', () => resolve());
        s.once('connect_error', reject);
      }),
  ),
);
await Promise.all(sockets.map((s) => s.emitWithAck('plan:watch', { planId })));
process.send!({ type: 'ready' });
process.on('message', (m: { type: string }) => {
  if (m.type !== 'report') return;
  // Through a file: 200 watchers × 1,000 results is too much for one IPC message to arrive whole.
  writeFileSync(reportFile, JSON.stringify(received));
  process.send!({ type: 'report' });
  for (const s of sockets) s.close();
  setTimeout(() => process.exit(0), 100);
});
