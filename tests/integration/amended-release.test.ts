import { afterAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { PlanDocumentJson } from '../../shared/plan.ts';
import { createApiKey } from '../../server/results/api-keys.ts';
import { observation, postAs } from '../fixtures/results.ts';
import { startHub, tempDir, type TestHub } from '../fixtures/server.ts';

const CARL = '1203451237';
const DAY_MS = 86_400_000;

/**
 * An amended result is a new value no clinician has seen: it gets a release time counted from
 * the amendment, as a new result of its category would (issue 14, finding 12). It kept the
 * first version's, so an amended critical value reached the citizen at once.
 */
describe('the release of an amended result to the citizen', () => {
  const dirs: string[] = [];
  const hubs: TestHub[] = [];
  afterAll(async () => {
    for (const h of hubs) await h.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const documentOf = async (hub: TestHub, username: string, planId: string) => {
    const res = await hub.api(`/plans/${planId}/document`, { token: await hub.token(username) });
    expect(res.status).toBe(200);
    return (await res.json()) as PlanDocumentJson;
  };
  const resultIn = (doc: PlanDocumentJson, id: string) =>
    doc.results.find((r) => r.id === id) as
      | (Record<string, unknown> & { value?: unknown; releaseAt?: string })
      | undefined;

  it('hides an amendment of a result whose release time has passed, for a new delay from the amendment', async () => {
    const dir = tempDir();
    dirs.push(dir);
    // The first version is filed with no delay: it has reached the citizen.
    const first = await startHub({ dir, env: { RESULT_RELEASE_DAYS: '0' } });
    const { key } = await createApiKey(first.server.store.results, 'Region H lab');
    const planId = await first.planOf('Carl Jensen');
    const identifier = randomUUID();
    const filed = await postAs(first, key, '/results', observation({ id: identifier, cpr: CARL, value: 4.1 }));
    expect(filed.status).toBe(201);
    const { id } = (await filed.json()) as { id: string };
    expect(resultIn(await documentOf(first, 'carl', planId), id)?.value).toBe(4.1);
    await first.stop();

    // The same hub, now with the usual 3 days: a critical amendment arrives.
    const hub = await startHub({ dir, env: { RESULT_RELEASE_DAYS: '3' } });
    hubs.push(hub);
    const before = Date.now();
    expect(
      (
        await postAs(
          hub,
          key,
          '/results',
          observation({ id: identifier, cpr: CARL, value: 7.4, flag: 'HH', status: 'amended' }),
        )
      ).status,
    ).toBe(201);
    const staff = resultIn(await documentOf(hub, 'hanne', planId), id);
    expect(staff?.value).toBe(7.4);
    expect(Date.parse(staff!.releaseAt!)).toBeGreaterThanOrEqual(before + 3 * DAY_MS);
    const citizen = await documentOf(hub, 'carl', planId);
    expect(JSON.stringify(citizen)).not.toContain('7.4');
    expect(resultIn(citizen, id)).toBeUndefined();
  });

  it('hides an amendment of a result a clinician released early, until a clinician releases the amendment', async () => {
    const hub = await startHub();
    hubs.push(hub);
    const { key } = await createApiKey(hub.server.store.results, 'Region H lab');
    const planId = await hub.planOf('Carl Jensen');
    const identifier = randomUUID();
    const filed = await postAs(hub, key, '/results', observation({ id: identifier, cpr: CARL, value: 4.2 }));
    const { id } = (await filed.json()) as { id: string };
    expect(resultIn(await documentOf(hub, 'carl', planId), id)).toBeUndefined();
    const releaseAs = async (username: string) => {
      const res = await hub.api(`/results/${id}/release`, {
        method: 'POST',
        token: await hub.token(username),
        body: '{}',
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { releaseAt: string }).releaseAt;
    };
    await releaseAs('hanne');
    expect(resultIn(await documentOf(hub, 'carl', planId), id)?.value).toBe(4.2);

    const before = Date.now();
    expect(
      (
        await postAs(
          hub,
          key,
          '/results',
          observation({ id: identifier, cpr: CARL, value: 7.5, flag: 'HH', status: 'corrected' }),
        )
      ).status,
    ).toBe(201);
    expect(Date.parse(resultIn(await documentOf(hub, 'hanne', planId), id)!.releaseAt!)).toBeGreaterThanOrEqual(
      before + 3 * DAY_MS,
    );
    expect(JSON.stringify(await documentOf(hub, 'carl', planId))).not.toContain('7.5');

    // A clinician who has seen the new value releases it; releasing again changes nothing.
    const released = await releaseAs('gitte');
    expect(Date.parse(released)).toBeLessThanOrEqual(Date.now());
    expect(resultIn(await documentOf(hub, 'carl', planId), id)).toMatchObject({ value: 7.5, releaseAt: released });
    expect(await releaseAs('hanne')).toBe(released);
  });
});
