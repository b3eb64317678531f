/**
 * Browser test (attack on issue 16): a plan this person may no longer open does not stay on the
 * tablet. Maja has Carl Jensen's plan open (so it is kept in IndexedDB); the hospital takes her
 * municipality off Carl's care team; the server closes her live connection (4403), and the
 * device's copy of the plan — its database, header and people — is removed at once, not kept
 * until the next sign-out.
 *
 * Needs a built client (`npm run build:client`) and Debian's Chromium at /usr/bin/chromium.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CareTeamMember } from '../../shared/api.ts';
import {
  apiLogin,
  assertPrerequisites,
  launchBrowser,
  openCarlsPlan,
  openPage,
  SERVER_START_MS,
  signIn,
  startHub,
  UI_MS,
  type Hub,
} from './helpers.ts';

let hub: Hub | null = null;
let browser: Browser | null = null;
let context: BrowserContext | null = null;

describe('a plan whose access was lost', () => {
  beforeAll(async () => {
    assertPrerequisites();
    hub = await startHub();
    browser = await launchBrowser();
  }, SERVER_START_MS + 30_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await hub?.stop();
  });

  it('leaves the device when the server refuses the live connection with 4403', async () => {
    const opened = await openPage(browser!, 'da-DK');
    context = opened.context;
    const { page } = opened;
    const maja = await signIn(page, hub!.baseUrl, 'maja');
    const planId = await openCarlsPlan(page);
    const dbName = `carehub-plan:${maja.id}:${planId}`;
    const kept = () =>
      page.evaluate(
        async ({ name, plan }) => ({
          db: (await indexedDB.databases()).some((d) => d.name === name),
          header: (localStorage.getItem('carehub.device.plans') ?? '').includes(plan),
        }),
        { name: dbName, plan: planId },
      );
    await expect.poll(kept, { timeout: UI_MS }).toEqual({ db: true, header: true });

    const hanne = await apiLogin(hub!.baseUrl, 'hanne');
    const team = (await (
      await fetch(`${hub!.baseUrl}/api/v1/plans/${planId}/care-team`, {
        headers: { authorization: `Bearer ${hanne}` },
      })
    ).json()) as CareTeamMember[];
    const municipality = team.find((m) => m.organisation?.sector === 'municipality');
    if (!municipality) throw new Error('Carl’s care team has no municipality');
    const removed = await fetch(`${hub!.baseUrl}/api/v1/plans/${planId}/care-team/${municipality.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${hanne}` },
    });
    expect(removed.status).toBe(204);

    await page.getByTestId('collab-refusal').waitFor({ timeout: UI_MS });
    await expect.poll(kept, { timeout: UI_MS }).toEqual({ db: false, header: false });
  });
});
