/**
 * Browser test: results filed through the real API appear live in an open plan. A lab system
 * (an API key made with `carehub api-key create` against the hub's own database) files a
 * P-Kalium and then a critical one; both arrive in Hanne's and Maja's open copies of Carl
 * Jensen's plan, highlighted as new, with a trend chart of the two values and the critical one
 * at the top for the whole team; the bell says so. Hanne acknowledges it with the button and
 * Maja sees who acknowledged it and when. An imaging report reads in full on request, a
 * hospital notification is found by the filter, and a result is released to the citizen early.
 *
 * Needs a built client (`npm run build:client`) and Debian's Chromium at /usr/bin/chromium.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserView } from '../../shared/api.ts';
import { NPU_SYSTEM } from '../../shared/fhir-systems.ts';
import { ANALYSES, criticalPotassium, labObservation } from '../../server/simulator/lab-samples.ts';
import { encounterNotification } from '../../server/simulator/message-samples.ts';
import { imagingReport } from '../../server/simulator/report-samples.ts';
import { danishTime } from '../../server/simulator/sample-common.ts';
import {
  assertPrerequisites,
  createApiKey,
  fileResult,
  launchBrowser,
  LIVE_MS,
  openCarlsPlan,
  openPage,
  SERVER_START_MS,
  signIn,
  startHub,
  UI_MS,
  type Hub,
} from './helpers.ts';

const CARL_CPR = '1203451237';
const POTASSIUM = `${NPU_SYSTEM}|${ANALYSES.potassium.code}`;

let hub: Hub | null = null;
let browser: Browser | null = null;
const contexts: BrowserContext[] = [];

const file = (key: string, path: '/results' | '/encounters', body: object) => fileResult(hub!, key, path, body);

const hoursAgo = (h: number) => danishTime(new Date(Date.now() - h * 3_600_000));

describe('results filed by a lab system, live in the plan', () => {
  let key = '';
  let hannePage: Page;
  let majaPage: Page;
  let hanne: UserView;
  let firstId = '';
  let criticalId = '';
  const result = (page: Page, id: string) => page.locator(`[data-testid="result"][data-result-id="${id}"]`);

  beforeAll(
    async () => {
      assertPrerequisites();
      hub = await startHub();
      key = await createApiKey(hub);
      browser = await launchBrowser();
      const pages: Page[] = [];
      for (const locale of ['en-GB', 'da-DK']) {
        const { context, page } = await openPage(browser, locale);
        contexts.push(context);
        pages.push(page);
      }
      [hannePage, majaPage] = pages as [Page, Page];
      hanne = await signIn(hannePage, hub.baseUrl, 'hanne');
      await signIn(majaPage, hub.baseUrl, 'maja');
      expect(await openCarlsPlan(majaPage)).toBe(await openCarlsPlan(hannePage));
    },
    SERVER_START_MS + 4 * UI_MS,
  );

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close().catch(() => {});
    await hub?.stop();
  }, 30_000);

  it('shows a filed result in the open plan at once, highlighted as new', async () => {
    expect(await hannePage.getByTestId('result').count()).toBe(0);
    firstId = await file(
      key,
      '/results',
      labObservation({
        cpr: CARL_CPR,
        analysis: 'potassium',
        value: 4.4,
        id: `e2e-k-1-${Date.now()}`,
        time: hoursAgo(30),
      }),
    );
    for (const page of [hannePage, majaPage]) {
      // Lab results read as a cumulative table; one by one they are behind a disclosure.
      await page.locator(`[data-testid="cumulative-cell"][data-result-id="${firstId}"]`).waitFor({ timeout: LIVE_MS });
      await page.getByTestId('results-each').locator('summary').click();
      const card = result(page, firstId);
      await card.waitFor({ timeout: LIVE_MS });
      expect(await card.getAttribute('data-new')).toBe('true');
      expect(await card.getByTestId('result-new-badge').isVisible()).toBe(true);
      expect(await card.getByTestId('result-value').textContent()).toMatch(/4[.,]4 mmol\/L/);
    }
    // Looking at it ends the highlight.
    await result(hannePage, firstId).focus();
    await hannePage
      .locator(`[data-testid="result"][data-result-id="${firstId}"][data-new="false"]`)
      .waitFor({ timeout: UI_MS });
  });

  it('puts a critical result at the top for the whole team, draws the trend, and rings the bell', async () => {
    criticalId = await file(
      key,
      '/results',
      criticalPotassium({ cpr: CARL_CPR, id: `e2e-k-2-${Date.now()}`, time: hoursAgo(1), value: 6.9 }),
    );
    for (const page of [hannePage, majaPage]) {
      const banner = page.getByTestId('critical-results');
      await banner
        .locator(`[data-testid="critical-result"][data-result-id="${criticalId}"]`)
        .waitFor({ timeout: LIVE_MS });
      expect(await result(page, criticalId).getAttribute('data-critical')).toBe('true');
      expect(await result(page, criticalId).getAttribute('data-new')).toBe('true');
      // Two P-Kalium values make a trend, opened from the analyte's row of the cumulative table,
      // with the reference range as a band and the values as a table.
      await page
        .locator(`[data-testid="cumulative-row"][data-code="${ANALYSES.potassium.code}"]`)
        .getByTestId('cumulative-trend-toggle')
        .click();
      const trend = page.locator(`[data-testid="trend-chart"][data-code="${POTASSIUM}"]`);
      await trend.waitFor({ timeout: LIVE_MS });
      expect(await trend.getByTestId('trend-band').count()).toBe(1);
      expect(await trend.getByTestId('trend-table').locator('tbody tr').count()).toBe(2);
    }
    // Hanne (English) reads the flag in words; the banner comes before every section of the plan.
    expect(await result(hannePage, criticalId).getByTestId('result-flag').textContent()).toBe('Critically high (HH)');
    const bannerFirst = await hannePage.evaluate(() => {
      const banner = document.querySelector('[data-testid="critical-results"]');
      const meta = document.querySelector('[data-testid="section-meta"]');
      return !!banner && !!meta && (banner.compareDocumentPosition(meta) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0;
    });
    expect(bannerFirst).toBe(true);

    // The bell in the header has a critical notification that leads to the plan.
    const bell = hannePage.getByTestId('notification-bell');
    await hannePage.locator('[data-testid="notification-bell"]:not([data-critical="0"])').waitFor({ timeout: LIVE_MS });
    await bell.click();
    const critical = hannePage.locator('[data-testid="notification"][data-severity="critical"]').first();
    await critical.waitFor({ timeout: UI_MS });
    expect(await critical.textContent()).toContain('P-Kalium');
    expect(await critical.getByTestId('notification-link').getAttribute('href')).toMatch(/^#\/plans\/[0-9a-f-]{36}$/);
    await critical.getByTestId('notification-seen').click();
    await hannePage.keyboard.press('Escape');
  });

  it('lets Hanne acknowledge the critical result; Maja sees who and when', async () => {
    expect(await majaPage.getByTestId('critical-results').getByTestId('acknowledge-result').count()).toBeGreaterThan(0);
    await hannePage
      .locator(`[data-testid="critical-result"][data-result-id="${criticalId}"]`)
      .getByTestId('acknowledge-result')
      .click();
    for (const page of [hannePage, majaPage]) {
      await page
        .locator(`[data-testid="critical-result"][data-result-id="${criticalId}"]`)
        .waitFor({ state: 'detached', timeout: LIVE_MS });
      const acknowledged = result(page, criticalId).getByTestId('result-acknowledged');
      await acknowledged.waitFor({ timeout: LIVE_MS });
      expect(await acknowledged.textContent()).toContain(hanne.name);
    }
    expect(await majaPage.getByTestId('critical-results').count()).toBe(0);
  });

  it('reads an imaging report in full, finds a hospital notification by filter, and releases a result early', async () => {
    const reportId = await file(
      key,
      '/results',
      imagingReport({ cpr: CARL_CPR, id: `e2e-img-${Date.now()}`, time: hoursAgo(2), modality: 'ct', variant: 1 }),
    );
    const noticeId = await file(
      key,
      '/encounters',
      encounterNotification({
        cpr: CARL_CPR,
        id: `e2e-enc-${Date.now()}`,
        event: 'admission',
        time: new Date().toISOString(),
      }),
    );
    await result(hannePage, reportId).waitFor({ timeout: LIVE_MS });

    const reports = hannePage.getByTestId('result-reports');
    await hannePage.getByTestId('result-filter-imaging').check();
    expect(await reports.getByTestId('result').count()).toBe(1);
    const report = result(hannePage, reportId);
    const toggle = report.getByTestId('result-text-toggle');
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    expect(await report.getByTestId('result-text').textContent()).toContain('Konklusion:');

    await hannePage.getByTestId('result-filter-notification').check();
    await result(hannePage, noticeId).waitFor({ timeout: UI_MS });
    expect(await result(hannePage, noticeId).textContent()).toContain('Admitted');
    expect(await reports.getByTestId('result').count()).toBe(1);

    await hannePage.getByTestId('result-filter-all').check();
    const first = result(hannePage, firstId);
    expect(await first.getByTestId('result-release').getAttribute('data-released')).toBe('false');
    await first.getByTestId('release-result').click();
    await hannePage
      .locator(
        `[data-testid="result"][data-result-id="${firstId}"] [data-testid="result-release"][data-released="true"]`,
      )
      .waitFor({ timeout: LIVE_MS });
    expect(await first.getByTestId('release-result').count()).toBe(0);
  });
});
