/**
 * Top hot spots of a V8 CPU profile (node --cpu-prof): self time by function and by file,
 * as shares of the sampled time (idle and GC shown separately).
 *
 *   [SKIP_SECONDS=n] node --import tsx bench/compare/profile-summary.ts <file.cpuprofile> [top]
 *
 * SKIP_SECONDS leaves out the first n seconds of samples (the process's start: module loading).
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile> [top]');
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
{
  // Samples before SKIP_SECONDS are dropped (their time deltas accumulate from the start).
  const skipUs = Number(process.env.SKIP_SECONDS ?? 0) * 1e6;
  let at = 0;
  let first = 0;
  while (first < profile.samples.length && at < skipUs) at += profile.timeDeltas[first++] ?? 0;
  profile.samples = profile.samples.slice(first);
  profile.timeDeltas = profile.timeDeltas.slice(first);
}
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map<number, number>();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const idleIds = profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id);
const idle = idleIds.reduce((a, id) => a + (self.get(id) ?? 0), 0);
const busy = total - idle;

const short = (url: string): string =>
  url.replace(/^file:\/\/.*?\/(node_modules|server|shared|bench)\//, '$1/').replace(/^node:/, 'node:');
const fnKey = (n: Node): string =>
  `${n.callFrame.functionName || '(anonymous)'} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
const fileKey = (n: Node): string => {
  const u = short(n.callFrame.url);
  if (!u) return n.callFrame.functionName;
  const m = /^node_modules\/((@[^/]+\/)?[^/]+)/.exec(u);
  return m ? `node_modules/${m[1]}` : u;
};

function table(title: string, key: (n: Node) => string): void {
  const acc = new Map<string, number>();
  for (const [id, t] of self) {
    if (idleIds.includes(id)) continue;
    const k = key(byId.get(id) as Node);
    acc.set(k, (acc.get(k) ?? 0) + t);
  }
  console.log(`\n${title} (share of busy time)`);
  for (const [k, t] of [...acc].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${((100 * t) / busy).toFixed(1).padStart(5)} %  ${k}`);
}

/** Inclusive time of frames whose function name matches, counted once per sample. */
function inclusive(pattern: RegExp): number {
  let t = 0;
  profile.samples.forEach((id, i) => {
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      if (pattern.test(fnKey(byId.get(cur) as Node))) {
        t += profile.timeDeltas[i] ?? 0;
        break;
      }
    }
  });
  return t;
}

console.log(
  `${file}: ${(total / 1e6).toFixed(1)} s sampled, busy ${(busy / 1e6).toFixed(1)} s (${((100 * busy) / total).toFixed(0)} %)`,
);
table('Self time by function', fnKey);
table('Self time by file / package', fileKey);
const inc = (
  process.env.INCLUSIVE ??
  'handleClientUpdate,onPersisted,broadcast,appendUpdates,flush,onConnection,receive,send,record,requestLog'
).split(',');
console.log('\nInclusive (share of busy time)');
for (const name of inc)
  console.log(`${((100 * inclusive(new RegExp(`^${name} `))) / busy).toFixed(1).padStart(5)} %  ${name}`);

/** CALLERS=fn: where a function's self time comes from (two frames up). */
if (process.env.CALLERS) {
  const pattern = new RegExp(`^${process.env.CALLERS} `);
  const acc = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const n = byId.get(id) as Node;
    if (!pattern.test(fnKey(n))) return;
    const chain: string[] = [];
    for (let cur = parent.get(id); cur !== undefined && chain.length < 3; cur = parent.get(cur))
      chain.push(fnKey(byId.get(cur) as Node));
    const k = chain.join(' ← ');
    acc.set(k, (acc.get(k) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  console.log(`\nCallers of ${process.env.CALLERS} (share of busy time)`);
  for (const [k, t] of [...acc].sort((a, b) => b[1] - a[1]).slice(0, 10))
    console.log(`${((100 * t) / busy).toFixed(1).padStart(5)} %  ${k}`);
}
