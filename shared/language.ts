import { z } from 'zod';

/** The UI's languages: Danish, the default for staff and citizens alike, and English. */
export const Language = z.enum(['da', 'en']);
export type Language = z.infer<typeof Language>;

export const DEFAULT_LANGUAGE: Language = 'da';
