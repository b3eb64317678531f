import { useId, useState, type FormEvent } from 'react';
import type * as Y from 'yjs';
import { addNote } from '../../../../shared/plan-doc.ts';
import type { UserView } from '../../../../shared/api.ts';
import { newUuid } from '../../ids.ts';
import { useI18n } from '../../i18n/index.tsx';

interface Props {
  doc: Y.Doc;
  user: UserView;
  /** The new note's id: it is signed when the author leaves the plan, unless she signs it first. */
  onAdded?: (id: string) => void;
}

/** Writes a new note as the signed-in person, in their organisation's sector. */
export function CareNoteComposer({ doc, user, onAdded }: Props) {
  const { t } = useI18n();
  const id = useId();
  const [text, setText] = useState('');
  const sector = user.organisation?.sector;

  if (!sector) return <p className="muted">{t('notes.cannotAdd')}</p>;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body = text.trim();
    if (!body) return;
    const id = newUuid();
    addNote(doc, { id, author: user.id, sector, created: new Date().toISOString(), body });
    onAdded?.(id);
    setText('');
  };

  return (
    <form className="note-composer" onSubmit={submit}>
      <label htmlFor={id}>{t('notes.composerLabel')}</label>
      <textarea
        id={id}
        rows={3}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) submit(e);
        }}
        data-testid="note-composer"
      />
      <button type="submit" className="button button--primary" disabled={!text.trim()} data-testid="note-add">
        {t('notes.add')}
      </button>
    </form>
  );
}
