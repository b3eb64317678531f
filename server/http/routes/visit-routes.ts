import { Router } from 'express';
import * as Y from 'yjs';
import { VisitsQuery, type Visit, type VisitTask, type VisitsResponse } from '../../../shared/api.ts';
import { metaOf, sectionOf } from '../../../shared/plan-doc.ts';
import { ResultEntry, TaskEntry } from '../../../shared/plan.ts';
import type { HttpDeps } from '../http-deps.ts';
import { principalOf, requireAuth } from '../authenticate.ts';
import { forbidden, parse } from '../errors.ts';

const OPEN_STATUSES: readonly string[] = ['planned', 'in-progress'];

/** The server's calendar day, when the tablet did not say which day it is. */
function localDate(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** Municipality-owned tasks of one plan that belong on `date`'s visit. */
function visitTasks(doc: Y.Doc, date: string): VisitTask[] {
  const tasks: VisitTask[] = [];
  for (const entry of sectionOf(doc, 'tasks').toArray()) {
    if (!(entry instanceof Y.Map)) continue;
    const parsed = TaskEntry.pick({
      id: true,
      title: true,
      sector: true,
      due: true,
      status: true,
      assignee: true,
    }).safeParse(entry.toJSON());
    if (!parsed.success) continue; // an entry that breaks the schema is shown in the plan, not on the visit list
    const task = parsed.data;
    if (task.sector !== 'municipality' || !task.due) continue;
    const overdue = task.due < date && OPEN_STATUSES.includes(task.status);
    if (task.due !== date && !overdue) continue;
    tasks.push({
      id: task.id,
      title: task.title,
      due: task.due,
      status: task.status,
      assignee: task.assignee ?? null,
      overdue,
    });
  }
  return tasks.sort((a, b) => a.due.localeCompare(b.due) || a.title.localeCompare(b.title, 'da'));
}

/**
 * Whether the citizen is in hospital: the newest hospital notification in the plan (a
 * cancelled one does not count) says admitted or on leave, and not died.
 */
export function stayOf(doc: Y.Doc): { place: string; onLeave: boolean } | null {
  let newest: { at: string; place: string; status: string; deceased: boolean } | null = null;
  for (const entry of sectionOf(doc, 'results').toArray()) {
    if (!(entry instanceof Y.Map)) continue;
    const parsed = ResultEntry.safeParse(entry.toJSON());
    if (!parsed.success || !parsed.data.encounter) continue;
    const r = parsed.data;
    if (r.status === 'entered-in-error' || r.status === 'cancelled' || !r.encounter) continue;
    const at = r.effective ?? r.filed ?? '';
    if (newest && newest.at > at) continue;
    newest = { at, place: r.text ?? '', status: r.encounter.status, deceased: r.encounter.deceased };
  }
  if (!newest || newest.deceased) return null;
  if (newest.status !== 'in-progress' && newest.status !== 'onleave') return null;
  return { place: newest.place, onLeave: newest.status === 'onleave' };
}

/**
 * `/visits`: `GET /visits/today`, the home visits of a municipal nurse (issue 6). Only staff of a
 * municipality organisation have home visits; others get 403. Only patients on the caller's
 * care team (not break-the-glass ones, not those who objected) are listed, and each listed
 * patient is audited as a read, like the patient list.
 */
export function visitRoutes(deps: HttpDeps): Router {
  const router = Router();
  router.use(requireAuth(deps.access));

  router.get('/today', async (req, res) => {
    const principal = principalOf(res);
    const { date: asked } = parse(VisitsQuery, req.query, 'query');
    if (principal.organisation?.sector !== 'municipality')
      throw forbidden('home visits are planned for municipal care staff only');
    const date = asked ?? localDate();
    const { user } = principal;
    const patients = await deps.store.listPatientsForStaff(user.id, user.organisationId);
    const visits: Visit[] = [];
    for (const patient of patients) {
      const access = await deps.access.patientAccess(principal, patient.id);
      if (!access.ok || access.via !== 'care_team') continue;
      for (const plan of await deps.store.listPlansForPatient(patient.id)) {
        if (plan.status !== 'active') continue;
        const found = await deps.rooms.withRoom(plan.id, async (room) => {
          const title = metaOf(room.doc).get('title');
          return {
            tasks: visitTasks(room.doc, date),
            stay: stayOf(room.doc),
            title: typeof title === 'string' && title ? title : plan.title,
          };
        });
        // A citizen in hospital is listed even without a task today: the nurse must not go there.
        if (found.tasks.length === 0 && !found.stay) continue;
        visits.push({
          patientId: patient.id,
          patientName: patient.name,
          planId: plan.id,
          planTitle: found.title,
          tasks: found.tasks,
          stay: found.stay,
        });
        deps.audit.record({
          actorId: user.id,
          action: 'visits.list',
          patientId: patient.id,
          planId: plan.id,
          outcome: 'allowed',
          details: {},
        });
      }
    }
    const hasOverdue = (v: Visit) => (v.tasks.some((t) => t.overdue) ? 0 : 1);
    visits.sort(
      (a, b) =>
        hasOverdue(a) - hasOverdue(b) ||
        a.patientName.localeCompare(b.patientName, 'da') ||
        a.planTitle.localeCompare(b.planTitle, 'da'),
    );
    const body: VisitsResponse = { date, visits };
    res.json(body);
  });

  return router;
}
