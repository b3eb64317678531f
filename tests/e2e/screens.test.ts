/**
 * Browser test (issue 17, item 7 and its first "done when"): every screen at home on its
 * device. Every page and state a person meets — sign-in, Overblik with the bell open, the
 * patient list with its forms, the plan read and edited, the results table with a trend, the
 * history, the care team, the visits list and a visit, the inbox and the plan's correspondence,
 * the citizen's home, plan and access log, the administrator's tabs, the embedded plan — is
 * checked at desktop (1280 × 800), iPad landscape (1024 × 768) and portrait (768 × 1024), and
 * phone (390 × 844 and 360 × 780): no sideways scrolling, no control outside the viewport or cut
 * by an ancestor, no sideways-scrolling region on a phone (tables reflow into lists), touch
 * targets of at least 44 px on the touch devices, and axe reports no violation (layout.ts; at
 * every width but 360 px, where the layout checks alone run).
 * Screenshots of the main pages at desktop, tablet and phone go to artifacts/screenshots/.
 *
 * One hub and one sign-in per person: each person has a desktop context and a touch context
 * (tablet and phone: the same device turned and narrowed), kept across their pages.
 *
 * Needs a built client (`npm run build:client`) and Debian's Chromium at /usr/bin/chromium.
 */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoginResponse } from '../../shared/api.ts';
import { DEMO_ORGANISATION_CODES } from '../../server/seed/demo-data.ts';
import { AISHA, CARL, ERIK } from '../../server/seed/demo-patients.ts';
import { criticalPotassium, labObservation } from '../../server/simulator/lab-samples.ts';
import { imagingReport } from '../../server/simulator/report-samples.ts';
import { danishTime } from '../../server/simulator/sample-common.ts';
import {
  assertPrerequisites,
  createApiKey,
  fileResult,
  launchBrowser,
  LIVE_MS,
  ROOT,
  SERVER_START_MS,
  startHub,
  UI_MS,
  type Hub,
} from './helpers.ts';
import { axeViolations, layoutProblems, SCREENSHOT_DIR, screenshot, settled, WIDTHS, type Width } from './layout.ts';

type Person = 'nobody' | 'hanne' | 'maja' | 'carl' | 'admin' | 'gitte';

let hub: Hub | null = null;
let browser: Browser | null = null;
const hoursAgo = (h: number) => danishTime(new Date(Date.now() - h * 3_600_000));
const KK = DEMO_ORGANISATION_CODES['Københavns Kommune hjemmesygepleje']!;
const MEDCOM = path.join(ROOT, 'tests', 'fixtures', 'medcom');

/** What the pages show: filed before anyone opens them. */
const data = { carlPlan: '', embedUrl: '' };

async function api<T>(path: string, token: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${hub!.baseUrl}/api/v1${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
  });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

async function login(username: string): Promise<LoginResponse> {
  const res = await fetch(`${hub!.baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'demo' }),
  });
  if (!res.ok) throw new Error(`login of ${username} failed: ${res.status}`);
  return (await res.json()) as LoginResponse;
}

/** A MedCom message (one of MedCom's examples) to Københavns Kommune about `cpr`. */
async function postMedcom(key: string, file: string, cpr: string, headerId?: string): Promise<void> {
  let body = readFileSync(path.join(MEDCOM, file), 'utf8')
    .replaceAll('953741000016009', KK.sor)
    .replaceAll('5790001348120', KK.ean)
    .replaceAll('2509479989', cpr);
  if (headerId) {
    const original = (JSON.parse(body) as { entry: { resource: { id: string } }[] }).entry[0]!.resource.id;
    body = body.replaceAll(original, headerId);
  }
  const res = await fetch(`${hub!.baseUrl}/api/v1/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/fhir+json' },
    body,
  });
  if (res.status !== 200) throw new Error(`POST /messages (${file}) answered ${res.status}: ${await res.text()}`);
}

