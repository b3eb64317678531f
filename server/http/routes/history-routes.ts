import { Router } from 'express';
import * as Y from 'yjs';
import { z } from 'zod';
import type { HistoryEntry, PlanPerson } from '../../../shared/api.ts';
import { planToJson } from '../../../shared/plan-doc.ts';
import { citizenView } from '../../../shared/release.ts';
import type { PlanUpdate, User } from '../../store/records.ts';
import type { HttpDeps } from '../http-deps.ts';
import { principalOf, requireAuth } from '../authenticate.ts';
import { parse } from '../errors.ts';
import { planAccessOrThrow } from './plan-access.ts';

/** Consecutive updates of one author to the same sections closer than this are one change (typing). */
const GROUP_WINDOW_MS = 60_000;

const HistoryQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(200) });
const DocumentQuery = z.object({
  at: z.string().datetime({ offset: true, message: 'at must be an ISO 8601 time with a zone' }).optional(),
});

/**
 * Under `/plans`: the plan's history, rebuilt from the append-only update log
 * (docs/ARCHITECTURE.md, "The stores"), the plan as it was at a time, and the people it names.
 */
export function historyRoutes(deps: HttpDeps): Router {
  const router = Router();
  const auth = requireAuth(deps.access);

  router.get('/:id/history', auth, async (req, res) => {
    const access = await planAccessOrThrow(deps, principalOf(res), String(req.params.id), 'plan.history.read');
    const { limit } = parse(HistoryQuery, req.query, 'query');
    const updates = await deps.store.listUpdates(access.plan.id);
    const users = new Map<string, User | null>();
    const userOf = async (id: string | null) => {
      if (!id) return null;
      if (!users.has(id)) users.set(id, await deps.store.getUser(id));
      return users.get(id) ?? null;
    };
    const groups: { first: PlanUpdate; last: PlanUpdate; sections: Set<string> }[] = [];
    // The citizen's history leaves out the filing of results (and acknowledgements, releases):
    // a result filed but not yet released would show there first (fix-b, finding 3). The
    // citizen's results list shows each result once it is released.
    const citizen = access.via === 'citizen';
    for (const raw of updates) {
      const u = citizen ? { ...raw, sections: raw.sections.filter((s) => s !== 'results') } : raw;
      if (citizen && (u.origin === 'result' || (u.sections.length === 0 && raw.sections.length > 0))) continue;
      const g = groups.at(-1);
      if (u.origin === 'client' && u.sections.length === 0) continue; // a refused change, reverted: nothing happened
      const same =
        g && g.last.author === u.author && g.last.origin === u.origin && g.last.sections.join() === u.sections.join();
      if (g && same && Date.parse(u.time) - Date.parse(g.last.time) < GROUP_WINDOW_MS) {
        g.last = u;
        for (const s of u.sections) g.sections.add(s);
      } else {
        groups.push({ first: u, last: u, sections: new Set(u.sections) });
      }
    }
    const entries: HistoryEntry[] = [];
    for (const g of groups.slice(-limit).reverse()) {
      const user = await userOf(g.last.author);
      entries.push({
        seq: g.last.seq,
        time: g.last.time,
        author: user ? { id: user.id, name: user.name, role: user.role } : null,
        origin: g.last.origin,
        sections: [...g.sections].sort(),
      });
    }
    res.json(entries);
  });

  router.get('/:id/document', auth, async (req, res) => {
    const { at } = parse(DocumentQuery, req.query, 'query');
    const access = await planAccessOrThrow(deps, principalOf(res), String(req.params.id), 'plan.document.read');
    if (!at) {
      const json = await deps.rooms.withRoom(access.plan.id, async (room) => {
        await room.flushed();
        return planToJson(room.doc);
      });
      res.json(access.via === 'citizen' ? citizenView(json) : json);
      return;
    }
    // The plan as it was: every update stored up to that moment, replayed in order.
    const updates = await deps.store.listUpdates(access.plan.id, { until: new Date(at).toISOString() });
    const doc = new Y.Doc();
    Y.transact(doc, () => {
      for (const u of updates) Y.applyUpdate(doc, u.update);
    });
    const json = planToJson(doc);
    doc.destroy();
    res.json(access.via === 'citizen' ? citizenView(json) : json);
  });

  router.get('/:id/people', auth, async (req, res) => {
    const access = await planAccessOrThrow(deps, principalOf(res), String(req.params.id), 'plan.people.read');
    const team = await deps.store.listCareTeam(access.patient.id);
    const users = await deps.store.listUsersRelatedTo({
      organisationIds: team.flatMap((m) => (m.organisationId ? [m.organisationId] : [])),
      userIds: team.flatMap((m) => (m.userId ? [m.userId] : [])),
      patientId: access.patient.id,
    });
    const orgs = new Map((await deps.store.listOrganisations()).map((o) => [o.id, o]));
    const people: PlanPerson[] = users.map((u) => {
      const org = u.organisationId ? orgs.get(u.organisationId) : undefined;
      return { id: u.id, name: u.name, role: u.role, organisation: org?.name ?? null, sector: org?.sector ?? null };
    });
    res.json(people);
  });

  return router;
}
