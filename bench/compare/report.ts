import type { Figures, Params, Scenario } from './scenarios.ts';
import { median } from './stats.ts';
import { TARGETS, type TargetName } from './targets.ts';

interface Column {
  key: string;
  label: string;
  digits: number;
  /** Shown with its ratio to the relay's figure. */
  ratio?: boolean;
  percent?: boolean;
}

const COLUMNS: Record<string, Column[]> = {
  fanout: [
    { key: 'p50', label: 'p50 ms', digits: 2, ratio: true },
    { key: 'p99', label: 'p99 ms', digits: 2, ratio: true },
    { key: 'delivered', label: 'delivered', digits: 1, percent: true },
    { key: 'cpuMsPerEdit', label: 'srv CPU ms/edit', digits: 2, ratio: true },
    { key: 'unconverged', label: 'unconverged', digits: 0 },
    { key: 'missingInStore', label: 'not stored', digits: 0 },
  ],
  throughput: [
    { key: 'cpuMsPer1000', label: 'srv CPU ms/1000 upd', digits: 1, ratio: true },
    { key: 'updatesPerSecond', label: 'updates/s', digits: 0, ratio: true },
    { key: 'serverCpuShare', label: 'srv cores busy', digits: 2 },
    { key: 'unconverged', label: 'unconverged', digits: 0 },
    { key: 'missingInStore', label: 'not stored', digits: 0 },
  ],
  cold: [
    { key: 'syncSmallMs', label: '20k edits as 20k upd: sync ms', digits: 1 },
    { key: 'maxSmallMs', label: 'max', digits: 1 },
    { key: 'syncOneMs', label: '20k edits as 1 upd: sync ms', digits: 1 },
    { key: 'maxOneMs', label: 'max', digits: 1 },
    { key: 'syncLargeMs', label: '200k edits: sync ms', digits: 1 },
    { key: 'maxLargeMs', label: 'max', digits: 1 },
    { key: 'logSmallKb', label: 'log KB (20k upd)', digits: 0 },
    { key: 'logLargeKb', label: 'log KB (200k)', digits: 0 },
    { key: 'writeUpdatesPerSecond', label: 'writing upd/s', digits: 0 },
    { key: 'unconverged', label: 'unconverged', digits: 0 },
    { key: 'missingInStore', label: 'not stored', digits: 0 },
  ],
  memory: [
    { key: 'kbPerPlan', label: 'RSS KB/plan', digits: 1, ratio: true },
    { key: 'rssMb', label: 'RSS MB', digits: 0 },
    { key: 'failed', label: 'failed', digits: 0 },
  ],
  connections: [
    { key: 'kbPerConnection', label: 'RSS KB/conn', digits: 1, ratio: true },
    { key: 'cpuMsPerConnection', label: 'srv CPU ms/conn', digits: 3, ratio: true },
    { key: 'held', label: 'held', digits: 0 },
    { key: 'connectsPerSecond', label: 'conn/s', digits: 0 },
  ],
  results: [
    { key: 'p50', label: 'p50 ms', digits: 2 },
    { key: 'p99', label: 'p99 ms', digits: 2 },
    { key: 'sustained', label: 'results/s', digits: 1 },
    { key: 'cpuMsPerResult', label: 'srv CPU ms/result', digits: 2 },
  ],
  scale: [
    { key: 'connected', label: 'connected', digits: 0 },
    { key: 'errors', label: 'errors', digits: 0 },
    { key: 'p50', label: 'fan-out p50 ms', digits: 2 },
    { key: 'p99', label: 'fan-out p99 ms', digits: 2 },
    { key: 'editsPerSecond', label: 'edits/s', digits: 0 },
    { key: 'rssMbMax', label: 'RSS max MB', digits: 0 },
    { key: 'kbPerConnection', label: 'RSS KB/conn', digits: 1 },
    { key: 'lagP99MaxMs', label: 'lag p99 max ms', digits: 1 },
    { key: 'cpuCoresBusy', label: 'srv cores', digits: 2 },
    { key: 'unconverged', label: 'unconverged', digits: 0 },
    { key: 'missingInStore', label: 'not stored', digits: 0 },
  ],
};

