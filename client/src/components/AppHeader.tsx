import { isStaff } from '../../../shared/roles.ts';
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { routes, type Route } from '../router.ts';
import type { Session } from '../session.ts';
import { LanguageSwitcher } from './LanguageSwitcher.tsx';
import { NotificationBell } from './NotificationBell.tsx';

interface Props {
  session: Session | null;
  route: Route;
  onSignOut: () => void;
}

interface NavLink {
  href: string;
  label: MessageKey;
  current: boolean;
  testId: string;
}

function navFor(session: Session, route: Route): NavLink[] {
  const role = session.user.role;
  if (role === 'admin') {
    // The administration's pages are tabs of one page.
    return [{ href: routes.admin('audit'), label: 'admin.title', current: true, testId: 'nav-admin' }];
  }
  if (role === 'citizen') {
    return [
      {
        href: routes.patients,
        label: 'nav.ownPlans',
        current: route.name === 'patients' || route.name === 'overview' || route.name === 'plan',
        testId: 'nav-plans',
      },
      { href: routes.accessLog, label: 'nav.accessLog', current: route.name === 'accessLog', testId: 'nav-access-log' },
    ];
  }
  const links: NavLink[] = [
    { href: routes.overview, label: 'nav.overview', current: route.name === 'overview', testId: 'nav-overview' },
    { href: routes.patients, label: 'nav.patients', current: route.name === 'patients', testId: 'nav-patients' },
  ];
  // Home visits are the municipality's (GET /visits/today answers 403 for other sectors).
  if (session.user.organisation?.sector === 'municipality') {
    links.unshift({
      href: routes.visits,
      label: 'nav.visits',
      current: route.name === 'visits' || route.name === 'visit',
      testId: 'nav-visits',
    });
  }
  // MedCom messages about patients with no plan here yet wait in the organisation's inbox.
  if (session.user.organisation)
    links.push({ href: routes.inbox, label: 'nav.inbox', current: route.name === 'inbox', testId: 'nav-inbox' });
  return links;
}

export function AppHeader({ session, route, onSignOut }: Props) {
  const { t } = useI18n();
  return (
    <header className="app-header">
      <div className="app-header__brand">
        <span className="app-header__logo" aria-hidden="true">
          ✚
        </span>
        <span className="app-header__name">{t('app.name')}</span>
        <span className="app-header__tagline">{t('app.tagline')}</span>
      </div>
      {session && (
        <nav className="app-header__nav" aria-label={t('app.mainNav')}>
          <ul>
            {navFor(session, route).map((link) => (
              <li key={link.href}>
                <a href={link.href} aria-current={link.current ? 'page' : undefined} data-testid={link.testId}>
                  {t(link.label)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      )}
      <div className="app-header__tools">
        {session && isStaff(session.user.role) && <NotificationBell token={session.token} />}
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
