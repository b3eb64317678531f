import type { PlanPerson } from '../../../shared/api.ts';
import type { HttpDeps } from '../http-deps.ts';

/** The people a plan names: its care team's staff and the citizen (names for notes and conflicts). */
export async function planPeople(deps: HttpDeps, patientId: string): Promise<PlanPerson[]> {
  const team = await deps.store.listCareTeam(patientId);
  const users = await deps.store.listUsersRelatedTo({
    organisationIds: team.flatMap((m) => (m.organisationId ? [m.organisationId] : [])),
    userIds: team.flatMap((m) => (m.userId ? [m.userId] : [])),
    patientId,
  });
  const orgs = new Map((await deps.store.listOrganisations()).map((o) => [o.id, o]));
  return users.map((u) => {
    const org = u.organisationId ? orgs.get(u.organisationId) : undefined;
    return { id: u.id, name: u.name, role: u.role, organisation: org?.name ?? null, sector: org?.sector ?? null };
  });
}
