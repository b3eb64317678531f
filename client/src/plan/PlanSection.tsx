import type { ReactNode } from 'react';
import { PermissionNote } from './fields/PermissionNote.tsx';
import { usePlanTeam } from './PlanTeamContext.tsx';

interface Props {
  /** The section's name in the document (`goals`, `tasks` …): its anchor and test id. */
  name: string;
  title: string;
  /** A plain-language line on what the section is (for readers who may change nothing). */
  hint?: string | undefined;
  /** Why this person may not change the section, when they may not. */
  reason?: string | null;
  reasonId?: string;
  children: ReactNode;
}

/** One section of the plan: a titled region that the section menu can move focus to. */
export function PlanSection({ name, title, hint, reason = null, reasonId, children }: Props) {
  const titleId = `section-${name}-title`;
  // A reader who may change nothing is not told so again in every section.
  const { plain } = usePlanTeam();
  return (
    <section className="plan-section card" aria-labelledby={titleId} data-testid={`section-${name}`}>
      <h2 id={titleId} tabIndex={-1} className="plan-section__title">
        {title}
      </h2>
      {hint && <p className="plan-section__hint">{hint}</p>}
      {reasonId && <PermissionNote id={reasonId} text={plain ? null : reason} />}
      {children}
    </section>
  );
}

/** Moves focus (and the view) to a section's heading. */
export function focusSection(name: string): void {
  const heading = document.getElementById(`section-${name}-title`);
  heading?.focus({ preventScroll: true });
  heading?.scrollIntoView({ block: 'start', behavior: 'smooth' });
}
