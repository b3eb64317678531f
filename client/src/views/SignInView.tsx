import { useEffect, useState, type FormEvent } from 'react';
import type { AuthOptions } from '../../../shared/sign-in.ts';
import { describeError, login } from '../api.ts';
import { getAuthOptions, refusalOf, startSignIn } from '../api-sign-in.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import type { Session } from '../session.ts';

interface Props {
  notice: MessageKey | null;
  onSignedIn: (session: Session) => void;
}

type Provider = AuthOptions['providers'][number];

/**
 * The sign-in page: the organisations' identity providers ("Log ind med Region Hovedstaden"),
 * the citizens' login, and the password form unless the hub has passwords switched off. What
 * to show comes from the public `GET /auth/options`; without an answer (offline) the password
 * form is shown, as before.
 */
export function SignInView({ notice, onSignedIn }: Props) {
  const { t } = useI18n();
  const [options, setOptions] = useState<AuthOptions | null>(null);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [redirecting, setRedirecting] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    getAuthOptions(controller.signal)
      .then(setOptions)
      .catch(() => {
        if (!controller.signal.aborted) setOptions({ passwordLogin: true, providers: [] });
      });
    return () => controller.abort();
  }, []);

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

  const signInWith = async (provider: Provider) => {
    setError(null);
    setRedirecting(provider.name);
    try {
      window.location.assign(await startSignIn(provider.id));
    } catch (err) {
      const reason = refusalOf(err);
      setError(reason ? t(`refusal.${reason}`) : describeError(err, t));
      setRedirecting(null);
    }
  };

  const staff = options?.providers.filter((p) => p.kind === 'staff') ?? [];
  const citizens = options?.providers.filter((p) => p.kind === 'citizen') ?? [];
  const providerButton = (p: Provider) => (
    <li key={p.id}>
      <button
        type="button"
        className="button button--primary sign-in__provider"
        disabled={redirecting !== null}
        onClick={() => void signInWith(p)}
        data-testid="sign-in-provider"
        data-provider-id={p.id}
      >
        {t('signIn.with', { name: p.name })}
      </button>
    </li>
  );

  return (
    <section
      className="card sign-in"
      aria-labelledby="sign-in-title"
      data-testid="sign-in"
      data-loaded={options !== null}
    >
      <h1 id="sign-in-title">{t('signIn.title')}</h1>
      {notice && (
        <p className="notice notice--info" role="status">
          {t(notice)}
        </p>
      )}
      {staff.length > 0 && (
        <nav aria-label={t('signIn.providers')}>
          <ul className="sign-in__providers">{staff.map(providerButton)}</ul>
        </nav>
      )}
      {citizens.length > 0 && (
        <nav aria-label={t('signIn.citizens')}>
          <p className="sign-in__label">{t('signIn.citizens')}</p>
          <ul className="sign-in__providers">{citizens.map(providerButton)}</ul>
        </nav>
      )}
      {redirecting && <p role="status">{t('signIn.redirecting', { name: redirecting })}</p>}
      {options && !options.passwordLogin && (
        <p className="muted" data-testid="sign-in-password-off">
          {t('signIn.passwordOff')}
        </p>
      )}
      {options?.passwordLogin && (
        <>
          <p className="muted">{options.providers.length > 0 ? t('signIn.orPassword') : t('signIn.intro')}</p>
          <form onSubmit={submit} className="form" noValidate={false} data-testid="sign-in-password-form">
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
            <button type="submit" className="button button--primary" disabled={busy} data-testid="sign-in-submit">
              {busy ? t('signIn.submitting') : t('signIn.submit')}
            </button>
          </form>
        </>
      )}
      {error && <ErrorNotice message={error} testId="sign-in-error" />}
    </section>
  );
}
