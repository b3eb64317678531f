/**
 * Browser test: the plan reads before it edits (issue 17, items 3–5). Hanne opens Carl Jensen's
 * plan: a summary header (CPR number, age, diagnoses, care team, admission, what needs
 * attention), every section as text with no editor and no formatting toolbar open. Choosing a
 * goal's description opens its editor with the toolbar; leaving it shows text again. She writes
 * a journal note, edits and signs it — it is locked, and a correction is an addendum under the
 * original. Lab results read as a cumulative table (samples newest first, flags coloured,
 * critical marked) whose row opens the trend; the imaging report is a report. axe finds no
 * violation in any state visited, the controls of the page are at least 44 px tall, and the page
 * never scrolls sideways at 1280, 1024, 768 and 390 px.
 *
 * Needs a built client (`npm run build:client`) and Debian's Chromium at /usr/bin/chromium.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NPU_SYSTEM } from '../../shared/fhir-systems.ts';
import { ANALYSES, criticalPotassium, labObservation } from '../../server/simulator/lab-samples.ts';
import { imagingReport } from '../../server/simulator/report-samples.ts';
import { danishTime } from '../../server/simulator/sample-common.ts';
import {
  assertPrerequisites,
  createApiKey,
  editorText,
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
const hoursAgo = (h: number) => danishTime(new Date(Date.now() - h * 3_600_000));
/** One sample: its results share a time. */
const SAMPLE = hoursAgo(2);

let hub: Hub | null = null;
let browser: Browser | null = null;
const contexts: BrowserContext[] = [];

/** axe (WCAG 2.1 A and AA rules) on the page as it is now: no violation. */
async function expectNoAxeViolations(page: Page, state: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page: page as never })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const summary = violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(summary, `axe violations (${state})`).toEqual([]);
}

