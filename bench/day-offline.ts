/**
 * Day-offline benchmark (issue 16): time and bytes to make a home-care nurse's day of 20 visits
 * ready offline, each plan with 2,000 updates of history and 200 results.
 *
 * A hub (child process, SQLite, the built client) gets 20 patients on Maja's care team, each
 * with one plan: a municipality task due today, a note typed one character per update up to
 * 2,000 updates in all (sent over /collab and confirmed stored), and 200 lab results filed
 * through POST /results. Then:
 *  - server side: the 20 offline copies fetched from Node, one after another and 3 at a time
 *    (as the app does): bytes, and time;
 *  - in Chromium (real IndexedDB): Maja opens the visits list on a fresh device; time until it
 *    reports all 20 visits ready offline (fetched and committed to IndexedDB), bytes received,
 *    and what the device's storage estimate grew by; then again with the day already kept
 *    (the list refreshes every copy, merging with what the device holds).
 *
 *   npm run build:client && node --import tsx bench/day-offline.ts [--visits 20] [--updates 2000] [--results 200]
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import * as Y from 'yjs';
import { careDate } from '../shared/calendar.ts';
import { decodeOfflineCopy } from '../shared/offline-copy.ts';
import { addNote, newEntry, sectionOf } from '../shared/plan-doc.ts';
import { syncStep1Message, updateMessage } from '../server/collab/messages.ts';
import { loginAt, spawnHub } from '../tests/fixtures/server-process.ts';
import { tempDir } from '../tests/fixtures/server.ts';
import { observation } from '../tests/fixtures/results.ts';
import { RawCollabClient } from './lib/raw-client.ts';
import { fmt } from './lib/typing.ts';

const { values } = parseArgs({
  options: {
    visits: { type: 'string', default: '20' },
    updates: { type: 'string', default: '2000' },
    results: { type: 'string', default: '200' },
  },
});
const VISITS = Number(values.visits);
const UPDATES = Number(values.updates);
const RESULTS = Number(values.results);
const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const kB = (bytes: number) => `${fmt(bytes / 1024)} kB`;

const dir = tempDir('carehub-bench-day-');
const hub = await spawnHub(join(dir, 'bench.db'), {
  MAX_CONNECTIONS_PER_USER: '100000',
  RESULTS_RATE_PER_SECOND: '100000',
  RESULTS_RATE_BURST: '100000',
  CRITICAL_ESCALATE_SECONDS: '3600',
});
try {
  const token = await loginAt(hub.url, 'maja');
  const api = async <T>(path: string, body?: unknown, auth = `Bearer ${token}`): Promise<T> => {
    const res = await fetch(`${hub.url}/api/v1${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const me = await api<{ id: string }>('/me');
  const made = spawnSync(process.execPath, [join(ROOT, 'bin', 'carehub.js'), 'api-key', 'create', '--system', 'lab'], {
    env: { ...process.env, DATABASE_URL: `sqlite:${join(dir, 'bench.db')}` },
    encoding: 'utf8',
  });
  const key = /chk_\S+/.exec(made.stdout)?.[0];
  if (!key) throw new Error(`api-key create failed: ${made.stderr}`);

  // --- The day: 20 plans with history and results ---------------------------------------------
  const setupStart = performance.now();
  const plans: { id: string; cpr: string }[] = [];
  for (let i = 0; i < VISITS; i++) {
    const cpr = `0101${String(40 + i).padStart(2, '0')}1234`;
    const patient = await api<{ id: string }>('/patients', { cpr, name: `Borger ${String(i + 1).padStart(2, '0')}` });
    plans.push({
      id: (await api<{ id: string }>('/plans', { patientId: patient.id, title: `Plan ${i + 1}` })).id,
      cpr,
    });
  }
  await Promise.all(
    plans.map(async ({ id }) => {
      const client = await RawCollabClient.connect(`${hub.wsUrl}/collab/${id}?token=${token}`);
      const doc = client.doc;
      const updates: Uint8Array[] = [];
      const collect = (u: Uint8Array, origin: unknown) => origin !== client && updates.push(u);
      doc.on('update', collect);
      sectionOf(doc, 'tasks').push([
        newEntry({ id: randomUUID(), title: 'Sårpleje', sector: 'municipality', due: careDate(), status: 'planned' }),
      ]);
      addNote(doc, {
        id: randomUUID(),
        author: me.id,
        sector: 'municipality',
        created: new Date().toISOString(),
        body: '',
      });
      const body = sectionOf(doc, 'notes').get(0) as Y.Map<unknown>;
      const paragraph = (body.get('body') as Y.XmlFragment).get(0) as Y.XmlElement;
      const text = new Y.XmlText();
      paragraph.insert(0, [text]);
      const sentence = 'Borgeren har det godt i dag, såret heler pænt. ';
      for (let n = updates.length; n < UPDATES; n++) text.insert(text.length, sentence[n % sentence.length]!);
      doc.off('update', collect);
      for (const u of updates) client.send(updateMessage(u));
      // The room answers a sync step 1 only once everything before it is stored.
      await new Promise<void>((resolve) => {
        client.onUpdate = () => {};
        const check = setInterval(() => {
          if (client.syncedAt > 0) {
            clearInterval(check);
            resolve();
          }
        }, 20);
        client.syncedAt = 0;
        client.send(syncStep1Message(Y.encodeStateVector(doc)));
      });
      client.close();
    }),
  );
  let filed = 0;
  const jobs = plans.flatMap(({ cpr }) =>
    Array.from({ length: RESULTS }, (_, n) => observation({ id: randomUUID(), cpr, value: 3.5 + (n % 20) / 10 })),
  );
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let job = jobs.shift(); job; job = jobs.shift()) {
        await api('/results', job, `Bearer ${key}`);
        filed++;
      }
    }),
  );
  console.log(
    `day: ${VISITS} plans × ${UPDATES} updates + ${RESULTS} results (${filed} filed) set up in ${fmt((performance.now() - setupStart) / 1000)} s`,
  );

  // --- Server side: the offline copies as bytes ------------------------------------------------
  const fetchCopy = async (id: string) => {
    const res = await fetch(`${hub.url}/api/v1/plans/${id}/offline-copy`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const bytes = new Uint8Array(await res.arrayBuffer());
    const copy = decodeOfflineCopy(bytes);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, copy.update);
    if (sectionOf(doc, 'results').length < RESULTS) throw new Error('a copy without its results');
    return bytes.length;
  };
  let t0 = performance.now();
  let total = 0;
  const sizes: number[] = [];
  for (const { id } of plans) {
    const n = await fetchCopy(id);
    sizes.push(n);
    total += n;
  }
  const sequentialMs = performance.now() - t0;
  t0 = performance.now();
  const queue = plans.map((p) => p.id);
  await Promise.all(
    Array.from({ length: 3 }, async () => {
      for (let id = queue.shift(); id; id = queue.shift()) await fetchCopy(id);
    }),
  );
  const parallelMs = performance.now() - t0;
  sizes.sort((a, b) => a - b);
  console.log(
    `offline copies (Node, decoded and applied): ${kB(total)} for ${VISITS} plans (per plan ${kB(sizes[0]!)}–${kB(sizes.at(-1)!)}); ` +
      `${fmt(sequentialMs)} ms one at a time, ${fmt(parallelMs)} ms three at a time`,
  );

  // --- In Chromium: the visits list makes the day ready ----------------------------------------
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
  try {
    const context = await browser.newContext({ locale: 'da-DK', viewport: { width: 810, height: 1080 } });
    const page = await context.newPage();
    page.setDefaultTimeout(120_000);
    await page.goto(`${hub.url}/#/patients`);
    await page.getByTestId('sign-in-username').fill('maja');
    await page.getByTestId('sign-in-password').fill('demo');
    await page.getByTestId('sign-in-submit').click();
    await page.getByTestId('patient-card').first().waitFor();
    const measure = async (label: string) => {
      const before = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
      await page.evaluate(() => performance.clearResourceTimings());
      const start = Date.now();
      await page.evaluate(() => {
        window.location.hash = '#/patients';
      });
      await page.getByTestId('patient-card').first().waitFor();
      const navStart = Date.now();
      await page.evaluate(() => {
        window.location.hash = '#/visits';
      });
      const summary = page.getByTestId('visits-ready-summary');
      await summary.waitFor();
      const total = await summary.getAttribute('data-total');
      await page.locator(`[data-testid="visits-ready-summary"][data-ready="${total}"]`).waitFor();
      // Every card is `ready` only once its copy is committed (not merely kept from before).
      await page.waitForFunction(() =>
        [...document.querySelectorAll('[data-testid="visit-ready"]')].every(
          (e) => e.getAttribute('data-state') === 'ready',
        ),
      );
      const ms = Date.now() - navStart;
      const transfer = await page.evaluate(() =>
        performance
          .getEntriesByType('resource')
          .filter((e) => e.name.includes('/offline-copy'))
          .reduce(
            (sum, e) => ({
              bytes: sum.bytes + (e as PerformanceResourceTiming).encodedBodySize,
              count: sum.count + 1,
            }),
            { bytes: 0, count: 0 },
          ),
      );
      const after = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
      console.log(
        `Chromium, ${label}: ${total} visits ready offline in ${fmt(ms / 1000, 2)} s ` +
          `(${transfer.count} copies, ${kB(transfer.bytes)} received; storage estimate ${after >= before ? '+' : ''}${kB(after - before)}; ${Date.now() - start} ms with the round trip to the patient list)`,
      );
    };
    await measure('fresh device');
    await measure('day already kept');
  } finally {
    await browser.close();
  }
} finally {
  hub.child.kill('SIGTERM');
  await hub.exited;
  rmSync(dir, { recursive: true, force: true });
}
