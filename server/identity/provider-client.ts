import * as client from 'openid-client';
import { z } from 'zod';
import type { SignInRefusal } from '../../shared/sign-in.ts';
import type { IdentityProvider, SmartClient } from '../store/records.ts';

/**
 * CareHub as a relying party (openid-client): a provider's configuration, discovered once in a
 * while per node; a SMART practice system's, from its `.well-known/smart-configuration`. Every
 * ID token is checked for issuer, audience, expiry, nonce and its signature against the
 * provider's JWKS (non-repudiation checks on: a token is not trusted for arriving over TLS).
 * Plain http only with OIDC_ALLOW_INSECURE_HTTP=on (tests, the demo).
 */

/** A discovered configuration is used this long, then discovered again (keys and endpoints rotate). */
const DISCOVERY_TTL_MS = 10 * 60_000;
/** Requests to a provider give up after this (a provider that hangs must not hold a sign-in). */
const TIMEOUT_SECONDS = 10;

/** The provider cannot be used: it did not answer, answered nonsense, or its secret is not set here. */
export class ProviderUnavailable extends Error {}

const HttpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u));
/** What CareHub needs of `.well-known/smart-configuration` (SMART App Launch 2.0, with `sso-openid-connect`). */
const SmartConfiguration = z.object({
  issuer: HttpUrl,
  jwks_uri: HttpUrl,
  authorization_endpoint: HttpUrl,
  token_endpoint: HttpUrl,
  userinfo_endpoint: HttpUrl.optional(),
});
export type SmartServer = z.infer<typeof SmartConfiguration>;

export interface ProviderClientOptions {
  allowInsecureHttp: boolean;
  /** The client secret in this environment variable (the store keeps only the variable's name). */
  secretOf(variable: string): string | undefined;
}

export class ProviderClients {
  private readonly discovered = new Map<string, { at: number; config: Promise<client.Configuration> }>();

  constructor(private readonly opts: ProviderClientOptions) {}

  private clientAuth(secretEnv: string | null): client.ClientAuth {
    if (!secretEnv) return client.None();
    const secret = this.opts.secretOf(secretEnv);
    if (!secret)
      throw new ProviderUnavailable(`the environment variable ${secretEnv} holding the client secret is not set`);
    return client.ClientSecretBasic(secret);
  }

  private get execute(): ((config: client.Configuration) => void)[] {
    return this.opts.allowInsecureHttp
      ? [client.enableNonRepudiationChecks, client.allowInsecureRequests]
      : [client.enableNonRepudiationChecks];
  }

  /** The provider's configuration, discovered from its issuer (cached; a failed discovery is not). */
  async forProvider(p: IdentityProvider): Promise<client.Configuration> {
    const key = [p.id, p.issuer, p.clientId, p.clientSecretEnv ?? ''].join('\n');
    const cached = this.discovered.get(key);
    if (cached && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.config;
    const auth = this.clientAuth(p.clientSecretEnv);
    const config = client.discovery(new URL(p.issuer), p.clientId, undefined, auth, {
      execute: this.execute,
      timeout: TIMEOUT_SECONDS,
    });
    const entry = { at: Date.now(), config };
    this.discovered.set(key, entry);
    config.catch(() => {
      if (this.discovered.get(key) === entry) this.discovered.delete(key);
    });
    return config;
  }

  /** A practice system's authorization server, from its FHIR server's SMART configuration. */
  async smartServer(fhirBase: string): Promise<SmartServer> {
    const url = new URL(`${fhirBase}/.well-known/smart-configuration`);
    if (url.protocol !== 'https:' && !(this.opts.allowInsecureHttp && url.protocol === 'http:'))
      throw new ProviderUnavailable('the practice system is not on https');
    let body: unknown;
    try {
      const response = await fetch(url, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(TIMEOUT_SECONDS * 1000),
        redirect: 'error',
      });
      if (!response.ok) throw new ProviderUnavailable(`smart-configuration answered ${response.status}`);
      body = await response.json();
    } catch (err) {
      throw err instanceof ProviderUnavailable ? err : new ProviderUnavailable('the practice system did not answer');
    }
    const parsed = SmartConfiguration.safeParse(body);
    if (!parsed.success)
      throw new ProviderUnavailable('the practice system’s smart-configuration lacks what an OpenID sign-in needs');
    for (const endpoint of [
      parsed.data.issuer,
      parsed.data.jwks_uri,
      parsed.data.authorization_endpoint,
      parsed.data.token_endpoint,
    ]) {
      if (!endpoint.startsWith('https:') && !this.opts.allowInsecureHttp)
        throw new ProviderUnavailable('the practice system’s endpoints are not on https');
    }
    return parsed.data;
  }

  /** The relying-party configuration for a practice system's authorization server. */
  forSmart(server: SmartServer, c: SmartClient): client.Configuration {
    const config = new client.Configuration(server, c.clientId, undefined, this.clientAuth(c.clientSecretEnv));
    for (const apply of this.execute) apply(config);
    config.timeout = TIMEOUT_SECONDS;
    return config;
  }
}

/**
 * A practice system's authorization server's issuer, from its smart-configuration, for pinning
 * at registration; null when it does not answer (then its first launch pins it).
 */
export async function discoverAuthIssuer(fhirBase: string, allowInsecureHttp: boolean): Promise<string | null> {
  try {
    return (await new ProviderClients({ allowInsecureHttp, secretOf: () => undefined }).smartServer(fhirBase)).issuer;
  } catch {
    return null;
  }
}

/** Why a round trip with a provider failed, as a reason the page can word (never the provider's own words). */
export function refusalOf(err: unknown): SignInRefusal {
  if (err instanceof ProviderUnavailable) return 'provider_unavailable';
  const e = err as { code?: unknown; error?: unknown; status?: unknown; name?: unknown };
  switch (e.code) {
    case 'OAUTH_AUTHORIZATION_RESPONSE_ERROR':
      return e.error === 'access_denied' || e.error === 'login_required' || e.error === 'consent_required'
        ? 'access_denied'
        : 'provider_refused';
    case 'OAUTH_RESPONSE_BODY_ERROR':
      return typeof e.status === 'number' && e.status >= 500 ? 'provider_unavailable' : 'provider_refused';
    case 'OAUTH_JWT_CLAIM_COMPARISON_FAILED':
    case 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED':
    case 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED':
    case 'OAUTH_KEY_SELECTION_FAILED':
    case 'OAUTH_INVALID_RESPONSE':
    case 'OAUTH_PARSE_ERROR':
      return 'invalid_token';
    case 'OAUTH_RESPONSE_IS_NOT_JSON':
    case 'OAUTH_RESPONSE_IS_NOT_CONFORM':
    case 'OAUTH_INVALID_SERVER_METADATA':
    case 'OAUTH_MISSING_SERVER_METADATA':
    case 'OAUTH_HTTP_REQUEST_FORBIDDEN':
    case 'OAUTH_REQUEST_PROTOCOL_FORBIDDEN':
      return 'provider_unavailable';
  }
  // fetch's own failures (refused, reset, timed out) carry no OAuth code.
  if (e.name === 'TypeError' || e.name === 'TimeoutError' || e.name === 'AbortError') return 'provider_unavailable';
  return 'sign_in_failed';
}

/** What may be logged of such a failure: its kind, never a response body, token or claim. */
export function failureForLog(err: unknown): { error: string; code?: string } {
  const e = err as { name?: unknown; code?: unknown };
  return {
    error: typeof e.name === 'string' ? e.name : 'Error',
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
  };
}
