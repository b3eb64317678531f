import { useState } from 'react';
import * as Y from 'yjs';
import { richTextToPlain } from '../../../../shared/plan-doc.ts';
import { RichTextEditor } from '../../components/RichTextEditor.tsx';
import { usePlanTeam } from '../PlanTeamContext.tsx';
import { ReadValue } from './ReadValue.tsx';

interface Props {
  entry: Y.Map<unknown>;
  field: string;
  label: string;
  allowed: boolean;
  testId: string;
}

/**
 * A rich-text key of an entry, read as text. Someone who may edit it opens the live editor
 * (with everyone's carets, and the formatting toolbar while it is open) by choosing the text;
 * leaving the editor shows the text again. Anyone else only reads it, so a reader's browser
 * never writes into it.
 */
export function RichTextField({ entry, field, label, allowed, testId }: Props) {
  const { provider, caretUser, loading } = usePlanTeam();
  const [editing, setEditing] = useState(false);
  const value = entry.get(field);
  const editable = allowed && !loading && value instanceof Y.XmlFragment;
  if (editable && editing) {
    return (
      <RichTextEditor
        fragment={value}
        provider={provider}
        caretUser={caretUser}
        label={label}
        showLabel
        testId={testId}
        autoFocus
        onLeave={() => setEditing(false)}
      />
    );
  }
  return (
    <ReadValue
      label={label}
      value={richTextToPlain(value)}
      multiline
      onEdit={editable ? () => setEditing(true) : undefined}
      className="rich-text--read"
      testId={testId}
    />
  );
}
