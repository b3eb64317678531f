import { useEffect, useId, useState } from 'react';
import { newEntry, richText, sectionOf } from '../../../shared/plan-doc.ts';
import { canAdd, canChange } from '../../../shared/permissions.ts';
import type { Sector } from '../../../shared/roles.ts';
import { newUuid } from '../ids.ts';
import { useI18n } from '../i18n/index.tsx';
import { SECTORS, useChoices } from './choices.ts';
import { Composer } from './Composer.tsx';
import { keyOf, textOf, useSectionEntries } from './entry.ts';
import { PlanSection } from './PlanSection.tsx';
import { usePlanTeam, useReasonText } from './PlanTeamContext.tsx';
import { TaskCard } from './TaskCard.tsx';

/**
 * The tasks as a board with one column per sector, so a handover is visible: when the owning
 * sector hands a task over, it moves to the other sector's column in every open copy.
 */
export function TaskBoard() {
  const { t } = useI18n();
  const { doc, actor, plain } = usePlanTeam();
  const reasonText = useReasonText();
  const reasonId = useId();
  const tasks = useSectionEntries(doc, 'tasks');
  const sectionDecision = canChange(actor, 'tasks', 'title', {});
  const [announcement, setAnnouncement] = useState('');
  const [moved, setMoved] = useState<string | null>(null);

  // After a handover the card lives in another column: keep the keyboard user on it.
  useEffect(() => {
    if (!moved) return;
    document.querySelector<HTMLElement>(`[data-testid="task-card"][data-task-id="${CSS.escape(moved)}"]`)?.focus();
  }, [moved]);

  const onHandedOver = (taskId: string, to: Sector) => {
    setAnnouncement(t('tasks.handedOver', { sector: t(`sector.${to}`) }));
    setMoved(taskId);
  };

  return (
    <PlanSection
      name="tasks"
      title={t('tasks.title')}
      hint={plain ? t('tasks.plainHint') : undefined}
      reason={reasonText(sectionDecision)}
      reasonId={reasonId}
    >
      {!plain && <TaskComposer allowed={canAdd(actor, 'tasks').allowed} reasonId={reasonId} />}
      <div className="task-board" data-testid="task-board">
        {SECTORS.map((sector) => {
          const column = tasks.filter((task) => textOf(task, 'sector') === sector);
          const headingId = `task-column-${sector}`;
          const mine = actor.sector === sector;
          return (
            <section
              key={sector}
              className={`task-column task-column--${sector}`}
              aria-labelledby={headingId}
              data-testid="task-column"
              data-sector={sector}
            >
              <h3 id={headingId} className="task-column__title">
                <span className={`sector-tag sector-tag--${sector}`}>{t(`sector.${sector}`)}</span>
                <span className="task-column__count">{t('tasks.count', { count: column.length })}</span>
                {mine && <span className="task-column__mine">{t('tasks.yourSector')}</span>}
              </h3>
              {column.length === 0 ? (
                <p className="muted task-column__empty">{t('tasks.emptyColumn')}</p>
              ) : (
                <ul className="task-column__list">
                  {column.map((task) => (
                    <li key={keyOf(task, tasks.indexOf(task))}>
                      <TaskCard
                        task={task}
                        sectionReasonId={reasonId}
                        sectionReadOnly={!sectionDecision.allowed}
                        onHandedOver={onHandedOver}
                      />
                    </li>
                  ))}
                </ul>
              )}
            </section>
          );
        })}
      </div>
      <p className="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </p>
    </PlanSection>
  );
}

function TaskComposer({ allowed, reasonId }: { allowed: boolean; reasonId: string }) {
  const { t } = useI18n();
  const { doc, actor, loading } = usePlanTeam();
  const { sectors } = useChoices();
  const ids = { title: useId(), details: useId(), sector: useId(), assignee: useId(), due: useId() };
  const [title, setTitle] = useState('');
  const [details, setDetails] = useState('');
  const [sector, setSector] = useState<Sector>(actor.sector ?? 'hospital');
  const [assignee, setAssignee] = useState('');
  const [due, setDue] = useState('');

  const submit = () => {
    if (!title.trim()) return false;
    sectionOf(doc, 'tasks').push([
      newEntry({
        id: newUuid(),
        title: title.trim(),
        details: richText(details.trim()),
        sector,
        assignee: assignee.trim() || undefined,
        due: due || undefined,
        status: 'planned',
      }),
    ]);
    setTitle('');
    setDetails('');
    setAssignee('');
    setDue('');
    return true;
  };

  return (
    <Composer
      summary={t('tasks.add')}
      submitLabel={t('tasks.addSubmit')}
      allowed={allowed}
      describedBy={reasonId}
      onSubmit={submit}
      disabled={loading || !title.trim()}
      testId="task-composer"
    >
      <div className="entry-card__fields">
        <div className="field field--wide">
          <label htmlFor={ids.title}>{t('tasks.taskTitle')}</label>
          <input
            id={ids.title}
            type="text"
            required
            maxLength={300}
            value={title}
            onChange={(e) => setTitle(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.sector}>{t('tasks.owner')}</label>
          <select id={ids.sector} value={sector} onChange={(e) => setSector(e.target.value as Sector)}>
            {sectors.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.assignee}>{t('tasks.assignee')}</label>
          <input
            id={ids.assignee}
            type="text"
            maxLength={100}
            value={assignee}
            onChange={(e) => setAssignee(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.due}>{t('tasks.due')}</label>
          <input id={ids.due} type="date" value={due} onChange={(e) => setDue(e.target.value)} />
        </div>
      </div>
      <div className="field">
        <label htmlFor={ids.details}>{t('tasks.details')}</label>
        <textarea id={ids.details} rows={2} value={details} onChange={(e) => setDetails(e.target.value)} />
      </div>
    </Composer>
  );
}
