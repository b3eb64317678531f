import { parseArgs } from 'node:util';
import { z } from 'zod';
import { EanCode, SorCode } from '../../shared/organisation-codes.ts';
import { Sector } from '../../shared/roles.ts';
import { loadConfig } from '../config.ts';
import { openStore } from '../store/open-store.ts';
import { DuplicateSorError } from '../store/store.ts';

/**
 * `carehub organisation create|list`: organisations with their SOR code and EAN location
 * number from the command line (the admin page does the same through /api/v1/admin). A
 * creation is audited as the admin page's is.
 */

export const ORGANISATION_USAGE = `  organisation create --name N --sector hospital|municipality|general_practice [--region R] --sor SOR [--ean EAN]
                        create an organisation with its SOR code (MedCom messages are routed by
                        it) and EAN location number (where its outbound messages go); prints its id
  organisation list     list organisations (id, sector, SOR, EAN, name, region)`;

const CreateInput = z.object({
  name: z.string().trim().min(2, 'at least 2 characters').max(200),
  sector: Sector,
  region: z.string().trim().min(1).max(100).optional(),
  sor: SorCode,
  ean: EanCode.optional(),
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
    },
  });
  if (sub !== 'create' && sub !== 'list') throw new Error('organisation create | list');
  const input = sub === 'create' ? CreateInput.safeParse(v) : null;
  if (input && !input.success)
    throw new Error(input.error.issues.map((i) => `--${String(i.path[0] ?? '')}: ${i.message}`).join('\n'));
  const store = await openStore(loadConfig());
  try {
    if (input?.success) {
      const { name, sector, region, sor, ean } = input.data;
      const org = await store
        .createOrganisation({ name, sector, region: region ?? null, sor, ean: ean ?? null })
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
          details: { organisationId: org.id, sor: org.sor, ean: org.ean, via: 'cli' },
        },
      ]);
      out(org.id);
    } else {
      for (const o of await store.listOrganisations())
        out(
          `${o.id}  ${o.sector}  SOR ${o.sor ?? '–'}  EAN ${o.ean ?? '–'}  ${o.name}${o.region ? `  (${o.region})` : ''}`,
        );
    }
  } finally {
    await store.close();
  }
}
