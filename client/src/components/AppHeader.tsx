import { useI18n } from '../i18n/index.tsx';
import { routes } from '../router.ts';
import type { Session } from '../session.ts';
import { LanguageSwitcher } from './LanguageSwitcher.tsx';

interface Props {
  session: Session | null;
  onSignOut: () => void;
}

export function AppHeader({ session, onSignOut }: Props) {
  const { t } = useI18n();
  return (
    <header className="app-header">
      <div className="app-header__brand">
        <span className="app-header__logo" aria-hidden="true">✚</span>
        <span className="app-header__name">{t('app.name')}</span>
        <span className="app-header__tagline">{t('app.tagline')}</span>
      </div>
      {session && (
        <nav className="app-header__nav" aria-label={t('app.mainNav')}>
          <a href={routes.patients}>{t(session.user.role === 'citizen' ? 'nav.ownPlans' : 'nav.patients')}</a>
        </nav>
      )}
      <div className="app-header__tools">
        {session && (
          <span className="app-header__user" data-testid="signed-in-user">
            {t('nav.signedInAs', { name: session.user.name })}
          </span>
        )}
        <LanguageSwitcher />
        {session && (
          <button type="button" className="button button--quiet" onClick={onSignOut} data-testid="sign-out">
            {t('nav.signOut')}
          </button>
        )}
      </div>
    </header>
  );
}
