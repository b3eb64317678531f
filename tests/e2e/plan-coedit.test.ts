/**
 * Browser test: two people co-edit Carl Jensen's care plan in real Chromium against a real
 * server. Hanne (hospital doctor) and Gitte (GP) sign in, open the plan, see each other in
 * the presence list, Hanne's title edits reach Gitte live, Gitte's note reaches Hanne, and
 * Gitte's live edit of her note's body reaches Hanne too.
 *
 * Needs a built client (`npm run build:client`) and Debian's Chromium at /usr/bin/chromium.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
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

interface SessionUser {
  id: string;
  name: string;
}

let hub: Hub | null = null;
let browser: Browser | null = null;
const contexts: BrowserContext[] = [];

async function newPage(locale: string): Promise<Page> {
  if (!browser) throw new Error('browser not launched');
  const { context, page } = await openPage(browser, locale);
  contexts.push(context);
  return page;
}

/** Waits until the page's title (its input while edited, else its text) is `expected`. */
async function waitForTitle(page: Page, expected: string): Promise<void> {
  await page.waitForFunction(
    (value) => {
      const input = document.querySelector('[data-testid="plan-title"]') as HTMLInputElement | null;
      const text = document.querySelector('[data-testid="plan-title-read"]')?.firstChild?.textContent;
      return (input ? input.value : text) === value;
    },
    expected,
    { timeout: LIVE_MS },
  );
}

describe('co-editing a care plan in two browsers', () => {
  let hannePage: Page;
  let gittePage: Page;
  let hanne: SessionUser;
  let gitte: SessionUser;

  beforeAll(
    async () => {
      assertPrerequisites();
      hub = await startHub();
      browser = await launchBrowser();
      hannePage = await newPage('da-DK');
      gittePage = await newPage('en-GB');
      hanne = await signIn(hannePage, hub.baseUrl, 'hanne');
      gitte = await signIn(gittePage, hub.baseUrl, 'gitte');
      const hannePlan = await openCarlsPlan(hannePage);
      const gittePlan = await openCarlsPlan(gittePage);
      expect(gittePlan).toBe(hannePlan);
    },
    SERVER_START_MS + 4 * UI_MS,
  );

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close().catch(() => {});
    await hub?.stop();
  }, 30_000);

  it('never puts a CPR number in the URL', () => {
    // Plan ids are random UUIDs, which can hold ten digits in a row by chance: taken out first.
    const withoutIds = (url: string) =>
      url.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<id>');
    for (const page of [hannePage, gittePage]) expect(withoutIds(page.url())).not.toMatch(/\d{6}-?\d{4}/);
  });

  it('shows each person in the other one’s presence list', async () => {
    const gitteAtHanne = hannePage.locator(`[data-testid="presence-person"][data-user-id="${gitte.id}"]`);
    const hanneAtGitte = gittePage.locator(`[data-testid="presence-person"][data-user-id="${hanne.id}"]`);
    await gitteAtHanne.waitFor({ timeout: LIVE_MS });
    await hanneAtGitte.waitFor({ timeout: LIVE_MS });
    expect(await gitteAtHanne.textContent()).toContain(gitte.name);
    expect(await hanneAtGitte.textContent()).toContain(hanne.name);
    // Nobody is listed as present with themselves.
    expect(await hannePage.locator(`[data-testid="presence-person"][data-user-id="${hanne.id}"]`).count()).toBe(0);
  });

  it('sends the title live from Hanne to Gitte while Hanne types', async () => {
    // The title reads as text until she chooses it; then it is an input, live in both directions.
    await hannePage.getByTestId('plan-title-read').click();
    const title = hannePage.getByTestId('plan-title');
    const before = await title.inputValue();
    const addition = ' – revideret';
    await title.click();
    await title.press('End');
    await hannePage.keyboard.type(addition);
    const expected = before + addition;
    await waitForTitle(hannePage, expected); // the caret stayed at the end through every keystroke
    await waitForTitle(gittePage, expected);

    // And back: Gitte (a GP may change the title) puts a word in front while Hanne's caret
    // sits after the fifth character; Hanne's caret must move along with her text.
    const hanneTitle = hannePage.getByTestId('plan-title');
    await hanneTitle.evaluate((el) => (el as HTMLInputElement).setSelectionRange(5, 5));
    await gittePage.getByTestId('plan-title-read').click();
    const gitteTitle = gittePage.getByTestId('plan-title');
    await gitteTitle.click();
    await gitteTitle.press('Home');
    await gittePage.keyboard.type('Ny: ');
    await waitForTitle(hannePage, `Ny: ${expected}`);
    const caret = await hanneTitle.evaluate((el) => [
      (el as HTMLInputElement).selectionStart,
      (el as HTMLInputElement).selectionEnd,
    ]);
    expect(caret).toEqual([5 + 'Ny: '.length, 5 + 'Ny: '.length]);
    expect(await hannePage.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('plan-title');
  });

  it('shows Gitte’s new note in Hanne’s journal, read-only, with Gitte’s name and sector', async () => {
    const text = `Kaliumkontrol aftalt ${Date.now()}`;
    await gittePage.getByTestId('note-composer').fill(text);
    await gittePage.getByTestId('note-add').click();

    const atHanne = hannePage.getByTestId('note').filter({ hasText: text });
    await atHanne.waitFor({ timeout: LIVE_MS });
    expect(await atHanne.getByTestId('note-author').textContent()).toBe(gitte.name);
    expect(await atHanne.textContent()).toContain('Almen praksis'); // Hanne's UI is Danish
    expect(await atHanne.getByTestId('note-editor').count()).toBe(0);

    // Gitte's own note, newest first in the journal, is hers to edit until she signs it.
    const first = gittePage.getByTestId('note').first();
    await first.getByTestId('note-unsigned').waitFor({ timeout: UI_MS });
    expect(await first.getByTestId('note-body').textContent()).toBe(text);
    expect(await first.getByTestId('note-edit').count()).toBe(1);
  });

  it('sends Gitte’s live edit of her note body to Hanne', async () => {
    await gittePage.getByTestId('note').first().getByTestId('note-edit').click();
    const editor = gittePage.getByTestId('note').first().getByTestId('note-editor');
    await editor.waitFor({ timeout: UI_MS });
    const original = (await editor.textContent()) ?? '';
    await editor.click();
    await gittePage.keyboard.press('ControlOrMeta+End');
    await gittePage.keyboard.type(' (ved egen læge)');
    const edited = `${original} (ved egen læge)`;
    await hannePage.getByTestId('note-body').filter({ hasText: edited }).waitFor({ timeout: LIVE_MS });
  });
});
