import { randomUUID } from 'node:crypto';
import { redactCprNumbers } from '../../shared/cpr-in-text.ts';
import type { Notification } from '../../shared/events.ts';
import { isStaff, type Sector } from '../../shared/roles.ts';
import type { RealtimeServer } from '../realtime/realtime.ts';
import { userChannel } from '../realtime/realtime.ts';
import type { Store } from '../store/store.ts';
import type { User } from '../store/records.ts';

/**
 * Tells a patient's care team: a stored notification per staff member (those who sign in
 * later see it until they have seen it) and a live `notification` event to those online.
 * Members the citizen objected to (in person or by organisation) are left out.
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
    // An objection holds here too: nothing is stored for, or sent to, a person the citizen
    // objected to, or anyone of an organisation they objected to.
    const objections = await this.store.accessGrants.listObjections(patientId);
    const objectedTo = (u: User) => objections.some((o) => o.userId === u.id || (o.organisationId !== null && o.organisationId === u.organisationId));
    const users = (await this.store.listUsersRelatedTo({ organisationIds, userIds, patientId: null })).filter((u) => {
      if (!isStaff(u.role) || objectedTo(u)) return false;
      if (!opts.sectors) return true;
      const org = u.organisationId ? orgs.get(u.organisationId) : undefined;
      return !!org && opts.sectors.includes(org.sector);
    });
    const created = new Date().toISOString();
    // Texts come from free text (a break-the-glass reason, a lab's or hospital's words): a CPR
    // number that slipped into them goes no further.
    const text = redactCprNumbers(n.text);
    const rows = users.map((u) => ({ id: randomUUID(), userId: u.id, planId: n.planId, kind: n.kind, severity: n.severity, text, created, seen: null }));
    await this.store.results.createNotifications(rows);
    const io = this.io();
    for (const row of rows) io?.to(userChannel(row.userId)).emit('notification', { id: row.id, kind: n.kind, planId: n.planId, severity: n.severity, text });
    return rows.length;
  }
}
