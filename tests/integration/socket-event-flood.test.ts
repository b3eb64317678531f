import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../fixtures/collab-client.ts';
import { socketWith } from '../fixtures/credentials.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

const NO_PLAN = '00000000-0000-4000-8000-000000000000';

/**
 * Fix-b, finding 6: a client could send Socket.IO events without limit (each plan:watch is an
 * access check and an audit row). Events are limited per socket by a token bucket: over it
 * they are dropped with a clear `limit` event (and a `rate_limited` ack), and a socket that
 * keeps flooding is disconnected. Other sockets are untouched.
 */
describe('Socket.IO events per socket', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startHub({ env: { SOCKET_EVENT_RATE_PER_SECOND: '0.5' } });
  });
  afterAll(() => hub.stop());

  it('drops events over the rate with a clear error, then disconnects a socket that persists', async () => {
    const token = await hub.token('hanne');
    const flooder = await socketWith(hub, token);
    const calm = await socketWith(hub, token);
    const limits: { code: string; message: string }[] = [];
    flooder.on('limit', (m) => limits.push(m));

    // A burst (twice the rate: one event here) is taken; the next is dropped, its ack says so.
    expect(await flooder.timeout(5000).emitWithAck('plan:unwatch', { planId: NO_PLAN })).toEqual({ ok: true });
    const dropped = await flooder.timeout(5000).emitWithAck('plan:watch', { planId: NO_PLAN });
    expect(dropped).toEqual({ ok: false, error: 'rate_limited' });
    await eventually(() => limits.length === 1, 5000, 'the limit event');
    expect(limits[0]).toMatchObject({ code: 'rate_limited', message: expect.stringMatching(/at most 0.5 a second/) });

    // Going on: disconnected by the server.
    for (let i = 0; i < 30; i++) flooder.emit('plan:unwatch', { planId: NO_PLAN });
    expect(await flooder.ended).toBe('io server disconnect');
    // Told once per run of drops, not once per dropped event.
    expect(limits).toHaveLength(1);

    // The person's other socket goes on as before.
    expect(await calm.timeout(5000).emitWithAck('plan:unwatch', { planId: NO_PLAN })).toEqual({ ok: true });
    calm.close();
  });
});