type Check = {
  scenario: string;
  what: string;
  /** CareHub's figure (or its ratio to another target's), from every target's medians in the scenario. */
  value: (m: Figures, all: Map<TargetName, Figures>) => number;
  bound: number;
  unit: string;
};

/** The established servers CareHub is measured against. */
const OTHERS: TargetName[] = ['hocuspocus', 'hocuspocus-sqlite', 'y-websocket'];

/** `key` of CareHub over the best (lowest) of the established servers measured: ≤ 1 is ahead of all. */
const overBest =
  (key: string) =>
  (m: Figures, all: Map<TargetName, Figures>): number => {
    const best = Math.min(...OTHERS.map((t) => all.get(t)?.[key] ?? Number.POSITIVE_INFINITY));
    return Number.isFinite(best) && best > 0 ? (m[key] as number) / best : Number.NaN;
  };
const over =
  (key: string, targets: TargetName[]) =>
  (m: Figures, all: Map<TargetName, Figures>): number => {
    const best = Math.min(...targets.map((t) => all.get(t)?.[key] ?? Number.POSITIVE_INFINITY));
    return Number.isFinite(best) && best > 0 ? (m[key] as number) / best : Number.NaN;
  };

function fanoutChecks(clients: number): Check[] {
  const scenario = `fanout-${clients}`;
  return (['p50', 'p99'] as const).flatMap((p) => [
    {
      scenario,
      what: `fan-out ×${clients} ${p} / Hocuspocus`,
      value: over(p, ['hocuspocus', 'hocuspocus-sqlite']),
      bound: 1,
      unit: '×',
    },
    {
      scenario,
      what: `fan-out ×${clients} ${p} / y-websocket`,
      value: over(p, ['y-websocket']),
      bound: 1.1,
      unit: '×',
    },
  ]);
}

/** Issue 20's targets for CareHub (the medians of one run, side by side). */
const CHECKS: Check[] = [
  ...fanoutChecks(50),
  ...fanoutChecks(200),
  {
    scenario: 'fanout-50',
    what: 'fan-out ×50 CPU/edit / best other',
    value: overBest('cpuMsPerEdit'),
    bound: 1,
    unit: '×',
  },
  {
    scenario: 'fanout-200',
    what: 'fan-out ×200 CPU/edit / best other',
    value: overBest('cpuMsPerEdit'),
    bound: 1,
    unit: '×',
  },
  {
    scenario: 'throughput',
    what: 'server CPU per 1,000 updates',
    value: (m) => m.cpuMsPer1000!,
    bound: 55,
    unit: 'ms',
  },
  {
    scenario: 'throughput',
    what: 'CPU per 1,000 updates / best other',
    value: overBest('cpuMsPer1000'),
    bound: 1,
    unit: '×',
  },
  { scenario: 'cold', what: 'cold open, 20k edits as 20k updates', value: (m) => m.syncSmallMs!, bound: 5, unit: 'ms' },
  { scenario: 'cold', what: 'cold open, 20k edits as one update', value: (m) => m.syncOneMs!, bound: 5, unit: 'ms' },
  { scenario: 'cold', what: 'cold open, 200k edits', value: (m) => m.syncLargeMs!, bound: 25, unit: 'ms' },
  { scenario: 'memory', what: 'RSS per open plan', value: (m) => m.kbPerPlan!, bound: 25, unit: 'KB' },
  { scenario: 'memory', what: 'RSS per open plan / best other', value: overBest('kbPerPlan'), bound: 1, unit: '×' },
  { scenario: 'connections', what: 'RSS per connection', value: (m) => m.kbPerConnection!, bound: 10, unit: 'KB' },
  {
    scenario: 'connections',
    what: 'server CPU per connection',
    value: (m) => m.cpuMsPerConnection!,
    bound: 0.3,
    unit: 'ms',
  },
  {
    scenario: 'connections',
    what: 'CPU per connection / best other',
    value: overBest('cpuMsPerConnection'),
    bound: 1,
    unit: '×',
  },
  ...['fanout-50', 'fanout-200', 'throughput', 'cold'].map(
    (scenario): Check => ({
      scenario,
      what: `${scenario}: unconverged, not stored`,
      value: (m) => (m.unconverged ?? Number.NaN) + (Number.isNaN(m.missingInStore) ? 0 : (m.missingInStore ?? 0)),
      bound: 0,
      unit: '',
    }),
  ),
  { scenario: 'results', what: 'result filed→received p99', value: (m) => m.p99!, bound: 15, unit: 'ms' },
  { scenario: 'scale', what: 'scale: fan-out p99', value: (m) => m.p99!, bound: 50, unit: 'ms' },
  {
    scenario: 'scale',
    what: 'scale: errors, unconverged, unstored',
    value: (m) => m.errors! + m.unconverged! + m.missingInStore!,
    bound: 0,
    unit: '',
  },
];

