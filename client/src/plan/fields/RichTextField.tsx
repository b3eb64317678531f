import * as Y from 'yjs';
import { richTextToPlain } from '../../../../shared/plan-doc.ts';
import { RichTextEditor } from '../../components/RichTextEditor.tsx';
import { usePlanTeam } from '../PlanTeamContext.tsx';

interface Props {
  entry: Y.Map<unknown>;
  field: string;
  label: string;
  allowed: boolean;
  testId: string;
}

/**
 * A rich-text key of an entry. Someone who may edit it gets the live editor (with everyone's
 * carets); anyone else reads it as text, so a reader's browser never writes into it.
 */
export function RichTextField({ entry, field, label, allowed, testId }: Props) {
  const { provider, caretUser, loading } = usePlanTeam();
  const value = entry.get(field);
  if (allowed && !loading && value instanceof Y.XmlFragment) {
    return (
      <RichTextEditor
        fragment={value}
        provider={provider}
        caretUser={caretUser}
        label={label}
        showLabel
        testId={testId}
      />
    );
  }
  const text = richTextToPlain(value);
  return (
    <div className="rich-text rich-text--readonly">
      <span className="rich-text__label">{label}</span>
      <p className="rich-text__plain" data-testid={`${testId}-text`}>
        {text || '–'}
      </p>
    </div>
  );
}
