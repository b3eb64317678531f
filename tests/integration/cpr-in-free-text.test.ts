import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containsCprNumber } from '../../shared/cpr-in-text.ts';
import { eventually } from '../fixtures/collab-client.ts';
import { watcher } from '../fixtures/results.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

/**
 * Free text that reaches the audit log or notifications carries no CPR number, however its
 * digits are spaced (issue 14, finding 11): "070452 1228" walked past the old check.
 */
describe('CPR numbers in free text', () => {
  let hub: TestHub;
  let aisha: string;
  const auditText = () => JSON.stringify(hub.sqlite().prepare('SELECT action, details FROM audit_log').all());
  const notificationText = () => JSON.stringify(hub.sqlite().prepare('SELECT params FROM notifications').all());

  beforeAll(async () => {
    hub = await startHub();
    aisha = await hub.planOf('Aisha Khan', 'gitte');
  });
  afterAll(() => hub.stop());

  it('refuses a break-the-glass reason holding a CPR number in any spacing; nothing reaches the audit log or the team', async () => {
    const gitte = await watcher(hub, 'gitte');
    const hanne = await hub.token('hanne');
    for (const reason of [
      'Bevidstløs, pt 070452 1228 fundet på gaden',
      'Bevidstløs, cpr 0704 52-1228 ifølge ambulancen',
      'Bevidstløs, id 07.04.52-1228 ifølge ambulancen',
      'Bevidstløs, id 07/04/52 12 28 ifølge ambulancen',
      'Bevidstløs, id ０７０４５２１２２８ ifølge ambulancen',
      'Bevidstløs, id 0704521228 ifølge ambulancen',
    ]) {
      const res = await hub.api(`/plans/${aisha}/break-glass`, {
        method: 'POST',
        token: hanne,
        body: JSON.stringify({ reason }),
      });
      expect(res.status, reason).toBe(400);
      expect(JSON.stringify(await res.json())).toMatch(/CPR/);
    }
    // A reason without one is accepted, and is what the team is told.
    const ok = await hub.api(`/plans/${aisha}/break-glass`, {
      method: 'POST',
      token: hanne,
      body: JSON.stringify({ reason: 'Bevidstløs i skadestuen, behov for medicinliste' }),
    });
    expect(ok.status).toBe(201);
    await eventually(() => gitte.notifications.some((n) => n.kind === 'break-glass'), 5000, 'the team told');
    // Audit entries are committed within a few milliseconds (AuditLog's commit window).
    await eventually(() => auditText().includes('break-glass'), 5000, 'the break-glass entry');
    expect(containsCprNumber(auditText())).toBe(false);
    expect(containsCprNumber(notificationText())).toBe(false);
    expect(containsCprNumber(JSON.stringify(gitte.notifications.map((n) => n.params)))).toBe(false);
    gitte.close();
  });

  it('keeps a CPR number typed as a username out of the audit log', async () => {
    for (const username of ['120345-1237', '120345 1237']) {
      const res = await hub.api('/auth/login', {
        method: 'POST',
        body: JSON.stringify({ username, password: 'wrong-password' }),
      });
      expect(res.status).toBe(401);
    }
    const logins = () =>
      hub.sqlite().prepare("SELECT details FROM audit_log WHERE action = 'login'").all() as { details: string }[];
    await eventually(() => logins().length >= 2, 5000, 'the refused sign-ins on record');
    expect(containsCprNumber(JSON.stringify(logins()))).toBe(false);
  });
});
