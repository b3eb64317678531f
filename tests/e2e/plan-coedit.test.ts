/**
 * Browser test: two people co-edit Carl Jensen's care plan in real Chromium against a real
 * server. Hanne (hospital doctor) and Gitte (GP) sign in, open the plan, see each other in
 * the presence list, Hanne's title edits reach Gitte live, Gitte's note reaches Hanne, and
 * Gitte's live edit of her note's body reaches Hanne too.
 *
 * Needs a built client (`npm run build:client`) and Debian's Chromium at /usr/bin/chromium.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CHROMIUM = '/usr/bin/chromium';
const SERVER_START_MS = 60_000;
const UI_MS = 15_000;
const LIVE_MS = 10_000;

interface SessionUser {
  id: string;
  name: string;
}

let workDir = '';
let server: ChildProcess | null = null;
let serverOutput = '';
let baseUrl = '';
let browser: Browser | null = null;
const contexts: BrowserContext[] = [];

function startServer(): Promise<number> {
  const child = spawn(process.execPath, ['bin/carehub.js', 'serve'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', DATABASE_URL: `sqlite:${path.join(workDir, 'carehub.db')}`, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server = child;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not log "listening" within ${SERVER_START_MS} ms:\n${serverOutput}`)),
      SERVER_START_MS,
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      serverOutput += chunk.toString();
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      serverOutput += `${line}\n`;
      if (!line.includes('"msg":"listening"')) return;
      try {
        const port = (JSON.parse(line) as { port?: unknown }).port;
        if (typeof port === 'number') {
          clearTimeout(timer);
          resolve(port);
        }
      } catch {
        // not a JSON line after all; keep waiting
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited (code ${code}, signal ${signal}) before listening:\n${serverOutput}`));
    });
  });
}

async function stopServer(): Promise<void> {
  const child = server;
  server = null;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function openPage(locale: string): Promise<Page> {
  if (!browser) throw new Error('browser not launched');
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(UI_MS);
  return page;
}

async function signIn(page: Page, username: string): Promise<SessionUser> {
  await page.goto(`${baseUrl}/#/patients`);
  await page.getByTestId('sign-in-username').fill(username);
  await page.getByTestId('sign-in-password').fill('demo');
  await page.getByTestId('sign-in-submit').click();
  await page.getByTestId('patient-card').first().waitFor({ timeout: UI_MS });
  const user = await page.evaluate(() => {
    const raw = sessionStorage.getItem('carehub.session');
    return raw ? (JSON.parse(raw) as { user: { id: string; name: string } }).user : null;
  });
  if (!user) throw new Error(`no session stored after ${username} signed in`);
  return { id: user.id, name: user.name };
}

async function openCarlsPlan(page: Page): Promise<string> {
  const card = page.getByTestId('patient-card').filter({ hasText: 'Carl Jensen' });
  await card.getByTestId('plan-link').first().click();
  await page.waitForURL(/#\/plans\/[0-9a-f-]{36}$/, { timeout: UI_MS });
  await page.locator('[data-testid="connection-status"][data-status="connected"]').waitFor({ timeout: UI_MS });
  await page.locator('[data-testid="plan-title"]:not([disabled])').waitFor({ timeout: UI_MS });
  const planId = /#\/plans\/([0-9a-f-]{36})$/.exec(page.url())?.[1];
  if (!planId) throw new Error(`unexpected plan URL ${page.url()}`);
  return planId;
}

/** Waits until the page's title input holds `expected`. */
async function waitForTitle(page: Page, expected: string): Promise<void> {
  await page.waitForFunction(
    (value) => (document.querySelector('[data-testid="plan-title"]') as HTMLInputElement | null)?.value === value,
    expected,
    { timeout: LIVE_MS },
  );
}

