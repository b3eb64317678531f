import { useEffect, useState } from 'react';
import type { PlanPerson } from '../../../shared/api.ts';
import { getPlanPeople, isAbort } from '../api.ts';
import { keepPlanPeople, keptPlanPeople } from '../offline/device.ts';

/**
 * The plan's people (care-team staff and the citizen), to put names to user ids in notes and
 * conflicts; kept on the device, so names show offline too. A failure with nothing kept leaves
 * the list empty: names then come from presence only.
 */
export function usePlanPeople(token: string, planId: string): readonly PlanPerson[] {
  const [people, setPeople] = useState<readonly PlanPerson[]>(() => keptPlanPeople(planId) ?? []);
  useEffect(() => {
    const controller = new AbortController();
    getPlanPeople(token, planId, controller.signal)
      .then((fresh) => {
        keepPlanPeople(planId, fresh);
        setPeople(fresh);
      })
      .catch((err: unknown) => {
        if (!isAbort(err)) setPeople(keptPlanPeople(planId) ?? []);
      });
    return () => controller.abort();
  }, [token, planId]);
  return people;
}
