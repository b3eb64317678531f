import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../shared/protocol.ts';
import { createApiKey } from '../../server/results/api-keys.ts';
import { runCli } from '../fixtures/cli.ts';
import { connectCollab } from '../fixtures/collab-client.ts';
import { linkOf, openSession, sessionOf, socketWith } from '../fixtures/credentials.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

/**
 * Fix-b, finding 2: revoking a practice system's API key left the embed links it had made
 * live, and their sessions' open connections too. Revoking the key (the command line, another
 * process) now ends every link and session the key made: HTTP refuses them at once, open
 * /collab and Socket.IO connections are closed.
 */
describe('a revoked practice API key', () => {
  let hub: TestHub;
  let carl: string;
  let gitte: { id: string; organisation: string };

  beforeAll(async () => {
    hub = await startHub({ env: { API_KEY_REVOCATION_CHECK_SECONDS: '0.2' } });
    carl = await hub.planOf('Carl Jensen');
    const login = await hub.login('gitte');
    gitte = { id: login.user.id, organisation: login.user.organisation!.id };
  });
  afterAll(() => hub.stop());

  it('ends its embed links and sessions, open connections included', async () => {
    const key = await createApiKey(hub.server.store.results, 'Nørrebro praksissystem', {
      scope: 'practice',
      organisationId: gitte.organisation,
    });
    const other = await createApiKey(hub.server.store.results, 'Nørrebro praksissystem 2', {
      scope: 'practice',
      organisationId: gitte.organisation,
    });
    const used = await linkOf(hub, key.key, carl, { actsAs: gitte.id });
    const unused = await linkOf(hub, key.key, carl, { actsAs: gitte.id, access: 'read' });
    const kept = await linkOf(hub, other.key, carl, { actsAs: gitte.id });
    const session = await sessionOf(hub, used.link);
    const keptSession = await sessionOf(hub, kept.link);

    const live = connectCollab(hub.wsUrl, carl, session.token);
    await live.synced;
    const keptLive = connectCollab(hub.wsUrl, carl, keptSession.token);
    await keptLive.synced;
    const socket = await socketWith(hub, session.token);
    expect((await socket.emitWithAck('plan:watch', { planId: carl })).ok).toBe(true);

    const revoked = await runCli(['api-key', 'revoke', '--id', key.id], { DATABASE_URL: `sqlite:${hub.dbFile}` });
    expect(revoked.code).toBe(0);

    // Open connections close…
    expect((await live.closed).code).toBe(CloseCode.unauthorized);
    expect(await socket.ended).toBe('io server disconnect');
    expect(socket.events).toContain('session:ended');
    // …HTTP refuses the session, and neither link makes a new one.
    expect((await hub.api(`/plans/${carl}/document`, { token: session.token })).status).toBe(401);
    expect((await openSession(hub, used.link)).status).toBe(401);
    expect((await openSession(hub, unused.link)).status).toBe(401);
    // The practice's other key and its links are untouched.
    expect((await hub.api(`/plans/${carl}/document`, { token: keptSession.token })).status).toBe(200);
    expect(keptLive.provider.wsconnected).toBe(true);
    live.destroy();
    keptLive.destroy();
    socket.close();
  }, 60_000);
});
