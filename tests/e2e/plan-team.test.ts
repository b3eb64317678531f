/**
 * Browser test: a cross-sector team works in Carl Jensen's plan. Hanne (hospital doctor) and
 * Maja (municipal home-care nurse) co-edit a goal and see each other's text and carets live;
 * Maja's medication controls are disabled and say why; a task Hanne hands over to the
 * municipality moves to the municipality column of Maja's board without a reload; and the
 * history view shows the plan as it was before the handover.
 *
 * Needs a built client (`npm run build:client`) and Debian's Chromium at /usr/bin/chromium.
 */
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserView } from '../../shared/api.ts';
import { decide } from '../../shared/permissions.ts';
import { en } from '../../client/src/i18n/en.ts';
import { wordRefusal } from '../../client/src/i18n/refusal-words.ts';
import { makeTranslate } from '../../client/src/i18n/translate.ts';
import {
  assertPrerequisites,
  describedText,
  editorText,
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

describe('a cross-sector team in one care plan', () => {
  let hannePage: Page;
  let majaPage: Page;
  let hanne: UserView;
  let maja: UserView;
  /** The hospital's task that Hanne hands over. */
  let taskId = '';

  const task = (page: Page, sector: string): Locator =>
    page.locator(
      `[data-testid="task-column"][data-sector="${sector}"] [data-testid="task-card"][data-task-id="${taskId}"]`,
    );

  beforeAll(
    async () => {
      assertPrerequisites();
      hub = await startHub();
      browser = await launchBrowser();
      for (const locale of ['da-DK', 'en-GB']) {
        const { context, page } = await openPage(browser, locale);
        contexts.push(context);
        if (locale === 'da-DK') hannePage = page;
        else majaPage = page;
      }
      hanne = await signIn(hannePage, hub.baseUrl, 'hanne');
      maja = await signIn(majaPage, hub.baseUrl, 'maja');
      expect(await openCarlsPlan(majaPage)).toBe(await openCarlsPlan(hannePage));
    },
    SERVER_START_MS + 4 * UI_MS,
  );

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close().catch(() => {});
    await hub?.stop();
  }, 30_000);

  it('shows each other’s edits and carets, with names, live in a goal’s rich text', async () => {
    const goalId = await hannePage.getByTestId('goal-card').first().getAttribute('data-goal-id');
    expect(goalId).toMatch(/^[0-9a-f-]{36}$/);
    const goal = (page: Page) => page.locator(`[data-testid="goal-card"][data-goal-id="${goalId}"]`);
    const hanneEditor = goal(hannePage).getByTestId('goal-description');
    const majaEditor = goal(majaPage).getByTestId('goal-description');
    // The description reads as text until each of them chooses it; then both edit it at once.
    await goal(hannePage).getByTestId('goal-description-read').click();
    await goal(majaPage).getByTestId('goal-description-read').click();
    await hanneEditor.waitFor({ timeout: UI_MS });
    await majaEditor.waitFor({ timeout: UI_MS });

    await hanneEditor.click();
    await hannePage.keyboard.press('ControlOrMeta+End');
    await hannePage.keyboard.type(' – også trappen');
    await majaEditor.filter({ hasText: 'også trappen' }).waitFor({ timeout: LIVE_MS });
    // Hanne's caret, labelled with her name, sits in Maja's copy of the same field.
    await goal(majaPage).locator('.collaboration-carets__label', { hasText: hanne.name }).waitFor({ timeout: LIVE_MS });

    await majaEditor.click();
    await majaPage.keyboard.press('ControlOrMeta+End');
    await majaPage.keyboard.type(' (med rollator)');
    await hanneEditor.filter({ hasText: '(med rollator)' }).waitFor({ timeout: LIVE_MS });
    await goal(hannePage).locator('.collaboration-carets__label', { hasText: maja.name }).waitFor({ timeout: LIVE_MS });
    // Both people's text is in both copies, in the order they were typed.
    for (const editor of [hanneEditor, majaEditor])
      expect(await editorText(editor)).toContain('også trappen (med rollator)');
  });

  it('disables the municipal nurse’s medication controls and says why', async () => {
    const actor = { userId: maja.id, role: maja.role, sector: maja.organisation?.sector ?? null };
    const decision = decide(actor, 'medications', { op: 'change', key: 'dose', entry: {} });
    if (decision.allowed) throw new Error('the permission table lets a municipal nurse change a dose');

    const card = majaPage.getByTestId('medication-card').first();
    // She reads them as text: no control, nothing that opens an editor.
    for (const field of ['drug', 'dose', 'route', 'frequency', 'start', 'stop', 'note']) {
      expect(await card.locator(`[data-field="${field}"]`).evaluate((el) => el.tagName), field).toBe('SPAN');
    }
    // The reason is visible text in the section, and each disabled control points at it.
    const note = majaPage.getByTestId('section-medications').getByTestId('permission-note').first();
    expect(await note.isVisible()).toBe(true);
    // Worded from the same refusal code, in the page's language.
    const reason = wordRefusal(decision.refusal, makeTranslate(en));
    expect(await note.textContent()).toContain(reason);
    const described = await describedText(majaPage, '[data-testid="medication-card"] [data-field="dose"]');
    expect(described).toContain(reason);
    expect(await majaPage.getByTestId('medication-composer').isDisabled()).toBe(true);

    // The same fields open their editors for the hospital doctor.
    const dose = hannePage.getByTestId('medication-card').first().locator('[data-field="dose"]');
    expect(await dose.evaluate((el) => el.tagName)).toBe('BUTTON');
    await dose.click();
    expect(await hannePage.getByTestId('medication-card').first().locator('input[data-field="dose"]').isEnabled()).toBe(
      true,
    );
    await hannePage.keyboard.press('Escape');
  });

  it('moves a task Hanne hands over to the municipality column of Maja’s board, without a reload', async () => {
    const hospitalTask = hannePage
      .locator('[data-testid="task-column"][data-sector="hospital"] [data-testid="task-card"]')
      .first();
    taskId = (await hospitalTask.getAttribute('data-task-id')) ?? '';
    expect(taskId).toMatch(/^[0-9a-f-]{36}$/);
    await task(majaPage, 'hospital').waitFor({ timeout: LIVE_MS });
    // Maja may not hand over the hospital's task; she is told why.
    expect(await task(majaPage, 'hospital').getByTestId('handover-submit').isDisabled()).toBe(true);
    expect(
      (await describedText(majaPage, `[data-task-id="${taskId}"] [data-testid="handover-submit"]`)).length,
    ).toBeGreaterThan(0);

    await majaPage.evaluate(() => Object.assign(window, { carehubSamePage: true }));
    await hospitalTask.getByTestId('handover-target').selectOption('municipality');
    await hospitalTask.getByTestId('handover-submit').click();

    await task(majaPage, 'municipality').waitFor({ timeout: LIVE_MS });
    expect(await task(majaPage, 'hospital').count()).toBe(0);
    expect(await majaPage.evaluate(() => (window as unknown as { carehubSamePage?: boolean }).carehubSamePage)).toBe(
      true,
    );
    // Now the municipality owns it: Maja may change its status, Hanne no longer may.
    expect(await task(majaPage, 'municipality').getByTestId('task-status').isEnabled()).toBe(true);
    await task(hannePage, 'municipality').getByTestId('task-status-read').waitFor({ timeout: UI_MS });
    expect(await task(hannePage, 'municipality').locator('select[data-testid="task-status"]').count()).toBe(0);
  });

  it('shows in the history view the plan as it was before the handover', async () => {
    await hannePage.getByTestId('history-link').click();
    await hannePage.waitForURL(/#\/plans\/[0-9a-f-]{36}\/history$/, { timeout: UI_MS });
    // The newest change by Hanne that touched the tasks is the handover.
    const handover = hannePage
      .locator(`[data-testid="history-change"][data-author="${hanne.id}"][data-sections~="tasks"]`)
      .first();
    await handover.waitFor({ timeout: UI_MS });
    expect(await handover.textContent()).toContain(hanne.name);
    const snapshotTask = (sector: string) =>
      hannePage.locator(
        `[data-testid="snapshot-task-column"][data-sector="${sector}"] [data-testid="snapshot-task"][data-task-id="${taskId}"]`,
      );

    await handover.click();
    await snapshotTask('municipality').waitFor({ timeout: UI_MS });
    expect(await snapshotTask('hospital').count()).toBe(0);

    // One change earlier: the plan before the handover, the task still in the hospital column.
    await hannePage.getByTestId('history-earlier').click();
    await snapshotTask('hospital').waitFor({ timeout: UI_MS });
    expect(await snapshotTask('municipality').count()).toBe(0);
    expect(
      await hannePage.locator('[data-testid="history-change"][aria-pressed="true"]').getAttribute('data-seq'),
    ).not.toBe(await handover.getAttribute('data-seq'));
  });
});
