import type { Language } from '../../shared/language.ts';

/**
 * What the server keeps for one person (part of the Store): when they last looked at each plan
 * (Overblik's "seen", so it follows them from device to device) and the language they chose.
 */
export interface PersonalStore {
  /** Records that the user looked at the plan at `time` (a later time only moves it forward). */
  markPlanSeen(userId: string, planId: string, time: string): Promise<void>;
  /** When the user last looked at each plan they have looked at. */
  listPlanViews(userId: string): Promise<Map<string, string>>;
  /** The language the user chose; null: none chosen (the UI is Danish). */
  getLanguage(userId: string): Promise<Language | null>;
  setLanguage(userId: string, language: Language): Promise<void>;
}
