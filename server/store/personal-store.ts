import type { Language } from '../../shared/language.ts';

/** A person's last look at a plan: when, and the seq of the plan's last update then. */
export interface PlanView {
  time: string;
  seq: number;
}

/**
 * What the server keeps for one person (part of the Store): when they last looked at each plan
 * (Overblik's "seen", so it follows them from device to device) and the language they chose.
 */
export interface PersonalStore {
  /** Records that the user looked at the plan at `time`, when its log ended at `seq` (only ever moves forward). */
  markPlanSeen(userId: string, planId: string, view: PlanView): Promise<void>;
  /** When the user last looked at each plan they have looked at, by plan id. */
  listPlanViews(userId: string): Promise<Map<string, PlanView>>;
  /** The language the user chose; null: none chosen (the UI is Danish). */
  getLanguage(userId: string): Promise<Language | null>;
  setLanguage(userId: string, language: Language): Promise<void>;
}
