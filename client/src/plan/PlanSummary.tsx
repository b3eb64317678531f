import { useEffect, useMemo, useState } from 'react';
import * as Y from 'yjs';
import type { CareTeamMember, PlanView as PlanHeader } from '../../../shared/api.ts';
import { ageOn, formatCpr, parseCpr } from '../../../shared/cpr.ts';
import { metaOf } from '../../../shared/plan-doc.ts';
import { Coding } from '../../../shared/plan.ts';
import { todayInCopenhagen } from '../../../shared/recurrence.ts';
import { getCareTeam } from '../api-access.ts';
import { isAbort } from '../api.ts';
import { useYRevision } from '../collab/useYRevision.ts';
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { conflictsOf, useSectionEntries } from './entry.ts';
import { focusSection } from './PlanSection.tsx';
import { usePlanTeam } from './PlanTeamContext.tsx';

/** Hospital-notification codes (CareHub's /encounters events and MedCom's) to where the patient is. */
const ADMITTED = new Set(['admission', 'leave-end', 'STIN', 'STAA', 'SLOR', 'RE_STIN', 'RE_STAA', 'RE_SLOR']);
const ON_LEAVE = new Set(['leave-start', 'STOR', 'RE_STOR']);
const DISCHARGED = new Set(['discharge', 'SLHJ', 'MORS', 'RE_SLHJ']);

