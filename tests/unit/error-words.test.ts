import { describe, expect, it } from 'vitest';
import { da } from '../../client/src/i18n/da.ts';
import { en } from '../../client/src/i18n/en.ts';
import { wordError } from '../../client/src/i18n/error-words.ts';
import { makeTranslate } from '../../client/src/i18n/translate.ts';
import { accessReason } from '../../server/http/access-reasons.ts';
import { OBJECTED } from '../../server/auth/access.ts';
import { ErrorReason } from '../../shared/error-reasons.ts';
import { ErrorCode } from '../../shared/errors.ts';

/**
 * Every refusal of the server a person reads is a code the client words (issue 17, item 8):
 * each reason and each error code in Danish and English, nothing left as a placeholder, the
 * server's English message never shown, and an unknown reason worded by its code.
 */
describe('the server’s refusals in the reader’s language', () => {
  const languages = { da: makeTranslate(da), en: makeTranslate(en) };
  const params = { seconds: 42 };

  it.each(Object.entries(languages))('words every reason and every code (%s)', (_lang, t) => {
    for (const reason of ErrorReason.options) {
      const text = wordError({ code: 'forbidden', reason, params, status: 403 }, t);
      expect(text, reason).not.toMatch(/[{}]/);
      expect(text, reason).not.toContain('error.reason');
      expect(text.length, reason).toBeGreaterThan(5);
    }
    for (const code of ErrorCode.options) {
      const text = wordError({ code, status: 400 }, t);
      expect(text, code).not.toMatch(/[{}]/);
      expect(text.length, code).toBeGreaterThan(5);
    }
  });

  it('says a sign-in refusal in Danish by default, with its number', () => {
    const t = languages.da;
    expect(wordError({ code: 'unauthorized', reason: 'sign-in.wrong-password', status: 401 }, t)).toBe(
      'Forkert brugernavn eller adgangskode.',
    );
    expect(wordError({ code: 'rate_limited', reason: 'sign-in.throttled', params, status: 429 }, t)).toContain('42');
  });

  it('words a reason this client does not know by its code, and an unknown code by the status', () => {
    const t = languages.da;
    expect(wordError({ code: 'forbidden', reason: 'newer.reason', status: 403 }, t)).toBe(da['error.code.forbidden']);
    expect(wordError({ code: 'teapot', status: 418 }, t)).toContain('418');
  });

  it('gives the access control’s refusals their codes', () => {
    expect(accessReason(OBJECTED)).toEqual({ reason: 'access.objected' });
    expect(accessReason('you are not on this patient’s care team')).toEqual({ reason: 'access.not-care-team' });
    expect(accessReason('something else')).toBeUndefined();
  });

  it('Danish and English differ for every reason (nothing left untranslated)', () => {
    for (const reason of ErrorReason.options)
      expect(da[`error.reason.${reason}`], reason).not.toBe(en[`error.reason.${reason}`]);
  });
});