async function fileCarlsResults(key: string): Promise<void> {
  const stamp = Date.now();
  const lab = (cpr: string, analysis: 'potassium' | 'sodium' | 'creatinine', value: number, h: number) =>
    fileResult(
      hub!,
      key,
      '/results',
      labObservation({ cpr, analysis, value, id: `scr-${analysis}-${cpr}-${h}-${stamp}`, time: hoursAgo(h) }),
    );
  await lab(CARL.cpr, 'potassium', 4.4, 50);
  await lab(CARL.cpr, 'creatinine', 131, 50);
  await lab(CARL.cpr, 'potassium', 4.9, 26);
  await lab(CARL.cpr, 'sodium', 139, 26);
  await lab(CARL.cpr, 'sodium', 137, 2);
  await fileResult(
    hub!,
    key,
    '/results',
    criticalPotassium({ cpr: CARL.cpr, id: `scr-k-${stamp}`, time: hoursAgo(2), value: 7.1 }),
  );
  await fileResult(
    hub!,
    key,
    '/results',
    imagingReport({ cpr: CARL.cpr, id: `scr-img-${stamp}`, time: hoursAgo(5), modality: 'xray' }),
  );
  await lab(ERIK.cpr, 'potassium', 4.2, 3);
}

/** A person's two devices: a desktop and a touch device (a tablet, later narrowed to a phone). */
interface Devices {
  desktop: Page;
  touch: Page;
  close(): Promise<void>;
}

async function devicesOf(person: Person): Promise<Devices> {
  const session = person === 'nobody' ? null : await login(person);
  const storageState = {
    cookies: [],
    origins: session
      ? [{ origin: hub!.baseUrl, localStorage: [{ name: 'carehub.session', value: JSON.stringify(session) }] }]
      : [],
  };
  const [desktopWidth, tabletWidth] = [WIDTHS[0]!, WIDTHS[1]!];
  const contexts: BrowserContext[] = [
    await browser!.newContext({
      locale: 'da-DK',
      viewport: { width: desktopWidth.width, height: desktopWidth.height },
      storageState,
    }),
    await browser!.newContext({
      locale: 'da-DK',
      viewport: { width: tabletWidth.width, height: tabletWidth.height },
      hasTouch: true,
      isMobile: true,
      storageState,
    }),
  ];
  const [desktop, touch] = await Promise.all(contexts.map((c) => c.newPage()));
  for (const page of [desktop!, touch!]) page.setDefaultTimeout(UI_MS);
  return {
    desktop: desktop!,
    touch: touch!,
    close: async () => {
      for (const c of contexts) await c.close().catch(() => {});
    },
  };
}

/**
 * Opens a screen on both devices and checks it at every width: the desktop at 1280, the touch
 * device at 1024 (where it is opened), then turned to portrait and narrowed to the phones'
 * widths. All problems of all widths are collected, then asserted at once.
 */
async function checkScreen(
  devices: Devices,
  open: (page: Page, width: Width) => Promise<void>,
  shotName?: string,
): Promise<void> {
  const problems: string[] = [];
  for (const width of WIDTHS) {
    const page = width.touch ? devices.touch : devices.desktop;
    await page.setViewportSize({ width: width.width, height: width.height });
    if (width === WIDTHS[0] || width === WIDTHS[1]) await open(page, width);
    await settled(page);
    const found = [
      ...(await layoutProblems(page, width.width, width.touch)),
      ...(width.axe ? await axeViolations(page) : []),
    ];
    problems.push(...found.map((p) => `${width.name}: ${p}`));
    if (shotName && width.shot) await screenshot(page, shotName, width.shot);
  }
  // Written as found too, beside the screenshots: a long run's findings can be read before it ends.
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  if (problems.length > 0)
    appendFileSync(path.join(SCREENSHOT_DIR, '..', 'screen-problems.txt'), `${problems.join('\n')}\n`);
  expect(problems).toEqual([]);
}

/** Goes to a hash route of the app (loading the app on first use) and waits for `ready`. */
async function go(page: Page, hash: string, ready: string): Promise<void> {
  await page.goto(`${hub!.baseUrl}/${hash}`);
  await page.locator(ready).first().waitFor({ timeout: UI_MS });
}

const SYNCED_PLAN = '[data-testid="plan-layout"][data-synced="true"]';

beforeAll(
  async () => {
    assertPrerequisites();
    hub = await startHub();
    browser = await launchBrowser();
    const key = await createApiKey(hub, 'Region H integrationsmotor');
    await fileCarlsResults(key);
    // An admission and a hospital's letter about Carl; an admission of someone CareHub does not know (the inbox).
    await postMedcom(key, 'hospitalnotification-STIN.json', CARL.cpr, '0b0c0d0e-0000-4000-8000-00000000a001');
    await postMedcom(key, 'carecommunication-new.json', CARL.cpr);
    await postMedcom(key, 'hospitalnotification-STIN.json', '0101901234', '0b0c0d0e-0000-4000-8000-00000000a002');

    const gitte = (await login('gitte')).token;
    const patients = await api<{ id: string; name: string; plans: { id: string }[] }[]>('/patients', gitte);
    data.carlPlan = patients.find((p) => p.name === CARL.name)!.plans[0]!.id;
    const link = await api<{ url: string }>(`/plans/${data.carlPlan}/embed-links`, gitte, {
      method: 'POST',
      body: JSON.stringify({ access: 'edit', expiresInMinutes: 60 }),
    });
    data.embedUrl = link.url;
  },
  SERVER_START_MS + 4 * UI_MS,
);

