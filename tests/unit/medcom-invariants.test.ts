import { describe, expect, it } from 'vitest';
import {
  buildAcknowledgement,
  buildCareCommunication,
  buildHomeCareObservation,
  OBSERVATION_CODE_SYSTEMS,
} from '../../server/medcom/index.ts';
import {
  ACKNOWLEDGEMENT,
  CARE_COMMUNICATION,
  failing,
  holds,
  HOME_CARE_OBSERVATION,
  HOSPITAL_NOTIFICATION,
  type Invariant,
  MESSAGING,
  PATIENT,
} from '../fixtures/medcom-invariants.ts';
import { BRUNO_CPR, CARE_HOME, FIXTURES, HOSPITAL, load, parsed } from '../fixtures/medcom-messages.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- the tests break messages on purpose */

/**
 * The invariant checks themselves: MedCom's own examples meet them (so the harness reads them
 * as MedCom does), and each one used on CareHub's outbound messages fails when its rule is broken.
 */

const listFor = (file: string): Invariant[] =>
  file.startsWith('hospitalnotification')
    ? [...MESSAGING, ...HOSPITAL_NOTIFICATION]
    : file.startsWith('carecommunication')
      ? [...MESSAGING, ...CARE_COMMUNICATION]
      : file.startsWith('homecareobservation')
        ? [...MESSAGING, ...HOME_CARE_OBSERVATION]
        : file.startsWith('acknowledgement')
          ? [...MESSAGING, ...ACKNOWLEDGEMENT]
          : MESSAGING.slice(0, 3);

describe('MedCom’s examples meet MedCom’s invariants as the harness evaluates them', () => {
  it.each(FIXTURES)('%s', (file) => {
    expect(failing(load(file), listFor(file))).toEqual([]);
  });
});

const nurse = { name: 'Mia Hansen', role: 'sygeplejerske', phone: '44556677' };
const careCommunication = () =>
  buildCareCommunication({
    sender: { ...CARE_HOME },
    receiver: { ...HOSPITAL },
    patient: { cpr: BRUNO_CPR, name: { family: 'Elmer', given: ['Bruno'] } },
    category: 'carecoordination',
    text: 'Hej',
    author: nurse,
    episodeOfCare: {
      system: 'https://sor2.sum.dsdn.dk/#id=265161000016000',
      value: 'bd481c38-a921-11ed-afa1-0242ac120002',
      encounterStatus: 'in-progress',
      encounterClass: 'IMP',
    },
  }).bundle as any;
const homeCare = () =>
  buildHomeCareObservation({
    sender: { name: 'Akutteam', sor: '1144561000016002', ean: '5790000123117' },
    receiver: { name: 'Lægepraksis', sor: '52581000016005', ean: '5790000127092', providerNumber: '061654' },
    patient: { cpr: BRUNO_CPR, name: { family: 'Elmer' } },
    performer: nurse,
    observations: [
      {
        code: { system: OBSERVATION_CODE_SYSTEMS.NPU, code: 'NPU08676' },
        value: { quantity: 38.7, unit: 'Cel' },
        effectiveAt: new Date(),
      },
    ],
  }).bundle as any;
const fatalError = () =>
  buildAcknowledgement(parsed('hospitalnotification-STIN.json', 'hospital-notification'), 'fatal-error').bundle as any;

const all = (b: any, type: string): any[] =>
  b.entry.map((e: any) => e.resource).filter((r: any) => r.resourceType === type);
const one = (b: any, type: string): any => all(b, type)[0];
const without = (b: any, type: string) => void (b.entry = b.entry.filter((e: any) => e.resource.resourceType !== type));
const ALL = [
  ...MESSAGING,
  ...PATIENT,
  ...CARE_COMMUNICATION,
  ...HOME_CARE_OBSERVATION,
  ...ACKNOWLEDGEMENT,
  ...HOSPITAL_NOTIFICATION,
];
const invariant = (key: string) => ALL.find((i) => i.key === key) as Invariant;

