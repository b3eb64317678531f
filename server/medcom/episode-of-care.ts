import { text } from './fhir-schemas.ts';
import type { EpisodeOfCareId } from './types.ts';

/**
 * Episode-of-care identifiers: what ties the messages of one hospital stay (and a thread about
 * it) together, since every message brings fresh Patient and Encounter ids. MedCom's examples
 * write the same stay as `bd481c38-…` and `urn:uuid:bd481c38-…`; the key treats them as one.
 */
export function episodeKey(system: string, value: string): string {
  return `${system}|${value
    .trim()
    .replace(/^urn:uuid:/i, '')
    .toLowerCase()}`;
}

export function episodeOfCareId(identifier: { system?: string; value?: string } | undefined): EpisodeOfCareId | null {
  const system = text(identifier?.system);
  const value = text(identifier?.value);
  return system && value ? { system, value, key: episodeKey(system, value) } : null;
}
