/**
 * Browser test: the citizen's own pages ("Min plan"). Carl Jensen signs in, reads his plan
 * across hospital, municipality and GP, and adds a blood pressure that Hanne (hospital doctor,
 * live plan) sees at once. He sees released results only; one Hanne releases early reaches his
 * open page without a reload. In "who has looked at my data" he finds Hanne, who opened his plan
 * earlier in the test, and a doctor of another hospital whose refused attempt and emergency
 * (break-the-glass) access are marked as such.
 *
 * Needs a built client (`npm run build:client`) and Debian's Chromium at /usr/bin/chromium.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labObservation } from '../../server/simulator/lab-samples.ts';
import { encounterNotification } from '../../server/simulator/message-samples.ts';
import { danishTime } from '../../server/simulator/sample-common.ts';
import {
  apiLogin,
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

let hub: Hub | null = null;
let browser: Browser | null = null;
const contexts: BrowserContext[] = [];

async function api(method: 'GET' | 'POST', path: string, token: string, body?: unknown): Promise<Response> {
  return fetch(`${hub!.baseUrl}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe('the citizen’s own pages', () => {
  let hannePage: Page;
  let carlPage: Page;
  let planId = '';
  let key = '';
  let labId = '';

  beforeAll(
    async () => {
      assertPrerequisites();
      hub = await startHub();
      key = await createApiKey(hub);
      browser = await launchBrowser();
      for (const locale of ['en-GB', 'da-DK']) {
        const { context, page } = await openPage(browser, locale);
        contexts.push(context);
        if (locale === 'en-GB') hannePage = page;
        else carlPage = page;
      }
      // Hanne opens Carl's plan: the access Carl will find in his log.
      await signIn(hannePage, hub.baseUrl, 'hanne');
      planId = await openCarlsPlan(hannePage);
    },
    SERVER_START_MS + 4 * UI_MS,
  );

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close().catch(() => {});
    await hub?.stop();
  }, 30_000);

  it('lets Carl read his plan across sectors and add a blood pressure that the care team sees live', async () => {
    await signIn(carlPage, hub!.baseUrl, 'carl');
    expect(await carlPage.getByTestId('patient-card').count()).toBe(1);
    expect(await openCarlsPlan(carlPage)).toBe(planId);
    // One plan, written by the hospital, the municipality and the GP; read-only for him.
    for (const sector of ['hospital', 'municipality', 'general_practice']) {
      expect(await carlPage.locator(`[data-testid="snapshot-task-column"][data-sector="${sector}"]`).count()).toBe(1);
    }
    expect(
      await carlPage.getByTestId('plan-snapshot').locator('input, select, textarea, [contenteditable]').count(),
    ).toBe(0);

    await carlPage.getByTestId('self-report-systolic').fill('141');
    await carlPage.getByTestId('self-report-diastolic').fill('87');
    await carlPage.getByTestId('self-report-submit').click();
    const atHanne = hannePage
      .locator('[data-testid="self-report"][data-kind="blood-pressure"]')
      .filter({ hasText: '141/87 mmHg' });
    await atHanne.waitFor({ timeout: LIVE_MS });
    expect(await atHanne.textContent()).toContain('Blood pressure');
  });

  it('shows Carl only released results; one released early reaches his open page without a reload', async () => {
    const noticeId = await fileResult(
      hub!,
      key,
      '/encounters',
      encounterNotification({
        cpr: CARL_CPR,
        id: `cit-enc-${Date.now()}`,
        event: 'discharge',
        time: new Date().toISOString(),
      }),
    );
    labId = await fileResult(
      hub!,
      key,
      '/results',
      labObservation({
        cpr: CARL_CPR,
        analysis: 'hba1c',
        value: 51,
        id: `cit-hba-${Date.now()}`,
        time: danishTime(new Date(Date.now() - 3_600_000)),
      }),
    );
    const carlResult = (id: string) =>
      carlPage.getByTestId('citizen-results').locator(`[data-testid="result"][data-result-id="${id}"]`);

    // A hospital notification is released at once; the lab result waits for its release delay.
    await carlResult(noticeId).waitFor({ timeout: LIVE_MS });
    expect(await carlResult(noticeId).textContent()).toContain('Udskrevet');
    // Hanne reads lab results in the cumulative table: one column per sample (one report).
    const cell = hannePage.locator(`[data-testid="cumulative-cell"][data-result-id="${labId}"]`);
    await cell.waitFor({ timeout: LIVE_MS });
    expect(await carlResult(labId).count()).toBe(0);
    // The citizen gets no acknowledge or release buttons, and no release details.
    expect(
      await carlPage
        .getByTestId('citizen-results')
        .locator('button[data-testid$="-result"], [data-testid="result-release"]')
        .count(),
    ).toBe(0);

    // She releases the sample's results to him together, from the head of its column.
    const column = await cell.evaluate((td) => (td as HTMLTableCellElement).cellIndex);
    await hannePage
      .getByTestId('cumulative-table')
      .locator('thead th')
      .nth(column)
      .getByTestId('cumulative-release')
      .click();
    await carlResult(labId).waitFor({ timeout: LIVE_MS });
    expect(await carlResult(labId).getByTestId('result-value').textContent()).toBe('51 mmol/mol');
  });

  it('finds in “who has looked at my data” the hospital doctor, and marks emergency access and refusals', async () => {
    // A doctor of another hospital, not on Carl's team: refused, then emergency access.
    const admin = await apiLogin(hub!.baseUrl, 'admin');
    const orgs = (await (await api('GET', '/admin/organisations', admin)).json()) as { id: string; name: string }[];
    const holbaek = orgs.find((o) => o.name.startsWith('Holbæk'));
    expect(holbaek, 'the demo data’s Holbæk Sygehus').toBeDefined();
    const created = await api('POST', '/admin/users', admin, {
      username: 'holger',
      name: 'Holger Hansen',
      role: 'hospital_doctor',
      organisationId: holbaek!.id,
      password: 'holger-demo-1',
      reason: 'Ny læge på Holbæk Sygehus fra 1. december, bestilt af afdelingen',
    });
    expect(created.status).toBe(201);
    const holger = (await (
      await fetch(`${hub!.baseUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'holger', password: 'holger-demo-1' }),
      })
    ).json()) as { token: string };
    expect((await api('GET', `/plans/${planId}`, holger.token)).status).toBe(403);
    expect(
      (
        await api('POST', `/plans/${planId}/break-glass`, holger.token, {
          reason: 'Indlagt akut og bevidstløs; skal bruge medicinlisten.',
        })
      ).ok,
    ).toBe(true);
    expect((await api('GET', `/plans/${planId}`, holger.token)).status).toBe(200);

    await carlPage.getByTestId('nav-access-log').click();
    await carlPage.locator('[data-testid="access-log"][data-loaded="true"]').waitFor({ timeout: UI_MS });
    const hanneOpened = carlPage
      .locator('[data-testid="access-entry"][data-action-code="plan.read"]')
      .filter({ hasText: 'Hanne Holm' })
      .first();
    await hanneOpened.waitFor({ timeout: UI_MS });
    expect(await hanneOpened.getByTestId('access-what').textContent()).toBe('Åbnede din plejeplan');
    expect(await hanneOpened.textContent()).toContain('Hospitalslæge · Rigshospitalet');
    expect(await hanneOpened.getAttribute('data-break-glass')).toBe('false');

    const glass = carlPage
      .locator('[data-testid="access-entry"][data-break-glass="true"]')
      .filter({ hasText: 'Holger Hansen' });
    expect(await glass.count()).toBeGreaterThan(0);
    expect(await glass.first().getByTestId('access-break-glass').textContent()).toBe('Nødadgang');
    const refused = carlPage
      .locator('[data-testid="access-entry"][data-refused="true"]')
      .filter({ hasText: 'Holger Hansen' });
    expect(await refused.count()).toBeGreaterThan(0);
    expect(await refused.first().getByTestId('access-refused').textContent()).toBe('Afvist');
    expect(await refused.first().getByTestId('access-what').textContent()).toMatch(
      /^Forsøgte at .+, men fik ikke lov$/,
    );

    // The filter shows the emergency accesses alone.
    await carlPage.getByTestId('access-filter-breakTheGlass').check();
    const shown = carlPage.getByTestId('access-entry');
    expect(await shown.count()).toBe(await glass.count());
  });
});
