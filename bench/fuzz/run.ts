/**
 * Long fuzzing run against a real hub (a child process on a fresh database with the demo
 * data): seeded random and mutated frames to /collab, Socket.IO and the REST API for a given
 * time, then SIGTERM, a restart on the same file, and the integrity check (bench/fuzz/harness.ts).
 * Prints counts of frames sent, closes, statuses and problems; exits 1 on any problem.
 *
 *   node --import tsx bench/fuzz/run.ts [--seconds 60] [--seed N] [--concurrency 4] [--keep]
 * A problem names its seed, stream and index: the same seed replays the same frames.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { tempDir } from '../../tests/fixtures/server.ts';
import { spawnHub, type HubProcess } from '../../tests/fixtures/server-process.ts';
import { runCli } from '../../tests/fixtures/cli.ts';
import { checkStored, formatStats, FuzzSession } from './harness.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    seed: { type: 'string' },
    concurrency: { type: 'string', default: '4' },
    keep: { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
const concurrency = Number(values.concurrency);
if (!Number.isFinite(seconds) || seconds <= 0 || !Number.isInteger(seed) || !(concurrency >= 1)) {
  process.stderr.write(
    'usage: node --import tsx bench/fuzz/run.ts [--seconds 60] [--seed N] [--concurrency 4] [--keep]\n',
  );
  process.exit(2);
}
const MAX_MESSAGE_BYTES = 64 * 1024;
const env = {
  WS_MAX_MESSAGE_BYTES: String(MAX_MESSAGE_BYTES),
  LOGIN_MAX_FAILURES_PER_ADDRESS: '1000000',
  LOGIN_MAX_FAILURES_PER_ACCOUNT: '1000000',
};

const dir = tempDir('carehub-fuzz-');
const dbFile = join(dir, 'carehub.db');
const procs: HubProcess[] = [];
const say = (line: string) => process.stdout.write(`${line}\n`);
let failed = false;
try {
  say(`fuzzing for ${seconds} s with seed ${seed} (database ${dbFile})`);
  const hub = await spawnHub(dbFile, env);
  procs.push(hub);
  const key =
    (await runCli(['api-key', 'create', '--system', 'fuzz-lab'], { DATABASE_URL: `sqlite:${dbFile}` })).stdout
      .trim()
      .split('\n')
      .at(-1) ?? null;
  const session = new FuzzSession(hub, seed, { maxMessageBytes: MAX_MESSAGE_BYTES, apiKey: key, log: say });
  await session.prepare();
  let crashed: number | null | undefined;
  const abort = new AbortController();
  void hub.exited.then((code) => {
    crashed = code;
    abort.abort();
  });
  const stats = await session.run({ deadline: Date.now() + seconds * 1000 }, concurrency, abort.signal);
  if (crashed !== undefined) {
    // What failed after the crash is noise; keep what came before it.
    stats.problems.splice(10);
    stats.problems.unshift(
      `the hub exited (${crashed}) during the run:\n${hub
        .output()
        .split('\n')
        .filter((l) => !l.includes('"msg":"request"'))
        .slice(-25)
        .join('\n')}`,
    );
  }
  const expected = crashed === undefined ? await session.finish(stats.problems) : null;
  session.close();
  say(formatStats(stats));
  if (expected) {
    hub.child.kill('SIGTERM');
    const code = await Promise.race([
      hub.exited,
      new Promise<string>((r) => setTimeout(() => r('no exit within 10 s'), 10_000)),
    ]);
    if (code !== 0) stats.problems.push(`SIGTERM: the hub exited with ${code}`);
    const again = await spawnHub(dbFile, env);
    procs.push(again);
    const stored = await checkStored(again, dbFile, expected);
    stats.problems.push(...stored.problems);
    say(
      `integrity: ${stored.plansLoaded} plans loaded after a restart; ${expected.canaryTitles.length} canary edits; ${expected.acceptedMarkers.length} fuzz edits accepted, ${expected.forbiddenMarkers.length} refused markers absent as content; ${stored.refusedNamesKept} kept as names of refused items (known): ${stored.problems.length === 0 ? 'ok' : 'FAILED'}`,
    );
  }
  for (const p of stats.problems.slice(0, 50)) say(`PROBLEM ${p}`);
  if (stats.problems.length > 50) say(`… and ${stats.problems.length - 50} more`);
  failed = stats.problems.length > 0;
  say(failed ? `FAILED: ${stats.problems.length} problems (replay with --seed ${seed})` : 'ok');
} catch (err) {
  failed = true;
  say(`FAILED: ${(err as Error).stack ?? String(err)}`);
} finally {
  for (const p of procs) p.child.kill('SIGKILL');
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
  else say(`kept ${dir}`);
}
process.exit(failed ? 1 : 0);
