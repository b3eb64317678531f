import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { IdentityStore } from '../store/identity-store.ts';

/**
 * Sign-ins in progress and the one-time codes that end them, kept in the store (never in the
 * process: the provider may send the browser back to another node). Each is found by a hash of
 * the random value the browser carries (OAuth `state`, or the code in the page's fragment), is
 * taken once, and expires: a replayed callback or code finds nothing.
 */

/** How long a sign-in may take at the provider. */
export const SIGN_IN_MINUTES = 10;
/** How long the page has to exchange its one-time code (it does so at once on loading). */
const HANDOFF_SECONDS = 120;

const ServerMetadata = z.object({
  issuer: z.string(),
  authorization_endpoint: z.string(),
  token_endpoint: z.string(),
  jwks_uri: z.string(),
  userinfo_endpoint: z.string().optional(),
});

export const SignInState = z.discriminatedUnion('flow', [
  z.object({
    flow: z.literal('oidc'),
    providerId: z.string(),
    nonce: z.string(),
    verifier: z.string(),
    redirectUri: z.string(),
    /** sha256 of the browser's binding value (shared/sign-in.ts Binding). */
    binding: z.string(),
  }),
  z.object({
    flow: z.literal('smart'),
    smartClientId: z.string(),
    nonce: z.string(),
    verifier: z.string(),
    redirectUri: z.string(),
    /** An EHR launch (with a patient) or a standalone one (the GP's patient list). */
    ehrLaunch: z.boolean(),
    /** A standalone launch: sha256 of the value in the browser's binding cookie (null: an EHR launch, in a frame). */
    binding: z.string().nullable().default(null),
    /** The authorization server the launch discovered, used again for the callback. */
    server: ServerMetadata,
  }),
]);
export type SignInState = z.infer<typeof SignInState>;

export const Handoff = z.discriminatedUnion('kind', [
  /** A signed-in session for the app. `binding`: null when no page of ours began it (a SMART standalone launch). */
  z.object({
    kind: z.literal('session'),
    userId: z.string(),
    binding: z.string().nullable(),
    endSessionUrl: z.string().nullable(),
    via: z.enum(['oidc', 'smart']),
    /** The identity provider's or SMART client's id. */
    sourceId: z.string(),
  }),
  /** A launched plan: an embed-kind session for it, acting as the GP. */
  z.object({
    kind: z.literal('embed'),
    userId: z.string(),
    linkId: z.string(),
    planId: z.string(),
    smartClientId: z.string(),
  }),
]);
export type Handoff = z.infer<typeof Handoff>;

export const sha256 = (value: string): string => createHash('sha256').update(value).digest('base64url');
const randomValue = (): string => randomBytes(32).toString('base64url');

export class PendingSignIns {
  constructor(private readonly store: IdentityStore) {}

  /** Keeps a sign-in's secrets; returns the OAuth `state` that finds them again. */
  async begin(state: SignInState): Promise<string> {
    const value = randomValue();
    await this.store.putPending(
      sha256(value),
      'state',
      JSON.stringify(state),
      new Date(Date.now() + SIGN_IN_MINUTES * 60_000).toISOString(),
    );
    return value;
  }

  /** The sign-in this `state` began, once; null when unknown, used, expired or unreadable. */
  async take(state: string): Promise<SignInState | null> {
    return read(SignInState, await this.store.takePending(sha256(state), 'state', new Date().toISOString()));
  }

  /** Keeps what a finished sign-in gives; returns the one-time code the page exchanges for it. */
  async handOff(handoff: Handoff): Promise<string> {
    const code = randomValue();
    await this.store.putPending(
      sha256(code),
      'handoff',
      JSON.stringify(handoff),
      new Date(Date.now() + HANDOFF_SECONDS * 1000).toISOString(),
    );
    return code;
  }

  async takeHandoff(code: string): Promise<Handoff | null> {
    return read(Handoff, await this.store.takePending(sha256(code), 'handoff', new Date().toISOString()));
  }
}

/** Fails closed: a stored value that does not parse is no value. */
function read<T>(schema: z.ZodType<T>, payload: string | null): T | null {
  if (payload === null) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(payload));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
