import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envName, loadConfig } from '../../server/config.ts';

/** README's configuration table: variable → its default column. */
function documented(): Map<string, string> {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  return new Map([...readme.matchAll(/^\| `([A-Z_]+)` \| ([^|]+) \|/gm)].map((m) => [m[1]!, m[2]!.trim()]));
}

describe('configuration (server/config.ts): each setting written once', () => {
  it('reads each setting from its variable, the setting’s name in capitals', () => {
    expect(envName('wsMaxMessageBytes')).toBe('WS_MAX_MESSAGE_BYTES');
    const config = loadConfig({
      WS_MAX_MESSAGE_BYTES: '4096',
      CAREHUB_SECRET: 's'.repeat(32),
      EMBED_ALLOWED_ORIGINS: ' https://a.example, https://b.example,',
      REDIS_URL: 'redis://127.0.0.1:6379',
    });
    expect(config.wsMaxMessageBytes).toBe(4096);
    expect(config.carehubSecret).toBe('s'.repeat(32));
    expect(config.embedAllowedOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
  });

  it('documents every setting in README.md with the default the schema gives', () => {
    const table = documented();
    const defaults = loadConfig({});
    for (const [setting, value] of Object.entries(defaults)) {
      const name = envName(setting);
      expect(table.has(name), `${name} is in README.md's configuration table`).toBe(true);
      const shown = table.get(name)!;
      // `carehub serve` serves its own build when CLIENT_DIST is unset; createServer serves none.
      if (!shown.startsWith('`') || name === 'CLIENT_DIST') continue;
      expect(shown, name).toBe(`\`${Array.isArray(value) ? value.join(',') : String(value)}\``);
    }
    expect([...table.keys()].sort()).toEqual(Object.keys(defaults).map(envName).sort());
  });

  it('names the variable of each bad value, and refuses to start', () => {
    expect(() => loadConfig({ CAREHUB_SECRET: 'short', REDIS_PREFIX: 'a b', PORT: 'x' })).toThrow(
      /^invalid configuration:\n(?=[\s\S]*^PORT: )(?=[\s\S]*^REDIS_PREFIX: letters)(?=[\s\S]*^CAREHUB_SECRET: at least 32)/m,
    );
  });
});
