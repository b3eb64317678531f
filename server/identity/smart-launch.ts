import { randomUUID } from 'node:crypto';
import * as client from 'openid-client';
import type { Logger } from 'pino';
import { z } from 'zod';
import { redactCprNumbers } from '../../shared/cpr-in-text.ts';
import { parseCpr } from '../../shared/cpr.ts';
import { CPR_SYSTEM } from '../../shared/fhir-systems.ts';
import { SMART_CALLBACK_PATH, type SignInRefusal } from '../../shared/sign-in.ts';
import { OBJECTED, userView, type AccessControl } from '../auth/access.ts';
import type { TokenService } from '../auth/tokens.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { RefusalCoalescer } from '../audit/refusal-coalescer.ts';
import type { EmbedLink } from '../store/access-store.ts';
import type { Plan, SmartClient, User } from '../store/records.ts';
import type { Store } from '../store/store.ts';
import type { IdentityAccounts } from './accounts.ts';
import { issuedInFuture, nameFromClaims, type Claims } from './claims.ts';
import { sha256, type PendingSignIns } from './pending.ts';
import { failureForLog, refusalOf, type ProviderClients } from './provider-client.ts';
import { authIssuerConflict, normaliseIssuer, normaliseOidcIssuer } from './registration.ts';
import { SignInRefused } from './oidc-sign-in.ts';

/**
 * SMART App Launch from GP practice systems. An EHR launch (`/smart/launch?iss=…&launch=…`)
 * opens the patient the GP has open: CareHub signs the GP in at the practice system's
 * authorization server (`launch openid fhirUser patient/Patient.read`), reads the Patient from
 * its FHIR server for the CPR number, and — when the practice is on that patient's care team —
 * opens the plan in the embedded view as an embed-kind session acting as the GP. A standalone
 * launch (no `launch`) signs the GP in to the app, at their patient list. Nothing needs a
 * cookie: the launch's secrets are kept in the store under its OAuth `state`.
 */

const EHR_SCOPES = 'launch openid fhirUser patient/Patient.read';
const STANDALONE_SCOPES = 'openid fhirUser';
/** A FHIR logical id. */
const FhirId = z.string().regex(/^[A-Za-z0-9.-]{1,64}$/);
const FhirPatient = z.object({
  resourceType: z.literal('Patient'),
  identifier: z.array(z.object({ system: z.string().optional(), value: z.string().optional() })).optional(),
});
/** `fhirUser` as a practice system names its GPs: relative to its FHIR base, or under it. */
const PRACTITIONER_REF = /^(Practitioner|PractitionerRole)\/([A-Za-z0-9.-]{1,64})$/;

/**
 * The Practitioner (or PractitionerRole) `fhirUser` names under this FHIR base, or null: a
 * Patient, a RelatedPerson, nothing, or a resource of another FHIR server is no GP here.
 */
export function practitionerOf(fhirUser: unknown, fhirBase: string): { type: string; id: string } | null {
  if (typeof fhirUser !== 'string' || fhirUser.length > 600) return null;
  let relative = fhirUser;
  if (/^[a-z][a-z0-9+.-]*:/i.test(fhirUser)) {
    let href: string;
    try {
      href = new URL(fhirUser).href;
    } catch {
      return null;
    }
    const prefix = `${fhirBase}/`;
    if (!href.startsWith(prefix)) return null;
    relative = href.slice(prefix.length);
  }
  const [, type, id] = PRACTITIONER_REF.exec(relative) ?? [];
  return type && id ? { type, id } : null;
}

/** A launched plan's session lasts at most this long (and never beyond SESSION_TTL_MINUTES). */
const LAUNCH_SESSION_MS = 12 * 3_600_000;

export interface SmartDeps {
  store: Store;
  audit: AuditLog;
  access: AccessControl;
  tokens: TokenService;
  log: Logger;
  clients: ProviderClients;
  pending: PendingSignIns;
  accounts: IdentityAccounts;
  sessionTtlMinutes: number;
}

/** Where a launch goes next: the authorization server, or CareHub's page with a code or a refusal. */
export type LaunchStep =
  | { kind: 'authorize'; url: URL; client: SmartClient }
  | { kind: 'refused'; reason: SignInRefusal; client: SmartClient | null };

export type LaunchEnd =
  | { kind: 'plan'; code: string; client: SmartClient }
  | { kind: 'session'; code: string; client: SmartClient }
  | { kind: 'refused'; reason: SignInRefusal; client: SmartClient | null };

interface Known {
  client: SmartClient | null;
  user?: User;
  patientId?: string;
  planId?: string;
}

export class SmartLaunch {
  private readonly refusals = new RefusalCoalescer();
  constructor(private readonly deps: SmartDeps) {}

