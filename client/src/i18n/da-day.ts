/**
 * Danish messages for the nurse's day on the tablet (issue 16): plans kept ready offline,
 * changes waiting, storage, a new version of the app, signing out. `en-day.ts` has exactly these keys.
 */
export const daDay = {
  'visits.tomorrowTitle': 'I morgen',
  'visits.tomorrowNone': 'Ingen besøg i morgen.',
  'visits.ready': 'Klar uden net · synkroniseret {time}',
  'visits.readyStale': 'Klar uden net · sidst synkroniseret {time}',
  'visits.fetching': 'Gemmes på enheden …',
  'visits.notReady': 'Ikke gemt på enheden – åbn den med net',
  'visits.full': 'Ikke gemt: enheden er fuld',
  'visits.allReady': 'Alle {count} besøg er klar uden net.',
  'visits.someReady': '{ready} af {count} besøg er klar uden net.',
  'visits.pending': '{count} ændringer venter på at blive sendt.',
  'visits.pendingOne': '1 ændring venter på at blive sendt.',
  'visits.noPending': 'Ingen ændringer venter.',
  'storage.full':
    'Enheden er fuld: ikke alle besøg kunne gemmes til brug uden net. Frigør plads på tabletten (slet fotos, apps eller andre data), og åbn listen igen.',
  'storage.notPersistent':
    'Browseren har ikke lovet at beholde data på enheden: gemte planer kan blive slettet, hvis tabletten mangler plads.',
  'update.ready': 'En ny version af CareHub er klar.',
  'update.apply': 'Opdatér nu',
  'update.waitForChanges': 'Opdateres, når dine ændringer er sendt ({count} venter).',
  'signOut.sending': 'Sender ventende ændringer, før du logges ud …',
  'signOut.confirmOffline':
    'Du er uden net: {count} ændring(er) er ikke sendt og slettes fra enheden, hvis du logger ud nu. Log ud alligevel?',
} satisfies Record<string, string>;
