import type { PlanDocumentJson } from './plan.ts';

/**
 * Release of results to the citizen. As in Danish practice, a result reaches the citizen after
 * a delay (default 3 days; 7 for pathology and imaging) unless a clinician releases it
 * earlier, so that serious news is given by a clinician first. A result without a release time
 * is not shown to the citizen.
 */
function isReleasedToCitizen(entry: Readonly<Record<string, unknown>>, now: Date = new Date()): boolean {
  const releaseAt = entry.releaseAt;
  return typeof releaseAt === 'string' && Date.parse(releaseAt) <= now.getTime();
}

/** The plan as its citizen may see it: every section, but only released results. */
export function citizenView(plan: PlanDocumentJson, now: Date = new Date()): PlanDocumentJson {
  return { ...plan, results: plan.results.filter((r) => isReleasedToCitizen(r, now)) };
}
