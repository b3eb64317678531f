import { describe, expect, it } from 'vitest';
import { usernameBase } from '../../server/identity/accounts.ts';
import {
  belongsToOrganisation,
  claimAt,
  cprFromClaims,
  issuedInFuture,
  nameFromClaims,
  roleFromClaims,
} from '../../server/identity/claims.ts';
import { practitionerOf } from '../../server/identity/smart-launch.ts';
import {
  normaliseIssuer,
  normaliseOidcIssuer,
  parseRoleMap,
  RegistrationError,
} from '../../server/identity/registration.ts';
import { refusalOf } from '../../server/identity/provider-client.ts';

/** Reading a provider's claims (server/identity/claims.ts): strictly, and never a guess. */
describe('claims', () => {
  const provider = {
    roleClaim: 'realm_access.roles',
    roleMap: { laege: 'hospital_doctor' as const, sygeplejerske: 'hospital_nurse' as const },
  };

  it('reads a claim by its own name first, then as a dotted path into nested claims', () => {
    const url = 'https://data.gov.dk/model/core/eid/cprNumber';
    expect(claimAt({ [url]: 'x' }, url)).toBe('x');
    expect(claimAt({ realm_access: { roles: ['a'] } }, 'realm_access.roles')).toEqual(['a']);
    expect(claimAt({ realm_access: ['roles'] }, 'realm_access.0')).toBeUndefined();
    expect(claimAt({}, 'constructor')).toBeUndefined();
    expect(claimAt({ a: {} }, 'a.__proto__')).toBeUndefined();
  });

  it('gives the one role the claim maps to; none or two is a refusal', () => {
    expect(roleFromClaims(provider, { realm_access: { roles: ['laege', 'offline_access'] } })).toEqual({
      ok: true,
      role: 'hospital_doctor',
    });
    expect(roleFromClaims(provider, { realm_access: { roles: 'sygeplejerske' } })).toEqual({
      ok: true,
      role: 'hospital_nurse',
    });
    expect(roleFromClaims(provider, { realm_access: { roles: ['portner'] } })).toEqual({
      ok: false,
      reason: 'no_role',
    });
    expect(roleFromClaims(provider, { realm_access: { roles: ['laege', 'sygeplejerske'] } })).toEqual({
      ok: false,
      reason: 'ambiguous_role',
    });
    // A claim of an odd type says nothing; a name inherited from Object's prototype maps nothing.
    expect(roleFromClaims(provider, { realm_access: { roles: ['laege', 7] } })).toEqual({
      ok: false,
      reason: 'no_role',
    });
    expect(roleFromClaims(provider, { realm_access: { roles: ['toString'] } })).toEqual({
      ok: false,
      reason: 'no_role',
    });
    expect(roleFromClaims({ ...provider, roleClaim: null }, { realm_access: { roles: ['laege'] } })).toEqual({
      ok: false,
      reason: 'no_role',
    });
  });

  it('checks a shared provider’s organisation claim, and reads one valid CPR number or none', () => {
    expect(
      belongsToOrganisation({ organisationClaim: 'org', organisationValue: 'SOR-123' }, { org: ['SOR-9', 'SOR-123'] }),
    ).toBe(true);
    expect(belongsToOrganisation({ organisationClaim: 'org', organisationValue: 'SOR-123' }, { org: 'SOR-9' })).toBe(
      false,
    );
    expect(belongsToOrganisation({ organisationClaim: null, organisationValue: null }, {})).toBe(true);
    const cpr = { cprClaim: 'cpr' };
    expect(cprFromClaims(cpr, { cpr: '120345-1237' })).toBe('1203451237');
    expect(cprFromClaims(cpr, { cpr: '3102451237' })).toBeNull();
    expect(cprFromClaims(cpr, { cpr: ['1203451237', '0101701234'] })).toBeNull();
    expect(cprFromClaims(cpr, { cpr: 1203451237 })).toBeNull();
  });

  it('makes usernames of plain letters, never of a CPR number', () => {
    expect(usernameBase('Søren.Ærø@regionh.dk')).toBe('soeren.aeroe');
    expect(usernameBase('José Ñúñez')).toBe('jose-nunez');
    expect(usernameBase(null)).toBe('user');
    expect(usernameBase('!!')).toBe('user');
  });
});

