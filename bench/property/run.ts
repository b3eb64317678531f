/**
 * The long property run (bench/property/check.ts): random sequences of Yjs operations from
 * every role and session kind against a real plan room on a real SQLite store, for a given
 * time. Prints operations tried, refusals and failures; a failure prints its shrunk
 * counterexample and the seed that replays it. Exits 1 on a failure.
 *
 *   node --import tsx bench/property/run.ts [--minutes 10] [--seed N] [--length 40]
 */
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { checkOps, newStats } from './check.ts';
import { opsArb } from './ops.ts';
import { PropertyWorld } from './world.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    seed: { type: 'string' },
    length: { type: 'string', default: '40' },
  },
});
const minutes = Number(values.minutes);
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
const length = Number(values.length);
if (!(minutes > 0) || !Number.isInteger(seed) || !(length >= 1)) {
  process.stderr.write('usage: node --import tsx bench/property/run.ts [--minutes 10] [--seed N] [--length 40]\n');
  process.exit(2);
}
const say = (line: string) => process.stdout.write(`${line}\n`);
say(`property run for ${minutes} min with seed ${seed} (sequences of up to ${length} operations)`);
const world = await PropertyWorld.create();
const stats = newStats();
const started = Date.now();
const deadline = started + minutes * 60_000;
const progress = setInterval(
  () =>
    say(
      `  ${Math.round((Date.now() - started) / 1000)} s: ${stats.operations} operations in ${stats.runs} sequences, ${stats.refusals} refusals`,
    ),
  30_000,
);
progress.unref();
const result = await fc.check(
  fc.asyncProperty(opsArb(length), (ops) => checkOps(world, ops, stats)),
  {
    seed,
    numRuns: Number.MAX_SAFE_INTEGER,
    interruptAfterTimeLimit: minutes * 60_000,
    markInterruptAsFailure: false,
    endOnFailure: false,
  },
);
clearInterval(progress);
const seconds = (Date.now() - started) / 1000;
say(
  `operations tried: ${stats.operations} (${stats.updates} updates) in ${stats.runs} sequences, ${seconds.toFixed(0)} s`,
);
say(
  `refusals: ${stats.refusals}; connections closed for an update refused whole: ${stats.closed}; checks made to throw: ${stats.faults}; reloads: ${stats.reloads}`,
);
await world.close();
if (result.failed) {
  say(`FAILURE (seed ${seed}, path ${result.counterexamplePath ?? '?'}):`);
  say(String(result.errorInstance instanceof Error ? result.errorInstance.message : result.errorInstance));
  say(`counterexample: ${fc.stringify(result.counterexample)}`);
  process.exit(1);
}
say(`failures: 0${Date.now() < deadline - 1000 ? ' (stopped early)' : ''}`);
