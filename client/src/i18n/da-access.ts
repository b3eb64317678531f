/**
 * Danish messages for access beyond the care team: the citizen's objections ("fravalg") and
 * staff's emergency access (break-the-glass). `en-access.ts` has exactly these keys.
 */
export const daAccess = {
  'objections.title': 'Fravalg',
  'objections.intro':
    'Du kan frabede dig, at en bestemt organisation ser dine data. Det kan du fortryde igen når som helst.',
  'objections.loading': 'Henter dine fravalg …',
  'objections.none': 'Du har ikke fravalgt nogen.',
  'objections.listLabel': 'Dine fravalg',
  'objections.since': 'Fravalgt {time}',
  'objections.unknownOrganisation': 'Ukendt organisation',
  'objections.withdraw': 'Fortryd fravalg af {name}',
  'objections.withdrawShort': 'Fortryd',
  'objections.withdrawn': 'Dit fravalg af {name} er fortrudt. De kan igen se din plan.',
  'objections.organisation': 'Organisation',
  'objections.choose': 'Vælg en organisation',
  'objections.noChoices': 'Der er ingen flere organisationer i dit behandlerteam at fravælge.',
  'objections.warning':
    'Vigtigt: Når du fravælger en organisation, kan ingen der arbejder der længere se din plejeplan – heller ikke de læger og sygeplejersker, der behandler dig nu. Det kan betyde, at de mangler vigtige oplysninger om dig.',
  'objections.add': 'Fravælg organisationen',
  'objections.adding': 'Fravælger …',
  'objections.added': 'Du har fravalgt {name}. De kan ikke længere se din plan.',

  'emergency.title': 'Nødadgang',
  'emergency.intro':
    'Til akutte situationer, hvor du skal se en patients plan uden at være i patientens behandlerteam.',
  'emergency.cpr': 'Patientens CPR-nummer',
  'emergency.cprHint': 'Skriv 10 cifre, evt. med bindestreg (ddmmåå-xxxx).',
  'emergency.lookup': 'Find patient',
  'emergency.lookingUp': 'Finder …',
  'emergency.objected': 'Borgeren har frabedt sig, at din organisation ser sine data. Nødadgang er ikke mulig.',
  'emergency.noPlans': 'Patienten har ingen aktiv plejeplan.',
  'emergency.needReason': 'Du er ikke i patientens behandlerteam. Angiv hvorfor du har brug for nødadgang.',
  'emergency.reason': 'Begrundelse',
  'emergency.reasonHint': 'Mindst 10 tegn. Skriv ikke CPR-numre i begrundelsen.',
  'emergency.explain':
    'Nødadgangen er tidsbegrænset. Den bliver logget, og både patientens behandlerteam og borgeren selv kan se, at du har brugt den, og din begrundelse.',
  'emergency.reasonTooShort': 'Begrundelsen skal være på mindst 10 tegn.',
  'emergency.open': 'Åbn planen med nødadgang',
  'emergency.opening': 'Åbner …',
  'emergency.cancel': 'Annullér',
  'emergency.banner': 'Du ser planen med nødadgang indtil {time}.',
} satisfies Record<string, string>;

export type AccessMessages = Readonly<Record<keyof typeof daAccess, string>>;
