import { useId, useState, type FormEvent } from 'react';
import { describeError } from '../../api.ts';
import type { MessageKey } from '../../i18n/da.ts';
import { useI18n } from '../../i18n/index.tsx';
import { CATEGORIES, type Recipient, sendCareCommunication } from './correspondence-api.ts';

/**
 * A new MedCom CareCommunication to another organisation on the care team: the recipient (only
 * one with a SOR code and an EAN number can be chosen), MedCom's category, a topic, the text and
 * the writer's telephone number. It leaves through the outbox like a reply.
 */
export function NewMessageForm({
  token,
  planId,
  recipients,
  onSent,
}: {
  token: string;
  planId: string;
  recipients: Recipient[];
  onSent: () => void;
}) {
  const { t } = useI18n();
  const ids = { to: useId(), category: useId(), topic: useId(), text: useId(), phone: useId() };
  const addressable = recipients.filter((r) => r.careCommunication);
  const [open, setOpen] = useState(false);
  const [to, setTo] = useState('');
  const [category, setCategory] = useState<string>('other');
  const [topic, setTopic] = useState('');
  const [text, setText] = useState('');
  const [phone, setPhone] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  if (!open)
    return (
      <>
        <button
          type="button"
          className="button"
          onClick={() => {
            setOpen(true);
            setDone(null);
          }}
          data-testid="correspondence-new"
        >
          {t('correspondence.new')}
        </button>
        {done && (
          <p role="status" data-testid="correspondence-new-done">
            {done}
          </p>
        )}
      </>
    );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const organisationId = to || addressable[0]?.id;
    if (!organisationId) return setError(t('correspondence.noRecipient'));
    setBusy(true);
    setError(null);
    try {
      await sendCareCommunication(
        token,
        planId,
        { organisationId, category, ...(topic.trim() ? { topic: topic.trim() } : {}) },
        text.trim(),
        phone.trim(),
      );
      const name = addressable.find((r) => r.id === organisationId)?.name ?? '';
      setText('');
      setTopic('');
      setOpen(false);
      setDone(t('correspondence.newSent', { name }));
      onSent();
    } catch (err) {
      setError(describeError(err, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="correspondence-reply card" onSubmit={(e) => void submit(e)} data-testid="correspondence-new-form">
      <h3>{t('correspondence.newTitle')}</h3>
      {addressable.length === 0 ? (
        <p className="muted">{t('correspondence.noRecipient')}</p>
      ) : (
        <>
          <label htmlFor={ids.to}>{t('correspondence.to')}</label>
          <select
            id={ids.to}
            value={to || addressable[0]?.id}
            onChange={(e) => setTo(e.target.value)}
            data-testid="correspondence-new-to"
          >
            {recipients.map((r) => (
              <option key={r.id} value={r.id} disabled={!r.careCommunication}>
                {r.careCommunication ? r.name : t('correspondence.noCodes', { name: r.name })}
              </option>
            ))}
          </select>
          <label htmlFor={ids.category}>{t('correspondence.category')}</label>
          <select
            id={ids.category}
            value={category}
            onChange={(e) => setCategory(e.target.value)}
            data-testid="correspondence-new-category"
          >
            {CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {t(`correspondence.category.${c}` as MessageKey)}
              </option>
            ))}
          </select>
          <label htmlFor={ids.topic}>{t('correspondence.topic')}</label>
          <input
            id={ids.topic}
            value={topic}
            onChange={(e) => setTopic(e.target.value)}
            maxLength={60}
            data-testid="correspondence-new-topic"
          />
          <label htmlFor={ids.text}>{t('correspondence.text')}</label>
          <textarea
            id={ids.text}
            value={text}
            onChange={(e) => setText(e.target.value)}
            required
            maxLength={20_000}
            data-testid="correspondence-new-text"
          />
          <label htmlFor={ids.phone}>{t('correspondence.phone')}</label>
          <input
            id={ids.phone}
            value={phone}
            onChange={(e) => setPhone(e.target.value)}
            inputMode="tel"
            required
            data-testid="correspondence-new-phone"
          />
          <button
            type="submit"
            className="button button--primary"
            disabled={busy}
            data-testid="correspondence-new-send"
          >
            {t('correspondence.sendNew')}
          </button>
        </>
      )}
      <button type="button" className="button button--quiet" onClick={() => setOpen(false)}>
        {t('correspondence.cancel')}
      </button>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
