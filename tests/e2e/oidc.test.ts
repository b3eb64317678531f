/**
 * Browser test: signing in through an organisation's identity provider (issue 19). A real
 * OpenID provider (`oidc-provider`, with its own sign-in page) runs in the test; the hub is
 * `carehub serve` with it registered through `carehub idp add`. A doctor clicks "Log ind med
 * Region Hovedstaden", signs in at the provider, comes back signed in and opens Carl Jensen's
 * plan; no address the browser asked for holds the session token. A porter (no mapped role) gets
 * the refusal page in Danish; signing out goes on to the provider's logout. With
 * PASSWORD_LOGIN=off the page shows no password form.
 *
 * Needs a built client (`npm run build:client`) and Debian's Chromium at /usr/bin/chromium.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CPR_CLAIM, startIdentityProvider, type TestIdentityProvider } from '../fixtures/oidc/identity-provider.ts';
import {
  apiLogin,
  assertPrerequisites,
  carehubCli,
  launchBrowser,
  openCarlsPlan,
  openPage,
  SERVER_START_MS,
  startHub,
  UI_MS,
  type Hub,
} from './helpers.ts';

const ENV = { OIDC_ALLOW_INSECURE_HTTP: 'on' };

let hub: Hub | null = null;
let offHub: Hub | null = null;
let idp: TestIdentityProvider | null = null;
let browser: Browser | null = null;
const contexts: BrowserContext[] = [];

async function newPage(locale = 'da-DK'): Promise<Page> {
  const { context, page } = await openPage(browser!, locale);
  contexts.push(context);
  return page;
}

describe('signing in through the region’s identity provider', () => {
  beforeAll(async () => {
    assertPrerequisites();
    hub = await startHub(ENV);
    idp = await startIdentityProvider({
      clients: [
        {
          clientId: 'carehub',
          redirectUris: [`${hub.baseUrl}/api/v1/auth/oidc/callback`],
          postLogoutRedirectUris: [`${hub.baseUrl}/`],
        },
      ],
      accounts: {
        'dr-hansen': { sub: 'regionh-1001', name: 'Henrik Hansen', preferred_username: 'hhansen', roles: ['doctor'] },
        'portner-per': { sub: 'regionh-3003', name: 'Per Portner', roles: ['porter'] },
      },
    });
    const admin = await apiLogin(hub.baseUrl, 'admin');
    const orgs = (await (
      await fetch(`${hub.baseUrl}/api/v1/admin/organisations`, { headers: { authorization: `Bearer ${admin}` } })
    ).json()) as { id: string; name: string }[];
    const rigs = orgs.find((o) => o.name === 'Rigshospitalet')!;
    await carehubCli(
      hub,
      [
        'idp',
        'add',
        '--organisation',
        rigs.id,
        '--name',
        'Region Hovedstaden',
        '--issuer',
        idp.issuer,
        '--client-id',
        'carehub',
        '--scopes',
        'openid profile roles',
        '--role-claim',
        'roles',
        '--role-map',
        'doctor=hospital_doctor,nurse=hospital_nurse',
      ],
      ENV,
    );
    browser = await launchBrowser();
  }, SERVER_START_MS + 30_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close().catch(() => {});
    await idp?.stop();
    await hub?.stop();
    await offHub?.stop();
  }, 30_000);

  it('lets a doctor sign in at the provider’s page and open Carl’s plan, with no token in any address', async () => {
    const page = await newPage();
    const addresses: string[] = [];
    page.on('request', (r) => addresses.push(r.url()));
    await page.goto(`${hub!.baseUrl}/#/patients`);
    const button = page.getByTestId('sign-in-provider');
    await button.waitFor({ timeout: UI_MS });
    expect(await button.textContent()).toBe('Log ind med Region Hovedstaden');
    await button.click();
    // The provider's own sign-in page.
    await page.waitForURL((url) => url.href.startsWith(`${new URL(idp!.issuer).origin}/interaction/`), {
      timeout: UI_MS,
    });
    await page.locator('#idp-login').fill('dr-hansen');
    await page.locator('#idp-submit').click();
    // Staff land on their Overblik; the patient list is one link away.
    await page.getByTestId('overview').waitFor({ timeout: UI_MS });
    await page.getByTestId('nav-patients').click();
    await page.getByTestId('patient-card').first().waitFor({ timeout: UI_MS });
    const session = await page.evaluate(
      () =>
        JSON.parse(localStorage.getItem('carehub.session') ?? 'null') as {
          token: string;
          user: { role: string; name: string };
        } | null,
    );
    expect(session?.user).toMatchObject({ role: 'hospital_doctor', name: 'Henrik Hansen' });
    const planId = await openCarlsPlan(page);
    expect(planId).toMatch(/^[0-9a-f-]{36}$/);
    // The one-time code left the address; the session token was never in one.
    expect(page.url()).not.toMatch(/signed-in\/[A-Za-z0-9_-]{20,}/);
    for (const address of addresses) expect(address, 'an address the browser asked for').not.toContain(session!.token);

    // Signing out goes on to the provider's logout.
    await page.getByRole('button', { name: 'Log ud' }).click();
    await page.waitForURL((url) => url.href.startsWith(`${idp!.issuer}/session/end`), { timeout: UI_MS });
    expect(await page.evaluate(() => localStorage.getItem('carehub.session'))).toBeNull();
  });

  it('shows a person whose claims give no role why, in Danish, and signs nobody in', async () => {
    const page = await newPage();
    await page.goto(`${hub!.baseUrl}/#/sign-in`);
    await page.getByTestId('sign-in-provider').click();
    await page.locator('#idp-login').fill('portner-per');
    await page.locator('#idp-submit').click();
    const refused = page.getByTestId('sign-in-refused');
    await refused.waitFor({ timeout: UI_MS });
    expect(await refused.getAttribute('data-reason')).toBe('no_role');
    expect(await refused.textContent()).toContain('Din organisation har ikke givet dig en rolle i CareHub');
    expect(await page.evaluate(() => localStorage.getItem('carehub.session'))).toBeNull();
    await page.getByTestId('sign-in-again').click();
    await page.getByTestId('sign-in-provider').waitFor({ timeout: UI_MS });
  });

  it('lets the administrator register the citizens’ login on the admin page; the sign-in page then offers it', async () => {
    const page = await newPage();
    await page.goto(`${hub!.baseUrl}/#/admin/sign-in`);
    await page.getByTestId('sign-in-username').fill('admin');
    await page.getByTestId('sign-in-password').fill('demo');
    await page.getByTestId('sign-in-submit').click();
    await page.getByTestId('idp-table').waitFor({ timeout: UI_MS });
    expect(await page.getByTestId('idp-row').filter({ hasText: 'Region Hovedstaden' }).count()).toBe(1);
    // The citizens' login is the form's first choice; it asks for the CPR claim.
    await page.getByTestId('idp-name').fill('MitID');
    await page.getByTestId('idp-issuer').fill(idp!.issuer);
    await page.getByTestId('idp-clientId').fill('carehub');
    await page.getByTestId('idp-scopes').fill('openid mitid');
    await page.getByTestId('idp-cprClaim').fill(CPR_CLAIM);
    await page.getByTestId('idp-submit').click();
    await page.getByTestId('idp-row').filter({ hasText: 'MitID' }).waitFor({ timeout: UI_MS });

    const citizen = await newPage();
    await citizen.goto(`${hub!.baseUrl}/#/sign-in`);
    const offered = citizen.getByTestId('sign-in-provider').filter({ hasText: 'Log ind med MitID' });
    await offered.waitFor({ timeout: UI_MS });
    expect(await citizen.getByTestId('sign-in-provider').count()).toBe(2);
  });

  it(
    'shows no password form when PASSWORD_LOGIN=off',
    async () => {
      offHub = await startHub({ PASSWORD_LOGIN: 'off' });
      const page = await newPage('en-GB');
      await page.goto(`${offHub.baseUrl}/#/sign-in`);
      await page.getByTestId('sign-in-password-off').waitFor({ timeout: UI_MS });
      expect(await page.getByTestId('sign-in-username').count()).toBe(0);
    },
    SERVER_START_MS,
  );
});
