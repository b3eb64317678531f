import { parseArgs } from 'node:util';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RecordedReason } from '../shared/api.ts';
import { isClinicalRole, Role } from '../shared/roles.ts';
import { createLogger, createServer } from './app.ts';
import { userCreatedDetails } from './audit/admin-audit.ts';
import { auditVerifyCommand } from './audit/verify.ts';
import { IDENTITY_USAGE, idpCommand, smartClientCommand } from './identity/identity-commands.ts';
import { backupCommand } from './store/backup.ts';
import { hashPassword } from './auth/passwords.ts';
import { loadConfig } from './config.ts';
import { createApiKey, type ApiKeyOptions } from './results/api-keys.ts';
import { seedDemoData } from './seed/demo-data.ts';
import { labFeed } from './simulator/lab-feed.ts';
import { ORGANISATION_USAGE, organisationCommand } from './organisations/organisation-commands.ts';
import { openStore } from './store/open-store.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const USAGE = `carehub <command>

  serve [--no-demo]     run the hub (seeds the demo data into a new database unless --no-demo)
  seed                  seed the demo data into a new (empty) database
${ORGANISATION_USAGE}
  user create --username U --name N --role R [--organisation ID] [--password P] [--reason TEXT]
                        create a user (password read from CAREHUB_PASSWORD or --password); a
                        clinical account (care staff, citizen) needs --reason, kept in the audit log
  lab-feed [--url http://localhost:8080] [--key KEY] [--rate N] [--count N]
                        file realistic FHIR results and hospital notifications for the demo
                        patients at N per second (key from --key or CAREHUB_API_KEY)
  api-key create --system NAME [--scope intake|practice --organisation ID]
                        create an API key (printed once): intake (the default) for a lab,
                        imaging or hospital system, filing results and encounters only;
                        practice for a GP's practice system, bound to its organisation,
                        making embed links for that organisation's patients only
  api-key list          list API keys (id, system, scope, organisation; never the keys)
  api-key revoke --id ID
                        revoke an API key
${IDENTITY_USAGE}
  audit verify          check the audit log's hash chain (exit 1 at the first broken entry)
  backup FILE           online backup of the SQLite database while the hub serves (FILE must not
                        exist); restore: README.md, Backup and restore

Configuration comes from the environment: PORT, DATABASE_URL, CAREHUB_SECRET, LOG_LEVEL, …
(see README.md).`;

async function serve(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { 'no-demo': { type: 'boolean', default: false } } });
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const store = await openStore(config, { log });
  if (!values['no-demo'] && (await seedDemoData(store))) log.info('seeded the demo data into a new database');
  const server = await createServer(
    { ...config, clientDist: config.clientDist ?? join(ROOT, 'client', 'dist') },
    { log, store },
  );
  log.info({ port: server.port }, 'listening');
  if (process.stdout.isTTY) {
    process.stdout.write(
      `\nCareHub is running: http://localhost:${server.port}\nDemo users: hanne, niels, maja, gitte, carl, admin (password: demo)\n` +
        `Watch results arrive: npx carehub api-key create --system lab, then npx carehub lab-feed --key <key>\n\n`,
    );
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    void server
      .close()
      .then(() => store.close())
      .then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

async function seed(): Promise<void> {
  const store = await openStore(loadConfig());
  const seeded = await seedDemoData(store);
  await store.close();
  process.stdout.write(seeded ? 'seeded the demo data\n' : 'the database already holds data; nothing seeded\n');
}

