import type { Dictionary, MessageKey } from './da.ts';

/**
 * An audit action in the reader's language (`auditAction.<code>`); a code this client does not
 * know (a newer server's) reads as "unknown action" with the code, so nothing is hidden.
 */
export function auditActionWords(dict: Dictionary, code: string): string {
  const key = `auditAction.${code}`;
  if (key in dict) return dict[key as MessageKey];
  return dict['auditAction.unknown'].replace('{code}', code);
}
