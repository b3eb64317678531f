import type { ConnectionStatus } from '../collab/usePlanConnection.ts';
import { useI18n } from '../i18n/index.tsx';

/** What the person needs to know about their edits: are they with everyone, or waiting on this device? */
export type SyncState = 'online' | 'syncing' | 'offline' | 'connecting' | 'refused';

export interface SyncInfo {
  synced: boolean;
  pending: number;
  /** The plan is kept on this device and works without a network. */
  stored: boolean;
}

function syncStateOf(status: ConnectionStatus, sync: SyncInfo): SyncState {
  if (status === 'refused') return 'refused';
  if (status === 'offline') return 'offline';
  if (status === 'connecting') return sync.stored ? 'syncing' : 'connecting';
  return sync.synced && sync.pending === 0 ? 'online' : 'syncing';
}

/**
 * The connection, and with `sync` (the plan page) what it means for the person's edits:
 * online and everything confirmed by the server, syncing, or offline with N changes waiting.
 */
export function ConnectionBadge({ status, sync }: { status: ConnectionStatus; sync?: SyncInfo }) {
  const { t } = useI18n();
  if (!sync) {
    return (
      <p
        className={`connection connection--${status}`}
        role="status"
        data-testid="connection-status"
        data-status={status}
      >
        <span className="connection__dot" aria-hidden="true" />
        <span className="visually-hidden">{t('connection.label')}: </span>
        {t(`connection.${status}`)}
      </p>
    );
  }
  const state = syncStateOf(status, sync);
  const waiting = sync.pending === 1 ? t('sync.pendingOne') : t('sync.pending', { count: sync.pending });
  return (
    <div
      className={`connection connection--sync connection--${status} sync--${state}`}
      role="status"
      data-testid="connection-status"
      data-status={status}
      data-sync={state}
      data-pending={sync.pending}
    >
      <span className="connection__dot" aria-hidden="true" />
      <span className="sync__text">
        <span className="visually-hidden">{t('connection.label')}: </span>
        <strong data-testid="sync-state">{t(`sync.${state}`)}</strong>
        <span className="sync__detail" data-testid="sync-pending">
          {sync.pending > 0 ? waiting : state === 'online' ? t('sync.allSent') : ''}
        </span>
        {sync.stored && <span className="sync__detail">{t('sync.keptOnDevice')}</span>}
      </span>
    </div>
  );
}
