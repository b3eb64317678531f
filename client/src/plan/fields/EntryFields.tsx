import { useId, useState, type KeyboardEvent } from 'react';
import type * as Y from 'yjs';
import { useI18n } from '../../i18n/index.tsx';
import { textOf } from '../entry.ts';
import { usePlanTeam } from '../PlanTeamContext.tsx';
import { ReadValue } from './ReadValue.tsx';
import { useDraft } from './useDraft.ts';

interface BaseProps {
  entry: Y.Map<unknown>;
  field: string;
  label: string;
  allowed: boolean;
  /** Id of the visible text that says why the field is disabled. */
  describedBy?: string | undefined;
  testId?: string;
  className?: string;
}

function keys(finish: () => void, cancel: () => void, multiline: boolean) {
  return (event: KeyboardEvent<HTMLInputElement | HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && (!multiline || event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      finish();
    } else if (event.key === 'Escape') cancel();
  };
}

interface TextProps extends BaseProps {
  maxLength: number;
  /** Never cleared: an empty commit keeps the old value. */
  required?: boolean;
  /** Several lines (Ctrl+Enter commits). */
  multiline?: boolean;
  /** One line that wraps in a narrow column (Enter commits; no line breaks are written). */
  wrap?: boolean;
}

/**
 * A short text value (`map.set` of a string). Shown as text; for someone who may change it the
 * text opens an input, and the value is written when the person leaves the field (Enter, or
 * focus moving on), which shows it as text again. Escape leaves it unchanged.
 */
export function EntryTextField({
  entry,
  field,
  label,
  allowed,
  describedBy,
  testId,
  className,
  maxLength,
  required = false,
  multiline = false,
  wrap = false,
}: TextProps) {
  const id = useId();
  const { loading } = usePlanTeam();
  const [editing, setEditing] = useState(false);
  const current = textOf(entry, field);
  const draft = useDraft(current, (next) => {
    if (next) entry.set(field, next);
    else if (!required) entry.delete(field);
  });
  const editable = allowed && !loading;
  if (!editing || !editable)
    return (
      <ReadValue
        label={label}
        value={current}
        onEdit={editable ? () => setEditing(true) : undefined}
        describedBy={allowed ? undefined : describedBy}
        className={className}
        testId={testId}
        field={field}
      />
    );
  const finish = () => {
    draft.finish();
    setEditing(false);
  };
  const cancel = () => {
    draft.cancel();
    setEditing(false);
  };
  const common = {
    id,
    value: draft.value,
    maxLength,
    autoFocus: true,
    onChange: (e: { target: { value: string } }) =>
      draft.change(multiline ? e.target.value : e.target.value.replace(/[\r\n]+/g, ' ')),
    onBlur: finish,
    onKeyDown: keys(finish, cancel, multiline),
    'data-testid': testId,
    'data-field': field,
  };
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      {multiline || wrap ? (
        <textarea rows={multiline ? 2 : 1} className={wrap ? 'field__wrap' : undefined} {...common} />
      ) : (
        <input type="text" autoComplete="off" {...common} />
      )}
    </div>
  );
}

/** A date (`YYYY-MM-DD`); clearing it removes the key. */
export function EntryDateField({ entry, field, label, allowed, describedBy, testId, className }: BaseProps) {
  const id = useId();
  const { formatDate } = useI18n();
  const { loading } = usePlanTeam();
  const [editing, setEditing] = useState(false);
  const current = textOf(entry, field);
  const draft = useDraft(current, (next) => {
    if (/^\d{4}-\d{2}-\d{2}$/.test(next)) entry.set(field, next);
    else if (next === '') entry.delete(field);
  });
  const editable = allowed && !loading;
  if (!editing || !editable)
    return (
      <ReadValue
        label={label}
        value={current ? formatDate(current) : ''}
        onEdit={editable ? () => setEditing(true) : undefined}
        describedBy={allowed ? undefined : describedBy}
        className={className}
        testId={testId}
        field={field}
      />
    );
  const finish = () => {
    draft.finish();
    setEditing(false);
  };
  const cancel = () => {
    draft.cancel();
    setEditing(false);
  };
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="date"
        // biome-ignore lint/a11y/noAutofocus: the person just chose to edit this field
        autoFocus
        value={draft.value}
        onChange={(e) => draft.change(e.target.value)}
        onBlur={finish}
        onKeyDown={keys(finish, cancel, false)}
        data-testid={testId}
        data-field={field}
      />
    </div>
  );
}

export interface Choice {
  value: string;
  label: string;
}

/** One of a fixed set of values, written as soon as it is chosen. */
export function EntrySelectField({
  entry,
  field,
  label,
  allowed,
  describedBy,
  testId,
  className,
  choices,
}: BaseProps & { choices: readonly Choice[] }) {
  const id = useId();
  const { loading } = usePlanTeam();
  const current = textOf(entry, field);
  const known = choices.some((c) => c.value === current);
  // A choice someone may not make is read as text, not as a disabled control.
  if (!allowed)
    return (
      <ReadValue
        label={label}
        value={choices.find((c) => c.value === current)?.label ?? current}
        describedBy={describedBy}
        className={className}
        testId={testId}
        field={field}
      />
    );
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={current}
        disabled={loading}
        onChange={(e) => {
          if (e.target.value !== current) entry.set(field, e.target.value);
        }}
        data-testid={testId}
        data-field={field}
      >
        {!known && <option value={current}>{current || '–'}</option>}
        {choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>
    </div>
  );
}
