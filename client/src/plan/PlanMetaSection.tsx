import { useId, useMemo, useState, type FormEvent } from 'react';
import { SNOMED_SYSTEM } from '../../../shared/fhir-systems.ts';
import { metaOf } from '../../../shared/plan-doc.ts';
import { Coding } from '../../../shared/plan.ts';
import { decide } from '../../../shared/permissions.ts';
import { useYRevision } from '../collab/useYRevision.ts';
import { PlanTitleField } from './PlanTitleField.tsx';
import { useI18n } from '../i18n/index.tsx';
import { useChoices } from './choices.ts';
import { EntrySelectField } from './fields/EntryFields.tsx';
import { ReadValue } from './fields/ReadValue.tsx';
import { PermissionNote } from './fields/PermissionNote.tsx';
import { usePlanTeam, useReasonText } from './PlanTeamContext.tsx';

function conditionsOf(raw: unknown): Coding[] {
  const list: unknown =
    raw && typeof raw === 'object' && 'toJSON' in raw ? (raw as { toJSON: () => unknown }).toJSON() : raw;
  if (!Array.isArray(list)) return [];
  return list.flatMap((item) => {
    const parsed = Coding.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
}

/** The plan's title, status and conditions (`meta`): written by hospital doctors and GPs. */
export function PlanMetaSection() {
  const { t } = useI18n();
  const { doc, actor, loading, plain } = usePlanTeam();
  const { planStatuses } = useChoices();
  const reasonText = useReasonText();
  const reasonId = useId();
  const meta = useMemo(() => metaOf(doc), [doc]);
  const revision = useYRevision(meta);
  const decision = decide(actor, 'meta', { op: 'meta', key: 'title' });
  const conditions = useMemo(() => conditionsOf(meta.get('conditions')), [meta, revision]);
  const title = typeof meta.get('title') === 'string' ? (meta.get('title') as string) : '';

  const setConditions = (next: Coding[]) => meta.set('conditions', next);
  const [editingTitle, setEditingTitle] = useState(false);

  return (
    <section className="plan-meta card" aria-labelledby="section-meta-title" data-testid="section-meta">
      <h2 id="section-meta-title" tabIndex={-1} className="visually-hidden">
        {t('meta.title')}
      </h2>
      {plain ? (
        <p className="plan-meta__plain-title" data-testid="plan-title-text">
          {title}
        </p>
      ) : editingTitle && decision.allowed && !loading ? (
        <PlanTitleField
          doc={doc}
          ready={!loading}
          allowed={decision.allowed}
          describedBy={reasonId}
          onLeave={() => setEditingTitle(false)}
        />
      ) : (
        <ReadValue
          label={t('plan.titleLabel')}
          value={title}
          onEdit={decision.allowed && !loading ? () => setEditingTitle(true) : undefined}
          describedBy={decision.allowed ? undefined : reasonId}
          className="field--title plan-title"
          testId="plan-title"
        />
      )}
      <div className="plan-meta__row">
        <EntrySelectField
          entry={meta}
          field="status"
          label={t('meta.status')}
          allowed={decision.allowed}
          describedBy={reasonId}
          choices={planStatuses}
          testId="plan-status"
        />
        <div className="plan-meta__conditions">
          <h3 className="field__label" id={`${reasonId}-conditions`}>
            {t('meta.conditions')}
          </h3>
          {conditions.length === 0 ? (
            <p className="muted">{t('meta.noConditions')}</p>
          ) : (
            <ul className="condition-list" aria-labelledby={`${reasonId}-conditions`} data-testid="condition-list">
              {conditions.map((c, index) => (
                <li key={`${c.system}|${c.code}|${index}`} className="condition" data-testid="condition">
                  <span>{c.display || c.code}</span>
                  <span className="condition__code mono">
                    {c.system === SNOMED_SYSTEM ? t('meta.snomedCode', { code: c.code }) : c.code}
                  </span>
                  {decision.allowed && (
                    <button
                      type="button"
                      className="button button--quiet button--small"
                      disabled={loading}
                      aria-label={t('meta.removeCondition', { name: c.display || c.code })}
                      onClick={() => setConditions(conditions.filter((_, i) => i !== index))}
                    >
                      {t('meta.remove')}
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )}
          {decision.allowed && (
            <details className="composer condition-composer">
              <summary>{t('meta.addCondition')}</summary>
              <ConditionForm onAdd={(c) => setConditions([...conditions, c])} disabled={loading} />
            </details>
          )}
        </div>
      </div>
      <PermissionNote id={reasonId} text={plain ? null : reasonText(decision)} />
    </section>
  );
}

function ConditionForm({ onAdd, disabled }: { onAdd: (c: Coding) => void; disabled: boolean }) {
  const { t } = useI18n();
  const id = useId();
  const [code, setCode] = useState('');
  const [display, setDisplay] = useState('');
  const valid = /^\d{6,18}$/.test(code.trim()) && display.trim().length > 0;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!valid) return;
    onAdd({ system: SNOMED_SYSTEM, code: code.trim(), display: display.trim() });
    setCode('');
    setDisplay('');
  };
  return (
    <form className="condition-form" onSubmit={submit} aria-label={t('meta.addCondition')}>
      <div className="field">
        <label htmlFor={`${id}-display`}>{t('meta.conditionName')}</label>
        <input id={`${id}-display`} value={display} maxLength={200} onChange={(e) => setDisplay(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-code`}>{t('meta.conditionCode')}</label>
        <input
          id={`${id}-code`}
          value={code}
          inputMode="numeric"
          maxLength={18}
          aria-describedby={`${id}-hint`}
          onChange={(e) => setCode(e.target.value)}
        />
      </div>
      <button type="submit" className="button button--small" disabled={disabled || !valid}>
        {t('meta.addCondition')}
      </button>
      <p id={`${id}-hint`} className="hint condition-form__hint">
        {t('meta.conditionHint')}
      </p>
    </form>
  );
}
