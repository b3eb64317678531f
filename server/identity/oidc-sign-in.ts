import * as client from 'openid-client';
import type { Logger } from 'pino';
import type { LoginResponse } from '../../shared/api.ts';
import { redactCprNumbers } from '../../shared/cpr-in-text.ts';
import type { Role } from '../../shared/roles.ts';
import { SIGN_IN_CALLBACK_PATH, type AuthOptions, type SignInRefusal } from '../../shared/sign-in.ts';
import { userView } from '../auth/access.ts';
import type { SignedInSessions } from '../auth/signed-in-sessions.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { RefusalCoalescer } from '../audit/refusal-coalescer.ts';
import type { IdentityProvider } from '../store/records.ts';
import type { Store } from '../store/store.ts';
import type { IdentityAccounts } from './accounts.ts';
import {
  belongsToOrganisation,
  claimAt,
  cprFromClaims,
  issuedInFuture,
  nameFromClaims,
  roleFromClaims,
  type Claims,
} from './claims.ts';
import { sha256, type PendingSignIns } from './pending.ts';
import { failureForLog, refusalOf, type ProviderClients } from './provider-client.ts';

/**
 * OpenID Connect sign-in (authorization code flow with PKCE, nonce and state): begun by the
 * sign-in page, finished at the callback the provider sends the browser to, and handed to the
 * page as a one-time code in the address's fragment, which the page exchanges by POST for its
 * session. Whatever fails ends in a refusal with a reason, audited, and no session.
 */

export interface SignInDeps {
  store: Store;
  audit: AuditLog;
  sessions: SignedInSessions;
  log: Logger;
  clients: ProviderClients;
  pending: PendingSignIns;
  accounts: IdentityAccounts;
  passwordLogin: boolean;
}

/** A sign-in that cannot go on, with the reason the page words. */
export class SignInRefused extends Error {
  constructor(readonly reason: SignInRefusal) {
    super(reason);
  }
}

export type Finished = { ok: true; code: string } | { ok: false; reason: SignInRefusal };

export class OidcSignIn {
  private readonly refusals = new RefusalCoalescer();
  constructor(private readonly deps: SignInDeps) {}

  async options(): Promise<AuthOptions> {
    const providers = await this.deps.store.identity.listProviders();
    return {
      passwordLogin: this.deps.passwordLogin,
      providers: providers.map((p) => ({
        id: p.id,
        name: p.name,
        kind: p.organisationId === null ? 'citizen' : 'staff',
      })),
    };
  }

  private refuse(
    reason: SignInRefusal,
    details: Record<string, unknown>,
    actorId: string | null = null,
  ): SignInRefused {
    // Neither person nor provider known (a garbage or replayed callback): coalesced per address.
    const anonymous = actorId === null && details.providerId === undefined;
    const left = anonymous ? this.refusals.admit(`${reason}\n${String(details.address ?? '')}`) : 0;
    if (left !== null)
      this.deps.audit.record({
        actorId,
        action: 'login',
        outcome: 'refused',
        details: { via: 'oidc', reason, ...details, ...(left > 0 ? { coalesced: left } : {}) },
      });
    return new SignInRefused(reason);
  }

  private async liveProvider(id: string): Promise<IdentityProvider | null> {
    const provider = await this.deps.store.identity.getProvider(id);
    return provider && !provider.removed ? provider : null;
  }

