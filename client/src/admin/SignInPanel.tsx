import { useCallback } from 'react';
import { listOrganisations } from '../api-admin.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { useI18n } from '../i18n/index.tsx';
import { IdentityProvidersPanel } from './IdentityProvidersPanel.tsx';
import { SmartClientsPanel } from './SmartClientsPanel.tsx';
import { useAdminList } from './useAdminList.ts';

/** How people sign in: the organisations' identity providers, and the practice systems that launch CareHub. */
export function SignInPanel({ token }: { token: string }) {
  const { t } = useI18n();
  const fetchOrgs = useCallback((signal: AbortSignal) => listOrganisations(token, signal), [token]);
  const orgs = useAdminList(fetchOrgs);
  if (orgs.error) return <ErrorNotice message={orgs.error} />;
  if (!orgs.items) return <p role="status">{t('admin.loading')}</p>;
  return (
    <>
      <IdentityProvidersPanel token={token} organisations={orgs.items} />
      <SmartClientsPanel token={token} organisations={orgs.items} />
    </>
  );
}
