import * as Y from 'yjs';
import type { WebsocketProvider } from 'y-websocket';
import { richTextToPlain } from '../../../../shared/plan-doc.ts';
import { useI18n } from '../../i18n/index.tsx';
import { CareNoteEditor } from './CareNoteEditor.tsx';

export interface NoteItem {
  key: string;
  author: string;
  sector: string;
  created: string;
  body: unknown;
}

interface Props {
  note: NoteItem;
  selfId: string;
  /** Names of people seen in the plan's presence, by user id. */
  namesById: ReadonlyMap<string, string>;
  provider: WebsocketProvider;
  caretUser: { name: string; color: string };
  /** A read-only session edits nothing, not even its own notes. */
  readOnly?: boolean;
}

/** One journal entry. Only its author gets a live editor; everyone else reads it as text. */
export function CareNoteCard({ note, selfId, namesById, provider, caretUser, readOnly = false }: Props) {
  const { t, tDynamic, formatDateTime } = useI18n();
  const mine = note.author === selfId;
  const sectorLabel = tDynamic(`sector.${note.sector}`, 'sector.unknown');
  const authorLabel = mine ? t('notes.you') : (namesById.get(note.author) ?? t('notes.unknownAuthor'));
  const editable = mine && !readOnly && note.body instanceof Y.XmlFragment;

  return (
    <article className={`card note${mine ? ' note--mine' : ''}`} data-testid="note" data-note-id={note.key}>
      <dl className="note__meta">
        <div>
          <dt className="visually-hidden">{t('notes.author')}</dt>
          <dd className="note__author" data-testid="note-author">
            {authorLabel}
          </dd>
        </div>
        <div>
          <dt className="visually-hidden">{t('notes.sector')}</dt>
          <dd className={`sector-tag sector-tag--${note.sector}`}>{sectorLabel}</dd>
        </div>
        <div>
          <dt className="visually-hidden">{t('notes.time')}</dt>
          <dd>
            <time dateTime={note.created}>{formatDateTime(note.created)}</time>
          </dd>
        </div>
      </dl>
      {editable ? (
        <CareNoteEditor fragment={note.body as Y.XmlFragment} provider={provider} caretUser={caretUser} />
      ) : (
        <>
          <p className="note__body" data-testid="note-body">
            {richTextToPlain(note.body)}
          </p>
          {!mine && <p className="visually-hidden">{t('notes.readOnly')}</p>}
        </>
      )}
    </article>
  );
}
