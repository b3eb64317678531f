/**
 * Browser test: the GP works in Carl Jensen's plan from inside the practice system. A tiny
 * "practice system" (a second origin: its own HTTP server on another port of 127.0.0.1) frames
 * the hub's `/embed#<link>` page; the hub allows that origin (EMBED_ALLOWED_ORIGINS). Gitte (GP)
 * makes the link in the full app; inside the frame she writes a note that Hanne (hospital, in
 * another browser context) sees live. The same page served from an origin that is not allowed
 * never shows the plan: the browser blocks the frame (CSP frame-ancestors). A read-only link
 * shows everything disabled; a revoked link says so.
 *
 * Needs a built client (`npm run build:client`) and Debian's Chromium at /usr/bin/chromium.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, ConsoleMessage, FrameLocator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserView } from '../../shared/api.ts';
import {
  apiLogin,
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

interface Practice {
  origin: string;
  /** The practice system's page framing `src`. */
  pageFor(src: string): string;
  close(): Promise<void>;
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A practice system: one HTML page with an iframe of the address given in `?src=`. */
async function startPractice(): Promise<Practice> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const src = url.searchParams.get('src') ?? 'about:blank';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="da"><head><meta charset="utf-8"><title>Lægesystem</title></head>
<body><h1>Lægesystem – patientoversigt</h1>
<iframe src="${escapeHtml(src)}" title="CareHub" width="640" height="900" style="border:1px solid #999"></iframe>
</body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    pageFor: (src) => `${origin}/?src=${encodeURIComponent(src)}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let hub: Hub | null = null;
let browser: Browser | null = null;
let practice: Practice | null = null;
let foreign: Practice | null = null;
const contexts: BrowserContext[] = [];

async function newPage(locale = 'da-DK'): Promise<Page> {
  const { context, page } = await openPage(browser!, locale, { width: 1000, height: 1000 });
  contexts.push(context);
  return page;
}

/** An embed link made through the API by a signed-in care-team member. */
async function makeLink(token: string, planId: string, access: 'edit' | 'read'): Promise<{ id: string; url: string }> {
  const res = await fetch(`${hub!.baseUrl}/api/v1/plans/${planId}/embed-links`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ access, expiresInMinutes: 60 }),
  });
  if (res.status !== 201) throw new Error(`creating an embed link answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as { id: string; url: string };
}

