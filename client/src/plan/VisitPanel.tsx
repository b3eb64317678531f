import { useId, useState, type FormEvent } from 'react';
import type * as Y from 'yjs';
import { addNote } from '../../../shared/plan-doc.ts';
import { canAdd, canChange } from '../../../shared/permissions.ts';
import { newUuid } from '../ids.ts';
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { factsOf, textOf, todayIsoDate, useSectionEntries } from './entry.ts';
import { usePlanTeam, useReasonText } from './PlanTeamContext.tsx';
import './visit-panel.css';

const OPEN = ['planned', 'in-progress'];

/** Measurements a home-care nurse takes; each is written as a structured line in a note. */
const MEASUREMENTS = {
  bloodPressure: { unit: 'mmHg', pattern: /^\d{2,3}\/\d{2,3}$/ },
  pulse: { unit: '/min', pattern: /^\d{2,3}$/ },
  weight: { unit: 'kg', pattern: /^\d{1,3}(?:[.,]\d{1,2})?$/ },
  temperature: { unit: '°C', pattern: /^\d{2}(?:[.,]\d)?$/ },
  bloodSugar: { unit: 'mmol/l', pattern: /^\d{1,2}(?:[.,]\d)?$/ },
  saturation: { unit: '%', pattern: /^\d{2,3}$/ },
} as const;
export type MeasurementKind = keyof typeof MEASUREMENTS;
type Kind = MeasurementKind | 'note';
const KINDS: readonly Kind[] = ['bloodPressure', 'pulse', 'weight', 'temperature', 'bloodSugar', 'saturation', 'note'];

/** Is this municipality task part of today's visit (due today, or overdue and still open)? */
function onVisit(task: Y.Map<unknown>, today: string): boolean {
  const due = textOf(task, 'due');
  if (textOf(task, 'sector') !== 'municipality' || !due) return false;
  return due === today || (due < today && OPEN.includes(textOf(task, 'status')));
}

/**
 * The top of a plan opened from today's visits: the visit's tasks as large tick boxes, and a quick
 * form for a home measurement or a note. Both write into the live plan, so they work offline
 * like every other edit. Measurements go into the notes section (the nurse may write notes; the
 * self-reports section is the citizen's own, shared/permissions.ts) as a structured line:
 * "<kind>: <value> <unit>", then the comment.
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

function QuickEntry() {
  const { t, formatDateTime } = useI18n();
  const { doc, actor, user, loading } = usePlanTeam();
  const ids = { kind: useId(), value: useId(), comment: useId() };
  const [kind, setKind] = useState<Kind>('bloodPressure');
  const [value, setValue] = useState('');
  const [comment, setComment] = useState('');
  const [saved, setSaved] = useState<string | null>(null);
  const [invalid, setInvalid] = useState(false);
  const allowed = canAdd(actor, 'notes').allowed && actor.sector !== null;
  const measurement = kind === 'note' ? null : MEASUREMENTS[kind];
  const kindLabel = (k: Kind) => t(`visit.kind.${k}` as MessageKey);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!actor.sector) return;
    const text = comment.trim();
    let body: string;
    if (measurement) {
      const v = value.trim();
      if (!measurement.pattern.test(v)) {
        setInvalid(true);
        return;
      }
      body = `${t('visit.measurementLine', { kind: kindLabel(kind), value: v, unit: measurement.unit })}${text ? `\n${text}` : ''}`;
    } else {
      if (!text) return;
      body = text;
    }
    const created = new Date().toISOString();
    addNote(doc, { id: newUuid(), author: user.id, sector: actor.sector, created, body });
    setValue('');
    setComment('');
    setInvalid(false);
    setSaved(t(navigator.onLine ? 'visit.saved' : 'visit.savedOffline', { time: formatDateTime(created) }));
  };

  if (!allowed) return null;
  const ready = measurement ? value.trim().length > 0 : comment.trim().length > 0;
  return (
    <form className="quick-entry" onSubmit={submit} data-testid="quick-entry">
      <h3>{t('visit.formTitle')}</h3>
      <fieldset className="quick-entry__kinds">
        <legend>{t('visit.kind')}</legend>
        {KINDS.map((k) => (
          <label key={k} className={`quick-entry__kind${kind === k ? ' quick-entry__kind--chosen' : ''}`}>
            <input
              type="radio"
              name={ids.kind}
              value={k}
              checked={kind === k}
              onChange={() => {
                setKind(k);
                setInvalid(false);
              }}
              data-testid={`quick-kind-${k}`}
            />
            {kindLabel(k)}
          </label>
        ))}
      </fieldset>
      {measurement && (
        <div className="field quick-entry__value">
          <label htmlFor={ids.value}>{t('visit.value', { unit: measurement.unit })}</label>
          <input
            id={ids.value}
            type="text"
            inputMode={kind === 'bloodPressure' ? 'text' : 'decimal'}
            autoComplete="off"
            value={value}
            aria-invalid={invalid || undefined}
            aria-describedby={invalid ? `${ids.value}-error` : undefined}
            onChange={(e) => setValue(e.target.value)}
            data-testid="quick-value"
          />
          {invalid && (
            <p id={`${ids.value}-error`} className="field__error" role="alert">
              {t(`visit.invalid.${kind}` as MessageKey)}
            </p>
          )}
        </div>
      )}
      <div className="field">
        <label htmlFor={ids.comment}>{t(measurement ? 'visit.comment' : 'visit.noteText')}</label>
        <textarea
          id={ids.comment}
          rows={3}
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          data-testid="quick-comment"
        />
      </div>
      <button type="submit" className="button button--primary" disabled={loading || !ready} data-testid="quick-save">
        {t('visit.save')}
      </button>
      <p className="quick-entry__saved" role="status" data-testid="quick-saved">
        {saved ?? ''}
      </p>
    </form>
  );
}
