import type { daSignIn } from './da-sign-in.ts';

/** Signing in through identity providers and SMART launches (issue 19), in English. */
export const enSignIn: Readonly<Record<keyof typeof daSignIn, string>> = {
  'signIn.with': 'Sign in with {name}',
  'signIn.providers': 'Sign in through your organisation',
  'signIn.citizens': 'Are you a citizen?',
  'signIn.orPassword': 'Or sign in with a CareHub username and password',
  'signIn.redirecting': 'Taking you to {name} …',
  'signIn.finishing': 'Signing you in …',
  'signIn.again': 'Try signing in again',
  'signIn.refusedTitle': 'You were not signed in',
  'signIn.passwordOff': 'Here you sign in through your organisation.',

  'refusal.sign_in_expired': 'The sign-in took too long or was used already. Start again.',
  'refusal.access_denied': 'The sign-in was cancelled at the identity provider.',
  'refusal.provider_unavailable': 'The identity provider is not answering right now. Try again shortly.',
  'refusal.provider_refused':
    'The identity provider would not finish the sign-in (the code had expired or was used already). Start again.',
  'refusal.invalid_token': 'The identity provider’s answer could not be verified, so you are not signed in.',
  'refusal.no_role':
    'Your organisation has not given you a role in CareHub. Contact your IT department if you need access.',
  'refusal.ambiguous_role':
    'Your organisation has given you more than one role in CareHub. Contact your IT department to get one.',
  'refusal.wrong_organisation':
    'The identity provider does not say you belong to this organisation. Choose your own organisation’s sign-in.',
  'refusal.account_conflict':
    'Your identity belongs to another kind of account in CareHub. Contact CareHub’s administrator.',
  'refusal.no_cpr': 'Your sign-in did not give a valid CPR number.',
  'refusal.no_patient': 'There is no care plan for you in CareHub.',
  'refusal.unknown_provider': 'This identity provider is not (or no longer) set up in CareHub.',
  'refusal.unknown_issuer': 'The practice system that opened CareHub is not set up in CareHub.',
  'refusal.not_a_practitioner':
    'The practice system did not say you are one of its doctors (a Practitioner of its own FHIR server). Only the practice’s doctors are let in from it.',
  'refusal.no_patient_context': 'The practice system sent no patient. Open CareHub from the patient’s record.',
  'refusal.no_plan': 'The patient has no active care plan in CareHub.',
  'refusal.not_on_care_team':
    'Your practice is not on the patient’s care team, so the care plan cannot be opened from here.',
  'refusal.objected': 'The citizen has objected to you or your practice seeing their data.',
  'refusal.sign_in_failed': 'The sign-in failed. You are not signed in.',

  'smart.opening': 'Opening the patient’s care plan …',
  'smart.refusedTitle': 'The care plan cannot be opened',
  'smart.reopen': 'Open CareHub again from the practice system.',

  'nav.signIn': 'Sign-in',
  'identity.providers': 'Identity providers',
  'identity.providersIntro':
    'The organisations’ OpenID Connect providers. Staff sign in through them; their role comes from the role claim. Secrets are never kept here: only the name of the environment variable that holds one.',
  'identity.redirectUri': 'Redirect URI to register at the provider: {uri}',
  'identity.addProvider': 'Add identity provider',
  'identity.organisation': 'Organisation',
  'identity.citizens': 'Citizens’ login (no organisation)',
  'identity.name': 'Name on the sign-in button',
  'identity.issuer': 'Issuer (URL)',
  'identity.clientId': 'Client ID',
  'identity.secretEnv': 'Environment variable with the client secret (empty: public client)',
  'identity.scopes': 'Scopes',
  'identity.roleClaim': 'Role claim',
  'identity.roleMap': 'Role map (value=role, …)',
  'identity.cprClaim': 'CPR claim',
  'identity.organisationClaim': 'Organisation claim (shared provider)',
  'identity.organisationValue': 'Value that means this organisation',
  'identity.submit': 'Add',
  'identity.remove': 'Remove',
  'identity.added': '{name} was added.',
  'identity.removed': '{name} was removed.',
  'identity.confirmRemove': 'Remove {name}? Nobody can sign in through it afterwards.',
  'identity.none': 'None yet.',
  'identity.smartClients': 'Practice systems (SMART App Launch)',
  'identity.smartIntro':
    'GP practice systems that open CareHub on the patient the GP has open. Only the system’s own origin may frame CareHub.',
  'identity.smartUris': 'Register the launch URL {launch} and the redirect URI {callback} in the practice system.',
  'identity.addSmart': 'Add practice system',
  'identity.fhirBase': 'FHIR base URL (issuer)',
  'identity.frameOrigin': 'Origin that may frame CareHub (empty: the issuer’s)',
  'access.done.smart.launch': 'opened your care plan from the GP’s system',
  'access.tried.smart.launch': 'open your care plan from the GP’s system',
  'users.disabled': 'switched off: no role from the identity provider',
  'identity.kindCitizen': 'Citizens',
};
