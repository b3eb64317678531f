import type { AuditEntryInput } from '../../server/store/records.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type * as Y from 'yjs';
import { addNote, sectionOf } from '../../shared/plan-doc.ts';
import type { AccessLogEntry, AuditEntryView } from '../../shared/audit.ts';
import type { PatientView } from '../../shared/api.ts';
import { createApiKey } from '../../server/results/api-keys.ts';
import {
  checkpoint,
  insertForged,
  rowAt,
  runVerify,
  shiftSeqs,
  swapSeqs,
  tamperedCopy,
  verifyFile,
} from '../fixtures/audit-tamper.ts';
import { join as joinPlan } from '../fixtures/plan-team.ts';
import { observation, postAs } from '../fixtures/results.ts';
import { startHub, tempDir, type TestHub } from '../fixtures/server.ts';

const CPRS = ['1203451237', '0704521228', '0307380115', '2211887654', '120345-1237'];
const WRONG_PASSWORD = 'Wrong-Password-7913';
const NOTE_TEXT = `SECRET-NOTE-${randomUUID()}`;
const REPORT_TEXT = `SECRET-COMMENT-${randomUUID()}`;
const post = (body: unknown) => ({ method: 'POST', body: JSON.stringify(body) });

async function until<T>(what: string, f: () => Promise<T | undefined | false>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the audit log of a real session: no secrets, and `carehub audit verify`', () => {
  const dir = tempDir('carehub-audit-');
  let dbFile: string;
  let rows: Record<string, unknown>[];
  const secrets: string[] = [];
  let k: number;
  let n: number;

  beforeAll(async () => {
    const hub = await startHub({ dir });
    dbFile = hub.dbFile;
    const carlPlan = await hub.planOf('Carl Jensen');
    const ingridPlan = await hub.planOf('Ingrid Madsen');
    expect((await hub.api('/auth/login', post({ username: 'hanne', password: WRONG_PASSWORD }))).status).toBe(401);
    expect((await hub.api('/auth/login', post({ username: 'nobody', password: 'demo' }))).status).toBe(401);
    const [hanne, carl, gitte, admin] = await Promise.all(['hanne', 'carl', 'gitte', 'admin'].map((u) => hub.token(u)));
    secrets.push(hanne!, carl!, gitte!, admin!);
    for (const path of ['', '/document', '/history', '/people', '/care-team', '/fhir']) {
      expect((await hub.api(`/plans/${carlPlan}${path}`, { token: hanne })).status, path).toBe(200);
    }
    expect((await hub.api(`/plans/${carlPlan}/document`, { token: carl })).status).toBe(200);
    expect((await hub.api('/patients/search', { ...post({ query: '120345-1237' }), token: hanne })).status).toBe(200);
    expect((await hub.api(`/plans/${ingridPlan}`, { token: gitte })).status).toBe(403);
    expect((await hub.api(`/plans/${ingridPlan}/document`, { token: carl })).status).toBe(403);
    expect((await hub.api(`/plans/${carlPlan}`, { token: admin })).status).toBe(403);
    const report = { kind: 'symptom', value: 'svimmel', comment: REPORT_TEXT };
    expect((await hub.api(`/plans/${carlPlan}/self-reports`, { ...post(report), token: carl })).status).toBe(201);
    const { key } = await createApiKey(hub.server.store.results, 'Test lab');
    secrets.push(key);
    expect(
      (await postAs(hub, key, '/results', observation({ id: randomUUID(), cpr: '1203451237' }))).status,
    ).toBeLessThan(300);
    // A note is written, and a nurse's edit of someone else's note (with its text) is refused.
    const h = await joinPlan(hub, 'hanne', carlPlan);
    const maja = await joinPlan(hub, 'maja', carlPlan);
    addNote(h.doc, {
      id: randomUUID(),
      author: h.userId,
      sector: 'hospital',
      created: new Date().toISOString(),
      body: `${NOTE_TEXT} own`,
    });
    const note = sectionOf(maja.doc, 'notes')
      .toArray()
      .find((e) => e.get('author') === h.userId) as Y.Map<unknown>;
    (((note.get('body') as Y.XmlFragment).get(0) as Y.XmlElement).get(0) as Y.XmlText).insert(0, `${NOTE_TEXT} `);
    await maja.nextRefusal();
    h.leave();
    maja.leave();
    expect((await hub.api('/audit', { token: admin })).status).toBe(200);
    expect((await hub.api('/me/access-log', { token: carl })).status).toBe(200);
    await hub.stop();
    checkpoint(dbFile);
    const db = new Database(dbFile, { readonly: true });
    rows = db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as Record<string, unknown>[];
    db.close();
    n = rows.length;
    k = rows.find((r) => r.action === 'plan.read' && r.outcome === 'allowed')!.seq as number;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('records the session, and no CPR number, password, token, API key or note text', () => {
    const actions = new Set(rows.map((r) => `${r.action}:${r.outcome}`));
    for (const a of [
      'login:refused',
      'login:allowed',
      'plan.read:allowed',
      'plan.read:refused',
      'plan.document.read:refused',
      'plan.fhir.read:allowed',
      'plan.update:refused',
      'plan.self-report:allowed',
      'patient.list:allowed',
      'result.file:allowed',
      'audit.read:allowed',
      'access-log.read:allowed',
    ]) {
      expect(actions, a).toContain(a);
    }
    const strings = (v: unknown): string[] =>
      typeof v === 'string' ? [v] : v && typeof v === 'object' ? Object.values(v).flatMap(strings) : [];
    for (const row of rows) {
      const details = JSON.parse(row.details as string) as Record<string, unknown>;
      const { hash: _h, prev_hash: _p, ...fields } = row;
      const text = JSON.stringify(fields);
      for (const s of [...CPRS, WRONG_PASSWORD, NOTE_TEXT, REPORT_TEXT, ...secrets])
        expect(text, `seq ${row.seq}`).not.toContain(s);
      expect(text).not.toMatch(/eyJ[\w-]{8,}/);
      expect(text).not.toContain('scrypt$');
      expect(strings(details), `seq ${row.seq}`).not.toContain('demo');
      expect(row.details as string).not.toMatch(/"demo"/);
      expect(Object.keys(details)).not.toContain('password');
    }
    // The failed logins keep the attempted username (not the password).
    const failed = rows
      .filter((r) => r.action === 'login' && r.outcome === 'refused')
      .map((r) => JSON.parse(r.details as string).username);
    expect(failed).toEqual(['hanne', 'nobody']);
  });

  it('intact: exit 0 and the number of entries', async () => {
    const r = runVerify(dbFile);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`audit log intact: ${n} entries\nlast entry: seq ${n}, hash ${rows[n - 1]!.hash}\n`);
    expect(await verifyFile(dbFile)).toEqual({ ok: true, entries: n, last: { seq: n, hash: rows[n - 1]!.hash } });
    expect(1 < k && k < n - 2).toBe(true);
  });

  it('changed: an entry whose actor was changed is found at its seq', async () => {
    const copy = tamperedCopy(dbFile, 'changed', (db) =>
      db.prepare('UPDATE audit_log SET actor_id = ? WHERE seq = ?').run(randomUUID(), k),
    );
    const r = runVerify(copy);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `audit log broken at seq ${k}: the stored hash does not match the entry's fields: the entry was changed (the ${k - 1} entries before it are intact)\n`,
    );
  });

  it('changed: any field, the text of the details, or a changed entry whose own hash was recomputed', async () => {
    const edits: [string, string, string][] = [
      ['time', "time = '2020-01-01T00:00:00.000Z'", 'stored hash'],
      ['action', "action = 'patient.list'", 'stored hash'],
      ['patient', 'patient_id = NULL', 'stored hash'],
      ['plan', 'plan_id = NULL', 'stored hash'],
      ['outcome', "outcome = 'refused'", 'stored hash'],
      ['details', `details = '{"reason":"forged"}'`, 'stored hash'],
      ['details-text', `details = '{ }'`, 'details are not stored as they were written'],
      ['details-json', `details = '{'`, 'details are not valid JSON'],
      ['hash', 'hash = prev_hash', 'stored hash'],
      ['prev-hash', 'prev_hash = hash', 'prev_hash does not match the hash of seq'],
    ];
    for (const [name, set, problem] of edits) {
      const copy = tamperedCopy(dbFile, `changed-${name}`, (db) =>
        db.prepare(`UPDATE audit_log SET ${set} WHERE seq = ?`).run(k),
      );
      const v = await verifyFile(copy);
      expect(v, name).toMatchObject({ ok: false, seq: k, intact: k - 1 });
      expect(v.ok === false && v.problem, name).toContain(problem);
    }
    const rehashed = tamperedCopy(dbFile, 'changed-rehashed', (db) => {
      const r = rowAt(db, k);
      db.prepare('DELETE FROM audit_log WHERE seq = ?').run(k);
      const e = {
        time: r.time as string,
        actorId: randomUUID(),
        action: r.action as AuditEntryInput['action'],
        patientId: r.patient_id as string,
        planId: r.plan_id as string,
        outcome: 'allowed' as const,
        details: {},
      };
      insertForged(db, k, e, r.prev_hash as string);
    });
    expect(await verifyFile(rehashed)).toMatchObject({
      ok: false,
      seq: k + 1,
      problem: expect.stringContaining(`prev_hash does not match the hash of seq ${k}`),
    });
  });

  it('removed: a gap in the seqs is reported at the missing seq', async () => {
    const r = runVerify(
      tamperedCopy(dbFile, 'removed', (db) => db.prepare('DELETE FROM audit_log WHERE seq = ?').run(k)),
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `audit log broken at seq ${k}: seq ${k} is missing (the entry after seq ${k - 1} is seq ${k + 1}): an entry was removed (the ${k - 1} entries before it are intact)\n`,
    );
    // Renumbered to close the gap, the link breaks instead; the first entry removed: a gap at 1.
    const closed = tamperedCopy(dbFile, 'removed-renumbered', (db) => {
      db.prepare('DELETE FROM audit_log WHERE seq = ?').run(k);
      shiftSeqs(db, k + 1, -1);
    });
    expect(await verifyFile(closed)).toMatchObject({
      ok: false,
      seq: k,
      problem: expect.stringContaining(`prev_hash does not match the hash of seq ${k - 1}`),
    });
    const first = tamperedCopy(dbFile, 'removed-first', (db) =>
      db.prepare('DELETE FROM audit_log WHERE seq = 1').run(),
    );
    expect(await verifyFile(first)).toMatchObject({
      ok: false,
      seq: 1,
      intact: 0,
      problem: 'seq 1 is missing (the first entry is seq 2): an entry was removed',
    });
    // The last entry cut off leaves a valid chain: only the printed last hash, kept elsewhere, shows it.
    const cut = runVerify(
      tamperedCopy(dbFile, 'removed-last', (db) => db.prepare('DELETE FROM audit_log WHERE seq = ?').run(n)),
    );
    expect(cut.stdout).toBe(
      `audit log intact: ${n - 1} entries\nlast entry: seq ${n - 1}, hash ${rows[n - 2]!.hash}\n`,
    );
  });

  it('inserted: an extra entry with a correctly computed hash breaks the link after it', async () => {
    const forged = {
      time: rows[k - 1]!.time as string,
      actorId: null,
      action: 'login' as const,
      patientId: null,
      planId: null,
      outcome: 'allowed' as const,
      details: { address: '127.0.0.1' },
    };
    const copy = tamperedCopy(dbFile, 'inserted', (db) => {
      shiftSeqs(db, k + 1, 1);
      insertForged(db, k + 1, forged, rowAt(db, k).hash as string);
    });
    const r = runVerify(copy);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `audit log broken at seq ${k + 2}: prev_hash does not match the hash of seq ${k + 1}: an entry before it was removed, inserted, reordered or rewritten (the ${k + 1} entries before it are intact)\n`,
    );
    // Extra rows that leave the seqs themselves broken.
    const beyond = tamperedCopy(dbFile, 'inserted-beyond', (db) =>
      insertForged(db, n + 2, forged, rows[n - 1]!.hash as string),
    );
    expect(await verifyFile(beyond)).toMatchObject({
      ok: false,
      seq: n + 1,
      problem: expect.stringContaining('is missing'),
    });
    const before = tamperedCopy(dbFile, 'inserted-zero', (db) => insertForged(db, 0, forged, '0'.repeat(64)));
    expect(await verifyFile(before)).toMatchObject({
      ok: false,
      seq: 0,
      problem: 'seq 0 found where seq 1 was expected: an entry was inserted',
    });
  });

  it('reordered: two entries with their seqs swapped', async () => {
    const r = runVerify(tamperedCopy(dbFile, 'reordered', (db) => swapSeqs(db, k, k + 1)));
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `audit log broken at seq ${k}: prev_hash does not match the hash of seq ${k - 1}: an entry before it was removed, inserted, reordered or rewritten (the ${k - 1} entries before it are intact)\n`,
    );
  });

  it('refuses to verify a database that is not there (instead of creating an empty one)', () => {
    const r = runVerify(join(dir, 'missing', 'carehub.db'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^carehub: no database at .*missing\/carehub\.db\n$/);
  });
});

