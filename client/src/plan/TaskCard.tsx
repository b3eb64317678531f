import { useId, useState } from 'react';
import type * as Y from 'yjs';
import { canChange } from '../../../shared/permissions.ts';
import type { Sector } from '../../../shared/roles.ts';
import { useI18n } from '../i18n/index.tsx';
import { ownerName } from '../i18n/refusal-words.ts';
import { SECTORS, useChoices } from './choices.ts';
import { ConflictFlag } from './ConflictFlag.tsx';
import { conflictsOf, factsOf, textOf } from './entry.ts';
import { EntryDateField, EntrySelectField, EntryTextField } from './fields/EntryFields.tsx';
import { PermissionNote } from './fields/PermissionNote.tsx';
import { ReadValue } from './fields/ReadValue.tsx';
import { RichTextField } from './fields/RichTextField.tsx';
import { Recurrence } from '../../../shared/plan.ts';
import { usePlanTeam, useReasonText } from './PlanTeamContext.tsx';

interface Props {
  task: Y.Map<unknown>;
  /** The section-wide reason (e.g. for the citizen), when the whole board is read-only. */
  sectionReasonId: string;
  sectionReadOnly: boolean;
  onHandedOver: (taskId: string, to: Sector) => void;
}

/**
 * One task on the board. Everyone on the team edits its title, details and due date; only the
 * owning sector changes its status and assignee or hands it over to another sector.
 */
export function TaskCard({ task, sectionReasonId, sectionReadOnly, onHandedOver }: Props) {
  const { t, formatDate } = useI18n();
  const { actor, plain } = usePlanTeam();
  const { taskStatuses, labelOf } = useChoices();
  const reasonText = useReasonText();
  const ownerReasonId = useId();
  const facts = factsOf(task);
  const sector = textOf(task, 'sector');
  const may = (key: string) => canChange(actor, 'tasks', key, facts);
  const conflicts = conflictsOf(task);
  const ownerDenied = !sectionReadOnly && !may('status').allowed;
  // One line for the owner-only controls instead of one per control; each control points at it.
  const ownerNote = ownerDenied ? t('tasks.ownerOnly', { owner: ownerName(sector, t) }) : null;
  const describe = (key: string) => (sectionReadOnly ? sectionReasonId : !may(key).allowed ? ownerReasonId : undefined);

  return (
    <article
      className="entry-card task"
      tabIndex={-1}
      data-testid="task-card"
      data-task-id={textOf(task, 'id')}
      data-sector={sector}
    >
      <EntryTextField
        entry={task}
        field="title"
        label={t('tasks.taskTitle')}
        allowed={may('title').allowed}
        describedBy={describe('title')}
        maxLength={300}
        required
        wrap
        className="field--title"
        testId="task-title"
      />
      <RichTextField
        entry={task}
        field="details"
        label={t('tasks.details')}
        allowed={may('details').allowed}
        testId="task-details"
      />
      <div className="entry-card__fields entry-card__fields--narrow">
        <EntryDateField
          entry={task}
          field="due"
          label={t('tasks.due')}
          allowed={may('due').allowed}
          describedBy={describe('due')}
          testId="task-due"
          className={conflicts.due ? 'field--conflict' : undefined}
        />
        <EntrySelectField
          entry={task}
          field="status"
          label={t('tasks.status')}
          allowed={may('status').allowed}
          describedBy={describe('status')}
          choices={taskStatuses}
          testId="task-status"
          className={conflicts.status ? 'field--conflict' : undefined}
        />
        <EntryTextField
          entry={task}
          field="assignee"
          label={t('tasks.assignee')}
          allowed={may('assignee').allowed}
          describedBy={describe('assignee')}
          maxLength={100}
          wrap
          testId="task-assignee"
        />
        <RecurrenceField task={task} allowed={may('recurrence').allowed} describedBy={describe('recurrence')} />
      </div>
      {conflicts.due && (
        <ConflictFlag
          entry={task}
          field="due"
          fieldLabel={t('tasks.due')}
          conflict={conflicts.due}
          decision={may('due')}
          format={(v) => (typeof v === 'string' ? formatDate(v) : String(v))}
        />
      )}
      {conflicts.status && (
        <ConflictFlag
          entry={task}
          field="status"
          fieldLabel={t('tasks.status')}
          conflict={conflicts.status}
          decision={may('status')}
          format={labelOf(taskStatuses)}
        />
      )}
      {!(plain && sectionReadOnly) && (
        <Handover
          task={task}
          sector={sector}
          allowed={may('sector').allowed}
          describedBy={describe('sector')}
          onDone={onHandedOver}
        />
      )}
      <PermissionNote id={ownerReasonId} text={ownerNote ?? (sectionReadOnly ? null : reasonText(may('title')))} />
    </article>
  );
}

