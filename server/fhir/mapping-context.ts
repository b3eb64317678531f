import type { Reference } from 'fhir/r4';
import type { IdAllocator } from './fhir-values.ts';

/** What every entry mapper needs: where it belongs and how to name what it makes. */
export interface MappingContext {
  planId: string;
  ids: IdAllocator;
  /** The Patient: the subject of everything in the Bundle. */
  patient: Reference;
  carePlan: Reference;
  /** The calendar day of the export in the plan's time zone (YYYY-MM-DD). */
  today: string;
}

/** A plan entry as `planToJson` gives it: keys from the contract, values unchecked. */
export type EntryJson = Record<string, unknown>;
