import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useI18n } from '../i18n/index.tsx';

interface Props {
  /** The disclosure's label, e.g. "Add a goal". */
  summary: string;
  submitLabel: string;
  /** Writes the entry; returns false (and keeps the form) when the input is not complete. */
  onSubmit: () => boolean;
  disabled?: boolean;
  testId: string;
  /** False when the person may not add entries here: a disabled button that says why instead. */
  allowed?: boolean;
  describedBy?: string;
  children: ReactNode;
}

/** A form to add an entry, folded away until asked for (a native, keyboard-usable disclosure). */
export function Composer({
  summary,
  submitLabel,
  onSubmit,
  disabled = false,
  testId,
  allowed = true,
  describedBy,
  children,
}: Props) {
  const { t } = useI18n();
  const [added, setAdded] = useState(0);
  const details = useRef<HTMLDetailsElement>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (onSubmit()) setAdded((n) => n + 1);
  };
  if (!allowed) {
    return (
      <button
        type="button"
        className="button composer__denied"
        disabled
        aria-describedby={describedBy}
        data-testid={testId}
      >
        {summary}
      </button>
    );
  }
  return (
    <details className="composer" ref={details} data-testid={testId}>
      <summary className="composer__summary">{summary}</summary>
      <form className="composer__form" onSubmit={submit}>
        {children}
        <div className="composer__actions">
          <button type="submit" className="button button--primary" disabled={disabled} data-testid={`${testId}-submit`}>
            {submitLabel}
          </button>
          <p className="visually-hidden" role="status">
            {added > 0 ? t('composer.added', { count: added }) : ''}
          </p>
        </div>
      </form>
    </details>
  );
}
