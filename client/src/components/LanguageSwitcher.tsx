import { useId } from 'react';
import { LANGUAGES, useI18n, type Language } from '../i18n/index.tsx';

export function LanguageSwitcher() {
  const { lang, setLang, t } = useI18n();
  const id = useId();
  return (
    <div className="language-switcher">
      <label htmlFor={id}>{t('language.label')}</label>
      <select id={id} value={lang} onChange={(e) => setLang(e.target.value as Language)} data-testid="language">
        {LANGUAGES.map((code) => (
          <option key={code} value={code} lang={code}>
            {t(code === 'da' ? 'language.da' : 'language.en')}
          </option>
        ))}
      </select>
    </div>
  );
}
