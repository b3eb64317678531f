import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ResultStore } from '../store/result-store.ts';

/**
 * API keys of lab, imaging and hospital systems. A key reads `chk_<id>_<secret>`; only the
 * SHA-256 of the secret is stored (the secret has 256 bits, so a slow hash adds nothing), and
 * the key is shown once, when created.
 */
const KEY_SHAPE = /^chk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

const hash = (secret: string): string => createHash('sha256').update(secret).digest('hex');

export async function createApiKey(store: ResultStore, system: string): Promise<{ id: string; key: string }> {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  await store.createApiKey({ id, system, keyHash: hash(secret), created: new Date().toISOString() });
  return { id, key: `chk_${id}_${secret}` };
}

export type ApiKeyCheck = { ok: true; keyId: string; system: string } | { ok: false; reason: string };

export async function verifyApiKey(store: ResultStore, key: string | undefined): Promise<ApiKeyCheck> {
  if (!key) return { ok: false, reason: 'an API key is required (Authorization: Bearer <key>)' };
  const m = KEY_SHAPE.exec(key);
  if (!m) return { ok: false, reason: 'malformed API key' };
  const record = await store.getApiKey(m[1] as string);
  if (!record) return { ok: false, reason: 'unknown API key' };
  const given = Buffer.from(hash(m[2] as string), 'hex');
  if (!timingSafeEqual(given, Buffer.from(record.keyHash, 'hex'))) return { ok: false, reason: 'unknown API key' };
  if (record.revoked) return { ok: false, reason: 'this API key has been revoked' };
  return { ok: true, keyId: record.id, system: record.system };
}
