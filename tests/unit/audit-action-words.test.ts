import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditActionWords } from '../../client/src/i18n/audit-words.ts';
import { da } from '../../client/src/i18n/da.ts';
import { en } from '../../client/src/i18n/en.ts';
import { AUDIT_ACTIONS } from '../../shared/audit-actions.ts';

/** Every TypeScript file under a folder. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/**
 * The administrator's audit page shows actions as words, not codes (issue 17): every action the
 * server can write has a wording in Danish and in English, and a code the client does not know
 * still shows, as itself.
 */
describe('audit actions in words', () => {
  it('every action code the server writes is in shared/audit-actions.ts', () => {
    // The audit writer's type admits only those codes; this also catches a code that reaches it as
    // a plain string literal anywhere in server/ (`action: '…'` or a constant named ACTION).
    const written = new Set<string>();
    for (const file of sources('server')) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\baction: '([a-z][a-z.-]*)'/g)) written.add(m[1]!);
      for (const m of text.matchAll(/\bACTION = '([a-z][a-z.-]*)'/g)) written.add(m[1]!);
      for (const m of text.matchAll(/\? '([a-z-]+\.[a-z.-]+)' : '([a-z-]+\.[a-z.-]+)'/g))
        if (/action/.test(text.slice(Math.max(0, (m.index ?? 0) - 40), m.index))) written.add(m[1]!).add(m[2]!);
    }
    expect(written.size).toBeGreaterThan(40);
    expect([...written].filter((code) => !(AUDIT_ACTIONS as readonly string[]).includes(code))).toEqual([]);
  });

  it('words every action in Danish and in English, differently from its code', () => {
    for (const code of AUDIT_ACTIONS) {
      for (const dict of [da, en]) {
        const words = auditActionWords(dict, code);
        expect(words, code).not.toBe(code);
        expect(words, code).not.toMatch(/auditAction|\{/);
        expect(words.length, code).toBeGreaterThan(3);
      }
      expect(auditActionWords(da, code), code).not.toBe(auditActionWords(en, code));
    }
    expect(auditActionWords(da, 'plan.document.read')).toBe('Læste planen');
    expect(auditActionWords(en, 'plan.document.read')).toBe('Read the plan');
  });

  it('shows a code it does not know as itself, marked unknown', () => {
    expect(auditActionWords(da, 'plan.teleport')).toBe('Ukendt handling: plan.teleport');
    expect(auditActionWords(en, 'plan.teleport')).toBe('Unknown action: plan.teleport');
  });
});
