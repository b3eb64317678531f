import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../shared/protocol.ts';
import type { LoginResponse } from '../../shared/api.ts';
import { startIdentityProvider, type TestIdentityProvider } from '../fixtures/oidc/identity-provider.ts';
import { signInThrough } from '../fixtures/oidc/sign-in.ts';
import { connectCollab, eventually } from '../fixtures/collab-client.ts';
import { auditRows, socketWith } from '../fixtures/credentials.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

/**
 * Issue 19's review, finding 9: a signed-in session is kept on the server. Signing out ends
 * it — the token is refused from then on, by REST, /collab and Socket.IO, and the connections
 * it holds open close — while the person's other sessions go on; removing an identity
 * provider signs out everyone who came through it.
 */
describe('signing out ends the session on the server', () => {
  let hub: TestHub;
  let carl: string;

  beforeAll(async () => {
    hub = await startHub({ env: { OIDC_ALLOW_INSECURE_HTTP: 'on', SIGN_IN_RATE_PER_MINUTE: '1000' } });
    carl = await hub.planOf('Carl Jensen');
  });
  afterAll(() => hub.stop());

  const logout = (token?: string) => hub.api('/auth/logout', { method: 'POST', ...(token ? { token } : {}) });

  it('refuses the token afterwards everywhere and closes what it holds open; the other device goes on', async () => {
    const tablet = await hub.login('maja');
    const desktop = await hub.login('maja');
    const live = connectCollab(hub.wsUrl, carl, tablet.token);
    await live.synced;
    const socket = await socketWith(hub, tablet.token);
    const other = connectCollab(hub.wsUrl, carl, desktop.token);
    await other.synced;
    const otherSocket = await socketWith(hub, desktop.token);

    expect((await logout(tablet.token)).status).toBe(204);

    const closed = await live.closed;
    expect(closed.code).toBe(CloseCode.unauthorized);
    expect(closed.reason).toMatch(/revoked/);
    expect(await socket.ended).toBe('io server disconnect');
    expect((await hub.api('/me', { token: tablet.token })).status).toBe(401);
    expect((await hub.api(`/plans/${carl}`, { token: tablet.token })).status).toBe(401);
    // A copied token does not open anything again.
    const again = connectCollab(hub.wsUrl, carl, tablet.token);
    expect((await again.closed).code).toBe(CloseCode.unauthorized);
    again.destroy();
    await expect(socketWith(hub, tablet.token)).rejects.toThrow();
    // Signing out again with it is refused: it is no session any more.
    const twice = await logout(tablet.token);
    expect(twice.status).toBe(401);
    expect(await twice.json()).toMatchObject({ error: expect.objectContaining({ message: expect.any(String) }) });

    // The desktop's session is another session: still open, still answered.
    expect((await hub.api('/me', { token: desktop.token })).status).toBe(200);
    expect(otherSocket.connected).toBe(true);
    other.doc.getMap('probe').set('still', 'here');
    await eventually(() => (other.provider.ws?.readyState ?? 3) === 1, 2000, 'desktop still connected');
    await eventually(
      () =>
        auditRows(hub, 'logout').filter((r) => r.actor_id === tablet.user.id && r.outcome === 'allowed').length === 1,
      5000,
      'the sign-out audited once',
    );
    live.destroy();
    other.destroy();
    otherSocket.close();
  });

  it('refuses a sign-out without a live session token (none, garbage)', async () => {
    expect((await logout()).status).toBe(401);
    expect((await logout('not-a-token')).status).toBe(401);
  });

  describe('removing an identity provider', () => {
    let region: TestIdentityProvider;
    let regionId = '';
    let doctor: LoginResponse;

    beforeAll(async () => {
      region = await startIdentityProvider({
        clients: [{ clientId: 'carehub', redirectUris: [`${hub.server.url}/api/v1/auth/oidc/callback`] }],
        accounts: { 'dr-hansen': { sub: 'regionh-2001', name: 'Henrik Hansen', roles: ['doctor'] } },
        scopes: ['profile', 'roles'],
      });
      const rigs = (await hub.server.store.listOrganisations()).find((o) => o.name === 'Rigshospitalet')!;
      const res = await hub.api('/admin/identity-providers', {
        method: 'POST',
        token: await hub.token('admin'),
        body: JSON.stringify({
          organisationId: rigs.id,
          name: 'Region Hovedstaden',
          issuer: region.issuer,
          clientId: 'carehub',
          scopes: 'openid profile roles',
          roleClaim: 'roles',
          roleMap: 'doctor=hospital_doctor',
        }),
      });
      expect(res.status).toBe(201);
      regionId = ((await res.json()) as { id: string }).id;
      doctor = await signInThrough(hub.server.url, regionId, 'dr-hansen');
    });
    afterAll(() => region?.stop());

    it('signs out everyone who came through it, open connections included; password sessions go on', async () => {
      expect((await hub.api('/me', { token: doctor.token })).status).toBe(200);
      const socket = await socketWith(hub, doctor.token);
      const hanne = await hub.login('hanne');
      const live = connectCollab(hub.wsUrl, carl, hanne.token);
      await live.synced;

      const removed = await hub.api(`/admin/identity-providers/${regionId}`, {
        method: 'DELETE',
        token: await hub.token('admin'),
      });
      expect(removed.status).toBe(204);
      expect(await socket.ended).toBe('io server disconnect');
      expect((await hub.api('/me', { token: doctor.token })).status).toBe(401);
      await eventually(() => auditRows(hub, 'admin.identity-provider.remove').length > 0, 5000, 'removal audited');
      const row = auditRows(hub, 'admin.identity-provider.remove').at(-1)!;
      expect(JSON.parse(row.details)).toMatchObject({ providerId: regionId, peopleSignedOut: 1 });
      // Hanne signed in with her password: untouched.
      expect((await hub.api('/me', { token: hanne.token })).status).toBe(200);
      expect((live.provider.ws?.readyState ?? 3) === 1).toBe(true);
      live.destroy();
    });
  });
});
