import { describe, expect, it } from 'vitest';
import { da } from '../../client/src/i18n/da.ts';
import { en } from '../../client/src/i18n/en.ts';
import { wordRefusal } from '../../client/src/i18n/refusal-words.ts';
import { makeTranslate } from '../../client/src/i18n/translate.ts';
import {
  parseRefusalMessage,
  Refusal,
  REFUSAL_CODES,
  refusalMessage,
  refusalText,
  ValueProblem,
  type RefusalCode,
} from '../../shared/refusals.ts';

/**
 * Refusals are codes with parameters that the client words (issue 15). Every code is worded in
 * both languages, with nothing left as a `{placeholder}`; the sync channel's message carries
 * the English sentence and the code, and reads back to the same refusal.
 */
const EXAMPLES: Record<RefusalCode, Refusal[]> = {
  'section.unknown': [{ code: 'section.unknown', params: { section: 'evil' } }],
  'section.entries-only': [{ code: 'section.entries-only', params: { section: 'goals' } }],
  'access.read-only': [{ code: 'access.read-only', params: {} }],
  'role.admin': [{ code: 'role.admin', params: {} }],
  'role.citizen': [{ code: 'role.citizen', params: {} }],
  'role.staff-only': [{ code: 'role.staff-only', params: {} }],
  'conflicts.server-only': [{ code: 'conflicts.server-only', params: {} }],
  'conflicts.new-entry': [{ code: 'conflicts.new-entry', params: {} }],
  'results.systems-only': [{ code: 'results.systems-only', params: {} }],
  'self-reports.citizen-only': [{ code: 'self-reports.citizen-only', params: {} }],
  'meta.prescribers-only': [{ code: 'meta.prescribers-only', params: {} }],
  'medications.prescribers-only': [{ code: 'medications.prescribers-only', params: {} }],
  'tasks.owner-changes': (['status', 'assignee', 'sector', 'recurrence', 'series'] as const).flatMap((field) =>
    (['hospital', 'municipality', 'general_practice', null] as const).map((owner) => ({
      code: 'tasks.owner-changes' as const,
      params: { owner, field },
    })),
  ),
  'tasks.owner-removes': (['hospital', 'municipality', 'general_practice', null] as const).map((owner) => ({
    code: 'tasks.owner-removes' as const,
    params: { owner },
  })),
  'notes.own-name': [{ code: 'notes.own-name', params: {} }],
  'notes.own-sector': [{ code: 'notes.own-sector', params: {} }],
  'notes.author-only': [{ code: 'notes.author-only', params: {} }],
  'notes.fixed': [{ code: 'notes.fixed', params: {} }],
  'notes.signed': [{ code: 'notes.signed', params: {} }],
  'measurements.server-stamps': [{ code: 'measurements.server-stamps', params: {} }],
  'measurements.new-final': [{ code: 'measurements.new-final', params: {} }],
  'measurements.no-removal': [{ code: 'measurements.no-removal', params: {} }],
  'measurements.performer-only': [{ code: 'measurements.performer-only', params: {} }],
  'measurements.fixed': [{ code: 'measurements.fixed', params: {} }],
  'measurements.status': [{ code: 'measurements.status', params: {} }],
  'measurements.withdrawn': [{ code: 'measurements.withdrawn', params: {} }],
  'measurements.implausible': [
    { code: 'measurements.implausible', params: { key: 'value' } },
    { code: 'measurements.implausible', params: { key: 'unit' } },
  ],
  'measurements.time': [{ code: 'measurements.time', params: {} }],
  'measurements.history-full': [{ code: 'measurements.history-full', params: { limit: 99 } }],
  'meta.unknown-key': [{ code: 'meta.unknown-key', params: { key: 'colour' } }],
  'meta.required': [{ code: 'meta.required', params: { key: 'title' } }],
  'meta.named-keys-only': [{ code: 'meta.named-keys-only', params: {} }],
  'entry.not-a-map': [{ code: 'entry.not-a-map', params: { section: 'goals' } }],
  'entry.unknown-key': [{ code: 'entry.unknown-key', params: { section: 'goals', key: 'colour' } }],
  'entry.named-keys-only': [{ code: 'entry.named-keys-only', params: {} }],
  'value.invalid': [
    ...ValueProblem.options.map((problem) => ({
      code: 'value.invalid' as const,
      params: { key: 'dose', problem, limit: 2000 },
    })),
    { code: 'value.invalid', params: { key: null, problem: 'schema' } },
    { code: 'value.invalid', params: { key: 'status', problem: 'schema' } },
  ],
  'update.too-deep': [{ code: 'update.too-deep', params: { limit: 32 } }],
  'update.unapplicable': [{ code: 'update.unapplicable', params: {} }],
  'update.unchecked': [{ code: 'update.unchecked', params: {} }],
  'entry.id-fixed': [{ code: 'entry.id-fixed', params: {} }],
  'entry.id-taken': [{ code: 'entry.id-taken', params: {} }],
  'notes.time': [{ code: 'notes.time', params: {} }],
  'update.foreign-client': [{ code: 'update.foreign-client', params: {} }],
  'update.too-many-clients': [{ code: 'update.too-many-clients', params: { limit: 8 } }],
  'update.clock-jump': [{ code: 'update.clock-jump', params: { limit: 16777216 } }],
};

