/**
 * Shared pieces of the browser tests: a real `carehub serve` as a child process on a fresh
 * database (seeded with the demo data), Debian's Chromium through playwright-core, and the
 * steps every test takes (sign in, open Carl Jensen's plan). Waits are bounded; no sleeps.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import type { UserView } from '../../shared/api.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const CHROMIUM = '/usr/bin/chromium';
export const SERVER_START_MS = 60_000;
/** Bound for a page to show something after an action of its own. */
export const UI_MS = 15_000;
/** Bound for an edit to travel from one browser to another. */
export const LIVE_MS = 10_000;

export interface Hub {
  baseUrl: string;
  wsUrl: string;
  /** The hub's database, for the command line (`carehub api-key create`) against the same data. */
  databaseUrl: string;
  /** Everything the server wrote so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/** Fails early, with the fix, when the built client or Chromium is missing. */
export function assertPrerequisites(): void {
  if (!existsSync(path.join(ROOT, 'client/dist/index.html'))) {
    throw new Error('client/dist/index.html is missing: run `npm run build:client` before the e2e tests');
  }
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
}

/** `carehub serve` on port 0 with a new SQLite database in a temporary directory; `env` adds settings. */
export async function startHub(env: Record<string, string> = {}): Promise<Hub> {
  const workDir = mkdtempSync(path.join(tmpdir(), 'carehub-e2e-'));
  const databaseUrl = `sqlite:${path.join(workDir, 'carehub.db')}`;
  let output = '';
  const child: ChildProcess = spawn(process.execPath, ['bin/carehub.js', 'serve'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', DATABASE_URL: databaseUrl, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not log "listening" within ${SERVER_START_MS} ms:\n${output}`)),
      SERVER_START_MS,
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output += `${line}\n`;
      if (!line.includes('"msg":"listening"')) return;
      try {
        const value = (JSON.parse(line) as { port?: unknown }).port;
        if (typeof value === 'number') {
          clearTimeout(timer);
          resolve(value);
        }
      } catch {
        // not a JSON line after all; keep waiting
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited (code ${code}, signal ${signal}) before listening:\n${output}`));
    });
  });

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(workDir, { recursive: true, force: true });
  };
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    databaseUrl,
    output: () => output,
    stop,
  };
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

/** A page in its own browser context (its own storage: one signed-in person each). */
export async function openPage(
  browser: Browser,
  locale: string,
  viewport = { width: 1280, height: 900 },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale, viewport });
  // The UI is Danish whatever the browser's language (issue 17): a test of an English reader
  // has them choose English, as a person does with the language menu (kept on the device).
  if (locale.startsWith('en'))
    await context.addInitScript(() => {
      if (!localStorage.getItem('carehub.language')) localStorage.setItem('carehub.language', 'en');
    });
  const page = await context.newPage();
  page.setDefaultTimeout(UI_MS);
  return { context, page };
}

/** Signs in with the demo password; returns the signed-in user as the server described them. */
export async function signIn(page: Page, baseUrl: string, username: string): Promise<UserView & { token: string }> {
  await page.goto(`${baseUrl}/#/patients`);
  await page.getByTestId('sign-in-username').fill(username);
  await page.getByTestId('sign-in-password').fill('demo');
  await page.getByTestId('sign-in-submit').click();
  await page.getByTestId('patient-card').first().waitFor({ timeout: UI_MS });
  const session = await page.evaluate(() => {
    const raw = localStorage.getItem('carehub.session');
    return raw ? (JSON.parse(raw) as { token: string; user: UserView }) : null;
  });
  if (!session) throw new Error(`no session stored after ${username} signed in`);
  return { ...session.user, token: session.token };
}

/**
 * Opens Carl Jensen's plan from the patient list and waits until it is live (staff) or loaded
 * (the citizen's REST page); returns its id.
 */
export async function openCarlsPlan(page: Page): Promise<string> {
  const card = page.getByTestId('patient-card').filter({ hasText: 'Carl Jensen' });
  await card.getByTestId('plan-link').first().click();
  await page.waitForURL(/#\/plans\/[0-9a-f-]{36}$/, { timeout: UI_MS });
  await page
    .locator('[data-testid="plan-layout"][data-synced="true"]')
    .or(page.locator('[data-testid="citizen-plan"][data-loaded="true"]'))
    .waitFor({ timeout: UI_MS });
  const planId = /#\/plans\/([0-9a-f-]{36})$/.exec(page.url())?.[1];
  if (!planId) throw new Error(`unexpected plan URL ${page.url()}`);
  return planId;
}

/** The text of the element(s) a control's `aria-describedby` points at. */
export async function describedText(page: Page, selector: string): Promise<string> {
  return page
    .locator(selector)
    .first()
    .evaluate((el) => {
      const ids = (el.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
      return ids
        .map((id) => document.getElementById(id)?.textContent ?? '')
        .join(' ')
        .trim();
    });
}

/** The text of a rich-text editor without the collaborators' caret labels inside it. */
export async function editorText(editor: Locator): Promise<string> {
  return editor.evaluate((el) => {
    const copy = el.cloneNode(true) as HTMLElement;
    for (const caret of copy.querySelectorAll('.collaboration-carets__caret')) caret.remove();
    return copy.textContent ?? '';
  });
}

/** Signs in through the API (no browser); returns the session token. */
export async function apiLogin(baseUrl: string, username: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'demo' }),
  });
  if (!res.ok) throw new Error(`login of ${username} failed: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

/** A system's API key, made by the command line (`carehub api-key create`) against the hub's database. */
export async function createApiKey(hub: Hub, system = 'lab'): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['bin/carehub.js', 'api-key', 'create', '--system', system],
    {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: hub.databaseUrl, LOG_LEVEL: 'silent' },
    },
  );
  const key = stdout.trim().split('\n').pop()?.trim() ?? '';
  if (key.length < 20) throw new Error(`no API key in the output of api-key create:\n${stdout}`);
  return key;
}

/** Files a FHIR result (`/results`) or a hospital notification (`/encounters`) as a system; returns its id. */
export async function fileResult(
  hub: Hub,
  key: string,
  path: '/results' | '/encounters',
  body: object,
): Promise<string> {
  const res = await fetch(`${hub.baseUrl}/api/v1${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': path === '/results' ? 'application/fhir+json' : 'application/json',
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`POST ${path} answered ${res.status}: ${text}`);
  return (JSON.parse(text) as { id: string }).id;
}

/** Runs `carehub <args>` against the hub's database (a registration, a key); its output. */
export async function carehubCli(hub: Hub, args: string[], env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ['bin/carehub.js', ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: hub.databaseUrl, LOG_LEVEL: 'silent', ...env },
  });
  return stdout;
}
