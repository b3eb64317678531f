import type { Dictionary, MessageKey } from './da.ts';

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

/** `{name}` placeholders filled from `params`; one without a value stays as written, so it shows. */
function interpolate(text: string, params?: Record<string, string | number>): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** The translate function of one language (the provider's `t`; tests word with it directly). */
export function makeTranslate(dict: Dictionary): Translate {
  return (key, params) => interpolate(dict[key], params);
}
