import { LOINC_SYSTEM, NPU_SYSTEM, SNOMED_SYSTEM } from '../../shared/fhir-systems.ts';

/**
 * The URLs and codes of MedCom's FHIR messaging that CareHub reads and writes: identifier
 * systems, code systems, profile and extension canonicals, and the value sets (expanded here,
 * from MedCom Terminology 2.0.2) that decide which messages CareHub takes. The systems CareHub
 * names outside MedCom too (CPR, NPU, LOINC, SNOMED CT, UCUM) are in shared/fhir-systems.ts.
 */

/** The national replacement CPR number (eCPR), `Patient.identifier:d-ecpr` in DK Core. */
export const REPLACEMENT_CPR_SYSTEM = 'urn:oid:1.2.208.176.1.6.1.1';
/** Sundhedsvæsenets Organisationsregister (SOR). */
export const SOR_SYSTEM = 'urn:oid:1.2.208.176.1.1';
/** EAN/GLN location number: the address a message is routed by in MedCom's network (VANS). */
export const EAN_SYSTEM = 'https://www.gs1.org/gln';
/** Ydernummer, the GP practice's provider number (required on a HomeCareObservation receiver). */
export const PROVIDER_NUMBER_SYSTEM = 'urn:oid:1.2.208.176.1.4';
export const PRODUCENT_ID_SYSTEM = 'http://medcomfhir.dk/ig/terminology/CodeSystem/MedComProducentID';
/** SOR's own web address, used as an endpoint (`…/#id=<SOR>`) and as episode-of-care system. */
export const SOR_URL_PREFIX = 'https://sor2.sum.dsdn.dk/#id=';
export const LPR_EPISODE_SYSTEM = 'https://www.esundhed.dk/Registre/Landspatientregisteret';

const TERMINOLOGY = 'http://medcomfhir.dk/ig/terminology/CodeSystem';
export const EVENT_CODE_SYSTEM = `${TERMINOLOGY}/medcom-messaging-eventCodes`;
export const ACTIVITY_CODE_SYSTEM = `${TERMINOLOGY}/medcom-messaging-activityCodes`;
export const DESTINATION_USE_SYSTEM = `${TERMINOLOGY}/medcom-messaging-destinationUse`;
export const CARE_COMMUNICATION_CATEGORY_SYSTEM = `${TERMINOLOGY}/medcom-careCommunication-categoryCodes`;
export const PRACTITIONER_ROLE_SYSTEM = `${TERMINOLOGY}/medcom-core-PractitionerRolesSKSadministrativ`;
export const DIAGNOSTIC_REPORT_CODE_SYSTEM = `${TERMINOLOGY}/MedComDiagnosticReportCodes`;
export const MEDCOM_INTERPRETATION_SYSTEM = `${TERMINOLOGY}/medcom-core-interpretation-codes`;
export const ACK_ERROR_CODE_SYSTEM = `${TERMINOLOGY}/medcom-acknowledgement-error-codes`;
export const OPERATION_OUTCOME_CODE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/operation-outcome';
export const ACT_CODE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
export const REQUEST_PRIORITY_SYSTEM = 'http://hl7.org/fhir/request-priority';
export const DATA_ABSENT_REASON_URL = 'http://hl7.org/fhir/StructureDefinition/data-absent-reason';

/** Observation code systems a HomeCareObservation uses (NPU, MedCom's own) and CareHub knows. */
export const OBSERVATION_CODE_SYSTEMS = {
  NPU: NPU_SYSTEM,
  MedCom: `${TERMINOLOGY}/medcom-observation-codes`,
  LOINC: LOINC_SYSTEM,
  'SNOMED CT': SNOMED_SYSTEM,
} as const;
export type ObservationTerminology = keyof typeof OBSERVATION_CODE_SYSTEMS | 'other';

export const EVENT = {
  hospitalNotification: 'hospital-notification-message',
  careCommunication: 'care-communication-message',
  homeCareObservation: 'homecareobservation-message',
  acknowledgement: 'acknowledgement-message',
} as const;

