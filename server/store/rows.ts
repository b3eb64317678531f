import type { StoredMessage } from './message-store.ts';
import type { PlanStatus } from '../../shared/api.ts';
import type { NotificationContent } from '../../shared/notifications.ts';
import type { BreakGlassGrant, EmbedLink } from './access-store.ts';
import type { ApiKeyRecord, HeldResult, StoredNotification, StoredResult } from './result-store.ts';
import type {
  AuditChainRow,
  AuditEntry,
  CareTeamEntry,
  ExternalIdentity,
  IdentityProvider,
  Organisation,
  Patient,
  Plan,
  PlanUpdate,
  SessionEnd,
  SignInSession,
  SmartClient,
  User,
} from './records.ts';

/**
 * Stored rows to the store contract's records. Both stores name their columns alike, so one
 * mapping serves SQLite and PostgreSQL; the engines differ only in how a value arrives
 * (a BIGINT seq as a string from pg, a boolean as 0/1 from SQLite), which is absorbed here.
 */
export type Row = Record<string, unknown>;

export const str = (v: unknown): string | null => (v as string | null) ?? null;
/** A bytea or BLOB value as a plain Uint8Array of its own. */
export const bytesOf = (v: unknown): Uint8Array => new Uint8Array(v as Buffer);
const bool = (v: unknown): boolean => v === true || v === 1;

export function toOrganisation(r: Row): Organisation {
  return {
    id: r.id as string,
    name: r.name as string,
    sector: r.sector as Organisation['sector'],
    region: str(r.region),
    sor: str(r.sor),
    ean: str(r.ean),
  };
}
export function toUser(r: Row): User {
  return {
    id: r.id as string,
    username: r.username as string,
    name: r.name as string,
    role: r.role as User['role'],
    organisationId: str(r.organisation_id),
    patientId: str(r.patient_id),
    passwordHash: r.password_hash as string,
    created: r.created as string,
    disabled: str(r.disabled),
  };
}
export function toPatient(r: Row): Patient {
  return { id: r.id as string, cpr: r.cpr as string, name: r.name as string, created: r.created as string };
}
export function toPlan(r: Row): Plan {
  return {
    id: r.id as string,
    patientId: r.patient_id as string,
    title: r.title as string,
    status: r.status as PlanStatus,
    created: r.created as string,
  };
}
export function toCareTeam(r: Row): CareTeamEntry {
  return {
    id: r.id as string,
    patientId: r.patient_id as string,
    organisationId: str(r.organisation_id),
    userId: str(r.user_id),
    added: r.added as string,
    addedBy: str(r.added_by),
  };
}
export function toUpdate(r: Row): PlanUpdate {
  return {
    planId: r.plan_id as string,
    seq: Number(r.seq),
    author: str(r.author),
    origin: r.origin as PlanUpdate['origin'],
    time: r.time as string,
    update: bytesOf(r.update_bytes),
    sections: r.sections ? (r.sections as string).split(',') : [],
  };
}

export function toResult(r: Row): StoredResult {
  return {
    id: r.id as string,
    sourceSystem: r.source_system as string,
    identifier: r.identifier as string,
    version: Number(r.version),
    patientId: r.patient_id as string,
    resultId: r.result_id as string,
    payloadHash: r.payload_hash as string,
    result: JSON.parse(r.body as string) as StoredResult['result'],
    filed: r.filed as string,
    critical: bool(r.critical),
    releaseAt: r.release_at as string,
    plans: JSON.parse(r.plans as string) as string[],
  };
}
export function toHeldResult(r: Row): HeldResult {
  return {
    id: r.id as string,
    heldId: r.held_id as string,
    sourceSystem: r.source_system as string,
    identifier: r.identifier as string,
    version: Number(r.version),
    payloadHash: r.payload_hash as string,
    result: JSON.parse(r.body as string) as HeldResult['result'],
    received: r.received as string,
  };
}
export function toApiKey(r: Row): ApiKeyRecord {
  return {
    id: r.id as string,
    system: r.system as string,
    keyHash: r.key_hash as string,
    scope: r.scope as ApiKeyRecord['scope'],
    organisationId: str(r.organisation_id),
    created: r.created as string,
    revoked: str(r.revoked),
    ...(r.smart_client_id ? { smartClientId: r.smart_client_id as string } : {}),
  };
}
export function toNotification(r: Row): StoredNotification {
  return {
    id: r.id as string,
    userId: r.user_id as string,
    planId: r.plan_id as string,
    severity: r.severity as StoredNotification['severity'],
    created: r.created as string,
    seen: str(r.seen),
    // Written by createNotifications from a checked NotificationContent, like a result's body.
    ...({ kind: r.kind, params: JSON.parse(r.params as string) } as NotificationContent),
  };
}

export function toGrant(r: Row): BreakGlassGrant {
  return {
    id: r.id as string,
    userId: r.user_id as string,
    patientId: r.patient_id as string,
    planId: r.plan_id as string,
    reason: r.reason as string,
    created: r.created as string,
    expires: r.expires as string,
  };
}

