import { describe, expect, it } from 'vitest';
import { da } from '../../client/src/i18n/da.ts';
import { en } from '../../client/src/i18n/en.ts';
import { wordNotification, type Wording } from '../../client/src/i18n/notification-words.ts';
import { makeTranslate } from '../../client/src/i18n/translate.ts';
import { NOTIFICATION_KINDS, NotificationContent, type NotificationKind } from '../../shared/notifications.ts';
import { EncounterEvent } from '../../shared/results.ts';
import { StaffRole } from '../../shared/roles.ts';

/**
 * The client words every notification kind in both languages (issue 15: notifications carry a
 * kind and parameters; the server writes no sentences). One example per kind, every parameter
 * filled: each must be worded, with nothing left as a `{placeholder}`, and say what it is about.
 */
const EXAMPLES: Record<NotificationKind, NotificationContent[]> = {
  result: [
    { kind: 'result', params: { count: 1, tests: ['P-Kalium'], moreTests: false } },
    { kind: 'result', params: { count: 9, tests: ['P-Kalium', 'P-Natrium', 'eGFR', 'B-HbA1c'], moreTests: true } },
  ],
  'result-critical': [
    {
      kind: 'result-critical',
      params: {
        results: [
          { code: 'NPU03230', display: 'P-Kalium', value: 6.9, unit: 'mmol/L' },
          { code: 'NPU04998', display: 'P-Kreatinin', value: 412, unit: 'umol/L' },
        ],
      },
    },
    { kind: 'result-critical', params: { results: [{ code: 'X', display: 'U-Dyrkning', value: 'positiv' }] } },
  ],
  'result-escalated': [
    { kind: 'result-escalated', params: { code: 'NPU03230', display: 'P-Kalium', value: 2.4, unit: 'mmol/L' } },
  ],
  encounter: EncounterEvent.options.flatMap((event) => [
    { kind: 'encounter' as const, params: { event, place: 'Rigshospitalet, Kardiologisk Klinik' } },
    { kind: 'encounter' as const, params: { event, place: '' } },
  ]),
  'break-glass': [
    {
      kind: 'break-glass',
      params: {
        person: 'Hanne Holm',
        organisation: 'Rigshospitalet',
        role: 'hospital_doctor',
        reason: 'Bevidstløs i skadestuen',
      },
    },
    ...StaffRole.options.map((role) => ({
      kind: 'break-glass' as const,
      params: { person: 'N. N.', organisation: null, role, reason: 'Akut' },
    })),
  ],
  correspondence: [
    { kind: 'correspondence', params: { from: 'Herlev og Gentofte Hospital', topic: 'Spørgsmål om medicin' } },
  ],
  text: [{ kind: 'text', params: { text: 'Nye svar (1): P-Kalium' } }],
};

const LANGUAGES: [string, Wording][] = [
  ['da', { t: makeTranslate(da), formatNumber: (n) => new Intl.NumberFormat('da-DK').format(n), decimal: ',' }],
  ['en', { t: makeTranslate(en), formatNumber: (n) => new Intl.NumberFormat('en-GB').format(n), decimal: '.' }],
];

/** The words a reader must find in a notification: the names and free text its parameters carry. */
function mustSay(n: NotificationContent): string[] {
  switch (n.kind) {
    case 'result':
      return n.params.tests;
    case 'result-critical':
      return n.params.results.map((r) => r.display);
    case 'result-escalated':
      return [n.params.display];
    case 'encounter':
      return n.params.place ? [n.params.place] : [];
    case 'break-glass':
      return [n.params.person, n.params.reason, ...(n.params.organisation ? [n.params.organisation] : [])];
    case 'correspondence':
      return [n.params.from, n.params.topic];
    case 'text':
      return [n.params.text];
  }
}

describe('notification words (client/src/i18n/notification-words.ts)', () => {
  it('has an example for every kind, and every example is a valid notification', () => {
    expect(Object.keys(EXAMPLES).sort()).toEqual([...NOTIFICATION_KINDS].sort());
    for (const n of Object.values(EXAMPLES).flat())
      expect(NotificationContent.safeParse(n).success, JSON.stringify(n)).toBe(true);
  });

  for (const [lang, wording] of LANGUAGES) {
    it(`words every kind in ${lang}, with no parameter missing`, () => {
      for (const n of Object.values(EXAMPLES).flat()) {
        const text = wordNotification(n, wording);
        expect(text.trim(), JSON.stringify(n)).not.toBe('');
        expect(text, `${lang}: ${JSON.stringify(n)}`).not.toMatch(/\{\w+\}/);
        for (const word of mustSay(n)) expect(text, `${lang}: ${JSON.stringify(n)}`).toContain(word);
      }
      // A notification this client cannot read is still said, in general words.
      expect(wordNotification(null, wording)).not.toMatch(/^\s*$|\{\w+\}/);
    });
  }

  it('says the same notification differently in Danish and English (only stored words stay as written)', () => {
    const [[, daWording], [, enWording]] = LANGUAGES as [[string, Wording], [string, Wording]];
    for (const n of Object.values(EXAMPLES).flat()) {
      if (n.kind === 'text') expect(wordNotification(n, daWording)).toBe(wordNotification(n, enWording));
      else expect(wordNotification(n, daWording), JSON.stringify(n)).not.toBe(wordNotification(n, enWording));
    }
  });

  it('writes numbers and units the reader’s way', () => {
    const critical = EXAMPLES['result-critical'][0]!;
    const [[, daWording], [, enWording]] = LANGUAGES as [[string, Wording], [string, Wording]];
    expect(wordNotification(critical, daWording)).toBe(
      'Kritisk svar: P-Kalium 6,9 mmol/L, P-Kreatinin 412 µmol/L — kræver kvittering',
    );
    expect(wordNotification(critical, enWording)).toBe(
      'Critical result: P-Kalium 6.9 mmol/L, P-Kreatinin 412 µmol/L — needs acknowledgement',
    );
    expect(wordNotification(EXAMPLES.result[1]!, enWording)).toBe(
      'New results (9): P-Kalium, P-Natrium, eGFR, B-HbA1c …',
    );
    expect(
      wordNotification(
        { kind: 'break-glass', params: { person: 'N. N.', organisation: null, role: 'gp', reason: 'Akut' } },
        enWording,
      ),
    ).toBe('N. N. (General practitioner) opened the plan in an emergency: Akut');
  });
});
