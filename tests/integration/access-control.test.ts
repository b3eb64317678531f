import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import * as Y from 'yjs';
import type { CareTeamMember } from '../../shared/api.ts';
import { CloseCode } from '../../shared/protocol.ts';
import { newEntry, richText, sectionOf } from '../../shared/plan-doc.ts';
import { createApiKey } from '../../server/results/api-keys.ts';
import { connectCollab, eventually, waitForDoc } from '../fixtures/collab-client.ts';
import { join } from '../fixtures/plan-team.ts';
import { watcher } from '../fixtures/results.ts';
import { startHub, TEST_SECRET, type TestHub } from '../fixtures/server.ts';

/** Attacks that must fail, and access that must end when it is withdrawn (issue 5). */
describe('who may see what', () => {
  let hub: TestHub;
  let carl: string;
  let ingrid: string;
  let aisha: string;
  const json = async <T>(res: Response): Promise<T> => (await res.json()) as T;
  const auditRows = (action: string) =>
    hub.sqlite().prepare('SELECT details, outcome FROM audit_log WHERE action = ?').all(action) as {
      details: string;
      outcome: string;
    }[];

  beforeAll(async () => {
    hub = await startHub({
      env: { BREAK_GLASS_MINUTES: '0.05', LOGIN_MAX_FAILURES_PER_ACCOUNT: '3', LOGIN_MAX_FAILURES_PER_ADDRESS: '1000' },
    });
    carl = await hub.planOf('Carl Jensen');
    ingrid = await hub.planOf('Ingrid Madsen');
    aisha = await hub.planOf('Aisha Khan', 'gitte');
  });
  afterAll(() => hub.stop());

  it('closes a removed care-team member’s open plan at once and refuses their next request', async () => {
    const maja = await join(hub, 'maja', carl);
    const team = await json<CareTeamMember[]>(
      await hub.api(`/plans/${carl}/care-team`, { token: await hub.token('hanne') }),
    );
    const municipality = team.find((m) => m.organisation?.sector === 'municipality')!;
    const removed = await hub.api(`/plans/${carl}/care-team/${municipality.id}`, {
      method: 'DELETE',
      token: await hub.token('hanne'),
    });
    expect(removed.status).toBe(204);
    const closed = await maja.closed;
    expect(closed.code).toBe(CloseCode.forbidden);
    expect((await hub.api(`/plans/${carl}`, { token: await hub.token('maja') })).status).toBe(403);
    maja.leave();
    // Back on the team, back in.
    const again = await hub.api(`/plans/${carl}/care-team`, {
      method: 'POST',
      token: await hub.token('hanne'),
      body: JSON.stringify({ organisationId: municipality.organisation!.id }),
    });
    expect(again.status).toBe(201);
    expect((await hub.api(`/plans/${carl}`, { token: await hub.token('maja') })).status).toBe(200);
  });

  it('enforces the citizen’s objection like a removal, and says so without revealing data', async () => {
    const gitte = await join(hub, 'gitte', carl);
    const gp = (await hub.login('gitte')).user.organisation!;
    const objection = await hub.api('/me/objections', {
      method: 'POST',
      token: await hub.token('carl'),
      body: JSON.stringify({ organisationId: gp.id }),
    });
    expect(objection.status).toBe(201);
    expect((await gitte.closed).code).toBe(CloseCode.forbidden);
    const refused = await hub.api(`/plans/${carl}/document`, { token: await hub.token('gitte') });
    expect(refused.status).toBe(403);
    const body = await json<{ error: { message: string } }>(refused);
    expect(body.error.message).toMatch(/citizen has objected/);
    expect(JSON.stringify(body)).not.toMatch(/Carl|Hjertesvigt/);
    gitte.leave();
    const { id } = await json<{ id: string }>(objection);
    expect((await hub.api(`/me/objections/${id}`, { method: 'DELETE', token: await hub.token('carl') })).status).toBe(
      204,
    );
    expect((await hub.api(`/plans/${carl}`, { token: await hub.token('gitte') })).status).toBe(200);
    expect(
      (
        await hub.api('/me/objections', {
          method: 'POST',
          token: await hub.token('hanne'),
          body: JSON.stringify({ organisationId: gp.id }),
        })
      ).status,
    ).toBe(403);
  });

  it('lets staff break the glass with a reason, for a limited time, flagged and told to the team', async () => {
    const hanne = await hub.token('hanne');
    expect((await hub.api(`/plans/${aisha}`, { token: hanne })).status).toBe(403);
    const lookup = await hub.api('/patients/emergency-lookup', {
      method: 'POST',
      token: hanne,
      body: JSON.stringify({ cpr: '221188-7654' }),
    });
    expect(lookup.status).toBe(200);
    const found = await json<{ patientId: string; plans: { id: string }[]; access: string }>(lookup);
    expect(found).toMatchObject({ plans: [{ id: aisha }], access: 'none' });
    expect(JSON.stringify(found)).not.toMatch(/Aisha|Graviditet/);
    expect(
      (
        await hub.api('/patients/emergency-lookup', {
          method: 'POST',
          token: await hub.token('carl'),
          body: JSON.stringify({ cpr: '2211887654' }),
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await hub.api(`/plans/${aisha}/break-glass`, {
          method: 'POST',
          token: hanne,
          body: JSON.stringify({ reason: 'akut' }),
        })
      ).status,
    ).toBe(400);
    const gitteWatch = await watcher(hub, 'gitte');
    const grant = await hub.api(`/plans/${aisha}/break-glass`, {
      method: 'POST',
      token: hanne,
      body: JSON.stringify({ reason: 'Bevidstløs i skadestuen, behov for medicinliste' }),
    });
    expect(grant.status).toBe(201);
    expect((await hub.api(`/plans/${aisha}/document`, { token: hanne })).status).toBe(200);
    const live = connectCollab(hub.wsUrl, aisha, hanne);
    await live.synced;
    await eventually(
      () => gitteWatch.notifications.some((n) => n.kind === 'break-glass' && n.planId === aisha),
      5000,
      'the care team told',
    );
    // Audit entries are written within a few milliseconds (AuditLog's commit window).
    await eventually(
      () => auditRows('break-glass').some((r) => JSON.parse(r.details).breakTheGlass === true),
      5000,
      'the break-glass entry',
    );
    await eventually(
      () => auditRows('plan.document.read').some((r) => JSON.parse(r.details).breakTheGlass === true),
      5000,
      'the flagged read',
    );
    // The grant lasts BREAK_GLASS_MINUTES (3 s here): the live copy is closed when it ends.
    expect((await live.closed).code).toBe(CloseCode.forbidden);
    expect((await hub.api(`/plans/${aisha}`, { token: hanne })).status).toBe(403);
    live.destroy();
    gitteWatch.close();
  });

  describe('embed links', () => {
    const link = async (token: string, plan = carl, access: 'edit' | 'read' = 'edit') =>
      json<{ id: string; url: string; link: string; expiresAt: string }>(
        await hub.api(`/plans/${plan}/embed-links`, { method: 'POST', token, body: JSON.stringify({ access }) }),
      );
    const session = (l: string) => hub.api('/embed/session', { method: 'POST', body: JSON.stringify({ link: l }) });

    it('reaches its one plan and nothing else, and stops when revoked', async () => {
      const created = await link(await hub.token('gitte'));
      expect(created.url).toMatch(/\/embed#/);
      expect(created.url.split('#')[0]).not.toContain(created.link);
      const res = await session(created.link);
      expect(res.status).toBe(200);
      const { token, planId } = await json<{ token: string; planId: string }>(res);
      expect(planId).toBe(carl);
      expect((await hub.api(`/plans/${carl}/document`, { token })).status).toBe(200);
      for (const [path, init] of [
        [`/plans/${ingrid}`, {}],
        ['/patients', {}],
        [`/plans/${carl}/break-glass`, { method: 'POST', body: JSON.stringify({ reason: 'xxxxxxxxxxxxxx' }) }],
        ['/plans', { method: 'POST', body: JSON.stringify({ patientId: randomUUID(), title: 'x' }) }],
      ] as const) {
        expect((await hub.api(path, { ...init, token })).status, path).toBe(403);
      }
      const other = connectCollab(hub.wsUrl, ingrid, token);
      expect((await other.closed).code).toBe(CloseCode.forbidden);
      other.destroy();
      // It co-edits live as the GP who made it; revoking closes it.
      const embedded = connectCollab(hub.wsUrl, carl, token);
      const hanne = await join(hub, 'hanne', carl);
      await embedded.synced;
      sectionOf(embedded.doc, 'goals').push([
        newEntry({
          id: randomUUID(),
          description: richText('Fra praksissystemet'),
          status: 'proposed',
          sector: 'general_practice',
        }),
      ]);
      await waitForDoc(hanne.doc, (d) => JSON.stringify(d.getArray('goals').toJSON()).includes('Fra praksissystemet'));
      expect(
        (await hub.api(`/embed-links/${created.id}`, { method: 'DELETE', token: await hub.token('gitte') })).status,
      ).toBe(204);
      expect((await embedded.closed).code).toBe(CloseCode.unauthorized);
      expect((await session(created.link)).status).toBe(401);
      expect((await hub.api(`/plans/${carl}`, { token })).status).toBe(401);
      embedded.destroy();
      hanne.leave();
    });

    it('refuses expired, forged and other-plan links, and read links cannot write', async () => {
      const created = await link(await hub.token('gitte'));
      const key = new TextEncoder().encode(TEST_SECRET);
      const expired = await new SignJWT({ kind: 'embed-link', plan: carl })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(created.id)
        .setIssuer('carehub')
        .setExpirationTime(Math.floor(Date.now() / 1000) - 10)
        .sign(key);
      const forged = await new SignJWT({ kind: 'embed-link', plan: carl })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(created.id)
        .setIssuer('carehub')
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode('x'.repeat(48)));
      const otherPlan = await new SignJWT({ kind: 'embed-link', plan: ingrid })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(created.id)
        .setIssuer('carehub')
        .setExpirationTime('1h')
        .sign(key);
      for (const bad of [expired, forged, otherPlan, 'not-a-link-at-all-not-a-link']) {
        const res = await session(bad);
        expect(res.status).toBe(401);
      }
      // A session token is not a link, and a link is not a session token.
      expect((await hub.api(`/plans/${carl}`, { token: created.link })).status).toBe(401);
      // Only care-team members (or the practice system's key, acting as one of its staff) create links.
      expect(
        (await hub.api(`/plans/${ingrid}/embed-links`, { method: 'POST', token: await hub.token('gitte'), body: '{}' }))
          .status,
      ).toBe(403);
      const gitte = (await hub.login('gitte')).user;
      const system = await createApiKey(hub.server.store.results, 'Lægehuset Nørrebro praksissystem', {
        scope: 'practice',
        organisationId: gitte.organisation!.id,
      });
      const bySystem = await hub.api(`/plans/${carl}/embed-links`, {
        method: 'POST',
        token: system.key,
        body: JSON.stringify({ access: 'read', actsAs: gitte.id }),
      });
      expect(bySystem.status).toBe(201);
      const readToken = (await json<{ token: string }>(await session((await json<{ link: string }>(bySystem)).link)))
        .token;
      const reader = await join(hub, 'niels', carl);
      const embedded = connectCollab(hub.wsUrl, carl, readToken);
      await embedded.synced;
      sectionOf(embedded.doc, 'goals').push([
        newEntry({
          id: randomUUID(),
          description: richText('LÆSELINK-SKRIVNING'),
          status: 'proposed',
          sector: 'general_practice',
        }),
      ]);
      await waitForDoc(
        embedded.doc,
        (d: Y.Doc) => !JSON.stringify(d.getArray('goals').toJSON()).includes('LÆSELINK'),
        5000,
        'the read link’s write reverted',
      );
      expect(JSON.stringify(reader.doc.getArray('goals').toJSON())).not.toContain('LÆSELINK');
      embedded.destroy();
      reader.leave();
    });
  });

  it('rate-limits guessing passwords per account', async () => {
    const attempt = (password: string) =>
      hub.api('/auth/login', { method: 'POST', body: JSON.stringify({ username: 'niels', password }) });
    for (let i = 0; i < 3; i++) expect((await attempt('wrong')).status).toBe(401);
    const blocked = await attempt('demo');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(
      (await hub.api('/auth/login', { method: 'POST', body: JSON.stringify({ username: 'hanne', password: 'demo' }) }))
        .status,
    ).toBe(200);
  });
});