/** No horizontal scrolling of the page itself. */
async function expectNoHorizontalOverflow(page: Page, width: number): Promise<void> {
  const { scroll, client, wide } = await page.evaluate(() => {
    const client = document.documentElement.clientWidth;
    // The widest elements past the edge (outside a region that scrolls on its own), for the failure message.
    const wide = [...document.querySelectorAll<HTMLElement>('body *')]
      .filter((el) => el.getBoundingClientRect().right > client + 1 && !el.closest('.cumulative'))
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className} (${Math.round(el.getBoundingClientRect().right)} px)`);
    return { scroll: document.documentElement.scrollWidth, client, wide };
  });
  expect(scroll, `page scrolls sideways at ${width} px: ${wide.join('; ')}`).toBeLessThanOrEqual(client);
}

/** Every visible control of the plan page's new parts is at least 44 px tall (touch targets). */
async function smallControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const selectors = [
      '[data-testid="plan-summary"] button',
      '[data-testid="section-notes"] button',
      '[data-testid="cumulative-table"] button',
      'button.field__edit',
    ];
    const out: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>(selectors.join(','))) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      if (box.height < 44) out.push(`${el.dataset.testid ?? el.className}: ${Math.round(box.height)} px`);
    }
    return out;
  });
}

describe('the plan page reads before it edits', () => {
  let page: Page;

  beforeAll(
    async () => {
      assertPrerequisites();
      hub = await startHub();
      const key = await createApiKey(hub);
      await fileResult(
        hub,
        key,
        '/results',
        labObservation({
          cpr: CARL_CPR,
          analysis: 'potassium',
          value: 4.4,
          id: `pp-k-1-${Date.now()}`,
          time: hoursAgo(30),
        }),
      );
      await fileResult(
        hub,
        key,
        '/results',
        criticalPotassium({ cpr: CARL_CPR, id: `pp-k-2-${Date.now()}`, time: SAMPLE, value: 7.1 }),
      );
      await fileResult(
        hub,
        key,
        '/results',
        labObservation({ cpr: CARL_CPR, analysis: 'sodium', value: 139, id: `pp-na-${Date.now()}`, time: SAMPLE }),
      );
      await fileResult(
        hub,
        key,
        '/results',
        labObservation({
          cpr: CARL_CPR,
          analysis: 'creatinine',
          value: 131,
          id: `pp-cr-${Date.now()}`,
          time: hoursAgo(50),
        }),
      );
      await fileResult(
        hub,
        key,
        '/results',
        imagingReport({ cpr: CARL_CPR, id: `pp-img-${Date.now()}`, time: hoursAgo(5), modality: 'xray' }),
      );
      browser = await launchBrowser();
      const opened = await openPage(browser, 'da-DK');
      contexts.push(opened.context);
      page = opened.page;
      await signIn(page, hub.baseUrl, 'hanne');
      await openCarlsPlan(page);
    },
    SERVER_START_MS + 4 * UI_MS,
  );

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close().catch(() => {});
    await hub?.stop();
  }, 30_000);

  it('opens on a summary header and sections as text, with no editor or toolbar open', async () => {
    const summary = page.getByTestId('plan-summary');
    await summary.waitFor({ timeout: UI_MS });
    expect(await summary.getByTestId('summary-cpr').textContent()).toBe('120345-1237');
    expect(await summary.getByTestId('summary-age').textContent()).toMatch(/^\d+ år$/);
    expect(await summary.getByTestId('summary-diagnoses').textContent()).toContain('Hjertesvigt');
    await summary.getByTestId('summary-care-team').waitFor({ timeout: UI_MS });
    expect(await summary.getByTestId('summary-care-team').textContent()).toContain('Rigshospitalet');
    expect(await summary.getByTestId('summary-admission').getAttribute('data-state')).toBe('none');
    await summary.getByTestId('attention-critical').waitFor({ timeout: LIVE_MS });
    expect(await summary.getByTestId('attention-critical').textContent()).toContain('1 kritiske svar');

    expect(await page.locator('[contenteditable="true"]').count()).toBe(0);
    expect(await page.locator('[role="toolbar"]').count()).toBe(0);
    // No open input either: those of the forms that add entries are behind their disclosures.
    expect(
      await page
        .locator('[data-testid="plan-layout"] input:visible:not([type="checkbox"]):not([type="radio"])')
        .count(),
    ).toBe(0);
    expect(await page.getByTestId('goal-description-read').first().textContent()).toContain('købmanden');
    await expectNoAxeViolations(page, 'reading the plan');
  });

  it('turns a field into its editor, with the toolbar, while it is edited', async () => {
    await page.getByTestId('goal-description-read').first().click();
    const editor = page.getByTestId('goal-description');
    await editor.waitFor({ timeout: UI_MS });
    expect(await page.locator('[role="toolbar"]').count()).toBe(1);
    expect(await editor.evaluate((el) => el === document.activeElement || el.contains(document.activeElement))).toBe(
      true,
    );
    await page.keyboard.type(' og tilbage');
    expect(await editorText(editor)).toContain('købmanden uden åndenød og tilbage');
    await expectNoAxeViolations(page, 'editing a goal');
    await page.keyboard.press('Escape');
    await page.getByTestId('goal-description-read').first().waitFor({ timeout: UI_MS });
    expect(await page.locator('[role="toolbar"]').count()).toBe(0);
    expect(await page.getByTestId('goal-description-read').first().textContent()).toContain('og tilbage');

    // A short value: its input while edited, written when she leaves it.
    await page.getByTestId('goal-target-read').first().click();
    const target = page.getByTestId('goal-target').first();
    await target.fill('6 minutters gangtest > 350 m');
    await target.press('Enter');
    await page.getByTestId('goal-target-read').first().waitFor({ timeout: UI_MS });
    expect(await page.getByTestId('goal-target-read').first().textContent()).toContain('350 m');
  });

  it('signs a journal note, locks it, and keeps the original under a correction', async () => {
    await page.getByTestId('note-composer').fill('Vægt 83,4 kg, let ødem på anklerne.');
    await page.getByTestId('note-add').click();
    const note = page.getByTestId('note').filter({ hasText: 'Vægt 83,4 kg' });
    await note.getByTestId('note-unsigned').waitFor({ timeout: UI_MS });
    // Her unsigned notes (the demo's one and this) need her attention.
    expect(await page.getByTestId('attention-unsigned').textContent()).toContain('2 af dine notater');

    // She types at once after "Ret", before the editor has taken the focus: no key is lost
    // (they are kept and typed into it at the end as it takes the focus).
    // The keys come in the same moment as the press (after React has opened the editor, before
    // it has the focus), so this fails if any key typed that early is lost.
    const noteKey = await note.getAttribute('data-note-id');
    await page.evaluate(async (key) => {
      const edit = document.querySelector<HTMLButtonElement>(
        `[data-testid="note"][data-note-id="${key}"] [data-testid="note-edit"]`,
      );
      if (!edit) throw new Error('no Ret on the note');
      edit.click();
      await new Promise<void>((resolve) => queueMicrotask(resolve));
      for (const ch of ' Furosemid uændret.')
        (document.activeElement ?? document.body).dispatchEvent(
          new KeyboardEvent('keydown', { key: ch, bubbles: true, cancelable: true }),
        );
    }, noteKey);
    await note.getByTestId('note-editor').waitFor({ timeout: UI_MS });
    await expectNoAxeViolations(page, 'editing a note');
    await note.getByTestId('note-sign').click();
    await note.getByTestId('note-signed').waitFor({ timeout: UI_MS });
    expect(await note.getAttribute('data-signed')).toBe('true');
    expect(await note.getByTestId('note-body').textContent()).toBe(
      'Vægt 83,4 kg, let ødem på anklerne. Furosemid uændret.',
    );
    expect(await note.getByTestId('note-edit').count()).toBe(0);
    expect(await note.getByTestId('note-editor').count()).toBe(0);
    expect(await page.getByTestId('attention-unsigned').textContent()).toContain('1 af dine notater');

    await note.getByTestId('note-addendum').click();
    await note.getByTestId('note-addendum-text').fill('Rettelse: vægt 84,3 kg.');
    await expectNoAxeViolations(page, 'writing a correction');
    await note.getByTestId('note-addendum-save').click();
    await note.getByTestId('note-addendum-item').waitFor({ timeout: UI_MS });
    expect(await note.getByTestId('note-addendum-item').textContent()).toContain('Rettelse: vægt 84,3 kg.');
    expect(await note.getByTestId('note-body').first().textContent()).toBe(
      'Vægt 83,4 kg, let ødem på anklerne. Furosemid uændret.',
    );
  });

  it('shows lab results as a cumulative table whose row opens the trend, and reports as reports', async () => {
    const table = page.getByTestId('cumulative-table');
    await table.waitFor({ timeout: UI_MS });
    // Three samples, the newest first; each analyte in the columns of its samples.
    expect(await table.getByTestId('cumulative-sample').count()).toBe(3);
    const times = await table
      .locator('[data-testid="cumulative-sample"] time')
      .evaluateAll((els) => els.map((el) => Date.parse(el.getAttribute('datetime') ?? '')));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const potassium = table.locator(`[data-testid="cumulative-row"][data-code="${ANALYSES.potassium.code}"]`);
    expect(await potassium.getByTestId('cumulative-cell').count()).toBe(2);
    expect(await potassium.locator('td').nth(2).getAttribute('data-testid')).toBeNull();
    const newest = potassium.locator('td').first();
    expect(await newest.getAttribute('data-flag')).toBe('HH');
    expect(await newest.getAttribute('class')).toContain('cumulative__cell--critical');
    expect(await newest.getByTestId('cumulative-critical').count()).toBe(1);
    expect(await newest.textContent()).toContain('7,1');
    const sodium = table.locator(`[data-testid="cumulative-row"][data-code="${ANALYSES.sodium.code}"]`);
    expect(await sodium.locator('td').first().textContent()).toContain('139');
    expect(await sodium.getByTestId('cumulative-cell').count()).toBe(1);

    await potassium.getByTestId('cumulative-trend-toggle').click();
    const trend = page
      .getByTestId('cumulative-trend')
      .locator(`[data-testid="trend-chart"][data-code="${NPU_SYSTEM}|${ANALYSES.potassium.code}"]`);
    await trend.waitFor({ timeout: UI_MS });
    expect(await trend.getByTestId('trend-table').locator('tbody tr').count()).toBe(2);
    // The imaging report is a report of its own; lab results one by one are behind a disclosure.
    const reports = page.getByTestId('section-results').locator('[data-testid="result"]:visible');
    expect(await reports.count()).toBe(1);
    await expectNoAxeViolations(page, 'results with a trend open');
  });

  it('keeps its controls at least 44 px tall and never scrolls sideways at 1280, 1024, 768 and 390 px', async () => {
    for (const width of [1280, 1024, 768, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await page.getByTestId('plan-summary').waitFor({ timeout: UI_MS });
      await expectNoHorizontalOverflow(page, width);
      expect(await smallControls(page), `controls under 44 px at ${width} px`).toEqual([]);
    }
    await expectNoAxeViolations(page, 'at 390 px');
  });
});
