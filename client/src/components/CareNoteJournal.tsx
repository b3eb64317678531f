import { useMemo, useRef } from 'react';
import * as Y from 'yjs';
import type { WebsocketProvider } from 'y-websocket';
import { sectionOf } from '../../../shared/plan-doc.ts';
import type { UserView } from '../../../shared/api.ts';
import { useYRevision } from '../collab/useYRevision.ts';
import type { PresentPeer } from '../collab/usePresence.ts';
import { useI18n } from '../i18n/index.tsx';
import { CareNoteCard, type NoteItem } from './CareNoteCard.tsx';
import { CareNoteComposer } from './CareNoteComposer.tsx';

interface Props {
  doc: Y.Doc;
  provider: WebsocketProvider;
  user: UserView;
  peers: readonly PresentPeer[];
  caretUser: { name: string; color: string };
}

function toNoteItem(entry: Y.Map<unknown>, index: number): NoteItem {
  const text = (key: string) => {
    const value = entry.get(key);
    return typeof value === 'string' ? value : '';
  };
  return {
    key: text('id') || `index-${index}`,
    author: text('author'),
    sector: text('sector'),
    created: text('created'),
    body: entry.get('body'),
  };
}

function newestFirst(a: NoteItem, b: NoteItem): number {
  return (Date.parse(b.created) || 0) - (Date.parse(a.created) || 0);
}

/** The plan's `notes` section as a journal, newest first, with a composer on top. */
export function CareNoteJournal({ doc, provider, user, peers, caretUser }: Props) {
  const { t } = useI18n();
  const notes = useMemo(() => sectionOf(doc, 'notes'), [doc]);
  const revision = useYRevision(notes);
  const items = useMemo(
    () =>
      notes
        .toArray()
        .filter((e): e is Y.Map<unknown> => e instanceof Y.Map)
        .map(toNoteItem)
        .sort(newestFirst),
    // `revision` tells that the Y.Array changed in place
    [notes, revision],
  );
  // Names of everyone seen in presence while the plan is open; a note keeps its author's name
  // after they leave. (There is no REST lookup of author names in the contract yet.)
  const seenNames = useRef(new Map<string, string>());
  const namesById = useMemo(() => {
    for (const { user: person } of peers) seenNames.current.set(person.id, person.name);
    return new Map(seenNames.current);
  }, [peers]);

  return (
    <section className="journal" aria-labelledby="journal-title">
      <h2 id="journal-title">{t('notes.title')}</h2>
      <CareNoteComposer doc={doc} user={user} />
      {items.length === 0 ? (
        <p className="muted">{t('notes.empty')}</p>
      ) : (
        <ol className="journal__list" data-testid="note-list">
          {items.map((note) => (
            <li key={note.key}>
              <CareNoteCard
                note={note}
                selfId={user.id}
                namesById={namesById}
                provider={provider}
                caretUser={caretUser}
              />
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