async function userCreate(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      username: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      organisation: { type: 'string' },
      password: { type: 'string' },
      reason: { type: 'string' },
    },
  });
  const role = Role.safeParse(values.role);
  const password = values.password ?? process.env.CAREHUB_PASSWORD;
  if (!values.username || !values.name || !role.success || !password) {
    throw new Error(`user create needs --username, --name, --role (${Role.options.join(', ')}) and a password`);
  }
  // A clinical account reaches patient data: as through the admin API, it needs a stated
  // reason, recorded in the audit log with the entry flagged (details.clinicalAccount).
  const reason = values.reason === undefined ? undefined : RecordedReason.safeParse(values.reason);
  if (reason && !reason.success) throw new Error(`--reason: ${reason.error.issues[0]?.message ?? 'invalid'}`);
  if (isClinicalRole(role.data) && !reason)
    throw new Error('a clinical account (care staff, citizen) needs --reason "why this account is created"');
  const store = await openStore(loadConfig());
  try {
    if (values.organisation && !(await store.getOrganisation(values.organisation)))
      throw new Error('no such organisation');
    const user = await store.createUser({
      username: values.username,
      name: values.name,
      role: role.data,
      organisationId: values.organisation ?? null,
      patientId: null,
      passwordHash: await hashPassword(password),
    });
    await store.appendAudit([
      {
        time: new Date().toISOString(),
        actorId: null,
        action: 'admin.user.create',
        patientId: null,
        planId: null,
        outcome: 'allowed',
        details: userCreatedDetails(user, reason?.data, 'cli'),
      },
    ]);
    process.stdout.write(`created user ${user.username} (${user.id})\n`);
  } finally {
    await store.close();
  }
}

async function apiKey(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      system: { type: 'string' },
      id: { type: 'string' },
      scope: { type: 'string' },
      organisation: { type: 'string' },
    },
  });
  const store = await openStore(loadConfig());
  try {
    if (sub === 'create') {
      const system = values.system?.trim();
      if (!system) throw new Error('api-key create needs --system NAME');
      const scope = values.scope ?? 'intake';
      let opts: ApiKeyOptions;
      if (scope === 'intake') {
        if (values.organisation)
          throw new Error('an intake key is bound to no organisation (--organisation is for --scope practice)');
        opts = { scope: 'intake' };
      } else if (scope === 'practice') {
        if (!values.organisation)
          throw new Error('a practice key needs --organisation ID (the practice it belongs to)');
        const organisation = await store.getOrganisation(values.organisation);
        if (!organisation) throw new Error(`no organisation ${values.organisation}`);
        opts = { scope: 'practice', organisationId: organisation.id };
      } else {
        throw new Error('--scope is intake (results and encounters) or practice (embed links for one organisation)');
      }
      const { id, key } = await createApiKey(store.results, system, opts);
      const reach = opts.scope === 'practice' ? `practice key of organisation ${opts.organisationId}` : 'intake key';
      process.stdout.write(`API key for ${system} (id ${id}, ${reach}); shown only now, store it safely:\n${key}\n`);
    } else if (sub === 'list') {
      for (const k of await store.results.listApiKeys()) {
        process.stdout.write(
          `${k.id}  ${k.system}  ${k.scope}${k.organisationId ? ` ${k.organisationId}` : ''}  created ${k.created}${k.revoked ? `  revoked ${k.revoked}` : ''}\n`,
        );
      }
    } else if (sub === 'revoke') {
      if (!values.id) throw new Error('api-key revoke needs --id ID');
      process.stdout.write(
        (await store.results.revokeApiKey(values.id)) ? `revoked ${values.id}\n` : `no active key ${values.id}\n`,
      );
    } else {
      throw new Error('api-key create | list | revoke');
    }
  } finally {
    await store.close();
  }
}

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'seed':
      return seed();
    case 'organisation':
      return organisationCommand(rest);
    case 'user':
      if (rest[0] === 'create') return userCreate(rest.slice(1));
      break;
    case 'lab-feed':
      return labFeed(rest);
    case 'api-key':
      return apiKey(rest);
    case 'idp':
      return idpCommand(rest);
    case 'smart-client':
      return smartClientCommand(rest);
    case 'audit':
      if (rest[0] === 'verify') return auditVerifyCommand(rest.slice(1));
      break;
    case 'backup':
      return backupCommand(rest);
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(`${USAGE}\n`);
      return;
  }
  process.stderr.write(`unknown command: ${argv.join(' ')}\n\n${USAGE}\n`);
  process.exitCode = 2;
}
