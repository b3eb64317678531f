import { useState } from 'react';

/**
 * A field that shows the document's value until the person starts typing, then their draft
 * until they commit (blur or Enter) or cancel (Escape). One write per commit: clinical values
 * are atomic in the plan, never merged character by character.
 */
export function useDraft(current: string, commit: (next: string) => void) {
  const [draft, setDraft] = useState<string | null>(null);
  const finish = () => {
    if (draft === null) return;
    setDraft(null);
    if (draft.trim() !== current) commit(draft.trim());
  };
  return {
    value: draft ?? current,
    editing: draft !== null,
    change: (next: string) => setDraft(next),
    finish,
    cancel: () => setDraft(null),
  };
}
