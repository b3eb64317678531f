import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Plugin, ResolvedConfig } from 'vite';

/** Every file under `dir`, as paths relative to it with forward slashes. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.push(relative(dir, full).split(sep).join('/'));
    }
  };
  walk(dir);
  return out;
}

/**
 * Writes `sw.js` beside the build: the hand-written worker in client/sw/sw.js with this build's
 * precache list (index.html, every emitted JS/CSS asset including the lazily loaded pages, the
 * public icons and manifest; no source maps) and a version derived from their names and the
 * page, so a new build replaces the old cache. No workbox, nothing from outside the origin.
 */
export function serviceWorkerPlugin(template: string): Plugin {
  let config: ResolvedConfig;
  return {
    name: 'carehub-service-worker',
    apply: 'build',
    configResolved(resolved) {
      config = resolved;
    },
    writeBundle(options, bundle) {
      const outDir = options.dir ?? config.build.outDir;
      const emitted = Object.keys(bundle);
      const publicFiles = config.publicDir ? filesUnder(config.publicDir) : [];
      const files = [...new Set([...emitted, ...publicFiles])]
        .filter((f) => !f.endsWith('.map') && f !== 'sw.js' && !f.startsWith('.'))
        .sort();
      const hash = createHash('sha256');
      for (const f of files) hash.update(f);
      const page = join(outDir, 'index.html');
      if (existsSync(page)) hash.update(readFileSync(page));
      const version = hash.digest('hex').slice(0, 16);
      const precache = files.map((f) => `/${f}`);
      const source = readFileSync(template, 'utf8')
        .replace("'__CAREHUB_VERSION__'", JSON.stringify(version))
        .replace('__CAREHUB_PRECACHE__', JSON.stringify(precache, null, 2));
      writeFileSync(join(outDir, 'sw.js'), source);
    },
  };
}
