/**
 * Side-by-side comparison (issue 7): CareHub against Hocuspocus, the y-websocket reference
 * server and a raw ws relay, each its own process on loopback, driven by two client processes
 * with the same client code, targets alternated across repeats. Prints a table (each figure and
 * its ratio to the relay) and writes JSON lines to bench/results/<timestamp>.jsonl.
 *
 *   npm run bench [-- --quick] [--only fanout-50,throughput] [--targets carehub,relay] [--repeats N] [--profile]
 *                 [--scale-seconds N] [--scale-connections N] [--scale-plans N]
 *
 * On a small shared machine the clients are often the bottleneck: servers are compared by their
 * own CPU time (/proc/<pid>/stat utime+stime) where rates are client-bound.
 */
import { mkdirSync, appendFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ClientProcess } from './clients.ts';
import { buildFixture } from './fixture.ts';
import { SCENARIOS, type Figures, type Params } from './scenarios.ts';
import { SCALE_CONNECTIONS_PER_USER } from './scale.ts';
import { median } from './stats.ts';
import { startTarget, TARGETS, type TargetName } from './targets.ts';
import { printTable } from './report.ts';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    targets: { type: 'string' },
    repeats: { type: 'string' },
    profile: { type: 'boolean', default: false },
    heap: { type: 'boolean', default: false },
    'scale-seconds': { type: 'string' },
    'scale-connections': { type: 'string' },
    'scale-plans': { type: 'string' },
  },
});
const quick = values.quick ?? false;
const params: Params = quick
  ? {
      quick,
      fanoutSeconds: 4,
      fanoutRate: 20,
      throughputSeconds: 4,
      throughputPlans: 100,
      coldUpdates: 20_000,
      coldSamples: 3,
      memoryPlans: 500,
      connections: 2000,
      connectionPlans: 200,
      holdSeconds: 2,
      resultsSeconds: 4,
      scaleConnections: 1000,
      scalePlans: 200,
      scaleSeconds: 30,
      scaleEditEverySeconds: 10,
      scalePresenceEverySeconds: 1,
      scaleSampleSeconds: 5,
    }
  : {
      quick,
      fanoutSeconds: 10,
      fanoutRate: 20,
      throughputSeconds: 10,
      throughputPlans: 100,
      coldUpdates: 20_000,
      coldSamples: 7,
      memoryPlans: 1000,
      connections: 5000,
      connectionPlans: 500,
      holdSeconds: 10,
      resultsSeconds: 10,
      scaleConnections: 10_000,
      scalePlans: 2000,
      scaleSeconds: 300,
      scaleEditEverySeconds: 10,
      scalePresenceEverySeconds: 1,
      scaleSampleSeconds: 10,
    };
if (values['scale-seconds']) params.scaleSeconds = Number(values['scale-seconds']);
if (values['scale-connections']) params.scaleConnections = Number(values['scale-connections']);
if (values['scale-plans']) params.scalePlans = Number(values['scale-plans']);
const repeats = Number(values.repeats ?? (quick ? 1 : 3));
const only = values.only?.split(',');
const onlyTargets = values.targets?.split(',') as TargetName[] | undefined;
const scenarios = SCENARIOS.filter((s) => !only || only.includes(s.id));

const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const resultsDir = join(ROOT, 'bench', 'results');
mkdirSync(resultsDir, { recursive: true });
const jsonl = join(resultsDir, `${stamp}.jsonl`);
const profileDir = join(resultsDir, `profiles-${stamp}`);
const write = (record: unknown) => appendFileSync(jsonl, `${JSON.stringify(record)}\n`);

console.log(
  `CareHub comparison — ${quick ? 'QUICK pass' : 'full run'}: ${repeats} repeat(s), targets alternated; ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}`,
);
console.log(
  `  fan-out ${params.fanoutSeconds} s at ${params.fanoutRate} edits/s; throughput ${params.throughputPlans} plans × 5 for ${params.throughputSeconds} s; cold ${params.coldUpdates} updates, ${params.coldSamples} samples; ` +
    `memory ${params.memoryPlans} plans; connections ${params.connections} over ${params.connectionPlans} plans, held ${params.holdSeconds} s; results ${params.resultsSeconds} s; ` +
    `scale ${params.scaleConnections} connections over ${params.scalePlans} plans for ${params.scaleSeconds} s (CareHub only)`,
);
write({ kind: 'run', stamp, quick, repeats, params, node: process.version, cores: cpus().length });

