import { randomUUID } from 'node:crypto';
import * as Y from 'yjs';
import { careDateFromNow } from '../../shared/calendar.ts';
import { SNOMED_SYSTEM } from '../../shared/fhir-systems.ts';
import { addNote, newEntry, richText, sectionOf, setPlanMeta } from '../../shared/plan-doc.ts';
import type { Coding } from '../../shared/plan.ts';
import type { Role, Sector } from '../../shared/roles.ts';
import { hashPassword } from '../auth/passwords.ts';
import type { Store } from '../store/store.ts';
import type { Organisation } from '../store/records.ts';
import { AISHA, CARL, ERIK, INGRID } from './demo-patients.ts';

/**
 * The demo data (README.md, "Demo users"): organisations in both regions, the six demo users
 * (password `demo`), patients with active plans. Carl's plan is shared by the hospital, the
 * municipality and his GP; Ingrid's care team is a hospital alone. CPR numbers are fictitious.
 */
export const DEMO_PASSWORD = 'demo';

interface DemoPlan {
  title: string;
  conditions: Coding[];
  build(doc: Y.Doc, people: Record<string, { id: string; sector: Sector }>): void;
}

/** A demo date `offset` days from today's date in Denmark (shared/calendar.ts), whatever the server's zone. */
function day(offset: number): string {
  return careDateFromNow(offset);
}

function time(offsetHours: number): string {
  return new Date(Date.now() + offsetHours * 3_600_000).toISOString();
}

const carlPlan: DemoPlan = {
  title: 'Hjertesvigt – forløb efter udskrivelse',
  conditions: [{ system: SNOMED_SYSTEM, code: '84114007', display: 'Hjertesvigt' }],
  build(doc, people) {
    const { hanne, maja, gitte } = people as Record<'hanne' | 'maja' | 'gitte', { id: string; sector: Sector }>;
    sectionOf(doc, 'goals').push([
      newEntry({
        id: randomUUID(),
        description: richText('Carl kan gå til købmanden uden åndenød'),
        target: '6 minutters gangtest > 300 m',
        due: day(60),
        status: 'active',
        sector: 'hospital',
      }),
      newEntry({
        id: randomUUID(),
        description: richText('Stabil vægt uden væskeophobning'),
        target: 'Vægtstigning < 2 kg på 3 dage',
        due: day(30),
        status: 'active',
        sector: 'municipality',
      }),
    ]);
    sectionOf(doc, 'tasks').push([
      newEntry({
        id: randomUUID(),
        title: 'Daglig vejning og registrering',
        details: richText('Vej Carl om morgenen før morgenmad.'),
        sector: 'municipality',
        assignee: 'Københavns Kommune hjemmesygepleje',
        due: day(0),
        status: 'in-progress',
        recurrence: { every: 1, unit: 'day' },
      }),
      newEntry({
        id: randomUUID(),
        title: 'Kontrol af kalium og kreatinin',
        details: richText('Blodprøver 1 uge efter dosisøgning af furosemid.'),
        sector: 'general_practice',
        assignee: 'Lægehuset Nørrebro',
        due: day(7),
        status: 'planned',
      }),
      newEntry({
        id: randomUUID(),
        title: 'Ambulant kontrol i hjertemedicinsk ambulatorium',
        details: richText('Ekkokardiografi og justering af behandling.'),
        sector: 'hospital',
        assignee: 'Rigshospitalet',
        due: day(42),
        status: 'planned',
      }),
    ]);
    sectionOf(doc, 'medications').push([
      newEntry({
        id: randomUUID(),
        drug: 'Furosemid',
        dose: '40 mg',
        route: 'oral',
        frequency: '1 gang dagligt',
        start: day(-5),
      }),
      newEntry({
        id: randomUUID(),
        drug: 'Ramipril',
        dose: '2,5 mg',
        route: 'oral',
        frequency: '2 gange dagligt',
        start: day(-5),
      }),
      newEntry({
        id: randomUUID(),
        drug: 'Bisoprolol',
        dose: '2,5 mg',
        route: 'oral',
        frequency: '1 gang dagligt',
        start: day(-5),
        note: 'Optrappes ved næste kontrol',
      }),
    ]);
    addNote(doc, {
      id: randomUUID(),
      author: hanne.id,
      sector: hanne.sector,
      created: time(-72),
      body: 'Udskrevet efter indlæggelse med forværring af hjertesvigt. Diuretika øget.',
    });
    addNote(doc, {
      id: randomUUID(),
      author: maja.id,
      sector: maja.sector,
      created: time(-30),
      body: 'Første besøg i hjemmet. Carl klarer sig, men er træt om eftermiddagen.',
    });
    addNote(doc, {
      id: randomUUID(),
      author: gitte.id,
      sector: gitte.sector,
      created: time(-4),
      body: 'Blodprøver bestilt til næste uge.',
    });
  },
};

const ingridPlan: DemoPlan = {
  title: 'KOL – indlæggelsesforløb',
  conditions: [{ system: SNOMED_SYSTEM, code: '13645005', display: 'Kronisk obstruktiv lungesygdom' }],
  build(doc, people) {
    const { niels } = people as Record<'niels', { id: string; sector: Sector }>;
    sectionOf(doc, 'tasks').push([
      newEntry({
        id: randomUUID(),
        title: 'Inhalationsteknik gennemgås',
        sector: 'hospital',
        assignee: 'Rigshospitalet',
        due: day(1),
        status: 'planned',
      }),
    ]);
    addNote(doc, {
      id: randomUUID(),
      author: niels.id,
      sector: niels.sector,
      created: time(-10),
      body: 'Iltbehov faldende, 2 l/min.',
    });
  },
};

