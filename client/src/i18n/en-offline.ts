import type { daOffline } from './da-offline.ts';

/** English messages for tablets and offline work (issue 6); exactly the keys of `da-offline.ts`. */
export const enOffline: Record<keyof typeof daOffline, string> = {
  'nav.visits': "Today's visits",
  'signOut.confirmPending':
    '{count} change(s) have not been sent yet and will be deleted from this device if you sign out now. Sign out anyway?',

  'sync.online': 'Online',
  'sync.syncing': 'Syncing …',
  'sync.offline': 'Offline',
  'sync.connecting': 'Connecting …',
  'sync.refused': 'Refused',
  'sync.pending': '{count} changes waiting to be sent',
  'sync.pendingOne': '1 change waiting to be sent',
  'sync.allSent': 'All changes are stored on the server',
  'sync.keptOnDevice': 'This plan is kept on this device and works offline',

  'plan.offlineCopy':
    'Offline: you are working in the copy of the plan kept on this device. Your changes are sent when the connection is back.',
  'plan.offlineNotKept':
    'There is no connection and this plan is not kept on this device. Open it once with a connection; after that it works offline.',

  'refusal.offlineChange': 'Change made offline:',
  'refusal.offlineKept': 'That change was undone; the rest of your offline work is kept.',

  'visits.title': "Today's visits",
  'visits.admitted': 'Admitted to {place}',
  'visits.onLeave': 'On leave from {place}',
  'visits.date': 'Visits on {date}',
  'visits.back': "Back to today's visits",
  'visits.loading': "Loading today's visits …",
  'visits.none': 'No visits today.',
  'visits.listLabel': 'Visits in visit order',
  'visits.tasks': 'Tasks at the visit',
  'visits.overdue': 'Overdue since {date}',
  'visits.open': 'Start the visit to {name}',
  'visits.offlineKept': 'Offline: this is the list last fetched to this device.',

  'visit.title': 'Visit to {name}',
  'visit.tasksTitle': 'Tasks today',
  'visit.noTasks': "None of the municipality's tasks are due today.",
  'visit.done': 'Done',
  'visit.overdue': 'Overdue',
  'visit.formTitle': 'Record a measurement or a note',
  'visit.kind': 'What do you want to record?',
  'visit.kind.bloodPressure': 'Blood pressure',
  'visit.kind.pulse': 'Pulse',
  'visit.kind.weight': 'Weight',
  'visit.kind.temperature': 'Temperature',
  'visit.kind.bloodSugar': 'Blood sugar',
  'visit.kind.saturation': 'Oxygen saturation',
  'visit.kind.note': 'Note',
  'visit.value': 'Value ({unit})',
  'visit.comment': 'Comment (optional)',
  'visit.noteText': 'Note',
  'visit.save': 'Save in the plan',
  'visit.saved': "Saved in the plan's notes at {time}.",
  'visit.savedOffline': 'Saved on this device at {time} – sent when there is a connection.',
  'visit.measurementLine': 'Home measurement – {kind}: {value} {unit}',
  'visit.invalid.bloodPressure': 'Write the blood pressure as systolic/diastolic, e.g. 135/85.',
  'visit.invalid.pulse': 'Write the pulse as a whole number, e.g. 72.',
  'visit.invalid.weight': 'Write the weight in kg, e.g. 82.4.',
  'visit.invalid.temperature': 'Write the temperature in °C, e.g. 37.2.',
  'visit.invalid.bloodSugar': 'Write the blood sugar in mmol/l, e.g. 6.8.',
  'visit.invalid.saturation': 'Write the saturation in percent, e.g. 96.',
  'visit.invalid.note': 'Write a note.',
};
