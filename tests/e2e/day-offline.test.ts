/**
 * Browser test (issue 16): the home-care nurse's day is on the tablet before the car leaves.
 * Maja signs in online on a tablet (portrait, touch); the visits list keeps every plan on it
 * on the device and says each is ready offline. The tablet goes offline (Chromium's offline
 * emulation) and she opens three patients' plans never opened on this device, ticks their
 * visit tasks, records pulses (measurements as data) and writes visit notes; the visits list
 * counts the changes waiting. Back online, everything reaches the server, and Gitte (GP), who has
 * Carl's plan open, sees Maja's note arrive live and the pulses in the trend chart as home care's. Signing out leaves no patient data in IndexedDB, the caches or web storage,
 * checked from the page.
 *
 * Needs a built client (`npm run build:client`) and Debian's Chromium at /usr/bin/chromium.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanDocumentJson } from '../../shared/plan.ts';
import { careDate } from '../../shared/calendar.ts';
import { newEntry, sectionOf } from '../../shared/plan-doc.ts';
import { connectCollab, waitForDoc } from '../fixtures/collab-client.ts';
import {
  apiLogin,
  assertPrerequisites,
  launchBrowser,
  LIVE_MS,
  openCarlsPlan,
  SERVER_START_MS,
  signIn,
  startHub,
  UI_MS,
  type Hub,
} from './helpers.ts';

let hub: Hub | null = null;
let browser: Browser | null = null;
const contexts: BrowserContext[] = [];
/** A reconnect after going online: the first attempt is within a random second. */
const RECONNECT_MS = 15_000;
const PATIENTS = ['Aisha Khan', 'Carl Jensen', 'Erik Nielsen'];