const erikPlan: DemoPlan = {
  title: 'Type 2-diabetes – fodpleje og blodsukker',
  conditions: [{ system: SNOMED_SYSTEM, code: '44054006', display: 'Type 2-diabetes' }],
  build(doc) {
    sectionOf(doc, 'tasks').push([
      newEntry({
        id: randomUUID(),
        title: 'Fodinspektion',
        sector: 'municipality',
        assignee: 'Københavns Kommune hjemmesygepleje',
        due: day(0),
        status: 'planned',
      }),
      newEntry({
        id: randomUUID(),
        title: 'HbA1c-kontrol',
        sector: 'general_practice',
        assignee: 'Lægehuset Nørrebro',
        due: day(14),
        status: 'planned',
      }),
    ]);
    sectionOf(doc, 'medications').push([
      newEntry({
        id: randomUUID(),
        drug: 'Metformin',
        dose: '500 mg',
        route: 'oral',
        frequency: '2 gange dagligt',
        start: day(-400),
      }),
    ]);
  },
};

const aishaPlan: DemoPlan = {
  title: 'Graviditetsdiabetes – fælles forløb',
  conditions: [{ system: SNOMED_SYSTEM, code: '11687002', display: 'Graviditetsdiabetes' }],
  build(doc) {
    sectionOf(doc, 'goals').push([
      newEntry({
        id: randomUUID(),
        description: richText('Fasteblodsukker under 5,3 mmol/l'),
        due: day(21),
        status: 'active',
        sector: 'hospital',
      }),
    ]);
  },
};

/** The demo organisations' made-up SOR codes and EAN location numbers (README, Demo data). */
export const DEMO_ORGANISATION_CODES: Record<string, { sor: string; ean: string; ydernummer?: string }> = {
  Rigshospitalet: { sor: '900011000016001', ean: '5790000900015' },
  'Holbæk Sygehus': { sor: '900021000016002', ean: '5790000900022' },
  'Københavns Kommune hjemmesygepleje': { sor: '900031000016003', ean: '5790000900039' },
  'Lægehuset Nørrebro': { sor: '900041000016004', ean: '5790000900046', ydernummer: '090041' },
};

/** Seeds a new database. Returns false (and writes nothing) when it already holds data. */
export async function seedDemoData(store: Store): Promise<boolean> {
  if (!(await store.isEmpty())) return false;
  // SOR codes and EAN location numbers are made up but well formed (SOR's 1000016 namespace,
  // GS1's Danish prefix 579 with a correct check digit): see DEMO_ORGANISATION_CODES.
  const org = async (name: string, sector: Sector, region: string): Promise<Organisation> =>
    store.createOrganisation({ name, sector, region, ...DEMO_ORGANISATION_CODES[name] });
  const rigs = await org('Rigshospitalet', 'hospital', 'Region Hovedstaden');
  const holbaek = await org('Holbæk Sygehus', 'hospital', 'Region Sjælland');
  const kk = await org('Københavns Kommune hjemmesygepleje', 'municipality', 'Region Hovedstaden');
  const gp = await org('Lægehuset Nørrebro', 'general_practice', 'Region Hovedstaden');

  const carl = await store.createPatient(CARL);
  const ingrid = await store.createPatient(INGRID);
  const erik = await store.createPatient(ERIK);
  const aisha = await store.createPatient(AISHA);

  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const people: Record<string, { id: string; sector: Sector }> = {};
  const user = async (
    username: string,
    name: string,
    role: Role,
    o: Organisation | null,
    patientId: string | null = null,
  ) => {
    const u = await store.createUser({ username, name, role, organisationId: o?.id ?? null, patientId, passwordHash });
    people[username] = { id: u.id, sector: o?.sector ?? 'hospital' };
  };
  await user('hanne', 'Hanne Holm', 'hospital_doctor', rigs);
  await user('niels', 'Niels Nørgaard', 'hospital_nurse', rigs);
  await user('maja', 'Maja Mortensen', 'municipal_nurse', kk);
  await user('gitte', 'Gitte Grønlund', 'gp', gp);
  await user('carl', 'Carl Jensen', 'citizen', null, carl.id);
  await user('admin', 'Administrator', 'admin', null);

  const team = async (patientId: string, orgs: Organisation[]) => {
    for (const o of orgs)
      await store.addCareTeamMember({ patientId, organisationId: o.id, userId: null, addedBy: null });
  };
  await team(carl.id, [rigs, kk, gp]);
  await team(ingrid.id, [rigs]);
  await team(erik.id, [kk, gp]);
  await team(aisha.id, [holbaek, gp]);

  const plans: [string, DemoPlan][] = [
    [carl.id, carlPlan],
    [ingrid.id, ingridPlan],
    [erik.id, erikPlan],
    [aisha.id, aishaPlan],
  ];
  for (const [patientId, demo] of plans) {
    const plan = await store.createPlan({ patientId, title: demo.title, status: 'active' });
    const doc = new Y.Doc();
    doc.transact(() => {
      setPlanMeta(doc, { title: demo.title, status: 'active', conditions: demo.conditions });
      demo.build(doc, people);
    });
    await store.appendUpdates([
      {
        planId: plan.id,
        author: null,
        origin: 'seed',
        time: new Date().toISOString(),
        update: Y.encodeStateAsUpdate(doc),
        sections: ['meta', 'goals', 'tasks', 'medications', 'notes'],
      },
    ]);
    doc.destroy();
  }
  return true;
}