const LANGUAGES = [
  ['da', da, makeTranslate(da)],
  ['en', en, makeTranslate(en)],
] as const;

/** What a reader must find in the words: the names and numbers the parameters carry. */
function mustSay(r: Refusal): string[] {
  switch (r.code) {
    case 'section.unknown':
      return [r.params.section];
    case 'meta.unknown-key':
    case 'meta.required':
    case 'entry.unknown-key':
      return [r.params.key];
    case 'value.invalid':
      return [
        ...(r.params.key ? [r.params.key] : []),
        ...(r.params.limit !== undefined && ['too-many-parts', 'too-long', 'too-deep'].includes(r.params.problem)
          ? ['2000']
          : []),
      ];
    case 'update.too-deep':
      return ['32'];
    case 'update.too-many-clients':
      return ['8'];
    case 'update.clock-jump':
      return ['16777216'];
    default:
      return [];
  }
}

describe('refusal codes', () => {
  it('has a message for every code and every problem of a value in both languages', () => {
    for (const [lang, dict] of LANGUAGES) {
      const keys = new Set(Object.keys(dict));
      for (const code of REFUSAL_CODES)
        expect(keys.has(`refusal.code.${code}`), `${lang}: refusal.code.${code}`).toBe(true);
      for (const problem of ValueProblem.options)
        expect(keys.has(`refusal.problem.${problem}`), `${lang}: refusal.problem.${problem}`).toBe(true);
    }
  });

  it.each(LANGUAGES.map(([lang, , t]) => [lang, t] as const))(
    'words every code in %s, every parameter filled',
    (_lang, t) => {
      const unknown = t('refusal.unknown');
      for (const code of REFUSAL_CODES) {
        expect(EXAMPLES[code].length, code).toBeGreaterThan(0);
        for (const example of EXAMPLES[code]) {
          const words = wordRefusal(Refusal.parse(example), t);
          expect(words, code).not.toMatch(/\{\w+\}/);
          expect(words, code).not.toBe(unknown);
          expect(words.length, code).toBeGreaterThan(10);
          for (const part of mustSay(example)) expect(words, code).toContain(part);
        }
      }
    },
  );

  it('says each code differently in Danish and English', () => {
    const [, , tDa] = LANGUAGES[0];
    const [, , tEn] = LANGUAGES[1];
    for (const code of REFUSAL_CODES)
      for (const example of EXAMPLES[code]) expect(wordRefusal(example, tDa), code).not.toBe(wordRefusal(example, tEn));
  });

  it('words a code it does not know in general words', () => {
    const t = makeTranslate(en);
    expect(wordRefusal(null, t)).toBe(t('refusal.unknown'));
    expect(Refusal.safeParse({ code: 'a-newer.code', params: {} }).success).toBe(false);
  });

  it('writes the sync channel’s message in English with the code, and reads it back', () => {
    for (const code of REFUSAL_CODES) {
      for (const example of EXAMPLES[code]) {
        const message = refusalMessage('tasks', 'status', example);
        expect(message.startsWith(`tasks.status: ${refusalText(example)} [${code}`)).toBe(true);
        expect(parseRefusalMessage(message)).toEqual({
          section: 'tasks',
          refusal: example,
          text: refusalText(example),
        });
      }
    }
    // A stock server's bare reason, and a name outside the contract, are shown as written.
    expect(parseRefusalMessage('permission denied')).toEqual({
      section: null,
      refusal: null,
      text: 'permission denied',
    });
    expect(
      parseRefusalMessage(
        '(a name outside the contract): x [section.unknown {"section":"(a name outside the contract)"}]',
      ),
    ).toMatchObject({
      refusal: { code: 'section.unknown', params: { section: '(a name outside the contract)' } },
    });
    // A code this client does not know: its English sentence.
    expect(parseRefusalMessage('goals: something new [goals.something-new]')).toEqual({
      section: 'goals',
      refusal: null,
      text: 'something new',
    });
  });
});
