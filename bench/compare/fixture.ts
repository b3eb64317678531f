import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { setPlanMeta } from '../../shared/plan-doc.ts';
import { seedDemoData } from '../../server/seed/demo-data.ts';
import { openStore } from '../../server/store/open-store.ts';

export interface Fixture {
  dir: string;
  /** A CareHub database with the demo data and `plans.length` plans on hanne's care team. */
  template: string;
  /** Plan ids; every target uses them as document names. */
  plans: string[];
  /** hanne's user id: the author of every note written (CareHub checks it). */
  author: string;
  /** A fresh copy of the template for one CareHub run. */
  copy(name: string): string;
}

/** Builds once per run, with the store code the server itself uses. */
export async function buildFixture(planCount: number): Promise<Fixture> {
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
  await store.close();
  return {
    dir,
    template,
    plans,
    author: hanne.id,
    copy(name) {
      const file = join(dir, `${name}.db`);
      copyFileSync(template, file);
      return file;
    },
  };
}
