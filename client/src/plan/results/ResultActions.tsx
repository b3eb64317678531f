import { useState } from 'react';
import { acknowledgeResult, releaseResult } from '../../api-care.ts';
import { describeError } from '../../api.ts';
import { useI18n } from '../../i18n/index.tsx';
import { awaitsAcknowledgement, type ResultItem } from './model.ts';

type Busy = 'acknowledge' | 'release' | null;

/**
 * What a clinician does with a result: acknowledge a critical one, release one to the citizen
 * before its delay is over. The outcome (who acknowledged when, the release time) reaches every
 * open copy of the plan through the document; these buttons only ask the server.
 */
export function ResultActions({
  item,
  token,
  now,
  compact = false,
}: {
  item: ResultItem;
  token: string;
  now: number;
  compact?: boolean;
}) {
  const { t } = useI18n();
  const [busy, setBusy] = useState<Busy>(null);
  const [error, setError] = useState<string | null>(null);
  const canAcknowledge = awaitsAcknowledgement(item);
  // `now` re-renders the button as time passes; the clock is read here so that a release time
  // set a moment ago (by this very button) counts as past.
  const canRelease =
    !compact &&
    item.releaseAt !== '' &&
    Date.parse(item.releaseAt) > Math.max(now, Date.now()) &&
    item.kind !== 'notification';
  if (!canAcknowledge && !canRelease) return null;

  const run = async (what: Exclude<Busy, null>) => {
    setBusy(what);
    setError(null);
    try {
      if (what === 'acknowledge') await acknowledgeResult(token, item.id);
      else await releaseResult(token, item.id);
    } catch (err) {
      setError(describeError(err, t));
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="result-actions">
      {canAcknowledge && (
        <button
          type="button"
          className="button button--danger button--small"
          disabled={busy !== null}
          onClick={() => void run('acknowledge')}
          data-testid="acknowledge-result"
        >
          {busy === 'acknowledge' ? t('results.acknowledging') : t('results.acknowledge')}
          <span className="visually-hidden"> {item.code.display}</span>
        </button>
      )}
      {canRelease && (
        <button
          type="button"
          className="button button--quiet button--small"
          disabled={busy !== null}
          onClick={() => void run('release')}
          data-testid="release-result"
        >
          {busy === 'release' ? t('results.releasing') : t('results.releaseNow')}
        </button>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
