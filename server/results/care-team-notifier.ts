import { randomUUID } from 'node:crypto';
import { redactCprNumbers } from '../../shared/cpr-in-text.ts';
import type { NotificationContent, NotificationSeverity } from '../../shared/notifications.ts';
import { isStaff, type Sector } from '../../shared/roles.ts';
import type { StoredNotification } from '../store/result-store.ts';
import type { Store } from '../store/store.ts';
import type { User } from '../store/records.ts';
import type { ResultEvents } from './result-events.ts';

/**
 * What a care team is told: about which plan, how urgent, and what (a kind and its parameters);
 * `resultIds`: the results it shows (kept for the audit of its delivery, never sent);
 * `awaitsAcknowledgement`: the critical results it asks an acknowledgement for (once all are
 * acknowledged, by anyone, it is resolved for everyone).
 */
export type CareTeamNotification = {
  planId: string;
  severity: NotificationSeverity;
  resultIds?: string[];
  awaitsAcknowledgement?: string[];
} & NotificationContent;

/**
 * Tells a patient's care team: a stored notification per staff member (those who sign in
 * later see it until they have seen it) and a live `notification` to those online.
 * Members the citizen objected to (in person or by organisation) are left out.
 */
export class CareTeamNotifier {
  constructor(
    private readonly store: Store,
    private readonly events: Pick<ResultEvents, 'notify' | 'resolved'>,
  ) {}

  /** Stores and sends `n` to the team (only its members in `sectors`, if given); the number told. */
  async notify(patientId: string, n: CareTeamNotification, opts: { sectors?: Sector[] } = {}): Promise<number> {
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
    const objectedTo = (u: User) =>
      objections.some((o) => o.userId === u.id || (o.organisationId !== null && o.organisationId === u.organisationId));
    const users = (await this.store.listUsersRelatedTo({ organisationIds, userIds, patientId: null })).filter((u) => {
      if (!isStaff(u.role) || objectedTo(u)) return false;
      if (!opts.sectors) return true;
      const org = u.organisationId ? orgs.get(u.organisationId) : undefined;
      return !!org && opts.sectors.includes(org.sector);
    });
    const created = new Date().toISOString();
    // Parameters come from free text (a break-the-glass reason, a lab's or hospital's words): a
    // CPR number that slipped into them goes no further.
    const content = { kind: n.kind, params: withoutCprNumbers(n.params) } as NotificationContent;
    const rows: StoredNotification[] = users.map((u) => ({
      id: randomUUID(),
      userId: u.id,
      planId: n.planId,
      severity: n.severity,
      created,
      seen: null,
      ...(n.awaitsAcknowledgement?.length ? { resultIds: n.awaitsAcknowledgement } : {}),
      ...content,
    }));
    await this.store.results.createNotifications(rows);
    const found = await this.store.getPatient(patientId);
    const patient = found ? { id: found.id, name: found.name, cpr: found.cpr } : undefined;
    const about = { patientId, resultIds: n.resultIds ?? [] };
    for (const row of rows)
      this.events.notify(
        row.userId,
        { id: row.id, planId: n.planId, ...(patient ? { patient } : {}), severity: n.severity, ...content },
        about,
      );
    // Acknowledged while it was on its way (or before an escalation was stored): resolved at once.
    if (n.awaitsAcknowledgement?.length) await this.resolveAcknowledged(n.awaitsAcknowledgement);
    return rows.length;
  }

  /**
   * The results were acknowledged: every notification that asked about them, and whose results
   * are all acknowledged now, is resolved for everyone and leaves each member's open bells.
   */
  async resolveAcknowledged(resultIds: string[]): Promise<number> {
    const resolved = await this.store.results.resolveAcknowledgedNotifications(resultIds, new Date().toISOString());
    const byUser = new Map<string, string[]>();
    for (const r of resolved) byUser.set(r.userId, [...(byUser.get(r.userId) ?? []), r.id]);
    for (const [userId, ids] of byUser) this.events.resolved(userId, ids);
    return resolved.length;
  }
}

/** Every string in a notification's parameters, at any depth, with CPR numbers redacted. */
function withoutCprNumbers<T>(value: T): T {
  if (typeof value === 'string') return redactCprNumbers(value) as T;
  if (Array.isArray(value)) return value.map(withoutCprNumbers) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutCprNumbers(v)])) as T;
  return value;
}
