/**
 * Browser test (issue 6): a municipal nurse's tablet works without a network. Maja opens Carl
 * Jensen's plan from today's visits, goes offline (Chromium's offline emulation), edits several
 * sections, reloads while still offline (the service worker serves the app, IndexedDB the plan
 * and her edits), closes the tab and opens the app again; meanwhile Hanne (hospital) edits the
 * same plan online. Back online, the server and both browsers hold every edit of both. Then a
 * change made offline that the server refuses on reconnect (the task was handed to the hospital
 * meanwhile) is shown to Maja as refused, with the reason, while the rest of her offline work is
 * kept and every copy converges. Finally, signing out removes the patient data from the device.
 *
 * Needs a built client (`npm run build:client`) and Debian's Chromium at /usr/bin/chromium.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { PlanDocumentJson } from '../../shared/plan.ts';
import { sectionOf } from '../../shared/plan-doc.ts';
import { connectCollab, waitForDoc } from '../fixtures/collab-client.ts';
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

let hub: Hub | null = null;
let browser: Browser | null = null;
const contexts: BrowserContext[] = [];

/** Bound for a reconnect after going online: the first attempt is within a random second. */
const RECONNECT_MS = 15_000;

async function newPage(
  locale: string,
  viewport = { width: 1024, height: 768 },
): Promise<{ context: BrowserContext; page: Page }> {
  if (!browser) throw new Error('browser not launched');
  const opened = await openPage(browser, locale, viewport);
  contexts.push(opened.context);
  return opened;
}

async function planJson(planId: string, token: string): Promise<PlanDocumentJson> {
  const res = await fetch(`${hub!.baseUrl}/api/v1/plans/${planId}/document`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!res.ok) throw new Error(`GET document: ${res.status}`);
  return (await res.json()) as PlanDocumentJson;
}

