import type { AuditAction } from '../../shared/audit-actions.ts';
import { parseArgs } from 'node:util';
import { SIGN_IN_CALLBACK_PATH, SMART_CALLBACK_PATH, SMART_LAUNCH_PATH } from '../../shared/sign-in.ts';
import { loadConfig } from '../config.ts';
import { openStore } from '../store/open-store.ts';
import type { Store } from '../store/store.ts';
import { discoverAuthIssuer } from './provider-client.ts';
import {
  checkNewProvider,
  checkNewSmartClient,
  NewIdentityProviderInput,
  NewSmartClientInput,
  RegistrationError,
} from './registration.ts';

/**
 * `carehub idp add|list|remove` and `carehub smart-client add|list|remove`: registering
 * identity providers and SMART practice systems from the command line (the admin page does the
 * same through /api/v1/admin). The checks are registration.ts's; each change is audited.
 */

export const IDENTITY_USAGE = `  idp add --organisation ID --issuer URL --client-id ID --role-claim C --role-map 'doctor=hospital_doctor,...'
          [--name N] [--client-secret-env VAR] [--scopes 'openid profile ...']
          [--organisation-claim C --organisation-value V] [--allow-admin]
                        register an organisation's OpenID Connect provider (a role map giving the
                        hub-wide admin role needs --allow-admin) (secret: the name of the
                        environment variable holding it); prints the redirect URI to register there
  idp add --cpr-claim C --name N --issuer URL --client-id ID [--client-secret-env VAR] [--scopes ...]
                        register the citizens' login (no organisation): the CPR claim names the patient
  idp list | idp remove --id ID
  smart-client add --organisation ID --issuer FHIR-BASE-URL --client-id ID [--client-secret-env VAR]
          [--name N] [--frame-origin ORIGIN]
                        register a GP practice system that launches CareHub (SMART App Launch); its
                        launches may frame CareHub from ORIGIN only (default: the issuer's origin)
  smart-client list | smart-client remove --id ID`;

type Out = (line: string) => void;

async function withStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(loadConfig());
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** The hub's address for the lines that say what to register (PUBLIC_URL, else a placeholder). */
function hubAddress(): string {
  return loadConfig().publicUrl ?? 'https://<the hub>';
}

function checked<T>(
  parsed:
    | { success: true; data: T }
    | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } },
): T {
  if (parsed.success) return parsed.data;
  throw new Error(
    parsed.error.issues
      .map((i) => `--${String(i.path[0] ?? '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${i.message}`)
      .join('\n'),
  );
}

async function register<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof RegistrationError) throw new Error(err.message);
    throw err;
  }
}

const cliAudit = (store: Store, action: AuditAction, details: Record<string, unknown>) =>
  store.appendAudit([
    {
      time: new Date().toISOString(),
      actorId: null,
      action,
      patientId: null,
      planId: null,
      outcome: 'allowed',
      details: { ...details, via: 'cli' },
    },
  ]);

export async function idpCommand(args: string[], out: Out = (l) => process.stdout.write(`${l}\n`)): Promise<void> {
  const [sub, ...rest] = args;
  const { values: v } = parseArgs({
    args: rest,
    options: {
      organisation: { type: 'string' },
      name: { type: 'string' },
      issuer: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret-env': { type: 'string' },
      scopes: { type: 'string' },
      'role-claim': { type: 'string' },
      'role-map': { type: 'string' },
      'cpr-claim': { type: 'string' },
      'organisation-claim': { type: 'string' },
      'organisation-value': { type: 'string' },
      'allow-admin': { type: 'boolean' },
      id: { type: 'string' },
    },
  });
  const allowInsecureHttp = loadConfig().oidcAllowInsecureHttp === 'on';
  await withStore(async (store) => {
    if (sub === 'add') {
      const input = checked(
        NewIdentityProviderInput.safeParse({
          organisationId: v.organisation ?? null,
          name: v.name,
          issuer: v.issuer,
          clientId: v['client-id'],
          clientSecretEnv: v['client-secret-env'],
          scopes: v.scopes,
          roleClaim: v['role-claim'],
          roleMap: v['role-map'],
          cprClaim: v['cpr-claim'],
          organisationClaim: v['organisation-claim'],
          organisationValue: v['organisation-value'],
          allowAdmin: v['allow-admin'],
        }),
      );
      const provider = await register(() => checkNewProvider(store, input, { allowInsecureHttp }));
      await store.identity.addProvider(provider);
      await cliAudit(store, 'admin.identity-provider.add', {
        providerId: provider.id,
        organisationId: provider.organisationId,
        issuer: provider.issuer,
        ...(provider.allowAdmin ? { allowAdmin: true } : {}),
      });
      out(
        `identity provider ${provider.id}: "${provider.name}" (${provider.organisationId ? `organisation ${provider.organisationId}` : 'the citizens’ login'})`,
      );
      out(`register at the provider, for client ${provider.clientId}:`);
      out(`  redirect URI              ${hubAddress()}${SIGN_IN_CALLBACK_PATH}`);
      out(`  post-logout redirect URI  ${hubAddress()}/`);
      if (provider.clientSecretEnv)
        out(`and set ${provider.clientSecretEnv} to the client secret on every node of the hub`);
    } else if (sub === 'list') {
      for (const p of await store.identity.listProviders()) {
        const reach = p.organisationId
          ? `organisation ${p.organisationId}, role claim ${p.roleClaim}: ${Object.entries(p.roleMap)
              .map(([k, r]) => `${k}=${r}`)
              .join(',')}`
          : `citizens, CPR claim ${p.cprClaim}`;
        out(
          `${p.id}  "${p.name}"  ${p.issuer}  client ${p.clientId}${p.clientSecretEnv ? ` (secret in ${p.clientSecretEnv})` : ''}  ${reach}`,
        );
      }
    } else if (sub === 'remove') {
      if (!v.id) throw new Error('idp remove needs --id ID');
      if (!(await store.identity.removeProvider(v.id, new Date().toISOString())))
        throw new Error(`no identity provider ${v.id} in use`);
      await cliAudit(store, 'admin.identity-provider.remove', { providerId: v.id });
      out(
        `removed identity provider ${v.id}: nobody signs in through it any more (sessions already given last until they expire)`,
      );
    } else {
      throw new Error('idp add | list | remove');
    }
  });
}

