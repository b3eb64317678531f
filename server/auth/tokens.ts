import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * Signed session tokens (HS256 JWTs). A token names its user and kind; what the user may do
 * is looked up on every use, so a change of role or care team takes effect at once.
 */
export const SessionClaims = z.discriminatedUnion('kind', [
  /** `sid` names the session's row (server/auth/signed-in-sessions.ts): signing out ends it. */
  z.object({ sub: z.string(), kind: z.literal('session'), sid: z.string().min(1).max(100), exp: z.number() }),
  /** An embedded session: reaches one plan only (the link's), acting as the link's person; kept in memory by the page. */
  z.object({
    sub: z.string(),
    kind: z.literal('embed-session'),
    plan: z.string(),
    access: z.enum(['edit', 'read']),
    exp: z.number(),
  }),
  /** The link itself, carried in an embed URL's fragment; exchanged for an embed session. */
  z.object({ sub: z.string(), kind: z.literal('embed-link'), plan: z.string(), exp: z.number() }),
]);
export type SessionClaims = z.infer<typeof SessionClaims>;

/**
 * `expired` is said only of a token whose signature verified: it is ours, its time is up, and
 * its claims come with it (an expired embed link's refusal is audited under its link id;
 * garbage and forgeries are `invalid` and carry nothing).
 */
export type TokenCheck =
  | { ok: true; claims: SessionClaims }
  | { ok: false; reason: 'expired'; claims: SessionClaims | null }
  | { ok: false; reason: 'missing' | 'invalid' };

const ISSUER = 'carehub';

/** Tokens whose signature was checked, kept so a tab's reconnects and many sockets skip the HMAC. */
const VERIFIED_CACHE_SIZE = 5000;

export class TokenService {
  private readonly key: Uint8Array;
  private readonly verified = new Map<string, SessionClaims>();

  constructor(
    secret: string,
    private readonly ttlMinutes: number,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  /** A session's token; the caller keeps the session's row (SignedInSessions.start). */
  async issueSession(userId: string, sessionId: string): Promise<{ token: string; expiresAt: Date }> {
    const expiresAt = new Date(Date.now() + this.ttlMinutes * 60_000);
    const token = await new SignJWT({ kind: 'session', sid: sessionId })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userId)
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.key);
    return { token, expiresAt };
  }

  /** Signs an embed link (`sub` = link id) or an embed session; both expire. */
  async issueEmbed(
    kind: 'embed-link' | 'embed-session',
    linkId: string,
    planId: string,
    expiresAt: Date,
    access?: 'edit' | 'read',
  ): Promise<string> {
    return new SignJWT(kind === 'embed-session' ? { kind, plan: planId, access } : { kind, plan: planId })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(linkId)
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.key);
  }

  async verify(token: string | undefined | null): Promise<TokenCheck> {
    if (!token) return { ok: false, reason: 'missing' };
    // The same string verifies the same way every time: only its expiry needs checking again.
    // (Revocation and access are looked up per use by the callers, never cached here.)
    const known = this.verified.get(token);
    if (known) {
      if (known.exp * 1000 > Date.now()) return { ok: true, claims: known };
      this.verified.delete(token);
      return { ok: false, reason: 'expired', claims: known };
    }
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, algorithms: ['HS256'] });
      const claims = SessionClaims.safeParse(payload);
      if (!claims.success) return { ok: false, reason: 'invalid' };
      if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value as string);
      this.verified.set(token, claims.data);
      return { ok: true, claims: claims.data };
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) {
        const claims = SessionClaims.safeParse(err.payload);
        return { ok: false, reason: 'expired', claims: claims.success ? claims.data : null };
      }
      return { ok: false, reason: 'invalid' };
    }
  }
}

/**
 * The signing secret: CAREHUB_SECRET when set, else one generated at first start and kept
 * beside the database (mode 0600), so tokens survive a restart.
 */
export function resolveSecret(configured: string | undefined, dataDir: string): string {
  if (configured) return configured;
  const file = join(dataDir, 'carehub.secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
  return secret;
}
