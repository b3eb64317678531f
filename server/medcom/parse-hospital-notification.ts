import type { Entry, MessageBundle } from './bundle-index.ts';
import type { ReadEnvelope } from './envelope.ts';
import { episodeOfCareId } from './episode-of-care.ts';
import * as F from './fhir-schemas.ts';
import { infoOf, readPatient, referencedOrganisation } from './parties.ts';
import { quote, refuse } from './refusal.ts';
import {
  ACT_CODE_SYSTEM,
  EXTENSION,
  HOSPITAL_NOTIFICATION_ACTIVITIES,
  type HospitalNotificationActivity,
  LPR_EPISODE_SYSTEM,
  SOR_URL_PREFIX,
} from './systems.ts';
import type { EpisodeOfCareId, HospitalNotification, HospitalNotificationCode } from './types.ts';

/** HospitalNotification 3.0 (sygehusadvis): the stay's Encounter, the patient, the request for a report of admission. */

const STATUSES = ['in-progress', 'onleave', 'finished', 'entered-in-error'] as const;
const CLASSES = ['IMP', 'EMER'] as const;

const BASE_CODE: Record<string, 'STIN' | 'STAA' | 'STOR' | 'SLOR' | 'SLHJ'> = {
  'admit-emergency': 'STAA',
  'admit-inpatient': 'STIN',
  'start-leave-inpatient': 'STOR',
  'end-leave-inpatient': 'SLOR',
  'discharge-emergency-home': 'SLHJ',
  'discharge-inpatient-home': 'SLHJ',
};

/** MedCom's "Overview of HospitalNotification codes": activity and Patient.deceased → STIN … MORS. */
export function notificationCode(activity: HospitalNotificationActivity, deceased: boolean): HospitalNotificationCode {
  const cancel = activity.startsWith('cancel-');
  const revise = activity.startsWith('revise-');
  if (deceased && !cancel) return 'MORS';
  const base = BASE_CODE[activity.replace(/^(cancel|revise)-/, '')] as string;
  return (cancel ? `AN_${base}` : revise ? `RE_${base}` : base) as HospitalNotificationCode;
}

const isOneOf = <T extends string>(list: readonly T[], v: string | undefined): v is T =>
  v !== undefined && (list as readonly string[]).includes(v);

function focusEncounter(bundle: MessageBundle, read: ReadEnvelope): Entry {
  const focus = read.header.focus ?? [];
  const where = `${read.headerEntry.path}.focus`;
  if (focus.length > 0) {
    const entry = bundle.resolve(focus[0]?.reference, ['Encounter'], `${where}[0]`);
    if (!entry)
      refuse('unresolved-reference', 'MessageHeader.focus does not name an Encounter in the Bundle', `${where}[0]`);
    return entry;
  }
  const encounters = bundle.ofType('Encounter');
  if (encounters.length !== 1)
    refuse(
      'missing-element',
      'MessageHeader.focus is missing and the Bundle does not hold exactly one Encounter',
      where,
    );
  return encounters[0] as Entry;
}

/** The stay's identifier: the one under the sender's or service provider's SOR system, else the first that is not LPR's, else the first. */
function primaryEpisode(episodes: EpisodeOfCareId[], sors: (string | null)[]): EpisodeOfCareId {
  for (const sor of sors) {
    const found = sor ? episodes.find((e) => e.system === `${SOR_URL_PREFIX}${sor}`) : undefined;
    if (found) return found;
  }
  return episodes.find((e) => e.system !== LPR_EPISODE_SYSTEM) ?? (episodes[0] as EpisodeOfCareId);
}

export function parseHospitalNotification(bundle: MessageBundle, read: ReadEnvelope): HospitalNotification {
  const { activity, envelope } = read;
  if (!isOneOf(HOSPITAL_NOTIFICATION_ACTIVITIES, activity)) {
    refuse('unsupported-activity', `${quote(activity)} is not a HospitalNotification activity`, 'Provenance.activity');
  }
  const patient = readPatient(bundle);
  const encounterEntry = focusEncounter(bundle, read);
  const encounter = bundle.read(encounterEntry, F.Encounter);
  const at = encounterEntry.path;

  if (!isOneOf(STATUSES, encounter.status))
    refuse('invalid-element', `Encounter.status must be one of ${STATUSES.join(', ')}`, `${at}.status`);
  const cls = encounter.class;
  if (!isOneOf(CLASSES, cls?.code) || (cls?.system !== undefined && cls.system !== ACT_CODE_SYSTEM)) {
    refuse('invalid-element', `Encounter.class must be ${CLASSES.join(' or ')} from ${ACT_CODE_SYSTEM}`, `${at}.class`);
  }
  const start = encounter.period?.start;
  if (!start) refuse('missing-element', 'Encounter.period.start is missing', `${at}.period.start`);

  const leaveExtensions = F.extensionsOf(encounter.extension, EXTENSION.leavePeriod);
  if (leaveExtensions.length > 1) refuse('invalid-element', 'more than one leave period', `${at}.extension`);
  const leave = leaveExtensions[0]?.valuePeriod;
  if (leaveExtensions.length === 1 && !leave?.start)
    refuse('missing-element', 'the leave period has no start', `${at}.extension`);
  // medcom-hospitalNotification-6: an Encounter on leave says since when.
  if (encounter.status === 'onleave' && !leave?.start)
    refuse(
      'missing-element',
      'Encounter.status is onleave but the leave period has no start (medcom-hospitalNotification-6)',
      `${at}.extension`,
    );

  const serviceProvider = referencedOrganisation(bundle, encounter.serviceProvider?.reference, `${at}.serviceProvider`);
  const episodes = (encounter.episodeOfCare ?? []).flatMap((e, i) => {
    const id = episodeOfCareId(e.identifier);
    if (e.identifier && !id)
      refuse(
        'invalid-element',
        'an episode-of-care identifier needs a system and a value',
        `${at}.episodeOfCare[${i}].identifier`,
      );
    return id ? [id] : [];
  });
  if (episodes.length === 0)
    refuse(
      'missing-element',
      'Encounter.episodeOfCare has no identifier: the stay cannot be followed',
      `${at}.episodeOfCare`,
    );

  const flags = F.extensionsOf(read.header.extension, EXTENSION.reportOfAdmission);
  const recipients = F.extensionsOf(read.header.extension, EXTENSION.reportOfAdmissionRecipient);
  if (flags.length > 1 || recipients.length > 1)
    refuse('invalid-element', 'the report-of-admission extensions are repeated', `${read.headerEntry.path}.extension`);
  const recipient = recipients[0]
    ? referencedOrganisation(bundle, recipients[0].valueReference?.reference, `${read.headerEntry.path}.extension`)
    : null;

  return {
    kind: 'hospital-notification',
    ...envelope,
    activity,
    code: notificationCode(activity, patient.deceased),
    correction: activity.startsWith('revise-'),
    cancellation: activity.startsWith('cancel-'),
    patient,
    encounter: {
      status: encounter.status,
      class: cls.code,
      period: { start, end: encounter.period?.end ?? null },
      leavePeriod: leave?.start ? { start: leave.start, end: leave.end ?? null } : null,
      serviceProvider: serviceProvider ? infoOf(serviceProvider) : null,
    },
    episodeOfCare: primaryEpisode(episodes, [envelope.sender.sor, serviceProvider?.sor ?? null]),
    episodesOfCare: episodes,
    reportOfAdmission: { requested: flags[0]?.valueBoolean === true, recipient: recipient ? infoOf(recipient) : null },
  };
}
