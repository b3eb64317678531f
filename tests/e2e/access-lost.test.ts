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

  it('leaves the device at the next visits list when access was lost while the plan was not open', async () => {
    await context?.close();
    const opened = await openPage(browser!, 'da-DK');
    context = opened.context;
    const { page } = opened;
    const maja = await signIn(page, hub!.baseUrl, 'maja');
    await page.getByTestId('nav-visits').click();
    const summary = page.getByTestId('visits-ready-summary');
    await summary.waitFor({ timeout: UI_MS });
    const total = await summary.getAttribute('data-total');
    await page.locator(`[data-testid="visits-ready-summary"][data-ready="${total}"]`).waitFor({ timeout: UI_MS * 2 });

    // A plan on the day's list, kept on the device, never opened here. Its care team's
    // municipality will be taken off by a member (here from Maja's desk, another session).
    const member = await apiLogin(hub!.baseUrl, 'maja');
    const teamOf = async (id: string) => {
      const res = await fetch(`${hub!.baseUrl}/api/v1/plans/${id}/care-team`, {
        headers: { authorization: `Bearer ${member}` },
      });
      return res.ok ? ((await res.json()) as CareTeamMember[]) : null;
    };
    let planId = '';
    let municipality: CareTeamMember | undefined;
    for (const card of await page.getByTestId('visit-card').all()) {
      const id = (await card.getAttribute('data-plan-id')) ?? '';
      municipality = id ? (await teamOf(id))?.find((m) => m.organisation?.sector === 'municipality') : undefined;
      if (municipality) {
        planId = id;
        break;
      }
    }
    if (!planId || !municipality) throw new Error('no visit on the list with a municipality on its care team');
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

    // The municipality leaves that plan's care team while Maja is elsewhere in the app.
    await page.getByTestId('nav-patients').click();
    const removed = await fetch(`${hub!.baseUrl}/api/v1/plans/${planId}/care-team/${municipality.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${member}` },
    });
    expect(removed.status).toBe(204);

    // The next visits list asks which kept plans she may still open: this one leaves at once,
    // not after the list's 48-hour grace.
    await page.getByTestId('nav-visits').click();
    await expect.poll(kept, { timeout: UI_MS }).toEqual({ db: false, header: false });
  });
});
