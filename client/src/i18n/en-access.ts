import type { AccessMessages } from './da-access.ts';

/** English messages for the citizen's objections and staff's emergency access. */
export const enAccess: AccessMessages = {
  'objections.title': 'Objections',
  'objections.intro':
    'You can refuse to let a particular organisation see your data. You can change your mind at any time.',
  'objections.loading': 'Loading your objections …',
  'objections.none': 'You have not objected to anyone.',
  'objections.listLabel': 'Your objections',
  'objections.since': 'Objected {time}',
  'objections.unknownOrganisation': 'Unknown organisation',
  'objections.withdraw': 'Withdraw the objection to {name}',
  'objections.withdrawShort': 'Withdraw',
  'objections.withdrawn': 'Your objection to {name} was withdrawn. They can see your plan again.',
  'objections.organisation': 'Organisation',
  'objections.choose': 'Choose an organisation',
  'objections.noChoices': 'There are no more organisations on your care team to object to.',
  'objections.warning':
    'Important: when you object to an organisation, nobody who works there can see your care plan any more – not even the doctors and nurses treating you now. They may then lack important information about you.',
  'objections.add': 'Object to this organisation',
  'objections.adding': 'Objecting …',
  'objections.added': 'You have objected to {name}. They can no longer see your plan.',

  'emergency.title': 'Emergency access',
  'emergency.intro': 'For emergencies, when you need to see a patient’s plan without being on the patient’s care team.',
  'emergency.cpr': 'The patient’s CPR number',
  'emergency.cprHint': 'Type 10 digits, with or without a hyphen (ddmmyy-xxxx).',
  'emergency.lookup': 'Find patient',
  'emergency.lookingUp': 'Finding …',
  'emergency.objected':
    'The citizen has objected to your organisation seeing their data. Emergency access is not possible.',
  'emergency.noPlans': 'The patient has no active care plan.',
  'emergency.needReason': 'You are not on the patient’s care team. State why you need emergency access.',
  'emergency.reason': 'Reason',
  'emergency.reasonHint': 'At least 10 characters. Do not put CPR numbers in the reason.',
  'emergency.explain':
    'Emergency access is time-limited. It is logged, and both the patient’s care team and the citizen will see that you used it, and your reason.',
  'emergency.reasonTooShort': 'The reason must be at least 10 characters long.',
  'emergency.open': 'Open the plan with emergency access',
  'emergency.opening': 'Opening …',
  'emergency.cancel': 'Cancel',
  'emergency.banner': 'You are seeing this plan through emergency access (break-the-glass) until {time}.',
};
