import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { focusSection } from './PlanSection.tsx';

const ENTRIES: ReadonlyArray<{ name: string; label: MessageKey }> = [
  { name: 'meta', label: 'section.meta' },
  { name: 'goals', label: 'section.goals' },
  { name: 'tasks', label: 'section.tasks' },
  { name: 'medications', label: 'section.medications' },
  { name: 'selfReports', label: 'section.selfReports' },
  { name: 'results', label: 'section.results' },
  { name: 'notes', label: 'section.notes' },
];

/** Jumps to a section. Buttons, not links: the hash belongs to the router. */
export function SectionMenu() {
  const { t } = useI18n();
  return (
    <nav className="section-menu card" aria-label={t('plan.sectionMenu')}>
      <h2 className="section-menu__title">{t('plan.sectionMenu')}</h2>
      <ul>
        {ENTRIES.map(({ name, label }) => (
          <li key={name}>
            <button type="button" className="section-menu__link" onClick={() => focusSection(name)}>
              {t(label)}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
