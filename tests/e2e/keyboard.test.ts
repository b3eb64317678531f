/**
 * Browser test (issue 17, item 9): the main flows with the keyboard only — Tab, Shift+Tab,
 * Enter, Space and Escape; no mouse click anywhere. Hanne signs in, opens the bell and closes it
 * again, opens Carl Jensen's plan from the patient list, jumps to its results with the section
 * menu, acknowledges the critical potassium, and writes a journal note. Every element the focus
 * lands on shows that it has it (an outline or a ring, on screen), and each outcome is read back
 * from the server, not only from the page.
 *
 * Needs a built client (`npm run build:client`) and Debian's Chromium at /usr/bin/chromium.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CARL } from '../../server/seed/demo-patients.ts';
import { criticalPotassium } from '../../server/simulator/lab-samples.ts';
import { danishTime } from '../../server/simulator/sample-common.ts';
import {
  apiLogin,
  assertPrerequisites,
  createApiKey,
  fileResult,
  launchBrowser,
  LIVE_MS,
  openPage,
  SERVER_START_MS,
  startHub,
  UI_MS,
  type Hub,
} from './helpers.ts';

let hub: Hub | null = null;
let browser: Browser | null = null;
const contexts: BrowserContext[] = [];

/** Where the focus is, and whether a sighted keyboard user can see it there. */
interface Focused {
  matches: boolean;
  what: string;
  /** An outline or a ring on it (or, for a visually hidden radio, on its label), inside the viewport. */
  visible: boolean;
}

/** A CSS selector, and optionally the text the element must contain. */
type Target = string | { selector: string; text: string };