const fmt = (v: number, digits: number): string => (Number.isFinite(v) ? v.toFixed(digits) : '–');

function medians(list: Figures[]): Figures {
  const keys = new Set(list.flatMap((f) => Object.keys(f)));
  return Object.fromEntries([...keys].map((k) => [k, median(list.map((f) => f[k] ?? NaN))]));
}

export function printTable(
  scenarios: Scenario[],
  collected: Map<string, Map<TargetName, Figures[]>>,
  params: Params,
  repeats: number,
): void {
  console.log(
    `\n=== Results (${params.quick ? 'QUICK pass: shorter runs, fewer samples' : 'full run'}; median of ${repeats} repeat(s); ×n = ratio to the raw relay) ===`,
  );
  const med = new Map<string, Map<TargetName, Figures>>();
  for (const s of scenarios) {
    const byTarget = collected.get(s.id);
    if (!byTarget) continue;
    const m = new Map<TargetName, Figures>();
    for (const [name, list] of byTarget) m.set(name, medians(list));
    med.set(s.id, m);
    const columns = COLUMNS[s.id.split('-')[0] as string] ?? [];
    const relay = m.get('relay');
    console.log(`\n${s.title}`);
    const header = ['target'.padEnd(38), ...columns.map((c) => c.label.padStart(c.ratio ? 24 : 14))].join(' ');
    console.log(header);
    for (const [name, f] of m) {
      if ('error' in f && Number.isFinite(f.error)) {
        console.log(`${TARGETS[name].label.padEnd(38)} failed (see above)`);
        continue;
      }
      const cells = columns.map((c) => {
        const v = f[c.key] ?? NaN;
        let cell = c.percent ? `${fmt(100 * v, c.digits)} %` : fmt(v, c.digits);
        if (c.ratio && relay && name !== 'relay' && Number.isFinite(v) && (relay[c.key] ?? 0) > 0)
          cell += ` (${(v / (relay[c.key] as number)).toFixed(2)}×)`;
        return cell.padStart(c.ratio ? 24 : 14);
      });
      console.log([TARGETS[name].label.padEnd(38), ...cells].join(' '));
    }
  }
  console.log("\n=== CareHub against the issue's targets ===");
  for (const check of CHECKS) {
    const m = med.get(check.scenario);
    if (!m) continue;
    for (const name of ['carehub', 'carehub-normal'] as TargetName[]) {
      const f = m.get(name);
      if (!f) continue;
      const v = check.value(f, m);
      const verdict = !Number.isFinite(v) ? 'n/a' : v <= check.bound ? 'meets' : 'MISSES';
      console.log(
        `${name === 'carehub' ? 'FULL  ' : 'NORMAL'} ${check.what.padEnd(38)} ${fmt(v, 2).padStart(8)} ${check.unit.padEnd(2)} (≤ ${check.bound}) ${verdict}`,
      );
    }
  }
  const conns = med.get('connections')?.get('carehub');
  if (conns)
    console.log(
      `FULL   connections held                  ${conns.held} of ${params.connections} ${conns.held === params.connections ? 'meets' : 'MISSES'}`,
    );
}