// One creation time for every note of the run, in every client process (lib/edits.ts).
process.env.BENCH_NOTE_CREATED ??= new Date(Date.now() - 3_600_000).toISOString();
const started = performance.now();
const scaling = scenarios.some((s) => s.id === 'scale');
const fixture = await buildFixture(
  Math.max(params.memoryPlans, params.connectionPlans, params.throughputPlans, scaling ? params.scalePlans : 0) + 22,
  scaling ? Math.ceil(params.scaleConnections / SCALE_CONNECTIONS_PER_USER) : 0,
);
const workers = await Promise.all([ClientProcess.start(), ClientProcess.start()]);
const ctx = {
  fixture,
  workers: workers as [ClientProcess, ClientProcess],
  params,
  heapDir: values.heap ? profileDir : undefined,
};
const collected = new Map<string, Map<TargetName, Figures[]>>();

try {
  for (const scenario of scenarios) {
    // Asked for by name, CareHub with synchronous=NORMAL runs wherever CareHub does.
    const offered =
      onlyTargets?.includes('carehub-normal') && scenario.targets.includes('carehub') && !scenario.external
        ? [...new Set([...scenario.targets, 'carehub-normal' as const])]
        : scenario.targets;
    const targets = offered.filter((t) => !onlyTargets || onlyTargets.includes(t));
    const skipped = (onlyTargets ?? []).filter((t) => !targets.includes(t));
    if (skipped.length > 0)
      console.log(
        `  ${scenario.id}: skipped for ${skipped.join(', ')} (${scenario.title.split(':')[0]} runs on ${scenario.targets.join(', ')} only)`,
      );
    const byTarget = new Map<TargetName, Figures[]>();
    collected.set(scenario.id, byTarget);
    // The scale scenario runs once unless --repeats says otherwise (it takes minutes).
    const runs = scenario.id === 'scale' && !values.repeats ? 1 : repeats;
    for (let r = 0; r < runs; r++) {
      // Alternate: rotate the order each repeat and reverse every other, so drift hits all alike.
      const order = targets.map((_, i) => targets[(i + r) % targets.length] as TargetName);
      if (r % 2 === 1) order.reverse();
      for (const name of order) {
        process.stdout.write(`  ${scenario.id} · ${name} · repeat ${r + 1}/${runs} … `);
        const t0 = performance.now();
        if (values.heap) mkdirSync(join(profileDir, `${scenario.id}-${name}-${r}`), { recursive: true });
        const target = scenario.external
          ? null
          : await startTarget(
              name,
              fixture,
              `${scenario.id}-${name}-${r}`,
              [
                ...(values.profile && name.startsWith('carehub')
                  ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, `${scenario.id}-${name}-${r}`)}`]
                  : []),
                ...(values.heap && name.startsWith('carehub')
                  ? [
                      '--heapsnapshot-signal=SIGUSR2',
                      `--diagnostic-dir=${join(profileDir, `${scenario.id}-${name}-${r}`)}`,
                    ]
                  : []),
              ],
              { defaultLimits: scenario.defaultLimits },
            );
        let figures: Figures;
        try {
          figures = await scenario.run(target, ctx);
        } catch (err) {
          console.log(`failed: ${(err as Error).message}`);
          figures = { error: 1 };
          // A client process that died is replaced; the others drop their sockets.
          for (let i = 0; i < workers.length; i++)
            if (
              (workers[i] as ClientProcess).child.exitCode !== null ||
              (workers[i] as ClientProcess).child.signalCode !== null
            )
              workers[i] = await ClientProcess.start();
          await Promise.all(workers.map((w) => w.call({ cmd: 'closeAll' }).catch(() => {})));
        } finally {
          await target?.stop();
        }
        const list = byTarget.get(name) ?? [];
        list.push(figures);
        byTarget.set(name, list);
        write({ kind: 'measurement', stamp, scenario: scenario.id, target: name, repeat: r, figures });
        if (!('error' in figures))
          console.log(
            `${Object.entries(figures)
              .map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toPrecision(3)}`)
              .join(', ')} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
          );
      }
    }
    const summary: Record<string, Figures> = {};
    for (const [name, list] of byTarget) {
      const keys = Object.keys(list[0] ?? {});
      summary[name] = Object.fromEntries(keys.map((k) => [k, median(list.map((f) => f[k] as number))]));
    }
    write({ kind: 'summary', stamp, scenario: scenario.id, medians: summary });
  }
} finally {
  for (const w of workers) w.stop();
  rmSync(fixture.dir, { recursive: true, force: true });
}

printTable(scenarios, collected, params, repeats);
console.log(
  `\n${((performance.now() - started) / 1000).toFixed(0)} s in all; JSON lines: ${jsonl}${values.profile || values.heap ? `; profiles and snapshots: ${profileDir}` : ''}`,
);
void TARGETS;
