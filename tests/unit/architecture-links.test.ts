import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The code's pointers into the documentation stay true (issue 15): a comment that names a
 * section of docs/ARCHITECTURE.md or of the README (the file, a comma, the heading in double
 * quotes) names a heading that exists; every `#anchor` link in docs/ARCHITECTURE.md, and from
 * the README into it, finds its heading; and nothing points to a design file outside the
 * repository any more.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FOLDERS = ['server', 'shared', 'client/src', 'tests', 'bench', 'scripts'];
const REFERENCE = /(README(?:\.md)?|docs\/ARCHITECTURE\.md),\s+"([^"]+)"/g;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sources(path);
    return /\.(ts|tsx|js)$/.test(name) ? [path] : [];
  });
}

function headings(file: string): string[] {
  return readFileSync(join(ROOT, file), 'utf8')
    .split('\n')
    .filter((line) => /^#{1,6} /.test(line))
    .map((line) => line.replace(/^#+ /, '').trim());
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

const HEADINGS: Record<string, string[]> = {
  README: headings('README.md'),
  'docs/ARCHITECTURE.md': headings('docs/ARCHITECTURE.md'),
};

/** A heading matches a reference by its whole text, or its text before a parenthesis ("Demo users (…)"). */
const names = (doc: string, section: string) =>
  (HEADINGS[doc.replace(/\.md$/, '')] ?? HEADINGS[doc] ?? []).some(
    (h) => h === section || h.startsWith(`${section} (`),
  );

describe('references to the documentation', () => {
  const files = [
    ...FOLDERS.flatMap((f) => sources(join(ROOT, f))),
    join(ROOT, 'docs', 'ARCHITECTURE.md'),
    join(ROOT, 'README.md'),
  ];

  it('name sections that exist', () => {
    const broken: string[] = [];
    let found = 0;
    for (const file of files) {
      for (const m of readFileSync(file, 'utf8').matchAll(REFERENCE)) {
        found++;
        if (!names(m[1]!, m[2]!)) broken.push(`${relative(ROOT, file)}: ${m[0]}`);
      }
    }
    expect(broken).toEqual([]);
    expect(found).toBeGreaterThan(10);
  });

  it('links inside docs/ARCHITECTURE.md and from README find their headings', () => {
    const anchors = {
      arch: new Set(HEADINGS['docs/ARCHITECTURE.md']!.map(anchor)),
      readme: new Set(HEADINGS.README!.map(anchor)),
    };
    const broken: string[] = [];
    const arch = readFileSync(join(ROOT, 'docs', 'ARCHITECTURE.md'), 'utf8');
    for (const m of arch.matchAll(/\]\(#([^)]+)\)/g)) if (!anchors.arch.has(m[1]!)) broken.push(`#${m[1]}`);
    for (const m of arch.matchAll(/\]\(\.\.\/README\.md#([^)]+)\)/g))
      if (!anchors.readme.has(m[1]!)) broken.push(`README#${m[1]}`);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const m of readme.matchAll(/\]\(docs\/ARCHITECTURE\.md#([^)]+)\)/g))
      if (!anchors.arch.has(m[1]!)) broken.push(`README → ARCHITECTURE#${m[1]}`);
    expect(broken).toEqual([]);
  });

  it('point nowhere outside the repository', () => {
    const outside = files
      .filter((file) => /\bDESIGN\.md\b/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(ROOT, file));
    expect(outside).toEqual([]);
  });
});
