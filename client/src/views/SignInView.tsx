import { useState, type FormEvent } from 'react';
import { describeError, login } from '../api.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import type { Session } from '../session.ts';

interface Props {
  notice: MessageKey | null;
  onSignedIn: (session: Session) => void;
}

export function SignInView({ notice, onSignedIn }: Props) {
  const { t } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await login({ username: username.trim(), password }));
    } catch (err) {
      setError(describeError(err, t));
      setBusy(false);
    }
  };

  return (
    <section className="card sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">{t('signIn.title')}</h1>
      <p className="muted">{t('signIn.intro')}</p>
      {notice && <p className="notice notice--info" role="status">{t(notice)}</p>}
      <form onSubmit={submit} className="form" noValidate={false}>
        <div className="field">
          <label htmlFor="sign-in-username">{t('signIn.username')}</label>
          <input
            id="sign-in-username"
            name="username"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            required
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            data-testid="sign-in-username"
          />
        </div>
        <div className="field">
          <label htmlFor="sign-in-password">{t('signIn.password')}</label>
          <input
            id="sign-in-password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            data-testid="sign-in-password"
          />
        </div>
        {error && <ErrorNotice message={error} testId="sign-in-error" />}
        <button type="submit" className="button button--primary" disabled={busy} data-testid="sign-in-submit">
          {busy ? t('signIn.submitting') : t('signIn.submit')}
        </button>
      </form>
    </section>
  );
}
