#!/usr/bin/env node
// The `carehub` command. The server is TypeScript run through tsx, so `npx carehub …` works
// straight after `npm ci`, with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../server/main.ts');
try {
  await main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`carehub: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
