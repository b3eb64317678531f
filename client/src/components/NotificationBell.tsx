import { useEffect, useId, useRef, useState } from 'react';
import { formatCpr } from '../../../shared/cpr.ts';
import type { NotifiedPatient } from '../../../shared/notifications.ts';
import { useI18n } from '../i18n/index.tsx';
import { wordNotification, type Wording } from '../i18n/notification-words.ts';
import { useSessionSocket } from '../realtime/SessionSocket.tsx';
import { useNotifications, type NotificationItem } from '../realtime/useNotifications.ts';
import { routes } from '../router.ts';

function BellIcon() {
  return (
    <svg className="bell__icon" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false">
      <path
        d="M12 2a6 6 0 0 0-6 6v3.6L4.3 15.2A1 1 0 0 0 5.2 17h13.6a1 1 0 0 0 .9-1.8L18 11.6V8a6 6 0 0 0-6-6Zm0 20a3 3 0 0 0 2.8-2H9.2A3 3 0 0 0 12 22Z"
        fill="currentColor"
      />
    </svg>
  );
}

/**
 * The staff member's notifications (new results, critical results, admissions and discharges):
 * a bell in the header with the number unseen, a list with links to the plans, and "mark as
 * seen". Critical ones come first and stand out; a new one is announced to screen readers.
 */
export function NotificationBell({ token }: { token: string }) {
  const { t, lang, formatDateTime, formatNumber } = useI18n();
  // Worded when shown: switching the language rewords the list.
  const wording: Wording = { t, formatNumber, decimal: lang === 'da' ? ',' : '.' };
  const socket = useSessionSocket();
  const { items, error, latest, markSeen } = useNotifications(token, socket, t);
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const critical = items.filter((n) => n.severity === 'critical').length;

  // Escape closes the list and gives focus back to the bell; so does a click elsewhere.
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        setOpen(false);
        button.current?.focus();
      }
    };
    const onPointer = (e: PointerEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('pointerdown', onPointer);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('pointerdown', onPointer);
    };
  }, [open]);

  const label = items.length === 0 ? t('notifications.none') : t('notifications.unseen', { count: items.length });

  return (
    <div className="bell" ref={root}>
      <button
        ref={button}
        type="button"
        className={`bell__button${critical > 0 ? ' bell__button--critical' : ''}`}
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen(!open)}
        data-testid="notification-bell"
        data-count={items.length}
        data-critical={critical}
      >
        <BellIcon />
        <span className="visually-hidden">
          {t('notifications.title')}: {label}
        </span>
        {items.length > 0 && (
          <span className="bell__count" aria-hidden="true" data-testid="notification-count">
            {items.length}
          </span>
        )}
      </button>
      <p className="visually-hidden" aria-live={latest?.severity === 'critical' ? 'assertive' : 'polite'}>
        {latest
          ? t(latest.severity === 'critical' ? 'notifications.newCritical' : 'notifications.new', {
              text: withPatient(latest.patient, wordNotification(latest.content, wording)),
            })
          : ''}
      </p>
      <section
        id={panelId}
        className="bell__panel"
        hidden={!open}
        aria-label={t('notifications.title')}
        data-testid="notification-panel"
      >
        <div className="bell__head">
          <h2 className="bell__title">{t('notifications.title')}</h2>
          {items.length > 0 && (
            <button
              type="button"
              className="button button--quiet button--small"
              onClick={() => void markSeen(items.map((n) => n.key))}
              data-testid="notifications-seen-all"
            >
              {t('notifications.markAll')}
            </button>
          )}
        </div>
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        {items.length === 0 ? (
          <p className="muted">{t('notifications.empty')}</p>
        ) : (
          <ul className="bell__list">
            {items.map((n) => (
              <Item
                key={n.key}
                n={n}
                text={wordNotification(n.content, wording)}
                time={formatDateTime(n.created)}
                onOpen={() => setOpen(false)}
                onSeen={() => void markSeen([n.key])}
              />
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

/** For a screen reader's announcement: the patient first, then what it says. */
function withPatient(patient: NotifiedPatient | null, text: string): string {
  return patient ? `${patient.name}: ${text}` : text;
}

function Item({
  n,
  text,
  time,
  onOpen,
  onSeen,
}: {
  n: NotificationItem;
  text: string;
  time: string;
  onOpen: () => void;
  onSeen: () => void;
}) {
  const { t } = useI18n();
  return (
    <li
      className={`bell__item bell__item--${n.severity}`}
      data-testid="notification"
      data-severity={n.severity}
      data-plan-id={n.planId}
    >
      {n.patient && (
        <p className="bell__patient" data-testid="notification-patient">
          <strong>{n.patient.name}</strong> <span className="mono">{formatCpr(n.patient.cpr)}</span>
        </p>
      )}
      <p className="bell__text">
        {n.severity === 'critical' && <span className="bell__critical">{t('notifications.critical')}</span>}
        {text}
      </p>
      <p className="bell__meta">
        <time dateTime={n.created}>{time}</time>
      </p>
      <p className="bell__actions">
        <a href={routes.plan(n.planId)} onClick={onOpen} data-testid="notification-link">
          {t('notifications.openPlan')}
        </a>
        <button
          type="button"
          className="button button--quiet button--small"
          onClick={onSeen}
          data-testid="notification-seen"
        >
          {t('notifications.markSeen')}
        </button>
      </p>
    </li>
  );
}
