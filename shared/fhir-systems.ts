/**
 * The FHIR identifier and code systems CareHub reads and writes, written once: the result
 * intake, the FHIR export, the MedCom library, the demo data and the client all name a CPR
 * number, a lab code or a unit by these.
 */

/** Danish civil registration number (CPR). */
export const CPR_SYSTEM = 'urn:oid:1.2.208.176.1.2';
/** NPU, the Nordic lab codes (the Danish DNK codes share the system). */
export const NPU_SYSTEM = 'urn:oid:1.2.208.176.2.1';
export const LOINC_SYSTEM = 'http://loinc.org';
export const SNOMED_SYSTEM = 'http://snomed.info/sct';
/** UCUM units (`mmol/L`). */
export const UCUM_SYSTEM = 'http://unitsofmeasure.org';

/** HL7's observation categories (`laboratory`, `vital-signs`, …). */
export const OBSERVATION_CATEGORY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/observation-category';
/** HL7 v3 ObservationInterpretation: the flags N, H, L, HH, LL, A, AA. */
export const INTERPRETATION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';
/** HL7 v2 table 0074, the diagnostic service section (LAB, RAD, PAT, …). */
export const DIAGNOSTIC_SERVICE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v2-0074';
