import { useId, useState, type FormEvent } from 'react';
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { SELF_REPORT_KINDS, type SelfReportKind } from './choices.ts';

/** The local time now, as a `datetime-local` input wants it. */
function localNow(): string {
  const now = new Date();
  now.setMinutes(now.getMinutes() - now.getTimezoneOffset());
  return now.toISOString().slice(0, 16);
}

interface Measurement {
  value: string | number;
  unit?: string;
}

/** A new self-report as `POST /plans/:id/self-reports` takes it (the server adds the id). */
export interface NewSelfReport {
  kind: SelfReportKind;
  value: string | number;
  unit?: string;
  /** ISO time with zone. */
  taken: string;
  comment?: string;
}

/** Reads the form into the entry's value and unit, or names what is wrong. */
function measurement(
  kind: SelfReportKind,
  systolic: string,
  diastolic: string,
  weight: string,
  symptom: string,
): Measurement | MessageKey {
  if (kind === 'blood-pressure') {
    const sys = Number(systolic);
    const dia = Number(diastolic);
    if (
      !Number.isInteger(sys) ||
      !Number.isInteger(dia) ||
      sys < 50 ||
      sys > 300 ||
      dia < 30 ||
      dia > 200 ||
      dia >= sys
    )
      return 'selfReports.invalidPressure';
    return { value: `${sys}/${dia}`, unit: 'mmHg' };
  }
  if (kind === 'weight') {
    const kg = Number(weight.replace(',', '.'));
    if (!Number.isFinite(kg) || kg < 1 || kg > 500) return 'selfReports.invalidWeight';
    return { value: Math.round(kg * 10) / 10, unit: 'kg' };
  }
  const text = symptom.trim();
  return text ? { value: text.slice(0, 100) } : 'selfReports.invalidSymptom';
}

interface Props {
  /** Stores the measurement; rejects with a message for the person when it could not. */
  onSave: (report: NewSelfReport) => Promise<void>;
}

/** The citizen adds a measurement: blood pressure, weight or a symptom in their own words. */
export function SelfReportComposer({ onSave }: Props) {
  const { t } = useI18n();
  const id = useId();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [kind, setKind] = useState<SelfReportKind>('blood-pressure');
  const [systolic, setSystolic] = useState('');
  const [diastolic, setDiastolic] = useState('');
  const [weight, setWeight] = useState('');
  const [symptom, setSymptom] = useState('');
  const [comment, setComment] = useState('');
  const [taken, setTaken] = useState(localNow);
  const [problem, setProblem] = useState<MessageKey | null>(null);
  const [saved, setSaved] = useState(0);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = measurement(kind, systolic, diastolic, weight, symptom);
    const when = new Date(taken);
    if (typeof result === 'string' || Number.isNaN(when.getTime())) {
      setProblem(typeof result === 'string' ? result : 'selfReports.invalidTime');
      return;
    }
    setProblem(null);
    setFailure(null);
    setBusy(true);
    try {
      await onSave({
        kind,
        value: result.value,
        ...(result.unit ? { unit: result.unit } : {}),
        taken: when.toISOString(),
        ...(comment.trim() ? { comment: comment.trim() } : {}),
      });
    } catch (err) {
      setFailure(err instanceof Error ? err.message : String(err));
      return;
    } finally {
      setBusy(false);
    }
    setSystolic('');
    setDiastolic('');
    setWeight('');
    setSymptom('');
    setComment('');
    setTaken(localNow());
    setSaved((n) => n + 1);
  };

  return (
    <form className="self-report-form" onSubmit={submit} data-testid="self-report-form" noValidate>
      <div className="entry-card__fields">
        <div className="field">
          <label htmlFor={`${id}-kind`}>{t('selfReports.kind')}</label>
          <select
            id={`${id}-kind`}
            value={kind}
            onChange={(e) => setKind(e.target.value as SelfReportKind)}
            data-testid="self-report-kind"
          >
            {SELF_REPORT_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`selfReports.kind.${k}`)}
              </option>
            ))}
          </select>
        </div>
        {kind === 'blood-pressure' && (
          <>
            <div className="field">
              <label htmlFor={`${id}-sys`}>{t('selfReports.systolic')}</label>
              <input
                id={`${id}-sys`}
                inputMode="numeric"
                value={systolic}
                onChange={(e) => setSystolic(e.target.value)}
                data-testid="self-report-systolic"
              />
            </div>
            <div className="field">
              <label htmlFor={`${id}-dia`}>{t('selfReports.diastolic')}</label>
              <input
                id={`${id}-dia`}
                inputMode="numeric"
                value={diastolic}
                onChange={(e) => setDiastolic(e.target.value)}
                data-testid="self-report-diastolic"
              />
            </div>
          </>
        )}
        {kind === 'weight' && (
          <div className="field">
            <label htmlFor={`${id}-kg`}>{t('selfReports.weight')}</label>
            <input
              id={`${id}-kg`}
              inputMode="decimal"
              value={weight}
              onChange={(e) => setWeight(e.target.value)}
              data-testid="self-report-weight"
            />
          </div>
        )}
        {kind === 'symptom' && (
          <div className="field field--wide">
            <label htmlFor={`${id}-symptom`}>{t('selfReports.symptom')}</label>
            <input
              id={`${id}-symptom`}
              maxLength={100}
              value={symptom}
              onChange={(e) => setSymptom(e.target.value)}
              data-testid="self-report-symptom"
            />
          </div>
        )}
        <div className="field">
          <label htmlFor={`${id}-taken`}>{t('selfReports.taken')}</label>
          <input id={`${id}-taken`} type="datetime-local" value={taken} onChange={(e) => setTaken(e.target.value)} />
        </div>
      </div>
      <div className="field">
        <label htmlFor={`${id}-comment`}>{t('selfReports.comment')}</label>
        <input id={`${id}-comment`} maxLength={2000} value={comment} onChange={(e) => setComment(e.target.value)} />
      </div>
      {problem && (
        <p className="field-error" role="alert">
          {t(problem)}
        </p>
      )}
      {failure && (
        <p className="field-error" role="alert" data-testid="self-report-error">
          {failure}
        </p>
      )}
      <div className="composer__actions">
        <button type="submit" className="button button--primary" disabled={busy} data-testid="self-report-submit">
          {t('selfReports.add')}
        </button>
        <p className="visually-hidden" role="status">
          {saved > 0 ? t('selfReports.saved') : ''}
        </p>
      </div>
    </form>
  );
}
