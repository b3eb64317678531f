import { AccessControl } from '../../server/auth/access.ts';
import { PlanRoom } from '../../server/collab/plan-room.ts';
import { startHub } from '../../tests/fixtures/server.ts';
import { WireClient } from '../compare/lib/wire.ts';

const marks: [string, number][] = [];
const mark = (n: string) => marks.push([n, performance.now()]);
function wrap(proto: Record<string, unknown>, name: string) {
  const f = proto[name] as (...a: unknown[]) => unknown;
  proto[name] = function (this: unknown, ...a: unknown[]) {
    mark(`${name}>`);
    const r = f.apply(this, a);
    if (r instanceof Promise) return r.then((v) => (mark(`${name}<`), v));
    mark(`${name}<`);
    return r;
  };
}
wrap(AccessControl.prototype as never, 'authenticate');
wrap(AccessControl.prototype as never, 'planAccess');
wrap(PlanRoom as never, 'load');
wrap(PlanRoom.prototype as never, 'join');
wrap(PlanRoom.prototype as never, 'handleSyncStep1');
const hub = await startHub({ env: { SQLITE_SYNCHRONOUS: 'FULL', LOG_LEVEL: 'silent' } });
const token = await hub.token('hanne');
const planId = await hub.planOf('Carl Jensen');
const ep = { url: `${hub.wsUrl}/collab/${planId}?token=${token}`, framing: 'y-websocket' as const, doc: planId };
hub.server.rooms.get(planId);
(await import('node:http')).Server;
const srv = (hub.server as unknown as { http?: import('node:http').Server }).http;
void srv;
for (let s = 0; s < 12; s++) {
  while (hub.server.rooms.get(planId)) await new Promise((r) => setTimeout(r, 20));
  marks.length = 0;
  const c = new WireClient(ep);
  const t0 = performance.now();
  const ws = c.open();
  await ws;
  const t1 = c.syncedAt;
  if (s >= 8)
    console.log(
      `total ${(t1 - t0).toFixed(2)} ms: ` + marks.map(([n, t]) => `${n} ${(t - t0).toFixed(2)}`).join(', '),
    );
  c.close();
}
await hub.stop();
