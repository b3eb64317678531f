import { Router } from 'express';
import {
  AccessLogQuery,
  AuditQuery,
  NEXT_PAGE_HEADER,
  type AccessLogEntry,
  type AuditActorView,
  type AuditEntryView,
} from '../../../shared/audit.ts';
import { planToJson } from '../../../shared/plan-doc.ts';
import { citizenView } from '../../../shared/release.ts';
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
    const entries = await deps.store.listAudit({
      patientId: q.patientId,
      from,
      to,
      beforeSeq: q.before,
      limit: q.limit,
    });
    if (entries.length === q.limit) res.setHeader(NEXT_PAGE_HEADER, String(entries.at(-1)?.seq));
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

/** Audit rows one access-log request reads at most (its page may be shorter when many are left out). */
const ACCESS_LOG_SCAN = 5000;

/**
 * The results of the patient the citizen may see now: those their plans show them (released
 * by their delay or by a clinician; an amendment waits for its own release).
 */
async function releasedResults(deps: HttpDeps, patientId: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const plan of await deps.store.listPlansForPatient(patientId)) {
    const shown = await deps.rooms.withRoom(plan.id, (room) => citizenView(planToJson(room.doc)).results);
    for (const r of shown) if (typeof r.id === 'string') ids.add(r.id);
  }
  return ids;
}

/** The results an audit entry is about: `resultId` (acknowledged, released), `resultIds` (a notification shown). */
function resultsOf(entry: AuditEntry): string[] {
  const { resultId, resultIds } = entry.details;
  const ids = typeof resultId === 'string' ? [resultId] : [];
  if (Array.isArray(resultIds)) for (const id of resultIds) ids.push(String(id));
  return ids;
}

/**
 * One page of the citizen's access log: up to `limit` entries older than `before`, leaving out
 * those about a result the citizen may not see yet (acknowledged, released early, read: fix-b,
 * finding 3). `nextBefore`: where the next page starts, when there may be one.
 */
async function accessLogPage(
  deps: HttpDeps,
  patientId: string,
  citizenId: string,
  limit: number,
  before: number | undefined,
): Promise<{ entries: AuditEntry[]; nextBefore: number | null }> {
  let released: Set<string> | null = null;
  const entries: AuditEntry[] = [];
  let cursor = before;
  let scanned = 0;
  while (entries.length < limit && scanned < ACCESS_LOG_SCAN) {
    const chunk = Math.min(limit, ACCESS_LOG_SCAN - scanned);
    const rows = await deps.store.listAudit({ patientId, notActor: citizenId, beforeSeq: cursor, limit: chunk });
    scanned += rows.length;
    for (const row of rows) {
      cursor = row.seq;
      const about = resultsOf(row);
      if (about.length > 0) {
        released ??= await releasedResults(deps, patientId);
        const shown = released;
        if (!about.every((id) => shown.has(id))) continue;
      }
      entries.push(row);
      if (entries.length === limit) break;
    }
    if (rows.length < chunk) return { entries, nextBefore: null };
  }
  return { entries, nextBefore: cursor ?? null };
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
    const { limit, before } = parse(AccessLogQuery, req.query, 'query');
    // Accesses by people other than the citizen; the hub's own work (filing results) is not one.
    // A page at a time, newest first; entries about a result not yet released to the citizen
    // are left out (they would tell of it before a clinician has), so a page is read in chunks
    // until it is full, at most ACCESS_LOG_SCAN rows a request.
    const page = user.patientId ? await accessLogPage(deps, user.patientId, user.id, limit, before) : null;
    const entries = page?.entries ?? [];
    if (page?.nextBefore) res.setHeader(NEXT_PAGE_HEADER, String(page.nextBefore));
    deps.audit.record({
      actorId: user.id,
      action: 'access-log.read',
      patientId: user.patientId,
      outcome: 'allowed',
      details: { entries: entries.length, ...(before ? { before } : {}) },
    });
    const actors = await actorsOf(deps.store, entries);
    const body: AccessLogEntry[] = entries.map((e) => {
      const actor = e.actorId ? actors.get(e.actorId) : undefined;
      const refused = e.outcome === 'refused';
      return {
        seq: e.seq,
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
