import { Router, type Response } from 'express';
import type { IdentityProviderView, SmartClientView } from '../../../shared/sign-in.ts';
import {
  checkNewProvider,
  checkNewSmartClient,
  NewIdentityProviderInput,
  NewSmartClientInput,
  RegistrationError,
} from '../../identity/registration.ts';
import { discoverAuthIssuer } from '../../identity/provider-client.ts';
import type { IdentityProvider, Organisation, SmartClient } from '../../store/records.ts';
import { principalOf } from '../authenticate.ts';
import { badRequest, forbidden, notFound, parse } from '../errors.ts';
import type { HttpDeps } from '../http-deps.ts';

export function providerView(p: IdentityProvider, organisations: Organisation[]): IdentityProviderView {
  const { removed: _removed, ...rest } = p;
  return { ...rest, organisationName: organisations.find((o) => o.id === p.organisationId)?.name ?? null };
}

export function smartClientView(c: SmartClient, organisations: Organisation[]): SmartClientView {
  const { removed: _removed, ...rest } = c;
  return { ...rest, organisationName: organisations.find((o) => o.id === c.organisationId)?.name ?? null };
}

/**
 * `/admin/identity-providers`, `/admin/smart-clients`: the administrator registers and removes
 * identity providers and SMART practice systems (the same checks as `carehub idp` and
 * `carehub smart-client`: server/identity/registration.ts). Secrets are never sent here: only
 * the name of the environment variable that holds one on the hub's nodes.
 */
export function adminIdentityRoutes(deps: HttpDeps): Router {
  const router = Router();
  const admin = (res: Response) => {
    const p = principalOf(res);
    if (p.user.role !== 'admin') throw forbidden('administrators only');
    return p;
  };
  const allowInsecureHttp = deps.config.oidcAllowInsecureHttp === 'on';
  const registered = async <T>(check: () => Promise<T>): Promise<T> => {
    try {
      return await check();
    } catch (err) {
      if (err instanceof RegistrationError) throw badRequest(err.message);
      throw err;
    }
  };

  router.get('/identity-providers', async (_req, res) => {
    admin(res);
    const organisations = await deps.store.listOrganisations();
    res.json((await deps.store.identity.listProviders()).map((p) => providerView(p, organisations)));
  });

  router.post('/identity-providers', async (req, res) => {
    const p = admin(res);
    const input = parse(NewIdentityProviderInput, req.body);
    const provider = await registered(() => checkNewProvider(deps.store, input, { allowInsecureHttp }));
    await deps.store.identity.addProvider(provider);
    deps.audit.record({
      actorId: p.user.id,
      action: 'admin.identity-provider.add',
      outcome: 'allowed',
      details: {
        providerId: provider.id,
        organisationId: provider.organisationId,
        issuer: provider.issuer,
        ...(provider.allowAdmin ? { allowAdmin: true } : {}),
      },
    });
    res.status(201).json(providerView(provider, await deps.store.listOrganisations()));
  });

  router.delete('/identity-providers/:id', async (req, res) => {
    const p = admin(res);
    if (!(await deps.store.identity.removeProvider(String(req.params.id), new Date().toISOString())))
      throw notFound('no such identity provider');
    // Everyone signed in through it is signed out, open connections included (issue 19, finding 9).
    const signedOut = await deps.sessions.endProvider(String(req.params.id));
    deps.audit.record({
      actorId: p.user.id,
      action: 'admin.identity-provider.remove',
      outcome: 'allowed',
      details: { providerId: req.params.id, peopleSignedOut: signedOut },
    });
    res.status(204).end();
  });

  router.get('/smart-clients', async (_req, res) => {
    admin(res);
    const organisations = await deps.store.listOrganisations();
    res.json((await deps.store.identity.listSmartClients()).map((c) => smartClientView(c, organisations)));
  });

  router.post('/smart-clients', async (req, res) => {
    const p = admin(res);
    const input = parse(NewSmartClientInput, req.body);
    const smart = await registered(() =>
      checkNewSmartClient(deps.store, input, {
        allowInsecureHttp,
        authIssuerOf: (base) => discoverAuthIssuer(base, allowInsecureHttp),
      }),
    );
    await deps.store.identity.addSmartClient(smart);
    deps.audit.record({
      actorId: p.user.id,
      action: 'admin.smart-client.add',
      outcome: 'allowed',
      details: { smartClientId: smart.id, organisationId: smart.organisationId, issuer: smart.issuer },
    });
    res.status(201).json(smartClientView(smart, await deps.store.listOrganisations()));
  });

  router.delete('/smart-clients/:id', async (req, res) => {
    const p = admin(res);
    const id = String(req.params.id);
    if (!(await deps.store.identity.removeSmartClient(id, new Date().toISOString())))
      throw notFound('no such practice system');
    // What it launched ends with it: its embed links revoked, their open sessions closed.
    const plans = await deps.smart.endLaunchesOf(id, (patientId) => deps.accessChanged(patientId));
    const signedOut = await deps.sessions.endProvider(id);
    deps.audit.record({
      actorId: p.user.id,
      action: 'admin.smart-client.remove',
      outcome: 'allowed',
      details: { smartClientId: id, launchesEnded: plans, peopleSignedOut: signedOut },
    });
    res.status(204).end();
  });

  return router;
}
