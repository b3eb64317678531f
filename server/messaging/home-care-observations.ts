import { createHash } from 'node:crypto';
import { MEASUREMENTS, measurementKindOf, measurementProblem, quantityKindOf } from '../../shared/measurements.ts';
import type { Coding, Performer } from '../../shared/plan.ts';
import type { PlanRooms } from '../collab/plan-rooms.ts';
import {
  addMeasurements,
  amendMeasurements,
  InvalidMeasurement,
  type NewMeasurement,
} from '../measurements/add-measurements.ts';
import {
  type HomeCareObservation,
  type HomeCareObservationResult,
  type ObservationCode,
  parseMedcomMessage,
} from '../medcom/index.ts';
import type { CareTeamNotifier } from '../results/care-team-notifier.ts';
import type { StoredMessage } from '../store/message-store.ts';
import type { Organisation, Patient } from '../store/records.ts';
import type { Store } from '../store/store.ts';

/**
 * MedCom HomeCareObservation in the plan (issue 18): a new message's observations become
 * measurements of the patient's plan (performed by the message's author and organisation,
 * outside CareHub, at each observation's effective time); a modified message amends them (the
 * previous value kept), a retracted one marks them entered-in-error. The entries a message is
 * about are found through the Provenance chain (the message it revises, back to the new
 * message that added them) and then by Observation.identifier or code — never by resource
 * id, which MedCom's own examples reuse across messages. Every entry's id is derived from the
 * new message's MessageHeader.id and the observation's place in it, so filing twice adds
 * nothing twice.
 */

export interface HomeCareFilingDeps {
  store: Store;
  rooms: PlanRooms;
  notifier: CareTeamNotifier;
}

export type Refusal = { ok: false; message: string };

