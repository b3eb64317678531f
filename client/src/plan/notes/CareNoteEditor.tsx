import type * as Y from 'yjs';
import type { WebsocketProvider } from 'y-websocket';
import { useI18n } from '../../i18n/index.tsx';
import { RichTextEditor } from '../../components/RichTextEditor.tsx';

interface Props {
  fragment: Y.XmlFragment;
  provider: WebsocketProvider;
  caretUser: { name: string; color: string };
  /** The author left the note (focus moved on, or Escape): it is signed. */
  onLeave: () => void;
}

/** The author's live editor for her unsigned note's body, open while she edits it. */
export function CareNoteEditor({ fragment, provider, caretUser, onLeave }: Props) {
  const { t } = useI18n();
  return (
    <RichTextEditor
      fragment={fragment}
      provider={provider}
      caretUser={caretUser}
      label={t('notes.editLabel')}
      testId="note-editor"
      autoFocus
      onLeave={onLeave}
    />
  );
}
