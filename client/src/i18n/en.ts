import type { Dictionary } from './da.ts';
import { enPlan } from './en-plan.ts';
import { enRecords } from './en-records.ts';
import { enCare } from './en-care.ts';
import { enPeople } from './en-people.ts';
import { enAccess } from './en-access.ts';
import { enOffline } from './en-offline.ts';
import { enDay } from './en-day.ts';
import { enSignIn } from './en-sign-in.ts';
import { enOverview } from './en-overview.ts';
import { enErrors } from './en-errors.ts';
import { enPatients } from './en-patients.ts';
import { enPlanPage } from './en-planpage.ts';
import { enMeasurements } from './en-measurements.ts';
import { enAudit } from './en-audit.ts';

/** English. Must have exactly the keys of `da.ts`. */
export const en: Dictionary = {
  'app.name': 'CareHub',
  'app.tagline': 'One shared care plan across sectors',
  'app.skipToContent': 'Skip to content',
  'app.mainNav': 'Main menu',

  'language.label': 'Language',
  'language.da': 'Dansk',
  'language.en': 'English',

  'nav.patients': 'My patients',
  'nav.ownPlans': 'My care plan',
  'nav.signOut': 'Sign out',
  'nav.signedInAs': 'Signed in as {name}',

  'signIn.title': 'Sign in',
  'signIn.intro': "Sign in with your CareHub account to see your patients' care plans.",
  'signIn.username': 'Username',
  'signIn.password': 'Password',
  'signIn.submit': 'Sign in',
  'signIn.submitting': 'Signing in …',
  'signIn.expired': 'Your session has expired. Please sign in again.',

  'patients.title': 'My patients',
  'patients.titleCitizen': 'My care plan',
  'patients.searchLabel': 'Search by name or CPR number',
  'patients.searchHint': 'Type a name or a CPR number (with or without the hyphen).',
  'patients.loading': 'Loading patients …',
  'patients.empty': 'No patients match the search.',
  'patients.none': 'You have no patients yet.',
  'patients.cpr': 'CPR',
  'patients.plans': 'Care plans',
  'patients.noPlans': 'No care plans',
  'patients.count.one': '{count} patient',
  'patients.count.other': '{count} patients',

  'plan.loading': 'Loading the care plan …',
  'plan.back': 'Back to my patients',
  'plan.backCitizen': 'Back to the overview',
  'plan.patient': 'Patient',
  'plan.status': 'Status',
  'plan.created': 'Created',
  'plan.titleLabel': 'Plan title',
  'plan.titleWaiting': 'Waiting for the plan content …',
  'plan.heading': 'Care plan',

  'status.draft': 'Draft',
  'status.active': 'Active',
  'status.completed': 'Completed',
  'status.revoked': 'Revoked',

  'connection.label': 'Connection',
  'connection.connecting': 'Connecting …',
  'connection.connected': 'Connected',
  'connection.offline': 'Offline – your changes are sent when the connection is back',
  'connection.refused': 'Refused',
  'connection.refusedReason': 'The server refused the connection: {reason}',
  'connection.refusedNoReason': 'The server refused the connection (code {code}).',
  'connection.signInAgain': 'Sign in again',
  'collab.denied': 'A change was refused: {reason}',
  'collab.dismiss': 'Dismiss message',

  'presence.title': 'Here now',
  'presence.alone': 'Nobody else has the plan open right now.',
  'presence.you': 'You',

  'role.hospital_doctor': 'Hospital doctor',
  'role.hospital_nurse': 'Hospital nurse',
  'role.municipal_nurse': 'Home-care nurse',
  'role.gp': 'General practitioner',
  'role.citizen': 'Citizen',
  'role.admin': 'Administrator',
  'role.unknown': 'Unknown role',

  'sector.hospital': 'Hospital',
  'sector.municipality': 'Municipality',
  'sector.general_practice': 'General practice',
  'sector.unknown': 'Unknown sector',

  'notes.title': 'Journal notes',
  'notes.empty': 'No notes yet.',
  'notes.composerLabel': 'New note',
  'notes.add': 'Add note',
  'notes.you': 'You',
  'notes.unknownAuthor': 'Staff member',
  'notes.author': 'Author',
  'notes.sector': 'Sector',
  'notes.time': 'Time',
  'notes.readOnly': 'Only the author can edit this note.',
  'notes.editLabel': 'Your note (edited live)',
  'notes.cannotAdd': 'Only staff belonging to an organisation can write notes.',

  'editor.toolbar': 'Formatting',
  'editor.bold': 'Bold',
  'editor.italic': 'Italic',
  'editor.heading': 'Heading',
  'editor.bulletList': 'Bullet list',
  'editor.boldShort': 'B',
  'editor.italicShort': 'I',
  'editor.headingShort': 'H',
  'editor.bulletListShort': '•',
  'editor.orderedListShort': '1.',
  'editor.orderedList': 'Numbered list',

  'errors.network': 'Could not reach the server. Please try again.',
  'errors.unexpected': 'The server answered unexpectedly (status {status}).',
  'errors.invalidResponse': 'The server’s answer had an unexpected shape.',
  ...enPlan,
  ...enRecords,
  ...enCare,
  ...enPeople,
  ...enAccess,
  ...enOffline,
  ...enDay,
  ...enSignIn,
  ...enOverview,
  ...enErrors,
  ...enPatients,
  ...enPlanPage,
  ...enMeasurements,
  ...enAudit,
};
