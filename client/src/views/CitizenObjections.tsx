import { useEffect, useMemo, useState, type FormEvent } from 'react';
import type { CareTeamMember } from '../../../shared/api.ts';
import { addObjection, getCareTeam, listObjections, withdrawObjection, type Objection } from '../api-access.ts';
import { describeError, isAbort } from '../api.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { useI18n } from '../i18n/index.tsx';
import type { Session } from '../session.ts';

interface Props {
  session: Session;
  /** The citizen's plans: their care teams give the organisations one may object to. */
  planIds: readonly string[];
}

/**
 * "Fravalg": the citizen refuses a named organisation access to their data (and may change
 * their mind). Only organisations on the citizen's own care team are offered.
 */
export function CitizenObjections({ session, planIds }: Props) {
  const { t, formatDateTime } = useI18n();
  const [objections, setObjections] = useState<Objection[] | null>(null);
  const [team, setTeam] = useState<CareTeamMember[]>([]);
  const [choice, setChoice] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const planKey = planIds.join(',');

  useEffect(() => {
    const controller = new AbortController();
    const teams = Promise.all(planIds.map((id) => getCareTeam(session.token, id, controller.signal)));
    Promise.all([listObjections(session.token, controller.signal), teams])
      .then(([list, perPlan]) => {
        setObjections(list);
        setTeam(perPlan.flat());
        setError(null);
      })
      .catch((err: unknown) => {
        if (!isAbort(err)) setError(describeError(err, t));
      });
    return () => controller.abort();
    // Deliberately not on `t`: a change of language needs no refetch.
  }, [session.token, planKey]);

  // Names for ids: the organisations (and named persons) on the citizen's care teams.
  const names = useMemo(() => {
    const map = new Map<string, string>();
    for (const member of team) {
      if (member.organisation) map.set(member.organisation.id, member.organisation.name);
      if (member.user) map.set(member.user.id, member.user.name);
    }
    return map;
  }, [team]);
  const objected = new Set((objections ?? []).map((o) => o.organisationId));
  const choices = [
    ...new Map(
      team.flatMap((m) => (m.organisation ? [[m.organisation.id, m.organisation.name] as const] : [])),
    ).entries(),
  ]
    .filter(([orgId]) => !objected.has(orgId))
    .sort((a, b) => a[1].localeCompare(b[1]));
  const nameOf = (o: Objection) => names.get(o.organisationId ?? o.userId ?? '') ?? t('objections.unknownOrganisation');

  const onAdd = async (e: FormEvent) => {
    e.preventDefault();
    if (!choice || busy) return;
    setBusy(true);
    setDone(null);
    try {
      const added = await addObjection(session.token, choice);
      setObjections((list) => [...(list ?? []), added]);
      setDone(t('objections.added', { name: names.get(choice) ?? '' }));
      setChoice('');
      setError(null);
    } catch (err) {
      setError(describeError(err, t));
    } finally {
      setBusy(false);
    }
  };

  const onWithdraw = async (objection: Objection) => {
    setDone(null);
    try {
      await withdrawObjection(session.token, objection.id);
      setObjections((list) => (list ?? []).filter((o) => o.id !== objection.id));
      setDone(t('objections.withdrawn', { name: nameOf(objection) }));
      setError(null);
    } catch (err) {
      setError(describeError(err, t));
    }
  };

  return (
    <article
      className="card objections"
      aria-labelledby="objections-title"
      data-testid="objections"
      data-loaded={objections ? 'true' : 'false'}
    >
      <h2 id="objections-title">{t('objections.title')}</h2>
      <p>{t('objections.intro')}</p>
      {error && <ErrorNotice message={error} />}
      <p role="status" className="objections__status" data-testid="objections-status">
        {done ?? (objections ? '' : t('objections.loading'))}
      </p>
      {objections && objections.length === 0 && <p className="muted">{t('objections.none')}</p>}
      {objections && objections.length > 0 && (
        <ul className="objections__list" aria-label={t('objections.listLabel')}>
          {objections.map((o) => (
            <li key={o.id} data-testid="objection" data-organisation-id={o.organisationId ?? ''}>
              <span>
                <strong data-testid="objection-name">{nameOf(o)}</strong>
                <span className="hint"> {t('objections.since', { time: formatDateTime(o.created) })}</span>
              </span>
              <button
                type="button"
                className="button button--quiet button--small"
                aria-label={t('objections.withdraw', { name: nameOf(o) })}
                onClick={() => void onWithdraw(o)}
                data-testid="objection-withdraw"
              >
                {t('objections.withdrawShort')}
              </button>
            </li>
          ))}
        </ul>
      )}
      {objections &&
        (choices.length === 0 ? (
          <p className="hint">{t('objections.noChoices')}</p>
        ) : (
          <form className="objections__form" onSubmit={(e) => void onAdd(e)}>
            <div className="field">
              <label htmlFor="objection-organisation">{t('objections.organisation')}</label>
              <select
                id="objection-organisation"
                value={choice}
                onChange={(e) => setChoice(e.target.value)}
                aria-describedby="objection-warning"
                data-testid="objection-organisation"
                required
              >
                <option value="">{t('objections.choose')}</option>
                {choices.map(([orgId, name]) => (
                  <option key={orgId} value={orgId}>
                    {name}
                  </option>
                ))}
              </select>
            </div>
            <p id="objection-warning" className="notice notice--warning" data-testid="objection-warning">
              {t('objections.warning')}
            </p>
            <button
              type="submit"
              className="button button--primary"
              disabled={!choice || busy}
              aria-describedby="objection-warning"
              data-testid="objection-add"
            >
              {t(busy ? 'objections.adding' : 'objections.add')}
            </button>
          </form>
        ))}
    </article>
  );
}
