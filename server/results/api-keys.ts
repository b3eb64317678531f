import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKeyScope, ResultStore } from '../store/result-store.ts';

/**
 * API keys of outside systems. A key reads `chk_<id>_<secret>`; only the SHA-256 of the
 * secret is stored (the secret has 256 bits, so a slow hash adds nothing), and the key is
 * shown once, when created. Each key has one scope (issue 14): `intake` (a lab, imaging or
 * hospital system: results and encounters, nothing else) or `practice` (a GP's practice
 * system, bound to its organisation: embed links for that organisation's patients).
 */
const KEY_SHAPE = /^chk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

const hash = (secret: string): string => createHash('sha256').update(secret).digest('hex');

export type ApiKeyOptions = { scope?: 'intake'; organisationId?: null } | { scope: 'practice'; organisationId: string };

export async function createApiKey(
  store: ResultStore,
  system: string,
  opts: ApiKeyOptions = {},
): Promise<{ id: string; key: string }> {
  const scope: ApiKeyScope = opts.scope ?? 'intake';
  const organisationId = opts.organisationId ?? null;
  // Fails closed before the database's own check does: a practice key without its organisation reaches nothing.
  if ((scope === 'practice') !== (organisationId !== null))
    throw new Error('a practice key is bound to one organisation, an intake key to none');
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  await store.createApiKey({
    id,
    system,
    keyHash: hash(secret),
    scope,
    organisationId,
    created: new Date().toISOString(),
  });
  return { id, key: `chk_${id}_${secret}` };
}

export interface VerifiedKey {
  keyId: string;
  system: string;
  scope: ApiKeyScope;
  organisationId: string | null;
}

export type ApiKeyCheck = ({ ok: true } & VerifiedKey) | { ok: false; reason: string };

export async function verifyApiKey(store: ResultStore, key: string | undefined): Promise<ApiKeyCheck> {
  if (!key) return { ok: false, reason: 'an API key is required (Authorization: Bearer <key>)' };
  const m = KEY_SHAPE.exec(key);
  if (!m) return { ok: false, reason: 'malformed API key' };
  const record = await store.getApiKey(m[1] as string);
  if (!record) return { ok: false, reason: 'unknown API key' };
  const given = Buffer.from(hash(m[2] as string), 'hex');
  if (!timingSafeEqual(given, Buffer.from(record.keyHash, 'hex'))) return { ok: false, reason: 'unknown API key' };
  if (record.revoked) return { ok: false, reason: 'this API key has been revoked' };
  if (record.scope !== 'intake' && record.scope !== 'practice')
    return { ok: false, reason: 'this API key has no known scope' };
  if (record.scope === 'practice' && !record.organisationId)
    return { ok: false, reason: 'this practice key is bound to no organisation' };
  return {
    ok: true,
    keyId: record.id,
    system: record.system,
    scope: record.scope,
    organisationId: record.organisationId,
  };
}

/** Whether the bearer is an API key rather than a session token. */
export const isApiKey = (bearer: string | undefined): boolean => bearer?.startsWith('chk_') ?? false;

/**
 * The audit trail's actor for what a key did: never a person's id, always resolvable to the
 * system (server/http/routes/audit-routes.ts names it in the citizen's access log).
 */
export const API_KEY_ACTOR_PREFIX = 'api-key:';
export const apiKeyActor = (keyId: string): string => `${API_KEY_ACTOR_PREFIX}${keyId}`;