afterAll(async () => {
  await browser?.close().catch(() => {});
  await hub?.stop();
}, 30_000);

/** Five widths, four with axe: a screen takes seconds, minutes on a busy shared machine. */
const SCREEN_MS = 300_000;

/** One describe per person: their two devices are opened once and kept across their screens. */
function forPerson(person: Person, screens: (d: () => Devices) => void): void {
  describe(`${person === 'nobody' ? 'signed out' : person}’s screens`, () => {
    let devices: Devices | null = null;
    beforeAll(async () => {
      devices = await devicesOf(person);
    }, UI_MS);
    afterAll(async () => {
      await devices?.close();
    }, UI_MS);
    screens(() => devices!);
  });
}

forPerson('nobody', (d) => {
  it(
    'the sign-in page',
    async () => {
      await checkScreen(d(), (page) => go(page, '#/sign-in', '[data-testid="sign-in-username"]'), 'sign-in');
    },
    SCREEN_MS,
  );
  it(
    'a refused sign-in from an identity provider',
    async () => {
      await checkScreen(d(), (page) => go(page, '#/sign-in-refused/no_role', '[data-testid="sign-in-again"]'));
    },
    SCREEN_MS,
  );
  it(
    'the plan inside the practice system (embed link)',
    async () => {
      await checkScreen(
        d(),
        async (page) => {
          await page.goto(data.embedUrl);
          await page.locator(SYNCED_PLAN).waitFor({ timeout: UI_MS });
        },
        'embed',
      );
    },
    SCREEN_MS,
  );
});

forPerson('hanne', (d) => {
  it(
    'Overblik',
    async () => {
      await checkScreen(
        d(),
        (page) => go(page, '#/overview', '[data-testid="overview-item"][data-kind="critical-result"]'),
        'overblik',
      );
    },
    SCREEN_MS,
  );
  it(
    'Overblik with the notifications open',
    async () => {
      await checkScreen(d(), async (page) => {
        await go(page, '#/overview', '[data-testid="overview-item"]');
        await page.locator('[data-testid="notification-bell"]:not([data-count="0"])').waitFor({ timeout: LIVE_MS });
        await page.getByTestId('notification-bell').click();
        await page.getByTestId('notification').first().waitFor();
      });
      // Closed again, for the screens after it.
      for (const page of [d().desktop, d().touch]) {
        await page.keyboard.press('Escape');
        await page.getByTestId('notification-panel').waitFor({ state: 'hidden' });
      }
    },
    SCREEN_MS,
  );
  it(
    'the patient list',
    async () => {
      await checkScreen(d(), (page) => go(page, '#/patients', '[data-testid="patient-signals"]'), 'patients');
    },
    SCREEN_MS,
  );
  it(
    'the patient list with the new-patient form and emergency access open',
    async () => {
      await checkScreen(d(), async (page) => {
        await go(page, '#/patients', '[data-testid="patient-card"]');
        await page.getByTestId('new-patient-toggle').click();
        await page.getByTestId('new-patient-submit').click();
        await page.getByTestId('emergency-toggle').click();
        await page.getByTestId('emergency-cpr').fill(AISHA.cpr);
        await page.getByTestId('emergency-lookup').click();
        await page.getByTestId('emergency-reason').waitFor();
      });
    },
    SCREEN_MS,
  );
  it(
    'the plan, read',
    async () => {
      await checkScreen(
        d(),
        async (page) => {
          await go(page, `#/plans/${data.carlPlan}`, SYNCED_PLAN);
          await page.getByTestId('attention-critical').waitFor({ timeout: LIVE_MS });
        },
        'plan',
      );
    },
    SCREEN_MS,
  );
  it(
    'the plan with a goal being edited (its editor and toolbar open)',
    async () => {
      await checkScreen(d(), async (page) => {
        await go(page, `#/plans/${data.carlPlan}`, SYNCED_PLAN);
        await page.getByTestId('goal-description-read').first().click();
        await page.getByTestId('goal-description').waitFor();
        await page.locator('[role="toolbar"]').first().waitFor();
      });
    },
    SCREEN_MS,
  );
  it(
    'the results table with a trend open',
    async () => {
      await checkScreen(
        d(),
        async (page) => {
          await go(page, `#/plans/${data.carlPlan}?at=results`, SYNCED_PLAN);
          await page.getByTestId('cumulative-table').waitFor();
          const toggle = page.locator('[data-testid="cumulative-trend-toggle"][aria-expanded="false"]').first();
          await toggle.click();
          await page.getByTestId('trend-chart').first().waitFor();
          await page.locator('[data-testid="cumulative-trend"] summary').first().click();
          await page.getByTestId('cumulative-trend').getByTestId('trend-table').waitFor();
          await page.getByTestId('cumulative-table').scrollIntoViewIfNeeded();
        },
        'results',
      );
    },
    SCREEN_MS,
  );
  it(
    'the plan’s history',
    async () => {
      await checkScreen(
        d(),
        (page) => go(page, `#/plans/${data.carlPlan}/history`, '[data-testid="snapshot-heading"]'),
        'history',
      );
    },
    SCREEN_MS,
  );
  it(
    'the care team',
    async () => {
      await checkScreen(d(), (page) =>
        go(page, `#/plans/${data.carlPlan}/care-team`, '[data-testid="care-team-member"]'),
      );
    },
    SCREEN_MS,
  );
});

