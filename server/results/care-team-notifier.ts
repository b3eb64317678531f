import { randomUUID } from 'node:crypto';
import type { Notification } from '../../shared/events.ts';
import { isStaff, type Sector } from '../../shared/roles.ts';
import type { RealtimeServer } from '../realtime/realtime.ts';
import { userChannel } from '../realtime/realtime.ts';
import type { Store } from '../store/store.ts';

/**
 * Tells a patient's care team: a stored notification per staff member (those who sign in
 * later see it until they have seen it) and a live `notification` event to those online.
 */
export class CareTeamNotifier {
  constructor(
    private readonly store: Store,
    private readonly io: () => RealtimeServer | null,
  ) {}

  async notify(patientId: string, n: Omit<Notification, 'id'>, opts: { sectors?: Sector[] } = {}): Promise<number> {
    const team = await this.store.listCareTeam(patientId);
    const orgs = new Map((await this.store.listOrganisations()).map((o) => [o.id, o]));
    const organisationIds = team.flatMap((m) => {
      const org = m.organisationId ? orgs.get(m.organisationId) : undefined;
      return org && (!opts.sectors || opts.sectors.includes(org.sector)) ? [org.id] : [];
    });
    const userIds = team.flatMap((m) => (m.userId ? [m.userId] : []));
    const users = (await this.store.listUsersRelatedTo({ organisationIds, userIds, patientId: null })).filter((u) => {
      if (!isStaff(u.role)) return false;
      if (!opts.sectors) return true;
      const org = u.organisationId ? orgs.get(u.organisationId) : undefined;
      return !!org && opts.sectors.includes(org.sector);
    });
    const created = new Date().toISOString();
    const rows = users.map((u) => ({ id: randomUUID(), userId: u.id, planId: n.planId, kind: n.kind, severity: n.severity, text: n.text, created, seen: null }));
    await this.store.results.createNotifications(rows);
    const io = this.io();
    for (const row of rows) io?.to(userChannel(row.userId)).emit('notification', { id: row.id, kind: n.kind, planId: n.planId, severity: n.severity, text: n.text });
    return rows.length;
  }
}
