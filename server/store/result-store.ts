import type { NotificationContent, NotificationSeverity } from '../../shared/notifications.ts';
import type { IncomingResult } from '../../shared/results.ts';
import type { AuditEntryInput } from './records.ts';

/** Persistence of results, their API keys, events and notifications (part of the Store). */
/**
 * What a key may reach: `intake` files results and encounters (labs, imaging, hospitals) and
 * nothing else; `practice` makes embed links for its organisation's patients (a GP's system).
 */
export type ApiKeyScope = 'intake' | 'practice';

export interface ApiKeyRecord {
  id: string;
  system: string;
  keyHash: string;
  scope: ApiKeyScope;
  /** The organisation a practice key is bound to; null for intake keys. */
  organisationId: string | null;
  created: string;
  revoked: string | null;
}

export interface StoredResult {
  /** This version's row id. */
  id: string;
  sourceSystem: string;
  identifier: string;
  version: number;
  patientId: string;
  /** The hub id of the result as first filed; amendments keep it. */
  resultId: string;
  payloadHash: string;
  result: IncomingResult;
  filed: string;
  critical: boolean;
  releaseAt: string;
  plans: string[];
}

/**
 * A result for a CPR number no patient is registered with: answered like a filed one (so an
 * API key learns nothing about who is registered), kept apart, in no plan, for an
 * administrator to see as unmatched.
 */
export interface HeldResult {
  /** This version's row id. */
  id: string;
  /** The id answered for it, as a filed result's hub id; amendments keep it. */
  heldId: string;
  sourceSystem: string;
  identifier: string;
  version: number;
  payloadHash: string;
  result: IncomingResult;
  received: string;
}

/**
 * What one batch of filed results stores beside its plan updates: the new result versions, the
 * held ones and their audit entries. Written in the same transaction as the plan updates the
 * batch causes (one commit: `Store.appendUpdates`), so a failure leaves neither.
 */
export interface FiledRows {
  versions: StoredResult[];
  held: HeldResult[];
  audit: AuditEntryInput[];
}

export type ResultEventKind = 'acknowledged' | 'escalated' | 'released';

/** Something done with one version of a result: one of each kind per version. */
export interface ResultEvent {
  resultId: string;
  version: number;
  kind: ResultEventKind;
  userId: string | null;
  time: string;
}

/** A notification kept for one staff member: its kind and parameters, worded by the client. */
export type StoredNotification = {
  id: string;
  userId: string;
  planId: string;
  severity: NotificationSeverity;
  created: string;
  seen: string | null;
  /**
   * The critical results it asks an acknowledgement for (kinds result-critical and
   * result-escalated); once every one is acknowledged it is resolved for everyone. Written, not read back.
   */
  resultIds?: string[];
} & NotificationContent;

/** A notification resolved because its results were acknowledged: whose it was. */
export interface ResolvedNotification {
  id: string;
  userId: string;
}

export interface ResultStore {
  createApiKey(k: Omit<ApiKeyRecord, 'revoked'>): Promise<void>;
  getApiKey(id: string): Promise<ApiKeyRecord | null>;
  listApiKeys(): Promise<ApiKeyRecord[]>;
  revokeApiKey(id: string): Promise<boolean>;

  latestResultVersion(sourceSystem: string, identifier: string): Promise<StoredResult | null>;
  /**
   * Inserts all versions in one transaction; a duplicate (system, identifier, version) fails the
   * whole batch. `audit` entries are appended to the audit log in that same transaction: the
   * filing and its audit entries are stored together or not at all (and cost one commit).
   */
  insertResultVersions(rows: StoredResult[], audit?: AuditEntryInput[]): Promise<void>;
  latestHeldResult(sourceSystem: string, identifier: string): Promise<HeldResult | null>;
  /** Inserts held versions and their audit entries in one transaction, like insertResultVersions. */
  insertHeldResults(rows: HeldResult[], audit?: AuditEntryInput[]): Promise<void>;
  /** Held results, newest first, at most `limit`. */
  listHeldResults(limit: number): Promise<HeldResult[]>;
  /** The latest version of a result by its hub id. */
  getResult(resultId: string): Promise<StoredResult | null>;
  addResultEvent(e: ResultEvent): Promise<boolean>;
  listResultEvents(resultId: string): Promise<ResultEvent[]>;
  /**
   * Results whose newest version is critical, was filed before `filedBefore`, and was neither
   * acknowledged nor escalated (an amended critical value is asked about again).
   */
  listCriticalToEscalate(filedBefore: string): Promise<StoredResult[]>;

  createNotifications(rows: StoredNotification[]): Promise<void>;
  /** Neither seen by the user nor resolved, oldest first. */
  listUnseenNotifications(userId: string): Promise<StoredNotification[]>;
  /**
   * Resolves (at `time`) every unresolved notification about any of these results whose results
   * are all acknowledged now; the ones it resolved.
   */
  resolveAcknowledgedNotifications(resultIds: string[], time: string): Promise<ResolvedNotification[]>;
  /** Critical results of these patients that nobody has acknowledged (latest versions), oldest first. */
  listUnacknowledgedCritical(patientIds: string[]): Promise<StoredResult[]>;
  /** Result versions of one patient filed after `since`, newest first, at most `limit`. */
  listResultsFiledSince(patientId: string, since: string, limit: number): Promise<StoredResult[]>;
  markNotificationsSeen(userId: string, ids: string[], time: string): Promise<number>;
}
