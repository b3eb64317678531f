import type { CodeableConcept, Observation, ObservationComponent, Quantity, Reference } from 'fhir/r4';
import { MEASUREMENTS, measurementKindOf, type QuantityDefinition } from '../../shared/measurements.ts';
import { OBSERVATION_CATEGORY_SYSTEM, UCUM_SYSTEM } from '../../shared/fhir-systems.ts';
import { annotation, code, coding, compact, concept, dateTime, list, str } from './fhir-values.ts';
import type { EntryJson, MappingContext } from './mapping-context.ts';

/**
 * The plan's measurements (issue 16) as FHIR R4 Observations of the vital-signs category: coded
 * as MedCom's HomeCareObservation codes them (NPU), with the LOINC code of R4's vital-signs
 * profile beside it, the value in UCUM (blood pressure as its systolic and diastolic
 * components), and who measured as the performer.
 */

const VITAL_SIGNS: CodeableConcept = {
  coding: [{ system: OBSERVATION_CATEGORY_SYSTEM, code: 'vital-signs', display: 'Vital Signs' }],
};
const STATUSES: readonly Observation['status'][] = ['final', 'amended', 'entered-in-error'];
const DATA_ABSENT: CodeableConcept = {
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/data-absent-reason', code: 'unknown', display: 'Unknown' }],
};

function quantity(value: unknown, ucum: string | undefined, shown: string | undefined): Quantity | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  return ucum ? { value, unit: shown ?? ucum, system: UCUM_SYSTEM, code: ucum } : { value };
}

function codeOf(def: QuantityDefinition, text?: string): CodeableConcept {
  const same = def.code.system === def.loinc.system && def.code.code === def.loinc.code;
  return concept(text, def.code, same ? undefined : def.loinc) as CodeableConcept;
}

/** Who measured: a Practitioner of the Bundle when they are a CareHub user in it, else their name. */
function performer(entry: EntryJson, people: ReadonlyMap<string, Reference>): Reference[] | undefined {
  const p = entry.performer && typeof entry.performer === 'object' ? (entry.performer as Record<string, unknown>) : {};
  const user = typeof p.user === 'string' ? people.get(p.user) : undefined;
  if (user) return [user];
  const name = str(p.name);
  const organisation = str(p.organisation);
  const display = name && organisation ? `${name}, ${organisation}` : (name ?? organisation);
  return display ? [{ display }] : undefined;
}

export function measurementObservation(
  entry: EntryJson,
  index: number,
  ctx: MappingContext,
  people: ReadonlyMap<string, Reference>,
): Observation {
  const id = ctx.ids.take(entry.id, ctx.planId, 'measurements', String(index), String(entry.id ?? ''));
  const kind = measurementKindOf(entry.code as Record<string, unknown> | undefined);
  const def = kind ? MEASUREMENTS[kind] : null;
  const status = code(entry.status) as Observation['status'] | undefined;
  const unit = code(entry.unit);
  const obs: Observation = {
    resourceType: 'Observation',
    id,
    status: status && STATUSES.includes(status) ? status : 'unknown',
    category: [VITAL_SIGNS],
    code: def
      ? codeOf(def, str(def.code.display))
      : ((concept(str((entry.code as Record<string, unknown> | undefined)?.display), coding(entry.code)) ?? {
          text: 'Measurement',
        }) as CodeableConcept),
    subject: ctx.patient,
    effectiveDateTime: dateTime(entry.effective),
    performer: performer(entry, people),
    method: str(entry.method) ? { text: str(entry.method) } : undefined,
    note: list([annotation(str(entry.comment))]),
  };
  const value = entry.value;
  if (def?.components && typeof value === 'object' && value !== null) {
    const bp = value as Record<string, unknown>;
    const component: ObservationComponent[] = [];
    for (const part of ['systolic', 'diastolic'] as const) {
      const q = quantity(bp[part], def.unit, def.unitDisplay);
      if (q)
        component.push({
          code: codeOf(def.components[part], str(def.components[part].loinc.display)),
          valueQuantity: q,
        });
    }
    obs.component = list(component);
  } else {
    // Coded in UCUM when CareHub knows the quantity (and checked its unit); else as written.
    const q = def ? quantity(value, def.unit, def.unitDisplay) : quantity(value, undefined, undefined);
    obs.valueQuantity = q && !def && unit ? { ...q, unit } : q;
  }
  if (obs.valueQuantity === undefined && obs.component === undefined) obs.dataAbsentReason = DATA_ABSENT;
  return compact(obs);
}
