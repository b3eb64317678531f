/**
 * What the browser tests check of a screen at one width (issue 17, "every screen at home on its
 * device"): the page never scrolls sideways, no visible control is outside the viewport or cut
 * by an ancestor that hides its overflow, no control's own text spills out of it, no region
 * scrolls sideways on a phone (tables reflow into lists there), and on touch devices every
 * target is at least 44 × 44 CSS px (WCAG 2.5.5; inline links in running text are exempt, as
 * the criterion says). axe (every rule it runs by default, WCAG 2.1 A/AA and best practices)
 * finds no violation, at every width but the narrowest phone (360 px: the layout checks only;
 * axe at 390 px already sees the phone layout, and axe is most of a screen's time).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { ROOT } from './helpers.ts';

export interface Width {
  /** Names the width in failure messages and screenshot files. */
  name: string;
  width: number;
  height: number;
  /** A touch device (tablet, phone): targets of at least 44 px. */
  touch: boolean;
  /** axe runs at this width too (the layout checks run at every width). */
  axe: boolean;
  /** Screenshots of the main pages are taken at this width, under this name. */
  shot?: 'desktop' | 'tablet' | 'phone';
}

/** Desktop, iPad landscape and portrait, phone (iPhone 14 and a small Android). */
export const WIDTHS: readonly Width[] = [
  { name: 'desktop 1280', width: 1280, height: 800, touch: false, axe: true, shot: 'desktop' },
  { name: 'iPad landscape 1024', width: 1024, height: 768, touch: true, axe: true, shot: 'tablet' },
  { name: 'iPad portrait 768', width: 768, height: 1024, touch: true, axe: true },
  { name: 'phone 390', width: 390, height: 844, touch: true, axe: true, shot: 'phone' },
  { name: 'phone 360', width: 360, height: 780, touch: true, axe: false },
];

/** Where the browser suite leaves its screenshots (gitignored; CI keeps the folder). */
export const SCREENSHOT_DIR = path.join(ROOT, 'artifacts', 'screenshots');

/** Waits until the page has laid itself out at a new size (two animation frames). */
export async function settled(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
}

/**
 * Everything wrong with the layout of the page as it is now, at `width` CSS px, one line each
 * (empty: nothing). Runs in the page; the rules are in the file's comment.
 */
