import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { z } from 'zod';
import { call, describeError, isAbort } from '../../api.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { useI18n } from '../../i18n/index.tsx';

const Segment = z.object({
  text: z.string().nullable(),
  attachment: z
    .object({ index: z.number(), title: z.string(), url: z.string().nullable(), stored: z.boolean() })
    .nullable(),
  writtenAt: z.string().nullable(),
  author: z.string().nullable(),
  role: z.string().nullable(),
});
const Message = z.object({
  id: z.string(),
  direction: z.enum(['in', 'out']),
  sentAt: z.string(),
  sender: z.object({ sor: z.string(), name: z.string().nullable() }),
  segments: z.array(Segment),
  state: z.enum(['sent', 'received', 'refused']).nullable(),
  refusal: z.string().nullable(),
});
const Thread = z.object({
  communicationId: z.string(),
  topic: z.string().nullable(),
  category: z.string(),
  priority: z.string().nullable(),
  messages: z.array(Message),
});
type Thread = z.infer<typeof Thread>;
type Message = z.infer<typeof Message>;

/**
 * The plan's MedCom correspondence (CareCommunication) with the other sectors: each thread's
 * messages, their attachments, and for CareHub's own messages whether the receiver got them
 * ("sendt", "modtaget", "afvist: …"); a reply goes out from here.
 */
export function CorrespondencePanel({ token, planId }: { token: string; planId: string }) {
  const { t } = useI18n();
  const [threads, setThreads] = useState<Thread[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(
    (signal?: AbortSignal) =>
      call(`/correspondence/${encodeURIComponent(planId)}`, z.array(Thread), { token, signal })
        .then(setThreads)
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

  if (threads && threads.length === 0) return null;
  return (
    <section className="plan-section card" aria-labelledby="correspondence-title" data-testid="correspondence">
      <h2 id="correspondence-title">{t('correspondence.title')}</h2>
      {error && <ErrorNotice message={error} />}
      {!threads && !error && <p role="status">{t('correspondence.loading')}</p>}
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
          <ReplyForm token={token} planId={planId} replyTo={thread.messages.at(-1)!.id} onSent={() => void load()} />
        </article>
      ))}
    </section>
  );
}

function MessageHead({ m }: { m: Message }) {
  const { t, formatDateTime } = useI18n();
  const state =
    m.state === 'received'
      ? t('correspondence.received')
      : m.state === 'refused'
        ? t('correspondence.refused', { reason: m.refusal ?? '' })
        : m.state === 'sent'
          ? t('correspondence.sent')
          : null;
  return (
    <p className="correspondence-message__head">
      <strong>{m.sender.name ?? `SOR ${m.sender.sor}`}</strong> ·{' '}
      <time dateTime={m.sentAt}>{formatDateTime(m.sentAt)}</time>
      {state && (
        <span className={`correspondence-state correspondence-state--${m.state}`} data-testid="correspondence-state">
          {' '}
          · {state}
        </span>
      )}
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
      await call(`/correspondence/${encodeURIComponent(planId)}`, z.object({ id: z.string() }), {
        method: 'POST',
        token,
        body: { replyTo, text: text.trim(), phone: phone.trim() },
      });
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
