/**
 * What a V8 heap snapshot holds, by constructor: count and self size, largest first, and per
 * `--per N` (e.g. per open plan). For the memory scenario: `npm run bench -- --quick --only memory
 * --targets carehub --heap`, then this on the snapshot written beside the CPU profiles.
 *
 *   node --import tsx bench/compare/heap-summary.ts <file.heapsnapshot> [--per 500] [--top 30]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { per: { type: 'string', default: '1' }, top: { type: 'string', default: '30' } },
});
const file = positionals[0];
if (!file) throw new Error('usage: heap-summary.ts <file.heapsnapshot> [--per N] [--top N]');
const snap = JSON.parse(readFileSync(file, 'utf8')) as {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
};
const fields = snap.snapshot.meta.node_fields;
const F = fields.length;
const iType = fields.indexOf('type');
const iName = fields.indexOf('name');
const iSize = fields.indexOf('self_size');
const types = snap.snapshot.meta.node_types[0];
const acc = new Map<string, { count: number; size: number }>();
let total = 0;
for (let i = 0; i < snap.nodes.length; i += F) {
  const type = types[snap.nodes[i + iType] as number] as string;
  const size = snap.nodes[i + iSize] as number;
  total += size;
  // Objects by constructor; strings, arrays, code and the rest by kind.
  const key =
    type === 'object' || type === 'closure'
      ? `${type === 'closure' ? 'closure ' : ''}${snap.strings[snap.nodes[i + iName] as number]}`
      : `(${type})`;
  const a = acc.get(key) ?? { count: 0, size: 0 };
  a.count++;
  a.size += size;
  acc.set(key, a);
}
const per = Number(values.per);
console.log(
  `${file}: ${(total / 1024 / 1024).toFixed(1)} MB of JS heap (self sizes)${per > 1 ? `; per unit (÷${per}) in the last column` : ''}`,
);
for (const [k, a] of [...acc].sort((x, y) => y[1].size - x[1].size).slice(0, Number(values.top))) {
  console.log(
    `${(a.size / 1024).toFixed(0).padStart(9)} KB ${String(a.count).padStart(9)} × ${k.slice(0, 60).padEnd(60)} ${per > 1 ? `${(a.size / per / 1024).toFixed(2)} KB, ${(a.count / per).toFixed(1)} ×` : ''}`,
  );
}
