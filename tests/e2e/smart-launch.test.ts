/**
 * Browser test: SMART App Launch from GP practice systems (issue 19). Two practice-system
 * simulators run in the test, each on an origin of its own: an authorization server
 * (`oidc-provider` with the launch parameter and the patient in context), a FHIR server with
 * the Patient's CPR number, and the EHR's page that launches CareHub in an iframe. Lægehuset
 * Nørrebro is on Carl Jensen's care team: the plan opens live in the frame, as the GP, with
 * nothing kept in cookies or web storage. Lægerne i Valby is not: the frame says so. Another
 * origin may not frame a practice system's launched page.
 *
 * Needs a built client (`npm run build:client`) and Debian's Chromium at /usr/bin/chromium.
 */
import type { Browser, BrowserContext, ConsoleMessage, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CARL } from '../../server/seed/demo-patients.ts';
import { startPracticeSystem, type PracticeSystem } from '../fixtures/oidc/practice-system.ts';
import {
  apiLogin,
  assertPrerequisites,
  carehubCli,
  launchBrowser,
  openPage,
  SERVER_START_MS,
  startHub,
  UI_MS,
  type Hub,
} from './helpers.ts';

const ENV = { OIDC_ALLOW_INSECURE_HTTP: 'on' };

let hub: Hub | null = null;
let norrebro: PracticeSystem | null = null;
let valby: PracticeSystem | null = null;
let norrebroId = '';
let browser: Browser | null = null;
const contexts: BrowserContext[] = [];

async function newPage(locale = 'da-DK'): Promise<Page> {
  const { context, page } = await openPage(browser!, locale, { width: 1100, height: 1000 });
  contexts.push(context);
  return page;
}

async function planOfCarl(token: string): Promise<string> {
  const patients = (await (
    await fetch(`${hub!.baseUrl}/api/v1/patients`, { headers: { authorization: `Bearer ${token}` } })
  ).json()) as { name: string; plans: { id: string }[] }[];
  return patients.find((p) => p.name === 'Carl Jensen')!.plans[0]!.id;
}