describe('each invariant fails when its rule is broken', () => {
  const cases: [string, () => any, (b: any) => void][] = [
    ['bdl-12', careCommunication, (b) => b.entry.push(b.entry.shift())],
    ['medcom-messaging-1', careCommunication, (b) => (b.entry[0].resource.meta.profile = ['http://example.org/other'])],
    ['medcom-messaging-2', homeCare, (b) => without(b, 'Provenance')],
    [
      'medcom-hospitalNotification-5',
      fatalError,
      (b) => (b.entry[0].resource.destination[0].extension[0].valueCoding.code = 'cc'),
    ],
    [
      'medcom-careCommunication-2',
      careCommunication,
      (b) => b.entry.push({ resource: { ...one(b, 'Patient'), id: 'second' } }),
    ],
    [
      'medcom-hospitalNotification-4',
      homeCare,
      (b) => (one(b, 'Patient').identifier[0].system = 'urn:oid:1.2.208.176.1.6.1.1'),
    ],
    [
      'medcom-careCommunication-1',
      careCommunication,
      (b) =>
        (b.entry[0].resource.meta.profile = [
          'http://medcomfhir.dk/ig/messaging/StructureDefinition/medcom-messaging-messageHeader',
        ]),
    ],
    [
      'medcom-careCommunication-3',
      careCommunication,
      (b) =>
        (one(b, 'Provenance').meta.profile = [
          'http://medcomfhir.dk/ig/messaging/StructureDefinition/medcom-messaging-provenance',
        ]),
    ],
    ['medcom-careCommunication-4', careCommunication, (b) => delete one(b, 'Practitioner').name],
    ['medcom-careCommunication-5', careCommunication, (b) => (one(b, 'Communication').priority = 'asap')],
    [
      'medcom-careCommunication-6',
      careCommunication,
      (b) => (one(b, 'Communication').category[0].coding[0].code = 'other'),
    ],
    ['medcom-careCommunication-7', careCommunication, (b) => delete one(b, 'PractitionerRole').code],
    ['medcom-careCommunication-8', careCommunication, (b) => delete one(b, 'Practitioner').name],
    ['medcom-careCommunication-9', careCommunication, (b) => delete one(b, 'Encounter').episodeOfCare],
    [
      'medcom-careCommunication-11',
      careCommunication,
      (b) => {
        one(b, 'PractitionerRole').organization = b.entry[0].resource.destination[0].receiver;
        one(b, 'Communication').extension = [
          {
            url: 'http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-sender-extension',
            valueReference: { reference: `PractitionerRole/${one(b, 'PractitionerRole').id}` },
          },
        ];
      },
    ],
    [
      'medcom-careCommunication-12',
      careCommunication,
      (b) => (one(b, 'Communication').recipient = [{ reference: `PractitionerRole/${one(b, 'PractitionerRole').id}` }]),
    ],
    ['medcom-careCommunication-13', careCommunication, (b) => delete one(b, 'PractitionerRole').practitioner],
    [
      'medcom-careCommunication-15',
      careCommunication,
      (b) => (one(b, 'Communication').encounter = { display: 'the stay' }),
    ],
    [
      'medcom-uuidv4 (Communication.identifier)',
      careCommunication,
      (b) => (one(b, 'Communication').identifier[0].value = 'thread-17'),
    ],
    [
      'medcom-uuidv4 (payload identifier)',
      careCommunication,
      (b) => (one(b, 'Communication').payload[0].extension[1].valueIdentifier.value = 'segment-1'),
    ],
    [
      'medcom-carecommunication-definition-url',
      careCommunication,
      (b) => (b.entry[0].resource.definition = 'http://example.org/MessageDefinition/x'),
    ],
    [
      'medcom-carecommunication-definition-url (5.0.4)',
      careCommunication,
      (b) => (b.entry[0].resource.definition = b.entry[0].resource.definition.replace('|5.0', '|6.0')),
    ],
    [
      'medcom-core-practitionerrole-code-xor-text',
      careCommunication,
      (b) => (one(b, 'PractitionerRole').code[0].text = 'Sygeplejerske'),
    ],
    [
      'medcom-core-contact',
      careCommunication,
      (b) => (one(b, 'Communication').payload[0].extension[3].valueContactPoint.value = 'ring til afdelingen'),
    ],
    ['medcom-homecareObsMessage-1', homeCare, (b) => (b.entry[0].resource.meta.profile = ['http://example.org/other'])],
    [
      'medcom-homecareObsMessage-2',
      homeCare,
      (b) => (one(b, 'Provenance').activity.coding[0].code = 'forward-message'),
    ],
    ['medcom-hcobs-definition-url', homeCare, (b) => (b.entry[0].resource.definition = 'http://example.org/x')],
    ['medcom-homecareReport-1', homeCare, (b) => delete one(b, 'PractitionerRole').code],
    ['medcom-homecareReport-2', homeCare, (b) => delete one(b, 'Practitioner').name],
    ['medcom-homecareReport-3', homeCare, (b) => delete one(b, 'Practitioner').telecom],
    [
      'medcom-homecareObservation-4',
      homeCare,
      (b) => (all(b, 'Organization').find((o: any) => o.contact).contact = [{}]),
    ],
    ['medcom-acknowledgement-1', fatalError, (b) => without(b, 'OperationOutcome')],
    [
      'medcom-acknowledgement-2',
      fatalError,
      (b) =>
        (b.entry[0].resource.meta.profile = [
          'http://medcomfhir.dk/ig/messaging/StructureDefinition/medcom-messaging-messageHeader',
        ]),
    ],
    [
      'medcom-hospitalNotification-6',
      () => load('hospitalnotification-STOR.json'),
      (b) => delete one(b, 'Encounter').extension,
    ],
    [
      'medcom-hospitalNotification-3 (on the resource)',
      () => load('hospitalnotification-STIN.json'),
      (b) => (one(b, 'Provenance').activity.coding[0].code = 'new-message'),
    ],
    [
      'medcom-hospitalNotification-1 (on the resource)',
      () => load('hospitalnotification-STIN.json'),
      (b) => (b.entry[0].resource.meta.profile = ['http://example.org/other']),
    ],
  ];

  it.each(cases)('%s', (key, base, mutate) => {
    const bundle = base();
    expect(holds(bundle, invariant(key)), 'holds before').toBe(true);
    mutate(bundle);
    expect(holds(bundle, invariant(key)), 'fails after').toBe(false);
  });

  it('5.0.2’s definition pattern has a bare | and takes any 6.x; the 5.0.4 one does not', () => {
    const bundle = careCommunication();
    bundle.entry[0].resource.definition = bundle.entry[0].resource.definition.replace('|5.0', '|6.0');
    expect(holds(bundle, invariant('medcom-carecommunication-definition-url'))).toBe(true);
    expect(holds(bundle, invariant('medcom-carecommunication-definition-url (5.0.4)'))).toBe(false);
  });

  it('medcom-hospitalNotification-1 and -3 as published hold even when broken: ofType() on BundleEntry selects nothing', () => {
    const bundle = load('hospitalnotification-STIN.json') as any;
    one(bundle, 'Provenance').activity.coding[0].code = 'new-message';
    bundle.entry[0].resource.meta.profile = ['http://example.org/other'];
    expect(holds(bundle, invariant('medcom-hospitalNotification-1'))).toBe(true);
    expect(holds(bundle, invariant('medcom-hospitalNotification-3'))).toBe(true);
  });
});
