import { useId } from 'react';
import { useI18n } from '../../i18n/index.tsx';

interface Props {
  label: string;
  value: string;
  /** Given to someone who may edit the field: the value is a button that opens its editor. */
  onEdit?: (() => void) | undefined;
  /** Several lines of text (rich text read as text). */
  multiline?: boolean;
  testId?: string | undefined;
  className?: string | undefined;
  describedBy?: string | undefined;
  /** The entry's key, as `data-field` (as the field's input has it). */
  field?: string | undefined;
}

/**
 * A field as the plan shows it first: its label and its value as text. For someone who may
 * change it, the value is a button (named by the label, the value and "edit") that turns the
 * field into its editor; everyone else reads it as text.
 */
export function ReadValue({ label, value, onEdit, multiline = false, testId, className, describedBy, field }: Props) {
  const { t } = useI18n();
  const labelId = useId();
  const valueId = useId();
  const shown = value || t('field.empty');
  const valueClass = `field__value${value ? '' : ' field__value--empty'}${multiline ? ' field__value--multiline' : ''}`;
  return (
    <div className={`field field--read ${className ?? ''}`}>
      <span className="field__label" id={labelId}>
        {label}
      </span>
      {onEdit ? (
        <button
          type="button"
          className={`field__edit ${valueClass}`}
          id={valueId}
          aria-labelledby={`${labelId} ${valueId}`}
          aria-describedby={describedBy}
          onClick={onEdit}
          data-testid={testId ? `${testId}-read` : undefined}
          data-field={field}
        >
          {shown}
          <span className="visually-hidden"> – {t('field.editHint')}</span>
        </button>
      ) : (
        <span
          className={valueClass}
          aria-describedby={describedBy}
          data-testid={testId ? `${testId}-read` : undefined}
          data-field={field}
        >
          {shown}
        </span>
      )}
    </div>
  );
}