function focusState(page: Page, target: Target): Promise<Focused> {
  const { selector, text } = typeof target === 'string' ? { selector: target, text: '' } : target;
  return page.evaluate(
    ({ selector, text }) => {
      const el = document.activeElement;
      if (!el || el === document.body) return { matches: false, what: 'body', visible: false };
      const shows = (e: Element) => {
        const s = getComputedStyle(e);
        return (s.outlineStyle !== 'none' && Number.parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none';
      };
      // A visually hidden input shows its focus on what stands for it (its label, the option).
      let marker: Element | null = el;
      for (let i = 0; marker && i < 3 && !shows(marker); i++) marker = marker.parentElement;
      const r = (marker ?? el).getBoundingClientRect();
      const onScreen = r.bottom > 0 && r.right > 0 && r.top < window.innerHeight && r.left < window.innerWidth;
      const h = el as HTMLElement;
      return {
        matches: el.matches(selector) && h.innerText.includes(text),
        what: `${el.tagName.toLowerCase()}${h.dataset.testid ? `[${h.dataset.testid}]` : ''} "${(h.innerText || h.getAttribute('aria-label') || '').trim().slice(0, 40)}"`,
        visible: marker !== null && onScreen,
      };
    },
    { selector, text },
  );
}

/**
 * Presses Tab (or Shift+Tab) until the focus is on `selector`, checking at every stop that the
 * focus is visible; fails with the stops that did not show it, or when `selector` is not reached.
 */
async function tabTo(page: Page, selector: Target, opts: { back?: boolean; max?: number } = {}): Promise<void> {
  const unseen: string[] = [];
  for (let i = 0; i < (opts.max ?? 150); i++) {
    await page.keyboard.press(opts.back ? 'Shift+Tab' : 'Tab');
    const state = await focusState(page, selector);
    // Past the last control the focus leaves the page for the browser's own controls (body here).
    if (!state.visible && state.what !== 'body') unseen.push(state.what);
    if (state.matches) {
      expect(unseen, `focus not visible on the way to ${JSON.stringify(selector)}`).toEqual([]);
      return;
    }
  }
  throw new Error(`${JSON.stringify(selector)} not reached with ${opts.back ? 'Shift+Tab' : 'Tab'}`);
}

async function expectFocusOn(page: Page, selector: string): Promise<void> {
  const state = await focusState(page, selector);
  expect(state.matches, `focus on ${state.what}, not ${selector}`).toBe(true);
  expect(state.visible, `focus not visible on ${state.what}`).toBe(true);
}

async function planDocument(token: string, planId: string): Promise<{ results: Record<string, unknown>[] }> {
  const res = await fetch(`${hub!.baseUrl}/api/v1/plans/${planId}/document`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return (await res.json()) as { results: Record<string, unknown>[] };
}

describe('the main flows with the keyboard only', () => {
  let page: Page;
  let criticalId = '';
  let planId = '';
  let hanneToken = '';

  beforeAll(async () => {
    assertPrerequisites();
    hub = await startHub();
    const key = await createApiKey(hub);
    criticalId = await fileResult(
      hub,
      key,
      '/results',
      criticalPotassium({
        cpr: CARL.cpr,
        id: `kb-k-${Date.now()}`,
        time: danishTime(new Date(Date.now() - 3_600_000)),
        value: 7.2,
      }),
    );
    hanneToken = await apiLogin(hub.baseUrl, 'hanne');
    browser = await launchBrowser();
    const opened = await openPage(browser, 'da-DK', { width: 1280, height: 800 });
    contexts.push(opened.context);
    page = opened.page;
  }, SERVER_START_MS + UI_MS);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close().catch(() => {});
    await hub?.stop();
  }, 30_000);

  it('signs in', async () => {
    await page.goto(`${hub!.baseUrl}/#/sign-in`);
    await page.getByTestId('sign-in-username').waitFor();
    await tabTo(page, '[data-testid="sign-in-username"]');
    await page.keyboard.type('hanne');
    await tabTo(page, '[data-testid="sign-in-password"]');
    // Back and forth: Shift+Tab returns to the name, Tab to the password again.
    await tabTo(page, '[data-testid="sign-in-username"]', { back: true, max: 3 });
    await tabTo(page, '[data-testid="sign-in-password"]', { max: 3 });
    await page.keyboard.type('demo');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Overblik' }).waitFor({ timeout: UI_MS });
    await page.getByTestId('overview-item').first().waitFor({ timeout: UI_MS });
  });

  it('opens the notifications with Enter and closes them with Escape, the focus back on the bell', async () => {
    await page.locator('[data-testid="notification-bell"]:not([data-count="0"])').waitFor({ timeout: LIVE_MS });
    await tabTo(page, '[data-testid="notification-bell"]');
    await page.keyboard.press('Enter');
    await page.getByTestId('notification-panel').waitFor({ state: 'visible' });
    await page.keyboard.press('Escape');
    await page.getByTestId('notification-panel').waitFor({ state: 'hidden' });
    await expectFocusOn(page, '[data-testid="notification-bell"]');
  });

  it('opens Carl Jensen’s plan from the patient list', async () => {
    await tabTo(page, '[data-testid="nav-patients"]', { back: true });
    await page.keyboard.press('Enter');
    await page.getByTestId('patient-card').first().waitFor({ timeout: UI_MS });
    const carlsPlan = await page
      .getByTestId('patient-card')
      .filter({ hasText: CARL.name })
      .getByTestId('plan-link')
      .first()
      .getAttribute('href');
    await tabTo(page, `[data-testid="plan-link"][href="${carlsPlan}"]`);
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="plan-layout"][data-synced="true"]').waitFor({ timeout: UI_MS });
    planId = /#\/plans\/([0-9a-f-]{36})/.exec(page.url())![1]!;
  });

  it('acknowledges the critical result with Space, and the server has it', async () => {
    // The plan's banner of critical results comes first after its header: Tab reaches its button.
    const banner = `[data-testid="critical-result"][data-result-id="${criticalId}"]`;
    await tabTo(page, `${banner} [data-testid="acknowledge-result"]`, { max: 100 });
    await page.keyboard.press('Space');
    const hanne = (await (
      await fetch(`${hub!.baseUrl}/api/v1/me`, { headers: { authorization: `Bearer ${hanneToken}` } })
    ).json()) as { name: string };
    await expect
      .poll(
        async () => (await planDocument(hanneToken, planId)).results.find((r) => r.id === criticalId)?.acknowledgedBy,
        {
          timeout: LIVE_MS,
        },
      )
      .toBe(hanne.name);
    await page.locator(`[data-result-id="${criticalId}"] [data-testid="result-acknowledged"]`).first().waitFor({
      state: 'attached',
      timeout: LIVE_MS,
    });
  });

  it('writes a journal note with the keyboard, and the server has it', async () => {
    const text = `Kalium 7,2 set og kvitteret, tastatur ${Date.now()}`;
    await tabTo(page, { selector: '.section-menu__link', text: 'Journalnotater' }, { back: true, max: 200 });
    await page.keyboard.press('Enter');
    await tabTo(page, '[data-testid="note-composer"]', { max: 60 });
    await page.keyboard.type(text);
    await tabTo(page, '[data-testid="note-add"]', { max: 3 });
    await page.keyboard.press('Enter');
    await page.getByTestId('note').filter({ hasText: text }).waitFor({ timeout: LIVE_MS });
    await expect
      .poll(async () => JSON.stringify(await planDocument(hanneToken, planId)).includes(text), { timeout: LIVE_MS })
      .toBe(true);
  });
});
