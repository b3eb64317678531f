import { randomUUID } from 'node:crypto';
import type { IdentityStore } from '../identity-store.ts';
import type {
  ExternalIdentity,
  IdentityProvider,
  NewUser,
  PendingKind,
  SessionEnd,
  SignInSession,
  SmartClient,
  User,
} from '../records.ts';
import { toExternalIdentity, toIdentityProvider, toSmartClient, toSignInSession, toUser, type Row } from '../rows.ts';
import type { Db } from './postgres-db.ts';

/** PostgreSQL's code for a unique violation. */
const UNIQUE_VIOLATION = '23505';

/** Ended or expired sessions are kept this long (for a late look-up to say why), then cleared. */
const DAY_MS = 24 * 60 * 60 * 1000;

/** The identity tables of the PostgreSQL store. */
export class PostgresIdentityStore implements IdentityStore {
  constructor(private readonly db: Db) {}

  async addProvider(p: IdentityProvider): Promise<void> {
    await this.db.rows(
      `INSERT INTO identity_providers (id, organisation_id, name, issuer, client_id, client_secret_env, scopes, role_claim, role_map, cpr_claim,
         organisation_claim, organisation_value, allow_admin, created, removed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, NULL)`,
      [
        p.id,
        p.organisationId,
        p.name,
        p.issuer,
        p.clientId,
        p.clientSecretEnv,
        p.scopes,
        p.roleClaim,
        JSON.stringify(p.roleMap),
        p.cprClaim,
        p.organisationClaim,
        p.organisationValue,
        p.allowAdmin,
        p.created,
      ],
    );
  }
  async listProviders(): Promise<IdentityProvider[]> {
    return (await this.db.rows('SELECT * FROM identity_providers WHERE removed IS NULL ORDER BY name, created')).map(
      toIdentityProvider,
    );
  }
  async getProvider(id: string): Promise<IdentityProvider | null> {
    const r = await this.db.one('SELECT * FROM identity_providers WHERE id = $1', [id]);
    return r ? toIdentityProvider(r) : null;
  }
  async removeProvider(id: string, time: string): Promise<boolean> {
    return (
      (await this.db.count('UPDATE identity_providers SET removed = $1 WHERE id = $2 AND removed IS NULL', [
        time,
        id,
      ])) > 0
    );
  }

  async addSmartClient(c: SmartClient): Promise<void> {
    await this.db.rows(
      'INSERT INTO smart_clients (id, organisation_id, name, issuer, client_id, client_secret_env, frame_origin, auth_issuer, created, removed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL)',
      [c.id, c.organisationId, c.name, c.issuer, c.clientId, c.clientSecretEnv, c.frameOrigin, c.authIssuer, c.created],
    );
  }
  async listSmartClients(): Promise<SmartClient[]> {
    return (await this.db.rows('SELECT * FROM smart_clients WHERE removed IS NULL ORDER BY name, created')).map(
      toSmartClient,
    );
  }
  async getSmartClient(id: string): Promise<SmartClient | null> {
    const r = await this.db.one('SELECT * FROM smart_clients WHERE id = $1', [id]);
    return r ? toSmartClient(r) : null;
  }
  async removeSmartClient(id: string, time: string): Promise<boolean> {
    return (
      (await this.db.count('UPDATE smart_clients SET removed = $1 WHERE id = $2 AND removed IS NULL', [time, id])) > 0
    );
  }

  async pinSmartAuthIssuer(id: string, authIssuer: string): Promise<boolean> {
    return (
      (await this.db.count('UPDATE smart_clients SET auth_issuer = $1 WHERE id = $2 AND auth_issuer IS NULL', [
        authIssuer,
        id,
      ])) > 0
    );
  }

