import type * as Y from 'yjs';
import { canChange } from '../../../shared/permissions.ts';
import { useI18n } from '../i18n/index.tsx';
import { factsOf, textOf, todayIsoDate, useSectionEntries } from './entry.ts';
import { usePlanTeam, useReasonText } from './PlanTeamContext.tsx';
import { QuickEntry } from './QuickEntry.tsx';
import './visit-panel.css';

const OPEN = ['planned', 'in-progress'];

/** Is this municipality task part of today's visit (due today, or overdue and still open)? */
function onVisit(task: Y.Map<unknown>, today: string): boolean {
  const due = textOf(task, 'due');
  if (textOf(task, 'sector') !== 'municipality' || !due) return false;
  return due === today || (due < today && OPEN.includes(textOf(task, 'status')));
}

/**
 * The top of a plan opened from today's visits: the visit's tasks as large tick boxes, and a quick
 * form for a home measurement or a note (QuickEntry). Both write into the live plan, so they work
 * offline like every other edit. Measurements go into the `measurements` section as data.
 */
export function VisitPanel({ planId, patientName }: { planId: string; patientName: string }) {
  const { t } = useI18n();
  const { doc, actor, loading } = usePlanTeam();
  const tasks = useSectionEntries(doc, 'tasks');
  const today = todayIsoDate();
  const visitTasks = tasks.filter((task) => onVisit(task, today));
  const reasonText = useReasonText();

  return (
    <section
      className="visit-panel card"
      aria-labelledby="visit-panel-title"
      data-testid="visit-panel"
      data-plan-id={planId}
    >
      <h2 id="visit-panel-title" tabIndex={-1}>
        {t('visit.title', { name: patientName })}
      </h2>
      <h3>{t('visit.tasksTitle')}</h3>
      {visitTasks.length === 0 ? (
        <p className="muted" data-testid="visit-no-tasks">
          {t('visit.noTasks')}
        </p>
      ) : (
        <ul className="visit-tasks">
          {visitTasks.map((task) => {
            const decision = canChange(actor, 'tasks', 'status', factsOf(task));
            const done = textOf(task, 'status') === 'done';
            const id = textOf(task, 'id');
            const reason = reasonText(decision);
            return (
              <li key={id} className="visit-task">
                <label
                  className={`visit-task__tick${done ? ' visit-task__tick--done' : ''}`}
                  data-testid="visit-task-tick"
                  data-task-id={id}
                >
                  <input
                    type="checkbox"
                    checked={done}
                    disabled={loading || !decision.allowed}
                    onChange={(e) => task.set('status', e.target.checked ? 'done' : 'in-progress')}
                    data-testid="visit-task-done"
                  />
                  <span className="visit-task__title">{textOf(task, 'title')}</span>
                  {textOf(task, 'due') < today && <span className="visit-task__overdue">{t('visit.overdue')}</span>}
                </label>
                {reason && <p className="hint">{reason}</p>}
              </li>
            );
          })}
        </ul>
      )}
      <QuickEntry />
    </section>
  );
}