  /** Begins a sign-in; returns the provider's authorization URL for the browser. `binding`: the page's proof value. */
  async begin(providerId: string, binding: string, base: string, address: string): Promise<URL> {
    const provider = await this.liveProvider(providerId);
    if (!provider) throw new SignInRefused('unknown_provider');
    let config: client.Configuration;
    try {
      config = await this.deps.clients.forProvider(provider);
    } catch (err) {
      this.deps.log.warn({ providerId, ...failureForLog(err) }, 'an identity provider could not be discovered');
      throw this.refuse(refusalOf(err) === 'sign_in_failed' ? 'provider_unavailable' : refusalOf(err), {
        providerId,
        address,
      });
    }
    const verifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    const redirectUri = `${base}${SIGN_IN_CALLBACK_PATH}`;
    const state = await this.deps.pending.begin({
      flow: 'oidc',
      providerId,
      nonce,
      verifier,
      redirectUri,
      binding: sha256(binding),
    });
    return client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: provider.scopes,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      nonce,
      state,
    });
  }

  /** The provider sent the browser back (`query`: the callback's query). */
  async finish(query: URLSearchParams, address: string): Promise<Finished> {
    try {
      return { ok: true, code: await this.finishOrThrow(query, address) };
    } catch (err) {
      if (err instanceof SignInRefused) return { ok: false, reason: err.reason };
      this.deps.log.error({ ...failureForLog(err) }, 'finishing a sign-in failed');
      this.refuse('sign_in_failed', { address });
      return { ok: false, reason: 'sign_in_failed' };
    }
  }

  private async finishOrThrow(query: URLSearchParams, address: string): Promise<string> {
    const state = query.get('state');
    const pending = state ? await this.deps.pending.take(state) : null;
    if (!state || !pending || pending.flow !== 'oidc') throw this.refuse('sign_in_expired', { address });
    const providerId = pending.providerId;
    const provider = await this.liveProvider(providerId);
    if (!provider) throw this.refuse('unknown_provider', { providerId, address });

    let config: client.Configuration;
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    let claims: Claims;
    try {
      config = await this.deps.clients.forProvider(provider);
      // The address the provider redirected to, as registered: the same on every node, behind any proxy.
      const current = new URL(pending.redirectUri);
      current.search = query.toString();
      tokens = await client.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: pending.verifier,
        expectedNonce: pending.nonce,
        expectedState: state,
        idTokenExpected: true,
      });
      const idToken = tokens.claims();
      if (!idToken || issuedInFuture(idToken as Claims)) throw new SignInRefused('invalid_token');
      claims = await this.withUserInfo(provider, config, tokens.access_token, idToken as Claims);
    } catch (err) {
      if (err instanceof SignInRefused) throw this.refuse(err.reason, { providerId, address });
      const reason = refusalOf(err);
      this.deps.log.warn(
        { providerId, reason, ...failureForLog(err) },
        'a sign-in through an identity provider was refused',
      );
      throw this.refuse(reason, { providerId, address });
    }

    const person = {
      issuer: String(claims.iss),
      subject: String(claims.sub),
      via: { kind: 'oidc' as const, providerId },
      name: nameFromClaims(claims),
      usernameHint:
        typeof claims.preferred_username === 'string'
          ? claims.preferred_username
          : typeof claims.email === 'string'
            ? claims.email
            : null,
    };
    const mapped =
      provider.organisationId === null
        ? await this.deps.accounts.citizen(person, cprFromClaims(provider, claims))
        : await this.deps.accounts.staff(person, this.staffRole(provider, claims));
    // The subject identifies who tried; one that could be a CPR number is not written as it is.
    if (!mapped.ok)
      throw this.refuse(
        mapped.reason,
        { providerId, address, subject: redactCprNumbers(person.subject).slice(0, 200) },
        mapped.userId,
      );

    const endSessionUrl = this.endSessionUrl(provider, config, tokens.id_token, new URL(pending.redirectUri).origin);
    return this.deps.pending.handOff({
      kind: 'session',
      userId: mapped.user.id,
      binding: pending.binding,
      endSessionUrl,
      via: 'oidc',
      sourceId: providerId,
    });
  }

  /** The role and organisation the claims give, or why none. */
  private staffRole(
    provider: IdentityProvider,
    claims: Claims,
  ): { role: Role; organisationId: string | null } | { refused: SignInRefusal } {
    if (!belongsToOrganisation(provider, claims)) return { refused: 'wrong_organisation' };
    const role = roleFromClaims(provider, claims);
    if (!role.ok) return { refused: role.reason };
    // Registered before --allow-admin existed, or without it: never the hub-wide admin role.
    if (role.role === 'admin' && !provider.allowAdmin) return { refused: 'no_role' };
    return { role: role.role, organisationId: provider.organisationId };
  }

  /** Claims the ID token lacks (some providers release roles only at userinfo) are read there. */
  private async withUserInfo(
    provider: IdentityProvider,
    config: client.Configuration,
    accessToken: string,
    idToken: Claims,
  ): Promise<Claims> {
    const needed = [provider.roleClaim, provider.cprClaim, provider.organisationClaim].filter(
      (c): c is string => c !== null,
    );
    if (needed.every((c) => claimAt(idToken, c) !== undefined) || !config.serverMetadata().userinfo_endpoint)
      return idToken;
    const info = (await client.fetchUserInfo(config, accessToken, String(idToken.sub))) as Claims;
    // The ID token's own claims (iss, sub, aud, nonce) win over anything userinfo says.
    return { ...info, ...idToken };
  }

  /**
   * RP-initiated logout, when the provider offers it: with the ID token as hint, except from
   * the citizens' login, whose ID token holds a CPR number that must not travel in an address
   * (the client id names the client there instead).
   */
  private endSessionUrl(
    provider: IdentityProvider,
    config: client.Configuration,
    idToken: string | undefined,
    origin: string,
  ): string | null {
    if (!config.serverMetadata().end_session_endpoint) return null;
    const hint: Record<string, string> =
      provider.cprClaim === null && idToken ? { id_token_hint: idToken } : { client_id: provider.clientId };
    return client.buildEndSessionUrl(config, { ...hint, post_logout_redirect_uri: `${origin}/` }).href;
  }

  /** The page exchanges its one-time code (and its binding value) for the session. */
  async exchange(code: string, binding: string | undefined, address: string): Promise<LoginResponse> {
    const handoff = await this.deps.pending.takeHandoff(code);
    if (!handoff || handoff.kind !== 'session') throw new SignInRefused('sign_in_expired');
    const via =
      handoff.via === 'oidc'
        ? { via: 'oidc', providerId: handoff.sourceId }
        : { via: 'smart', smartClientId: handoff.sourceId };
    // Only the tab that began the sign-in can finish it (a code sent to someone else is worthless).
    if (handoff.binding !== null && (!binding || sha256(binding) !== handoff.binding))
      throw this.refuse('sign_in_expired', { ...via, address, binding: 'mismatch' }, handoff.userId);
    // The provider or practice system that gave the code is still registered.
    const source =
      handoff.via === 'oidc'
        ? await this.liveProvider(handoff.sourceId)
        : await this.deps.store.identity.getSmartClient(handoff.sourceId);
    if (!source || source.removed) throw this.refuse('unknown_provider', { ...via, address }, handoff.userId);
    const user = await this.deps.store.getUser(handoff.userId);
    if (!user || user.disabled) throw this.refuse('sign_in_failed', { ...via, address }, handoff.userId);
    const organisation = user.organisationId ? await this.deps.store.getOrganisation(user.organisationId) : null;
    // The session remembers its source: removing the provider or practice system ends it.
    const { token, expiresAt } = await this.deps.sessions.start(user.id, handoff.sourceId);
    this.deps.audit.record({ actorId: user.id, action: 'login', outcome: 'allowed', details: { ...via, address } });
    return {
      token,
      expiresAt: expiresAt.toISOString(),
      user: userView({ user, organisation }),
      ...(handoff.endSessionUrl ? { endSessionUrl: handoff.endSessionUrl } : {}),
    };
  }
}