describe('the plan embedded in the GP’s practice system', () => {
  let gittePage: Page;
  let hannePage: Page;
  let gitte: UserView & { token: string };
  let hanne: UserView & { token: string };
  let planId = '';
  let editUrl = '';
  let linkId = '';
  let frame: FrameLocator;
  let practicePage: Page;

  beforeAll(
    async () => {
      assertPrerequisites();
      practice = await startPractice();
      foreign = await startPractice();
      hub = await startHub({ EMBED_ALLOWED_ORIGINS: practice.origin });
      browser = await launchBrowser();
      gittePage = await newPage();
      hannePage = await newPage('en-GB');
      gitte = await signIn(gittePage, hub.baseUrl, 'gitte');
      hanne = await signIn(hannePage, hub.baseUrl, 'hanne');
      planId = await openCarlsPlan(gittePage);
      expect(await openCarlsPlan(hannePage)).toBe(planId);
    },
    SERVER_START_MS + 4 * UI_MS,
  );

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close().catch(() => {});
    await hub?.stop();
    await practice?.close();
    await foreign?.close();
  }, 30_000);

  it('lets the GP make an embed link for her practice system in the full app', async () => {
    const panel = gittePage.getByTestId('embed-link-panel');
    await panel.locator('summary').click();
    await panel.getByTestId('embed-link-access').selectOption('edit');
    await panel.getByTestId('embed-link-create').click();
    const url = panel.getByTestId('embed-link-url');
    await url.waitFor({ timeout: UI_MS });
    editUrl = await url.inputValue();
    expect(editUrl).toMatch(new RegExp(`^${hub!.baseUrl.replace(/[.]/g, '\\.')}/embed#.{20,}`));
    linkId = (await panel.getByTestId('embed-link-result').getAttribute('data-link-id')) ?? '';
    expect(linkId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('shows the plan inside the practice system, where the GP’s note reaches the hospital live', async () => {
    practicePage = await newPage();
    await practicePage.goto(practice!.pageFor(editUrl));
    frame = practicePage.frameLocator('iframe');
    await frame
      .locator('[data-testid="embed-app"] [data-testid="plan-layout"][data-synced="true"]')
      .waitFor({ timeout: UI_MS });
    // Compact chrome: the patient, no patient list and no navigation away.
    expect(await frame.getByTestId('embed-header').getByTestId('plan-patient').textContent()).toBe('Carl Jensen');
    expect(
      await frame.locator('.app-header, [data-testid="patient-card"], [data-testid="history-link"], nav a').count(),
    ).toBe(0);
    expect(await frame.getByTestId('embed-app').getAttribute('data-access')).toBe('edit');

    // The link left the frame's address at once; nothing was kept in cookies or web storage.
    const embedded = practicePage.frames().find((f) => f.url().startsWith(`${hub!.baseUrl}/embed`));
    expect(embedded, 'the hub page inside the frame').toBeDefined();
    expect(embedded!.url()).toBe(`${hub!.baseUrl}/embed`);
    expect(
      await embedded!.evaluate(() => ({
        cookies: document.cookie,
        session: sessionStorage.length,
        local: localStorage.length,
      })),
    ).toEqual({ cookies: '', session: 0, local: 0 });

    // Gitte, in the frame, sees Hanne here; Hanne sees Gitte.
    await frame.locator(`[data-testid="presence-person"][data-user-id="${hanne.id}"]`).waitFor({ timeout: LIVE_MS });
    await hannePage
      .locator(`[data-testid="presence-person"][data-user-id="${gitte.id}"]`)
      .waitFor({ timeout: LIVE_MS });

    const text = `Set i praksis ${Date.now()}: blodtryk 142/88, fortsætter uændret.`;
    await frame.getByTestId('note-composer').fill(text);
    await frame.getByTestId('note-add').click();
    const atHanne = hannePage.getByTestId('note').filter({ hasText: text });
    await atHanne.waitFor({ timeout: LIVE_MS });
    expect(await atHanne.getByTestId('note-author').textContent()).toBe(gitte.name);
  });

  it('is blocked by the browser when a page of another origin frames it', async () => {
    const url = (await makeLink(gitte.token, planId, 'edit')).url;
    const page = await newPage();
    const violations: string[] = [];
    page.on('console', (m: ConsoleMessage) => {
      if (m.text().includes('frame-ancestors')) violations.push(m.text());
    });
    await page.goto(foreign!.pageFor(url));
    // Chromium refuses to render the hub in this frame and says why.
    await expect.poll(() => violations.length, { timeout: UI_MS }).toBeGreaterThan(0);
    expect(violations.join('\n')).toContain(practice!.origin);
    await page.waitForLoadState('load');
    expect(await page.frameLocator('iframe').locator('[data-testid="embed-app"], #root *').count()).toBe(0);
    expect(page.frames().some((f) => f.url().startsWith(`${hub!.baseUrl}/embed`) && f !== page.mainFrame())).toBe(
      false,
    );
  });

  it('shows everything disabled for a read-only link', async () => {
    const token = await apiLogin(hub!.baseUrl, 'gitte');
    const url = (await makeLink(token, planId, 'read')).url;
    const page = await newPage('en-GB');
    await page.goto(practice!.pageFor(url));
    const readFrame = page.frameLocator('iframe');
    await readFrame.locator('[data-testid="plan-layout"][data-synced="true"]').waitFor({ timeout: UI_MS });
    await readFrame.getByTestId('embed-read-only').waitFor();
    const layout = readFrame.getByTestId('plan-layout');
    // Every control that would change the plan is disabled (the results' view filter is not one).
    expect(
      await layout
        .locator('input:not([disabled]):not([type="radio"]), select:not([disabled]), textarea:not([disabled])')
        .count(),
    ).toBe(0);
    expect(await layout.locator('[contenteditable="true"]').count()).toBe(0);
    expect(await layout.getByTestId('note-composer').count()).toBe(0);
    // The embedded page is Danish whatever the browser's language.
    expect((await layout.getByTestId('permission-note').first().textContent())?.toLowerCase()).toContain(
      'kun læseadgang',
    );
  });

  it('says clearly that a revoked link no longer opens the plan', async () => {
    await gittePage.getByTestId('embed-link-panel').getByTestId('embed-link-revoke').click();
    await gittePage
      .getByTestId('embed-link-panel')
      .getByText('revoked', { exact: false })
      .or(gittePage.getByTestId('embed-link-panel').getByText('trukket tilbage', { exact: false }))
      .waitFor({ timeout: UI_MS });
    const page = await newPage('en-GB');
    await page.goto(practice!.pageFor(editUrl));
    const refused = page.frameLocator('iframe').getByTestId('embed-refused');
    await refused.waitFor({ timeout: UI_MS });
    expect(await refused.textContent()).toContain('udløbet eller trukket tilbage');
    expect(await page.frameLocator('iframe').getByTestId('plan-layout').count()).toBe(0);
  });
});
