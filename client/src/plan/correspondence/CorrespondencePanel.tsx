import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { describeError, isAbort } from '../../api.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { useSessionSocket } from '../../realtime/SessionSocket.tsx';
import { type Correspondence, loadCorrespondence, type Message, sendCareCommunication } from './correspondence-api.ts';
import { HomeCareReportList } from './HomeCareReportList.tsx';
import { NewMessageForm } from './NewMessageForm.tsx';
import { SendToGpForm } from './SendToGpForm.tsx';
import { StateLabel } from './StateLabel.tsx';

/**
 * The plan's MedCom correspondence with the other sectors, live: each CareCommunication
 * thread's messages and attachments, the measurements sent to the GP (HomeCareObservation), and
 * for CareHub's own messages whether the receiver got them ("sendt", "modtaget", "afvist: …"),
 * fetched again whenever the server says the correspondence changed (`correspondence:changed`:
 * a reply or an Acknowledgement arrived, a colleague sent something). Replies, new messages to
 * an organisation on the care team and "Send til egen læge" go out from here.
 */
export function CorrespondencePanel({ token, planId }: { token: string; planId: string }) {
  const { t } = useI18n();
  const socket = useSessionSocket();
  const [data, setData] = useState<Correspondence | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(
    (signal?: AbortSignal) =>
      loadCorrespondence(token, planId, signal)
        .then((next) => {
          setData(next);
          setError(null);
        })
        .catch((err: unknown) => {
          if (!isAbort(err)) setError(describeError(err, t));
        }),
    [planId, token, t],
  );
  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    return () => controller.abort();
  }, [load]);
  useEffect(() => {
    if (!socket) return;
    const changed = (msg: { planId: string }) => {
      if (msg.planId === planId) void load();
    };
    // Whatever changed while the socket was away is fetched once it is back.
    const reconnected = () => void load();
    socket.on('correspondence:changed', changed);
    socket.io.on('reconnect', reconnected);
    return () => {
      socket.off('correspondence:changed', changed);
      socket.io.off('reconnect', reconnected);
    };
  }, [socket, planId, load]);
  const threads = data?.threads ?? null;

  const download = async (m: Message, index: number, title: string) => {
    const res = await fetch(
      `/api/v1/correspondence/${encodeURIComponent(planId)}/messages/${m.id}/attachments/${index}`,
      {
        headers: { authorization: `Bearer ${token}` },
      },
    );
    if (!res.ok) return setError(t('correspondence.attachmentFailed'));
    const url = URL.createObjectURL(await res.blob());
    const a = document.createElement('a');
    a.href = url;
    a.download = title;
    a.click();
    URL.revokeObjectURL(url);
  };

  const refresh = () => void load();
  return (
    <section className="plan-section card" aria-labelledby="correspondence-title" data-testid="correspondence">
      <h2 id="correspondence-title">{t('correspondence.title')}</h2>
      {error && <ErrorNotice message={error} />}
      {!data && !error && <p role="status">{t('correspondence.loading')}</p>}
      {threads && threads.length === 0 && data?.reports.length === 0 && (
        <p className="muted" data-testid="correspondence-empty">
          {t('correspondence.empty')}
        </p>
      )}
      {threads?.map((thread) => (
        <article key={thread.communicationId} className="correspondence-thread" data-testid="correspondence-thread">
          <h3>{thread.topic ?? thread.category}</h3>
          <ol className="correspondence-thread__messages">
            {thread.messages.map((m) => (
              <li key={m.id} data-testid="correspondence-message" data-direction={m.direction}>
                <MessageHead m={m} />
                {m.segments.map((s, i) => (
                  <div key={`${m.id}-${i}`} className="correspondence-segment">
                    {s.author && (
                      <p className="muted">
                        {s.author}
                        {s.role ? `, ${s.role}` : ''}
                      </p>
                    )}
                    {s.text && <p className="correspondence-segment__text">{s.text}</p>}
                    {s.attachment?.stored && (
                      <button
                        type="button"
                        className="button button--quiet button--small"
                        onClick={() => void download(m, s.attachment!.index, s.attachment!.title)}
                      >
                        {t('correspondence.attachment', { title: s.attachment.title })}
                      </button>
                    )}
                    {s.attachment?.url && (
                      <a href={s.attachment.url} rel="noopener noreferrer" target="_blank">
                        {s.attachment.title}
                      </a>
                    )}
                  </div>
                ))}
              </li>
            ))}
          </ol>
          <ReplyForm token={token} planId={planId} replyTo={thread.messages.at(-1)!.id} onSent={refresh} />
        </article>
      ))}
      {data && data.reports.length > 0 && <HomeCareReportList reports={data.reports} />}
      {data && data.recipients.length > 0 && (
        <div className="correspondence-actions">
          <NewMessageForm token={token} planId={planId} recipients={data.recipients} onSent={refresh} />
          <SendToGpForm token={token} planId={planId} recipients={data.recipients} onSent={refresh} />
        </div>
      )}
    </section>
  );
}

function MessageHead({ m }: { m: Message }) {
  const { formatDateTime } = useI18n();
  return (
    <p className="correspondence-message__head">
      <strong>{m.sender.name ?? `SOR ${m.sender.sor}`}</strong> ·{' '}
      <time dateTime={m.sentAt}>{formatDateTime(m.sentAt)}</time>
      <StateLabel m={m} />
    </p>
  );
}

function ReplyForm({
  token,
  planId,
  replyTo,
  onSent,
}: {
  token: string;
  planId: string;
  replyTo: string;
  onSent: () => void;
}) {
  const { t } = useI18n();
  const ids = { text: useId(), phone: useId() };
  const [text, setText] = useState('');
  const [phone, setPhone] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await sendCareCommunication(token, planId, { replyTo }, text.trim(), phone.trim());
      setText('');
      onSent();
    } catch (err) {
      setError(describeError(err, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="correspondence-reply" onSubmit={(e) => void submit(e)} data-testid="correspondence-reply">
      <label htmlFor={ids.text}>{t('correspondence.reply')}</label>
      <textarea
        id={ids.text}
        value={text}
        onChange={(e) => setText(e.target.value)}
        required
        maxLength={20_000}
        data-testid="correspondence-reply-text"
      />
      <label htmlFor={ids.phone}>{t('correspondence.phone')}</label>
      <input
        id={ids.phone}
        value={phone}
        onChange={(e) => setPhone(e.target.value)}
        inputMode="tel"
        required
        data-testid="correspondence-reply-phone"
      />
      <button type="submit" className="button button--primary" disabled={busy} data-testid="correspondence-reply-send">
        {t('correspondence.send')}
      </button>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
