import { useMemo } from 'react';
import type * as Y from 'yjs';
import { useSectionEntries } from '../entry.ts';
import { measurementFromJson, newestFirst, resultFromJson, selfReportFromJson, type ResultItem } from './model.ts';

/**
 * The plan's results, the care team's measurements and the citizen's self-reported
 * measurements, newest first, re-read live whenever one of those sections changes.
 */
export function useResultItems(doc: Y.Doc): ResultItem[] {
  const results = useSectionEntries(doc, 'results');
  const measurements = useSectionEntries(doc, 'measurements');
  const selfReports = useSectionEntries(doc, 'selfReports');
  return useMemo(() => {
    const json = (e: Y.Map<unknown>) => e.toJSON() as Record<string, unknown>;
    return newestFirst([
      ...results.map((e, i) => resultFromJson(json(e), i)),
      ...measurements.map((e, i) => measurementFromJson(json(e), i)),
      ...selfReports.map((e, i) => selfReportFromJson(json(e), i)).filter((r): r is ResultItem => r !== null),
    ]);
  }, [results, measurements, selfReports]);
}