const RECURRENCES = ['', 'day', 'week', 'month'] as const;

/**
 * How often the task comes back. The owning sector chooses it; when an occurrence is done the
 * server adds the next, so the board shows each occurrence as a task of its own.
 */
function RecurrenceField({
  task,
  allowed,
  describedBy,
}: {
  task: Y.Map<unknown>;
  allowed: boolean;
  describedBy: string | undefined;
}) {
  const { t } = useI18n();
  const { loading } = usePlanTeam();
  const id = useId();
  const parsed = Recurrence.safeParse(task.get('recurrence'));
  const current = parsed.success ? parsed.data : null;
  const value = current && current.every === 1 ? current.unit : current ? 'other' : '';
  const wordOf = (r: Recurrence | null): string =>
    r === null
      ? t('tasks.recurrenceNone')
      : r.every === 1
        ? t(`tasks.recurrence.${r.unit}`)
        : t('tasks.recurrence.other', { every: r.every, unit: r.unit });
  if (!allowed)
    return (
      <ReadValue
        label={t('tasks.recurrence')}
        value={wordOf(current)}
        describedBy={describedBy}
        testId="task-recurrence"
      />
    );
  return (
    <div className="field">
      <label htmlFor={id}>{t('tasks.recurrence')}</label>
      <select
        id={id}
        value={value}
        disabled={loading}
        onChange={(e) => {
          const unit = e.target.value;
          if (unit === 'day' || unit === 'week' || unit === 'month') task.set('recurrence', { every: 1, unit });
          else if (unit === '') task.delete('recurrence');
        }}
        data-testid="task-recurrence"
      >
        {value === 'other' && <option value="other">{wordOf(current)}</option>}
        {RECURRENCES.map((r) => (
          <option key={r} value={r}>
            {r === '' ? t('tasks.recurrenceNone') : t(`tasks.recurrence.${r}`)}
          </option>
        ))}
      </select>
    </div>
  );
}

/** "Hand over to …": the owning sector gives the task to another sector's column. */
interface HandoverProps {
  task: Y.Map<unknown>;
  sector: string;
  allowed: boolean;
  describedBy: string | undefined;
  onDone: (taskId: string, to: Sector) => void;
}

function Handover({ task, sector, allowed, describedBy, onDone }: HandoverProps) {
  const { t } = useI18n();
  const { loading } = usePlanTeam();
  const selectId = useId();
  const others = SECTORS.filter((s) => s !== sector);
  const [target, setTarget] = useState<Sector | ''>('');
  const chosen = target && others.includes(target) ? target : (others[0] ?? '');
  const disabled = !allowed || loading;
  return (
    <div className="handover">
      <label htmlFor={selectId}>{t('tasks.handoverTo')}</label>
      <div className="handover__row">
        <select
          id={selectId}
          value={chosen}
          disabled={disabled}
          aria-describedby={allowed ? undefined : describedBy}
          onChange={(e) => setTarget(e.target.value as Sector)}
          data-testid="handover-target"
        >
          {others.map((s) => (
            <option key={s} value={s}>
              {t(`sector.${s}`)}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="button button--small"
          disabled={disabled || !chosen}
          aria-describedby={allowed ? undefined : describedBy}
          onClick={() => {
            if (!chosen) return;
            task.set('sector', chosen);
            onDone(textOf(task, 'id'), chosen);
          }}
          data-testid="handover-submit"
        >
          {t('tasks.handover')}
        </button>
      </div>
    </div>
  );
}
