import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { decodeOfflineCopy, OFFLINE_COPY_TYPE } from '../../shared/offline-copy.ts';
import { addNote, planToJson, sectionOf } from '../../shared/plan-doc.ts';
import { waitForDoc } from '../fixtures/collab-client.ts';
import { join } from '../fixtures/plan-team.ts';
import { observation, postAs } from '../fixtures/results.ts';
import { createApiKey } from '../../server/results/api-keys.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

/**
 * `GET /plans/:id/offline-copy` (issue 16): what a tablet keeps to open a plan never opened on
 * it. The same permission as opening the plan live; a prefetch is an audited access, coalesced
 * per person and plan; refusals are always audited and carry no plan data.
 */
describe('GET /plans/:id/offline-copy', () => {
  let hub: TestHub;
  let carlPlan: string;

  beforeAll(async () => {
    hub = await startHub();
    carlPlan = await hub.planOf('Carl Jensen', 'maja');
  });
  afterAll(() => hub.stop());

  const copy = async (username: string, planId: string) =>
    hub.api(`/plans/${planId}/offline-copy`, { token: await hub.token(username) });

  const prefetchAudit = async (planId: string) =>
    (await hub.server.store.listAudit({ limit: 500 })).filter(
      (e) => e.action === 'plan.prefetch' && (e.planId === planId || e.planId === null),
    );

  async function until<T>(what: string, f: () => Promise<T | false>): Promise<T> {
    const end = Date.now() + 5000;
    for (;;) {
      const v = await f();
      if (v) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('holds the patient header, the plan’s people and the whole document, results included, as the server has it', async () => {
    // A note written live and a lab result filed just before: both are in the copy.
    const hanne = await join(hub, 'hanne', carlPlan);
    await waitForDoc(hanne.doc, (d) => sectionOf(d, 'tasks').length > 0);
    const noteId = randomUUID();
    addNote(hanne.doc, {
      id: noteId,
      author: hanne.userId,
      sector: 'hospital',
      created: new Date().toISOString(),
      body: 'Kontrol af væskeindtag.',
    });
    const { key } = await createApiKey(hub.server.store.results, 'Test lab');
    const lab = observation({ id: randomUUID(), cpr: '1203451237', value: 4.37 });
    expect((await postAs(hub, key, '/results', lab)).status).toBeLessThan(300);
    const doc = await until('the note and the result in the copy', async () => {
      const res = await copy('maja', carlPlan);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain(OFFLINE_COPY_TYPE);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const { header, update } = decodeOfflineCopy(new Uint8Array(await res.arrayBuffer()));
      expect(header.plan).toMatchObject({ id: carlPlan, patientName: 'Carl Jensen', status: 'active' });
      expect(header.people.map((p) => p.name)).toEqual(
        expect.arrayContaining(['Maja Mortensen', 'Hanne Holm', 'Carl Jensen']),
      );
      const d = new Y.Doc();
      Y.applyUpdate(d, update);
      const json = planToJson(d);
      const hasNote = JSON.stringify(json).includes(noteId);
      const hasResult = sectionOf(d, 'results')
        .toArray()
        .some((r) => r instanceof Y.Map && r.get('value') === 4.37);
      return hasNote && hasResult ? json : false;
    });
    expect(doc.tasks.length).toBeGreaterThan(0);
    hanne.leave();
  });

  it('refuses whoever may not open the plan live, audits the refusal, and sends no plan data', async () => {
    const ingridPlan = await hub.planOf('Ingrid Madsen', 'hanne');
    const refusedMaja = await copy('maja', ingridPlan);
    expect(refusedMaja.status).toBe(403);
    const body = await refusedMaja.text();
    expect(body).not.toContain('Ingrid');
    // A citizen reads their plan through the citizen view only.
    expect((await copy('carl', carlPlan)).status).toBe(403);
    expect((await copy('admin', carlPlan)).status).toBe(403);
    expect((await copy('maja', randomUUID())).status).toBe(404);
    expect((await hub.api(`/plans/${carlPlan}/offline-copy`)).status).toBe(401);
    const refusals = await until('the refusals in the audit log', async () => {
      const all = (await hub.server.store.listAudit({ limit: 500 })).filter(
        (e) => e.action === 'plan.prefetch' && e.outcome === 'refused',
      );
      return all.length >= 4 ? all : false;
    });
    expect(refusals.some((e) => e.planId === ingridPlan)).toBe(true);
  });

  it('audits a prefetch as an access, once per person and plan however often the tablet fetches it again', async () => {
    const erikPlan = await hub.planOf('Erik Nielsen', 'maja');
    for (let i = 0; i < 3; i++) expect((await copy('maja', erikPlan)).status).toBe(200);
    const entries = await until('the prefetch in the audit log', async () => {
      const all = (await prefetchAudit(erikPlan)).filter((e) => e.outcome === 'allowed' && e.planId === erikPlan);
      return all.length > 0 ? all : false;
    });
    // Repeats are decided as they come (all three answered before this point): one entry.
    const maja = (await hub.login('maja')).user.id;
    const majas = entries.filter((e) => e.actorId === maja);
    expect(majas).toHaveLength(1);
    expect(majas[0]!.patientId).toBeTruthy();
  });

  it('with ?have= sends only what a copy with that state lacks; a bad state vector is a 400', async () => {
    const whole = decodeOfflineCopy(new Uint8Array(await (await copy('maja', carlPlan)).arrayBuffer()));
    const held = new Y.Doc();
    Y.applyUpdate(held, whole.update);
    const have = Buffer.from(Y.encodeStateVector(held)).toString('base64url');
    const res = await hub.api(`/plans/${carlPlan}/offline-copy?have=${have}`, { token: await hub.token('maja') });
    expect(res.status).toBe(200);
    const diff = decodeOfflineCopy(new Uint8Array(await res.arrayBuffer()));
    expect(diff.header.plan.id).toBe(carlPlan);
    expect(diff.update.length).toBeLessThan(whole.update.length / 10);
    // Applied to the held copy it changes nothing: the copy was complete.
    const before = Y.encodeStateVector(held);
    Y.applyUpdate(held, diff.update);
    expect(Buffer.from(Y.encodeStateVector(held)).equals(Buffer.from(before))).toBe(true);
    for (const bad of ['%2B%2F', 'gICA', '_w']) {
      const refused = await hub.api(`/plans/${carlPlan}/offline-copy?have=${bad}`, { token: await hub.token('maja') });
      expect(refused.status, bad.slice(0, 10)).toBe(400);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBeDefined();
    }
    // Too long for any plan's state vector: refused before it is read (Node: 431, headers too large).
    const long = await hub.api(`/plans/${carlPlan}/offline-copy?have=${'x'.repeat(70_000)}`, {
      token: await hub.token('maja'),
    });
    expect(long.status).toBeGreaterThanOrEqual(400);
    expect(long.status).toBeLessThan(500);
  });
});
