import { useMemo, useId, useState, type FormEvent } from 'react';
import { MEASUREMENT_KINDS, type MeasurementKind, measurementKindOf } from '../../../../shared/measurements.ts';
import { MeasurementEntry } from '../../../../shared/plan.ts';
import { describeError } from '../../api.ts';
import type { MessageKey } from '../../i18n/da.ts';
import { useI18n } from '../../i18n/index.tsx';
import { ucumDisplay } from '../../i18n/units.ts';
import { factsOf, useSectionEntries } from '../entry.ts';
import { usePlanTeam } from '../PlanTeamContext.tsx';
import { type Recipient, sendToGp } from './correspondence-api.ts';

/** The latest measurements offered, newest first. */
const OFFERED = 30;

/**
 * "Send til egen læge": the home-care nurse picks measurements of the plan (today's are
 * ticked) and sends them to the citizen's GP practice on the care team as a MedCom
 * HomeCareObservation. Offered to the municipality's staff only, and only when a practice on the
 * care team has SOR, EAN and ydernummer (the server checks the same and refuses otherwise).
 */
export function SendToGpForm({
  token,
  planId,
  recipients,
  onSent,
}: {
  token: string;
  planId: string;
  recipients: Recipient[];
  onSent: () => void;
}) {
  const { t, formatDateTime, formatNumber } = useI18n();
  const { doc, user } = usePlanTeam();
  const ids = { to: useId(), phone: useId(), comment: useId() };
  const entries = useSectionEntries(doc, 'measurements');
  const practices = recipients.filter((r) => r.sector === 'general_practice');
  const ready = practices.filter((r) => r.homeCareObservation);
  const measurements = useMemo(
    () =>
      entries
        .map((e) => MeasurementEntry.safeParse(factsOf(e)))
        .flatMap((r) => (r.success ? [r.data] : []))
        .filter((m) => m.status !== 'entered-in-error' && measurementKindOf(m.code) !== null)
        .sort((a, b) => b.effective.localeCompare(a.effective))
        .slice(0, OFFERED),
    [entries],
  );
  const [open, setOpen] = useState(false);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [to, setTo] = useState('');
  const [phone, setPhone] = useState('');
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  if (user.role !== 'municipal_nurse' || practices.length === 0) return null;

  const start = () => {
    const today = new Date().toDateString();
    setChosen(new Set(measurements.filter((m) => new Date(m.effective).toDateString() === today).map((m) => m.id)));
    setOpen(true);
    setDone(null);
  };
  const toggle = (id: string) =>
    setChosen((now) => {
      const next = new Set(now);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const shown = (m: MeasurementEntry) => {
    const kind = measurementKindOf(m.code) as MeasurementKind;
    const v = m.value;
    const value = typeof v === 'number' ? formatNumber(v) : `${formatNumber(v.systolic)}/${formatNumber(v.diastolic)}`;
    const name = MEASUREMENT_KINDS.includes(kind) ? t(`visit.kind.${kind}` as MessageKey) : m.code.code;
    return `${name}: ${value} ${ucumDisplay(m.unit)}`;
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const organisationId = to || ready[0]?.id;
    if (!organisationId) return setError(t('homeCareReport.noPractice'));
    if (chosen.size === 0) return setError(t('homeCareReport.noneChosen'));
    setBusy(true);
    setError(null);
    try {
      await sendToGp(token, planId, {
        measurementIds: measurements.filter((m) => chosen.has(m.id)).map((m) => m.id),
        organisationId,
        phone: phone.trim(),
        ...(comment.trim() ? { comment: comment.trim() } : {}),
      });
      setOpen(false);
      setComment('');
      setDone(t('homeCareReport.sent', { name: ready.find((r) => r.id === organisationId)?.name ?? '' }));
      onSent();
    } catch (err) {
      setError(describeError(err, t));
    } finally {
      setBusy(false);
    }
  };

  if (!open)
    return (
      <>
        <button type="button" className="button" onClick={start} data-testid="send-to-gp">
          {t('homeCareReport.open')}
        </button>
        {done && (
          <p role="status" data-testid="send-to-gp-done">
            {done}
          </p>
        )}
      </>
    );
  return (
    <form className="correspondence-reply card" onSubmit={(e) => void submit(e)} data-testid="send-to-gp-form">
      <h3>{t('homeCareReport.title')}</h3>
      {ready.length === 0 ? (
        <p className="muted">{t('homeCareReport.noPractice')}</p>
      ) : (
        <>
          <label htmlFor={ids.to}>{t('homeCareReport.practice')}</label>
          <select id={ids.to} value={to || ready[0]?.id} onChange={(e) => setTo(e.target.value)}>
            {ready.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
          <fieldset>
            <legend>{t('homeCareReport.which')}</legend>
            {measurements.length === 0 && <p className="muted">{t('measure.empty')}</p>}
            {measurements.map((m) => (
              <label key={m.id} className="checkbox-row">
                <input
                  type="checkbox"
                  checked={chosen.has(m.id)}
                  onChange={() => toggle(m.id)}
                  data-testid="send-to-gp-measurement"
                />{' '}
                {shown(m)} · <time dateTime={m.effective}>{formatDateTime(m.effective)}</time>
              </label>
            ))}
          </fieldset>
          <label htmlFor={ids.comment}>{t('homeCareReport.comment')}</label>
          <textarea id={ids.comment} value={comment} onChange={(e) => setComment(e.target.value)} maxLength={2000} />
          <label htmlFor={ids.phone}>{t('correspondence.phone')}</label>
          <input
            id={ids.phone}
            value={phone}
            onChange={(e) => setPhone(e.target.value)}
            inputMode="tel"
            required
            data-testid="send-to-gp-phone"
          />
          <button type="submit" className="button button--primary" disabled={busy} data-testid="send-to-gp-send">
            {t('homeCareReport.send')}
          </button>
        </>
      )}
      <button type="button" className="button button--quiet" onClick={() => setOpen(false)}>
        {t('correspondence.cancel')}
      </button>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
