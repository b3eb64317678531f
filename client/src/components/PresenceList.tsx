import type { PresentPeer } from '../collab/usePresence.ts';
import { useI18n } from '../i18n/index.tsx';

/** Who else has the plan open now, live from the provider's awareness. */
export function PresenceList({ peers }: { peers: readonly PresentPeer[] }) {
  const { t, tDynamic } = useI18n();
  return (
    <section className="presence card" aria-labelledby="presence-title">
      <h2 id="presence-title">{t('presence.title')}</h2>
      {peers.length === 0 ? (
        <p className="muted" data-testid="presence-empty">
          {t('presence.alone')}
        </p>
      ) : (
        <ul className="presence__list" data-testid="presence-list" aria-live="polite">
          {peers.map(({ user }) => (
            <li key={user.id} className="presence__person" data-testid="presence-person" data-user-id={user.id}>
              <span className="presence__swatch" aria-hidden="true" style={{ backgroundColor: user.color }} />
              <span>
                <span className="presence__name">{user.name}</span>
                <span className="presence__detail">
                  {tDynamic(`role.${user.role}`, 'role.unknown')}
                  {user.organisation ? ` · ${user.organisation}` : ''}
                </span>
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
