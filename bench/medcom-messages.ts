/**
 * MedCom intake benchmark (issue 18): HospitalNotifications posted to POST /api/v1/messages by
 * `--senders` concurrent clients for `--seconds`, each answered with its Acknowledgement
 * (stored, queued in the outbox, audited) after the notification is in Carl's plan; SQLite
 * with synchronous=FULL unless SQLITE_SYNCHRONOUS says otherwise. Each message is MedCom's
 * STIN example addressed to the demo's Københavns Kommune about Carl Jensen, with a fresh
 * MessageHeader id and episode of care (a new encounter entry every time). Prints messages
 * accepted per second and the answer's p50/p99.
 *
 *   node --import tsx bench/medcom-messages.ts [--senders 8] [--seconds 10]
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEMO_ORGANISATION_CODES } from '../server/seed/demo-data.ts';
import { CARL } from '../server/seed/demo-patients.ts';
import { spawnHub } from '../tests/fixtures/server-process.ts';
import { tempDir } from '../tests/fixtures/server.ts';
import { fmt, percentile } from './lib/typing.ts';

const { values } = parseArgs({
  options: { senders: { type: 'string', default: '8' }, seconds: { type: 'string', default: '10' } },
});
const SENDERS = Number(values.senders);
const SECONDS = Number(values.seconds);
const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..');

const STIN = readFileSync(join(ROOT, 'tests', 'fixtures', 'medcom', 'hospitalnotification-STIN.json'), 'utf8');
const HEADER_ID = (JSON.parse(STIN) as { entry: { resource: { id: string } }[] }).entry[0]!.resource.id;
const EPISODE = 'bd481c38-a921-11ed-afa1-0242ac120002';
const KK = DEMO_ORGANISATION_CODES['Københavns Kommune hjemmesygepleje']!;
const TEMPLATE = STIN.replaceAll('953741000016009', KK.sor)
  .replaceAll('5790001348120', KK.ean)
  .replaceAll('2509479989', CARL.cpr);
const message = () => TEMPLATE.replaceAll(HEADER_ID, randomUUID()).replaceAll(EPISODE, randomUUID());

const dir = tempDir('carehub-bench-');
const dbFile = join(dir, 'bench.db');
const hub = await spawnHub(dbFile, {
  RESULTS_RATE_PER_SECOND: '100000',
  RESULTS_RATE_BURST: '100000',
  SQLITE_SYNCHRONOUS: process.env.SQLITE_SYNCHRONOUS ?? 'FULL',
});
try {
  const made = spawnSync(
    process.execPath,
    [join(ROOT, 'bin', 'carehub.js'), 'api-key', 'create', '--system', 'bench-engine'],
    { env: { ...process.env, DATABASE_URL: `sqlite:${dbFile}` }, encoding: 'utf8' },
  );
  const key = /chk_\S+/.exec(made.stdout)?.[0];
  if (!key) throw new Error(`api-key create failed: ${made.stderr}`);
  const post = async (): Promise<number> => {
    const started = performance.now();
    const res = await fetch(`${hub.url}/api/v1/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/fhir+json' },
      body: message(),
    });
    const ack = (await res.json()) as { entry?: { resource: { response?: { code: string } } }[] };
    if (res.status !== 200 || ack.entry?.[0]?.resource.response?.code !== 'ok')
      throw new Error(`message refused: ${res.status} ${JSON.stringify(ack).slice(0, 300)}`);
    return performance.now() - started;
  };
  for (let i = 0; i < 50; i++) await post(); // warm-up, not counted
  const latencies: number[] = [];
  const end = performance.now() + SECONDS * 1000;
  const startedAt = performance.now();
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      while (performance.now() < end) latencies.push(await post());
    }),
  );
  const elapsed = (performance.now() - startedAt) / 1000;
  latencies.sort((a, b) => a - b);
  console.log(
    `MedCom intake (SQLite synchronous=${process.env.SQLITE_SYNCHRONOUS ?? 'FULL'}, ${SENDERS} senders, ${fmt(elapsed, 1)} s): ` +
      `${fmt(latencies.length / elapsed, 0)} messages accepted per second with their acknowledgements; ` +
      `answer p50 ${fmt(percentile(latencies, 50), 1)} ms, p99 ${fmt(percentile(latencies, 99), 1)} ms (${latencies.length} messages)`,
  );
} finally {
  hub.child.kill('SIGTERM');
  await hub.exited;
  rmSync(dir, { recursive: true, force: true });
}