describe('GET /audit and GET /me/access-log', () => {
  let hub: TestHub;
  let carlPlan: string;
  let ingridPlan: string;
  let ingridId: string;
  let carlId: string;
  const audit = (token: string, query = '') => hub.api(`/audit${query}`, { token });

  beforeAll(async () => {
    hub = await startHub();
    carlPlan = await hub.planOf('Carl Jensen');
    ingridPlan = await hub.planOf('Ingrid Madsen');
    const patients = (await (await hub.api('/patients', { token: await hub.token('hanne') })).json()) as PatientView[];
    ingridId = patients.find((p) => p.name === 'Ingrid Madsen')!.id;
    carlId = patients.find((p) => p.name === 'Carl Jensen')!.id;
    expect((await hub.api(`/plans/${carlPlan}`, { token: await hub.token('hanne') })).status).toBe(200);
    expect((await hub.api(`/plans/${carlPlan}/fhir`, { token: await hub.token('hanne') })).status).toBe(200);
    expect((await hub.api(`/plans/${ingridPlan}`, { token: await hub.token('gitte') })).status).toBe(403);
    expect((await hub.api(`/plans/${carlPlan}`, { token: await hub.token('admin') })).status).toBe(403);
    expect((await hub.api(`/plans/${carlPlan}/document`, { token: await hub.token('carl') })).status).toBe(200);
    expect((await hub.api(`/plans/${ingridPlan}`, { token: await hub.token('hanne') })).status).toBe(200);
    // As the break-the-glass feature will record it.
    const niels = (await hub.login('niels')).user;
    await hub.server.store.appendAudit([
      {
        time: new Date().toISOString(),
        actorId: niels.id,
        action: 'plan.read',
        patientId: carlId,
        planId: carlPlan,
        outcome: 'allowed',
        details: { breakTheGlass: true, reason: 'akut indlagt' },
      },
    ]);
    await until('the audit entries', async () =>
      (await hub.server.store.listAudit({ limit: 100 })).some((e) => e.action === 'plan.document.read'),
    );
  });
  afterAll(() => hub.stop());

  it('gives the administrator the entries newest first, with who, what, where and why', async () => {
    const res = await audit(await hub.token('admin'));
    expect(res.status).toBe(200);
    const entries = (await res.json()) as AuditEntryView[];
    const seqs = entries.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(entries.find((e) => e.action === 'plan.fhir.read')).toMatchObject({
      actor: { name: 'Hanne Holm', role: 'hospital_doctor', organisation: 'Rigshospitalet' },
      outcome: 'allowed',
      planId: carlPlan,
      patientId: carlId,
    });
    expect(entries.find((e) => e.outcome === 'refused' && e.planId === ingridPlan)).toMatchObject({
      actor: { name: 'Gitte Grønlund', role: 'gp', organisation: 'Lægehuset Nørrebro' },
      action: 'plan.read',
      details: { reason: expect.any(String) },
    });
    // By patient: their entries, refused looks at their plans included (they name the patient).
    const ingrid = (await (await audit(await hub.token('admin'), `?patientId=${ingridId}`)).json()) as AuditEntryView[];
    expect(ingrid.length).toBeGreaterThan(1);
    for (const e of ingrid) expect(e.patientId === ingridId || e.planId === ingridPlan).toBe(true);
    expect(ingrid.some((e) => e.outcome === 'refused' && e.patientId === ingridId)).toBe(true);
    expect(((await (await audit(await hub.token('admin'), '?limit=3')).json()) as unknown[]).length).toBe(3);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect(await (await audit(await hub.token('admin'), `?from=${encodeURIComponent(future)}`)).json()).toEqual([]);
    const from = new Date(Date.now() - 3_600_000).toISOString().replace('Z', '+00:00');
    const window = (await (
      await audit(await hub.token('admin'), `?from=${encodeURIComponent(from)}&to=${encodeURIComponent(future)}`)
    ).json()) as AuditEntryView[];
    expect(window.length).toBeGreaterThan(5);
    expect((await audit(await hub.token('admin'), '?patientId=&from=&to=&limit=')).status).toBe(200);
    // Reading the audit log is audited, filtered by patient as a look at that patient.
    const admin = (await hub.login('admin')).user;
    await until('audit.read', async () =>
      (await hub.server.store.listAudit({ patientId: ingridId, limit: 50 })).some(
        (e) => e.action === 'audit.read' && e.actorId === admin.id,
      ),
    );
  });

  it('answers 400 to a bad query', async () => {
    const admin = await hub.token('admin');
    const later = encodeURIComponent(new Date().toISOString());
    for (const q of [
      '?limit=0',
      '?limit=abc',
      '?limit=5000',
      '?limit=1&limit=2',
      '?patientId=1203451237',
      '?from=yesterday',
      '?to=2026-01-01T00:00:00',
      `?from=${later}&to=2020-01-01T00:00:00Z`,
    ]) {
      const res = await audit(admin, q);
      expect(res.status, q).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('validation_failed');
    }
  });

  it('refuses everyone but the administrator, and records the refusal', async () => {
    expect((await hub.api('/audit')).status).toBe(401);
    for (const user of ['hanne', 'carl']) expect((await audit(await hub.token(user))).status, user).toBe(403);
    const carl = (await hub.login('carl')).user;
    await until('the refusal', async () =>
      (await hub.server.store.listAudit({ limit: 20 })).some(
        (e) => e.action === 'audit.read' && e.outcome === 'refused' && e.actorId === carl.id,
      ),
    );
  });

  it('shows the citizen who accessed their record, in plain words', async () => {
    const res = await hub.api('/me/access-log', { token: await hub.token('carl') });
    expect(res.status).toBe(200);
    const log = (await res.json()) as AccessLogEntry[];
    const times = log.map((e) => e.time);
    expect(times).toEqual([...times].sort().reverse());
    expect(log).toContainEqual({
      seq: expect.any(Number),
      time: expect.any(String),
      person: 'Hanne Holm',
      role: 'hospital_doctor',
      organisation: 'Rigshospitalet',
      action: 'opened your plan',
      actionCode: 'plan.read',
      planId: carlPlan,
      breakTheGlass: false,
      refused: false,
    });
    expect(log.find((e) => e.actionCode === 'plan.fhir.read')).toMatchObject({
      person: 'Hanne Holm',
      action: 'exported your plan',
    });
    expect(log.find((e) => e.person === 'Administrator')).toMatchObject({
      action: 'tried to open your plan, and was refused',
      refused: true,
      role: 'admin',
      organisation: null,
    });
    const glass = log.filter((e) => e.breakTheGlass);
    expect(glass).toEqual([
      expect.objectContaining({ person: 'Niels Nørgaard', action: 'opened your plan', planId: carlPlan }),
    ]);
    expect(Object.keys(glass[0]!)).not.toContain('reason');
    expect(log.some((e) => e.person === 'Carl Jensen' || e.planId === ingridPlan)).toBe(false);
    expect((await hub.api('/me/access-log?limit=0', { token: await hub.token('carl') })).status).toBe(400);
  });

  it('refuses the access log to staff and the administrator', async () => {
    for (const user of ['hanne', 'admin'])
      expect((await hub.api('/me/access-log', { token: await hub.token(user) })).status, user).toBe(403);
  });

  it('keeps entries: the database refuses UPDATE and DELETE, and no server code changes audit_log', () => {
    const db = hub.sqlite();
    expect(() => db.prepare('DELETE FROM audit_log WHERE seq = 1').run()).toThrow(/append-only/);
    expect(() => db.prepare("UPDATE audit_log SET details = '{}' WHERE seq = 1").run()).toThrow(/append-only/);
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
    const root = join(import.meta.dirname, '..', '..', 'server');
    for (const file of files(root).filter((f) => /\.(ts|sql)$/.test(f))) {
      expect(readFileSync(file, 'utf8'), file).not.toMatch(
        /(DELETE\s+FROM|UPDATE|ALTER\s+TABLE|DROP\s+(TABLE|TRIGGER)(\s+IF\s+EXISTS)?)\s+audit_log/i,
      );
    }
  });
});