/** medcom-hospitalNotification-messageActivities. */
export const HOSPITAL_NOTIFICATION_ACTIVITIES = [
  'admit-emergency',
  'revise-admit-emergency',
  'cancel-admit-emergency',
  'admit-inpatient',
  'revise-admit-inpatient',
  'cancel-admit-inpatient',
  'start-leave-inpatient',
  'revise-start-leave-inpatient',
  'cancel-start-leave-inpatient',
  'end-leave-inpatient',
  'revise-end-leave-inpatient',
  'cancel-end-leave-inpatient',
  'discharge-emergency-home',
  'revise-discharge-emergency-home',
  'cancel-discharge-emergency-home',
  'discharge-inpatient-home',
  'revise-discharge-inpatient-home',
  'cancel-discharge-inpatient-home',
] as const;
export type HospitalNotificationActivity = (typeof HOSPITAL_NOTIFICATION_ACTIVITIES)[number];

/** medcom-careCommunication-messagingActivities. */
export const CARE_COMMUNICATION_ACTIVITIES = ['new-message', 'reply-message', 'forward-message'] as const;
export type CareCommunicationActivity = (typeof CARE_COMMUNICATION_ACTIVITIES)[number];

/**
 * medcom-HomeCareObservation-messagingActivities is new, reply, retract and modified; CareHub
 * takes the three the issue names. A `reply-message` has no defined meaning for measurements
 * yet, so it is refused rather than guessed at.
 */
export const HOME_CARE_OBSERVATION_ACTIVITIES = ['new-message', 'modified-message', 'retract-message'] as const;
export type HomeCareObservationActivity = (typeof HOME_CARE_OBSERVATION_ACTIVITIES)[number];
export const HOME_CARE_OBSERVATION_VALUE_SET = [...HOME_CARE_OBSERVATION_ACTIVITIES, 'reply-message'] as const;

export const ACKNOWLEDGEMENT_ACTIVITY = 'acknowledgement';
export const ACKNOWLEDGEMENT_CODES = ['ok', 'transient-error', 'fatal-error'] as const;
export type AcknowledgementCode = (typeof ACKNOWLEDGEMENT_CODES)[number];

/** medcom-careCommunication-categories, code → display. */
export const CARE_COMMUNICATION_CATEGORIES = {
  'alcohol-and-drug-treatment': 'Alcohol and drug treatment',
  'assistive-devices': 'Assistive technology',
  carecoordination: 'Care Coordination',
  decease: 'Decease',
  discharge: 'Discharge',
  'examination-results': 'Examination Results',
  healthcare: 'Healthcare',
  'home-care-assessment': 'Home care assessment',
  medicine: 'Medicine',
  nursing: 'Nursing',
  outpatient: 'Outpatient',
  'psychiatry-social-disability': 'Psychiatry, Social, Disability',
  'regarding-referral': 'Regarding Referral',
  telemedicine: 'Telemedicine',
  training: 'Training',
  'acute-ambulant': 'Acute ambulant',
  'extended-care-responsibility': 'Extended care responsibility',
  other: 'Other',
} as const;
export type CareCommunicationCategory = keyof typeof CARE_COMMUNICATION_CATEGORIES;

/** medcom-core-attachmentMimeTypes: the only attachment types CareHub stores and shows. */
export const ATTACHMENT_CONTENT_TYPES = [
  'application/pdf',
  'image/gif',
  'image/jpeg',
  'image/png',
  'image/tiff',
  'image/bmp',
] as const;
export type AttachmentContentType = (typeof ATTACHMENT_CONTENT_TYPES)[number];

/** The SKS administrative practitioner roles (a selection: MedCom's code system has ~50). */
export const PRACTITIONER_ROLES: Readonly<Record<string, string>> = {
  speciallaege: 'Speciallæge',
  overlaege: 'Overlæge',
  afdelingslaege: 'Afdelingslæge',
  sygehuslaege: 'Sygehuslæge',
  sygeplejerske: 'Sygeplejerske',
  sundhedsplejerske: 'Sundhedsplejerske',
  socialogsundhedsassistent: 'Social- og sundhedsassistent',
  socialogsundhedsmedhjaelper: 'Social- og sundhedsmedhjælper',
  sygehjaelper: 'Sygehjælper',
  plejer: 'Plejer',
  farmaceut: 'Farmaceut',
  psykolog: 'Psykolog',
  jordemoder: 'Jordemoder',
  fysioterapeut: 'Fysioterapeut',
  ergoterapeut: 'Ergoterapeut',
  bioanalytiker: 'Bioanalytiker',
  diaetist: 'Diætist',
  laegesekretaer: 'Lægesekretær',
  socialraadgiver: 'Socialrådgiver',
  paedagog: 'Pædagog',
};

