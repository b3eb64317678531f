import { useMemo } from 'react';
import { GoalEntry, PlanMeta, TaskEntry } from '../../../shared/plan.ts';
import { Sector } from '../../../shared/roles.ts';
import { useI18n } from '../i18n/index.tsx';
import type { Choice } from './fields/EntryFields.tsx';

export const SECTORS = Sector.options;
const GOAL_STATUSES = GoalEntry.shape.status.options;
const TASK_STATUSES = TaskEntry.shape.status.options;
const PLAN_STATUSES = PlanMeta.shape.status.options;

/** The kinds of self-report the citizen's form offers (others, from outside clients, are shown as written). */
export const SELF_REPORT_KINDS = ['blood-pressure', 'weight', 'symptom'] as const;
export type SelfReportKind = (typeof SELF_REPORT_KINDS)[number];
export const isKnownKind = (kind: string): kind is SelfReportKind =>
  (SELF_REPORT_KINDS as readonly string[]).includes(kind);

/** The fixed value sets of the plan with their labels in the page's language. */
export function useChoices() {
  const { t } = useI18n();
  return useMemo(() => {
    const sectors: Choice[] = SECTORS.map((s) => ({ value: s, label: t(`sector.${s}`) }));
    const goalStatuses: Choice[] = GOAL_STATUSES.map((s) => ({ value: s, label: t(`goalStatus.${s}`) }));
    const taskStatuses: Choice[] = TASK_STATUSES.map((s) => ({ value: s, label: t(`taskStatus.${s}`) }));
    const planStatuses: Choice[] = PLAN_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }));
    const labelOf = (choices: readonly Choice[]) => (value: unknown) =>
      choices.find((c) => c.value === value)?.label ?? (typeof value === 'string' ? value : '');
    return { sectors, goalStatuses, taskStatuses, planStatuses, labelOf };
  }, [t]);
}
