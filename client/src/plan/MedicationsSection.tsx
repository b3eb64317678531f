import { useId, useState } from 'react';
import type * as Y from 'yjs';
import { newEntry, sectionOf } from '../../../shared/plan-doc.ts';
import { canAdd, canChange } from '../../../shared/permissions.ts';
import { newUuid } from '../ids.ts';
import { useI18n } from '../i18n/index.tsx';
import { Composer } from './Composer.tsx';
import { ConflictFlag } from './ConflictFlag.tsx';
import { conflictsOf, factsOf, keyOf, textOf, todayIsoDate, useSectionEntries } from './entry.ts';
import { EntryDateField, EntryTextField } from './fields/EntryFields.tsx';
import { PlanSection } from './PlanSection.tsx';
import { usePlanTeam, useReasonText } from './PlanTeamContext.tsx';

/**
 * The medication list. Dose and frequency are atomic values: a change replaces the whole
 * value, and two concurrent changes are flagged as a conflict rather than merged.
 */
export function MedicationsSection() {
  const { t } = useI18n();
  const { doc, actor, plain } = usePlanTeam();
  const reasonText = useReasonText();
  const reasonId = useId();
  const medications = useSectionEntries(doc, 'medications');
  const reason = reasonText(canChange(actor, 'medications', 'dose', {}));

  return (
    <PlanSection
      name="medications"
      title={t('medications.title')}
      hint={plain ? t('medications.plainHint') : undefined}
      reason={reason}
      reasonId={reasonId}
    >
      {medications.length === 0 ? (
        <p className="muted">{t('medications.empty')}</p>
      ) : (
        <ul className="entry-list entry-list--grid">
          {medications.map((medication, index) => (
            <li key={keyOf(medication, index)}>
              <MedicationCard medication={medication} reasonId={reasonId} />
            </li>
          ))}
        </ul>
      )}
      {!plain && <MedicationComposer allowed={canAdd(actor, 'medications').allowed} reasonId={reasonId} />}
    </PlanSection>
  );
}

function MedicationCard({ medication, reasonId }: { medication: Y.Map<unknown>; reasonId: string }) {
  const { t } = useI18n();
  const { actor } = usePlanTeam();
  const facts = factsOf(medication);
  const may = (key: string) => canChange(actor, 'medications', key, facts);
  const conflicts = conflictsOf(medication);
  const common = (key: string) => ({
    entry: medication,
    field: key,
    allowed: may(key).allowed,
    describedBy: reasonId,
    testId: `medication-${key}`,
  });
  const flagged = (key: string) => (conflicts[key] ? 'field--conflict' : undefined);

  return (
    <article
      className="entry-card medication"
      data-testid="medication-card"
      data-medication-id={textOf(medication, 'id')}
    >
      <EntryTextField
        {...common('drug')}
        label={t('medications.drug')}
        maxLength={200}
        required
        className="field--title"
      />
      <div className="entry-card__fields">
        <EntryTextField {...common('dose')} label={t('medications.dose')} maxLength={100} className={flagged('dose')} />
        <EntryTextField {...common('route')} label={t('medications.route')} maxLength={100} />
        <EntryTextField
          {...common('frequency')}
          label={t('medications.frequency')}
          maxLength={100}
          className={flagged('frequency')}
        />
        <EntryDateField {...common('start')} label={t('medications.start')} />
        <EntryDateField {...common('stop')} label={t('medications.stop')} />
      </div>
      {conflicts.dose && (
        <ConflictFlag
          entry={medication}
          field="dose"
          fieldLabel={t('medications.dose')}
          conflict={conflicts.dose}
          decision={may('dose')}
        />
      )}
      {conflicts.frequency && (
        <ConflictFlag
          entry={medication}
          field="frequency"
          fieldLabel={t('medications.frequency')}
          conflict={conflicts.frequency}
          decision={may('frequency')}
        />
      )}
      <EntryTextField {...common('note')} label={t('medications.note')} maxLength={2000} multiline />
    </article>
  );
}

function MedicationComposer({ allowed, reasonId }: { allowed: boolean; reasonId: string }) {
  const { t } = useI18n();
  const { doc, loading } = usePlanTeam();
  const ids = { drug: useId(), dose: useId(), route: useId(), frequency: useId(), start: useId() };
  const [drug, setDrug] = useState('');
  const [dose, setDose] = useState('');
  const [route, setRoute] = useState('');
  const [frequency, setFrequency] = useState('');
  const [start, setStart] = useState(todayIsoDate);

  const submit = () => {
    if (!drug.trim()) return false;
    sectionOf(doc, 'medications').push([
      newEntry({
        id: newUuid(),
        drug: drug.trim(),
        dose: dose.trim() || undefined,
        route: route.trim() || undefined,
        frequency: frequency.trim() || undefined,
        start: start || undefined,
      }),
    ]);
    setDrug('');
    setDose('');
    setRoute('');
    setFrequency('');
    return true;
  };

  const text = (id: string, label: string, value: string, set: (v: string) => void, max: number, required = false) => (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="text"
        required={required}
        maxLength={max}
        value={value}
        onChange={(e) => set(e.target.value)}
      />
    </div>
  );

  return (
    <Composer
      summary={t('medications.add')}
      submitLabel={t('medications.addSubmit')}
      allowed={allowed}
      describedBy={reasonId}
      onSubmit={submit}
      disabled={loading || !drug.trim()}
      testId="medication-composer"
    >
      <div className="entry-card__fields">
        {text(ids.drug, t('medications.drug'), drug, setDrug, 200, true)}
        {text(ids.dose, t('medications.dose'), dose, setDose, 100)}
        {text(ids.route, t('medications.route'), route, setRoute, 100)}
        {text(ids.frequency, t('medications.frequency'), frequency, setFrequency, 100)}
        <div className="field">
          <label htmlFor={ids.start}>{t('medications.start')}</label>
          <input id={ids.start} type="date" value={start} onChange={(e) => setStart(e.target.value)} />
        </div>
      </div>
    </Composer>
  );
}
