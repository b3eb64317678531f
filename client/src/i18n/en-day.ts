import type { daDay } from './da-day.ts';

/** English messages for the nurse's day on the tablet (issue 16); the keys of `da-day.ts`. */
export const enDay = {
  'visits.tomorrowTitle': 'Tomorrow',
  'visits.tomorrowNone': 'No visits tomorrow.',
  'visits.ready': 'Ready offline · synchronised {time}',
  'visits.readyStale': 'Ready offline · last synchronised {time}',
  'visits.fetching': 'Saving on this device …',
  'visits.notReady': 'Not on this device – open it while online',
  'visits.full': 'Not saved: the device is full',
  'visits.allReady': 'All {count} visits are ready offline.',
  'visits.someReady': '{ready} of {count} visits are ready offline.',
  'visits.pending': '{count} changes are waiting to be sent.',
  'visits.pendingOne': '1 change is waiting to be sent.',
  'visits.noPending': 'No changes waiting.',
  'storage.full':
    'The device is full: not every visit could be saved for offline use. Free some space on the tablet (delete photos, apps or other data) and open the list again.',
  'storage.notPersistent':
    'The browser has not promised to keep data on this device: saved plans may be removed if the tablet runs short of space.',
  'update.ready': 'A new version of CareHub is ready.',
  'update.apply': 'Update now',
  'update.waitForChanges': 'Updates once your changes are sent ({count} waiting).',
  'signOut.sending': 'Sending waiting changes before signing you out …',
  'signOut.confirmOffline':
    'You are offline: {count} change(s) have not been sent and will be deleted from the device if you sign out now. Sign out anyway?',
} satisfies Record<keyof typeof daDay, string>;
