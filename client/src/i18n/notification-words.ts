import type { NotificationContent, NotifiedResult } from '../../../shared/notifications.ts';
import type { EncounterEvent } from '../../../shared/results.ts';
import type { StaffRole } from '../../../shared/roles.ts';
import type { MessageKey } from './da.ts';
import type { Translate } from './translate.ts';
import { ucumDisplay } from './units.ts';

/** What wording needs of the reader's language: its words and its numbers. */
export interface Wording {
  t: Translate;
  formatNumber: (value: number) => string;
  decimal: ',' | '.';
}

const EVENTS: Readonly<Record<EncounterEvent, MessageKey>> = {
  admission: 'notification.encounter.admission',
  'leave-start': 'notification.encounter.leave-start',
  'leave-end': 'notification.encounter.leave-end',
  discharge: 'notification.encounter.discharge',
  death: 'notification.encounter.death',
  cancelled: 'notification.encounter.cancelled',
};

const ROLES: Readonly<Record<StaffRole, MessageKey>> = {
  hospital_doctor: 'role.hospital_doctor',
  hospital_nurse: 'role.hospital_nurse',
  municipal_nurse: 'role.municipal_nurse',
  gp: 'role.gp',
};

/** A result as a notification names it: "P-Kalium 6,9 mmol/L". */
function resultText(r: NotifiedResult, w: Wording): string {
  const value = typeof r.value === 'number' ? w.formatNumber(r.value) : (r.value ?? '');
  return [r.display, value, r.unit ? ucumDisplay(r.unit, w.decimal) : ''].filter(Boolean).join(' ');
}

/**
 * A notification (shared/notifications.ts) in the reader's language. `null`, a notification this
 * client could not read (a kind from a newer server), is said in general words: it is still
 * shown, and links to its plan.
 */
export function wordNotification(content: NotificationContent | null, w: Wording): string {
  const { t } = w;
  if (!content) return t('notification.unknown');
  switch (content.kind) {
    case 'result': {
      const { count, tests, moreTests } = content.params;
      return t('notification.result', { count, tests: `${tests.join(', ')}${moreTests ? ' …' : ''}` });
    }
    case 'result-critical':
      return t('notification.result-critical', {
        results: content.params.results.map((r) => resultText(r, w)).join(', '),
      });
    case 'result-escalated':
      return t('notification.result-escalated', { result: resultText(content.params, w) });
    case 'encounter': {
      const event = t(EVENTS[content.params.event]);
      return content.params.place ? t('notification.encounter', { event, place: content.params.place }) : event;
    }
    case 'correspondence':
      return t('notification.correspondence', { from: content.params.from, topic: content.params.topic });
    case 'break-glass': {
      const { person, organisation, role, reason } = content.params;
      return t('notification.break-glass', { person, organisation: organisation ?? t(ROLES[role]), reason });
    }
    case 'text':
      return content.params.text;
    default:
      return unreachable(content);
  }
}

function unreachable(content: never): never {
  throw new Error(`no words for the notification kind ${(content as { kind: string }).kind}`);
}
