import { useEffect, useState } from 'react';
import type { PlanPerson } from '../../../shared/api.ts';
import { getPlanPeople, isAbort } from '../api.ts';

/**
 * The plan's people (care-team staff and the citizen), to put names to user ids in notes and
 * conflicts. A failure leaves the list empty: names then come from presence only.
 */
export function usePlanPeople(token: string, planId: string): readonly PlanPerson[] {
  const [people, setPeople] = useState<readonly PlanPerson[]>([]);
  useEffect(() => {
    const controller = new AbortController();
    getPlanPeople(token, planId, controller.signal)
      .then(setPeople)
      .catch((err: unknown) => {
        if (!isAbort(err)) setPeople([]);
      });
    return () => controller.abort();
  }, [token, planId]);
  return people;
}