  /** The registered practice system a launch's `iss` names, if any. */
  async clientFor(iss: string): Promise<SmartClient | null> {
    const wanted = normaliseIssuer(iss);
    return (
      (await this.deps.store.identity.listSmartClients()).find((c) => normaliseIssuer(c.issuer) === wanted) ?? null
    );
  }

  async clientById(id: string): Promise<SmartClient | null> {
    const c = await this.deps.store.identity.getSmartClient(id);
    return c && !c.removed ? c : null;
  }

  private refuse(
    reason: SignInRefusal,
    known: Known,
    details: Record<string, unknown> = {},
  ): { kind: 'refused'; reason: SignInRefusal; client: SmartClient | null } {
    // Nobody and nothing known (a garbage callback, an unknown issuer): coalesced per address.
    const anonymous = !known.user && !known.client && !known.patientId;
    const left = anonymous ? this.refusals.admit(`${reason}\n${String(details.address ?? '')}`) : 0;
    if (left === null) return { kind: 'refused', reason, client: known.client };
    this.deps.audit.record({
      actorId: known.user?.id ?? null,
      action: 'smart.launch',
      patientId: known.patientId ?? null,
      planId: known.planId ?? null,
      outcome: 'refused',
      details: {
        reason,
        ...(known.client ? { smartClientId: known.client.id } : {}),
        ...details,
        ...(left > 0 ? { coalesced: left } : {}),
      },
    });
    return { kind: 'refused', reason, client: known.client };
  }

  /**
   * Why this authorization server may not sign in the practice system's GPs, or null. Its issuer
   * is pinned (at registration, else now at the first launch): another one is refused, as is
   * one that is an identity provider's or another practice system's issuer.
   */
  private async authServerRefusal(smart: SmartClient, issuer: string): Promise<string | null> {
    const presented = normaliseOidcIssuer(issuer);
    if (smart.authIssuer !== null)
      return normaliseOidcIssuer(smart.authIssuer) === presented ? null : 'not the pinned authorization server';
    const conflict = await authIssuerConflict(this.deps.store, presented, smart.id);
    if (conflict) return conflict;
    if (await this.deps.store.identity.pinSmartAuthIssuer(smart.id, presented)) {
      this.deps.audit.record({
        actorId: null,
        action: 'smart.auth-issuer-pinned',
        outcome: 'allowed',
        details: { smartClientId: smart.id, authIssuer: presented },
      });
      return null;
    }
    // Another launch pinned it meanwhile: that one holds.
    const now = await this.deps.store.identity.getSmartClient(smart.id);
    return now?.authIssuer && normaliseOidcIssuer(now.authIssuer) === presented
      ? null
      : 'not the pinned authorization server';
  }

  /**
   * A practice system was removed: the embed links its launches made are revoked, and the
   * sessions open on them close (on every node) as access is looked at again.
   */
  async endLaunchesOf(smartClientId: string, accessChanged: (patientId: string) => Promise<void>): Promise<number> {
    const plans = await this.deps.store.accessGrants.revokeEmbedLinksOfSmartClient(
      smartClientId,
      new Date().toISOString(),
    );
    for (const planId of plans) {
      const plan = await this.deps.store.getPlan(planId);
      if (plan) await accessChanged(plan.patientId);
    }
    return plans.length;
  }

