import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The client's folders in layers, lowest first (issue 15: no back edges). A module imports from
 * its own folder and from lower layers only, never from a folder beside it or above it; shared
 * helpers move down, a component only one feature uses moves into that feature's folder.
 *
 *   i18n        words, numbers and units in the reader's language (and the project's shared/)
 *   (base)      the root modules: api*.ts, ids.ts, router.ts, session.ts
 *   offline, realtime
 *               this device's copies and the service worker; the session's Socket.IO socket and
 *               its notifications
 *   collab      the live plan document: its connection, presence, refusals
 *   components  pieces more than one feature uses (header, bell, badges, rich-text editor)
 *   plan        the plan workspace and everything only it shows (sections, notes, results,
 *               the visit panel, the embed header and embed-link panel)
 *   history, visits, embed, admin, overview, patients
 *               features around the plan: its history, today's visits, the embed page, administration,
 *               Overblik, registering patients and changing care teams
 *   views       the pages the router shows
 *   (app)       App.tsx and main.tsx
 */
const LAYERS: readonly (readonly string[])[] = [
  ['i18n'],
  ['(base)'],
  ['offline', 'realtime'],
  ['collab'],
  ['components'],
  ['plan'],
  ['history', 'visits', 'inbox', 'embed', 'admin', 'overview', 'patients'],
  ['views'],
  ['(app)'],
];

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'client', 'src');

function folderOf(file: string): string {
  const rel = relative(SRC, file);
  const [first, ...rest] = rel.split(/[\\/]/);
  if (rest.length > 0) return first!;
  return /^(App|main)\.tsx$/.test(first!) ? '(app)' : '(base)';
}

function layerOf(folder: string): number {
  const i = LAYERS.findIndex((l) => l.includes(folder));
  if (i < 0) throw new Error(`client/src/${folder} is in no layer: add it to LAYERS`);
  return i;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|tsx)$/.test(name) ? [path] : [];
  });
}

describe('client folder layers', () => {
  it('has no import from a folder beside or above the importer', () => {
    const edges: string[] = [];
    for (const file of sources(SRC)) {
      const from = folderOf(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)'(\.{1,2}\/[^']+)'/g)) {
        const target = resolve(dirname(file), m[1]!);
        if (!target.startsWith(SRC)) continue; // the project's shared/ is below everything
        const to = folderOf(target);
        if (to === from) continue;
        if (layerOf(to) >= layerOf(from)) edges.push(`${relative(SRC, file)} → ${relative(SRC, target)}`);
      }
    }
    expect(edges).toEqual([]);
  });
});
