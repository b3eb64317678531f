import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { AccessLogEntry } from '../../shared/audit.ts';
import { CloseCode } from '../../shared/protocol.ts';
import { newEntry, sectionOf } from '../../shared/plan-doc.ts';
import { createApiKey } from '../../server/results/api-keys.ts';
import { runCli } from '../fixtures/cli.ts';
import { connectCollab, eventually } from '../fixtures/collab-client.ts';
import { auditRows, createLink, json, linkOf, sessionOf } from '../fixtures/credentials.ts';
import { observation, postAs } from '../fixtures/results.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

const INGRID = '070452-1228';

/**
 * Issue 14, finding 2: an API key carries one scope. A lab's key (intake) files results and
 * encounters and reaches nothing else; a practice system's key is bound to its organisation and
 * makes embed links only for its own patients, acting as one of its own staff.
 */
describe('API key scopes', () => {
  let hub: TestHub;
  let carl: string;
  let ingrid: string;
  let gitte: { id: string; organisation: string };
  let lab: string;
  let practice: string;

  beforeAll(async () => {
    hub = await startHub();
    carl = await hub.planOf('Carl Jensen');
    ingrid = await hub.planOf('Ingrid Madsen');
    const login = await hub.login('gitte');
    gitte = { id: login.user.id, organisation: login.user.organisation!.id };
    lab = (await createApiKey(hub.server.store.results, 'Region H lab')).key;
    practice = (
      await createApiKey(hub.server.store.results, 'Nørrebro praksissystem', {
        scope: 'practice',
        organisationId: gitte.organisation,
      })
    ).key;
  });
  afterAll(() => hub.stop());

  it('a lab key that learnt a plan id from its own filing cannot open that plan through an embed link', async () => {
    const filed = await postAs(hub, lab, '/results', observation({ id: randomUUID(), cpr: INGRID }));
    expect(filed.status).toBe(201);
    // The answer names no plan any more (fix-b, finding 1); the plan id may be learnt elsewhere.
    expect((await json<{ plans?: string[] }>(filed)).plans).toBeUndefined();
    for (const access of ['edit', 'read']) {
      const res = await createLink(hub, lab, ingrid, { access });
      expect(res.status).toBe(403);
      expect((await json<{ error: { code: string; message: string } }>(res)).error).toMatchObject({
        code: 'forbidden',
        message: expect.stringMatching(/intake/),
      });
    }
    // Nor a plan it has no business with, nor naming a person to act as.
    expect((await createLink(hub, lab, carl, { actsAs: gitte.id })).status).toBe(403);
    // The refusal is on record, with the system named.
    await eventually(
      () =>
        auditRows(hub, 'embed-link.create').some(
          (r) => r.outcome === 'refused' && JSON.parse(r.details).system === 'Region H lab',
        ),
      5000,
      'the refusal audited',
    );
  });

  it('a lab key cannot revoke anybody’s embed link', async () => {
    const link = await linkOf(hub, await hub.token('gitte'), carl);
    const res = await hub.api(`/embed-links/${link.id}`, { method: 'DELETE', token: lab });
    expect(res.status).toBe(403);
    // The link still works.
    await sessionOf(hub, link.link);
  });

  it('a practice key makes links only for its organisation’s patients, acting as one of its own staff', async () => {
    // Ingrid's care team does not hold the practice.
    expect((await createLink(hub, practice, ingrid, { actsAs: gitte.id })).status).toBe(403);
    // Whom the session acts as must be named, and be staff of the key's organisation.
    expect((await createLink(hub, practice, carl, {})).status).toBe(400);
    const hanne = (await hub.login('hanne')).user.id;
    const carlCitizen = (await hub.login('carl')).user.id;
    for (const actsAs of [hanne, carlCitizen, randomUUID()])
      expect((await createLink(hub, practice, carl, { actsAs })).status, actsAs).toBe(403);

    const link = await linkOf(hub, practice, carl, { actsAs: gitte.id, access: 'edit' });
    const session = await sessionOf(hub, link.link);
    expect(session.user).toMatchObject({ id: gitte.id, role: 'gp', organisation: { id: gitte.organisation } });
    // …and she is who shows in the live plan's history.
    const live = connectCollab(hub.wsUrl, carl, session.token);
    await live.synced;
    sectionOf(live.doc, 'medications').push([
      newEntry({
        id: randomUUID(),
        drug: 'Praksis-Paracetamol',
        dose: '1 g',
        route: 'oral',
        frequency: 'efter behov',
        start: '2026-01-01',
      }),
    ]);
    await eventually(
      async () =>
        JSON.stringify(
          await (await hub.api(`/plans/${carl}/history`, { token: await hub.token('hanne') })).json(),
        ).includes(gitte.id),
      5000,
      'the edit in the history',
    );
    live.destroy();
  });

  it('a practice key cannot file results, and revokes only links its organisation’s keys made', async () => {
    const filed = await postAs(hub, practice, '/results', observation({ id: randomUUID(), cpr: INGRID }));
    expect(filed.status).toBe(403);
    expect(((await filed.json()) as { resourceType: string }).resourceType).toBe('OperationOutcome');
    const encounter = await postAs(
      hub,
      practice,
      '/encounters',
      {
        identifier: 'x',
        cpr: INGRID,
        event: 'admission',
        time: new Date().toISOString(),
        hospital: 'h',
        department: 'd',
      },
      'application/json',
    );
    expect(encounter.status).toBe(403);

    const byGitte = await linkOf(hub, await hub.token('gitte'), carl);
    expect((await hub.api(`/embed-links/${byGitte.id}`, { method: 'DELETE', token: practice })).status).toBe(403);
    // Another practice's key cannot revoke this practice's links.
    const maja = await hub.login('maja');
    const other = (
      await createApiKey(hub.server.store.results, 'Kommunens system', {
        scope: 'practice',
        organisationId: maja.user.organisation!.id,
      })
    ).key;
    const own = await linkOf(hub, practice, carl, { actsAs: gitte.id });
    expect((await hub.api(`/embed-links/${own.id}`, { method: 'DELETE', token: other })).status).toBe(403);
    // A second key of the same practice may (the first key may have been replaced).
    const second = (
      await createApiKey(hub.server.store.results, 'Nørrebro praksissystem 2', {
        scope: 'practice',
        organisationId: gitte.organisation,
      })
    ).key;
    const session = await sessionOf(hub, own.link);
    const live = connectCollab(hub.wsUrl, carl, session.token);
    await live.synced;
    expect((await hub.api(`/embed-links/${own.id}`, { method: 'DELETE', token: second })).status).toBe(204);
    expect((await live.closed).code).toBe(CloseCode.unauthorized);
    live.destroy();
  });

  it('names the system in the citizen’s access log for what its key did', async () => {
    await linkOf(hub, practice, carl, { actsAs: gitte.id, access: 'read' });
    const log = await json<AccessLogEntry[]>(await hub.api('/me/access-log', { token: await hub.token('carl') }));
    const created = log.filter((e) => e.actionCode === 'embed-link.create');
    expect(created.length).toBeGreaterThan(0);
    expect(created.every((e) => e.person !== 'an unknown user')).toBe(true);
    expect(created.some((e) => e.person.includes('Nørrebro praksissystem'))).toBe(true);
    const rows = auditRows(hub, 'embed-link.create').filter(
      (r) => r.outcome === 'allowed' && JSON.parse(r.details).system,
    );
    expect(rows.every((r) => r.actor_id !== null)).toBe(true);
  });

  it('the command line creates scoped keys and lists scope and organisation', async () => {
    const env = { DATABASE_URL: `sqlite:${hub.dbFile}` };
    const bad = await runCli(['api-key', 'create', '--system', 'x', '--scope', 'practice'], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/organisation/);
    const wrongOrg = await runCli(
      ['api-key', 'create', '--system', 'x', '--scope', 'practice', '--organisation', randomUUID()],
      env,
    );
    expect(wrongOrg.code).not.toBe(0);
    const made = await runCli(
      ['api-key', 'create', '--system', 'cli-praksis', '--scope', 'practice', '--organisation', gitte.organisation],
      env,
    );
    expect(made.code).toBe(0);
    const key = /chk_\S+/.exec(made.stdout)![0];
    expect((await createLink(hub, key, carl, { actsAs: gitte.id })).status).toBe(201);
    const intake = await runCli(['api-key', 'create', '--system', 'cli-lab'], env);
    expect(intake.code).toBe(0);
    const list = await runCli(['api-key', 'list'], env);
    expect(list.stdout).toMatch(new RegExp(`cli-praksis.*practice.*${gitte.organisation}`));
    expect(list.stdout).toMatch(/cli-lab.*intake/);
  }, 60_000);
});
