import type Database from 'better-sqlite3';
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

/** Ended or expired sessions are kept this long (for a late look-up to say why), then cleared. */
const DAY_MS = 24 * 60 * 60 * 1000;

/** The identity tables of the SQLite store. */
export class SqliteIdentityStore implements IdentityStore {
  constructor(private readonly db: Database.Database) {}

  async addProvider(p: IdentityProvider): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO identity_providers (id, organisation_id, name, issuer, client_id, client_secret_env, scopes, role_claim, role_map, cpr_claim,
           organisation_claim, organisation_value, allow_admin, created, removed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
      )
      .run(
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
        p.allowAdmin ? 1 : 0,
        p.created,
      );
  }
  async listProviders(): Promise<IdentityProvider[]> {
    return (
      this.db.prepare('SELECT * FROM identity_providers WHERE removed IS NULL ORDER BY name, created').all() as Row[]
    ).map(toIdentityProvider);
  }
  async getProvider(id: string): Promise<IdentityProvider | null> {
    const r = this.db.prepare('SELECT * FROM identity_providers WHERE id = ?').get(id) as Row | undefined;
    return r ? toIdentityProvider(r) : null;
  }
  async removeProvider(id: string, time: string): Promise<boolean> {
    return (
      this.db.prepare('UPDATE identity_providers SET removed = ? WHERE id = ? AND removed IS NULL').run(time, id)
        .changes > 0
    );
  }

  async addSmartClient(c: SmartClient): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO smart_clients (id, organisation_id, name, issuer, client_id, client_secret_env, frame_origin, auth_issuer, created, removed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)',
      )
      .run(
        c.id,
        c.organisationId,
        c.name,
        c.issuer,
        c.clientId,
        c.clientSecretEnv,
        c.frameOrigin,
        c.authIssuer,
        c.created,
      );
  }
  async listSmartClients(): Promise<SmartClient[]> {
    return (
      this.db.prepare('SELECT * FROM smart_clients WHERE removed IS NULL ORDER BY name, created').all() as Row[]
    ).map(toSmartClient);
  }
  async getSmartClient(id: string): Promise<SmartClient | null> {
    const r = this.db.prepare('SELECT * FROM smart_clients WHERE id = ?').get(id) as Row | undefined;
    return r ? toSmartClient(r) : null;
  }
  async removeSmartClient(id: string, time: string): Promise<boolean> {
    return (
      this.db.prepare('UPDATE smart_clients SET removed = ? WHERE id = ? AND removed IS NULL').run(time, id).changes > 0
    );
  }

  async pinSmartAuthIssuer(id: string, authIssuer: string): Promise<boolean> {
    return (
      this.db
        .prepare('UPDATE smart_clients SET auth_issuer = ? WHERE id = ? AND auth_issuer IS NULL')
        .run(authIssuer, id).changes > 0
    );
  }

  async getExternalIdentity(issuer: string, subject: string): Promise<ExternalIdentity | null> {
    const r = this.db
      .prepare('SELECT * FROM external_identities WHERE issuer = ? AND subject = ?')
      .get(issuer, subject) as Row | undefined;
    return r ? toExternalIdentity(r) : null;
  }
  async createLinkedUser(
    u: NewUser,
    identity: Omit<ExternalIdentity, 'userId'>,
  ): Promise<{ user: User; created: boolean }> {
    // IMMEDIATE: the look-up and the inserts hold the write lock together (another process may share the file).
    return this.db
      .transaction(() => {
        const linked = this.db
          .prepare(
            'SELECT u.* FROM external_identities e JOIN users u ON u.id = e.user_id WHERE e.issuer = ? AND e.subject = ?',
          )
          .get(identity.issuer, identity.subject) as Row | undefined;
        if (linked) return { user: toUser(linked), created: false };
        const user: User = { ...u, id: u.id ?? randomUUID(), created: identity.created, disabled: null };
        this.db
          .prepare(
            'INSERT INTO users (id, username, name, role, organisation_id, patient_id, password_hash, created, disabled) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)',
          )
          .run(
            user.id,
            user.username,
            user.name,
            user.role,
            user.organisationId,
            user.patientId,
            user.passwordHash,
            user.created,
          );
        this.db
          .prepare('INSERT INTO external_identities (issuer, subject, user_id, created, source) VALUES (?, ?, ?, ?, ?)')
          .run(identity.issuer, identity.subject, user.id, identity.created, identity.source);
        return { user, created: true };
      })
      .immediate();
  }
  async linkIdentity(identity: ExternalIdentity): Promise<boolean> {
    return (
      this.db
        .prepare(
          'INSERT OR IGNORE INTO external_identities (issuer, subject, user_id, created, source) VALUES (?, ?, ?, ?, ?)',
        )
        .run(identity.issuer, identity.subject, identity.userId, identity.created, identity.source).changes > 0
    );
  }
  async claimIdentitySource(issuer: string, subject: string, from: string | null, to: string): Promise<boolean> {
    return (
      this.db
        .prepare('UPDATE external_identities SET source = ? WHERE issuer = ? AND subject = ? AND source IS ?')
        .run(to, issuer, subject, from).changes > 0
    );
  }
  async updateUserAccess(userId: string, access: Pick<User, 'role' | 'organisationId' | 'disabled'>): Promise<void> {
    this.db
      .prepare('UPDATE users SET role = ?, organisation_id = ?, disabled = ? WHERE id = ?')
      .run(access.role, access.organisationId, access.disabled, userId);
  }

  async careTeamPatientIds(userId: string, organisationId: string | null): Promise<string[]> {
    return this.db
      .prepare(
        'SELECT DISTINCT patient_id FROM care_team_members WHERE user_id = ? OR (? IS NOT NULL AND organisation_id = ?)',
      )
      .pluck()
      .all(userId, organisationId, organisationId) as string[];
  }

  async putPending(key: string, kind: PendingKind, payload: string, expires: string): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM sign_in_pending WHERE expires <= ?').run(new Date().toISOString());
      this.db
        .prepare('INSERT INTO sign_in_pending (key, kind, payload, expires) VALUES (?, ?, ?, ?)')
        .run(key, kind, payload, expires);
    })();
  }
  async takePending(key: string, kind: PendingKind, now: string): Promise<string | null> {
    const r = this.db
      .prepare('DELETE FROM sign_in_pending WHERE key = ? AND kind = ? RETURNING payload, expires')
      .get(key, kind) as Row | undefined;
    return r && (r.expires as string) > now ? (r.payload as string) : null;
  }

  async addSession(s: SignInSession): Promise<void> {
    const cleared = new Date(Date.now() - DAY_MS).toISOString();
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM sign_in_sessions WHERE expires <= ?').run(cleared);
      this.db
        .prepare(
          'INSERT INTO sign_in_sessions (id, user_id, provider_id, started, expires, ended, ended_reason) VALUES (?, ?, ?, ?, ?, NULL, NULL)',
        )
        .run(s.id, s.userId, s.providerId, s.started, s.expires);
    })();
  }
  async getSession(id: string): Promise<SignInSession | null> {
    const r = this.db.prepare('SELECT * FROM sign_in_sessions WHERE id = ?').get(id) as Row | undefined;
    return r ? toSignInSession(r) : null;
  }
  async endSession(id: string, time: string, reason: SessionEnd): Promise<boolean> {
    return (
      this.db
        .prepare('UPDATE sign_in_sessions SET ended = ?, ended_reason = ? WHERE id = ? AND ended IS NULL')
        .run(time, reason, id).changes === 1
    );
  }
  async endProviderSessions(providerId: string, time: string, reason: SessionEnd): Promise<string[]> {
    const rows = this.db
      .prepare(
        'UPDATE sign_in_sessions SET ended = ?, ended_reason = ? WHERE provider_id = ? AND ended IS NULL RETURNING user_id',
      )
      .all(time, reason, providerId) as Row[];
    return [...new Set(rows.map((r) => r.user_id as string))];
  }
}
