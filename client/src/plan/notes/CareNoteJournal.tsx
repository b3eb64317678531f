import { useId, useMemo } from 'react';
import * as Y from 'yjs';
import { sectionOf } from '../../../../shared/plan-doc.ts';
import { canAdd } from '../../../../shared/permissions.ts';
import { useYRevision } from '../../collab/useYRevision.ts';
import { useI18n } from '../../i18n/index.tsx';
import { PlanSection } from '../PlanSection.tsx';
import { usePlanTeam, useReasonText } from '../PlanTeamContext.tsx';
import { CareNoteCard, type NoteItem } from './CareNoteCard.tsx';
import { CareNoteComposer } from './CareNoteComposer.tsx';

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
export function CareNoteJournal() {
  const { t } = useI18n();
  const { doc, provider, user, actor, caretUser, names, plain, readOnly } = usePlanTeam();
  const reasonText = useReasonText();
  const reasonId = useId();
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
  const addDecision = canAdd(actor, 'notes');

  return (
    <PlanSection
      name="notes"
      title={t('notes.title')}
      hint={plain ? t('notes.plainHint') : undefined}
      reason={plain ? null : reasonText(addDecision)}
      reasonId={reasonId}
    >
      {addDecision.allowed && <CareNoteComposer doc={doc} user={user} />}
      {items.length === 0 ? (
        <p className="muted">{t('notes.empty')}</p>
      ) : (
        <ol className="journal__list" data-testid="note-list">
          {items.map((note) => (
            <li key={note.key}>
              <CareNoteCard
                note={note}
                selfId={user.id}
                namesById={names}
                provider={provider}
                caretUser={caretUser}
                readOnly={readOnly}
              />
            </li>
          ))}
        </ol>
      )}
    </PlanSection>
  );
}
