import { useCallback, useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import type { AuditEntryView } from '../../../shared/audit.ts';
import { isUuid } from '../../../shared/uuid.ts';
import { getAudit, type AuditFilter } from '../api-admin.ts';
import { describeError, isAbort } from '../api.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { auditActionWords } from '../i18n/audit-words.ts';
import { DICTIONARIES, useI18n } from '../i18n/index.tsx';
import { useColumnLabels } from '../components/useColumnLabels.ts';

const LIMITS = [50, 100, 250, 500, 1000];

/** A `datetime-local` value (the browser's zone) as an ISO time with a zone; '' stays absent. */
const toIso = (local: string): string | undefined => (local ? new Date(local).toISOString() : undefined);

function detailsText(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' · ');
}

/** The audit log as a table: filtered by patient id and time on the server, by words here. */
export function AuditPanel({ token }: { token: string }) {
  const columnLabels = useColumnLabels<HTMLTableElement>();
  const { t, tDynamic, formatDateTime, lang } = useI18n();
  const actionWords = (code: string): string => auditActionWords(DICTIONARIES[lang], code);
  const ids = { patient: useId(), from: useId(), to: useId(), limit: useId(), words: useId(), outcome: useId() };
  const [form, setForm] = useState({ patientId: '', from: '', to: '', limit: 100 });
  const [filter, setFilter] = useState<AuditFilter>({ limit: 100 });
  const [entries, setEntries] = useState<AuditEntryView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [words, setWords] = useState('');
  const [outcome, setOutcome] = useState<'all' | 'allowed' | 'refused'>('all');

  const load = useCallback(
    (signal?: AbortSignal) => {
      setEntries(null);
      getAudit(token, filter, signal)
        .then((list) => {
          setEntries(list);
          setError(null);
        })
        .catch((err: unknown) => {
          if (!isAbort(err)) setError(describeError(err, t));
        });
    },
    // Deliberately not on `t`: a change of language needs no refetch.
    [token, filter],
  );
  useEffect(() => {
    const controller = new AbortController();
    load(controller.signal);
    return () => controller.abort();
  }, [load]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const patientId = form.patientId.trim();
    if (patientId && !isUuid(patientId)) return setFormError(t('audit.badPatientId'));
    if (form.from && form.to && Date.parse(form.from) > Date.parse(form.to)) return setFormError(t('audit.badRange'));
    setFormError(null);
    setFilter({ patientId: patientId || undefined, from: toIso(form.from), to: toIso(form.to), limit: form.limit });
  };

  // A citizen's name is a patient's name: administrators see the citizen's user id instead.
  const actorName = (e: AuditEntryView): string =>
    !e.actor
      ? t('audit.system')
      : e.actor.role === 'citizen'
        ? t('audit.citizenActor', { id: e.actor.id })
        : (e.actor.name ?? t('audit.deletedUser'));

  const shown = useMemo(() => {
    const needle = words.trim().toLowerCase();
    return (entries ?? []).filter((e) => {
      if (outcome !== 'all' && e.outcome !== outcome) return false;
      if (!needle) return true;
      const hay = [
        e.action,
        auditActionWords(DICTIONARIES[lang], e.action),
        e.actor?.role === 'citizen' ? e.actor.id : e.actor?.name,
        e.actor?.organisation,
        e.patientId,
        e.planId,
        detailsText(e.details),
      ]
        .join(' ')
        .toLowerCase();
      return hay.includes(needle);
    });
  }, [entries, words, outcome, lang]);

  return (
    <section className="admin-panel" aria-labelledby="audit-title" data-testid="audit-panel">
      <h2 id="audit-title">{t('audit.title')}</h2>
      <p className="hint">{t('audit.hint')}</p>
      <form className="admin-filter card" onSubmit={submit} data-testid="audit-filter">
        <div className="field">
          <label htmlFor={ids.patient}>{t('audit.patientId')}</label>
          <input
            id={ids.patient}
            className="mono"
            value={form.patientId}
            onChange={(e) => setForm({ ...form, patientId: e.target.value })}
            autoComplete="off"
            spellCheck={false}
            data-testid="audit-patient"
          />
        </div>
        <div className="field">
          <label htmlFor={ids.from}>{t('audit.from')}</label>
          <input
            id={ids.from}
            type="datetime-local"
            value={form.from}
            onChange={(e) => setForm({ ...form, from: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.to}>{t('audit.to')}</label>
          <input
            id={ids.to}
            type="datetime-local"
            value={form.to}
            onChange={(e) => setForm({ ...form, to: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.limit}>{t('audit.limit')}</label>
          <select
            id={ids.limit}
            value={form.limit}
            onChange={(e) => setForm({ ...form, limit: Number(e.target.value) })}
          >
            {LIMITS.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button button--primary" data-testid="audit-submit">
          {t('audit.show')}
        </button>
        {formError && (
          <p className="field-error admin-filter__error" role="alert">
            {formError}
          </p>
        )}
      </form>
      {error && <ErrorNotice message={error} />}
      {!entries && !error && <p role="status">{t('audit.loading')}</p>}
      {entries && (
        <>
          <div className="admin-refine">
            <div className="field">
              <label htmlFor={ids.words}>{t('audit.words')}</label>
              <input
                id={ids.words}
                type="search"
                value={words}
                onChange={(e) => setWords(e.target.value)}
                data-testid="audit-words"
              />
            </div>
            <div className="field">
              <label htmlFor={ids.outcome}>{t('audit.outcome')}</label>
              <select id={ids.outcome} value={outcome} onChange={(e) => setOutcome(e.target.value as typeof outcome)}>
                <option value="all">{t('audit.outcome.all')}</option>
                <option value="allowed">{t('audit.outcome.allowed')}</option>
                <option value="refused">{t('audit.outcome.refused')}</option>
              </select>
            </div>
            <p className="muted" role="status">
              {t('audit.count', { shown: shown.length, total: entries.length })}
            </p>
          </div>
          {/* Wider than the screen on a tablet: the scrolling region takes the focus, so it scrolls from the keyboard too. */}
          {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard (WCAG 2.1.1; axe scrollable-region-focusable) */}
          <section className="table-scroll card" tabIndex={0} aria-label={t('audit.tableRegion')}>
            <table ref={columnLabels} className="data-table admin-table" data-testid="audit-table">
              <caption className="visually-hidden">{t('audit.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('audit.seq')}</th>
                  <th scope="col">{t('audit.time')}</th>
                  <th scope="col">{t('audit.actor')}</th>
                  <th scope="col">{t('audit.action')}</th>
                  <th scope="col">{t('audit.outcome')}</th>
                  <th scope="col">{t('audit.ids')}</th>
                  <th scope="col">{t('audit.details')}</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((e) => (
                  <tr
                    key={e.seq}
                    data-testid="audit-entry"
                    data-action={e.action}
                    data-outcome={e.outcome}
                    className={e.outcome === 'refused' ? 'admin-table__refused' : undefined}
                  >
                    <td className="data-table__nowrap mono">{e.seq}</td>
                    <td className="data-table__nowrap">
                      <time dateTime={e.time}>{formatDateTime(e.time)}</time>
                    </td>
                    <td>
                      <span className="data-table__primary">{actorName(e)}</span>
                      {e.actor && (
                        <span className="data-table__secondary">
                          {[
                            e.actor.role ? tDynamic(`role.${e.actor.role}`, 'role.unknown') : '',
                            e.actor.organisation ?? '',
                          ]
                            .filter(Boolean)
                            .join(' · ')}
                        </span>
                      )}
                    </td>
                    <td title={e.action}>{actionWords(e.action)}</td>
                    <td>
                      <span className={`outcome outcome--${e.outcome}`}>{t(`audit.outcome.${e.outcome}`)}</span>
                      {e.details.breakTheGlass === true && (
                        <span className="access-mark access-mark--glass">{t('accessLog.breakTheGlass')}</span>
                      )}
                      {e.details.clinicalAccount === true && (
                        <span className="access-mark access-mark--glass" data-testid="audit-clinical-account">
                          {t('audit.clinicalAccount')}
                        </span>
                      )}
                    </td>
                    <td className="admin-table__ids mono">
                      {e.patientId && (
                        <span>
                          {t('audit.patientShort')} {e.patientId}
                        </span>
                      )}
                      {e.planId && (
                        <span>
                          {t('audit.planShort')} {e.planId}
                        </span>
                      )}
                    </td>
                    <td className="admin-table__details">{detailsText(e.details)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      )}
    </section>
  );
}