export function layoutProblems(page: Page, width: number, touch: boolean): Promise<string[]> {
  return page.evaluate(
    ({ width, touch }) => {
      const problems: string[] = [];
      const doc = document.documentElement;
      const name = (el: Element): string => {
        const h = el as HTMLElement;
        const id = h.dataset?.testid ? `[data-testid=${h.dataset.testid}]` : h.id ? `#${h.id}` : '';
        const cls =
          typeof h.className === 'string' && h.className ? `.${h.className.trim().split(/\s+/).join('.')}` : '';
        const text = (h.innerText ?? h.getAttribute('aria-label') ?? '').trim().replace(/\s+/g, ' ').slice(0, 30);
        return `${el.tagName.toLowerCase()}${id}${id ? '' : cls}${text ? ` "${text}"` : ''}`;
      };
      const px = (n: number) => Math.round(n);
      const scrolls = (v: string) => v === 'auto' || v === 'scroll';
      const hides = (v: string) => v === 'hidden' || v === 'clip';

      // 1. The page itself scrolls sideways: name the innermost elements past the right edge.
      if (doc.scrollWidth > width) {
        const past = [...document.querySelectorAll('body *')].filter((el) => {
          const r = el.getBoundingClientRect();
          return r.width > 0 && r.right > width + 1 && el.checkVisibility();
        });
        const innermost = past.filter((el) => !past.some((other) => other !== el && el.contains(other))).slice(0, 4);
        problems.push(
          `page scrolls sideways: ${doc.scrollWidth} px wide; past the edge: ${innermost
            .map((el) => `${name(el)} (to ${px(el.getBoundingClientRect().right)} px)`)
            .join('; ')}`,
        );
      }

      // 2. Controls: inside the viewport (or their scroll container) and not cut by an ancestor.
      const controls = document.querySelectorAll<HTMLElement>(
        [
          'a[href]',
          'button',
          'input:not([type="hidden"])',
          'select',
          'textarea',
          'summary',
          '[role="button"]',
          '[role="link"]',
          '[role="tab"]',
          '[role="checkbox"]',
          '[role="radio"]',
          '[role="switch"]',
          '[role="menuitem"]',
          '[contenteditable="true"]',
          '[tabindex]:not([tabindex="-1"])',
        ].join(','),
      );
      for (const el of controls) {
        if (!el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
        let r = el.getBoundingClientRect();
        // Visually hidden on purpose (a screen reader's text, a radio under its label) or
        // shown only when focused (the skip link, above the page until then).
        const hiddenInput = el instanceof HTMLInputElement && (r.width <= 1 || r.height <= 1);
        if (!hiddenInput && (r.width <= 1 || r.height <= 1)) continue;
        if (r.bottom + window.scrollY <= 0) continue;

        let scrollX = false;
        let scrollY = false;
        let cutBy: Element | null = null;
        for (let a = el.parentElement; a && a !== document.body && a !== doc; a = a.parentElement) {
          const s = getComputedStyle(a);
          const box = a.getBoundingClientRect();
          const left = box.left + a.clientLeft;
          const top = box.top + a.clientTop;
          if (!scrollX) {
            if (hides(s.overflowX) && (r.left < left - 1 || r.right > left + a.clientWidth + 1)) cutBy = a;
            else if (scrolls(s.overflowX)) scrollX = true;
          }
          if (!scrollY && !cutBy) {
            if (hides(s.overflowY) && (r.top < top - 1 || r.bottom > top + a.clientHeight + 1)) cutBy = a;
            else if (scrolls(s.overflowY)) scrollY = true;
          }
          if (cutBy) break;
        }
        if (hiddenInput) {
          // A visually hidden checkbox or radio: its label is what a finger touches.
          const label = (el as HTMLInputElement).labels?.[0];
          if (!label) continue;
          r = label.getBoundingClientRect();
        }
        if (cutBy) problems.push(`${name(el)} is cut by ${name(cutBy)}`);
        else if (!scrollX && (r.left < -1 || r.right > width + 1))
          problems.push(`${name(el)} is outside the viewport (${px(r.left)}–${px(r.right)} px of ${width})`);

        // Its own text spills out of it (or is cut by its own overflow): each run of text in the
        // flow (not an absolutely placed badge or a screen reader's text) within its box.
        const display = getComputedStyle(el).display;
        if (
          !(el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement) &&
          !el.isContentEditable &&
          el.getAttribute('tabindex') === null
        ) {
          const texts = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
          for (let n = texts.nextNode(); n; n = texts.nextNode()) {
            if (!(n.textContent ?? '').trim()) continue;
            let placed = false;
            for (let p = n.parentElement; p && p !== el; p = p.parentElement)
              if (['absolute', 'fixed'].includes(getComputedStyle(p).position)) placed = true;
            if (placed) continue;
            const range = document.createRange();
            range.selectNodeContents(n);
            const t = range.getBoundingClientRect();
            if (t.width > 0 && (t.left < r.left - 1 || t.right > r.right + 1)) {
              problems.push(
                `${name(el)}: its text runs outside it (${px(t.left)}–${px(t.right)} px in ${px(r.left)}–${px(r.right)})`,
              );
              break;
            }
          }
        }

        // 3. Touch targets.
        // A checkbox or radio button is touched through its label as well (the label toggles it):
        // the target is the larger of the two.
        const labelled =
          el instanceof HTMLInputElement
            ? [...(el.labels ?? [])].some((l) => {
                const b = l.getBoundingClientRect();
                return b.width >= 43.5 && b.height >= 43.5;
              })
            : false;
        if (touch && !labelled && (r.width < 43.5 || r.height < 43.5)) {
          // A link in running text is exempt (WCAG 2.5.5 "inline").
          const inText =
            el.tagName === 'A' &&
            display === 'inline' &&
            [...(el.parentElement?.childNodes ?? [])].some(
              (n) => n !== el && n.nodeType === Node.TEXT_NODE && (n.textContent ?? '').trim() !== '',
            );
          if (!inText) problems.push(`${name(el)} is a ${px(r.width)}×${px(r.height)} px touch target`);
        }
      }

      // 4. On a phone nothing scrolls sideways inside the page either: tables reflow into lists.
      if (width <= 430) {
        for (const el of document.querySelectorAll<HTMLElement>('body *')) {
          const s = getComputedStyle(el);
          if (!scrolls(s.overflowX) || el.scrollWidth <= el.clientWidth + 1) continue;
          if (el.isContentEditable || el instanceof HTMLTextAreaElement || el instanceof HTMLInputElement) continue;
          if (!el.checkVisibility()) continue;
          problems.push(`${name(el)} scrolls sideways (${el.scrollWidth} px in ${el.clientWidth} px)`);
        }
      }
      return [...new Set(problems)];
    },
    { width, touch },
  );
}

/**
 * axe's violations on the page as it is now, one line each (rule: targets). The same rules as
 * axe's default run, in the page itself (`axe.run`, "legacy mode"): the app has no iframes, so
 * the default's per-frame `runPartial` and its `finishRun` in a new blank page (a page opened
 * and closed for every check, half of its time) find nothing more. Only the violations are
 * worked out to the last node; passes and incomplete results, which this does not read, stop
 * at their first.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page: page as never })
    .setLegacyMode()
    .options({ resultTypes: ['violations'] })
    .analyze();
  return violations.map(
    (v) => `axe ${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')} — ${v.help}`,
  );
}

/** A screenshot of the viewport as `<page>-<desktop|tablet|phone>.png` in SCREENSHOT_DIR. */
export async function screenshot(page: Page, pageName: string, shot: NonNullable<Width['shot']>): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${pageName}-${shot}.png`), animations: 'disabled' });
}
