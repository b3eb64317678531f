import { parseArgs } from 'node:util';
import { z } from 'zod';
import { EanCode, SorCode, Ydernummer } from '../../shared/organisation-codes.ts';
import { Sector } from '../../shared/roles.ts';
import { loadConfig } from '../config.ts';
import { openStore } from '../store/open-store.ts';
import { DuplicateSorError } from '../store/store.ts';

/**
 * `carehub organisation create|list`: organisations with their SOR code, EAN location number
 * and (a GP practice) ydernummer from the command line (the admin page does the same through /api/v1/admin). A
 * creation is audited as the admin page's is.
 */

export const ORGANISATION_USAGE = `  organisation create --name N --sector hospital|municipality|general_practice [--region R] --sor SOR [--ean EAN]
                      [--ydernummer N]
                        create an organisation with its SOR code (MedCom messages are routed by
                        it), EAN location number (where its outbound messages go) and, for a GP
                        practice, its 6-digit ydernummer ("Send til egen læge" needs it); prints its id
  organisation list     list organisations (id, sector, SOR, EAN, a practice's ydernummer, name, region)`;

const CreateInput = z
  .object({
    name: z.string().trim().min(2, 'at least 2 characters').max(200),
    sector: Sector,
    region: z.string().trim().min(1).max(100).optional(),
    sor: SorCode,
    ean: EanCode.optional(),
    ydernummer: Ydernummer.optional(),
  })
  .refine((o) => o.ydernummer === undefined || o.sector === 'general_practice', {
    message: 'only a general practice has a ydernummer',
    path: ['ydernummer'],
  });

type Out = (line: string) => void;

export async function organisationCommand(
  args: string[],
  out: Out = (l) => process.stdout.write(`${l}\n`),
): Promise<void> {
  const [sub, ...rest] = args;
  const { values: v } = parseArgs({
    args: rest,
    options: {
      name: { type: 'string' },
      sector: { type: 'string' },
      region: { type: 'string' },
      sor: { type: 'string' },
      ean: { type: 'string' },
      ydernummer: { type: 'string' },
    },
  });
  if (sub !== 'create' && sub !== 'list') throw new Error('organisation create | list');
  const input = sub === 'create' ? CreateInput.safeParse(v) : null;
  if (input && !input.success)
    throw new Error(input.error.issues.map((i) => `--${String(i.path[0] ?? '')}: ${i.message}`).join('\n'));
  const store = await openStore(loadConfig());
  try {
    if (input?.success) {
      const { name, sector, region, sor, ean, ydernummer } = input.data;
      const org = await store
        .createOrganisation({
          name,
          sector,
          region: region ?? null,
          sor,
          ean: ean ?? null,
          ydernummer: ydernummer ?? null,
        })
        .catch((err: unknown) => {
          throw err instanceof DuplicateSorError ? new Error(`SOR code ${sor} belongs to another organisation`) : err;
        });
      await store.appendAudit([
        {
          time: new Date().toISOString(),
          actorId: null,
          action: 'admin.organisation.create',
          patientId: null,
          planId: null,
          outcome: 'allowed',
          details: { organisationId: org.id, sor: org.sor, ean: org.ean, ydernummer: org.ydernummer, via: 'cli' },
        },
      ]);
      out(org.id);
    } else {
      for (const o of await store.listOrganisations())
        out(
          `${o.id}  ${o.sector}  SOR ${o.sor ?? '–'}  EAN ${o.ean ?? '–'}${o.ydernummer ? `  ydernr ${o.ydernummer}` : ''}  ${o.name}${o.region ? `  (${o.region})` : ''}`,
        );
    }
  } finally {
    await store.close();
  }
}
