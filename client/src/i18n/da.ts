import { daPlan } from './da-plan.ts';
import { daRecords } from './da-records.ts';
import { daCare } from './da-care.ts';
import { daPeople } from './da-people.ts';
import { daAccess } from './da-access.ts';
import { daOffline } from './da-offline.ts';
import { daDay } from './da-day.ts';
import { daSignIn } from './da-sign-in.ts';
import { daOverview } from './da-overview.ts';
import { daErrors } from './da-errors.ts';
import { daPatients } from './da-patients.ts';
import { daPlanPage } from './da-planpage.ts';
import { daMeasurements } from './da-measurements.ts';
import { daAudit } from './da-audit.ts';

/**
 * Danish, the default language. This dictionary defines the message keys; `en.ts` must
 * have exactly the same keys (the `Dictionary` type enforces it). Placeholders: `{name}`.
 */
const messages = {
  'app.name': 'CareHub',
  'app.tagline': 'Fælles plejeplan på tværs af sektorer',
  'app.skipToContent': 'Gå til indhold',
  'app.mainNav': 'Hovedmenu',

  'language.label': 'Sprog',
  'language.da': 'Dansk',
  'language.en': 'English',

  'nav.patients': 'Mine patienter',
  'nav.ownPlans': 'Min plejeplan',
  'nav.signOut': 'Log ud',
  'nav.signedInAs': 'Logget ind som {name}',

  'signIn.title': 'Log ind',
  'signIn.intro': 'Log ind med din CareHub-bruger for at se dine patienters plejeplaner.',
  'signIn.username': 'Brugernavn',
  'signIn.password': 'Adgangskode',
  'signIn.submit': 'Log ind',
  'signIn.submitting': 'Logger ind …',
  'signIn.expired': 'Din session er udløbet. Log ind igen.',

  'patients.title': 'Mine patienter',
  'patients.titleCitizen': 'Min plejeplan',
  'patients.searchLabel': 'Søg efter navn eller CPR-nummer',
  'patients.searchHint': 'Skriv et navn eller et CPR-nummer (med eller uden bindestreg).',
  'patients.loading': 'Henter patienter …',
  'patients.empty': 'Ingen patienter matcher søgningen.',
  'patients.none': 'Du har ingen patienter endnu.',
  'patients.cpr': 'CPR',
  'patients.plans': 'Plejeplaner',
  'patients.noPlans': 'Ingen plejeplaner',
  'patients.count.one': '{count} patient',
  'patients.count.other': '{count} patienter',

  'plan.loading': 'Henter plejeplanen …',
  'plan.back': 'Tilbage til mine patienter',
  'plan.backCitizen': 'Tilbage til oversigten',
  'plan.patient': 'Patient',
  'plan.status': 'Status',
  'plan.created': 'Oprettet',
  'plan.titleLabel': 'Planens titel',
  'plan.titleWaiting': 'Venter på planens indhold …',
  'plan.heading': 'Plejeplan',

  'status.draft': 'Kladde',
  'status.active': 'Aktiv',
  'status.completed': 'Afsluttet',
  'status.revoked': 'Tilbagekaldt',

  'connection.label': 'Forbindelse',
  'connection.connecting': 'Forbinder …',
  'connection.connected': 'Forbundet',
  'connection.offline': 'Offline – dine ændringer sendes, når forbindelsen er tilbage',
  'connection.refused': 'Afvist',
  'connection.refusedReason': 'Serveren afviste forbindelsen: {reason}',
  'connection.refusedNoReason': 'Serveren afviste forbindelsen (kode {code}).',
  'connection.signInAgain': 'Log ind igen',
  'collab.denied': 'En ændring blev afvist: {reason}',
  'collab.dismiss': 'Luk besked',

  'presence.title': 'Til stede nu',
  'presence.alone': 'Ingen andre har planen åben lige nu.',
  'presence.you': 'Dig',

  'role.hospital_doctor': 'Hospitalslæge',
  'role.hospital_nurse': 'Hospitalssygeplejerske',
  'role.municipal_nurse': 'Hjemmesygeplejerske',
  'role.gp': 'Praktiserende læge',
  'role.citizen': 'Borger',
  'role.admin': 'Administrator',
  'role.unknown': 'Ukendt rolle',

  'sector.hospital': 'Hospital',
  'sector.municipality': 'Kommune',
  'sector.general_practice': 'Almen praksis',
  'sector.unknown': 'Ukendt sektor',

  'notes.title': 'Journalnotater',
  'notes.empty': 'Ingen notater endnu.',
  'notes.composerLabel': 'Nyt notat',
  'notes.add': 'Tilføj notat',
  'notes.you': 'Dig',
  'notes.unknownAuthor': 'Medarbejder',
  'notes.author': 'Forfatter',
  'notes.sector': 'Sektor',
  'notes.time': 'Tidspunkt',
  'notes.readOnly': 'Kun forfatteren kan redigere dette notat.',
  'notes.editLabel': 'Dit notat (redigeres direkte)',
  'notes.cannotAdd': 'Kun personale tilknyttet en organisation kan skrive notater.',

  'editor.toolbar': 'Formatering',
  'editor.bold': 'Fed',
  'editor.italic': 'Kursiv',
  'editor.heading': 'Overskrift',
  'editor.bulletList': 'Punktliste',
  'editor.boldShort': 'F',
  'editor.italicShort': 'K',
  'editor.headingShort': 'O',
  'editor.bulletListShort': '•',
  'editor.orderedListShort': '1.',
  'editor.orderedList': 'Nummereret liste',

  'errors.network': 'Kunne ikke få forbindelse til serveren. Prøv igen.',
  'errors.unexpected': 'Serveren svarede uventet (status {status}).',
  'errors.invalidResponse': 'Svaret fra serveren havde en uventet form.',
  ...daPlan,
  ...daRecords,
  ...daCare,
  ...daPeople,
  ...daAccess,
  ...daOffline,
  ...daDay,
  ...daSignIn,
  ...daOverview,
  ...daErrors,
  ...daPatients,
  ...daPlanPage,
  ...daMeasurements,
  ...daAudit,
} satisfies Record<string, string>;

export type MessageKey = keyof typeof messages;
export type Dictionary = Readonly<Record<MessageKey, string>>;

export const da: Dictionary = messages;
