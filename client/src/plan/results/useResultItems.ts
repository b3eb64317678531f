import { useMemo } from 'react';
import type * as Y from 'yjs';
import { useSectionEntries } from '../entry.ts';
import { newestFirst, resultFromJson, type ResultItem } from './model.ts';

/** The plan's results, newest first, re-read live whenever the `results` section changes. */
export function useResultItems(doc: Y.Doc): ResultItem[] {
  const entries = useSectionEntries(doc, 'results');
  return useMemo(
    () => newestFirst(entries.map((e, i) => resultFromJson(e.toJSON() as Record<string, unknown>, i))),
    [entries],
  );
}
