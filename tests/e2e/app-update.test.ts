/**
 * Browser test (issue 16): a new version of the app announces itself and takes over only when no
 * edit waits. The hub serves a copy of the built client; Maja's tablet runs it under the service
 * worker (Workbox). Her connection to the plan is held back (the WebSocket is intercepted and
 * never reaches the hub), so a ticked task waits to be sent. A new version is deployed (the
 * worker's script changes) and the app finds it: the banner announces it; asked to update, it
 * says it waits for the changes and does not reload. Once the connection goes through and the
 * change is confirmed, the new version takes over and the page reloads, with the change on the server.
 *
 * Needs a built client (`npm run build:client`) and Debian's Chromium at /usr/bin/chromium.
 */
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanDocumentJson } from '../../shared/plan.ts';
import {
  apiLogin,
  assertPrerequisites,
  launchBrowser,
  LIVE_MS,
  ROOT,
  SERVER_START_MS,
  signIn,
  startHub,
  UI_MS,
  type Hub,
} from './helpers.ts';

let hub: Hub | null = null;
let browser: Browser | null = null;
let context: BrowserContext | null = null;
const dist = mkdtempSync(path.join(tmpdir(), 'carehub-dist-'));

describe('a new version of the app waits for the changes to be sent', () => {
  let page: Page;
  let blocked = true;
  const held: WebSocketRoute[] = [];

  beforeAll(
    async () => {
      assertPrerequisites();
      cpSync(path.join(ROOT, 'client/dist'), dist, { recursive: true });
      hub = await startHub({ CLIENT_DIST: dist });
      browser = await launchBrowser();
      context = await browser.newContext({ locale: 'da-DK', viewport: { width: 1024, height: 768 }, hasTouch: true });
      await context.routeWebSocket(/\/collab\//, (ws) => {
        if (blocked) held.push(ws);
        else ws.connectToServer();
      });
      page = await context.newPage();
      page.setDefaultTimeout(UI_MS);
      await signIn(page, hub.baseUrl, 'maja');
    },
    SERVER_START_MS + 2 * UI_MS,
  );

  afterAll(async () => {
    await context?.close().catch(() => {});
    await browser?.close().catch(() => {});
    await hub?.stop();
    rmSync(dist, { recursive: true, force: true });
  }, 30_000);

  it('announces the new version, waits while a change is unsent, then takes it and reloads', async () => {
    await page.waitForFunction(async () => {
      const reg = await navigator.serviceWorker.ready;
      return reg.active?.state === 'activated' && navigator.serviceWorker.controller !== null;
    });
    await page.getByTestId('nav-visits').click();
    const card = page.getByTestId('visit-card').filter({ hasText: 'Carl Jensen' }).first();
    const planId = (await card.getAttribute('data-plan-id'))!;
    await card.getByTestId('visit-open').click();
    await page.getByTestId('visit-panel').waitFor();
    await page.getByTestId('visit-task-tick').filter({ hasText: 'Daglig vejning og registrering' }).click();
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="connection-status"]')?.getAttribute('data-pending')) > 0,
    );

    // A new version is deployed, and the app looks for it.
    appendFileSync(path.join(dist, 'sw.js'), `\n// next version ${Date.now()}\n`);
    await page.evaluate(() => {
      (window as unknown as { sameDocument: boolean }).sameDocument = true;
    });
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
    await page.getByTestId('update-banner').waitFor();
    await page.getByTestId('update-banner').getByRole('button', { name: 'Opdatér nu' }).click();
    await page.getByTestId('update-waits').waitFor();
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);

    // The connection goes through: the change is confirmed, the new version takes over, the page reloads.
    blocked = false;
    for (const ws of held.splice(0)) await ws.close();
    await page.waitForFunction(() => !(window as unknown as { sameDocument?: boolean }).sameDocument, undefined, {
      timeout: LIVE_MS + UI_MS,
    });
    await page.getByTestId('visit-panel').waitFor();
    expect(await page.getByTestId('update-banner').count()).toBe(0);
    const token = await apiLogin(hub!.baseUrl, 'hanne');
    const res = await fetch(`${hub!.baseUrl}/api/v1/plans/${planId}/document`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const doc = (await res.json()) as PlanDocumentJson;
    expect(doc.tasks.find((t) => t.title === 'Daglig vejning og registrering')?.status).toBe('done');
  });
});
