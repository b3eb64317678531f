import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCycles, folderGraph, importGraph, importsOf } from '../../scripts/check-imports.ts';
import { tempDir } from '../fixtures/server.ts';

const graph = (edges: Record<string, string[]>) => new Map(Object.entries(edges));

describe('the import-cycle check (scripts/check-imports.ts)', () => {
  it('reads every form of relative import, type-only ones included, and leaves packages out', () => {
    const source = [
      "import { z } from 'zod';",
      "import type { Store } from './store.ts';",
      "import {\n  a,\n  b,\n} from '../audit/chain.ts';",
      "export * from './records.ts';",
      "export type { Plan } from './records.ts';",
      "import './side-effect.ts';",
      "const lazy = await import('./lazy.ts');",
      'const url = import.meta.url;',
    ].join('\n');
    expect(importsOf(source)).toEqual([
      './store.ts',
      '../audit/chain.ts',
      './records.ts',
      './records.ts',
      './side-effect.ts',
      './lazy.ts',
    ]);
  });

  it('finds no cycle in a graph without one', () => {
    expect(findCycles(graph({ app: ['http', 'store'], http: ['store'], store: ['records'], records: [] }))).toEqual([]);
  });

  it('names a loop between two files as a path back to where it starts', () => {
    expect(
      findCycles(
        graph({ 'store.ts': ['result-store.ts', 'records.ts'], 'result-store.ts': ['store.ts'], 'records.ts': [] }),
      ),
    ).toEqual([['result-store.ts', 'store.ts', 'result-store.ts']]);
  });

  it('finds a file importing itself, and each separate loop once', () => {
    const cycles = findCycles(graph({ a: ['a'], b: ['c'], c: ['d'], d: ['b'], e: ['b'] }));
    expect(cycles).toHaveLength(2);
    expect(cycles).toContainEqual(['a', 'a']);
    expect(cycles.find((c) => c.includes('b'))).toHaveLength(4);
  });

  it('finds a loop between folders that no two files form, and takes files at the top as their own units', () => {
    const files = graph({
      'server/app.ts': ['server/store/store.ts', 'server/audit/audit-log.ts', 'server/config.ts'],
      'server/config.ts': [],
      'server/store/sqlite/sqlite-audit.ts': ['server/audit/chain.ts'],
      'server/store/store.ts': ['server/config.ts'],
      'server/audit/audit-log.ts': ['server/store/store.ts'],
      'server/audit/chain.ts': [],
    });
    expect(findCycles(files)).toEqual([]);
    const folders = folderGraph(files, ['server']);
    expect(folders.get('server/app.ts')).toEqual(['server/audit', 'server/config.ts', 'server/store']);
    expect(findCycles(folders)).toEqual([['server/audit', 'server/store', 'server/audit']]);
  });

  it('builds the graph from files on disk, resolving paths relative to each file', () => {
    const root = tempDir('carehub-imports-');
    mkdirSync(join(root, 'src', 'store'), { recursive: true });
    writeFileSync(join(root, 'src', 'main.ts'), "import { open } from './store/open.ts';\n");
    writeFileSync(
      join(root, 'src', 'store', 'open.ts'),
      "import type { Row } from './rows.ts';\nimport { z } from 'zod';\n",
    );
    writeFileSync(join(root, 'src', 'store', 'rows.ts'), "import type { Open } from './open.ts';\n");
    const files = importGraph(root, ['src']);
    expect(files.get('src/main.ts')).toEqual(['src/store/open.ts']);
    expect(findCycles(files)).toEqual([['src/store/open.ts', 'src/store/rows.ts', 'src/store/open.ts']]);
  });
});
