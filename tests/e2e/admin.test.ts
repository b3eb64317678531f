/**
 * Browser test: the administrator's pages. The audit log is a table filtered by patient id and
 * time (ids only: no patient's name, not even a citizen's as the actor); an organisation and a
 * user are added through the forms, and the new user can sign in.
 *
 * Needs a built client (`npm run build:client`) and Debian's Chromium at /usr/bin/chromium.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiLogin,
  assertPrerequisites,
  launchBrowser,
  openPage,
  SERVER_START_MS,
  startHub,
  UI_MS,
  type Hub,
} from './helpers.ts';

let hub: Hub | null = null;
let browser: Browser | null = null;
const contexts: BrowserContext[] = [];

describe('the administrator’s pages', () => {
  let page: Page;
  let carlPatientId = '';

  beforeAll(
    async () => {
      assertPrerequisites();
      hub = await startHub();
      browser = await launchBrowser();
      // Carl signs in and reads his plans: entries about him, with him as the actor.
      const carl = await apiLogin(hub.baseUrl, 'carl');
      const own = (await (
        await fetch(`${hub.baseUrl}/api/v1/patients`, { headers: { authorization: `Bearer ${carl}` } })
      ).json()) as { id: string }[];
      carlPatientId = own[0]?.id ?? '';
      const opened = await openPage(browser, 'en-GB');
      contexts.push(opened.context);
      page = opened.page;
      await page.goto(`${hub.baseUrl}/#/patients`);
      await page.getByTestId('sign-in-username').fill('admin');
      await page.getByTestId('sign-in-password').fill('demo');
      await page.getByTestId('sign-in-submit').click();
      await page.locator('[data-testid="admin-view"][data-tab="audit"]').waitFor({ timeout: UI_MS });
    },
    SERVER_START_MS + 2 * UI_MS,
  );

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close().catch(() => {});
    await hub?.stop();
  }, 30_000);

  it('shows the audit log filtered by patient id, with ids and no names of patients', async () => {
    await page.getByTestId('audit-entry').first().waitFor({ timeout: UI_MS });
    await page.getByTestId('audit-patient').fill('0101901234');
    await page.getByTestId('audit-submit').click();
    await page.getByTestId('audit-filter').getByRole('alert').waitFor({ timeout: UI_MS });

    await page.getByTestId('audit-patient').fill(carlPatientId);
    await page.getByTestId('audit-submit').click();
    await page.waitForFunction(
      (id) => {
        const rows = [...document.querySelectorAll('[data-testid="audit-entry"]')];
        return rows.length > 0 && rows.every((r) => r.textContent?.includes(id));
      },
      carlPatientId,
      { timeout: UI_MS },
    );
    expect(await page.locator('[data-testid="audit-entry"][data-action="patient.list"]').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('audit-table').textContent()).not.toContain('Carl Jensen');

    await page.getByTestId('audit-words').fill('patient.list');
    const rows = await page.getByTestId('audit-entry').all();
    for (const row of rows) expect(await row.getAttribute('data-action')).toBe('patient.list');
    // The action in words (in the language the page shows), not as its code.
    expect(await rows[0]!.textContent()).toMatch(/Så patienten i patientlisten|Saw the patient in the patient list/);
    expect(await page.getByTestId('audit-table').textContent()).not.toContain('plan.document.read');
  });

  it('adds an organisation and a user who can then sign in', async () => {
    await page.getByTestId('admin-view').getByRole('link', { name: 'Organisations' }).click();
    await page.getByTestId('organisation-form').waitFor({ timeout: UI_MS });
    await page.getByTestId('organisation-name').fill('Lægerne Vesterbro');
    await page.getByTestId('organisation-sector').selectOption('general_practice');
    await page.getByTestId('organisation-submit').click();
    await page.getByTestId('organisation-row').filter({ hasText: 'Lægerne Vesterbro' }).waitFor({ timeout: UI_MS });
    // Its SOR code and EAN number (MedCom), set in place and shown.
    const orgRow = page.getByTestId('organisation-row').filter({ hasText: 'Lægerne Vesterbro' });
    await orgRow.getByTestId('organisation-codes-edit').click();
    await orgRow.getByTestId('organisation-codes-sor').fill('123451000016009');
    await orgRow.getByTestId('organisation-codes-ean').fill('5790001348120');
    await orgRow.getByTestId('organisation-codes-save').click();
    await orgRow.getByTestId('organisation-sor').filter({ hasText: '123451000016009' }).waitFor({ timeout: UI_MS });
    expect(await orgRow.getByTestId('organisation-ean').textContent()).toBe('5790001348120');

    await page.getByTestId('admin-view').getByRole('link', { name: 'Users' }).click();
    await page.getByTestId('user-form').waitFor({ timeout: UI_MS });
    await page.getByTestId('user-username').fill('vera');
    await page.getByTestId('user-name').fill('Vera Vestergaard');
    await page.getByTestId('user-role').selectOption('gp');
    await page
      .getByTestId('user-organisation')
      .locator('option', { hasText: 'Lægerne Vesterbro' })
      .waitFor({ state: 'attached', timeout: UI_MS });
    await page.getByTestId('user-organisation').selectOption({ label: 'Lægerne Vesterbro (General practice)' });
    await page.getByTestId('user-password').fill('short');
    await page.getByTestId('user-submit').click();
    await page.getByTestId('user-form').getByRole('alert').waitFor({ timeout: UI_MS });
    await page.getByTestId('user-password').fill('vera-demo-1');
    // A clinical account needs a stated reason (kept in the audit log, flagged there).
    await page.getByTestId('user-submit').click();
    await page.getByTestId('user-form').getByRole('alert').filter({ hasText: 'reason' }).waitFor({ timeout: UI_MS });
    await page
      .getByTestId('user-reason')
      .fill('New GP at Lægerne Vesterbro from 1 December, asked for by the practice');
    await page.getByTestId('user-submit').click();
    const row = page.getByTestId('user-row').filter({ hasText: 'Vera Vestergaard' });
    await row.waitFor({ timeout: UI_MS });
    expect(await row.textContent()).toContain('Lægerne Vesterbro');

    const login = await fetch(`${hub!.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'vera', password: 'vera-demo-1' }),
    });
    expect(login.status).toBe(200);
    expect(((await login.json()) as { user: { role: string; organisation: { name: string } } }).user).toMatchObject({
      role: 'gp',
      organisation: { name: 'Lægerne Vesterbro' },
    });
  });
});