  /**
   * `/smart/launch`: `launch` absent is a standalone launch; `binding` then is the value the
   * route set in the browser's binding cookie (its code is good only with it).
   */
  async launch(
    iss: string,
    launch: string | undefined,
    base: string,
    address: string,
    binding: string | null = null,
  ): Promise<LaunchStep> {
    const found = await this.clientFor(iss);
    // The issuer is told as given (bounded), except anything that could be a CPR number.
    if (!found)
      return this.refuse('unknown_issuer', { client: null }, { issuer: redactCprNumbers(iss).slice(0, 300), address });
    try {
      const server = await this.deps.clients.smartServer(found.issuer);
      const mismatch = await this.authServerRefusal(found, server.issuer);
      if (mismatch) {
        this.deps.log.warn(
          { smartClientId: found.id, why: mismatch },
          'a SMART launch named another authorization server',
        );
        return this.refuse('invalid_token', { client: found }, { address, why: mismatch });
      }
      const config = this.deps.clients.forSmart(server, found);
      const verifier = client.randomPKCECodeVerifier();
      const nonce = client.randomNonce();
      const redirectUri = `${base}${SMART_CALLBACK_PATH}`;
      const state = await this.deps.pending.begin({
        flow: 'smart',
        smartClientId: found.id,
        nonce,
        verifier,
        redirectUri,
        ehrLaunch: launch !== undefined,
        binding: launch === undefined && binding ? sha256(binding) : null,
        server,
      });
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: launch !== undefined ? EHR_SCOPES : STANDALONE_SCOPES,
        // SMART: the FHIR server the token is for, and the EHR's launch context.
        aud: found.issuer,
        ...(launch !== undefined ? { launch } : {}),
        state,
        nonce,
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      });
      return { kind: 'authorize', url, client: found };
    } catch (err) {
      this.deps.log.warn(
        { smartClientId: found.id, ...failureForLog(err) },
        'a SMART launch could not reach the practice system',
      );
      return this.refuse(
        refusalOf(err) === 'sign_in_failed' ? 'provider_unavailable' : refusalOf(err),
        { client: found },
        { address },
      );
    }
  }

  /** `/smart/callback`: the practice system's authorization server sent the frame back. */
  async finish(query: URLSearchParams, address: string): Promise<LaunchEnd> {
    const known: Known = { client: null };
    try {
      return await this.finishOrRefuse(query, address, known);
    } catch (err) {
      if (err instanceof SignInRefused) return this.refuse(err.reason, known, { address });
      const reason = refusalOf(err);
      this.deps.log.warn(
        { smartClientId: known.client?.id, reason, ...failureForLog(err) },
        'a SMART launch was refused',
      );
      return this.refuse(reason, known, { address });
    }
  }

  private async finishOrRefuse(query: URLSearchParams, address: string, known: Known): Promise<LaunchEnd> {
    const state = query.get('state');
    const pending = state ? await this.deps.pending.take(state) : null;
    if (!state || !pending || pending.flow !== 'smart') throw new SignInRefused('sign_in_expired');
    known.client = await this.clientById(pending.smartClientId);
    const smart = known.client;
    if (!smart) throw new SignInRefused('unknown_provider');
    // The launch began against the pinned authorization server (checked then); still so.
    if (!smart.authIssuer || normaliseOidcIssuer(smart.authIssuer) !== normaliseOidcIssuer(pending.server.issuer))
      throw new SignInRefused('invalid_token');

    const config = this.deps.clients.forSmart(pending.server, smart);
    const current = new URL(pending.redirectUri);
    current.search = query.toString();
    const tokens = await client.authorizationCodeGrant(config, current, {
      pkceCodeVerifier: pending.verifier,
      expectedNonce: pending.nonce,
      expectedState: state,
      idTokenExpected: true,
    });
    const claims = tokens.claims() as Claims | undefined;
    if (!claims || issuedInFuture(claims)) throw new SignInRefused('invalid_token');
    const fhirUser = typeof claims.fhirUser === 'string' ? claims.fhirUser : null;
    // Only the practice's doctors: a Practitioner of the launched FHIR server (not a portal patient).
    const practitioner = practitionerOf(claims.fhirUser, smart.issuer);
    if (!practitioner) throw new SignInRefused('not_a_practitioner');

    // The GP, as the practice system knows them; a GP of the practice here.
    const mapped = await this.deps.accounts.staff(
      {
        issuer: String(claims.iss),
        subject: String(claims.sub),
        via: { kind: 'smart', smartClientId: smart.id },
        name: nameFromClaims(claims) ?? redactCprNumbers(`GP (${practitioner.type}/${practitioner.id})`),
        usernameHint: null,
      },
      { role: 'gp', organisationId: smart.organisationId },
    );
    if (!mapped.ok) throw new SignInRefused(mapped.reason);
    known.user = mapped.user;

    if (!pending.ehrLaunch) {
      const code = await this.deps.pending.handOff({
        kind: 'session',
        userId: mapped.user.id,
        // Only the browser that began the launch (its binding cookie) may exchange the code.
        binding: pending.binding,
        endSessionUrl: null,
        via: 'smart',
        sourceId: smart.id,
      });
      return { kind: 'session', code, client: smart };
    }

    const context = FhirId.safeParse(tokens.patient);
    if (!context.success) throw new SignInRefused('no_patient_context');
    const cpr = await this.readCpr(config, smart, tokens.access_token, context.data);
    const patient = await this.deps.store.getPatientByCpr(cpr);
    if (!patient) throw new SignInRefused('no_patient');
    known.patientId = patient.id;
    const plan = newestActive(await this.deps.store.listPlansForPatient(patient.id));
    if (!plan) throw new SignInRefused('no_plan');
    known.planId = plan.id;

    // The practice (or the GP in person) must be on the care team; break-the-glass never carries into a launch.
    const access = await this.deps.access.planAccess(
      { user: mapped.user, organisation: mapped.organisation, expiresAt: Number.POSITIVE_INFINITY },
      plan.id,
    );
    if (!access.ok) throw new SignInRefused(access.reason === OBJECTED ? 'objected' : 'not_on_care_team');
    if (access.via !== 'care_team') throw new SignInRefused('not_on_care_team');

    const now = new Date();
    const link: EmbedLink = {
      id: randomUUID(),
      planId: plan.id,
      access: 'edit',
      createdBy: mapped.user.id,
      createdBySystem: smart.name,
      createdByKey: null,
      actsAs: mapped.user.id,
      created: now.toISOString(),
      expires: new Date(
        now.getTime() + Math.min(LAUNCH_SESSION_MS, this.deps.sessionTtlMinutes * 60_000),
      ).toISOString(),
      revoked: null,
      smartClientId: smart.id,
    };
    await this.deps.store.accessGrants.addEmbedLink(link);
    this.deps.audit.record({
      actorId: mapped.user.id,
      action: 'smart.launch',
      patientId: patient.id,
      planId: plan.id,
      outcome: 'allowed',
      details: {
        smartClientId: smart.id,
        linkId: link.id,
        address,
        ...(fhirUser ? { fhirUser: redactCprNumbers(fhirUser).slice(0, 200) } : {}),
      },
    });
    const code = await this.deps.pending.handOff({
      kind: 'embed',
      userId: mapped.user.id,
      linkId: link.id,
      planId: plan.id,
      smartClientId: smart.id,
    });
    return { kind: 'plan', code, client: smart };
  }

  /** The CPR number of the patient in context, from the practice system's FHIR server. */
  private async readCpr(
    config: client.Configuration,
    smart: SmartClient,
    accessToken: string,
    patientId: string,
  ): Promise<string> {
    const url = new URL(`${smart.issuer}/Patient/${encodeURIComponent(patientId)}`);
    const response = await client.fetchProtectedResource(
      config,
      accessToken,
      url,
      'GET',
      undefined,
      new Headers({ accept: 'application/fhir+json' }),
    );
    if (!response.ok) throw new SignInRefused(response.status >= 500 ? 'provider_unavailable' : 'provider_refused');
    const parsed = FhirPatient.safeParse(await response.json().catch(() => null));
    const values = (parsed.success ? (parsed.data.identifier ?? []) : []).filter(
      (i) => i.system === CPR_SYSTEM && typeof i.value === 'string',
    );
    const cpr = values.length === 1 ? parseCpr(values[0]!.value as string) : null;
    if (!cpr?.ok) throw new SignInRefused('no_cpr');
    return cpr.cpr;
  }

  /** `POST /smart/session`: the launch's one-time code for its embed session (kept in the page's memory). */
  async exchange(code: string): Promise<{
    token: string;
    planId: string;
    access: 'edit' | 'read';
    expiresAt: string;
    user: ReturnType<typeof userView>;
  }> {
    const handoff = await this.deps.pending.takeHandoff(code);
    if (!handoff || handoff.kind !== 'embed') throw new SignInRefused('sign_in_expired');
    // A practice system removed since the launch: what it launched is over.
    if (!(await this.clientById(handoff.smartClientId))) throw new SignInRefused('unknown_provider');
    const link = await this.deps.store.accessGrants.getEmbedLink(handoff.linkId);
    if (!link || link.revoked || !(Date.parse(link.expires) > Date.now())) throw new SignInRefused('sign_in_expired');
    const token = await this.deps.tokens.issueEmbed(
      'embed-session',
      link.id,
      link.planId,
      new Date(link.expires),
      'edit',
    );
    const auth = await this.deps.access.authenticate(token);
    const access = auth.ok ? await this.deps.access.planAccess(auth.principal, link.planId) : null;
    if (!auth.ok || !access?.ok) {
      this.deps.audit.record({
        actorId: handoff.userId,
        action: 'embed-link.use',
        planId: link.planId,
        outcome: 'refused',
        details: {
          reason: access && !access.ok ? access.reason : 'the launch acts as nobody who may treat patients',
          linkId: link.id,
          embed: true,
          smartClientId: handoff.smartClientId,
        },
      });
      throw new SignInRefused(access && !access.ok && access.reason === OBJECTED ? 'objected' : 'not_on_care_team');
    }
    this.deps.audit.record({
      actorId: handoff.userId,
      action: 'embed-link.use',
      planId: link.planId,
      patientId: access.patient.id,
      outcome: 'allowed',
      details: { linkId: link.id, embed: true, smartClientId: handoff.smartClientId },
    });
    return { token, planId: link.planId, access: 'edit', expiresAt: link.expires, user: userView(auth.principal) };
  }
}

/** The patient's plan a launch opens: the newest active one. */
function newestActive(plans: Plan[]): Plan | null {
  return plans.filter((p) => p.status === 'active').sort((a, b) => b.created.localeCompare(a.created))[0] ?? null;
}
