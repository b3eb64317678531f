import { z } from 'zod';

/**
 * Configuration, loaded once from the environment and passed on (no module-level state).
 * Each setting is written once, here: its schema gives its type, bounds and default, and its
 * environment variable is its name in capitals (`wsMaxMessageBytes` is WS_MAX_MESSAGE_BYTES).
 * Every setting is optional (README.md, Configuration); nothing downstream has a default of
 * its own.
 */
const Settings = z.object({
  /** HTTP port (0: any free port). */
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  host: z.string().default('0.0.0.0'),
  databaseUrl: z.string().default('sqlite:./data/carehub.db'),
  /** Unset: one node serves everything; set: this node is one of several, over this Redis. */
  redisUrl: z.string().optional(),
  /** Keys and channels of one deployment (or one test run) start with `carehub:<prefix>:`. */
  redisPrefix: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - only')
    .default('main'),
  /** The token-signing secret; unset: generated once and kept beside the database. */
  carehubSecret: z.string().min(32, 'at least 32 characters').optional(),
  /** Practice-system origins allowed to frame the embed page (comma-separated). */
  embedAllowedOrigins: z
    .string()
    .default('')
    .transform((list) =>
      list
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    ),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  sessionTtlMinutes: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .default(12 * 60),
  sqliteSynchronous: z.enum(['FULL', 'NORMAL']).default('FULL'),
  /** A checkpoint is written after this many updates since the last one. */
  checkpointEvery: z.coerce.number().int().min(10).default(500),
  /** How long an empty plan room stays loaded (0: unload as soon as nothing holds it). */
  planIdleUnloadMs: z.coerce.number().int().min(0).default(0),
  wsMaxMessageBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .default(2 * 1024 * 1024),
  /** The built client to serve (client/dist); unset: the API only (`carehub serve` serves its own build). */
  clientDist: z.string().optional(),
  /** Days before a result is visible to the citizen (Danish practice), unless released earlier. */
  resultReleaseDays: z.coerce.number().min(0).default(3),
  resultReleaseDaysPathologyImaging: z.coerce.number().min(0).default(7),
  /** An unacknowledged critical result is escalated (a second notification) after this. */
  criticalEscalateSeconds: z.coerce
    .number()
    .min(0.05)
    .default(30 * 60),
  /** Ordinary results of one plan are told to its care team at most once in this long, together (0: each filing at once). */
  resultNotifyCoalesceMs: z.coerce.number().int().min(0).default(1000),
  resultsMaxBodyKb: z.coerce.number().int().min(1).default(1024),
  /** How long break-the-glass access lasts. */
  breakGlassMinutes: z.coerce.number().min(0.01).default(240),
  loginMaxFailuresPerAccount: z.coerce.number().int().min(1).default(5),
  loginMaxFailuresPerAddress: z.coerce.number().int().min(1).default(20),
  loginThrottleWindowSeconds: z.coerce.number().min(1).default(900),
  /** Concurrent /collab connections, and separately Socket.IO connections, one user may hold; the next is refused. */
  maxConnectionsPerUser: z.coerce.number().int().min(1).default(20),
  /** A WebSocket (/collab or Socket.IO) whose unsent data passes this is closed: a slow reader cannot make us buffer without bound. */
  wsMaxBufferedBytes: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .default(4 * 1024 * 1024),
  /** Awareness updates (cursors, presence) one connection may send per second, with bursts of twice that; excess is dropped. */
  awarenessRatePerSecond: z.coerce.number().min(0.1).default(20),
  /** Socket.IO events (plan:watch, …) one socket may send per second, with bursts of twice that; excess is dropped, a flood closes the socket. */
  socketEventRatePerSecond: z.coerce.number().min(0.1).default(20),
  /** Result submissions (POST /results, /encounters) per second per API key, and the burst allowed above it. */
  resultsRatePerSecond: z.coerce.number().min(0.1).default(200),
  resultsRateBurst: z.coerce.number().int().min(1).default(400),
  /** How often each node looks for API keys revoked meanwhile, to close the embed connections they made. */
  apiKeyRevocationCheckSeconds: z.coerce.number().min(0.1).default(10),
  /** POST /embed/session per client address per minute (bursts of as many); over it: 429. */
  embedSessionRatePerMinute: z.coerce.number().int().min(1).default(60),
  /** `off`: local passwords are refused (POST /auth/login answers 403); people sign in through their organisation's provider. */
  passwordLogin: z.enum(['on', 'off']).default('on'),
  /** `on` (tests, the demo): identity providers and practice systems may be reached over plain http. Never in production. */
  oidcAllowInsecureHttp: z.enum(['on', 'off']).default('off'),
  /** The hub's address as browsers and identity providers see it (redirect URIs); unset: taken from each request. */
  publicUrl: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//.test(u), 'an http(s) address')
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
  /** Sign-ins begun, one-time codes exchanged and SMART launches, per client address per minute; over it: 429. */
  signInRatePerMinute: z.coerce.number().int().min(1).default(120),
});

export type Config = z.infer<typeof Settings>;

/** A setting's environment variable: `wsMaxMessageBytes` → WS_MAX_MESSAGE_BYTES. */
export function envName(setting: string): string {
  return setting.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const given = Object.fromEntries(Object.keys(Settings.shape).map((setting) => [setting, env[envName(setting)]]));
  const parsed = Settings.safeParse(given);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${envName(String(i.path[0]))}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
