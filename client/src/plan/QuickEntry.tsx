import { useId, useRef, useState, type FormEvent } from 'react';
import {
  MEASUREMENT_KINDS,
  MEASUREMENTS,
  type MeasurementKind,
  type MeasurementValue,
} from '../../../shared/measurements.ts';
import { addNote, newEntry, sectionOf } from '../../../shared/plan-doc.ts';
import { canAdd } from '../../../shared/permissions.ts';
import { newUuid } from '../ids.ts';
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { usePlanTeam } from './PlanTeamContext.tsx';
import { useReadingWords } from './readingWords.ts';

type Kind = MeasurementKind | 'note';
const KINDS: readonly Kind[] = [...MEASUREMENT_KINDS, 'note'];

/** A reading checked against its kind's ranges (shared/measurements.ts), waiting for the nurse to confirm. */
interface Unusual {
  kind: MeasurementKind;
  value: MeasurementValue;
  message: string;
}

/**
 * The visit panel's quick form: a home measurement into the plan's `measurements` section as
 * data (code, UCUM unit, time; the server stamps who measured), or a note. A reading that
 * cannot be true is refused with the range it must be in; one that is possible but unusual is
 * saved only once the nurse confirms it. Both write into the live plan, so they work offline.
 */
export function QuickEntry() {
  const { t, formatDateTime } = useI18n();
  const { doc, actor, user, loading } = usePlanTeam();
  const ids = { kind: useId(), value: useId(), comment: useId() };
  const valueRef = useRef<HTMLInputElement | null>(null);
  const [kind, setKind] = useState<Kind>('bloodPressure');
  const [value, setValue] = useState('');
  const [comment, setComment] = useState('');
  const [saved, setSaved] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [unusual, setUnusual] = useState<Unusual | null>(null);
  const measurement = kind === 'note' ? null : MEASUREMENTS[kind];
  const mayMeasure = canAdd(actor, 'measurements').allowed;
  const mayNote = canAdd(actor, 'notes').allowed && actor.sector !== null;
  const words = useReadingWords();
  const kindLabel = (k: Kind) => t(`visit.kind.${k}` as MessageKey);
  const unitOf = words.unitOf;

  const done = (message: MessageKey) => {
    setValue('');
    setComment('');
    setProblem(null);
    setUnusual(null);
    setSaved(t(message, { time: formatDateTime(new Date().toISOString()) }));
  };

  const saveMeasurement = (k: MeasurementKind, reading: MeasurementValue) => {
    const def = MEASUREMENTS[k];
    const text = comment.trim();
    sectionOf(doc, 'measurements').push([
      newEntry({
        id: newUuid(),
        code: def.code,
        value: reading,
        unit: def.unit,
        effective: new Date().toISOString(),
        status: 'final',
        comment: text ? text.slice(0, 2000) : undefined,
      }),
    ]);
    done(navigator.onLine ? 'measure.saved' : 'measure.savedOffline');
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(null);
    if (kind === 'note') {
      const text = comment.trim();
      if (!text || !actor.sector) return;
      const created = new Date().toISOString();
      addNote(doc, { id: newUuid(), author: user.id, sector: actor.sector, created, body: text });
      done(navigator.onLine ? 'visit.saved' : 'visit.savedOffline');
      return;
    }
    const check = words.check(kind, value);
    if (check.level === 'refused') {
      setUnusual(null);
      setProblem(check.message);
      return;
    }
    if (check.level === 'unusual') {
      setProblem(null);
      setUnusual({ kind, value: check.value, message: check.message });
      return;
    }
    saveMeasurement(kind, check.value);
  };

  if (!mayMeasure && !mayNote) return null;
  const kinds = KINDS.filter((k) => (k === 'note' ? mayNote : mayMeasure));
  const ready = measurement ? value.trim().length > 0 : comment.trim().length > 0;
  return (
    <form className="quick-entry" onSubmit={submit} data-testid="quick-entry">
      <h3>{t('visit.formTitle')}</h3>
      <fieldset className="quick-entry__kinds">
        <legend>{t('visit.kind')}</legend>
        {kinds.map((k) => (
          <label key={k} className={`quick-entry__kind${kind === k ? ' quick-entry__kind--chosen' : ''}`}>
            <input
              type="radio"
              name={ids.kind}
              value={k}
              checked={kind === k}
              onChange={() => {
                setKind(k);
                setProblem(null);
                setUnusual(null);
              }}
              data-testid={`quick-kind-${k}`}
            />
            {kindLabel(k)}
          </label>
        ))}
      </fieldset>
      {measurement && kind !== 'note' && (
        <div className="field quick-entry__value">
          <label htmlFor={ids.value}>{t('visit.value', { unit: unitOf(kind) })}</label>
          <input
            id={ids.value}
            ref={valueRef}
            type="text"
            inputMode={kind === 'bloodPressure' ? 'text' : 'decimal'}
            autoComplete="off"
            value={value}
            aria-invalid={problem ? true : undefined}
            aria-describedby={problem ? `${ids.value}-error` : unusual ? `${ids.value}-unusual` : undefined}
            onChange={(e) => {
              setValue(e.target.value);
              setUnusual(null);
            }}
            data-testid="quick-value"
          />
          {problem && (
            <p id={`${ids.value}-error`} className="field__error" role="alert" data-testid="quick-problem">
              {problem}
            </p>
          )}
          {unusual && (
            <div className="quick-entry__unusual" role="alert" data-testid="quick-unusual">
              <p id={`${ids.value}-unusual`}>{unusual.message}</p>
              <div className="quick-entry__unusual-actions">
                <button
                  type="button"
                  className="button button--primary"
                  onClick={() => saveMeasurement(unusual.kind, unusual.value)}
                  data-testid="quick-confirm"
                >
                  {t('measure.confirm')}
                </button>
                <button
                  type="button"
                  className="button"
                  onClick={() => {
                    setUnusual(null);
                    valueRef.current?.focus();
                  }}
                >
                  {t('measure.correct')}
                </button>
              </div>
            </div>
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
      <button
        type="submit"
        className="button button--primary"
        disabled={loading || !ready || unusual !== null}
        data-testid="quick-save"
      >
        {t('visit.save')}
      </button>
      <p className="quick-entry__saved" role="status" data-testid="quick-saved">
        {saved ?? ''}
      </p>
    </form>
  );
}
