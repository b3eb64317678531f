/**
 * Browser test (issue 16): a home-care nurse records measurements as data in the visit panel and
 * the GP sees them live in the plan's trend charts. Maja, on a tablet, records a blood pressure
 * and a pulse for Carl Jensen; an impossible pulse is refused with the range it must be in, an
 * unusual one is saved only once she confirms it. Gitte, with Carl's plan open, sees the blood
 * pressure (systolic and diastolic) and pulse trends appear, every point marked as home care,
 * and Carl's own reading (posted from his citizen view) marked as his. Maja amends her own pulse
 * (Gitte sees the new value live with the previous kept) and marks another entered-in-error (shown
 * struck through); Gitte, who measured none of them, is offered neither control.
 *
 * Needs a built client (`npm run build:client`) and Debian's Chromium at /usr/bin/chromium.
 */
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiLogin,
  assertPrerequisites,
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

let hub: Hub | null = null;
let browser: Browser | null = null;
const contexts: BrowserContext[] = [];

describe('measurements from the visit panel, live in the GP’s trend charts', () => {
  let maja: Page;
  let gitte: Page;
  let planId = '';
  const trend = (page: Page, key: string): Locator => page.locator(`[data-testid="trend-chart"][data-code="${key}"]`);

  beforeAll(
    async () => {
      assertPrerequisites();
      hub = await startHub();
      browser = await launchBrowser();
      const tablet = await openPage(browser, 'en-GB', { width: 1024, height: 768 });
      const desk = await openPage(browser, 'da-DK');
      contexts.push(tablet.context, desk.context);
      maja = tablet.page;
      gitte = desk.page;
      await signIn(gitte, hub.baseUrl, 'gitte');
      planId = await openCarlsPlan(gitte);
      await signIn(maja, hub.baseUrl, 'maja');
      await maja.goto(`${hub.baseUrl}/#/plans/${planId}/visit`);
      await maja.locator('[data-testid="plan-layout"][data-synced="true"]').waitFor();
      await maja.getByTestId('quick-entry').waitFor();
    },
    SERVER_START_MS + 4 * UI_MS,
  );

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close().catch(() => {});
    await hub?.stop();
  }, 30_000);

  const record = async (kind: string, value: string) => {
    await maja.getByTestId(`quick-kind-${kind}`).check();
    await maja.getByTestId('quick-value').fill(value);
    await maja.getByTestId('quick-save').click();
  };
  const saved = () => maja.getByTestId('quick-saved').filter({ hasText: 'The measurement is saved' }).waitFor();

  it('records a blood pressure and a pulse, and refuses an impossible pulse with its range', async () => {
    await record('bloodPressure', '142/88');
    await saved();
    await record('pulse', '76');
    await saved();
    await record('pulse', '600');
    expect(await maja.getByTestId('quick-problem').textContent()).toContain('between 20 and 300');
    // Nothing was written: the value stays for correcting.
    expect(await maja.getByTestId('quick-value').inputValue()).toBe('600');
    // The GP sees both in the timeline as home care's, with who measured.
    for (const value of ['142/88 mmHg', '76 /min']) {
      const card = gitte.getByTestId('result').filter({ hasText: value });
      await card.waitFor({ timeout: LIVE_MS });
      expect(await card.getAttribute('data-kind')).toBe('measurement');
      expect(await card.getAttribute('data-source')).toBe('home-care');
      expect(await card.getByTestId('result-source').textContent()).toContain('Maja');
    }
  });

  it('saves an unusual reading only once it is confirmed; the GP’s trends appear live, marked home care', async () => {
    await record('pulse', '150');
    await maja.getByTestId('quick-unusual').waitFor();
    expect(await maja.getByTestId('quick-unusual').textContent()).toContain('unusual');
    expect(await maja.getByTestId('quick-save').isDisabled()).toBe(true);
    await maja.getByTestId('quick-confirm').click();
    await saved();
    await record('bloodPressure', '151/93');
    await saved();

    for (const key of ['quantity|pulse', 'quantity|bloodPressure|systolic', 'quantity|bloodPressure|diastolic']) {
      const chart = trend(gitte, key);
      await chart.waitFor({ timeout: LIVE_MS });
      await gitte.waitForFunction(
        (k) =>
          document.querySelectorAll(`[data-testid="trend-chart"][data-code="${k}"] .trend__plot [data-source]`)
            .length >= 2,
        key,
        { timeout: LIVE_MS },
      );
      const sources = await chart
        .locator('.trend__plot [data-source]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-source')));
      expect(new Set(sources)).toEqual(new Set(['home-care']));
      expect(await chart.getByTestId('trend-sources').textContent()).toContain('Hjemmepleje');
    }
    expect(await trend(gitte, 'quantity|pulse').textContent()).toContain('Puls');
    expect(await trend(gitte, 'quantity|bloodPressure|systolic').textContent()).toContain('Blodtryk, systolisk');
  });

  it('shows the citizen’s own reading in the same trend, marked as his', async () => {
    const carl = await apiLogin(hub!.baseUrl, 'carl');
    const res = await fetch(`${hub!.baseUrl}/api/v1/plans/${planId}/self-reports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${carl}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'blood-pressure', value: '139/86', unit: 'mmHg' }),
    });
    expect(res.status).toBe(201);
    const chart = trend(gitte, 'quantity|bloodPressure|systolic');
    await chart.locator('.trend__plot [data-source="citizen"]').waitFor({ state: 'attached', timeout: LIVE_MS });
    expect(await chart.getByTestId('trend-sources').textContent()).toContain('Borgerens egen måling');
    await chart.locator('details summary').click();
    const rows = await chart
      .getByTestId('trend-point-source')
      .evaluateAll((cells) => cells.map((c) => c.getAttribute('data-source')));
    expect(rows.sort()).toEqual(['citizen', 'home-care', 'home-care']);
  });

  it('lets the citizen read the measurements taken of him, with who measured', async () => {
    const { context, page } = await openPage(browser!, 'da-DK');
    contexts.push(context);
    await signIn(page, hub!.baseUrl, 'carl');
    await openCarlsPlan(page);
    const rows = page.getByTestId('snapshot-measurement');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(4);
    expect(await rows.filter({ hasText: '151/93 mmHg' }).textContent()).toContain('Hjemmepleje');
  });
  it('lets the one who measured amend a value or mark it entered-in-error, live for the GP; others get no such controls', async () => {
    const mine = (value: string) => maja.getByTestId('result').filter({ hasText: value });
    const gittes = (value: string) => gitte.getByTestId('result').filter({ hasText: value });
    await record('pulse', '64');
    await saved();
    const pulse = mine('64 /min');
    // The controls come once the server has stamped Maja as the performer.
    await pulse.getByTestId('measurement-amend').click();
    // The same checks as the visit panel: an impossible value is refused with its range.
    await pulse.getByTestId('measurement-amend-value').fill('600');
    await pulse.getByTestId('measurement-amend-save').click();
    expect(await pulse.getByTestId('measurement-amend-problem').textContent()).toContain('between 20 and 300');
    await pulse.getByTestId('measurement-amend-value').fill('68');
    await pulse.getByTestId('measurement-amend-save').click();

    // Gitte sees the new value live, the previous one kept, and the entry marked amended.
    const amended = gittes('68 /min').filter({ hasText: 'Rettet' });
    await amended.waitFor({ timeout: LIVE_MS });
    expect(await amended.getByTestId('result-value').textContent()).toBe('68 /min');
    expect(await amended.getByTestId('result-previous').textContent()).toContain('64 /min');
    await mine('68 /min').getByTestId('result-previous').waitFor({ timeout: LIVE_MS });

    await record('pulse', '58');
    await saved();
    const wrong = mine('58 /min');
    await wrong.getByTestId('measurement-mark-error').click();
    // Cancelling the question leaves the row as it was, controls and all.
    await wrong.getByTestId('measurement-error-cancel').click();
    expect(await wrong.getByTestId('measurement-error-confirm').count()).toBe(0);
    await wrong.getByTestId('measurement-mark-error').click();
    await wrong.getByTestId('measurement-error-confirm').click();
    const withdrawn = gittes('58 /min').filter({ hasText: 'Fejlregistreret' });
    await withdrawn.waitFor({ timeout: LIVE_MS });
    expect(await withdrawn.getAttribute('class')).toContain('result-item--void');
    const struck = await withdrawn
      .locator('.result-item__value')
      .evaluate((el) => getComputedStyle(el).textDecorationLine);
    expect(struck).toContain('line-through');
    // Withdrawn stays withdrawn: no controls on it for Maja either.
    await mine('58 /min').filter({ hasText: 'Entered in error' }).waitFor({ timeout: LIVE_MS });
    expect(await mine('58 /min').getByTestId('measurement-amend').count()).toBe(0);
    expect(await mine('58 /min').getByTestId('measurement-mark-error').count()).toBe(0);

    // Touch targets on the tablet are at least 44 px.
    const box = await mine('68 /min').getByTestId('measurement-amend').boundingBox();
    expect(box?.height).toBeGreaterThanOrEqual(44);
    expect(box?.width).toBeGreaterThanOrEqual(44);

    // Gitte measured none of them: she is offered neither control.
    expect(await gitte.getByTestId('measurement-amend').count()).toBe(0);
    expect(await gitte.getByTestId('measurement-mark-error').count()).toBe(0);
  });
});
