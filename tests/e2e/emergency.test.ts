/**
 * Browser test: access beyond the care team. Hanne (hospital doctor, Rigshospitalet) is not on
 * Aisha Khan's care team; she uses emergency access (break-the-glass) with her CPR number and a
 * reason, and lands in the live plan with a banner saying until when. Then the citizen Carl
 * objects to his GP's practice seeing his data on his start page, sees it listed, and withdraws it.
 *
 * Needs a built client (`npm run build:client`) and Debian's Chromium at /usr/bin/chromium.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertPrerequisites,
  launchBrowser,
  openPage,
  SERVER_START_MS,
  signIn,
  startHub,
  UI_MS,
  type Hub,
} from './helpers.ts';

const AISHA_CPR = '221188-7654';

let hub: Hub | null = null;
let browser: Browser | null = null;
const contexts: BrowserContext[] = [];

describe('emergency access and the citizen’s objections', () => {
  let hannePage: Page;
  let carlPage: Page;

  beforeAll(
    async () => {
      assertPrerequisites();
      hub = await startHub();
      browser = await launchBrowser();
      for (const locale of ['en-GB', 'da-DK']) {
        const { context, page } = await openPage(browser, locale);
        contexts.push(context);
        if (locale === 'en-GB') hannePage = page;
        else carlPage = page;
      }
    },
    SERVER_START_MS + 2 * UI_MS,
  );

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close().catch(() => {});
    await hub?.stop();
  }, 30_000);

  it('lets Hanne break the glass for Aisha Khan with a reason and shows it in the plan header', async () => {
    await signIn(hannePage, hub!.baseUrl, 'hanne');
    expect(await hannePage.getByTestId('patient-card').filter({ hasText: 'Aisha Khan' }).count()).toBe(0);

    await hannePage.getByTestId('emergency-toggle').click();
    await hannePage.getByLabel('The patient’s CPR number').fill(AISHA_CPR);
    await hannePage.getByTestId('emergency-lookup').click();
    const reason = hannePage.getByLabel('Reason');
    await reason.waitFor({ timeout: UI_MS });
    expect(await hannePage.getByTestId('emergency-access').textContent()).toContain('time-limited');

    // Too short a reason is refused in the page, with the rule in words.
    await reason.fill('Akut');
    await hannePage.getByTestId('emergency-open').click();
    expect(await reason.getAttribute('aria-invalid')).toBe('true');
    expect(hannePage.url()).toMatch(/#\/patients$/);

    await reason.fill('Indlagt akut og bevidstløs; skal bruge medicinlisten.');
    await hannePage.getByTestId('emergency-open').click();
    await hannePage.waitForURL(/#\/plans\/[0-9a-f-]{36}$/, { timeout: UI_MS });
    expect(hannePage.url()).not.toContain('221188');
    expect(hannePage.url()).not.toContain('7654');
    await hannePage.locator('[data-testid="plan-layout"][data-synced="true"]').waitFor({ timeout: UI_MS });
    expect(await hannePage.getByTestId('plan-patient').textContent()).toBe('Aisha Khan');
    const banner = hannePage.getByTestId('break-glass-banner');
    await banner.waitFor({ timeout: UI_MS });
    expect(await banner.textContent()).toContain('emergency access');
    expect(Date.parse((await banner.getAttribute('data-expires')) ?? '')).toBeGreaterThan(Date.now());
  });

  it('lets Carl object to his GP’s practice on his start page, see it listed, and withdraw it', async () => {
    await signIn(carlPage, hub!.baseUrl, 'carl');
    const section = carlPage.locator('[data-testid="objections"][data-loaded="true"]');
    await section.waitFor({ timeout: UI_MS });
    expect(await section.getByTestId('objection').count()).toBe(0);
    expect(await section.getByTestId('objection-warning').textContent()).toContain('længere se din plejeplan');

    await section.getByLabel('Organisation').selectOption({ label: 'Lægehuset Nørrebro' });
    await section.getByTestId('objection-add').click();
    const listed = section.getByTestId('objection').filter({ hasText: 'Lægehuset Nørrebro' });
    await listed.waitFor({ timeout: UI_MS });
    expect(await section.getByTestId('objection').count()).toBe(1);
    expect(await listed.getByTestId('objection-name').textContent()).toBe('Lægehuset Nørrebro');
    // Once objected, the practice is no longer offered.
    expect(await section.locator('#objection-organisation option', { hasText: 'Lægehuset Nørrebro' }).count()).toBe(0);

    await listed.getByRole('button', { name: 'Fortryd fravalg af Lægehuset Nørrebro' }).click();
    await listed.waitFor({ state: 'detached', timeout: UI_MS });
    expect(await section.getByTestId('objection').count()).toBe(0);
    expect(await section.getByTestId('objections-status').textContent()).toContain('fortrudt');
  });
});
