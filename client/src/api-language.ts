import { z } from 'zod';
import { Language } from '../../shared/language.ts';
import { call } from './api.ts';

const LanguageChoice = z.object({ language: Language, chosen: z.boolean() });
export type LanguageChoice = z.infer<typeof LanguageChoice>;

/** The signed-in person's language: Danish unless they chose otherwise (`chosen`). */
export function getLanguage(token: string, signal?: AbortSignal): Promise<LanguageChoice> {
  return call('/me/language', LanguageChoice, { token, signal });
}

/** Keeps the person's choice on the server: it follows them to every device. */
export function putLanguage(token: string, language: Language): Promise<LanguageChoice> {
  return call('/me/language', LanguageChoice, { method: 'PUT', token, body: { language } });
}
