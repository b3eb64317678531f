import type { MessageKey, Translate } from '../i18n/index.tsx';

const FLAGS: Readonly<Record<string, MessageKey>> = {
  N: 'results.flag.N',
  H: 'results.flag.H',
  L: 'results.flag.L',
  HH: 'results.flag.HH',
  LL: 'results.flag.LL',
  A: 'results.flag.A',
  AA: 'results.flag.AA',
};
const KINDS: Readonly<Record<string, MessageKey>> = {
  lab: 'results.kind.lab',
  imaging: 'results.kind.imaging',
  notification: 'results.kind.notification',
  measurement: 'results.kind.measurement',
};

/** An interpretation flag in words with its code, e.g. "High (H)"; '' for none. */
export function flagLabel(flag: string, t: Translate): string {
  if (!flag) return '';
  const label = FLAGS[flag];
  return label ? `${t(label)} (${flag})` : flag;
}

export function resultKindKey(kind: string): MessageKey | null {
  return KINDS[kind] ?? null;
}

const STATUSES: Readonly<Record<string, MessageKey>> = {
  registered: 'results.status.registered',
  preliminary: 'results.status.preliminary',
  final: 'results.status.final',
  amended: 'results.status.amended',
  corrected: 'results.status.corrected',
  cancelled: 'results.status.cancelled',
  'entered-in-error': 'results.status.entered-in-error',
};

/** A result's status in words (FHIR's codes), or the code itself when it is not one we know. */
export function resultStatusLabel(status: string, t: Translate): string {
  const key = STATUSES[status];
  return key ? t(key) : status;
}
