import { Router } from 'express';
import {
  AccessLogQuery,
  AuditQuery,
  type AccessLogEntry,
  type AuditActorView,
  type AuditEntryView,
} from '../../../shared/audit.ts';
import { accessInWords } from '../../audit/access-words.ts';
import { detailsForAdministrator } from '../../audit/admin-audit.ts';
import { API_KEY_ACTOR_PREFIX } from '../../results/api-keys.ts';
import type { Store } from '../../store/store.ts';
import type { AuditEntry } from '../../store/records.ts';
import type { HttpDeps } from '../http-deps.ts';
import { principalOf, requireAuth } from '../authenticate.ts';
import { forbidden, parse } from '../errors.ts';

/** The people behind these entries, each looked up once. */
async function actorsOf(store: Store, entries: AuditEntry[]): Promise<Map<string, AuditActorView>> {
  const ids = [...new Set(entries.flatMap((e) => (e.actorId ? [e.actorId] : [])))];
  const orgs = new Map((await store.listOrganisations()).map((o) => [o.id, o.name]));
  const actors = new Map<string, AuditActorView>();
  for (const id of ids) {
    // What a system did with its API key is recorded under the key: named by its system.
    if (id.startsWith(API_KEY_ACTOR_PREFIX)) {
      const key = await store.results.getApiKey(id.slice(API_KEY_ACTOR_PREFIX.length));
      actors.set(id, {
        id,
        name: key ? `${key.system} (system)` : null,
        role: null,
        organisation: key?.organisationId ? (orgs.get(key.organisationId) ?? null) : null,
      });
      continue;
    }
    const user = await store.getUser(id);
    actors.set(id, {
      id,
      name: user?.name ?? null,
      role: user?.role ?? null,
      organisation: user?.organisationId ? (orgs.get(user.organisationId) ?? null) : null,
    });
  }
  return actors;
}

const utc = (iso: string | undefined): string | undefined =>
  iso === undefined ? undefined : new Date(iso).toISOString();

/**
 * `GET /audit`: the administrator's view of the audit log. This read, and the citizen's access
 * log below, are themselves audited, and so is every refusal. Audit entries are never changed
 * or deleted (server/audit/verify.ts, retention).
 */
export function auditRoutes(deps: HttpDeps): Router {
  const router = Router();
  router.get('/', requireAuth(deps.access), async (req, res) => {
    const { user } = principalOf(res);
    if (user.role !== 'admin') {
      const reason = 'only the administrator reads the audit log';
      deps.audit.record({ actorId: user.id, action: 'audit.read', outcome: 'refused', details: { reason } });
      throw forbidden(reason);
    }
    const q = parse(AuditQuery, req.query, 'query');
    const from = utc(q.from);
    const to = utc(q.to);
    const entries = await deps.store.listAudit({ patientId: q.patientId, from, to, limit: q.limit });
    // Filtered by patient, the read is about that patient: it shows in their access log.
    deps.audit.record({
      actorId: user.id,
      action: 'audit.read',
      patientId: q.patientId ?? null,
      outcome: 'allowed',
      details: { ...(from ? { from } : {}), ...(to ? { to } : {}), limit: q.limit, entries: entries.length },
    });
    const actors = await actorsOf(deps.store, entries);
    const body: AuditEntryView[] = entries.map((e) => ({
      seq: e.seq,
      time: e.time,
      actor: e.actorId ? (actors.get(e.actorId) ?? null) : null,
      action: e.action,
      outcome: e.outcome,
      patientId: e.patientId,
      planId: e.planId,
      // Clinical free text (break-the-glass reasons) is the care team's, not the administrator's.
      details: detailsForAdministrator(e),
    }));
    res.json(body);
  });
  return router;
}

/** `GET /me/access-log`: the citizen's view of who accessed their record. */
export function accessLogRoutes(deps: HttpDeps): Router {
  const router = Router();
  router.get('/', requireAuth(deps.access), async (req, res) => {
    const { user } = principalOf(res);
    if (user.role !== 'citizen') {
      const reason = 'the access log is the citizen’s own view of who accessed their record';
      deps.audit.record({ actorId: user.id, action: 'access-log.read', outcome: 'refused', details: { reason } });
      throw forbidden(reason);
    }
    const { limit } = parse(AccessLogQuery, req.query, 'query');
    // Accesses by people other than the citizen; the hub's own work (filing results) is not one.
    const entries = user.patientId
      ? await deps.store.listAudit({ patientId: user.patientId, notActor: user.id, limit })
      : [];
    deps.audit.record({
      actorId: user.id,
      action: 'access-log.read',
      patientId: user.patientId,
      outcome: 'allowed',
      details: { entries: entries.length },
    });
    const actors = await actorsOf(deps.store, entries);
    const body: AccessLogEntry[] = entries.map((e) => {
      const actor = e.actorId ? actors.get(e.actorId) : undefined;
      const refused = e.outcome === 'refused';
      return {
        time: e.time,
        person: actor?.name ?? 'an unknown user',
        role: actor?.role ?? null,
        organisation: actor?.organisation ?? null,
        action: accessInWords(e.action, refused),
        actionCode: e.action,
        planId: e.planId,
        breakTheGlass: e.details.breakTheGlass === true,
        refused,
      };
    });
    res.json(body);
  });

  return router;
}
