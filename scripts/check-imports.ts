import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * No loops and no back edges (issue 15): the import graph of the given folders has no cycle
 * between files, nor between their folders (`server/store` → `server/audit` → `server/store`
 * is a loop between two jobs even when no two files import each other). A file directly in a
 * checked folder (server/app.ts, server/config.ts) is a unit of its own: the entry points sit
 * there above everything, and a leaf like config.ts below it.
 *
 * `npm run lint:imports` (node --import tsx scripts/check-imports.ts [folder …]): exit 1 on a cycle.
 */

/** File (or folder) → what it imports. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

// `import … from '…'`, `export … from '…'`, `import '…'` and `import('…')`. `import type` counts:
// a type loop ties two files together as much as a value loop.
const IMPORT = /\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(?\s*['"]([^'"]+)['"]/g;

/** The relative specifiers a TypeScript source imports (packages are leaves, left out). */
export function importsOf(source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2];
    if (spec?.startsWith('.')) found.push(spec);
  }
  return found;
}

/** One cycle per strongly connected component (Tarjan's algorithm), each a path that ends where it starts. */
export function findCycles(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.size - 1);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component = new Set<string>();
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.add(w);
    } while (w !== v);
    if (component.size > 1 || graph.get(v)?.includes(v)) cycles.push(shortestLoop(graph, component, v));
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return cycles;
}

/** The shortest path from `start` back to itself inside its component (breadth first). */
function shortestLoop(graph: ImportGraph, component: ReadonlySet<string>, start: string): string[] {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const v = queue[i]!;
    for (const w of graph.get(v) ?? []) {
      if (w === start) {
        const path = [start];
        for (let u = v; u !== start; u = cameFrom.get(u)!) path.splice(1, 0, u);
        return [...path, start];
      }
      if (component.has(w) && !cameFrom.has(w)) {
        cameFrom.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

/**
 * The graph between folders: each file stands for its first folder below one of `roots`
 * (server/store/sqlite/x.ts → server/store), a file directly in a root for itself. Imports
 * inside one folder, and of files outside every root, are left out.
 */
export function folderGraph(files: ImportGraph, roots: readonly string[]): Map<string, string[]> {
  const unitOf = (file: string): string | null => {
    for (const root of roots) {
      if (!file.startsWith(`${root}/`)) continue;
      const [first, second] = file.slice(root.length + 1).split('/');
      return second === undefined ? file : `${root}/${first}`;
    }
    return null;
  };
  const graph = new Map<string, Set<string>>();
  for (const [file, targets] of files) {
    const from = unitOf(file);
    if (!from) continue;
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    for (const target of targets) {
      const to = unitOf(target);
      if (to && to !== from) edges.add(to);
    }
  }
  return new Map([...graph].map(([unit, edges]) => [unit, [...edges].sort()]));
}

/** The import graph of every .ts/.tsx file under `folders`, keyed by its path from `root` (with /). */
export function importGraph(root: string, folders: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const key = (path: string) => relative(root, path).split(sep).join('/');
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'dist') walk(path);
      } else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
        graph.set(
          key(path),
          importsOf(readFileSync(path, 'utf8')).map((spec) => key(resolve(dirname(path), spec))),
        );
      }
    }
  };
  for (const folder of folders) walk(resolve(root, folder));
  return graph;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const folders =
    process.argv.length > 2 ? process.argv.slice(2).map((f) => f.replace(/\/+$/, '')) : ['server', 'shared'];
  const files = importGraph(root, folders);
  const fileCycles = findCycles(files);
  const folderCycles = findCycles(folderGraph(files, folders));
  for (const c of fileCycles) process.stderr.write(`import cycle between files: ${c.join(' → ')}\n`);
  for (const c of folderCycles) process.stderr.write(`import cycle between folders: ${c.join(' → ')}\n`);
  if (fileCycles.length + folderCycles.length > 0) process.exitCode = 1;
  else process.stdout.write(`no import cycles in ${folders.join(', ')} (${files.size} files)\n`);
}
