import { useEffect, useId, useState, type FormEvent } from 'react';
import type { CareTeamMember, OrganisationRef } from '../../../shared/api.ts';
import { describeError, isAbort } from '../api.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { useI18n } from '../i18n/index.tsx';
import { routes } from '../router.ts';
import type { Session } from '../session.ts';
import { addOrganisationToTeam, listCareTeam, listOrganisations, removeFromTeam } from './api-patients.ts';
import './patients.css';

const nameOf = (m: CareTeamMember): string => m.organisation?.name ?? m.user?.name ?? '–';

/**
 * `#/plans/<planId>/care-team`: the patient's care team; members add or remove an organisation
 * (the server refuses those not allowed, and records every change as it does for the API).
 */
export function CareTeamView({ session, planId }: { session: Session; planId: string }) {
  const { t, tDynamic } = useI18n();
  const chooseId = useId();
  const [team, setTeam] = useState<CareTeamMember[] | null>(null);
  const [orgs, setOrgs] = useState<OrganisationRef[]>([]);
  const [choice, setChoice] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');

  useEffect(() => {
    const controller = new AbortController();
    Promise.all([
      listCareTeam(session.token, planId, controller.signal),
      listOrganisations(session.token, controller.signal),
    ])
      .then(([members, organisations]) => {
        setTeam(members);
        setOrgs(organisations);
      })
      .catch((err: unknown) => {
        if (!isAbort(err)) setError(describeError(err, t));
      });
    return () => controller.abort();
    // Deliberately not on `t`: a change of language needs no refetch.
  }, [session.token, planId]);

  const onTeam = new Set(team?.flatMap((m) => (m.organisation ? [m.organisation.id] : [])) ?? []);
  const addable = orgs.filter((o) => !onTeam.has(o.id));

  const add = async (e: FormEvent) => {
    e.preventDefault();
    const org = orgs.find((o) => o.id === choice);
    if (!org || busy) return;
    setBusy(true);
    setError(null);
    try {
      const member = await addOrganisationToTeam(session.token, planId, org.id);
      setTeam((current) => [...(current ?? []), member]);
      setChoice('');
      setStatus(t('careTeam.added', { name: org.name }));
    } catch (err) {
      setError(describeError(err, t));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (m: CareTeamMember) => {
    if (busy || !window.confirm(t('careTeam.confirmRemove', { name: nameOf(m) }))) return;
    setBusy(true);
    setError(null);
    try {
      await removeFromTeam(session.token, planId, m.id);
      setTeam((current) => (current ?? []).filter((x) => x.id !== m.id));
      setStatus(t('careTeam.removed', { name: nameOf(m) }));
    } catch (err) {
      setError(describeError(err, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="care-team-title" className="care-team" data-testid="care-team">
      <p className="back-link">
        <a href={routes.plan(planId)}>{t('careTeam.back')}</a>
      </p>
      <h1 id="care-team-title">{t('careTeam.title')}</h1>
      <p className="muted">{t('careTeam.intro')}</p>
      {error && <ErrorNotice message={error} testId="care-team-error" />}
      <p role="status" className="muted" data-testid="care-team-status">
        {status}
      </p>
      {!team && !error && <p role="status">{t('careTeam.loading')}</p>}
      {team && (
        <ul className="care-team__list">
          {team.map((m) => (
            <li key={m.id} className="card care-team__member" data-testid="care-team-member">
              <span>
                <strong>{m.organisation ? m.organisation.name : t('careTeam.person', { name: nameOf(m) })}</strong>
                {m.organisation && (
                  <span className="muted"> · {tDynamic(`sector.${m.organisation.sector}`, 'sector.unknown')}</span>
                )}
              </span>
              <button
                type="button"
                className="button button--quiet"
                disabled={busy}
                onClick={() => void remove(m)}
                data-testid="care-team-remove"
              >
                {t('careTeam.remove', { name: nameOf(m) })}
              </button>
            </li>
          ))}
        </ul>
      )}
      {team && addable.length > 0 && (
        <form className="care-team__add card" onSubmit={(e) => void add(e)}>
          <h2>{t('careTeam.add')}</h2>
          <div className="field">
            <label htmlFor={chooseId}>{t('careTeam.choose')}</label>
            <select
              id={chooseId}
              value={choice}
              onChange={(e) => setChoice(e.target.value)}
              data-testid="care-team-choose"
            >
              <option value="">–</option>
              {addable.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name} ({tDynamic(`sector.${o.sector}`, 'sector.unknown')})
                </option>
              ))}
            </select>
          </div>
          <button
            type="submit"
            className="button button--primary"
            disabled={busy || !choice}
            data-testid="care-team-add"
          >
            {t('careTeam.addSubmit')}
          </button>
        </form>
      )}
    </section>
  );
}
