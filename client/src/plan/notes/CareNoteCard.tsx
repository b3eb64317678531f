import { useId, useState, type FormEvent } from 'react';
import * as Y from 'yjs';
import type { WebsocketProvider } from 'y-websocket';
import { newEntry, richText, richTextToPlain, sectionOf } from '../../../../shared/plan-doc.ts';
import type { UserView } from '../../../../shared/api.ts';
import { newUuid } from '../../ids.ts';
import { useI18n } from '../../i18n/index.tsx';
import { CareNoteEditor } from './CareNoteEditor.tsx';

export interface NoteItem {
  key: string;
  entry: Y.Map<unknown>;
  author: string;
  sector: string;
  created: string;
  body: unknown;
  /** When its author signed it; empty while it is a draft. */
  signed: string;
  /** The note this one corrects (an addendum), or ''. */
  amends: string;
}

interface Props {
  note: NoteItem;
  /** Its addenda, oldest first. */
  addenda: readonly NoteItem[];
  user: UserView;
  /** Names of people seen in the plan's presence, by user id. */
  namesById: ReadonlyMap<string, string>;
  provider: WebsocketProvider;
  caretUser: { name: string; color: string };
  /** A read-only session edits nothing, not even its own notes. */
  readOnly?: boolean;
  /** May write notes (and so addenda). */
  mayWrite: boolean;
  /** The author started editing this note: it is signed when she leaves the page. */
  onTouched: (id: string) => void;
}

/** Signs the note now (the server refuses it unless the signed-in person wrote it). */
export function signNote(entry: Y.Map<unknown>): void {
  if (typeof entry.get('signed') !== 'string') entry.set('signed', new Date().toISOString());
}

/**
 * One journal entry, read as text. Its author may open her unsigned note in the editor and sign
 * it — explicitly, or by leaving it; a signed note is locked (by the server), and a correction
 * is an addendum shown under it, the original kept as it was signed.
 */
export function CareNoteCard({
  note,
  addenda,
  user,
  namesById,
  provider,
  caretUser,
  readOnly = false,
  mayWrite,
  onTouched,
}: Props) {
  const { t, formatDateTime } = useI18n();
  const [editing, setEditing] = useState(false);
  const [correcting, setCorrecting] = useState(false);
  const mine = note.author === user.id;
  const signed = note.signed !== '';
  const editable = mine && !readOnly && !signed && note.body instanceof Y.XmlFragment;
  const bodyId = useId();

  return (
    <article
      className={`card note${mine ? ' note--mine' : ''}${signed ? ' note--signed' : ' note--draft'}`}
      data-testid="note"
      data-note-id={note.key}
      data-signed={signed ? 'true' : 'false'}
    >
      <NoteMeta note={note} selfId={user.id} namesById={namesById} />
      {editable && editing ? (
        <CareNoteEditor
          fragment={note.body as Y.XmlFragment}
          provider={provider}
          caretUser={caretUser}
          onLeave={() => {
            setEditing(false);
            signNote(note.entry);
          }}
        />
      ) : (
        <p className="note__body" id={bodyId} data-testid="note-body">
          {richTextToPlain(note.body)}
        </p>
      )}
      <div className="note__status">
        {signed ? (
          <p className="note__signed" data-testid="note-signed">
            <span aria-hidden="true">🔒 </span>
            {t('notes.signed', { time: formatDateTime(note.signed) })}
            <span className="visually-hidden"> {t('notes.locked')}</span>
          </p>
        ) : (
          <p className="note__unsigned" data-testid="note-unsigned">
            {t(mine ? 'notes.unsigned' : 'notes.unsignedOther')}
          </p>
        )}
        {editable && !editing && (
          <button
            type="button"
            className="button button--small"
            aria-describedby={bodyId}
            onClick={() => {
              onTouched(note.key);
              setEditing(true);
            }}
            data-testid="note-edit"
          >
            {t('notes.edit')}
          </button>
        )}
        {editable && (
          <button
            type="button"
            className="button button--small button--primary"
            // Signing from inside the editor: keep the editor's focus until the click lands.
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => {
              setEditing(false);
              signNote(note.entry);
            }}
            data-testid="note-sign"
          >
            {t('notes.sign')}
          </button>
        )}
        {signed && mayWrite && !readOnly && !correcting && (
          <button
            type="button"
            className="button button--small"
            onClick={() => setCorrecting(true)}
            data-testid="note-addendum"
          >
            {t('notes.addendum')}
          </button>
        )}
      </div>
      {addenda.length > 0 && (
        <section className="note__addenda" aria-label={t('notes.addendumHeading')}>
          <ol>
            {addenda.map((a) => (
              <li key={a.key} className="note__addendum" data-testid="note-addendum-item">
                <NoteMeta note={a} selfId={user.id} namesById={namesById} addendum />
                <p className="note__body">{richTextToPlain(a.body)}</p>
                {a.signed && <p className="note__signed">{t('notes.signed', { time: formatDateTime(a.signed) })}</p>}
              </li>
            ))}
          </ol>
        </section>
      )}
      {correcting && (
        <AddendumForm original={note} user={user} doc={note.entry.doc} onDone={() => setCorrecting(false)} />
      )}
    </article>
  );
}

function NoteMeta({
  note,
  selfId,
  namesById,
  addendum = false,
}: {
  note: NoteItem;
  selfId: string;
  namesById: ReadonlyMap<string, string>;
  addendum?: boolean;
}) {
  const { t, tDynamic, formatDateTime } = useI18n();
  const mine = note.author === selfId;
  const sectorLabel = tDynamic(`sector.${note.sector}`, 'sector.unknown');
  const authorLabel = mine ? t('notes.you') : (namesById.get(note.author) ?? t('notes.unknownAuthor'));
  return (
    <dl className="note__meta">
      <div>
        <dt className="visually-hidden">{t('notes.author')}</dt>
        <dd className="note__author" data-testid="note-author">
          {addendum ? t('notes.addendumBy', { author: authorLabel }) : authorLabel}
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
  );
}

/** A correction: a note of its own that amends the original, signed as it is saved. */
function AddendumForm({
  original,
  user,
  doc,
  onDone,
}: {
  original: NoteItem;
  user: UserView;
  doc: Y.Doc | null;
  onDone: () => void;
}) {
  const { t } = useI18n();
  const id = useId();
  const [text, setText] = useState('');
  const sector = user.organisation?.sector;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body = text.trim();
    if (!body || !sector || !doc) return;
    const now = new Date().toISOString();
    sectionOf(doc, 'notes').push([
      newEntry({
        id: newUuid(),
        author: user.id,
        sector,
        created: now,
        body: richText(body),
        amends: original.key,
        signed: now,
      }),
    ]);
    onDone();
  };
  return (
    <form className="note-composer note__addendum-form" onSubmit={submit}>
      <label htmlFor={id}>{t('notes.addendumLabel')}</label>
      <textarea
        id={id}
        rows={3}
        value={text}
        // biome-ignore lint/a11y/noAutofocus: the person just chose to write a correction
        autoFocus
        onChange={(e) => setText(e.target.value)}
        data-testid="note-addendum-text"
      />
      <div className="note__actions">
        <button
          type="submit"
          className="button button--primary"
          disabled={!text.trim()}
          data-testid="note-addendum-save"
        >
          {t('notes.addendumSave')}
        </button>
        <button type="button" className="button" onClick={onDone}>
          {t('notes.addendumCancel')}
        </button>
      </div>
    </form>
  );
}
