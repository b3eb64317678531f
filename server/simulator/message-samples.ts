import type { Bundle, DiagnosticReport, MessageHeader, Observation, Patient } from 'fhir/r4';
import { formatCpr } from '../../shared/cpr.ts';
import type { EncounterEvent, EncounterNotification } from '../../shared/results.ts';
import { nameUuid } from '../fhir/fhir-values.ts';
import { SENDER } from './sample-common.ts';

/**
 * Submissions around the results: Bundles that carry them (collection, message) and hospital
 * notifications (admission, leave, discharge) as POST /api/v1/encounters takes them.
 */

/** Resources gathered in a collection Bundle (no requests), each under a `urn:uuid:` fullUrl. */
export function collectionBundle(id: string, resources: (Observation | DiagnosticReport | Patient)[]): Bundle {
  return {
    resourceType: 'Bundle',
    id: nameUuid('sample', id, 'bundle'),
    type: 'collection',
    entry: resources.map((resource, i) => ({
      fullUrl: `urn:uuid:${nameUuid('sample', id, 'entry', String(i))}`,
      resource,
    })),
  };
}

/** A message Bundle: the MessageHeader first, focused on the report, then the report and the rest. */
export function messageBundle(
  id: string,
  time: string,
  focus: DiagnosticReport | Observation,
  others: (Observation | Patient)[] = [],
): Bundle {
  const focusUrl = `urn:uuid:${nameUuid('sample', id, 'focus')}`;
  const header: MessageHeader = {
    resourceType: 'MessageHeader',
    id: nameUuid('sample', id, 'header'),
    eventCoding: {
      system: 'http://hl7.org/fhir/message-events',
      code: 'diagnosticreport-provide',
      display: 'diagnosticreport-provide',
    },
    source: { name: 'Labportal', endpoint: 'https://labportal.regionh.example/fhir' },
    destination: [{ name: 'CareHub', endpoint: 'https://carehub.example/api/v1/results' }],
    focus: [{ reference: focusUrl }],
  };
  return {
    resourceType: 'Bundle',
    id: nameUuid('sample', id, 'bundle'),
    type: 'message',
    timestamp: time,
    entry: [
      { fullUrl: `urn:uuid:${header.id}`, resource: header },
      { fullUrl: focusUrl, resource: focus },
      ...others.map((resource, i) => ({ fullUrl: `urn:uuid:${nameUuid('sample', id, 'other', String(i))}`, resource })),
    ],
  };
}

// --- Hospital notifications ----------------------------------------------------------------

export const DEPARTMENTS: readonly { hospital: string; department: string }[] = [
  { hospital: 'Rigshospitalet', department: 'Kardiologisk Klinik, afsnit 2143' },
  { hospital: 'Rigshospitalet', department: 'Medicinsk Endokrinologisk Klinik PE' },
  { hospital: 'Holbæk Sygehus', department: 'Medicinsk Afdeling, M2' },
  { hospital: 'Holbæk Sygehus', department: 'Akutafdelingen' },
];

export function encounterNotification(o: {
  cpr: string;
  id: string;
  event: EncounterEvent;
  time: string;
  hospital?: string;
  department?: string;
  hyphenated?: boolean;
}): EncounterNotification {
  return {
    identifier: `${SENDER.encounter}|${o.id}`,
    cpr: o.hyphenated ? formatCpr(o.cpr) : o.cpr,
    event: o.event,
    time: o.time,
    hospital: o.hospital ?? 'Rigshospitalet',
    department: o.department ?? 'Kardiologisk Klinik, afsnit 2143',
  };
}