describe('CareHub launched from a GP practice system', () => {
  beforeAll(async () => {
    assertPrerequisites();
    hub = await startHub(ENV);
    const admin = await apiLogin(hub.baseUrl, 'admin');
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${hub!.baseUrl}/api/v1${path}`, {
        ...init,
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      });
    const orgs = (await (await api('/admin/organisations')).json()) as { id: string; name: string }[];
    const nb = orgs.find((o) => o.name === 'Lægehuset Nørrebro')!;
    const vb = (await (
      await api('/admin/organisations', {
        method: 'POST',
        body: JSON.stringify({ name: 'Lægerne i Valby', sector: 'general_practice' }),
      })
    ).json()) as { id: string };
    norrebro = await startPracticeSystem({
      hubUrl: hub.baseUrl,
      gps: { 'gitte-praksis': { sub: 'nb-gp-1', name: 'Gitte Grønlund', fhirUser: 'Practitioner/nb-1' } },
      patients: { 'pt-100': CARL },
    });
    valby = await startPracticeSystem({
      hubUrl: hub.baseUrl,
      gps: { 'valby-gp': { sub: 'vb-gp-7', name: 'Vagn Valby', fhirUser: 'Practitioner/vb-7' } },
      patients: { 'v-1': CARL },
    });
    const added = await carehubCli(
      hub,
      [
        'smart-client',
        'add',
        '--organisation',
        nb.id,
        '--name',
        'Nørrebro praksissystem',
        '--issuer',
        norrebro.fhirBase,
        '--client-id',
        'carehub',
      ],
      ENV,
    );
    norrebroId = /^practice system ([0-9a-f-]{36})/m.exec(added)![1]!;
    await carehubCli(
      hub,
      ['smart-client', 'add', '--organisation', vb.id, '--issuer', valby.fhirBase, '--client-id', 'carehub'],
      ENV,
    );
    browser = await launchBrowser();
  }, SERVER_START_MS + 30_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close().catch(() => {});
    await norrebro?.stop();
    await valby?.stop();
    await hub?.stop();
  }, 30_000);

  it('opens Carl’s plan inside the practice system for the GP whose practice is on his care team', async () => {
    const page = await newPage();
    await page.goto(norrebro!.ehrPage('gitte-praksis', 'pt-100'));
    const frame = page.frameLocator('iframe');
    await frame
      .locator('[data-testid="embed-app"] [data-testid="plan-layout"][data-synced="true"]')
      .waitFor({ timeout: UI_MS });
    expect(await frame.getByTestId('embed-header').getByTestId('plan-patient').textContent()).toBe('Carl Jensen');
    expect(await frame.getByTestId('embed-app').getAttribute('data-access')).toBe('edit');
    // The launched page: no code left in its address, nothing in cookies or web storage.
    const launched = page.frames().find((f) => f.url().startsWith(`${hub!.baseUrl}/smart/app/`));
    expect(launched, 'CareHub inside the frame').toBeDefined();
    expect(launched!.url()).toBe(`${hub!.baseUrl}/smart/app/${norrebroId}`);
    expect(
      await launched!.evaluate(() => ({
        cookies: document.cookie,
        session: sessionStorage.length,
        local: localStorage.length,
      })),
    ).toEqual({ cookies: '', session: 0, local: 0 });
    // The GP writes in the plan as herself; the hospital reads her name under the note.
    const text = `Set ved konsultation ${Date.now()}: trives, vægt stabil.`;
    await frame.getByTestId('note-composer').fill(text);
    await frame.getByTestId('note-add').click();
    await frame.getByTestId('note').filter({ hasText: text }).waitFor({ timeout: UI_MS });
    const hanne = await apiLogin(hub!.baseUrl, 'hanne');
    const planId = await planOfCarl(hanne);
    const get = async (path: string) =>
      (
        await fetch(`${hub!.baseUrl}/api/v1/plans/${planId}${path}`, { headers: { authorization: `Bearer ${hanne}` } })
      ).json();
    type Notes = { notes: { author: string; body: unknown }[] };
    const people = (await get('/people')) as { id: string; name: string; role: string }[];
    await expect
      .poll(async () => JSON.stringify(((await get('/document')) as Notes).notes).includes(text), { timeout: UI_MS })
      .toBe(true);
    const written = ((await get('/document')) as Notes).notes.find((n) => JSON.stringify(n.body).includes(text))!;
    expect(people.find((p) => p.id === written.author)).toMatchObject({ name: 'Gitte Grønlund', role: 'gp' });
  });

  it('tells a GP whose practice is not on the care team so, inside the frame', async () => {
    const page = await newPage();
    await page.goto(valby!.ehrPage('valby-gp', 'v-1'));
    const refused = page.frameLocator('iframe').getByTestId('sign-in-refused');
    await refused.waitFor({ timeout: UI_MS });
    expect(await refused.getAttribute('data-reason')).toBe('not_on_care_team');
    expect(await refused.textContent()).toContain('Din praksis er ikke med i patientens behandlerteam');
    expect(await page.frameLocator('iframe').getByTestId('plan-layout').count()).toBe(0);
  });

  it('is blocked by the browser when another origin frames a practice system’s launched page', async () => {
    const page = await newPage();
    const violations: string[] = [];
    page.on('console', (m: ConsoleMessage) => {
      if (m.text().includes('frame-ancestors')) violations.push(m.text());
    });
    // Valby's EHR page with Nørrebro's launch in its frame: only Nørrebro's origin may frame it.
    await page.goto(valby!.ehrPage('valby-gp', 'v-1'));
    await page.frameLocator('iframe').getByTestId('sign-in-refused').waitFor({ timeout: UI_MS });
    await page.evaluate(
      (src) => {
        const frame = document.querySelector('iframe');
        if (frame) frame.src = src;
      },
      norrebro!.launchUrl('gitte-praksis', 'pt-100'),
    );
    await expect.poll(() => violations.length, { timeout: UI_MS }).toBeGreaterThan(0);
    expect(violations.join('\n')).toContain(norrebro!.origin);
    expect(await page.frameLocator('iframe').getByTestId('plan-layout').count()).toBe(0);
  });
});
