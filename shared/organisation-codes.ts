import { z } from 'zod';

/**
 * An organisation's identifiers in the Danish health network: its SOR code (Sundhedsvæsenets
 * Organisationsregister, `urn:oid:1.2.208.176.1.1`) and its EAN/GLN location number
 * (`https://www.gs1.org/gln`), the address MedCom messages are routed by.
 */
export const SOR_CODE = /^[0-9]{5,18}$/;
export const EAN_CODE = /^[0-9]{13}$/;

/** GS1 check digit of a 13-digit GLN: the last digit makes the weighted sum (3,1,3,1,… from the right) a multiple of 10. */
export function hasGs1CheckDigit(gln: string): boolean {
  if (!EAN_CODE.test(gln)) return false;
  const digits = [...gln].map(Number);
  const check = digits.pop() as number;
  const sum = digits.reverse().reduce((s, d, i) => s + d * (i % 2 === 0 ? 3 : 1), 0);
  return (10 - (sum % 10)) % 10 === check;
}

export const SorCode = z.string().trim().regex(SOR_CODE, 'a SOR code is 5 to 18 digits');
export const EanCode = z
  .string()
  .trim()
  .regex(EAN_CODE, 'an EAN location number is 13 digits')
  .refine(hasGs1CheckDigit, 'the EAN location number’s check digit is wrong');

/**
 * A GP practice's ydernummer (provider number, `urn:oid:1.2.208.176.1.4`), which MedCom's
 * HomeCareObservation requires on its receiver (MedComRequesterOrganization). Written with six
 * digits, leading zeros kept, as MedCom's examples write it (`061654`).
 */
export const YDERNUMMER = /^[0-9]{6}$/;
export const Ydernummer = z.string().trim().regex(YDERNUMMER, 'a ydernummer is 6 digits');

/**
 * SOR code, EAN number and ydernummer of an organisation, set or cleared (null) together, as
 * the admin page edits them. The ydernummer may be left out (kept null) by older clients.
 */
export const OrganisationCodesInput = z
  .object({ sor: SorCode.nullable(), ean: EanCode.nullable(), ydernummer: Ydernummer.nullable().default(null) })
  .strict()
  .refine((c) => c.ean === null || c.sor !== null, { message: 'an EAN number needs the SOR code', path: ['sor'] });
export type OrganisationCodesInput = z.infer<typeof OrganisationCodesInput>;
