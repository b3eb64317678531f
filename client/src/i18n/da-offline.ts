/**
 * Danish messages for tablets and offline work (issue 6): the sync state, the kept copy, today's
 * visits and the visit form. `en-offline.ts` has exactly these keys.
 */
export const daOffline = {
  'nav.visits': 'Dagens besøg',
  'signOut.confirmPending':
    '{count} ændring(er) er endnu ikke sendt og slettes fra enheden, hvis du logger ud nu. Log ud alligevel?',

  'sync.online': 'Online',
  'sync.syncing': 'Synkroniserer …',
  'sync.offline': 'Offline',
  'sync.connecting': 'Forbinder …',
  'sync.refused': 'Afvist',
  'sync.pending': '{count} ændringer venter på at blive sendt',
  'sync.pendingOne': '1 ændring venter på at blive sendt',
  'sync.allSent': 'Alle ændringer er gemt på serveren',
  'sync.keptOnDevice': 'Planen er gemt på denne enhed og kan bruges uden net',

  'plan.offlineCopy':
    'Uden net: du arbejder i den kopi af planen, der er gemt på denne enhed. Dine ændringer sendes, når forbindelsen er tilbage.',
  'plan.offlineNotKept':
    'Der er ingen forbindelse, og planen er ikke gemt på denne enhed. Åbn den én gang med net, så kan den bagefter bruges uden net.',

  'refusal.offlineChange': 'Ændring foretaget uden net:',
  'refusal.offlineKept': 'Den ændring er fortrudt; resten af dit arbejde uden net er gemt.',

  'visits.title': 'Dagens besøg',
  'visits.admitted': 'Indlagt på {place}',
  'visits.onLeave': 'På orlov fra indlæggelse på {place}',
  'visits.date': 'Besøg {date}',
  'visits.back': 'Tilbage til dagens besøg',
  'visits.loading': 'Henter dagens besøg …',
  'visits.none': 'Ingen besøg i dag.',
  'visits.listLabel': 'Besøg i besøgsrækkefølge',
  'visits.tasks': 'Opgaver ved besøget',
  'visits.overdue': 'Forfalden {date}',
  'visits.open': 'Start besøg hos {name}',
  'visits.offlineKept': 'Uden net: listen er den, der sidst blev hentet til denne enhed.',

  'visit.title': 'Besøg hos {name}',
  'visit.tasksTitle': 'Opgaver i dag',
  'visit.noTasks': 'Ingen af kommunens opgaver forfalder i dag.',
  'visit.done': 'Udført',
  'visit.overdue': 'Forfalden',
  'visit.formTitle': 'Registrér en måling eller et notat',
  'visit.kind': 'Hvad vil du registrere?',
  'visit.kind.bloodPressure': 'Blodtryk',
  'visit.kind.pulse': 'Puls',
  'visit.kind.weight': 'Vægt',
  'visit.kind.temperature': 'Temperatur',
  'visit.kind.bloodSugar': 'Blodsukker',
  'visit.kind.saturation': 'Iltmætning',
  'visit.kind.note': 'Notat',
  'visit.value': 'Værdi ({unit})',
  'visit.comment': 'Kommentar (valgfri)',
  'visit.noteText': 'Notat',
  'visit.save': 'Gem i planen',
  'visit.saved': 'Gemt i planens notater {time}.',
  'visit.savedOffline': 'Gemt på enheden {time} – sendes, når der er net.',
  'visit.measurementLine': 'Hjemmemåling – {kind}: {value} {unit}',
  'visit.invalid.bloodPressure': 'Skriv blodtrykket som systolisk/diastolisk, fx 135/85.',
  'visit.invalid.pulse': 'Skriv pulsen som et helt tal, fx 72.',
  'visit.invalid.weight': 'Skriv vægten i kg, fx 82,4.',
  'visit.invalid.temperature': 'Skriv temperaturen i °C, fx 37,2.',
  'visit.invalid.bloodSugar': 'Skriv blodsukkeret i mmol/l, fx 6,8.',
  'visit.invalid.saturation': 'Skriv iltmætningen i procent, fx 96.',
  'visit.invalid.note': 'Skriv et notat.',
} satisfies Record<string, string>;