describe('role maps', () => {
  const hospital = (role: string) => role === 'hospital_doctor' || role === 'hospital_nurse';

  it('parses value=role pairs for the organisation’s sector, and says what is wrong', () => {
    expect(parseRoleMap('doctor=hospital_doctor, nurse = hospital_nurse', hospital)).toEqual({
      doctor: 'hospital_doctor',
      nurse: 'hospital_nurse',
    });
    expect(parseRoleMap('urn:role=x=hospital_doctor', hospital)).toEqual({ 'urn:role=x': 'hospital_doctor' });
    expect(() => parseRoleMap('doctor', hospital)).toThrow(RegistrationError);
    expect(() => parseRoleMap('doctor=surgeon', hospital)).toThrow(/no role/);
    expect(() => parseRoleMap('gp=gp', hospital)).toThrow(/not a role of this organisation/);
    expect(() => parseRoleMap('a=hospital_doctor,a=hospital_nurse', hospital)).toThrow(/mapped twice/);
  });
});

describe('why a round trip with a provider failed', () => {
  it('tells the provider’s refusals, bad tokens and silence apart', () => {
    expect(refusalOf({ code: 'OAUTH_AUTHORIZATION_RESPONSE_ERROR', error: 'access_denied' })).toBe('access_denied');
    expect(refusalOf({ code: 'OAUTH_RESPONSE_BODY_ERROR', error: 'invalid_grant', status: 400 })).toBe(
      'provider_refused',
    );
    expect(refusalOf({ code: 'OAUTH_RESPONSE_BODY_ERROR', error: 'server_error', status: 503 })).toBe(
      'provider_unavailable',
    );
    expect(refusalOf({ code: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED' })).toBe('invalid_token');
    expect(refusalOf(Object.assign(new TypeError('fetch failed')))).toBe('provider_unavailable');
    expect(refusalOf(new Error('anything else'))).toBe('sign_in_failed');
  });
});

describe('what a token may say', () => {
  it('a display name carries no CPR number and is at most 200 characters', () => {
    expect(nameFromClaims({ name: 'Anna 010170-1234 Hansen' })).toBe('Anna [CPR] Hansen');
    expect(nameFromClaims({ name: 'x'.repeat(200_000) })?.length).toBe(200);
    expect(nameFromClaims({ name: '  ' })).toBeNull();
  });

  it('an ID token issued more than a minute ahead of the clock is refused', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(issuedInFuture({ iat: now / 1000 + 30 }, now)).toBe(false);
    expect(issuedInFuture({ iat: now / 1000 - 3600 }, now)).toBe(false);
    expect(issuedInFuture({ iat: now / 1000 + 3600 }, now)).toBe(true);
    expect(issuedInFuture({}, now)).toBe(true);
  });

  it('only a Practitioner or PractitionerRole under the launched FHIR base is a GP', () => {
    const base = 'https://ehr.example/fhir';
    expect(practitionerOf('Practitioner/p-1', base)).toEqual({ type: 'Practitioner', id: 'p-1' });
    expect(practitionerOf('PractitionerRole/r.1', base)).toEqual({ type: 'PractitionerRole', id: 'r.1' });
    expect(practitionerOf('https://EHR.example:443/fhir/Practitioner/p-1', base)).toEqual({
      type: 'Practitioner',
      id: 'p-1',
    });
    for (const bad of [
      'Patient/p-1',
      'RelatedPerson/r-1',
      'https://other.example/fhir/Practitioner/p-1',
      'https://ehr.example/fhir2/Practitioner/p-1',
      'https://ehr.example/fhir/Practitioner/p-1/_history/2',
      'https://ehr.example/fhir/../fhir/Patient/p-1',
      'Practitioner/',
      undefined,
      42,
    ])
      expect(practitionerOf(bad, base), String(bad)).toBeNull();
  });

  it('issuers compare in one spelling', () => {
    expect(normaliseOidcIssuer('HTTPS://IdP.Example:443/')).toBe('https://idp.example');
    expect(normaliseOidcIssuer('https://idp.example/realms/x/')).toBe('https://idp.example/realms/x/');
    expect(normaliseIssuer('HTTPS://EHR.example/fhir/')).toBe('https://ehr.example/fhir');
  });
});