  async getExternalIdentity(issuer: string, subject: string): Promise<ExternalIdentity | null> {
    const r = await this.db.one('SELECT * FROM external_identities WHERE issuer = $1 AND subject = $2', [
      issuer,
      subject,
    ]);
    return r ? toExternalIdentity(r) : null;
  }
  private async linkedUser(issuer: string, subject: string): Promise<User | null> {
    const r = await this.db.one(
      'SELECT u.* FROM external_identities e JOIN users u ON u.id = e.user_id WHERE e.issuer = $1 AND e.subject = $2',
      [issuer, subject],
    );
    return r ? toUser(r) : null;
  }
  async createLinkedUser(
    u: NewUser,
    identity: Omit<ExternalIdentity, 'userId'>,
  ): Promise<{ user: User; created: boolean }> {
    const linked = await this.linkedUser(identity.issuer, identity.subject);
    if (linked) return { user: linked, created: false };
    const user: User = { ...u, id: u.id ?? randomUUID(), created: identity.created, disabled: null };
    try {
      await this.db.transaction(async (c) => {
        await c.query(
          'INSERT INTO users (id, username, name, role, organisation_id, patient_id, password_hash, created, disabled) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL)',
          [
            user.id,
            user.username,
            user.name,
            user.role,
            user.organisationId,
            user.patientId,
            user.passwordHash,
            user.created,
          ],
        );
        await c.query(
          'INSERT INTO external_identities (issuer, subject, user_id, created, source) VALUES ($1, $2, $3, $4, $5)',
          [identity.issuer, identity.subject, user.id, identity.created, identity.source],
        );
      });
    } catch (err) {
      // Another node linked the same person first (its user took the same name, or the
      // identity itself): theirs is the user; nothing of ours was kept.
      if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
      const winner = await this.linkedUser(identity.issuer, identity.subject);
      if (!winner) throw err;
      return { user: winner, created: false };
    }
    return { user, created: true };
  }
  async linkIdentity(identity: ExternalIdentity): Promise<boolean> {
    return (
      (await this.db.count(
        'INSERT INTO external_identities (issuer, subject, user_id, created, source) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING',
        [identity.issuer, identity.subject, identity.userId, identity.created, identity.source],
      )) > 0
    );
  }
  async claimIdentitySource(issuer: string, subject: string, from: string | null, to: string): Promise<boolean> {
    return (
      (await this.db.count(
        'UPDATE external_identities SET source = $1 WHERE issuer = $2 AND subject = $3 AND source IS NOT DISTINCT FROM $4',
        [to, issuer, subject, from],
      )) > 0
    );
  }
  async updateUserAccess(userId: string, access: Pick<User, 'role' | 'organisationId' | 'disabled'>): Promise<void> {
    await this.db.rows('UPDATE users SET role = $1, organisation_id = $2, disabled = $3 WHERE id = $4', [
      access.role,
      access.organisationId,
      access.disabled,
      userId,
    ]);
  }

  async careTeamPatientIds(userId: string, organisationId: string | null): Promise<string[]> {
    const rows = await this.db.rows(
      'SELECT DISTINCT patient_id FROM care_team_members WHERE user_id = $1 OR ($2::text IS NOT NULL AND organisation_id = $2)',
      [userId, organisationId],
    );
    return rows.map((r) => r.patient_id as string);
  }

  async putPending(key: string, kind: PendingKind, payload: string, expires: string): Promise<void> {
    await this.db.rows('DELETE FROM sign_in_pending WHERE expires <= $1', [new Date().toISOString()]);
    await this.db.rows('INSERT INTO sign_in_pending (key, kind, payload, expires) VALUES ($1, $2, $3, $4)', [
      key,
      kind,
      payload,
      expires,
    ]);
  }
  async takePending(key: string, kind: PendingKind, now: string): Promise<string | null> {
    const r: Row | undefined = await this.db.one(
      'DELETE FROM sign_in_pending WHERE key = $1 AND kind = $2 RETURNING payload, expires',
      [key, kind],
    );
    return r && (r.expires as string) > now ? (r.payload as string) : null;
  }

  async addSession(s: SignInSession): Promise<void> {
    await this.db.rows('DELETE FROM sign_in_sessions WHERE expires <= $1', [
      new Date(Date.now() - DAY_MS).toISOString(),
    ]);
    await this.db.rows(
      'INSERT INTO sign_in_sessions (id, user_id, provider_id, started, expires, ended, ended_reason) VALUES ($1, $2, $3, $4, $5, NULL, NULL)',
      [s.id, s.userId, s.providerId, s.started, s.expires],
    );
  }
  async getSession(id: string): Promise<SignInSession | null> {
    const r: Row | undefined = await this.db.one('SELECT * FROM sign_in_sessions WHERE id = $1', [id]);
    return r ? toSignInSession(r) : null;
  }
  async endSession(id: string, time: string, reason: SessionEnd): Promise<boolean> {
    const rows = await this.db.rows(
      'UPDATE sign_in_sessions SET ended = $1, ended_reason = $2 WHERE id = $3 AND ended IS NULL RETURNING id',
      [time, reason, id],
    );
    return rows.length === 1;
  }
  async endProviderSessions(providerId: string, time: string, reason: SessionEnd): Promise<string[]> {
    const rows = await this.db.rows(
      'UPDATE sign_in_sessions SET ended = $1, ended_reason = $2 WHERE provider_id = $3 AND ended IS NULL RETURNING user_id',
      [time, reason, providerId],
    );
    return [...new Set(rows.map((r) => r.user_id as string))];
  }
}