/** Polls the server's copy of the plan until `check` holds (bounded). */
async function serverHolds(
  planId: string,
  token: string,
  check: (doc: PlanDocumentJson) => boolean,
  what: string,
): Promise<PlanDocumentJson> {
  const deadline = Date.now() + LIVE_MS;
  let last: PlanDocumentJson | null = null;
  while (Date.now() < deadline) {
    last = await planJson(planId, token);
    if (check(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the server never held ${what}: ${JSON.stringify(last).slice(0, 2000)}`);
}

/** Waits until the service worker is active and controls the page, so the app opens offline. */
async function serviceWorkerReady(page: Page): Promise<void> {
  await page.waitForFunction(
    async () => {
      const reg = await navigator.serviceWorker.ready;
      return reg.active?.state === 'activated' && navigator.serviceWorker.controller !== null;
    },
    undefined,
    { timeout: UI_MS },
  );
}

const syncState = (page: Page) => page.getByTestId('connection-status');

async function waitForSync(page: Page, state: 'online' | 'offline' | 'syncing', ms = UI_MS): Promise<void> {
  await page.locator(`[data-testid="connection-status"][data-sync="${state}"]`).waitFor({ timeout: ms });
}

async function pendingOf(page: Page): Promise<number> {
  return Number(await syncState(page).getAttribute('data-pending'));
}

const notesWith = (doc: PlanDocumentJson, text: string) =>
  doc.notes.filter((n) => typeof n.body === 'string' && n.body.includes(text));

describe('home-care tablet: offline, reload, merge on reconnect', () => {
  let maja: { context: BrowserContext; page: Page };
  let hanne: { context: BrowserContext; page: Page };
  let majaToken: string;
  let hanneToken: string;
  let carlPlan: string;

  beforeAll(
    async () => {
      assertPrerequisites();
      hub = await startHub();
      browser = await launchBrowser();
      maja = await newPage('en-GB');
      hanne = await newPage('da-DK', { width: 1280, height: 900 });
      const majaUser = await signIn(maja.page, hub.baseUrl, 'maja');
      majaToken = majaUser.token;
      await signIn(hanne.page, hub.baseUrl, 'hanne');
      hanneToken = await apiLogin(hub.baseUrl, 'hanne');
      carlPlan = await openCarlsPlan(hanne.page);
    },
    SERVER_START_MS + 4 * UI_MS,
  );

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close().catch(() => {});
    await hub?.stop();
  }, 30_000);

  it('serves the app shell with a manifest and a service worker that is never cached stale', async () => {
    const sw = await fetch(`${hub!.baseUrl}/sw.js`);
    expect(sw.status).toBe(200);
    expect(sw.headers.get('cache-control')).toBe('no-cache');
    const source = await sw.text();
    expect(source).toContain('/index.html');
    expect(source).not.toContain('__CAREHUB_PRECACHE__');
    const manifest = await fetch(`${hub!.baseUrl}/manifest.webmanifest`);
    expect(manifest.status).toBe(200);
    const body = (await manifest.json()) as { icons: { src: string }[]; start_url: string };
    for (const icon of body.icons) expect((await fetch(`${hub!.baseUrl}${icon.src}`)).status).toBe(200);
    const csp = (await fetch(`${hub!.baseUrl}/`)).headers.get('content-security-policy') ?? '';
    expect(csp).toContain("worker-src 'self'");
    expect(csp).toContain("manifest-src 'self'");
  });

  it('lists today’s visits and opens Carl’s plan at the visit', async () => {
    const { page } = maja;
    await serviceWorkerReady(page);
    await page.getByTestId('nav-visits').click();
    await page.getByTestId('visit-card').first().waitFor();
    const names = await page.locator('[data-testid="visit-card"] .visit-card__name').allTextContents();
    expect(names).toEqual(['Carl Jensen', 'Erik Nielsen']);
    await page.getByTestId('visit-card').filter({ hasText: 'Carl Jensen' }).getByTestId('visit-open').click();
    await page.waitForURL(new RegExp(`#/plans/${carlPlan}/visit$`));
    await page.locator('[data-testid="plan-layout"][data-synced="true"]').waitFor();
    await page.getByTestId('visit-task-tick').filter({ hasText: 'Daglig vejning og registrering' }).waitFor();
    await waitForSync(page, 'online');
    // Everything the page loaded came from the hub's own origin.
    const origins = await page.evaluate(() => [
      ...new Set(performance.getEntriesByType('resource').map((e) => new URL(e.name).origin)),
    ]);
    expect(origins.every((o) => o === new URL(hub!.baseUrl).origin)).toBe(true);
  });

  it('keeps offline edits across a reload and a closed tab, and merges them with the hospital’s on reconnect', async () => {
    const { context } = maja;
    let page = maja.page;
    const stamp = Date.now();
    const majaNote = `Carl var frisk i dag ${stamp}`;
    const goal = `Går selv i bad ${stamp}`;
    const hanneNote = `Ekko planlagt ${stamp}`;

    await context.setOffline(true);
    await waitForSync(page, 'offline');
    // The emulation cuts the service worker off too, so what loads below comes from its cache.
    const worker = context.serviceWorkers()[0];
    expect(worker).toBeDefined();
    expect(
      await worker!.evaluate(() =>
        fetch('/healthz').then(
          () => 'reached',
          () => 'offline',
        ),
      ),
    ).toBe('offline');

    // Several sections, offline: a task ticked off, a measurement (measurements), a note, a goal.
    await page.getByTestId('visit-task-tick').filter({ hasText: 'Daglig vejning og registrering' }).click();
    await page.getByTestId('quick-kind-bloodPressure').check();
    await page.getByTestId('quick-value').fill('135/85');
    await page.getByTestId('quick-comment').fill(`Siddende ${stamp}`);
    await page.getByTestId('quick-save').click();
    await page.getByTestId('quick-saved').filter({ hasText: 'Saved on this device' }).waitFor();
    await page.getByTestId('quick-kind-note').check();
    await page.getByTestId('quick-comment').fill(majaNote);
    await page.getByTestId('quick-save').click();
    const goals = page.getByTestId('goal-composer');
    await goals.locator('summary').click();
    await goals.locator('textarea').fill(goal);
    await page.getByTestId('goal-composer-submit').click();
    await page
      .getByTestId('goal-card')
      .filter({ has: page.getByText(goal) })
      .waitFor();
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="connection-status"]')?.getAttribute('data-pending')) >= 3,
    );
    const pendingBefore = await pendingOf(page);

    // Nothing of it reached the server.
    const whileOffline = await planJson(carlPlan, hanneToken);
    expect(notesWith(whileOffline, majaNote)).toHaveLength(0);

    // Reload while offline: the app (service worker), the plan and the edits (IndexedDB) are there.
    const started = Date.now();
    const reloaded = await page.reload();
    expect(reloaded?.fromServiceWorker()).toBe(true);
    await page.locator('[data-testid="plan-layout"][data-stored="true"]').waitFor();
    await page.getByTestId('note').filter({ hasText: majaNote }).waitFor();
    const reloadMs = Date.now() - started;
    console.info(`offline reload to an editable plan: ${reloadMs} ms`);
    await page.getByTestId('plan-offline').waitFor();
    expect(await page.getByTestId('visit-task-done').first().isChecked()).toBe(true);
    expect(await pendingOf(page)).toBe(pendingBefore);
    await waitForSync(page, 'offline');

    // Close the tab and open the app again, still offline (a tablet put away and taken out).
    await page.close();
    page = await context.newPage();
    page.setDefaultTimeout(UI_MS);
    maja.page = page;
    await page.goto(`${hub!.baseUrl}/#/plans/${carlPlan}/visit`);
    await page.getByTestId('result').filter({ hasText: '135/85 mmHg' }).waitFor();
    await page
      .getByTestId('goal-card')
      .filter({ has: page.getByText(goal) })
      .waitFor();

    // Meanwhile Hanne edits the same plan online: a note and the plan's title.
    await hanne.page.getByTestId('note-composer').fill(hanneNote);
    await hanne.page.getByTestId('note-add').click();
    await serverHolds(carlPlan, hanneToken, (d) => notesWith(d, hanneNote).length === 1, 'Hanne’s note');

    // Back online: Maja's edits go up, Hanne's come down.
    await context.setOffline(false);
    await waitForSync(page, 'online', RECONNECT_MS);
    expect(await pendingOf(page)).toBe(0);
    const merged = await serverHolds(
      carlPlan,
      hanneToken,
      (d) =>
        notesWith(d, majaNote).length === 1 &&
        d.measurements.some(
          (m) => JSON.stringify(m.value) === '{"systolic":135,"diastolic":85}' && m.comment === `Siddende ${stamp}`,
        ) &&
        d.goals.some((g) => g.description === goal),
      'Maja’s offline edits',
    );
    expect(notesWith(merged, hanneNote)).toHaveLength(1);
    expect(merged.tasks.find((t) => t.title === 'Daglig vejning og registrering')?.status).toBe('done');
    // Each edit once: nothing was sent twice.
    expect(notesWith(merged, majaNote)).toHaveLength(1);
    expect(merged.measurements.filter((m) => m.comment === `Siddende ${stamp}`)).toHaveLength(1);

    await page.getByTestId('note-body').filter({ hasText: hanneNote }).waitFor({ timeout: LIVE_MS });
    await hanne.page.getByTestId('note-body').filter({ hasText: majaNote }).waitFor({ timeout: LIVE_MS });
    // The measurement reaches Hanne as data, marked as home care's.
    await hanne.page
      .locator('[data-testid="result"][data-kind="measurement"][data-source="home-care"]')
      .filter({ hasText: '135/85 mmHg' })
      .waitFor({ timeout: LIVE_MS });
    await hanne.page
      .getByTestId('goal-card')
      .filter({ has: hanne.page.getByText(goal) })
      .waitFor({ timeout: LIVE_MS });
    const status = hanne.page
      .getByTestId('task-card')
      .filter({ has: hanne.page.locator('[data-testid^="task-title"]') })
      .locator('[data-testid^="task-status"]');
    expect(await status.count()).toBeGreaterThan(0);
  });

  it('shows an offline change the server refused on reconnect, keeps the rest, and converges', async () => {
    const { context, page } = maja;
    await context.setOffline(false); // whatever the test before left
    const stamp = Date.now();
    const keptNote = `Fødder uden sår ${stamp}`;
    // Erik Nielsen's visit: the foot inspection is the municipality's task.
    await page.goto(`${hub!.baseUrl}/#/visits`);
    await page.getByTestId('visit-card').filter({ hasText: 'Erik Nielsen' }).getByTestId('visit-open').click();
    const erikPlan = /#\/plans\/([0-9a-f-]{36})\/visit$/.exec(page.url())?.[1] ?? '';
    await page.locator('[data-testid="plan-layout"][data-synced="true"]').waitFor();
    await waitForSync(page, 'online');
    const gitte = await newPage('da-DK', { width: 1280, height: 900 });
    await signIn(gitte.page, hub!.baseUrl, 'gitte');
    await gitte.page.goto(`${hub!.baseUrl}/#/plans/${erikPlan}`);
    await gitte.page.locator('[data-testid="plan-layout"][data-synced="true"]').waitFor();

    await context.setOffline(true);
    await waitForSync(page, 'offline');
    await page.getByTestId('visit-task-tick').filter({ hasText: 'Fodinspektion' }).click();
    await page.getByTestId('quick-kind-note').check();
    await page.getByTestId('quick-comment').fill(keptNote);
    await page.getByTestId('quick-save').click();
    await page.getByTestId('note').filter({ hasText: keptNote }).waitFor();

    // Meanwhile, at the office, the municipality hands the task over to the hospital.
    const office = connectCollab(hub!.wsUrl, erikPlan, majaToken);
    await office.synced;
    const inspection = (d: Y.Doc) =>
      sectionOf(d, 'tasks')
        .toArray()
        .find((t) => t.get('title') === 'Fodinspektion');
    inspection(office.doc)!.set('sector', 'hospital');
    await gitte.page
      .locator('[data-testid="task-column"][data-sector="hospital"] [data-testid="task-card"]')
      .waitFor({ timeout: LIVE_MS });

    await context.setOffline(false);
    const notice = page.locator('[data-testid="refusal-notice"][data-section="tasks"]');
    await notice.waitFor({ timeout: RECONNECT_MS });
    expect(await notice.getAttribute('data-offline')).toBe('true');
    const text = (await notice.textContent()) ?? '';
    expect(text).toContain('Change made offline');
    expect(text).toMatch(/hospital/i);
    expect(text).toContain('status');
    await waitForSync(page, 'online', RECONNECT_MS);

    // The rest of the offline work is kept; every copy agrees on the task.
    const tablet = await serverHolds(
      erikPlan,
      majaToken,
      (d) => notesWith(d, keptNote).length === 1,
      'the kept offline note',
    );
    const task = tablet.tasks.find((t) => t.title === 'Fodinspektion');
    expect(task).toMatchObject({ sector: 'hospital', status: 'planned' });
    await waitForDoc(
      office.doc,
      (d) => inspection(d)?.get('status') === 'planned' && sectionOf(d, 'notes').length > 0,
      LIVE_MS,
      'the office copy',
    );
    await gitte.page.getByTestId('note-body').filter({ hasText: keptNote }).waitFor({ timeout: LIVE_MS });
    await page
      .locator('[data-testid="task-column"][data-sector="hospital"] [data-testid="task-card"][data-sector="hospital"]')
      .waitFor({ timeout: LIVE_MS });
    // Neither owns it now: both read its status as text.
    expect(
      await page
        .locator('[data-testid="task-column"][data-sector="hospital"] [data-testid="task-status-read"]')
        .first()
        .textContent(),
    ).toMatch(/^(Planlagt|Planned)$/);
    expect(
      await gitte.page
        .locator('[data-testid="task-column"][data-sector="hospital"] [data-testid="task-status-read"]')
        .first()
        .textContent(),
    ).toMatch(/^(Planlagt|Planned)$/);
    office.destroy();
  });

  it('keeps working offline with an expired session, and sends the edits after the next sign-in', async () => {
    const { context, page } = maja;
    const stamp = Date.now();
    const lateNote = `Skrevet efter udløbet session ${stamp}`;
    await page.goto(`${hub!.baseUrl}/#/plans/${carlPlan}/visit`);
    await page.locator('[data-testid="plan-layout"][data-synced="true"]').waitFor();
    await context.setOffline(true);
    await waitForSync(page, 'offline');
    // The session runs out while the tablet is offline (its end as the client knows it).
    await page.evaluate(() => {
      const session = JSON.parse(localStorage.getItem('carehub.session') ?? '{}') as { expiresAt?: string };
      session.expiresAt = new Date(Date.now() - 60_000).toISOString();
      localStorage.setItem('carehub.session', JSON.stringify(session));
    });
    await page.reload();
    await page.locator('[data-testid="plan-layout"][data-stored="true"]').waitFor();
    await page.getByTestId('quick-kind-note').check();
    await page.getByTestId('quick-comment').fill(lateNote);
    await page.getByTestId('quick-save').click();
    await page.getByTestId('note').filter({ hasText: lateNote }).waitFor();

    // Online again, the app asks for a new sign-in; the unsent note stays on the device …
    await context.setOffline(false);
    await page.reload();
    await page.getByTestId('sign-in-username').waitFor();
    expect(
      await page.evaluate(async () =>
        (await indexedDB.databases()).some((d) => (d.name ?? '').startsWith('carehub-plan:')),
      ),
    ).toBe(true);
    // … and reaches the server once Maja has signed in and opened the plan again.
    await page.getByTestId('sign-in-username').fill('maja');
    await page.getByTestId('sign-in-password').fill('demo');
    await page.getByTestId('sign-in-submit').click();
    // Signing in returns to where she was: the visit.
    await page.getByTestId('visit-panel').waitFor();
    await waitForSync(page, 'online', RECONNECT_MS);
    await serverHolds(
      carlPlan,
      hanneToken,
      (d) => notesWith(d, lateNote).length === 1,
      'the note written with an expired session',
    );
  });

  it('removes the patient data from the device when the nurse signs out', async () => {
    const { page } = maja;
    const before = await page.evaluate(async () => ({
      dbs: (await indexedDB.databases()).map((d) => d.name ?? '').filter((n) => n.startsWith('carehub-plan:')),
      keys: Object.keys(localStorage).filter((k) => k.startsWith('carehub.device.') || k === 'carehub.session'),
    }));
    expect(before.dbs.length).toBeGreaterThanOrEqual(2);
    expect(before.keys.length).toBeGreaterThan(0);
    await page.getByTestId('sign-out').click();
    await page.getByTestId('sign-in-username').waitFor();
    await page.waitForFunction(
      async () => (await indexedDB.databases()).every((d) => !(d.name ?? '').startsWith('carehub-plan:')),
      undefined,
      { timeout: UI_MS },
    );
    const after = await page.evaluate(async () => {
      const cached: string[] = [];
      for (const name of await caches.keys())
        for (const req of await (await caches.open(name)).keys()) cached.push(new URL(req.url).pathname);
      return {
        keys: Object.keys(localStorage).filter((k) => k.startsWith('carehub.device.') || k === 'carehub.session'),
        cacheNames: await caches.keys(),
        cached,
      };
    });
    expect(after.keys).toEqual([]);
    expect(after.cacheNames.every((n) => n.startsWith('carehub-shell-'))).toBe(true);
    // The shell cache never held patient data: no API, collab or Socket.IO responses.
    expect(after.cached.filter((p) => /^\/(api|collab|socket\.io)\//.test(p))).toEqual([]);
  });
});
