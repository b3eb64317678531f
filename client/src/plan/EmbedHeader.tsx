import type { PlanStatus, PlanView as PlanHeader } from '../../../shared/api.ts';
import type { ConnectionStatus } from '../collab/usePlanConnection.ts';
import type { PresentPeer } from '../collab/usePresence.ts';
import { ConnectionBadge } from '../components/ConnectionBadge.tsx';
import { LanguageSwitcher } from '../components/LanguageSwitcher.tsx';
import { PlanStatusBadge } from '../components/PlanStatusBadge.tsx';
import { useI18n } from '../i18n/index.tsx';
import './embed-header.css';

const initials = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]?.toUpperCase() ?? '')
    .join('');

interface Props {
  plan: PlanHeader;
  status: PlanStatus;
  connection: ConnectionStatus;
  peers: readonly PresentPeer[];
  readOnly: boolean;
}

/** The embed page's only chrome, for a narrow frame: the patient, who is here, the connection. */
export function EmbedHeader({ plan, status, connection, peers, readOnly }: Props) {
  const { t, tDynamic } = useI18n();
  return (
    <header className="embed-header" data-testid="embed-header">
      <div className="embed-header__who">
        <p className="embed-header__brand">
          <span aria-hidden="true">✚ </span>
          {t('app.name')} · {t('plan.heading')}
        </p>
        <h1 className="embed-header__patient" data-testid="plan-patient">
          {plan.patientName}
        </h1>
        <p className="embed-header__facts">
          <PlanStatusBadge status={status} />
          {readOnly && (
            <span className="badge badge--readonly" data-testid="embed-read-only">
              {t('embed.readOnlyBadge')}
            </span>
          )}
        </p>
      </div>
      <div className="embed-header__live">
        <ConnectionBadge status={connection} />
        <div className="embed-presence">
          <h2 className="visually-hidden">{t('presence.title')}</h2>
          {peers.length === 0 ? (
            <p className="muted embed-presence__alone" data-testid="presence-empty">
              {t('presence.alone')}
            </p>
          ) : (
            <ul className="embed-presence__list" data-testid="presence-list" aria-live="polite">
              {peers.map(({ user }) => {
                const role = tDynamic(`role.${user.role}`, 'role.unknown');
                const label = `${user.name}, ${role}${user.organisation ? `, ${user.organisation}` : ''}`;
                return (
                  <li
                    key={user.id}
                    className="embed-presence__person"
                    data-testid="presence-person"
                    data-user-id={user.id}
                    title={label}
                  >
                    <span className="embed-presence__bubble" aria-hidden="true" style={{ backgroundColor: user.color }}>
                      {initials(user.name)}
                    </span>
                    <span className="visually-hidden">{label}</span>
                  </li>
                );
              })}
            </ul>
          )}
        </div>
        <LanguageSwitcher />
      </div>
    </header>
  );
}