async function api<T>(path: string, token: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${hub!.baseUrl}/api/v1${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Polls the server's copy of the plan until `check` holds (bounded). */
async function serverHolds(planId: string, token: string, check: (doc: PlanDocumentJson) => boolean, what: string) {
  const deadline = Date.now() + LIVE_MS;
  let last: PlanDocumentJson | null = null;
  while (Date.now() < deadline) {
    last = await api<PlanDocumentJson>(`/plans/${planId}/document`, token);
    if (check(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the server never held ${what}: ${JSON.stringify(last).slice(0, 1500)}`);
}

describe('the nurse’s day on a tablet: ready before the car leaves, worked offline, sent on return', () => {
  let maja: { context: BrowserContext; page: Page };
  let gitte: { context: BrowserContext; page: Page };
  let majaToken: string;
  const planOf = new Map<string, string>();
  const stamp = Date.now();
  const noteFor = (name: string) => `Besøg hos ${name} uden net ${stamp}`;
  const pulseFor = (name: string) => `Puls hos ${name} ${stamp}`;

  beforeAll(
    async () => {
      assertPrerequisites();
      hub = await startHub();
      browser = await launchBrowser();
      majaToken = await apiLogin(hub.baseUrl, 'maja');
      const gitteToken = await apiLogin(hub.baseUrl, 'gitte');
      // A third visit: Aisha's GP adds the municipality to her care team, Maja plans a visit today.
      const me = await api<{ organisation: { id: string } | null }>('/me', majaToken);
      const patients = await api<{ id: string; name: string }[]>('/patients', gitteToken);
      const aisha = patients.find((p) => p.name === 'Aisha Khan')!;
      const [aishaPlan] = await api<{ id: string }[]>(`/patients/${aisha.id}/plans`, gitteToken);
      await api(`/plans/${aishaPlan!.id}/care-team`, gitteToken, {
        method: 'POST',
        body: JSON.stringify({ organisationId: me.organisation!.id }),
      });
      const client = connectCollab(hub.wsUrl, aishaPlan!.id, majaToken);
      await client.synced;
      sectionOf(client.doc, 'tasks').push([
        newEntry({
          id: randomUUID(),
          title: 'Medicindosering',
          sector: 'municipality',
          due: careDate(),
          status: 'planned',
        }),
      ]);
      const check = connectCollab(hub.wsUrl, aishaPlan!.id, majaToken);
      await waitForDoc(check.doc, (d) =>
        sectionOf(d, 'tasks')
          .toArray()
          .some((t) => t.get('title') === 'Medicindosering'),
      );
      client.destroy();
      check.destroy();

      // A tablet in portrait, with touch; a fresh context: no plan was ever opened on it.
      const majaContext = await browser.newContext({
        locale: 'da-DK',
        viewport: { width: 810, height: 1080 },
        hasTouch: true,
      });
      maja = { context: majaContext, page: await majaContext.newPage() };
      const gitteContext = await browser.newContext({ locale: 'da-DK', viewport: { width: 1280, height: 900 } });
      gitte = { context: gitteContext, page: await gitteContext.newPage() };
      for (const { context, page } of [maja, gitte]) {
        contexts.push(context);
        page.setDefaultTimeout(UI_MS);
      }
      await signIn(maja.page, hub.baseUrl, 'maja');
      await signIn(gitte.page, hub.baseUrl, 'gitte');
    },
    SERVER_START_MS + 6 * UI_MS,
  );

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close().catch(() => {});
    await hub?.stop();
  }, 30_000);

  it('online, the visits list keeps every visit’s plan on the device and says each is ready offline', async () => {
    const { page } = maja;
    await page.waitForFunction(
      async () => (await navigator.serviceWorker.ready).active?.state === 'activated',
      undefined,
      { timeout: UI_MS },
    );
    await page.getByTestId('nav-visits').click();
    const today = page.locator('ol.visits__list').first();
    await today.getByTestId('visit-card').nth(2).waitFor();
    const names = await today.locator('.visit-card__name').allTextContents();
    expect([...names].sort()).toEqual(PATIENTS);
    for (const card of await today.getByTestId('visit-card').all())
      planOf.set((await card.locator('.visit-card__name').textContent())!, (await card.getAttribute('data-plan-id'))!);
    const total = await page.getByTestId('visits-ready-summary').getAttribute('data-total');
    await page.locator(`[data-testid="visits-ready-summary"][data-ready="${total}"]`).waitFor({ timeout: LIVE_MS });
    for (const ready of await page.getByTestId('visit-ready').all()) {
      expect(await ready.getAttribute('data-state')).toBe('ready');
      expect(await ready.textContent()).toMatch(/^Klar uden net · synkroniseret /);
    }
    await page.locator('[data-testid="visits-pending"][data-count="0"]').waitFor();
    // Every plan is in its own database on the device, and the app cache holds no answer from the API.
    const kept = await page.evaluate(async () => ({
      dbs: (await indexedDB.databases()).map((d) => d.name ?? '').filter((n) => n.startsWith('carehub-plan:')),
      cached: await Promise.all(
        (await caches.keys()).map(async (n) => (await (await caches.open(n)).keys()).map((r) => r.url)),
      ),
    }));
    for (const planId of planOf.values()) expect(kept.dbs.some((n) => n.endsWith(`:${planId}`))).toBe(true);
    expect(kept.cached.flat().filter((u) => /\/(api|collab|socket\.io)\//.test(u))).toEqual([]);
  });

  it('offline, opens three plans never opened on this device, ticks their tasks, records pulses and writes visit notes', async () => {
    const { context, page } = maja;
    await context.setOffline(true);
    for (const name of PATIENTS) {
      await page.getByTestId('visit-card').filter({ hasText: name }).first().getByTestId('visit-open').click();
      await page.getByTestId('plan-offline').waitFor();
      const panel = page.getByTestId('visit-panel');
      await panel.waitFor();
      const tick = panel.getByTestId('visit-task-tick').first();
      await tick.click();
      await panel.getByTestId('visit-task-done').first().waitFor();
      // Measurements as data: a pulse (two for Carl, so the GP's trend has a line).
      for (const value of name === 'Carl Jensen' ? ['72', '74'] : ['70']) {
        await page.getByTestId('quick-kind-pulse').check();
        await page.getByTestId('quick-value').fill(value);
        await page.getByTestId('quick-comment').fill(`${pulseFor(name)} ${value}`);
        await page.getByTestId('quick-save').click();
        await page.getByTestId('quick-saved').waitFor();
        await page.waitForFunction(
          () => (document.querySelector('[data-testid="quick-value"]') as HTMLInputElement | null)?.value === '',
        );
      }
      await page.getByTestId('quick-kind-note').check();
      await page.getByTestId('quick-comment').fill(noteFor(name));
      await page.getByTestId('quick-save').click();
      await page.getByTestId('quick-saved').filter({ hasText: 'Gemt på enheden' }).waitFor();
      await page.getByRole('link', { name: 'Tilbage til dagens besøg' }).click();
      await page.getByTestId('visits-offline').waitFor();
    }
    // The list counts the changes waiting (at least a tick and a note per visit).
    const waiting = Number(await page.getByTestId('visits-pending').getAttribute('data-count'));
    expect(waiting).toBeGreaterThanOrEqual(6);
    // Chromium has Background Sync: the app asked to be woken when the network is back.
    const tags = await page.evaluate(async () => {
      const reg = (await navigator.serviceWorker.ready) as ServiceWorkerRegistration & {
        sync?: { getTags(): Promise<string[]> };
      };
      return (await reg.sync?.getTags()) ?? [];
    });
    expect(tags).toContain('carehub-send-waiting');
  });

  it('back online, everything reaches the server and Gitte sees Maja’s note and pulses arrive live', async () => {
    const { context, page } = maja;
    const carlPlan = planOf.get('Carl Jensen')!;
    await gitte.page.goto(`${hub!.baseUrl}/#/patients`);
    await openCarlsPlan(gitte.page);
    expect(await gitte.page.getByText(noteFor('Carl Jensen')).count()).toBe(0);

    await context.setOffline(false);
    // Sent from the visits list, without opening the plans again.
    await page.locator('[data-testid="visits-pending"][data-count="0"]').waitFor({ timeout: RECONNECT_MS + LIVE_MS });
    for (const name of PATIENTS) {
      await serverHolds(
        planOf.get(name)!,
        majaToken,
        (d) =>
          d.notes.some((n) => typeof n.body === 'string' && n.body.includes(noteFor(name))) &&
          d.measurements.some((m) => typeof m.comment === 'string' && m.comment.startsWith(pulseFor(name))) &&
          d.tasks.some((t) => t.sector === 'municipality' && t.status === 'done'),
        `${name}'s visit`,
      );
    }
    await gitte.page.getByText(noteFor('Carl Jensen')).waitFor({ timeout: LIVE_MS });
    // … and the pulses measured offline in the trend chart, marked as home care's.
    await gitte.page.waitForFunction(
      () =>
        [
          ...document.querySelectorAll(
            '[data-testid="trend-chart"][data-code="quantity|pulse"] .trend__plot [data-source]',
          ),
        ].filter((e) => e.getAttribute('data-source') === 'home-care').length >= 2,
      undefined,
      { timeout: LIVE_MS },
    );
    expect(carlPlan).toBeTruthy();
  });

  it('Background Sync: the service worker’s sync event asks the open app to send, and it answers', async () => {
    const { context, page } = maja;
    await page.evaluate(() => {
      const w = window as unknown as { sendRequests: number };
      w.sendRequests = 0;
      navigator.serviceWorker.addEventListener('message', (event) => {
        if ((event.data as { type?: string } | null)?.type === 'carehub:send-waiting') w.sendRequests++;
      });
    });
    const cdp = await context.newCDPSession(page);
    const registration = new Promise<string>((resolve) => {
      cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
        const live = registrations.find((r) => !r.isDeleted && r.scopeURL.startsWith(hub!.baseUrl));
        if (live) resolve(live.registrationId);
      });
    });
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.dispatchSyncEvent', {
      origin: new URL(hub!.baseUrl).origin,
      registrationId: await registration,
      tag: 'carehub-send-waiting',
      lastChance: false,
    });
    await page.waitForFunction(() => (window as unknown as { sendRequests: number }).sendRequests > 0);
    await cdp.detach();
  });

  it('signing out leaves no patient data in IndexedDB, the caches or web storage', async () => {
    const { page } = maja;
    await page.getByTestId('sign-out').click();
    await page.getByTestId('sign-in-username').waitFor();
    await page.waitForFunction(async () => (await indexedDB.databases()).length === 0, undefined, { timeout: UI_MS });
    const after = await page.evaluate(async () => {
      const cached: string[] = [];
      for (const name of await caches.keys())
        for (const req of await (await caches.open(name)).keys()) cached.push(new URL(req.url).pathname);
      return {
        dbs: (await indexedDB.databases()).map((d) => d.name),
        keys: Object.keys(localStorage).filter((k) => k.startsWith('carehub.') && k !== 'carehub.language'),
        session: Object.keys(sessionStorage),
        cacheNames: await caches.keys(),
        cached,
      };
    });
    expect(after.dbs).toEqual([]);
    expect(after.keys).toEqual([]);
    expect(after.session).toEqual([]);
    // Only the app shell's precache is left: page, scripts, styles, icons, manifest.
    expect(after.cacheNames.every((n) => n.startsWith('carehub-shell-precache-'))).toBe(true);
    expect(
      after.cached.every((p) => /^\/(index\.html|assets\/.+|icons\/.+|manifest\.webmanifest|sw-sync\.js)?$/.test(p)),
    ).toBe(true);
    for (const name of PATIENTS) expect(after.cached.join(' ')).not.toContain(name);
  });

  it('a full device is a clear message on the visits list, not a silent failure', async () => {
    const context = await browser!.newContext({ locale: 'da-DK', viewport: { width: 1024, height: 768 } });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(UI_MS);
    // The browser grants this origin almost no storage (as on a tablet whose disk is full).
    const cdp = await context.newCDPSession(page);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(hub!.baseUrl).origin, quotaSize: 1_000 });
    await signIn(page, hub!.baseUrl, 'maja');
    await page.getByTestId('nav-visits').click();
    await page.getByRole('alert').filter({ hasText: 'Enheden er fuld' }).waitFor();
    await page.getByTestId('storage-full').waitFor();
    const states = await page
      .getByTestId('visit-ready')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-state')));
    expect(states.length).toBeGreaterThan(0);
    expect(states.every((state) => state === 'full')).toBe(true);
    expect(await page.getByTestId('visits-ready-summary').getAttribute('data-ready')).toBe('0');
  });
});
