/**
 * Browser test: note text, goal text, a task title and the plan title that hold script or
 * HTML render as inert text. They are written by a stock y-websocket client (as any outside
 * client could write them) and shown in Chromium; no script runs and the text reads as typed.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { addNote, newEntry, richText, sectionOf } from '../../shared/plan-doc.ts';
import { connectCollab } from '../fixtures/collab-client.ts';
import {
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

const PAYLOAD = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script><b>fed</b>`;

describe('text that holds script or HTML', () => {
  let hub: Hub | null = null;
  let browser: Browser | null = null;

  beforeAll(async () => {
    assertPrerequisites();
    hub = await startHub();
    browser = await launchBrowser();
  }, SERVER_START_MS);
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it('renders inert', async () => {
    const { page } = await openPage(browser!, 'da-DK');
    const hanne = await signIn(page, hub!.baseUrl, 'hanne');
    const planId = await openCarlsPlan(page);
    const client = connectCollab(hub!.wsUrl, planId, hanne.token);
    await client.synced;
    client.doc.transact(() => {
      addNote(client.doc, {
        id: randomUUID(),
        author: hanne.id,
        sector: 'hospital',
        created: new Date().toISOString(),
        body: `Note ${PAYLOAD}`,
      });
      sectionOf(client.doc, 'tasks').push([
        newEntry({
          id: randomUUID(),
          title: `Task ${PAYLOAD}`,
          details: richText(PAYLOAD),
          sector: 'hospital',
          status: 'planned',
        }),
      ]);
      sectionOf(client.doc, 'goals').push([
        newEntry({
          id: randomUUID(),
          description: richText(`Goal ${PAYLOAD}`),
          status: 'proposed',
          sector: 'hospital',
        }),
      ]);
    });
    await page.getByText(`Note ${PAYLOAD}`, { exact: false }).first().waitFor({ timeout: UI_MS });
    await page.getByText(`Task ${PAYLOAD}`, { exact: false }).first().waitFor({ timeout: UI_MS });
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    // No element from the payload made it into the page.
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.locator('b', { hasText: 'fed' }).count()).toBe(0);
    client.destroy();
  });
});
