import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Fixture } from './fixture.ts';
import type { Endpoint } from './lib/wire.ts';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const SECRET = 'bench-secret-bench-secret-bench-secret-0123456789';

export type TargetName = 'carehub' | 'carehub-normal' | 'hocuspocus' | 'hocuspocus-sqlite' | 'y-websocket' | 'relay';

export interface TargetInfo {
  name: TargetName;
  label: string;
  /** Keeps documents across a restart-free unload (cold load is meaningful). */
  storesDocuments: boolean;
}

export const TARGETS: Record<TargetName, TargetInfo> = {
  carehub: { name: 'carehub', label: 'CareHub (SQLite, synchronous=FULL)', storesDocuments: true },
  'carehub-normal': { name: 'carehub-normal', label: 'CareHub (SQLite, synchronous=NORMAL)', storesDocuments: true },
  hocuspocus: { name: 'hocuspocus', label: 'Hocuspocus 4.7 (in memory)', storesDocuments: false },
  'hocuspocus-sqlite': { name: 'hocuspocus-sqlite', label: 'Hocuspocus 4.7 + SQLite extension', storesDocuments: true },
  'y-websocket': { name: 'y-websocket', label: '@y/websocket-server 0.1.1 (in memory)', storesDocuments: true },
  relay: { name: 'relay', label: 'raw ws relay (floor)', storesDocuments: false },
};

export interface RunningTarget {
  info: TargetInfo;
  pid: number;
  endpoint(doc: string): Endpoint;
  /** Documents the server holds in memory. */
  openDocs(): Promise<number>;
  cpuMs(): number;
  rssKb(): number;
  /** CareHub: its HTTP address (sign-in, /metrics) and its SQLite file (read by the scale scenario's store check). */
  baseUrl?: string;
  dbFile?: string;
  stop(): Promise<void>;
}

export function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime + stime, in clock ticks (100 per second on Linux)
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export function rssKbOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? NaN);
}

function startProcess(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
  extraNodeArgs: string[],
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [...extraNodeArgs, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start:\n${out}`)), 30_000);
    const onData = (chunk: Buffer) => {
      if (out.length < 20_000) out += chunk.toString();
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        out = '';
        child.stdout!.off('data', onData);
        child.stderr!.off('data', onData);
        // Keep draining, so a chatty server never blocks on a full pipe.
        child.stdout!.resume();
        child.stderr!.on('data', (c: Buffer) => {
          if (process.env.BENCH_VERBOSE) process.stderr.write(c);
        });
        resolve({ child, port: Number(m[1]) });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited with ${code}:\n${out}`));
    });
  });
}

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Starts one target as its own process on loopback. `nodeArgs` e.g. ['--cpu-prof'] for profiling. */
export async function startTarget(
  name: TargetName,
  fixture: Fixture,
  runId: string,
  nodeArgs: string[] = [],
  opts: { defaultLimits?: boolean } = {},
): Promise<RunningTarget> {
  const info = TARGETS[name];
  const files: string[] = [];
  let started: { child: ChildProcess; port: number };
  let endpoint: (doc: string) => Endpoint;
  let openDocs: () => Promise<number>;
  let baseUrl: string | undefined;
  let dbFile: string | undefined;
  if (name === 'carehub' || name === 'carehub-normal') {
    const db = fixture.copy(runId);
    dbFile = db;
    files.push(db, `${db}-wal`, `${db}-shm`);
    started = await startProcess(
      ['bin/carehub.js', 'serve'],
      {
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: `sqlite:${db}`,
        CAREHUB_SECRET: SECRET,
        LOG_LEVEL: 'info',
        SQLITE_SYNCHRONOUS: name === 'carehub' ? 'FULL' : 'NORMAL',
        // Connection limits per user (if the build has them): one bench user holds every connection
        // (the scale scenario keeps the default: its users each stay within it).
        ...(opts.defaultLimits
          ? {}
          : { COLLAB_MAX_CONNECTIONS_PER_USER: '100000', MAX_CONNECTIONS_PER_USER: '100000' }),
      },
      /"port":(\d+),"msg":"listening"/,
      nodeArgs,
    );
    const base = `http://127.0.0.1:${started.port}`;
    baseUrl = base;
    const { token } = await json<{ token: string }>(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'hanne', password: 'demo' }),
    });
    endpoint = (doc) => ({
      url: `ws://127.0.0.1:${started.port}/collab/${doc}?token=${token}`,
      framing: 'y-websocket',
      doc,
    });
    openDocs = async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      return Number(/^carehub_open_plans (\d+)/m.exec(text)?.[1] ?? NaN);
    };
  } else {
    const env: Record<string, string> = { PORT: '0' };
    if (name === 'hocuspocus-sqlite') {
      const db = join(fixture.dir, `${runId}-hocuspocus.db`);
      files.push(db, `${db}-wal`, `${db}-shm`, `${db}-journal`);
      env.BENCH_SQLITE = db;
    }
    const script = {
      hocuspocus: 'hocuspocus',
      'hocuspocus-sqlite': 'hocuspocus',
      'y-websocket': 'y-websocket',
      relay: 'relay',
    }[name];
    started = await startProcess(
      ['--import', 'tsx', `bench/compare/servers/${script}.ts`],
      env,
      /listening (\d+)/,
      nodeArgs,
    );
    const port = started.port;
    endpoint =
      name === 'hocuspocus' || name === 'hocuspocus-sqlite'
        ? (doc) => ({ url: `ws://127.0.0.1:${port}/`, framing: 'hocuspocus', doc })
        : (doc) => ({ url: `ws://127.0.0.1:${port}/${doc}`, framing: name === 'relay' ? 'relay' : 'y-websocket', doc });
    openDocs = async () => (await json<{ open: number }>(`http://127.0.0.1:${port}/bench/stats`)).open;
  }
  const child = started.child;
  const pid = child.pid as number;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    info,
    pid,
    endpoint,
    openDocs,
    cpuMs: () => cpuMsOf(pid),
    rssKb: () => rssKbOf(pid),
    baseUrl,
    dbFile,
    async stop() {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
      for (const f of files) rmSync(f, { force: true });
    },
  };
}