export async function smartClientCommand(
  args: string[],
  out: Out = (l) => process.stdout.write(`${l}\n`),
): Promise<void> {
  const [sub, ...rest] = args;
  const { values: v } = parseArgs({
    args: rest,
    options: {
      organisation: { type: 'string' },
      name: { type: 'string' },
      issuer: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret-env': { type: 'string' },
      'frame-origin': { type: 'string' },
      id: { type: 'string' },
    },
  });
  const allowInsecureHttp = loadConfig().oidcAllowInsecureHttp === 'on';
  await withStore(async (store) => {
    if (sub === 'add') {
      const input = checked(
        NewSmartClientInput.safeParse({
          organisationId: v.organisation,
          name: v.name,
          issuer: v.issuer,
          clientId: v['client-id'],
          clientSecretEnv: v['client-secret-env'],
          frameOrigin: v['frame-origin'],
        }),
      );
      const smart = await register(() =>
        checkNewSmartClient(store, input, {
          allowInsecureHttp,
          authIssuerOf: (base) => discoverAuthIssuer(base, allowInsecureHttp),
        }),
      );
      await store.identity.addSmartClient(smart);
      await cliAudit(store, 'admin.smart-client.add', {
        smartClientId: smart.id,
        organisationId: smart.organisationId,
        issuer: smart.issuer,
      });
      out(
        `practice system ${smart.id}: "${smart.name}" (organisation ${smart.organisationId}), framed from ${smart.frameOrigin} only`,
      );
      out(
        smart.authIssuer
          ? `its authorization server ${smart.authIssuer} is pinned: a launch naming another is refused`
          : 'its smart-configuration did not answer: its first launch pins its authorization server',
      );
      out(`register at the practice system, for client ${smart.clientId}:`);
      out(`  launch URL    ${hubAddress()}${SMART_LAUNCH_PATH}`);
      out(`  redirect URI  ${hubAddress()}${SMART_CALLBACK_PATH}`);
      out('  scopes        launch openid fhirUser patient/Patient.read');
      if (smart.clientSecretEnv) out(`and set ${smart.clientSecretEnv} to the client secret on every node of the hub`);
    } else if (sub === 'list') {
      for (const c of await store.identity.listSmartClients()) {
        out(
          `${c.id}  "${c.name}"  ${c.issuer}  client ${c.clientId}${c.clientSecretEnv ? ` (secret in ${c.clientSecretEnv})` : ''}  organisation ${c.organisationId}  framed from ${c.frameOrigin}`,
        );
      }
    } else if (sub === 'remove') {
      if (!v.id) throw new Error('smart-client remove needs --id ID');
      if (!(await store.identity.removeSmartClient(v.id, new Date().toISOString())))
        throw new Error(`no practice system ${v.id} in use`);
      // Its launched sessions are refused from now on; the hub closes their live copies when it
      // looks at access again (the admin page's removal closes them at once).
      const plans = await store.accessGrants.revokeEmbedLinksOfSmartClient(v.id, new Date().toISOString());
      await cliAudit(store, 'admin.smart-client.remove', { smartClientId: v.id, launchesEnded: plans.length });
      out(
        `removed practice system ${v.id}: its launches are refused from now on, and the ${plans.length} plan(s) it had open are closed to it`,
      );
    } else {
      throw new Error('smart-client add | list | remove');
    }
  });
}
