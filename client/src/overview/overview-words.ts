import type { OverviewItem, OverviewResult } from '../../../shared/overview.ts';
import { EncounterEvent } from '../../../shared/results.ts';
import type { I18n, MessageKey } from '../i18n/index.tsx';
import { ucumDisplay } from '../i18n/units.ts';

const EVENTS: Readonly<Record<EncounterEvent, MessageKey>> = {
  admission: 'notification.encounter.admission',
  'leave-start': 'notification.encounter.leave-start',
  'leave-end': 'notification.encounter.leave-end',
  discharge: 'notification.encounter.discharge',
  death: 'notification.encounter.death',
  cancelled: 'notification.encounter.cancelled',
};

type Words = Pick<I18n, 't' | 'tDynamic' | 'formatNumber' | 'formatDate' | 'lang'>;

/** "P-Kalium 7,1 mmol/L (Kritisk høj)" in the reader's language. */
export function resultText(r: OverviewResult, w: Words): string {
  const value = typeof r.value === 'number' ? w.formatNumber(r.value) : (r.value ?? '');
  const unit = r.unit ? ucumDisplay(r.unit, w.lang === 'da' ? ',' : '.') : '';
  const flag = r.interpretation ? ` (${w.tDynamic(`results.flag.${r.interpretation}`, 'results.flag.A')})` : '';
  return `${[r.display, value, unit].filter(Boolean).join(' ')}${flag}`;
}

/** One Overblik item in the reader's language. */
export function wordItem(item: OverviewItem, w: Words): string {
  const { t } = w;
  switch (item.kind) {
    case 'critical-result':
      return t('overview.critical', { result: resultText(item.result, w) });
    case 'new-results': {
      const count = item.results.length + item.more;
      const named = item.results.map((r) => resultText(r, w)).join(', ');
      const results = item.more > 0 ? `${named} ${t('overview.more', { count: item.more })}` : named;
      return t(count === 1 ? 'overview.newResults.one' : 'overview.newResults.other', { count, results });
    }
    case 'encounter': {
      const event = EncounterEvent.safeParse(item.event);
      const words = event.success ? t(EVENTS[event.data]) : item.event;
      return item.place ? t('overview.encounter', { event: words, place: item.place }) : words;
    }
    case 'task-due':
      return item.overdue
        ? t('overview.taskOverdue', { title: item.title, due: w.formatDate(item.due) })
        : t('overview.taskDue', { title: item.title });
    case 'handover':
      return item.from
        ? t('overview.handover', { title: item.title, from: t(`overview.from.${item.from}`) })
        : t('overview.handoverNew', { title: item.title });
    case 'plan-change': {
      const sections = item.sections.map((s) => w.tDynamic(`section.${s}`, 'section.unknown')).join(', ');
      return item.author
        ? t('overview.change', { author: item.author.name, sections })
        : t('overview.changeUnknown', { sections });
    }
  }
}

/** The section of the plan an item opens at. */
export function sectionOfItem(item: OverviewItem): string | null {
  switch (item.kind) {
    case 'critical-result':
    case 'new-results':
    case 'encounter':
      return 'results';
    case 'task-due':
    case 'handover':
      return 'tasks';
    case 'plan-change':
      return item.sections[0] ?? null;
  }
}
