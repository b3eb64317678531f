/**
 * Browser test: the plan's safety rails as a person sees them. A dose two prescribers set at
 * the same time is flagged in the page with both values and both names until one is kept; a
 * change the server refuses is announced (section and reason) to the person who made it; the
 * citizen reads his plan as text (REST, no live copy) and adds a blood pressure the team sees live.
 *
 * The concurrent and the forbidden changes come from stock y-websocket clients (as any outside
 * client would send them), signed in as the same people as the browsers.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { UserView } from '../../shared/api.ts';
import { decide } from '../../shared/permissions.ts';
import { en } from '../../client/src/i18n/en.ts';
import { wordRefusal } from '../../client/src/i18n/refusal-words.ts';
import { makeTranslate } from '../../client/src/i18n/translate.ts';
import { sectionOf } from '../../shared/plan-doc.ts';
import { connectCollab, waitForDoc, type CollabClient } from '../fixtures/collab-client.ts';
import {
  assertPrerequisites,
  describedText,
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
const clients: CollabClient[] = [];

async function login(username: string): Promise<string> {
  const res = await fetch(`${hub!.baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'demo' }),
  });
  if (!res.ok) throw new Error(`login of ${username} failed: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

async function collab(planId: string, token: string): Promise<CollabClient> {
  const client = connectCollab(hub!.wsUrl, planId, token);
  clients.push(client);
  await client.synced;
  return client;
}

const furosemid = (doc: Y.Doc) =>
  sectionOf(doc, 'medications')
    .toArray()
    .find((e) => e.get('drug') === 'Furosemid')!;

describe('safety rails of the shared plan, in the browser', () => {
  let hannePage: Page;
  let majaPage: Page;
  let hanne: UserView & { token: string };
  let maja: UserView & { token: string };
  let planId = '';
  let medicationId = '';

  beforeAll(
    async () => {
      assertPrerequisites();
      hub = await startHub();
      browser = await launchBrowser();
      const pages: Page[] = [];
      for (const locale of ['en-GB', 'en-GB']) {
        const { context, page } = await openPage(browser, locale);
        contexts.push(context);
        pages.push(page);
      }
      [hannePage, majaPage] = pages as [Page, Page];
      hanne = await signIn(hannePage, hub.baseUrl, 'hanne');
      maja = await signIn(majaPage, hub.baseUrl, 'maja');
      planId = await openCarlsPlan(hannePage);
      expect(await openCarlsPlan(majaPage)).toBe(planId);
    },
    SERVER_START_MS + 4 * UI_MS,
  );

  afterAll(async () => {
    for (const client of clients) client.destroy();
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close().catch(() => {});
    await hub?.stop();
  }, 30_000);

  it('flags a dose set concurrently by two prescribers, with both values and names, until one is kept', async () => {
    const hanneClient = await collab(planId, hanne.token);
    const gitteClient = await collab(planId, await login('gitte'));
    medicationId = String(furosemid(hanneClient.doc).get('id'));
    const conflict = (page: Page) =>
      page.locator(`[data-medication-id="${medicationId}"] [data-testid="conflict"][data-field="dose"]`);

    // Gitte is offline while Hanne changes the dose; Gitte changes it too, not having seen it.
    gitteClient.provider.disconnect();
    furosemid(hanneClient.doc).set('dose', '80 mg');
    // The nurse reads the dose as text (she may not change it).
    await majaPage
      .locator(`[data-medication-id="${medicationId}"] [data-field="dose"]`)
      .filter({ hasText: '80 mg' })
      .waitFor({ timeout: LIVE_MS });
    furosemid(gitteClient.doc).set('dose', '60 mg');
    gitteClient.provider.connect();

    await conflict(hannePage).waitFor({ timeout: LIVE_MS });
    const shown = (await conflict(hannePage).textContent()) ?? '';
    for (const part of ['80 mg', '60 mg', 'Hanne Holm', 'Gitte Grønlund']) expect(shown).toContain(part);
    expect(
      await hannePage.locator(`[data-medication-id="${medicationId}"] .field--conflict [data-field="dose"]`).count(),
    ).toBe(1);

    // The nurse sees the flag too, but may not settle it, and is told why.
    await conflict(majaPage).waitFor({ timeout: LIVE_MS });
    const keepAtMaja = conflict(majaPage).getByTestId('conflict-keep');
    expect(await keepAtMaja.count()).toBe(2);
    for (const button of await keepAtMaja.all()) expect(await button.isDisabled()).toBe(true);
    const reason = decide(
      { userId: maja.id, role: maja.role, sector: maja.organisation?.sector ?? null },
      'medications',
      { op: 'change', key: 'dose', entry: {} },
    );
    if (reason.allowed) throw new Error('a municipal nurse may change a dose');
    const described = await describedText(
      majaPage,
      `[data-medication-id="${medicationId}"] [data-testid="conflict-keep"]`,
    );
    expect(described).toContain(wordRefusal(reason.refusal, makeTranslate(en)));

    // Hanne keeps Gitte's 60 mg: the flag goes away everywhere and the dose is 60 mg.
    await conflict(hannePage).getByTestId('conflict-keep').filter({ hasText: '60 mg' }).click();
    await conflict(majaPage).waitFor({ state: 'detached', timeout: LIVE_MS });
    await conflict(hannePage).waitFor({ state: 'detached', timeout: LIVE_MS });
    expect(await majaPage.locator(`[data-medication-id="${medicationId}"] [data-field="dose"]`).textContent()).toBe(
      '60 mg',
    );
    await waitForDoc(
      gitteClient.doc,
      (d) => furosemid(d).get('dose') === '60 mg' && furosemid(d).get('conflicts') === undefined,
      LIVE_MS,
      'the kept dose',
    );
  });

  it('tells the nurse which section and why, when the server refuses her change', async () => {
    const majaClient = await collab(planId, maja.token);
    const before = furosemid(majaClient.doc).get('dose');
    furosemid(majaClient.doc).set('dose', '500 mg');

    const notice = majaPage.locator('[data-testid="refusal-notice"][data-section="medications"]');
    await notice.waitFor({ timeout: LIVE_MS });
    const text = (await notice.textContent()) ?? '';
    expect(text).toContain('Medications');
    expect(text.toLowerCase()).toContain('only hospital doctors and gps change medications');
    // The forbidden value never reached anyone; the author's client went back to the plan's value.
    await waitForDoc(majaClient.doc, (d) => furosemid(d).get('dose') === before, LIVE_MS, 'the reverted dose');
    // Hanne reads the dose as text that opens its editor: its first text is the value.
    expect(
      await hannePage
        .locator(`[data-medication-id="${medicationId}"] [data-field="dose"]`)
        .evaluate((el) => el.firstChild?.textContent),
    ).toBe(before);
    expect(await hannePage.getByTestId('refusal-notice').count()).toBe(0);

    await notice.getByRole('button').click();
    await notice.waitFor({ state: 'detached', timeout: UI_MS });
  });

  it('lets the citizen read his plan and add a blood pressure that the team sees live', async () => {
    const { context, page: carlPage } = await openPage(browser!, 'da-DK');
    contexts.push(context);
    await signIn(carlPage, hub!.baseUrl, 'carl');
    expect(await openCarlsPlan(carlPage)).toBe(planId);
    await carlPage.getByTestId('citizen-intro').waitFor();
    // He reads the plan as text (through REST: no live copy, no editors, no inputs) …
    expect(await carlPage.getByTestId('plan-layout').count()).toBe(0);
    expect(
      await carlPage.getByTestId('plan-snapshot').locator('input, select, textarea, [contenteditable]').count(),
    ).toBe(0);
    expect(await carlPage.getByTestId('plan-snapshot').textContent()).toContain('Furosemid');
    // … and only he has the form for measurements; staff read them.
    expect(await hannePage.getByTestId('self-report-form').count()).toBe(0);

    await carlPage.getByTestId('self-report-systolic').fill('138');
    await carlPage.getByTestId('self-report-diastolic').fill('85');
    await carlPage.getByTestId('self-report-submit').click();
    const atHanne = hannePage
      .locator('[data-testid="self-report"][data-kind="blood-pressure"]')
      .filter({ hasText: '138/85 mmHg' });
    await atHanne.waitFor({ timeout: LIVE_MS });
    expect(await atHanne.textContent()).toContain('Blood pressure');
    await carlPage
      .locator('[data-testid="self-report"][data-kind="blood-pressure"]')
      .filter({ hasText: '138/85 mmHg' })
      .waitFor({ timeout: UI_MS });
  });
});
