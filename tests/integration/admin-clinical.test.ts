import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntryView } from '../../shared/audit.ts';
import { runCli } from '../fixtures/cli.ts';
import { eventually } from '../fixtures/collab-client.ts';
import { watcher } from '../fixtures/results.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

/**
 * The administrator's clinical powers (issue 14, finding 10): creating a clinical account needs
 * a recorded reason and stands out in the audit log; the administrator does not read
 * break-the-glass reasons (clinical text) there.
 */
describe('the administrator and clinical accounts', () => {
  let hub: TestHub;
  let practiceId: string;
  const REASON = 'Ny læge i praksis fra 1. december, aftalt med praksisejer';
  const createUser = async (body: Record<string, unknown>) =>
    hub.api('/admin/users', {
      method: 'POST',
      token: await hub.token('admin'),
      body: JSON.stringify({ password: 'a-long-password', name: 'Ny Bruger', ...body }),
    });
  const auditAsAdmin = async () => {
    const res = await hub.api('/audit?limit=1000', { token: await hub.token('admin') });
    expect(res.status).toBe(200);
    return (await res.json()) as AuditEntryView[];
  };

  beforeAll(async () => {
    hub = await startHub();
    practiceId = (await hub.login('gitte')).user.organisation!.id;
  });
  afterAll(() => hub.stop());

  it('refuses a clinical account without a reason, or with a CPR number in it', async () => {
    for (const role of ['gp', 'hospital_doctor', 'hospital_nurse', 'municipal_nurse']) {
      const res = await createUser({ username: `no-reason-${role}`, role, organisationId: practiceId });
      expect(res.status, role).toBe(400);
      expect(JSON.stringify(await res.json())).toMatch(/reason/);
    }
    for (const reason of ['kort', 'Ny læge, cpr 070452 1228 i praksis', 'Ny læge, id 07.04.52-1228 i praksis']) {
      expect(
        (await createUser({ username: 'bad-reason', role: 'gp', organisationId: practiceId, reason })).status,
        reason,
      ).toBe(400);
    }
    expect((await auditAsAdmin()).filter((e) => e.action === 'admin.user.create')).toEqual([]);
  });

  it('records the reason and flags the entry as a clinical account', async () => {
    const res = await createUser({ username: 'vera', role: 'gp', organisationId: practiceId, reason: REASON });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    // An administrator account is not clinical: no reason needed, no flag.
    expect((await createUser({ username: 'second-admin', role: 'admin' })).status).toBe(201);
    await eventually(
      async () => (await auditAsAdmin()).filter((e) => e.action === 'admin.user.create').length === 2,
      5000,
      'both entries',
    );
    const entries = (await auditAsAdmin()).filter((e) => e.action === 'admin.user.create');
    const clinical = entries.find((e) => e.details.userId === id)!;
    expect(clinical.details).toMatchObject({
      clinicalAccount: true,
      reason: REASON,
      role: 'gp',
      organisationId: practiceId,
    });
    expect(clinical.actor?.role).toBe('admin');
    expect(entries.find((e) => e.details.userId !== id)!.details.clinicalAccount).toBeUndefined();
  });

  it('takes a reason on the command line too, and records it', async () => {
    const env = { DATABASE_URL: `sqlite:${hub.dbFile}`, CAREHUB_PASSWORD: 'a-long-password' };
    const args = [
      'user',
      'create',
      '--username',
      'cli-gp',
      '--name',
      'CLI Læge',
      '--role',
      'gp',
      '--organisation',
      practiceId,
    ];
    const refused = await runCli(args, env);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/--reason/);
    const created = await runCli([...args, '--reason', REASON], env);
    expect(created.code, created.stderr).toBe(0);
    const entry = (await auditAsAdmin()).find((e) => e.action === 'admin.user.create' && e.details.via === 'cli');
    expect(entry?.details).toMatchObject({ clinicalAccount: true, reason: REASON, role: 'gp' });
  });

  it('shows the administrator that a break-the-glass reason was recorded, not the reason; the care team still reads it', async () => {
    const aisha = await hub.planOf('Aisha Khan', 'gitte');
    const gitte = await watcher(hub, 'gitte');
    const reason = 'Bevidstløs i skadestuen efter trafikulykke, behov for medicinliste';
    expect(
      (
        await hub.api(`/plans/${aisha}/break-glass`, {
          method: 'POST',
          token: await hub.token('hanne'),
          body: JSON.stringify({ reason }),
        })
      ).status,
    ).toBe(201);
    await eventually(
      () => gitte.notifications.some((n) => n.kind === 'break-glass' && n.params.reason === reason),
      5000,
      'the team told, with the reason',
    );
    await eventually(
      async () => (await auditAsAdmin()).some((e) => e.action === 'break-glass'),
      5000,
      'the break-glass entry',
    );
    const entries = await auditAsAdmin();
    expect(entries.find((e) => e.action === 'break-glass')!.details).toMatchObject({
      breakTheGlass: true,
      reason: 'reason recorded',
    });
    expect(JSON.stringify(entries)).not.toContain('trafikulykke');
    gitte.close();
  });
});
