import { useEffect, useRef, useState } from 'react';
import type { SignInRefusal } from '../../../shared/sign-in.ts';
import { describeError } from '../api.ts';
import { finishSignIn, refusalFrom, refusalOf } from '../api-sign-in.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { SignInRefusalNotice } from '../components/SignInRefusalNotice.tsx';
import { useI18n } from '../i18n/index.tsx';
import { routes } from '../router.ts';
import type { Session } from '../session.ts';

/** Leaves the one-time code out of the tab's history (the link back to sign-in still changes the address). */
function forgetCode(): void {
  try {
    window.history.replaceState(window.history.state, '', `${window.location.pathname}#/signed-in`);
  } catch {
    // an address that cannot be rewritten keeps its code; the code is single-use and short-lived
  }
}

const again = (label: string) => (
  <p>
    <a href={routes.signIn} className="link-target" data-testid="sign-in-again">
      {label}
    </a>
  </p>
);

/**
 * `#/signed-in/<code>`: back from the identity provider. The one-time code is exchanged by POST
 * (with this tab's binding value) for the session; the code never reached a server in an address.
 */
export function SignedInView({ code, onSignedIn }: { code: string; onSignedIn: (session: Session) => void }) {
  const { t } = useI18n();
  const [refusal, setRefusal] = useState<SignInRefusal | null>(null);
  const [error, setError] = useState<string | null>(null);
  const exchange = useRef<Promise<Session> | null>(null);

  useEffect(() => {
    forgetCode();
    let live = true;
    exchange.current ??= finishSignIn(code);
    exchange.current.then(
      (session) => live && onSignedIn(session),
      (err: unknown) => {
        if (!live) return;
        const reason = refusalOf(err);
        if (reason) setRefusal(reason);
        else setError(describeError(err, t));
      },
    );
    return () => {
      live = false;
    };
    // Once per code; a change of language or handler needs no second exchange.
  }, [code]);

  return (
    <section className="card sign-in" aria-labelledby="sign-in-title" data-testid="signed-in">
      <h1 id="sign-in-title">{t('signIn.title')}</h1>
      {!refusal && !error && <p role="status">{t('signIn.finishing')}</p>}
      {refusal && <SignInRefusalNotice reason={refusal} title="signIn.refusedTitle" next={again(t('signIn.again'))} />}
      {error && (
        <>
          <ErrorNotice message={error} />
          {again(t('signIn.again'))}
        </>
      )}
    </section>
  );
}

/** `#/sign-in-refused/<reason>`: the provider's round trip ended without a session; why, in words. */
export function SignInRefusedView({ reason }: { reason: string }) {
  const { t } = useI18n();
  const [known] = useState(() => refusalFrom(reason));
  return (
    <section className="card sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">{t('signIn.title')}</h1>
      <SignInRefusalNotice reason={known} title="signIn.refusedTitle" next={again(t('signIn.again'))} />
    </section>
  );
}