function conditionsOf(raw: unknown): Coding[] {
  const list: unknown = raw instanceof Y.AbstractType ? raw.toJSON() : raw;
  if (!Array.isArray(list)) return [];
  return list.flatMap((item) => {
    const parsed = Coding.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

interface Attention {
  key: string;
  section: string;
  text: string;
  urgent: boolean;
}

/**
 * The plan's summary header: who the patient is (CPR number, age), the diagnoses, the care
 * team, where the patient is now (from hospital notifications), and what needs attention —
 * each a link to its section. Read from the live document, so it follows every change.
 */
export function PlanSummary({ plan }: { plan: PlanHeader }) {
  const { t, formatDateTime } = useI18n();
  const { doc, token, user, embedded } = usePlanTeam();
  const meta = useMemo(() => metaOf(doc), [doc]);
  const metaRevision = useYRevision(meta);
  const conditions = useMemo(() => conditionsOf(meta.get('conditions')), [meta, metaRevision]);
  const results = useSectionEntries(doc, 'results');
  const tasks = useSectionEntries(doc, 'tasks');
  const medications = useSectionEntries(doc, 'medications');
  const notes = useSectionEntries(doc, 'notes');
  const team = useCareTeam(token, plan.id, !embedded);
  const today = todayInCopenhagen();
  const cpr = plan.patientCpr ? parseCpr(plan.patientCpr) : null;
  const birthDate = cpr?.ok ? cpr.birthDate : null;

  const admission = useMemo(() => {
    const latest = results
      .filter((r) => r.get('category') === 'hospital-notification' || r.get('kind') === 'notification')
      .map((r) => ({ code: str((r.get('code') as { code?: unknown } | undefined)?.code), at: str(r.get('effective')) }))
      .filter((n) => n.at && (ADMITTED.has(n.code) || ON_LEAVE.has(n.code) || DISCHARGED.has(n.code)))
      .sort((a, b) => b.at.localeCompare(a.at))[0];
    if (!latest) return { key: 'summary.notAdmitted' as MessageKey, at: '', state: 'none' };
    if (ADMITTED.has(latest.code)) return { key: 'summary.admitted' as MessageKey, at: latest.at, state: 'admitted' };
    if (ON_LEAVE.has(latest.code)) return { key: 'summary.onLeave' as MessageKey, at: latest.at, state: 'leave' };
    return { key: 'summary.discharged' as MessageKey, at: latest.at, state: 'discharged' };
  }, [results]);

  const attention = useMemo<Attention[]>(() => {
    const out: Attention[] = [];
    const critical = results.filter((r) => r.get('critical') === true && !str(r.get('acknowledgedBy'))).length;
    if (critical > 0)
      out.push({ key: 'critical', section: 'results', text: t('summary.critical', { count: critical }), urgent: true });
    const open = tasks.filter((task) => ['planned', 'in-progress'].includes(str(task.get('status'))));
    const overdue = open.filter((task) => str(task.get('due')) !== '' && str(task.get('due')) < today).length;
    if (overdue > 0)
      out.push({ key: 'overdue', section: 'tasks', text: t('summary.overdue', { count: overdue }), urgent: true });
    const dueToday = open.filter((task) => str(task.get('due')) === today).length;
    if (dueToday > 0)
      out.push({ key: 'today', section: 'tasks', text: t('summary.dueToday', { count: dueToday }), urgent: false });
    const conflicts = [...tasks, ...medications].filter((e) => Object.keys(conflictsOf(e)).length > 0).length;
    if (conflicts > 0)
      out.push({
        key: 'conflicts',
        section: medications.some((e) => Object.keys(conflictsOf(e)).length > 0) ? 'medications' : 'tasks',
        text: t('summary.conflicts', { count: conflicts }),
        urgent: true,
      });
    const unsigned = notes.filter((n) => n.get('author') === user.id && typeof n.get('signed') !== 'string').length;
    if (unsigned > 0)
      out.push({ key: 'unsigned', section: 'notes', text: t('summary.unsigned', { count: unsigned }), urgent: false });
    return out;
  }, [results, tasks, medications, notes, today, user.id, t]);

  const organisations = [
    ...new Set(team.map((m) => m.organisation?.name ?? m.user?.name ?? '').filter((n) => n !== '')),
  ];

  return (
    <section className="plan-summary card" aria-label={t('summary.label')} data-testid="plan-summary">
      <dl className="plan-summary__facts">
        {plan.patientCpr && (
          <div>
            <dt>{t('summary.cpr')}</dt>
            <dd data-testid="summary-cpr">{cpr?.ok ? formatCpr(cpr.cpr) : plan.patientCpr}</dd>
          </div>
        )}
        {birthDate && (
          <div>
            <dt>{t('summary.age')}</dt>
            <dd data-testid="summary-age">{t('summary.ageYears', { years: ageOn(birthDate, today) })}</dd>
          </div>
        )}
        <div>
          <dt>{t('summary.admission')}</dt>
          <dd data-testid="summary-admission" data-state={admission.state}>
            {t(admission.key, { time: admission.at ? formatDateTime(admission.at) : '' })}
          </dd>
        </div>
        <div className="plan-summary__wide">
          <dt>{t('summary.diagnoses')}</dt>
          <dd data-testid="summary-diagnoses">
            {conditions.length === 0 ? t('summary.noDiagnoses') : conditions.map((c) => c.display).join(', ')}
          </dd>
        </div>
        {organisations.length > 0 && (
          <div className="plan-summary__wide">
            <dt>{t('summary.careTeam')}</dt>
            <dd data-testid="summary-care-team">{organisations.join(', ')}</dd>
          </div>
        )}
      </dl>
      <div className="plan-summary__attention" data-testid="summary-attention">
        <h2 className="plan-summary__heading">{t('summary.attention')}</h2>
        {attention.length === 0 ? (
          <p className="muted">{t('summary.nothing')}</p>
        ) : (
          <ul>
            {attention.map((a) => (
              <li key={a.key}>
                <button
                  type="button"
                  className={`attention-link${a.urgent ? ' attention-link--urgent' : ''}`}
                  onClick={() => focusSection(a.section)}
                  data-testid={`attention-${a.key}`}
                >
                  {a.text}
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}

/** The plan's care team (organisations and named people); empty while loading or if it fails. */
function useCareTeam(token: string, planId: string, enabled: boolean): readonly CareTeamMember[] {
  const [team, setTeam] = useState<readonly CareTeamMember[]>([]);
  useEffect(() => {
    if (!enabled) return;
    const controller = new AbortController();
    getCareTeam(token, planId, controller.signal)
      .then(setTeam)
      .catch((err: unknown) => {
        if (!isAbort(err)) setTeam([]);
      });
    return () => controller.abort();
  }, [token, planId, enabled]);
  return team;
}
