/**
 * Browser test of Overblik (issue 17, "done when"): results are filed for two of gitte's patients
 * while she is away; at sign-in her Overblik lists both patients' new results, the critical one
 * first with the patient named; she acknowledges it on one device and it leaves her bell on
 * another. The UI is Danish though the browser is set to English. Then maja registers a patient
 * (the CPR rules worded in Danish), starts a plan and gives the care team the GP's practice.
 * axe finds no violations on the pages visited.
 *
 * Needs a built client (`npm run build:client`) and Debian's Chromium at /usr/bin/chromium.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { criticalPotassium, labObservation } from '../../server/simulator/lab-samples.ts';
import { danishTime } from '../../server/simulator/sample-common.ts';
import { CARL, ERIK } from '../../server/seed/demo-patients.ts';
import {
  assertPrerequisites,
  createApiKey,
  fileResult,
  launchBrowser,
  LIVE_MS,
  SERVER_START_MS,
  startHub,
  UI_MS,
  type Hub,
} from './helpers.ts';

let hub: Hub | null = null;
let browser: Browser | null = null;
const contexts: BrowserContext[] = [];
const hoursAgo = (h: number) => danishTime(new Date(Date.now() - h * 3_600_000));

/** A page in a browser set to English with nothing chosen on the device: the UI is Danish anyway. */
async function englishBrowserPage(viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await browser!.newContext({ locale: 'en-GB', viewport });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(UI_MS);
  return page;
}

/** Signs in on the landing page (`/`), as a person opening CareHub does. */
async function signInAtLanding(page: Page, username: string): Promise<void> {
  await page.goto(`${hub!.baseUrl}/`);
  await page.getByTestId('sign-in-username').fill(username);
  await page.getByTestId('sign-in-password').fill('demo');
  await page.getByTestId('sign-in-submit').click();
}

async function expectNoAxeViolations(page: Page, what: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page: page as never }).analyze();
  expect(
    violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    `axe on ${what}`,
  ).toEqual([]);
}