forPerson('maja', (d) => {
  it(
    'the visits list',
    async () => {
      await checkScreen(d(), (page) => go(page, '#/visits', '[data-testid="visit-card"]'), 'visits');
    },
    SCREEN_MS,
  );
  it(
    'a plan opened for a visit',
    async () => {
      await checkScreen(d(), async (page) => {
        await go(page, `#/plans/${data.carlPlan}/visit`, SYNCED_PLAN);
        await page.getByTestId('visit-panel').waitFor();
      });
    },
    SCREEN_MS,
  );
  it(
    'the inbox',
    async () => {
      await checkScreen(d(), (page) => go(page, '#/inbox', '[data-testid="inbox-item"]'), 'inbox');
    },
    SCREEN_MS,
  );
  it(
    'the plan’s correspondence with a reply being written',
    async () => {
      await checkScreen(d(), async (page) => {
        await go(page, `#/plans/${data.carlPlan}?at=correspondence`, SYNCED_PLAN);
        const thread = page.getByTestId('correspondence-thread').first();
        await thread.waitFor();
        await thread.getByTestId('correspondence-reply-text').fill('Tak, vi kigger på det i dag.');
        await thread.scrollIntoViewIfNeeded();
      });
    },
    SCREEN_MS,
  );
});

forPerson('carl', (d) => {
  it(
    'the citizen’s home',
    async () => {
      await checkScreen(d(), (page) => go(page, '#/patients', '[data-testid="patient-card"]'), 'citizen-home');
    },
    SCREEN_MS,
  );
  it(
    'the citizen’s plan',
    async () => {
      await checkScreen(
        d(),
        (page) => go(page, `#/plans/${data.carlPlan}`, '[data-testid="citizen-plan"][data-loaded="true"]'),
        'citizen-plan',
      );
    },
    SCREEN_MS,
  );
  it(
    'the citizen’s access log',
    async () => {
      await checkScreen(d(), (page) => go(page, '#/access-log', '[data-testid="access-entry"]'), 'access-log');
    },
    SCREEN_MS,
  );
});

forPerson('admin', (d) => {
  it(
    'the audit log',
    async () => {
      await checkScreen(d(), (page) => go(page, '#/admin/audit', '[data-testid="audit-entry"]'), 'admin-audit');
    },
    SCREEN_MS,
  );
  it(
    'the users',
    async () => {
      await checkScreen(d(), (page) => go(page, '#/admin/users', '[data-testid="user-row"]'));
    },
    SCREEN_MS,
  );
  it(
    'the organisations',
    async () => {
      await checkScreen(d(), (page) => go(page, '#/admin/organisations', '[data-testid="organisation-row"]'));
    },
    SCREEN_MS,
  );
  it(
    'the sign-in settings',
    async () => {
      await checkScreen(d(), (page) => go(page, '#/admin/sign-in', '[data-testid="idp-form"]'));
    },
    SCREEN_MS,
  );
});
