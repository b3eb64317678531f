import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntryView } from '../../shared/audit.ts';
import { DEMO_ORGANISATION_CODES } from '../../server/seed/demo-data.ts';
import { hasGs1CheckDigit, SOR_CODE } from '../../shared/organisation-codes.ts';
import { runCli } from '../fixtures/cli.ts';
import { eventually } from '../fixtures/collab-client.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

interface Org {
  id: string;
  name: string;
  sector: string;
  region: string | null;
  sor: string | null;
  ean: string | null;
  ydernummer: string | null;
}

/**
 * Organisations carry their SOR code and EAN location number (issue 18): the demo data's are
 * well formed, the admin API sets and changes them (one organisation per SOR code), and
 * `carehub organisation create|list` does the same from the command line.
 */
describe('organisations with SOR and EAN', () => {
  let hub: TestHub;
  let env: Record<string, string>;
  const admin = async (path: string, init: RequestInit = {}) =>
    hub.api(`/admin${path}`, { ...init, token: await hub.token('admin') });
  const list = async () => (await (await admin('/organisations')).json()) as Org[];
  const audit = async () =>
    (await (await hub.api('/audit?limit=1000', { token: await hub.token('admin') })).json()) as AuditEntryView[];

  beforeAll(async () => {
    hub = await startHub();
    env = { DATABASE_URL: `sqlite:${hub.dbFile}` };
  });
  afterAll(() => hub.stop());

  it('gives every demo organisation a well-formed, distinct SOR code and EAN number', async () => {
    const orgs = await list();
    expect(orgs).toHaveLength(Object.keys(DEMO_ORGANISATION_CODES).length);
    for (const o of orgs) {
      expect(o.sor).toMatch(SOR_CODE);
      expect(hasGs1CheckDigit(o.ean!), o.name).toBe(true);
      expect(DEMO_ORGANISATION_CODES[o.name]).toEqual({
        sor: o.sor,
        ean: o.ean,
        ...(o.sector === 'general_practice' ? { ydernummer: o.ydernummer } : {}),
      });
      // Only the practice has a ydernummer ("Send til egen læge" addresses it by it).
      expect(o.ydernummer ?? null).toEqual(
        o.sector === 'general_practice' ? expect.stringMatching(/^[0-9]{6}$/) : null,
      );
    }
    expect(new Set(orgs.map((o) => o.sor)).size).toBe(orgs.length);
  });

  it('creates an organisation with codes through the admin API, and refuses malformed or taken ones', async () => {
    const post = (body: unknown) => admin('/organisations', { method: 'POST', body: JSON.stringify(body) });
    const made = await post({
      name: 'Herlev Hospital',
      sector: 'hospital',
      sor: '265161000016000',
      ean: '5790000209354',
    });
    expect(made.status).toBe(201);
    expect(await made.json()).toMatchObject({ sor: '265161000016000', ean: '5790000209354' });
    for (const bad of [
      { sor: '12' },
      { sor: '123456', ean: '5790000209355' }, // wrong check digit
      { sor: '123456', ean: '579000020935' },
      { ean: '5790000209354' }, // an EAN without a SOR code
    ]) {
      const res = await post({ name: 'Forkert', sector: 'hospital', ...bad });
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
    expect((await post({ name: 'Tvilling', sector: 'hospital', sor: '265161000016000' })).status).toBe(409);
    // A ydernummer: six digits, and a general practice's only.
    for (const bad of [
      { sector: 'hospital', ydernummer: '061654' },
      { sector: 'general_practice', ydernummer: '61654' },
      { sector: 'general_practice', ydernummer: '06165a' },
    ]) {
      const res = await post({ name: 'Forkert', sor: '52581000016099', ...bad });
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(((await res.json()) as { error?: unknown }).error).toBeTruthy();
    }
    const practice = await post({
      name: 'Skødstrup Lægepraksis',
      sector: 'general_practice',
      sor: '52581000016005',
      ean: '5790000127092',
      ydernummer: '061654',
    });
    expect(practice.status).toBe(201);
    expect(await practice.json()).toMatchObject({ sor: '52581000016005', ydernummer: '061654' });
    expect((await list()).filter((o) => o.name === 'Forkert' || o.name === 'Tvilling')).toEqual([]);
  });

  it('changes and clears the codes of an organisation; audited; others than the administrator may not', async () => {
    const herlev = (await list()).find((o) => o.name === 'Herlev Hospital')!;
    const put = async (id: string, body: unknown, token?: string) =>
      hub.api(`/admin/organisations/${id}/codes`, {
        method: 'PUT',
        token: token ?? (await hub.token('admin')),
        body: JSON.stringify(body),
      });
    expect((await put(herlev.id, { sor: '265161000016001', ean: null }, await hub.token('hanne'))).status).toBe(403);
    const changed = await put(herlev.id, { sor: '265161000016001', ean: '5790001348120' });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({ id: herlev.id, sor: '265161000016001', ean: '5790001348120' });
    const rigs = (await list()).find((o) => o.name === 'Rigshospitalet')!;
    expect((await put(herlev.id, { sor: rigs.sor, ean: null })).status).toBe(409);
    expect((await put(herlev.id, { sor: 'abc', ean: null })).status).toBe(400);
    expect((await put('00000000-0000-4000-8000-000000000000', { sor: null, ean: null })).status).toBe(404);
    // A hospital has no ydernummer; a practice's is set and cleared with its other codes.
    expect((await put(herlev.id, { sor: null, ean: null, ydernummer: '061654' })).status).toBe(400);
    const skoedstrup = (await list()).find((o) => o.name === 'Skødstrup Lægepraksis')!;
    const practice = await put(skoedstrup.id, { sor: skoedstrup.sor, ean: skoedstrup.ean, ydernummer: '070707' });
    expect(practice.status).toBe(200);
    expect(await practice.json()).toMatchObject({ ydernummer: '070707' });
    expect((await put(herlev.id, { sor: null, ean: null })).status).toBe(200);
    expect((await list()).find((o) => o.id === herlev.id)).toMatchObject({ sor: null, ean: null });
    // The audit log is written in batches: wait for both entries.
    const codes = async () => (await audit()).filter((e) => e.action === 'admin.organisation.codes');
    await eventually(async () => (await codes()).length === 3, 5000, 'the three changes audited');
    expect((await codes()).map((e) => e.details.sor ?? null)).toEqual([null, skoedstrup.sor, '265161000016001']);
  });

  it('carehub organisation create prints the id; list shows the codes; bad input fails with a reason', async () => {
    const args = ['organisation', 'create', '--name', 'Herlev Kommune', '--sector', 'municipality'];
    const noSor = await runCli(args, env);
    expect(noSor.code).not.toBe(0);
    expect(noSor.stderr).toMatch(/--sor/);
    const badEan = await runCli([...args, '--sor', '123451000016009', '--ean', '5790000209355'], env);
    expect(badEan.code).not.toBe(0);
    expect(badEan.stderr).toMatch(/--ean: .*check digit/);
    const taken = await runCli([...args, '--sor', DEMO_ORGANISATION_CODES.Rigshospitalet!.sor], env);
    expect(taken.code).not.toBe(0);
    expect(taken.stderr).toMatch(/belongs to another organisation/);
    const made = await runCli(
      [...args, '--region', 'Region Hovedstaden', '--sor', '123451000016009', '--ean', '5790001348120'],
      env,
    );
    expect(made.code, made.stderr).toBe(0);
    const id = made.stdout.trim();
    expect((await list()).find((o) => o.id === id)).toEqual({
      id,
      name: 'Herlev Kommune',
      sector: 'municipality',
      region: 'Region Hovedstaden',
      sor: '123451000016009',
      ean: '5790001348120',
      ydernummer: null,
    });
    const notAPractice = await runCli([...args, '--sor', '123451000016010', '--ydernummer', '061654'], env);
    expect(notAPractice.code).not.toBe(0);
    expect(notAPractice.stderr).toMatch(/--ydernummer: only a general practice/);
    const practice = await runCli(
      [
        'organisation',
        'create',
        '--name',
        'Lægerne Herlev',
        '--sector',
        'general_practice',
        '--sor',
        '123461000016002',
        '--ean',
        '5790000209361',
        '--ydernummer',
        '012345',
      ],
      env,
    );
    expect(practice.code, practice.stderr).toBe(0);
    const practiceId = practice.stdout.trim();
    const listed = await runCli(['organisation', 'list'], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`${id}  municipality  SOR 123451000016009  EAN 5790001348120  Herlev Kommune`);
    expect(listed.stdout).toContain(
      `${practiceId}  general_practice  SOR 123461000016002  EAN 5790000209361  ydernr 012345  Lægerne Herlev`,
    );
    const created = (await audit()).filter((e) => e.action === 'admin.organisation.create' && e.details.via === 'cli');
    expect(created.find((e) => e.details.organisationId === id)?.details).toMatchObject({ sor: '123451000016009' });
    expect(created.find((e) => e.details.organisationId === practiceId)?.details).toMatchObject({
      sor: '123461000016002',
      ydernummer: '012345',
    });
  }, 180_000);
});