describe('Overblik: what needs gitte, on every device', () => {
  let key = '';
  let criticalId = '';

  beforeAll(async () => {
    assertPrerequisites();
    hub = await startHub();
    key = await createApiKey(hub);
    browser = await launchBrowser();
  }, SERVER_START_MS + UI_MS);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close().catch(() => {});
    await hub?.stop();
  }, 30_000);

  it('lists both patients’ new results at sign-in, the critical one first with the patient named; acknowledged on one device, it leaves the other’s bell', async () => {
    // While gitte is away: an ordinary result for Erik, a critical one for Carl.
    await fileResult(
      hub!,
      key,
      '/results',
      labObservation({
        cpr: ERIK.cpr,
        analysis: 'potassium',
        value: 4.2,
        id: `wl-erik-${Date.now()}`,
        time: hoursAgo(2),
      }),
    );
    criticalId = await fileResult(
      hub!,
      key,
      '/results',
      criticalPotassium({ cpr: CARL.cpr, id: `wl-carl-${Date.now()}`, time: hoursAgo(1), value: 7.1 }),
    );

    const desk = await englishBrowserPage();
    await signInAtLanding(desk, 'gitte');
    const items = desk.getByTestId('overview-item');
    await items.first().waitFor({ timeout: UI_MS });
    // Danish though the browser says English.
    expect(await desk.evaluate(() => document.documentElement.lang)).toBe('da');
    expect(await desk.getByRole('heading', { level: 1 }).textContent()).toBe('Overblik');
    const first = items.first();
    expect(await first.getAttribute('data-kind')).toBe('critical-result');
    expect(await first.getByTestId('overview-patient').textContent()).toBe(CARL.name);
    // Danish decimals in the Danish UI.
    expect(await first.textContent()).toContain('7,1 mmol/L');
    const newResults = desk.locator('[data-testid="overview-item"][data-kind="new-results"]');
    const named = await newResults.getByTestId('overview-patient').allTextContents();
    expect(named).toContain(ERIK.name);
    expect(await newResults.filter({ hasText: ERIK.name }).textContent()).toContain('4,2');
    await expectNoAxeViolations(desk, 'Overblik');

    // Another device of hers: the bell asks for the acknowledgement, naming Carl.
    const tablet = await englishBrowserPage({ width: 1024, height: 768 });
    await signInAtLanding(tablet, 'gitte');
    await tablet.locator('[data-testid="notification-bell"]:not([data-critical="0"])').waitFor({ timeout: LIVE_MS });
    await tablet.getByTestId('notification-bell').click();
    const asking = tablet.locator('[data-testid="notification"][data-severity="critical"]');
    expect(await asking.first().getByTestId('notification-patient').textContent()).toContain(CARL.name);
    // The bell is in the header, usable before Overblik's own code has loaded: axe looks at the whole page.
    await tablet.getByRole('heading', { level: 1, name: 'Overblik' }).waitFor({ timeout: UI_MS });
    await expectNoAxeViolations(tablet, 'the bell open on Overblik');

    // On the desk: the item opens Carl's plan at its results, where she acknowledges it.
    await first.getByTestId('overview-open').click();
    await desk.waitForURL(/#\/plans\/[0-9a-f-]{36}\?at=results$/, { timeout: UI_MS });
    await desk
      .locator(`[data-testid="critical-result"][data-result-id="${criticalId}"]`)
      .getByTestId('acknowledge-result')
      .click();

    // The tablet's bell stops asking, without a reload.
    await tablet.locator('[data-testid="notification-bell"][data-critical="0"]').waitFor({ timeout: LIVE_MS });
    expect(await asking.count()).toBe(0);
    // And her Overblik, on either device, no longer lists it.
    await tablet.getByTestId('nav-overview').click();
    await tablet.getByTestId('overview').waitFor();
    await tablet.locator('[data-testid="overview-count"]').waitFor();
    expect(await tablet.locator('[data-testid="overview-item"][data-kind="critical-result"]').count()).toBe(0);
  });

  it('lets maja register a patient by the CPR rules, start a plan and give the care team the GP', async () => {
    const page = await englishBrowserPage();
    await signInAtLanding(page, 'maja');
    await page.getByTestId('overview').waitFor();
    await page.getByTestId('nav-patients').click();
    await page.getByTestId('patient-card').first().waitFor();
    // The patient list carries the signals of Overblik per patient.
    await page.getByTestId('patient-signals').first().waitFor();
    await expectNoAxeViolations(page, 'the patient list with its signals');
    await page.getByTestId('new-patient-toggle').click();
    await page.getByTestId('new-patient-cpr').fill('310290-1234');
    await page.getByTestId('new-patient-name').fill('Bodil Berg');
    await page.getByTestId('new-patient-submit').click();
    // 31 February does not exist: said in Danish, nothing sent.
    expect(await page.getByTestId('new-patient-cpr-error').textContent()).toBe('Datoen i CPR-nummeret findes ikke.');
    await expectNoAxeViolations(page, 'the new-patient form with an error');
    await page.getByTestId('new-patient-cpr').fill('010190-2000');
    await page.getByTestId('new-patient-submit').click();
    const card = page.getByTestId('patient-card').filter({ hasText: 'Bodil Berg' });
    await card.waitFor();
    await card.getByTestId('start-plan-toggle').click();
    await card.getByTestId('start-plan-title').fill('Sårpleje');
    await card.getByTestId('start-plan-submit').click();
    await page.waitForURL(/#\/plans\/[0-9a-f-]{36}$/, { timeout: UI_MS });
    const planId = /#\/plans\/([0-9a-f-]{36})$/.exec(page.url())![1]!;

    await page.goto(`${hub!.baseUrl}/#/plans/${planId}/care-team`);
    await page.getByTestId('care-team-member').first().waitFor();
    expect(await page.getByTestId('care-team-member').allTextContents()).toEqual([
      expect.stringContaining('Københavns Kommune'),
    ]);
    const choose = page.getByTestId('care-team-choose');
    await choose.selectOption({ label: 'Lægehuset Nørrebro (Almen praksis)' });
    await page.getByTestId('care-team-add').click();
    await page.getByTestId('care-team-member').filter({ hasText: 'Lægehuset Nørrebro' }).waitFor();
    expect(await page.getByTestId('care-team-status').textContent()).toBe('Lægehuset Nørrebro er tilføjet.');
    await expectNoAxeViolations(page, 'the care-team page');

    // Removing it again, after the confirmation.
    page.once('dialog', (d) => void d.accept());
    await page
      .getByTestId('care-team-member')
      .filter({ hasText: 'Lægehuset Nørrebro' })
      .getByTestId('care-team-remove')
      .click();
    await page.getByTestId('care-team-member').filter({ hasText: 'Lægehuset Nørrebro' }).waitFor({ state: 'detached' });
  });
});
