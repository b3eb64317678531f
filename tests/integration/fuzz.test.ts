import { afterEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { newEntry, planToJson, sectionOf } from '../../shared/plan-doc.ts';
import { connectCollab } from '../fixtures/collab-client.ts';
import { syncStep1Message, updateMessage } from '../../server/collab/messages.ts';
import { checkStored, formatStats, FuzzSession } from '../../bench/fuzz/harness.ts';
import { runCli } from '../fixtures/cli.ts';
import { tempDir } from '../fixtures/server.ts';
import { firstPlanOf, loginAt, spawnHub, type HubProcess } from '../fixtures/server-process.ts';

/**
 * A short seeded fuzzing run (bench/fuzz/ holds the generators and the invariants; the long
 * run is `node --import tsx bench/fuzz/run.ts --seconds 60 --seed N`). The hub is a child
 * process: a crash ends it, which the run watches for.
 */
const SEED = 20_251_125;
const MAX_MESSAGE_BYTES = 64 * 1024;
const ENV = { WS_MAX_MESSAGE_BYTES: String(MAX_MESSAGE_BYTES) };

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>(
      (_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms)),
    ),
  ]);
}

describe('fuzzing', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => {
    for (const fn of cleanup.splice(0).reverse()) fn();
  });

  it('survives random and mutated frames to /collab, Socket.IO and REST; the plans hold exactly the accepted edits', async () => {
    const dir = tempDir();
    const dbFile = join(dir, 'carehub.db');
    const procs: HubProcess[] = [];
    let session: FuzzSession | null = null;
    cleanup.push(() => {
      session?.close();
      for (const p of procs) p.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    });

    const hub = await spawnHub(dbFile, ENV);
    procs.push(hub);
    const key = await runCli(['api-key', 'create', '--system', 'fuzz-lab'], { DATABASE_URL: `sqlite:${dbFile}` });
    expect(key.code).toBe(0);
    session = new FuzzSession(hub, SEED, {
      maxMessageBytes: MAX_MESSAGE_BYTES,
      apiKey: key.stdout.trim().split('\n').at(-1) ?? null,
    });
    await session.prepare();

    let exited: number | null | undefined;
    const abort = new AbortController();
    void hub.exited.then((code) => {
      exited = code;
      abort.abort();
    });
    const stats = await session.run(
      { budget: { collabFrames: 500, socketIoActions: 100, restRequests: 400 } },
      4,
      abort.signal,
    );
    const summary = `${formatStats(stats)}\n${hub
      .output()
      .split('\n')
      .filter((l) => /Error|uncaught|exited/i.test(l))
      .slice(-10)
      .join('\n')}`;
    expect(exited, `the hub exited during the run\n${summary}`).toBeUndefined();

    const expected = await session.finish(stats.problems);
    session.close();
    expect(stats.problems, summary).toEqual([]);
    // The run reached what it is for: malformed frames closed, oversized ones, refusals,
    // sockets left open, accepted and refused fuzz edits, REST errors and successes.
    expect(stats.collab.closes['1002'] ?? 0).toBeGreaterThan(100);
    expect(stats.collab.closes['1009'] ?? 0).toBeGreaterThan(0);
    expect(Object.keys(stats.collab.closes).some((c) => c.startsWith('44'))).toBe(true);
    expect(stats.collab.alive).toBeGreaterThan(10);
    expect(expected.acceptedMarkers.length).toBeGreaterThan(0);
    expect(expected.forbiddenMarkers.length).toBeGreaterThan(50);
    expect(Object.keys(stats.rest.statuses).some((s) => s.startsWith('2'))).toBe(true);
    expect(Object.keys(stats.rest.statuses).filter((s) => s.startsWith('4')).length).toBeGreaterThan(3);
    expect(expected.canaryTitles.length).toBeGreaterThan(20);

    // Everything accepted is stored, nothing refused is: after a restart on the same file.
    hub.child.kill('SIGTERM');
    expect(await within(hub.exited, 10_000, 'shutting down')).toBe(0);
    const restarted = await spawnHub(dbFile, ENV);
    procs.push(restarted);
    const stored = await checkStored(restarted, dbFile, expected);
    expect(stored.problems, summary).toEqual([]);
    expect(stored.plansLoaded).toBeGreaterThanOrEqual(4);
  });

  /* Bugs the fuzzer found, now fixed: each frame that ended the process or smuggled content. */
  describe('frames that once ended the process or got content past the checks', () => {
    async function hubFor(): Promise<{ hub: HubProcess; token: string; planId: string }> {
      const dir = tempDir();
      const hub = await spawnHub(join(dir, 'carehub.db'));
      cleanup.push(() => {
        hub.child.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
      });
      const token = await loginAt(hub.url, 'hanne');
      return { hub, token, planId: await firstPlanOf(hub.url, token, 'Carl Jensen') };
    }

    /** The close code of `ws`, or the hub's exit if it ends first. */
    const closeOrExit = (hub: HubProcess, ws: WebSocket) =>
      within(
        Promise.race([
          new Promise<number>((r) => ws.once('close', (c) => r(c))),
          hub.exited.then((code) => `the hub exited with ${code}`),
        ]),
        5000,
        'the socket to close',
      );
    const healthy = async (hub: HubProcess) => (await fetch(`${hub.url}/healthz`)).status;

    it('a /collab upgrade whose path holds a malformed percent-escape (no token needed) is refused; the process goes on', async () => {
      const { hub } = await hubFor();
      const ws = new WebSocket(`${hub.wsUrl}/collab/%E0%A4%A`);
      ws.on('error', () => {});
      cleanup.push(() => ws.terminate());
      expect(await closeOrExit(hub, ws)).toBe(4400);
      expect(await healthy(hub)).toBe(200);
    });

    it('a sync step 1 with an undecodable state vector while the plan has writes pending closes that socket only', async () => {
      const { hub, token, planId } = await hubFor();
      const ws = new WebSocket(`${hub.wsUrl}/collab/${planId}?token=${token}`);
      cleanup.push(() => ws.terminate());
      await within(new Promise((r) => ws.once('message', r)), 5000, 'joining the plan');
      const doc = new Y.Doc();
      const updates: Uint8Array[] = [];
      doc.on('update', (u: Uint8Array) => updates.push(u));
      sectionOf(doc, 'goals').push([
        newEntry({ id: crypto.randomUUID(), description: 'x', status: 'proposed', sector: 'hospital' }),
      ]);
      // An update (its write then pending), and in the same read a sync step 1 whose state
      // vector is truncated: the server defers its answer until the write is stored.
      const socket = (ws as unknown as { _socket: import('node:net').Socket })._socket;
      socket.cork();
      ws.send(updateMessage(updates[0]!));
      ws.send(syncStep1Message(Uint8Array.from([0x05, 0x01])));
      socket.uncork();
      expect(await closeOrExit(hub, ws)).toBe(1002);
      // Past the moment the deferred answer would have been sent: the write is stored, the hub up.
      const peer = connectCollab(hub.wsUrl, planId, token);
      cleanup.push(() => peer.destroy());
      await within(peer.synced, 5000, 'a peer to sync');
      expect(sectionOf(peer.doc, 'goals').length).toBeGreaterThan(0);
      expect(await healthy(hub)).toBe(200);
    });

    it('a read-only session cannot store a medication by making its update throw halfway through being applied', async () => {
      const { hub, token, planId } = await hubFor();
      const link = (await (
        await fetch(`${hub.url}/api/v1/plans/${planId}/embed-links`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ access: 'read', expiresInMinutes: 60 }),
        })
      ).json()) as { link: string };
      const session = (await (
        await fetch(`${hub.url}/api/v1/embed/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ link: link.link }),
        })
      ).json()) as { token: string };
      const reader = connectCollab(hub.wsUrl, planId, session.token);
      cleanup.push(() => reader.destroy());
      await within(reader.synced, 5000, 'the read-only client to sync');

      // A medication, then a key set on it; the key's struct names its parent by id (client,
      // clock 0): pointed at a clock of that client that does not exist, it throws in Yjs.
      const doc = new Y.Doc();
      doc.clientID = 123_456;
      Y.applyUpdate(doc, Y.encodeStateAsUpdate(reader.doc));
      const updates: Uint8Array[] = [];
      doc.on('update', (u: Uint8Array) => updates.push(u));
      doc.transact(() => {
        const med = newEntry({
          id: crypto.randomUUID(),
          drug: 'SMUGGLED',
          dose: '1000 mg',
          route: 'oral',
          frequency: 'hourly',
        });
        sectionOf(doc, 'medications').push([med]);
        med.set('zz', 'poison');
      });
      const bytes = Buffer.from(updates[0]!);
      const client = Buffer.from([0xc0, 0xc4, 0x07]); // varint 123456
      const at = bytes.lastIndexOf(Buffer.concat([client, Buffer.from([0x00, 0x02, 0x7a, 0x7a])])); // parent (123456, 0), key "zz"
      expect(at).toBeGreaterThan(0);
      bytes[at + client.length] = 0x7f;
      const ws = new WebSocket(`${hub.wsUrl}/collab/${planId}?token=${session.token}`);
      cleanup.push(() => ws.terminate());
      await within(new Promise((r) => ws.once('message', r)), 5000, 'joining the plan');
      ws.send(updateMessage(new Uint8Array(bytes)));
      expect(await within(new Promise<number>((r) => ws.once('close', (c) => r(c))), 5000, 'the close')).toBe(1002);

      const staff = connectCollab(hub.wsUrl, planId, await loginAt(hub.url, 'gitte'));
      cleanup.push(() => staff.destroy());
      await within(staff.synced, 5000, 'a staff client to sync');
      expect(planToJson(staff.doc).medications.map((m) => m.drug)).not.toContain('SMUGGLED');
      expect(JSON.stringify(planToJson(staff.doc))).not.toContain('poison');
    });
  });
});
