/**
 * Browser test (issue 18): a hospital's MedCom messages arriving live. The region's
 * integration engine (an intake key from `carehub api-key create`) posts MedCom's own STIN
 * example, addressed to the demo's Københavns Kommune (its SOR and EAN) and about Carl Jensen:
 * Maja's open copy of Carl's plan shows the admission at once, her bell rings, and her visits
 * list says Carl is in hospital. A second STIN about a citizen CareHub does not know lands in
 * the municipality's inbox page, from which Maja starts a plan that opens with the admission. A
 * hospital's CareCommunication shows in Carl's plan and Maja's reply leaves from it for the outbox.
 *
 * Needs a built client (`npm run build:client`) and Debian's Chromium at /usr/bin/chromium.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
const KK = DEMO_ORGANISATION_CODES['Københavns Kommune hjemmesygepleje']!;
const STIN = readFileSync(path.join(ROOT, 'tests', 'fixtures', 'medcom', 'hospitalnotification-STIN.json'), 'utf8');
const HEADER_ID = (JSON.parse(STIN) as { entry: { resource: { id: string } }[] }).entry[0]!.resource.id;

/** MedCom's STIN example to Københavns Kommune, under a new MessageHeader id, about `cpr`. */
function admission(cpr: string, id: string): string {
  return STIN.replaceAll('953741000016009', KK.sor)
    .replaceAll('5790001348120', KK.ean)
    .replaceAll('2509479989', cpr)
    .replaceAll(HEADER_ID, id);
}

let hub: Hub | null = null;
let browser: Browser | null = null;
const contexts: BrowserContext[] = [];

describe('MedCom hospital notifications, live in the municipality’s view', () => {
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

  it('shows an admission in the open plan at once, rings the bell, and marks Carl in hospital on the visits list', async () => {
    await post(admission(CARL_CPR, '0b0c0d0e-0000-4000-8000-000000000001'));
    const notice = maja.locator('[data-testid="result"][data-kind="notification"]').filter({ hasText: 'Indlagt' });
    await notice.first().waitFor({ timeout: LIVE_MS });
    expect(await notice.first().textContent()).toContain('Herlev');
    await maja.locator('[data-testid="notification-bell"]:not([data-count="0"])').waitFor({ timeout: LIVE_MS });
    await maja.getByTestId('nav-visits').click();
    const stay = maja.getByTestId('visit-card').filter({ hasText: 'Carl Jensen' }).getByTestId('visit-stay');
    await stay.waitFor({ timeout: UI_MS });
    expect(await stay.textContent()).toMatch(/^Indlagt på .*Herlev/);
  });

  it('shows a hospital’s CareCommunication in the plan; Maja’s reply leaves from the plan for the outbox', async () => {
    const cc = readFileSync(path.join(ROOT, 'tests', 'fixtures', 'medcom', 'carecommunication-new.json'), 'utf8')
      .replaceAll('953741000016009', KK.sor)
      .replaceAll('5790001348120', KK.ean)
      .replaceAll('2509479989', CARL_CPR);
    await post(cc);
    await maja.getByTestId('nav-patients').click();
    await openCarlsPlan(maja);
    const thread = maja.getByTestId('correspondence-thread').first();
    await thread.waitFor({ timeout: UI_MS });
    expect(await thread.getByTestId('correspondence-message').first().getAttribute('data-direction')).toBe('in');
    await thread.getByTestId('correspondence-reply-text').fill('Tak, vi kigger på det i dag.');
    await thread.getByTestId('correspondence-reply-phone').fill('+45 33 66 33 66');
    await thread.getByTestId('correspondence-reply-send').click();
    const sent = thread.locator('[data-testid="correspondence-message"][data-direction="out"]');
    await sent.first().waitFor({ timeout: UI_MS });
    expect(await sent.first().getByTestId('correspondence-state').textContent()).toContain('sendt');
    const res = await fetch(`${hub!.baseUrl}/api/v1/messages/outbox?receiver=265161000016000`, {
      headers: { authorization: `Bearer ${key}` },
    });
    const { messages } = (await res.json()) as { messages: { event: string }[] };
    expect(messages.some((m) => m.event === 'care-communication-message')).toBe(true);
  });

  it('keeps an admission of an unknown citizen in the inbox; Maja starts a plan from it', async () => {
    await post(admission('0101901234', '0b0c0d0e-0000-4000-8000-000000000002'));
    await maja.getByTestId('nav-inbox').click();
    const item = maja.getByTestId('inbox-item');
    await item.first().waitFor({ timeout: UI_MS });
    expect(await item.count()).toBe(1);
    expect(await item.first().textContent()).toContain('STIN');
    await item.first().getByTestId('inbox-start-plan').click();
    await maja.waitForURL(/#\/plans\/[0-9a-f-]{36}$/, { timeout: UI_MS });
    await maja
      .locator('[data-testid="result"][data-kind="notification"]')
      .filter({ hasText: 'Indlagt' })
      .first()
      .waitFor({ timeout: LIVE_MS });
    await maja.getByTestId('nav-inbox').click();
    await maja.getByTestId('inbox-none').waitFor({ timeout: UI_MS });
  });
});
