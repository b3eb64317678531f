/**
 * Browser test (issues 6, 16): the tablet pages are usable by touch in portrait and landscape
 * from 768 to 1366 px wide (768×1024, 1024×768, 1024×1366, 1366×1024). On today's visits and on
 * a plan opened for a visit, every visible control (buttons, links, fields, tick boxes through
 * their labels, disclosures) is at least 44 × 44 CSS px (WCAG 2.5.5), no style sheet hides an
 * action until hovered, nothing is wider than the screen, and the on-screen keyboard (the
 * visible height shrinking while a field has focus) does not hide the field being typed in.
 *
 * Needs a built client (`npm run build:client`) and Debian's Chromium at /usr/bin/chromium.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertPrerequisites, launchBrowser, SERVER_START_MS, signIn, startHub, UI_MS, type Hub } from './helpers.ts';

let hub: Hub | null = null;
let browser: Browser | null = null;

const MIN_TARGET = 44;

interface Small {
  what: string;
  width: number;
  height: number;
}

/**
 * Every visible control in the page that is smaller than the minimum. A tick box or radio button
 * is measured by its label (the label is the target a finger hits); text inside a sentence and
 * the skip link (off-screen until focused) are not touch targets of their own.
 */
async function smallTargets(page: Page, min: number): Promise<Small[]> {
  return page.evaluate((minimum) => {
    const small: { what: string; width: number; height: number }[] = [];
    const controls = document.querySelectorAll<HTMLElement>(
      'button, a[href], input, select, textarea, summary, [role="button"], [contenteditable="true"]',
    );
    for (const el of controls) {
      if (el.classList.contains('skip-link') || el.closest('.visually-hidden')) continue;
      if (!el.checkVisibility({ checkOpacity: false, checkVisibilityCSS: true })) continue;
      let target: HTMLElement = el;
      if (el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio'))
        target = el.closest('label') ?? el;
      const box = target.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      if (box.width < minimum || box.height < minimum) {
        const label =
          (target.getAttribute('data-testid') ?? '') ||
          (target.textContent ?? '').trim().slice(0, 40) ||
          target.outerHTML.slice(0, 80);
        small.push({
          what: `${target.tagName.toLowerCase()}.${target.className} ${label}`,
          width: Math.round(box.width),
          height: Math.round(box.height),
        });
      }
    }
    return small;
  }, min);
}

/** Style rules that show something only while hovered (display/visibility/opacity under :hover). */
async function hoverOnlyRules(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    const visit = (rules: CSSRuleList) => {
      for (const rule of rules) {
        if (rule instanceof CSSStyleRule && rule.selectorText.includes(':hover')) {
          const s = rule.style;
          if (s.display || s.visibility || s.opacity || s.pointerEvents) found.push(rule.cssText);
        }
        if ('cssRules' in rule && (rule as CSSGroupingRule).cssRules) visit((rule as CSSGroupingRule).cssRules);
      }
    };
    for (const sheet of document.styleSheets) visit(sheet.cssRules);
    return found;
  });
}

describe.each([
  { width: 768, height: 1024 },
  { width: 1024, height: 768 },
  { width: 1024, height: 1366 },
  { width: 1366, height: 1024 },
])('touch targets at $width×$height', (viewport) => {
  let page: Page;

  beforeAll(
    async () => {
      assertPrerequisites();
      hub ??= await startHub();
      browser ??= await launchBrowser();
      const context = await browser.newContext({ locale: 'da-DK', viewport, hasTouch: true, isMobile: false });
      page = await context.newPage();
      page.setDefaultTimeout(UI_MS);
      await signIn(page, hub.baseUrl, 'maja');
    },
    SERVER_START_MS + 2 * UI_MS,
  );

  afterAll(async () => {
    await page
      ?.context()
      .close()
      .catch(() => {});
  });

  it('today’s visits: every control at least 44 px, nothing hover-only', async () => {
    await page.getByTestId('nav-visits').click();
    await page.getByTestId('visit-card').first().waitFor();
    expect(await smallTargets(page, MIN_TARGET)).toEqual([]);
    expect(await hoverOnlyRules(page)).toEqual([]);
    // Type large enough to read at arm's length.
    const size = await page
      .locator('.visit-card__name')
      .first()
      .evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(size).toBeGreaterThanOrEqual(20);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  });

  it('a plan opened for a visit: every control at least 44 px, nothing hover-only', async () => {
    await page.getByTestId('visit-open').first().click();
    await page.locator('[data-testid="plan-layout"][data-synced="true"]').waitFor();
    await page.getByTestId('visit-task-tick').first().waitFor();
    expect(await smallTargets(page, MIN_TARGET)).toEqual([]);
    expect(await hoverOnlyRules(page)).toEqual([]);
    const body = await page.getByTestId('visit-panel').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(body).toBeGreaterThanOrEqual(17);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  });

  it('the on-screen keyboard does not hide the field being typed in', async () => {
    await page.getByTestId('quick-kind-note').check();
    const field = page.getByTestId('quick-comment');
    await field.focus();
    // The keyboard takes about 45 % of the screen: the visible height shrinks while the field has focus.
    const keyboardUp = { width: viewport.width, height: Math.round(viewport.height * 0.55) };
    await page.setViewportSize(keyboardUp);
    try {
      await page.waitForFunction(() => {
        const el = document.activeElement;
        if (el?.getAttribute('data-testid') !== 'quick-comment') return false;
        const box = el.getBoundingClientRect();
        return box.top >= 0 && box.bottom <= window.innerHeight;
      });
      await field.pressSequentially('Sover godt');
      expect(await field.inputValue()).toContain('Sover godt');
    } finally {
      await page.setViewportSize(viewport);
    }
  });
});

afterAll(async () => {
  await browser?.close().catch(() => {});
  await hub?.stop();
}, 30_000);
