import { useId, useRef, useState, type FormEvent } from 'react';
import { createEmbedLink, revokeEmbedLink, type EmbedLink } from '../api-care.ts';
import { describeError } from '../api.ts';
import { useI18n, type MessageKey } from '../i18n/index.tsx';

const EXPIRY: ReadonlyArray<{ minutes: number; label: MessageKey }> = [
  { minutes: 60, label: 'embedLink.expiry.hour' },
  { minutes: 8 * 60, label: 'embedLink.expiry.workday' },
  { minutes: 24 * 60, label: 'embedLink.expiry.day' },
  { minutes: 7 * 24 * 60, label: 'embedLink.expiry.week' },
  { minutes: 30 * 24 * 60, label: 'embedLink.expiry.month' },
];

type Copy = 'idle' | 'copied' | 'manual';

/**
 * Creates a link that opens this one plan inside the GP's practice system (an iframe there).
 * Shows the link just made to copy, and can revoke it; nothing else is listed.
 */
export function EmbedLinkPanel({ token, planId }: { token: string; planId: string }) {
  const { t, formatDateTime } = useI18n();
  const accessId = useId();
  const expiryId = useId();
  const urlId = useId();
  const [access, setAccess] = useState<'edit' | 'read'>('edit');
  const [minutes, setMinutes] = useState(24 * 60);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [link, setLink] = useState<(EmbedLink & { access: 'edit' | 'read' }) | null>(null);
  const [revoked, setRevoked] = useState(false);
  const [copy, setCopy] = useState<Copy>('idle');
  const urlInput = useRef<HTMLInputElement>(null);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const made = await createEmbedLink(token, planId, access, minutes);
      setLink({ ...made, access });
      setRevoked(false);
      setCopy('idle');
    } catch (err) {
      setError(describeError(err, t));
    } finally {
      setBusy(false);
    }
  };

  const revoke = async () => {
    if (!link) return;
    setBusy(true);
    setError(null);
    try {
      await revokeEmbedLink(token, link.id);
      setRevoked(true);
    } catch (err) {
      setError(describeError(err, t));
    } finally {
      setBusy(false);
    }
  };

  const copyUrl = async () => {
    if (!link) return;
    try {
      await navigator.clipboard.writeText(link.url);
      setCopy('copied');
    } catch {
      // No clipboard (a plain-http address): select the text for the person to copy.
      urlInput.current?.select();
      setCopy('manual');
    }
  };

  return (
    <details className="card embed-link" data-testid="embed-link-panel">
      <summary className="embed-link__summary">{t('embedLink.title')}</summary>
      <p className="hint">{t('embedLink.hint')}</p>
      <form className="embed-link__form" onSubmit={(e) => void create(e)}>
        <div className="field">
          <label htmlFor={accessId}>{t('embedLink.access')}</label>
          <select
            id={accessId}
            value={access}
            onChange={(e) => setAccess(e.target.value === 'read' ? 'read' : 'edit')}
            data-testid="embed-link-access"
          >
            <option value="edit">{t('embedLink.access.edit')}</option>
            <option value="read">{t('embedLink.access.read')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={expiryId}>{t('embedLink.expiry')}</label>
          <select
            id={expiryId}
            value={minutes}
            onChange={(e) => setMinutes(Number(e.target.value))}
            data-testid="embed-link-expiry"
          >
            {EXPIRY.map((o) => (
              <option key={o.minutes} value={o.minutes}>
                {t(o.label)}
              </option>
            ))}
          </select>
        </div>
        <button
          type="submit"
          className="button button--primary button--small"
          disabled={busy}
          data-testid="embed-link-create"
        >
          {t('embedLink.create')}
        </button>
      </form>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {link && (
        <div className="embed-link__result" data-testid="embed-link-result" data-link-id={link.id}>
          <label htmlFor={urlId}>{t(link.access === 'read' ? 'embedLink.urlRead' : 'embedLink.urlEdit')}</label>
          <input
            id={urlId}
            ref={urlInput}
            readOnly
            value={link.url}
            onFocus={(e) => e.currentTarget.select()}
            data-testid="embed-link-url"
            className="mono"
          />
          <p className="hint">{t('embedLink.expires', { time: formatDateTime(link.expiresAt) })}</p>
          <div className="embed-link__actions">
            <button type="button" className="button button--small" onClick={() => void copyUrl()} disabled={revoked}>
              {t('embedLink.copy')}
            </button>
            <button
              type="button"
              className="button button--quiet button--small"
              onClick={() => void revoke()}
              disabled={busy || revoked}
              data-testid="embed-link-revoke"
            >
              {t('embedLink.revoke')}
            </button>
          </div>
          <p className="hint" role="status">
            {revoked
              ? t('embedLink.revoked')
              : copy === 'copied'
                ? t('embedLink.copied')
                : copy === 'manual'
                  ? t('embedLink.copyManual')
                  : ''}
          </p>
        </div>
      )}
    </details>
  );
}
