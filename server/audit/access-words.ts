/**
 * Audit actions in plain words for the citizen's access log: what someone did with "your"
 * record, as [what they did, what they tried to do when refused]. Actions not listed here
 * (new ones) read as "accessed your record".
 */
const WORDS: Record<string, readonly [done: string, tried: string]> = {
  'patient.list': ['saw you in their list of patients', 'list you among their patients'],
  'patient.create': ['registered you as a patient', 'register you as a patient'],
  'patient.plans': ['looked up your plans', 'look up your plans'],
  'patient.emergency-lookup': ['looked you up for emergency access', 'look you up for emergency access'],
  'overview.read': ['saw news of your record in their overview', 'see news of your record in their overview'],
  'notifications.read': ['read notifications about your plan', 'read notifications about your plan'],
  'notification.deliver': ['was shown a notification about your plan', 'be shown a notification about your plan'],
  'plan.create': ['created a plan for you', 'create a plan for you'],
  'plan.read': ['opened your plan', 'open your plan'],
  'plan.open': ['opened your plan', 'open your plan'],
  'plan.document.read': ['read your plan', 'read your plan'],
  'plan.history.read': ['read the history of your plan', 'read the history of your plan'],
  'plan.people.read': ['saw who works on your plan', 'see who works on your plan'],
  'plan.fhir.read': ['exported your plan', 'export your plan'],
  'plan.update': ['changed your plan', 'change your plan'],
  'plan.watch': ['followed your plan', 'follow your plan'],
  'plan.self-report': ['added a measurement to your plan', 'add a measurement to your plan'],
  'care-team.read': ['looked at your care team', 'look at your care team'],
  'care-team.add': ['added someone to your care team', 'add someone to your care team'],
  'care-team.remove': ['removed someone from your care team', 'remove someone from your care team'],
  'result.read': ['read your results', 'read your results'],
  'results.read': ['read your results', 'read your results'],
  'result.acknowledge': ['acknowledged one of your results', 'acknowledge one of your results'],
  'result.release': ['released one of your results to you', 'release one of your results to you'],
  'audit.read': ['read the access log of your record', 'read the access log of your record'],
  'embed-link.create': [
    'made a link that opens your plan in a practice system',
    'make a link that opens your plan in a practice system',
  ],
  'embed-link.use': ['opened your plan through a practice system', 'open your plan through a practice system'],
  'embed-link.revoke': ['ended a link to your plan', 'end a link to your plan'],
  'break-glass': ['used emergency access to your record', 'use emergency access to your record'],
  'smart.launch': ['opened your plan from a practice system', 'open your plan from a practice system'],
};

export function accessInWords(action: string, refused: boolean): string {
  const [done, tried] = WORDS[action] ?? ['accessed your record', 'access your record'];
  return refused ? `tried to ${tried}, and was refused` : done;
}