const IG = 'http://medcomfhir.dk/ig';
export const PROFILE = {
  patient: `${IG}/core/StructureDefinition/medcom-core-patient`,
  practitioner: `${IG}/core/StructureDefinition/medcom-core-practitioner`,
  practitionerRole: `${IG}/core/StructureDefinition/medcom-core-practitionerrole`,
  coreOrganization: `${IG}/core/StructureDefinition/medcom-core-organization`,
  coreEncounter: `${IG}/core/StructureDefinition/medcom-core-encounter`,
  messagingOrganization: `${IG}/messaging/StructureDefinition/medcom-messaging-organization`,
  producerOrganization: `${IG}/messaging/StructureDefinition/medcom-producer-organization`,
  requesterOrganization: `${IG}/messaging/StructureDefinition/medcom-requesterorganization`,
  messagingProvenance: `${IG}/messaging/StructureDefinition/medcom-messaging-provenance`,
  careCommunicationMessage: `${IG}/carecommunication/StructureDefinition/medcom-careCommunication-message`,
  careCommunicationHeader: `${IG}/carecommunication/StructureDefinition/medcom-careCommunication-messageHeader`,
  careCommunication: `${IG}/carecommunication/StructureDefinition/medcom-careCommunication-communication`,
  careCommunicationProvenance: `${IG}/carecommunication/StructureDefinition/medcom-careCommunication-provenance`,
  homeCareMessage: `${IG}/homecareobservation/StructureDefinition/medcom-homecareobservation-message`,
  homeCareHeader: `${IG}/homecareobservation/StructureDefinition/medcom-homecareobservation-messageheader`,
  homeCareReport: `${IG}/homecareobservation/StructureDefinition/medcom-homecareobservation-diagnosticreport`,
  homeCareObservation: `${IG}/homecareobservation/StructureDefinition/medcom-homecare-observation`,
  acknowledgementMessage: `${IG}/acknowledgement/StructureDefinition/medcom-messaging-acknowledgement`,
  acknowledgementHeader: `${IG}/acknowledgement/StructureDefinition/medcom-messaging-acknowledgementHeader`,
  acknowledgementOutcome: `${IG}/acknowledgement/StructureDefinition/medcom-acknowledgement-operationoutcome`,
} as const;

export const EXTENSION = {
  destinationUse: `${IG}/messaging/StructureDefinition/medcom-messaging-destinationUseExtension`,
  reportOfAdmission: `${IG}/hospitalnotification/StructureDefinition/medcom-messaging-reportOfAdmissionExtension`,
  reportOfAdmissionRecipient: `${IG}/hospitalnotification/StructureDefinition/medcom-messaging-reportOfAdmissionRecipientExtension`,
  // "hospitalnotifiation" is MedCom's spelling of the canonical URL.
  leavePeriod: `${IG}/hospitalnotification/StructureDefinition/medcom-hospitalnotifiation-leave-period-extension`,
  payloadDateTime: `${IG}/core/StructureDefinition/medcom-core-datetime-extension`,
  payloadIdentifier: `${IG}/core/StructureDefinition/medcom-core-identifier-extension`,
  payloadAuthor: `${IG}/core/StructureDefinition/medcom-core-practitioner-extension`,
  payloadAuthorContact: `${IG}/core/StructureDefinition/medcom-core-contact-extension`,
  specificSender: `${IG}/core/StructureDefinition/medcom-core-sender-extension`,
} as const;

const DEFINITIONS = 'http://medcomfhir.dk/ig/messagedefinitions/MessageDefinition';
/** MessageHeader.definition: canonical|major.minor of the MessageDefinition the sender follows. */
export const MESSAGE_DEFINITION = {
  careCommunication: `${DEFINITIONS}/MedComCareCommunicationMessageDefinition|5.0`,
  homeCareObservation: `${DEFINITIONS}/MedComHomeCareObservationMessageDefinition|1.1`,
  acknowledgement: `${DEFINITIONS}/MedComAcknowledgementMessageDefinition|2.0`,
} as const;
