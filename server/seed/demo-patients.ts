/**
 * The demo patients: seeded by demo-data.ts, filed for by the lab-feed simulator
 * (server/simulator). The CPR numbers are fictitious: each is valid in form (a date, then four
 * digits) and belongs to nobody.
 */
export interface DemoPatient {
  name: string;
  /** Ten digits, no hyphen. */
  cpr: string;
}

export const CARL: DemoPatient = { name: 'Carl Jensen', cpr: '1203451237' };
export const INGRID: DemoPatient = { name: 'Ingrid Madsen', cpr: '0704521228' };
export const ERIK: DemoPatient = { name: 'Erik Nielsen', cpr: '0307380115' };
export const AISHA: DemoPatient = { name: 'Aisha Khan', cpr: '2211887654' };

export const DEMO_PATIENTS: readonly DemoPatient[] = [CARL, INGRID, ERIK, AISHA];
