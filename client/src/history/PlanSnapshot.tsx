import type { PlanDocumentJson } from '../../../shared/plan.ts';
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { SECTORS, useChoices } from '../plan/choices.ts';
import { str } from './json.ts';
import { SnapshotMeasurements } from './SnapshotMeasurements.tsx';
import { SnapshotResults, SnapshotSelfReports, SnapshotTable } from './SnapshotTables.tsx';

type Entry = Record<string, unknown>;

function Fact({ label, value }: { label: string; value: string }) {
  if (!value) return null;
  return (
    <div className="snapshot-fact">
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

interface Props {
  plan: PlanDocumentJson;
  names: ReadonlyMap<string, string>;
  /** The citizen's reading: plain-language hints, and their measurements shown elsewhere. */
  citizen?: boolean;
}

/** The plan as it was at a moment, read-only: the JSON of `GET /plans/:id/document?at=`. */
export function PlanSnapshot({ plan, names, citizen = false }: Props) {
  const { t, tDynamic, formatDate, formatDateTime } = useI18n();
  const hint = (key: MessageKey) => (citizen ? t(key) : undefined);
  const hintLine = (key: MessageKey) => (citizen ? <p className="plan-section__hint">{t(key)}</p> : null);
  const { goalStatuses, taskStatuses, planStatuses, labelOf } = useChoices();
  const date = (entry: Entry, key: string) => (str(entry, key) ? formatDate(str(entry, key)) : '');
  const sector = (value: string) => (value ? tDynamic(`sector.${value}`, 'sector.unknown') : '');

  return (
    <div className="snapshot" data-testid="plan-snapshot">
      <section className="snapshot-section" aria-labelledby="snap-meta">
        <h3 id="snap-meta" className="visually-hidden">
          {t('meta.title')}
        </h3>
        <p className="snapshot__title" data-testid="snapshot-title">
          {plan.meta.title ?? ''}
        </p>
        <dl className="snapshot-facts">
          <Fact label={t('meta.status')} value={labelOf(planStatuses)(plan.meta.status)} />
          <Fact
            label={t('meta.conditions')}
            value={(plan.meta.conditions ?? []).map((c) => c.display || c.code).join(', ')}
          />
        </dl>
      </section>

      <section className="snapshot-section" aria-labelledby="snap-goals">
        <h3 id="snap-goals">{t('section.goals')}</h3>
        {hintLine('goals.plainHint')}
        {plan.goals.length === 0 ? (
          <p className="muted">{t('goals.empty')}</p>
        ) : (
          <ul className="entry-list">
            {plan.goals.map((goal, i) => (
              <li key={str(goal, 'id') || i} className="entry-card" data-testid="snapshot-goal">
                <p className="snapshot__text">{str(goal, 'description')}</p>
                <dl className="snapshot-facts">
                  <Fact label={t('goals.target')} value={str(goal, 'target')} />
                  <Fact label={t('goals.due')} value={date(goal, 'due')} />
                  <Fact label={t('goals.status')} value={labelOf(goalStatuses)(goal.status)} />
                  <Fact label={t('goals.sector')} value={sector(str(goal, 'sector'))} />
                </dl>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="snapshot-section" aria-labelledby="snap-tasks">
        <h3 id="snap-tasks">{t('section.tasks')}</h3>
        {hintLine('tasks.plainHint')}
        <div className="task-board">
          {SECTORS.map((s) => {
            const column = plan.tasks.filter((task) => task.sector === s);
            return (
              <section
                key={s}
                className="task-column"
                aria-label={t(`sector.${s}`)}
                data-testid="snapshot-task-column"
                data-sector={s}
              >
                <h4 className="task-column__title">
                  <span className={`sector-tag sector-tag--${s}`}>{t(`sector.${s}`)}</span>
                  <span className="task-column__count">{t('tasks.count', { count: column.length })}</span>
                </h4>
                <ul className="task-column__list">
                  {column.map((task, i) => (
                    <li
                      key={str(task, 'id') || i}
                      className="entry-card"
                      data-testid="snapshot-task"
                      data-task-id={str(task, 'id')}
                      data-sector={s}
                    >
                      <p className="snapshot__task-title">{str(task, 'title')}</p>
                      {str(task, 'details') && <p className="snapshot__text">{str(task, 'details')}</p>}
                      <dl className="snapshot-facts">
                        <Fact label={t('tasks.status')} value={labelOf(taskStatuses)(task.status)} />
                        <Fact label={t('tasks.due')} value={date(task, 'due')} />
                        <Fact label={t('tasks.assignee')} value={str(task, 'assignee')} />
                      </dl>
                    </li>
                  ))}
                </ul>
              </section>
            );
          })}
        </div>
      </section>

      <SnapshotTable
        title={t('section.medications')}
        hint={hint('medications.plainHint')}
        empty={t('medications.empty')}
        rows={plan.medications}
        testId="snapshot-medications"
        columns={[
          { label: t('medications.drug'), value: (m) => str(m, 'drug') },
          { label: t('medications.dose'), value: (m) => str(m, 'dose'), nowrap: true },
          { label: t('medications.route'), value: (m) => str(m, 'route') },
          { label: t('medications.frequency'), value: (m) => str(m, 'frequency') },
          { label: t('medications.start'), value: (m) => date(m, 'start'), nowrap: true },
          { label: t('medications.stop'), value: (m) => date(m, 'stop'), nowrap: true },
          { label: t('medications.note'), value: (m) => str(m, 'note') },
        ]}
      />

      {!citizen && <SnapshotSelfReports rows={plan.selfReports} title={t('section.selfReports')} />}

      <SnapshotMeasurements rows={plan.measurements} hint={hint('measure.plainHint')} />

      {/* The citizen's page shows their released results on their own (timeline and trends). */}
      {!citizen && <SnapshotResults results={plan.results} hint={hint('results.plainHint')} />}

      <section className="snapshot-section" aria-labelledby="snap-notes">
        <h3 id="snap-notes">{t('section.notes')}</h3>
        {hintLine('notes.plainHint')}
        {plan.notes.length === 0 ? (
          <p className="muted">{t('notes.empty')}</p>
        ) : (
          <ol className="journal__list">
            {[...plan.notes]
              .sort((a, b) => (Date.parse(str(b, 'created')) || 0) - (Date.parse(str(a, 'created')) || 0))
              .map((note, i) => (
                <li key={str(note, 'id') || i} className="card note" data-testid="snapshot-note">
                  <p className="note__meta">
                    <span className="note__author">{names.get(str(note, 'author')) ?? t('notes.unknownAuthor')}</span>
                    <span className={`sector-tag sector-tag--${str(note, 'sector')}`}>
                      {sector(str(note, 'sector'))}
                    </span>
                    {str(note, 'created') && (
                      <time dateTime={str(note, 'created')}>{formatDateTime(str(note, 'created'))}</time>
                    )}
                  </p>
                  <p className="note__body">{str(note, 'body')}</p>
                </li>
              ))}
          </ol>
        )}
      </section>
    </div>
  );
}
