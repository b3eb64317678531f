import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { ADMIN_TABS, routes, type AdminTab } from '../router.ts';
import type { Session } from '../session.ts';
import { AuditPanel } from './AuditPanel.tsx';
import { OrganisationsPanel } from './OrganisationsPanel.tsx';
import { SignInPanel } from './SignInPanel.tsx';
import { UsersPanel } from './UsersPanel.tsx';
import './admin.css';

const TAB_LABELS: Readonly<Record<AdminTab, MessageKey>> = {
  audit: 'nav.audit',
  users: 'nav.users',
  organisations: 'nav.organisations',
  'sign-in': 'nav.signIn',
};

/**
 * The administrator's pages: the audit log (ids only: administration is not care, so no
 * patient data), users, organisations, and sign-in (identity providers, practice systems).
 */
export function AdminView({ session, tab }: { session: Session; tab: AdminTab }) {
  const { t } = useI18n();
  return (
    <div className="admin" data-testid="admin-view" data-tab={tab}>
      <h1>{t('admin.title')}</h1>
      <nav aria-label={t('admin.tabs')} className="admin-tabs">
        <ul>
          {ADMIN_TABS.map((name) => (
            <li key={name}>
              <a href={routes.admin(name)} aria-current={name === tab ? 'page' : undefined} className="admin-tabs__tab">
                {t(TAB_LABELS[name])}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {tab === 'audit' && <AuditPanel token={session.token} />}
      {tab === 'users' && <UsersPanel token={session.token} />}
      {tab === 'organisations' && <OrganisationsPanel token={session.token} />}
      {tab === 'sign-in' && <SignInPanel token={session.token} />}
    </div>
  );
}
