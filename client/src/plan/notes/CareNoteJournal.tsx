import { useCallback, useEffect, useId, useMemo, useRef } from 'react';
import * as Y from 'yjs';
import { sectionOf } from '../../../../shared/plan-doc.ts';
import { canAdd } from '../../../../shared/permissions.ts';
import { useYRevision } from '../../collab/useYRevision.ts';
import { useI18n } from '../../i18n/index.tsx';
import { PlanSection } from '../PlanSection.tsx';
import { usePlanTeam, useReasonText } from '../PlanTeamContext.tsx';
import { CareNoteCard, signNote, type NoteItem } from './CareNoteCard.tsx';
import { CareNoteComposer } from './CareNoteComposer.tsx';

function toNoteItem(entry: Y.Map<unknown>, index: number): NoteItem {
  const text = (key: string) => {
    const value = entry.get(key);
    return typeof value === 'string' ? value : '';
  };
  return {
    key: text('id') || `index-${index}`,
    entry,
    author: text('author'),
    sector: text('sector'),
    created: text('created'),
    body: entry.get('body'),
    signed: text('signed'),
    amends: text('amends'),
  };
}

function newestFirst(a: NoteItem, b: NoteItem): number {
  return (Date.parse(b.created) || 0) - (Date.parse(a.created) || 0);
}

/**
 * The plan's `notes` section as a journal, newest first, with a composer on top. Addenda are
 * shown under the note they correct. Notes the signed-in author wrote or opened on this page
 * and left unsigned are signed when she leaves the plan (another page, or closing it).
 */
export function CareNoteJournal() {
  const { t } = useI18n();
  const { doc, provider, user, actor, caretUser, names, plain, readOnly } = usePlanTeam();
  const reasonText = useReasonText();
  const reasonId = useId();
  const notes = useMemo(() => sectionOf(doc, 'notes'), [doc]);
  const revision = useYRevision(notes);
  const all = useMemo(
    () =>
      notes
        .toArray()
        .filter((e): e is Y.Map<unknown> => e instanceof Y.Map)
        .map(toNoteItem),
    // `revision` tells that the Y.Array changed in place
    [notes, revision],
  );
  const { items, addenda } = useMemo(() => {
    const ids = new Set(all.map((n) => n.key));
    const byOriginal = new Map<string, NoteItem[]>();
    for (const n of all) {
      if (!n.amends || !ids.has(n.amends)) continue;
      byOriginal.set(n.amends, [...(byOriginal.get(n.amends) ?? []), n]);
    }
    for (const list of byOriginal.values()) list.sort((a, b) => -newestFirst(a, b));
    return { items: all.filter((n) => !n.amends || !ids.has(n.amends)).sort(newestFirst), addenda: byOriginal };
  }, [all]);
  const addDecision = canAdd(actor, 'notes');

  // Notes this author wrote or opened here: signed when she leaves the plan.
  const touched = useRef(new Set<string>());
  const touch = useCallback((id: string) => touched.current.add(id), []);
  useEffect(() => {
    const signTouched = () => {
      for (const entry of notes.toArray()) {
        if (!(entry instanceof Y.Map)) continue;
        const id = entry.get('id');
        if (typeof id === 'string' && touched.current.has(id) && entry.get('author') === user.id) signNote(entry);
      }
      touched.current.clear();
    };
    window.addEventListener('pagehide', signTouched);
    window.addEventListener('hashchange', signTouched);
    return () => {
      window.removeEventListener('pagehide', signTouched);
      window.removeEventListener('hashchange', signTouched);
      signTouched();
    };
  }, [notes, user.id]);

  return (
    <PlanSection
      name="notes"
      title={t('notes.title')}
      hint={plain ? t('notes.plainHint') : undefined}
      reason={plain ? null : reasonText(addDecision)}
      reasonId={reasonId}
    >
      {addDecision.allowed && !readOnly && <CareNoteComposer doc={doc} user={user} onAdded={touch} />}
      {items.length === 0 ? (
        <p className="muted">{t('notes.empty')}</p>
      ) : (
        <ol className="journal__list" data-testid="note-list">
          {items.map((note) => (
            <li key={note.key}>
              <CareNoteCard
                note={note}
                addenda={addenda.get(note.key) ?? []}
                user={user}
                namesById={names}
                provider={provider}
                caretUser={caretUser}
                readOnly={readOnly}
                mayWrite={addDecision.allowed}
                onTouched={touch}
              />
            </li>
          ))}
        </ol>
      )}
    </PlanSection>
  );
}
