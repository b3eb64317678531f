import { useId, useRef, useState, type FormEvent } from 'react';
import type * as Y from 'yjs';
import { measurementKindOf, type MeasurementValue } from '../../../../shared/measurements.ts';
import { sectionOf } from '../../../../shared/plan-doc.ts';
import { useI18n } from '../../i18n/index.tsx';
import { usePlanTeam } from '../PlanTeamContext.tsx';
import { useReadingWords } from '../readingWords.ts';
import type { ResultItem } from './model.ts';

type Mode = 'idle' | 'amend' | 'error';

/** The live entry of the plan's `measurements` section with this id. */
function entryOf(doc: Y.Doc, id: string): Y.Map<unknown> | undefined {
  return sectionOf(doc, 'measurements')
    .toArray()
    .find((e) => e.get('id') === id);
}

/**
 * What the one who measured does with their own measurement (issue 16): amend its value (checked
 * as in the visit panel: an impossible value is refused, an unusual one confirmed) or mark it
 * entered-in-error. Only the value, or only the status, is written: the server keeps what was
 * replaced in `previous` and marks the entry amended itself (server/collab/measurement-stamps.ts).
 * Offered to the performer only, never in a read-only or embedded plan, and not once withdrawn.
 */
export function MeasurementActions({ item }: { item: ResultItem }) {
  const { t } = useI18n();
  const { doc, user, readOnly, embedded, loading } = usePlanTeam();
  const words = useReadingWords();
  const ids = { value: useId() };
  const valueRef = useRef<HTMLInputElement | null>(null);
  const [mode, setMode] = useState<Mode>('idle');
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [unusual, setUnusual] = useState<{ value: MeasurementValue; message: string } | null>(null);
  const kind = measurementKindOf(item.code);
  const mine =
    item.kind === 'measurement' &&
    item.source !== 'citizen' &&
    item.performerUser !== '' &&
    item.performerUser === user.id &&
    !readOnly &&
    !embedded &&
    item.status !== 'entered-in-error';
  if (!mine) return null;

  const reset = () => {
    setMode('idle');
    setProblem(null);
    setUnusual(null);
  };
  const write = (change: (entry: Y.Map<unknown>) => void) => {
    const entry = entryOf(doc, item.id);
    if (entry) doc.transact(() => change(entry));
    reset();
  };
  const amend = (value: MeasurementValue) => write((entry) => entry.set('value', value));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!kind) return;
    const check = words.check(kind, text);
    if (check.level === 'refused') {
      setUnusual(null);
      setProblem(check.message);
    } else if (check.level === 'unusual') {
      setProblem(null);
      setUnusual({ value: check.value, message: check.message });
    } else amend(check.value);
  };

  if (mode === 'amend' && kind)
    return (
      <form
        className="measurement-actions measurement-actions--amend"
        onSubmit={submit}
        data-testid="measurement-amend-form"
      >
        <div className="field">
          <label htmlFor={ids.value}>{t('visit.value', { unit: words.unitOf(kind) })}</label>
          <input
            id={ids.value}
            ref={valueRef}
            type="text"
            inputMode={kind === 'bloodPressure' ? 'text' : 'decimal'}
            autoComplete="off"
            value={text}
            aria-invalid={problem ? true : undefined}
            aria-describedby={problem ? `${ids.value}-error` : unusual ? `${ids.value}-unusual` : undefined}
            onChange={(e) => {
              setText(e.target.value);
              setUnusual(null);
            }}
            data-testid="measurement-amend-value"
          />
          {problem && (
            <p id={`${ids.value}-error`} className="field__error" role="alert" data-testid="measurement-amend-problem">
              {problem}
            </p>
          )}
          {unusual && (
            <div className="quick-entry__unusual" role="alert" data-testid="measurement-amend-unusual">
              <p id={`${ids.value}-unusual`}>{unusual.message}</p>
              <div className="measurement-actions__row">
                <button
                  type="button"
                  className="button button--primary"
                  onClick={() => amend(unusual.value)}
                  data-testid="measurement-amend-confirm"
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
        <div className="measurement-actions__row">
          <button
            type="submit"
            className="button button--primary"
            disabled={loading || text.trim() === '' || unusual !== null}
            data-testid="measurement-amend-save"
          >
            {t('measure.amendSave')}
          </button>
          <button type="button" className="button" onClick={reset} data-testid="measurement-amend-cancel">
            {t('measure.cancel')}
          </button>
        </div>
      </form>
    );

  if (mode === 'error')
    return (
      <div className="measurement-actions" role="alert" data-testid="measurement-error-confirm-box">
        <p>{t('measure.errorQuestion')}</p>
        <div className="measurement-actions__row">
          <button
            type="button"
            className="button button--danger"
            onClick={() => write((entry) => entry.set('status', 'entered-in-error'))}
            data-testid="measurement-error-confirm"
          >
            {t('measure.errorConfirm')}
          </button>
          <button type="button" className="button" onClick={reset} data-testid="measurement-error-cancel">
            {t('measure.cancel')}
          </button>
        </div>
      </div>
    );

  return (
    <div className="measurement-actions measurement-actions__row">
      {kind && (
        <button
          type="button"
          className="button button--quiet"
          disabled={loading}
          aria-describedby={`result-${item.id}-title`}
          onClick={() => {
            setText(String(item.value ?? ''));
            setMode('amend');
          }}
          data-testid="measurement-amend"
        >
          {t('measure.amend')}
        </button>
      )}
      <button
        type="button"
        className="button button--quiet"
        disabled={loading}
        aria-describedby={`result-${item.id}-title`}
        onClick={() => setMode('error')}
        data-testid="measurement-mark-error"
      >
        {t('measure.markError')}
      </button>
    </div>
  );
}
