import { useId } from 'react';
import type * as Y from 'yjs';
import type { FieldConflict } from '../../../shared/plan.ts';
import type { Decision } from '../../../shared/permissions.ts';
import { useI18n } from '../i18n/index.tsx';
import { displayValue } from './entry.ts';
import { PermissionNote } from './fields/PermissionNote.tsx';
import { usePlanTeam, useReasonText } from './PlanTeamContext.tsx';

interface Props {
  entry: Y.Map<unknown>;
  field: string;
  fieldLabel: string;
  conflict: FieldConflict;
  /** May the person set this field (and so confirm one of the values)? */
  decision: Decision;
  /** How a value of this field reads (e.g. a status label); default: as written. */
  format?: (value: unknown) => string;
}

/**
 * Two people set a clinical value at the same time. Both values and both authors are shown;
 * confirming one sets the field again, after which the server clears the flag.
 */
export function ConflictFlag({ entry, field, fieldLabel, conflict, decision, format }: Props) {
  const { t, formatDateTime, formatNumber } = useI18n();
  const { names, loading } = usePlanTeam();
  const reasonText = useReasonText();
  const titleId = useId();
  const reasonId = useId();
  const show = format ?? ((value: unknown) => displayValue(value, formatNumber));
  const reason = reasonText(decision);
  const authorOf = (author: string | null, authorName: string | null) =>
    authorName ?? (author ? names.get(author) : undefined) ?? t('conflict.unknownAuthor');

  return (
    // biome-ignore lint/a11y/useSemanticElements: a conflict flag is a titled group of two versions, not a form fieldset
    <div className="conflict" role="group" aria-labelledby={titleId} data-testid="conflict" data-field={field}>
      <p id={titleId} className="conflict__title">
        <span className="conflict__icon" aria-hidden="true">
          !
        </span>
        {t('conflict.title', { field: fieldLabel })}
      </p>
      <ul className="conflict__values">
        {conflict.values.map((v, index) => (
          <li key={index} data-testid="conflict-value">
            <strong>{show(v.value)}</strong>
            {' – '}
            {authorOf(v.author, v.authorName)}
            {index === 0 && <span className="conflict__kept"> ({t('conflict.kept')})</span>}
          </li>
        ))}
      </ul>
      <p className="hint">{t('conflict.detected', { time: formatDateTime(conflict.detected) })}</p>
      <div className="conflict__actions">
        {conflict.values.map((v, index) => (
          <button
            key={index}
            type="button"
            className="button button--small"
            disabled={!decision.allowed || loading}
            aria-describedby={reason ? reasonId : undefined}
            onClick={() => entry.set(field, v.value)}
            data-testid="conflict-keep"
          >
            {t('conflict.keep', { value: show(v.value) })}
          </button>
        ))}
      </div>
      <PermissionNote id={reasonId} text={reason} />
    </div>
  );
}