export function toEmbedLink(r: Row): EmbedLink {
  return {
    id: r.id as string,
    planId: r.plan_id as string,
    access: r.access as EmbedLink['access'],
    createdBy: str(r.created_by),
    createdBySystem: str(r.created_by_system),
    createdByKey: str(r.created_by_key),
    actsAs: str(r.acts_as),
    created: r.created as string,
    expires: r.expires as string,
    revoked: str(r.revoked),
  };
}

export function toIdentityProvider(r: Row): IdentityProvider {
  return {
    id: r.id as string,
    organisationId: str(r.organisation_id),
    name: r.name as string,
    issuer: r.issuer as string,
    clientId: r.client_id as string,
    clientSecretEnv: str(r.client_secret_env),
    scopes: r.scopes as string,
    roleClaim: str(r.role_claim),
    // Written by addProvider from a checked role map.
    roleMap: JSON.parse(r.role_map as string) as IdentityProvider['roleMap'],
    cprClaim: str(r.cpr_claim),
    organisationClaim: str(r.organisation_claim),
    organisationValue: str(r.organisation_value),
    allowAdmin: r.allow_admin === true || Number(r.allow_admin) === 1,
    created: r.created as string,
    removed: str(r.removed),
  };
}
export function toSmartClient(r: Row): SmartClient {
  return {
    id: r.id as string,
    organisationId: r.organisation_id as string,
    name: r.name as string,
    issuer: r.issuer as string,
    clientId: r.client_id as string,
    clientSecretEnv: str(r.client_secret_env),
    frameOrigin: r.frame_origin as string,
    authIssuer: str(r.auth_issuer),
    created: r.created as string,
    removed: str(r.removed),
  };
}
export function toExternalIdentity(r: Row): ExternalIdentity {
  return {
    issuer: r.issuer as string,
    subject: r.subject as string,
    userId: r.user_id as string,
    created: r.created as string,
    source: str(r.source),
  };
}

export function toSignInSession(r: Row): SignInSession {
  return {
    id: r.id as string,
    userId: r.user_id as string,
    providerId: str(r.provider_id),
    started: r.started as string,
    expires: r.expires as string,
    ended: str(r.ended),
    endedReason: str(r.ended_reason) as SessionEnd | null,
  };
}

/** An audit row as stored, nothing parsed or checked, for `carehub audit verify`. */
export function toAuditChainRow(r: Row): AuditChainRow {
  return {
    seq: Number(r.seq),
    time: r.time as string,
    actorId: str(r.actor_id),
    action: r.action as string,
    patientId: str(r.patient_id),
    planId: str(r.plan_id),
    outcome: r.outcome as string,
    details: r.details as string,
    prevHash: r.prev_hash as string,
    hash: r.hash as string,
  };
}
/** An audit row for reading; details that do not parse are shown as such, not thrown on. */
export function toAuditEntry(r: Row): AuditEntry {
  let details: Record<string, unknown>;
  try {
    details = JSON.parse(r.details as string) as Record<string, unknown>;
  } catch {
    details = { unreadable: true };
  }
  return { ...toAuditChainRow(r), outcome: r.outcome as AuditEntry['outcome'], details };
}

export function toMessage(r: Row): StoredMessage {
  return {
    id: r.id as string,
    direction: r.direction as StoredMessage['direction'],
    messageId: r.message_id as string,
    event: r.event as string,
    activity: str(r.activity),
    senderSor: r.sender_sor as string,
    receiverSor: r.receiver_sor as string,
    organisationId: str(r.organisation_id),
    patientId: str(r.patient_id),
    contentHash: r.content_hash as string,
    body: r.body as string,
    status: r.status as StoredMessage['status'],
    httpStatus: r.http_status === null || r.http_status === undefined ? null : Number(r.http_status),
    entryKey: str(r.entry_key),
    ackMessageId: str(r.ack_message_id),
    ackCode: str(r.ack_code),
    ackText: str(r.ack_text),
    created: r.created as string,
    delivered: str(r.delivered),
    acknowledged: str(r.acknowledged),
  };
}

/** The columns of medcom_messages in insert order, and a message's values in that order. */
export const MESSAGE_COLUMNS = [
  'id',
  'direction',
  'message_id',
  'event',
  'activity',
  'sender_sor',
  'receiver_sor',
  'organisation_id',
  'patient_id',
  'content_hash',
  'body',
  'status',
  'http_status',
  'entry_key',
  'ack_message_id',
  'ack_code',
  'ack_text',
  'created',
  'delivered',
  'acknowledged',
] as const;
export const messageValues = (m: StoredMessage): unknown[] => [
  m.id,
  m.direction,
  m.messageId,
  m.event,
  m.activity,
  m.senderSor,
  m.receiverSor,
  m.organisationId,
  m.patientId,
  m.contentHash,
  m.body,
  m.status,
  m.httpStatus,
  m.entryKey,
  m.ackMessageId,
  m.ackCode,
  m.ackText,
  m.created,
  m.delivered,
  m.acknowledged,
];
