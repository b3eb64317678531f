/**
 * Browser test (issue 18): MedCom HomeCareObservation both ways, live. The region's integration
 * engine posts MedCom's own HomeCareObservation example, addressed to the demo's GP practice
 * (its SOR and EAN) and about Carl Jensen: the measurements appear in Maja's open copy of Carl's
 * plan, and after a second such message the temperature's trend chart holds both readings.
 * Then Maja sends measurements "til egen læge" from the plan: the message waits in the
 * practice's outbox, her plan says "sendt", and when the practice's system posts its
 * Acknowledgement her plan says "modtaget" without a reload. Last, she writes a new message to
 * the practice from the form, and it shows as a thread marked "sendt".
 *
 * Needs a built client (`npm run build:client`) and Debian's Chromium at /usr/bin/chromium.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAcknowledgement, parseMedcomMessage } from '../../server/medcom/index.ts';
import { DEMO_ORGANISATION_CODES } from '../../server/seed/demo-data.ts';
import {
  assertPrerequisites,
  createApiKey,
  launchBrowser,
  LIVE_MS,
  openCarlsPlan,
  openPage,
  ROOT,
  SERVER_START_MS,
  signIn,
  startHub,
  UI_MS,
  type Hub,
} from './helpers.ts';

const CARL_CPR = '1203451237';
const GP = DEMO_ORGANISATION_CODES['Lægehuset Nørrebro']!;
const HCO = readFileSync(path.join(ROOT, 'tests', 'fixtures', 'medcom', 'homecareobservation-new.json'), 'utf8');
const HEADER_ID = (JSON.parse(HCO) as { entry: { resource: { id: string } }[] }).entry[0]!.resource.id;

/** MedCom's HomeCareObservation example to the demo's GP practice about Carl, under a new id, measured on `day`. */
function observations(id: string, day: string): string {
  return HCO.replaceAll('52581000016005', GP.sor)
    .replaceAll('5790000127092', GP.ean)
    .replaceAll('2509479989', CARL_CPR)
    .replaceAll('2023-09-13T09:24', `${day}T09:24`)
    .replaceAll(HEADER_ID, id);
}

let hub: Hub | null = null;
let browser: Browser | null = null;
const contexts: BrowserContext[] = [];

describe('MedCom HomeCareObservation, live in the plan and out to the GP', () => {
  let key = '';
  let maja: Page;
  const post = async (body: string) => {
    const res = await fetch(`${hub!.baseUrl}/api/v1/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/fhir+json' },
      body,
    });
    expect(res.status, await res.clone().text()).toBe(200);
  };

  beforeAll(
    async () => {
      assertPrerequisites();
      hub = await startHub();
      key = await createApiKey(hub, 'Region H integrationsmotor');
      browser = await launchBrowser();
      const { context, page } = await openPage(browser, 'da-DK');
      contexts.push(context);
      maja = page;
      await signIn(maja, hub.baseUrl, 'maja');
      await openCarlsPlan(maja);
    },
    SERVER_START_MS + 3 * UI_MS,
  );

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close().catch(() => {});
    await hub?.stop();
  }, 30_000);

  it('shows an incoming HomeCareObservation’s measurements in the open plan, and in the trend chart', async () => {
    await post(observations('0c0d0e0f-0000-4000-8000-000000000001', '2026-03-01'));
    const temperature = maja.locator('[data-testid="result"][data-kind="measurement"]').filter({ hasText: '38,7' });
    await temperature.first().waitFor({ timeout: LIVE_MS });
    await post(observations('0c0d0e0f-0000-4000-8000-000000000002', '2026-03-02'));
    await maja.waitForFunction(
      () =>
        document.querySelectorAll(
          '[data-testid="trend-chart"][data-code="quantity|temperature"] .trend__plot [data-source]',
        ).length >= 2,
      undefined,
      { timeout: LIVE_MS },
    );
  });

  it('sends measurements to the GP from the plan; the outbox holds it and the Acknowledgement turns "sendt" into "modtaget" live', async () => {
    await maja.getByTestId('send-to-gp').click();
    const form = maja.getByTestId('send-to-gp-form');
    await form.waitFor({ timeout: UI_MS });
    const boxes = form.getByTestId('send-to-gp-measurement');
    await boxes.first().waitFor({ timeout: UI_MS });
    if (!(await boxes.first().isChecked())) await boxes.first().check();
    await form.getByTestId('send-to-gp-phone').fill('+45 33 66 33 66');
    await form.getByTestId('send-to-gp-send').click();
    const report = maja.getByTestId('home-care-report').first();
    await report.waitFor({ timeout: UI_MS });
    expect(await report.getAttribute('data-state')).toBe('sent');
    expect(await report.getByTestId('correspondence-state').textContent()).toContain('sendt');
    expect(await report.textContent()).toContain('Lægehuset Nørrebro');

    const res = await fetch(`${hub!.baseUrl}/api/v1/messages/outbox?receiver=${GP.sor}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    const { messages } = (await res.json()) as { messages: { event: string; bundle: unknown }[] };
    const sent = messages.filter((m) => m.event === 'homecareobservation-message');
    expect(sent).toHaveLength(1);
    const parsed = parseMedcomMessage(sent[0]!.bundle);
    if (parsed.kind !== 'home-care-observation') throw new Error(`not a HomeCareObservation: ${parsed.kind}`);
    expect(parsed.requester?.providerNumber).toBe(GP.ydernummer);

    await post(JSON.stringify(buildAcknowledgement(parsed, 'ok').bundle));
    await maja.locator('[data-testid="home-care-report"][data-state="received"]').first().waitFor({ timeout: LIVE_MS });
    expect(await report.getByTestId('correspondence-state').textContent()).toContain('modtaget');
  });

  it('writes a new message to the GP practice from the form; it appears as a thread marked "sendt"', async () => {
    await maja.getByTestId('correspondence-new').click();
    const form = maja.getByTestId('correspondence-new-form');
    await form.waitFor({ timeout: UI_MS });
    // Only organisations with SOR and EAN can be chosen; the hospital and the practice have both.
    await form.getByTestId('correspondence-new-to').selectOption({ label: 'Lægehuset Nørrebro' });
    await form.getByTestId('correspondence-new-category').selectOption('examination-results');
    await form.getByTestId('correspondence-new-topic').fill('Målinger');
    await form.getByTestId('correspondence-new-text').fill('Carl har haft feber to dage. Vil du se på målingerne?');
    await form.getByTestId('correspondence-new-phone').fill('+45 33 66 33 66');
    await form.getByTestId('correspondence-new-send').click();
    await maja.getByTestId('correspondence-new-done').waitFor({ timeout: UI_MS });
    const thread = maja.getByTestId('correspondence-thread').filter({ hasText: 'Carl har haft feber' });
    await thread.waitFor({ timeout: UI_MS });
    expect(await thread.locator('h3').textContent()).toBe('Målinger');
    expect(await thread.getByTestId('correspondence-state').textContent()).toContain('sendt');
    const res = await fetch(`${hub!.baseUrl}/api/v1/messages/outbox?receiver=${GP.sor}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    const { messages } = (await res.json()) as { messages: { event: string }[] };
    expect(messages.filter((m) => m.event === 'care-communication-message')).toHaveLength(1);
  });
});