describe('co-editing a care plan in two browsers', () => {
  let hannePage: Page;
  let gittePage: Page;
  let hanne: SessionUser;
  let gitte: SessionUser;

  beforeAll(async () => {
    if (!existsSync(path.join(ROOT, 'client/dist/index.html'))) {
      throw new Error('client/dist/index.html is missing: run `npm run build:client` before the e2e tests');
    }
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
    workDir = mkdtempSync(path.join(tmpdir(), 'carehub-e2e-'));
    const port = await startServer();
    baseUrl = `http://127.0.0.1:${port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    hannePage = await openPage('da-DK');
    gittePage = await openPage('en-GB');
    hanne = await signIn(hannePage, 'hanne');
    gitte = await signIn(gittePage, 'gitte');
    const hannePlan = await openCarlsPlan(hannePage);
    const gittePlan = await openCarlsPlan(gittePage);
    expect(gittePlan).toBe(hannePlan);
  }, SERVER_START_MS + 4 * UI_MS);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close().catch(() => {});
    await stopServer();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  }, 30_000);

  it('never puts a CPR number in the URL', () => {
    for (const page of [hannePage, gittePage]) expect(page.url()).not.toMatch(/\d{6}-?\d{4}/);
  });

  it('shows each person in the other one’s presence list', async () => {
    const gitteAtHanne = hannePage.locator(`[data-testid="presence-person"][data-user-id="${gitte.id}"]`);
    const hanneAtGitte = gittePage.locator(`[data-testid="presence-person"][data-user-id="${hanne.id}"]`);
    await gitteAtHanne.waitFor({ timeout: LIVE_MS });
    await hanneAtGitte.waitFor({ timeout: LIVE_MS });
    expect(await gitteAtHanne.textContent()).toContain(gitte.name);
    expect(await hanneAtGitte.textContent()).toContain(hanne.name);
    // Nobody is listed as present with themselves.
    expect(await hannePage.locator(`[data-testid="presence-person"][data-user-id="${hanne.id}"]`).count()).toBe(0);
  });

  it('sends the title live from Hanne to Gitte while Hanne types', async () => {
    const title = hannePage.getByTestId('plan-title');
    const before = await title.inputValue();
    const addition = ' – revideret';
    await title.click();
    await title.press('End');
    await hannePage.keyboard.type(addition);
    const expected = before + addition;
    await waitForTitle(hannePage, expected); // the caret stayed at the end through every keystroke
    await waitForTitle(gittePage, expected);

    // And back: Gitte (a GP may change the title) puts a word in front while Hanne's caret
    // sits after the fifth character; Hanne's caret must move along with her text.
    const hanneTitle = hannePage.getByTestId('plan-title');
    await hanneTitle.evaluate((el) => (el as HTMLInputElement).setSelectionRange(5, 5));
    const gitteTitle = gittePage.getByTestId('plan-title');
    await gitteTitle.click();
    await gitteTitle.press('Home');
    await gittePage.keyboard.type('Ny: ');
    await waitForTitle(hannePage, `Ny: ${expected}`);
    const caret = await hanneTitle.evaluate((el) => [(el as HTMLInputElement).selectionStart, (el as HTMLInputElement).selectionEnd]);
    expect(caret).toEqual([5 + 'Ny: '.length, 5 + 'Ny: '.length]);
    expect(await hannePage.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('plan-title');
  });

  it('shows Gitte’s new note in Hanne’s journal, read-only, with Gitte’s name and sector', async () => {
    const text = `Kaliumkontrol aftalt ${Date.now()}`;
    await gittePage.getByTestId('note-composer').fill(text);
    await gittePage.getByTestId('note-add').click();

    const atHanne = hannePage.getByTestId('note').filter({ hasText: text });
    await atHanne.waitFor({ timeout: LIVE_MS });
    expect(await atHanne.getByTestId('note-author').textContent()).toBe(gitte.name);
    expect(await atHanne.textContent()).toContain('Almen praksis'); // Hanne's UI is Danish
    expect(await atHanne.getByTestId('note-editor').count()).toBe(0);

    // Gitte gets an editor for her own note, newest first in the journal.
    const first = gittePage.getByTestId('note').first();
    await first.getByTestId('note-editor').waitFor({ timeout: UI_MS });
    expect(await first.getByTestId('note-editor').textContent()).toBe(text);
  });

  it('sends Gitte’s live edit of her note body to Hanne', async () => {
    const editor = gittePage.getByTestId('note').first().getByTestId('note-editor');
    const original = (await editor.textContent()) ?? '';
    await editor.click();
    await gittePage.keyboard.press('ControlOrMeta+End');
    await gittePage.keyboard.type(' (ved egen læge)');
    const edited = `${original} (ved egen læge)`;
    await hannePage.getByTestId('note-body').filter({ hasText: edited }).waitFor({ timeout: LIVE_MS });
  });
});
