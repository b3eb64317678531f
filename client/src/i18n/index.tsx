import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { CARE_TIME_ZONE } from '../../../shared/calendar.ts';
import { da, type Dictionary, type MessageKey } from './da.ts';
import { en } from './en.ts';
import { makeTranslate, type Translate } from './translate.ts';

export type Language = 'da' | 'en';
export type { MessageKey, Translate };

export const LANGUAGES: readonly Language[] = ['da', 'en'];
export const DICTIONARIES: Readonly<Record<Language, Dictionary>> = { da, en };
/** BCP 47 locales used for dates and numbers in each language. */
const LOCALES: Readonly<Record<Language, string>> = { da: 'da-DK', en: 'en-GB' };
const STORAGE_KEY = 'carehub.language';

/**
 * The choice kept on this device (the signed-in person's own choice is kept on the server and
 * applied at sign-in), else Danish: the organisations work in Danish, so a browser set to
 * English does not turn the UI English (issue 17).
 */
function detectLanguage(useStorage = true): Language {
  try {
    const stored = useStorage ? localStorage.getItem(STORAGE_KEY) : null;
    if (stored === 'da' || stored === 'en') return stored;
  } catch {
    // storage may be unavailable (privacy mode, embedded frames); fall through
  }
  return 'da';
}

/** Where a person's own choice of language is kept (the server, when signed in); set by the app. */
let keepChoice: ((lang: Language) => void) | null = null;
export function setLanguageKeeper(keeper: ((lang: Language) => void) | null): void {
  keepChoice = keeper;
}

export interface I18n {
  lang: Language;
  /** The person chose a language: shown, and kept (on the device, and on the server when signed in). */
  setLang: (lang: Language) => void;
  /** A language chosen earlier (from the server at sign-in): shown, and kept on the device. */
  applyLang: (lang: Language) => void;
  t: Translate;
  /** A label for a dynamic key such as `role.gp`, or `fallback` when the key is unknown. */
  tDynamic: (key: string, fallback: MessageKey) => string;
  formatDateTime: (iso: string) => string;
  /** A calendar date (`YYYY-MM-DD`), shown in the locale without shifting it by time zone. */
  formatDate: (isoDate: string) => string;
  formatNumber: (value: number) => string;
}

const I18nContext = createContext<I18n | null>(null);

/** `persist={false}` (the embed page): the choice is neither read from nor kept in web storage. */
export function I18nProvider({ children, persist = true }: { children: ReactNode; persist?: boolean }) {
  const [lang, setLangState] = useState<Language>(() => detectLanguage(persist));

  const applyLang = useCallback(
    (next: Language) => {
      setLangState(next);
      if (!persist) return;
      try {
        localStorage.setItem(STORAGE_KEY, next);
      } catch {
        // not persisted; the choice still holds for this page
      }
    },
    [persist],
  );
  const setLang = useCallback(
    (next: Language) => {
      applyLang(next);
      if (persist) keepChoice?.(next);
    },
    [applyLang, persist],
  );

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = DICTIONARIES[lang]['app.name'];
  }, [lang]);

  const value = useMemo<I18n>(() => {
    const dict = DICTIONARIES[lang];
    // Times as they read in Denmark (issue 16), whatever the tablet's own zone; dates are calendar dates.
    const dateTime = new Intl.DateTimeFormat(LOCALES[lang], {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone: CARE_TIME_ZONE,
    });
    const dateOnly = new Intl.DateTimeFormat(LOCALES[lang], { dateStyle: 'medium', timeZone: 'UTC' });
    const number = new Intl.NumberFormat(LOCALES[lang], { maximumFractionDigits: 2 });
    const t = makeTranslate(dict);
    return {
      lang,
      setLang,
      applyLang,
      t,
      tDynamic: (key, fallback) => (key in dict ? dict[key as MessageKey] : dict[fallback]),
      formatDateTime: (iso) => {
        const date = new Date(iso);
        return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
      },
      formatDate: (isoDate) => {
        const date = /^\d{4}-\d{2}-\d{2}$/.test(isoDate) ? new Date(`${isoDate}T00:00:00Z`) : new Date(Number.NaN);
        return Number.isNaN(date.getTime()) ? isoDate : dateOnly.format(date);
      },
      formatNumber: (value) => number.format(value),
    };
  }, [lang, setLang, applyLang]);

  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}