/** The stable measurement id of observation `index` of the new message `rootMessageId` (a name-based UUID). */
export function measurementId(rootMessageId: string, index: number): string {
  const h = createHash('sha256').update(`medcom-hco|${rootMessageId}|${index}`).digest('hex');
  const variant = ((Number.parseInt(h[16] as string, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Printed units MedCom's examples use for quantities CareHub measures, as UCUM. */
const UCUM_OF: Readonly<Record<string, string>> = { '1/min': '/min', '°C': 'Cel', mmHg: 'mm[Hg]', 'mm Hg': 'mm[Hg]' };

const named = (c: ObservationCode) => `${c.code}${c.system ? ` (${c.system})` : ''}`;

type Values = Pick<NewMeasurement, 'code' | 'value' | 'unit' | 'effective' | 'comment'>;

/** One observation as a measurement, or why the measurements section cannot hold it. */
function valuesOf(o: HomeCareObservationResult): Values | Refusal {
  const refuse = (why: string): Refusal => ({ ok: false, message: `observation ${named(o.code)}: ${why}` });
  if (!o.effectiveAt) return refuse('has no effective time');
  const coding = o.codings.find((c) => measurementKindOf(c) !== null) ?? o.code;
  const kind = measurementKindOf(coding);
  const v = o.value;
  const notes: string[] = [];
  let value: NewMeasurement['value'];
  let unit: string | null;
  if (kind === 'bloodPressure' && v?.type === 'components') {
    const part = (code: string) => {
      const c = v.components.find((p) => p.code.code === code)?.value;
      return c?.type === 'quantity' ? c : null;
    };
    const s = part(MEASUREMENTS.bloodPressure.components?.systolic.code.code as string);
    const d = part(MEASUREMENTS.bloodPressure.components?.diastolic.code.code as string);
    if (!s || !d) return refuse('a blood pressure needs its systolic and diastolic parts as quantities');
    value = { systolic: s.value, diastolic: d.value };
    unit = s.ucum ?? s.unit;
  } else if (v?.type === 'quantity') {
    value = v.value;
    unit = v.ucum ?? v.unit;
    if (v.comparator) notes.push(`${v.comparator} ${v.value}`);
  } else {
    return refuse(`its value (${v?.type ?? 'none'}) is not a number the measurements section can hold`);
  }
  // Any code of a quantity CareHub measures (its own, or LOINC's) is held to that quantity's unit.
  if (unit && quantityKindOf(coding) !== null) unit = UCUM_OF[unit] ?? unit;
  if (!unit || unit.length > 30) return refuse('has no unit the measurements section can hold');
  if (!coding.system) return refuse('its code has no system');
  const code: Coding =
    kind !== null
      ? MEASUREMENTS[kind].code
      : { system: coding.system, code: coding.code, display: coding.display ?? coding.code };
  const problem = measurementProblem({ code, value, unit });
  if (problem !== null) return refuse(`the ${problem} ${problem === 'unit' ? unit : ''} is not possible for its code`);
  notes.push(...o.notes);
  const comment = notes.join(' · ').slice(0, 2000);
  return { code, value, unit, effective: o.effectiveAt, ...(comment ? { comment } : {}) };
}

/** The message's observations as measurements, each with its id; or the first the section cannot hold. */
export function measurementsOf(
  hco: HomeCareObservation,
): { ok: true; entries: (Values & { index: number })[] } | Refusal {
  const entries: (Values & { index: number })[] = [];
  for (const [index, o] of hco.observations.entries()) {
    const values = valuesOf(o);
    if ('ok' in values) return values;
    entries.push({ ...values, index });
  }
  return { ok: true, entries };
}

/** Who measured: the message's author and organisation, outside CareHub. */
async function performerOf(store: Store, hco: HomeCareObservation): Promise<Performer> {
  const p = hco.performer;
  const organisation = p?.organisation?.name ?? hco.sender.name ?? `SOR ${hco.sender.sor}`;
  const known = await store.getOrganisationBySor(hco.sender.sor);
  return {
    user: null,
    name: (p?.name?.text || organisation).slice(0, 200),
    role: p?.role?.slice(0, 50) ?? null,
    organisation: organisation.slice(0, 200),
    // HomeCareObservation is the municipality's message (home care to the GP).
    sector: known?.sector ?? 'municipality',
  };
}

/** The new message a modified or retracted one is about, through the Provenance chain; null when CareHub has none. */
export interface Chain {
  /** MessageHeader.id of the new message whose observations are the plan's entries. */
  rootId: string;
  root: HomeCareObservation;
  /** The message this one names as previous, as stored. */
  earlier: StoredMessage;
}

export async function chainOf(store: Store, hco: HomeCareObservation): Promise<Chain | Refusal> {
  const prev = hco.previous;
  const refuse = (why: string): Refusal => ({ ok: false, message: why });
  if (prev?.kind !== 'fhir') return refuse(`the ${hco.activity} names no earlier MedCom message CareHub has`);
  const earlier = await store.messages.getIncoming(prev.messageId);
  if (!earlier || earlier.status === 'refused' || earlier.event !== hco.eventCode)
    return refuse(`CareHub has taken no HomeCareObservation ${prev.messageId} for this message to ${hco.activity}`);
  const rootId = earlier.entryKey ?? earlier.messageId;
  const rootRow = rootId === earlier.messageId ? earlier : await store.messages.getIncoming(rootId);
  const root = rootRow ? parseMedcomMessage(JSON.parse(rootRow.body)) : null;
  if (root?.kind !== 'home-care-observation')
    return refuse(`CareHub has taken no HomeCareObservation ${rootId} for this message to ${hco.activity}`);
  // Only the organisation that sent a message corrects or withdraws it: the earlier message and
  // the new one it revises came from this sender's SOR code, or the chain is not this sender's.
  const before = rootRow === earlier ? root : parseMedcomMessage(JSON.parse(earlier.body));
  if (
    before.kind !== 'home-care-observation' ||
    before.sender.sor !== hco.sender.sor ||
    root.sender.sor !== hco.sender.sor
  )
    return refuse(
      `HomeCareObservation ${prev.messageId} was sent by another organisation: only its sender may ${hco.activity === 'retract-message' ? 'retract' : 'modify'} it`,
    );
  return { rootId, root, earlier };
}

/** Each observation's place in the new message: by Observation.identifier, else the next unmatched one of its code. */
function matchIndexes(hco: HomeCareObservation, root: HomeCareObservation): number[] | Refusal {
  const taken = new Set<number>();
  const key = (c: ObservationCode) => `${c.system}|${c.code}`;
  const out: number[] = [];
  for (const o of hco.observations) {
    let j = o.identifier ? root.observations.findIndex((r, i) => !taken.has(i) && r.identifier === o.identifier) : -1;
    if (j < 0) j = root.observations.findIndex((r, i) => !taken.has(i) && key(r.code) === key(o.code));
    if (j < 0) return { ok: false, message: `observation ${named(o.code)} is not in the message it revises` };
    taken.add(j);
    out.push(j);
  }
  return out;
}

/**
 * Checks a message can be filed (values the section holds; a modified or retracted one's
 * earlier message known) without writing: what the intake does before sending a message to the
 * inbox. `rootId` is the entry key the message is kept under.
 */
export async function checkObservations(
  store: Store,
  hco: HomeCareObservation,
): Promise<{ ok: true; rootId: string; earlier: StoredMessage | null } | Refusal> {
  const mapped = measurementsOf(hco);
  if (!mapped.ok) return mapped;
  if (hco.activity === 'new-message') return { ok: true, rootId: hco.messageId, earlier: null };
  const chain = await chainOf(store, hco);
  if ('ok' in chain) return chain;
  const indexes = matchIndexes(hco, chain.root);
  if (!Array.isArray(indexes)) return indexes;
  return { ok: true, rootId: chain.rootId, earlier: chain.earlier };
}

/**
 * Files the message into the patient's active plans and tells the receiving organisation's
 * staff on the care team. Resolves with the entry key (the new message's id) it is kept under.
 */
export async function fileObservations(
  deps: HomeCareFilingDeps,
  hco: HomeCareObservation,
  receiver: Organisation,
  patient: Patient,
): Promise<{ ok: true; entryKey: string } | Refusal> {
  const mapped = measurementsOf(hco);
  if (!mapped.ok) return mapped;
  const performer = await performerOf(deps.store, hco);
  const plans = (await deps.store.listPlansForPatient(patient.id)).filter((p) => p.status === 'active');
  let rootId = hco.messageId;
  try {
    if (hco.activity === 'new-message') {
      const entries = mapped.entries.map(({ index, ...v }) => ({ ...v, id: measurementId(rootId, index) }));
      for (const plan of plans) await addMeasurements(deps.rooms, plan.id, entries, performer);
    } else {
      const chain = await chainOf(deps.store, hco);
      if ('ok' in chain) return chain;
      rootId = chain.rootId;
      const indexes = matchIndexes(hco, chain.root);
      if (!Array.isArray(indexes)) return indexes;
      const amendments =
        hco.activity === 'retract-message'
          ? chain.root.observations.map((_, j) => ({
              id: measurementId(rootId, j),
              status: 'entered-in-error' as const,
            }))
          : mapped.entries.map(({ index, ...v }) => ({
              id: measurementId(rootId, indexes[index] as number),
              value: v.value,
              unit: v.unit,
              effective: v.effective,
              ...(v.comment ? { comment: v.comment } : {}),
              status: 'amended' as const,
            }));
      for (const plan of plans) await amendMeasurements(deps.rooms, plan.id, amendments, performer);
    }
  } catch (err) {
    if (err instanceof InvalidMeasurement) return { ok: false, message: err.message };
    throw err;
  }
  const plan = plans[0];
  if (plan && hco.activity !== 'retract-message') {
    const tests = [...new Set(mapped.entries.map((e) => e.code.display || e.code.code))];
    await deps.notifier.notify(
      patient.id,
      {
        planId: plan.id,
        severity: 'info',
        kind: 'result',
        params: { count: mapped.entries.length, tests: tests.slice(0, 4), moreTests: tests.length > 4 },
      },
      { sectors: [receiver.sector] },
    );
  }
  return { ok: true, entryKey: rootId };
}
