import type { Visit } from '../../../shared/api.ts';
import { useI18n } from '../i18n/index.tsx';
import type { ReadyState } from '../offline/prefetch.ts';
import { routes } from '../router.ts';

interface Props {
  visit: Visit;
  order: number;
  /** How ready the plan is to open offline (prefetch.ts); null: not kept on this device. */
  ready: ReadyState | null;
  /** When the device's copy was last synchronised with the server. */
  syncedAt: string | null;
  /** True while the list shown is the one kept on the device (no network). */
  offline: boolean;
}

/** One visit on the list: the citizen, the tasks, whether the plan is ready offline, and the way in. */
export function VisitCard({ visit, order, ready, syncedAt, offline }: Props) {
  const { t, formatDate, formatDateTime } = useI18n();
  const readyWords =
    ready === 'ready' && syncedAt
      ? t(offline ? 'visits.readyStale' : 'visits.ready', { time: formatDateTime(syncedAt) })
      : ready === 'fetching'
        ? t('visits.fetching')
        : ready === 'full'
          ? t('visits.full')
          : t('visits.notReady');
  return (
    <li className="visit-card card" data-testid="visit-card" data-plan-id={visit.planId}>
      <div className="visit-card__head">
        <span className="visit-card__order" aria-hidden="true">
          {order}
        </span>
        <div>
          <h2 className="visit-card__name">{visit.patientName}</h2>
          <p className="visit-card__plan">{visit.planTitle}</p>
          {visit.stay && (
            <p className="visit-card__stay" data-testid="visit-stay">
              {t(visit.stay.onLeave ? 'visits.onLeave' : 'visits.admitted', { place: visit.stay.place })}
            </p>
          )}
        </div>
      </div>
      <ul className="visit-card__tasks" aria-label={t('visits.tasks')}>
        {visit.tasks.map((task) => (
          <li
            key={task.id}
            className={`visit-card__task${task.status === 'done' ? ' visit-card__task--done' : ''}`}
            data-testid="visit-task"
          >
            <span>{task.title}</span>
            {task.overdue && (
              <span className="visit-card__overdue">{t('visits.overdue', { date: formatDate(task.due) })}</span>
            )}
            {task.status === 'done' && <span className="visit-card__done">{t('visit.done')}</span>}
          </li>
        ))}
      </ul>
      <p
        className={`visit-card__ready visit-card__ready--${ready ?? 'missing'}`}
        data-testid="visit-ready"
        data-state={ready ?? 'missing'}
      >
        {readyWords}
      </p>
      <a className="button button--primary visit-card__open" href={routes.visit(visit.planId)} data-testid="visit-open">
        {t('visits.open', { name: visit.patientName })}
      </a>
    </li>
  );
}
