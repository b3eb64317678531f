import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { setPlanMeta } from '../../shared/plan-doc.ts';
import { seedDemoData } from '../../server/seed/demo-data.ts';
import { openStore } from '../../server/store/open-store.ts';
import { hashPassword } from '../../server/auth/passwords.ts';
import type { Store } from '../../server/store/store.ts';

/** The password of every bench user (the scale scenario signs each one in through POST /auth/login). */
export const BENCH_USER_PASSWORD = 'bench-user-password-0';

export interface Fixture {
  dir: string;
  /** A CareHub database with the demo data and `plans.length` plans on hanne's care team. */
  template: string;
  /** Plan ids; every target uses them as document names. */
  plans: string[];
  /** hanne's user id: the author of every note written (CareHub checks it). */
  author: string;
  /** Users created for the scale scenario (hanne's organisation and role, so on every plan's care team). */
  users: { id: string; username: string }[];
  /** A fresh copy of the template for one CareHub run. */
  copy(name: string): string;
}

/** Builds once per run, with the store code the server itself uses. */
export async function buildFixture(planCount: number, userCount = 0): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'carehub-compare-'));
  const template = join(dir, 'template.db');
  const store = await openStore({ databaseUrl: `sqlite:${template}`, sqliteSynchronous: 'NORMAL', logLevel: 'silent' });
  await seedDemoData(store);
  const hanne = await store.getUserByUsername('hanne');
  if (!hanne?.organisationId) throw new Error('demo data without hanne');
  const plans: string[] = [];
  for (let i = 0; i < planCount; i++) {
    const patient = await store.createPatient({
      cpr: `01019${String(i).padStart(5, '0')}`,
      name: `Bench Patient ${i}`,
    });
    await store.addCareTeamMember({
      patientId: patient.id,
      organisationId: hanne.organisationId,
      userId: null,
      addedBy: null,
    });
    const plan = await store.createPlan({ patientId: patient.id, title: `Plan ${i}` });
    const doc = new Y.Doc();
    setPlanMeta(doc, { title: `Plan ${i}`, status: 'active', conditions: [] });
    await store.appendUpdates([
      {
        planId: plan.id,
        author: hanne.id,
        origin: 'server',
        time: new Date().toISOString(),
        update: Y.encodeStateAsUpdate(doc),
        sections: ['meta'],
      },
    ]);
    plans.push(plan.id);
  }
  const users = await createBenchUsers(store, userCount, hanne.organisationId, hanne.role);
  await store.close();
  return {
    dir,
    template,
    plans,
    users,
    author: hanne.id,
    copy(name) {
      const file = join(dir, `${name}.db`);
      copyFileSync(template, file);
      return file;
    },
  };
}

/**
 * Real users for the bench, made as `carehub user create` makes them (the store's createUser
 * with a scrypt hash, an `admin.user.create` audit entry with the reason): one password hash
 * shared by all (hashing 1,000 passwords would take a minute and prove nothing).
 */
async function createBenchUsers(
  store: Store,
  count: number,
  organisationId: string,
  role: Parameters<Store['createUser']>[0]['role'],
): Promise<{ id: string; username: string }[]> {
  if (count === 0) return [];
  const passwordHash = await hashPassword(BENCH_USER_PASSWORD);
  const users: { id: string; username: string }[] = [];
  for (let i = 0; i < count; i++) {
    const username = `bench-user-${i}`;
    const user = await store.createUser({
      username,
      name: `Bench User ${i}`,
      role,
      organisationId,
      patientId: null,
      passwordHash,
    });
    users.push({ id: user.id, username });
  }
  await store.appendAudit(
    users.map((u) => ({
      time: new Date().toISOString(),
      actorId: null,
      action: 'admin.user.create',
      patientId: null,
      planId: null,
      outcome: 'allowed' as const,
      details: { userId: u.id, username: u.username, role, reason: 'bench: scale scenario', via: 'cli' },
    })),
  );
  return users;
}
