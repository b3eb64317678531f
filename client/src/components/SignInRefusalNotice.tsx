import type { SignInRefusal } from '../../../shared/sign-in.ts';
import { useI18n, type MessageKey } from '../i18n/index.tsx';

/**
 * Why a sign-in or a launch gave no session, in the reader's language (the server sends a
 * reason code only: shared/sign-in.ts), with what to do next.
 */
export function SignInRefusalNotice({
  reason,
  title,
  next,
}: {
  reason: SignInRefusal;
  title: MessageKey;
  next: React.ReactNode;
}) {
  const { t } = useI18n();
  return (
    <div
      className="notice notice--error sign-in-refusal"
      role="alert"
      data-testid="sign-in-refused"
      data-reason={reason}
    >
      <div>
        <p className="sign-in-refusal__title">{t(title)}</p>
        <p>{t(`refusal.${reason}`)}</p>
        {next}
      </div>
    </div>
  );
}
