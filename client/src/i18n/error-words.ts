import { ErrorReason, type ErrorParams } from '../../../shared/error-reasons.ts';
import { ErrorCode } from '../../../shared/errors.ts';
import type { MessageKey } from './da.ts';
import type { Translate } from './translate.ts';

/** Each reason's words: a reason without words fails the type check (and the unit test). */
export const REASON_WORDS: Readonly<Record<ErrorReason, MessageKey>> = Object.fromEntries(
  ErrorReason.options.map((r) => [r, `error.reason.${r}`]),
) as Record<ErrorReason, MessageKey>;

export const CODE_WORDS: Readonly<Record<ErrorCode, MessageKey>> = Object.fromEntries(
  ErrorCode.options.map((c) => [c, `error.code.${c}`]),
) as Record<ErrorCode, MessageKey>;

/**
 * A refusal of the server in the reader's language: by its reason when the server gave one this
 * client knows, else by its code. The server's English message is never shown.
 */
export function wordError(
  e: { code: string | null; reason?: string | null; params?: ErrorParams | undefined; status: number },
  t: Translate,
): string {
  const reason = ErrorReason.safeParse(e.reason);
  if (reason.success) return t(REASON_WORDS[reason.data], e.params);
  const code = ErrorCode.safeParse(e.code);
  if (code.success) return t(CODE_WORDS[code.data]);
  return t('errors.unexpected', { status: e.status });
}
