import { useId, useState } from 'react';
import type * as Y from 'yjs';
import { newEntry, richText, sectionOf } from '../../../shared/plan-doc.ts';
import { canAdd, canChange } from '../../../shared/permissions.ts';
import type { Sector } from '../../../shared/roles.ts';
import { newUuid } from '../ids.ts';
import { useI18n } from '../i18n/index.tsx';
import { useChoices } from './choices.ts';
import { Composer } from './Composer.tsx';
import { factsOf, keyOf, useSectionEntries } from './entry.ts';
import { EntryDateField, EntrySelectField, EntryTextField } from './fields/EntryFields.tsx';
import { RichTextField } from './fields/RichTextField.tsx';
import { PlanSection } from './PlanSection.tsx';
import { usePlanTeam, useReasonText } from './PlanTeamContext.tsx';

/** The plan's goals: what the patient and the team work towards, each owned by a sector. */
export function GoalsSection() {
  const { t } = useI18n();
  const { doc, actor, plain } = usePlanTeam();
  const reasonText = useReasonText();
  const reasonId = useId();
  const goals = useSectionEntries(doc, 'goals');
  const reason = reasonText(canChange(actor, 'goals', 'description', {}));

  return (
    <PlanSection
      name="goals"
      title={t('goals.title')}
      hint={plain ? t('goals.plainHint') : undefined}
      reason={reason}
      reasonId={reasonId}
    >
      {goals.length === 0 ? (
        <p className="muted">{t('goals.empty')}</p>
      ) : (
        <ul className="entry-list">
          {goals.map((goal, index) => (
            <li key={keyOf(goal, index)}>
              <GoalCard goal={goal} reasonId={reasonId} />
            </li>
          ))}
        </ul>
      )}
      {!plain && <GoalComposer allowed={canAdd(actor, 'goals').allowed} reasonId={reasonId} />}
    </PlanSection>
  );
}

function GoalCard({ goal, reasonId }: { goal: Y.Map<unknown>; reasonId: string }) {
  const { t } = useI18n();
  const { actor } = usePlanTeam();
  const { sectors, goalStatuses } = useChoices();
  const facts = factsOf(goal);
  const may = (key: string) => canChange(actor, 'goals', key, facts).allowed;
  return (
    <article className="entry-card goal" data-testid="goal-card" data-goal-id={facts.id as string | undefined}>
      <RichTextField
        entry={goal}
        field="description"
        label={t('goals.description')}
        allowed={may('description')}
        testId="goal-description"
      />
      <div className="entry-card__fields">
        <EntryTextField
          entry={goal}
          field="target"
          label={t('goals.target')}
          allowed={may('target')}
          describedBy={reasonId}
          maxLength={500}
          wrap
          className="field--wide"
          testId="goal-target"
        />
        <EntryDateField
          entry={goal}
          field="due"
          label={t('goals.due')}
          allowed={may('due')}
          describedBy={reasonId}
          testId="goal-due"
        />
        <EntrySelectField
          entry={goal}
          field="status"
          label={t('goals.status')}
          allowed={may('status')}
          describedBy={reasonId}
          choices={goalStatuses}
          testId="goal-status"
        />
        <EntrySelectField
          entry={goal}
          field="sector"
          label={t('goals.sector')}
          allowed={may('sector')}
          describedBy={reasonId}
          choices={sectors}
          testId="goal-sector"
        />
      </div>
    </article>
  );
}

function GoalComposer({ allowed, reasonId }: { allowed: boolean; reasonId: string }) {
  const { t } = useI18n();
  const { doc, actor, loading } = usePlanTeam();
  const { sectors } = useChoices();
  const ids = { description: useId(), target: useId(), due: useId(), sector: useId() };
  const [description, setDescription] = useState('');
  const [target, setTarget] = useState('');
  const [due, setDue] = useState('');
  const [sector, setSector] = useState<Sector>(actor.sector ?? 'hospital');

  const submit = () => {
    if (!description.trim()) return false;
    sectionOf(doc, 'goals').push([
      newEntry({
        id: newUuid(),
        description: richText(description.trim()),
        target: target.trim() || undefined,
        due: due || undefined,
        status: 'proposed',
        sector,
      }),
    ]);
    setDescription('');
    setTarget('');
    setDue('');
    return true;
  };

  return (
    <Composer
      summary={t('goals.add')}
      submitLabel={t('goals.addSubmit')}
      allowed={allowed}
      describedBy={reasonId}
      onSubmit={submit}
      disabled={loading || !description.trim()}
      testId="goal-composer"
    >
      <div className="field">
        <label htmlFor={ids.description}>{t('goals.description')}</label>
        <textarea
          id={ids.description}
          rows={2}
          required
          value={description}
          onChange={(e) => setDescription(e.target.value)}
        />
      </div>
      <div className="entry-card__fields">
        <div className="field field--wide">
          <label htmlFor={ids.target}>{t('goals.target')}</label>
          <input
            id={ids.target}
            type="text"
            maxLength={500}
            value={target}
            onChange={(e) => setTarget(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.due}>{t('goals.due')}</label>
          <input id={ids.due} type="date" value={due} onChange={(e) => setDue(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={ids.sector}>{t('goals.sector')}</label>
          <select id={ids.sector} value={sector} onChange={(e) => setSector(e.target.value as Sector)}>
            {sectors.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </div>
      </div>
    </Composer>
  );
}
