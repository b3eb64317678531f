import { z } from 'zod';

/**
 * Configuration, loaded once from the environment and passed on (no module-level state).
 * Every setting is optional (DESIGN.md, Interfaces).
 */
const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string().default('sqlite:./data/carehub.db'),
  REDIS_URL: z.string().optional(),
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'REDIS_PREFIX: letters, digits, _ . - only').default('main'),
  CAREHUB_SECRET: z.string().min(32, 'CAREHUB_SECRET must be at least 32 characters').optional(),
  EMBED_ALLOWED_ORIGINS: z.string().default(''),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_TTL_MINUTES: z.coerce.number().int().min(1).max(7 * 24 * 60).default(12 * 60),
  SQLITE_SYNCHRONOUS: z.enum(['FULL', 'NORMAL']).default('FULL'),
  CHECKPOINT_EVERY: z.coerce.number().int().min(10).default(500),
  PLAN_IDLE_UNLOAD_MS: z.coerce.number().int().min(0).default(0),
  WS_MAX_MESSAGE_BYTES: z.coerce.number().int().min(1024).default(2 * 1024 * 1024),
  CLIENT_DIST: z.string().optional(),
  RESULT_RELEASE_DAYS: z.coerce.number().min(0).default(3),
  RESULT_RELEASE_DAYS_PATHOLOGY_IMAGING: z.coerce.number().min(0).default(7),
  CRITICAL_ESCALATE_SECONDS: z.coerce.number().min(0.05).default(30 * 60),
  RESULT_NOTIFY_COALESCE_MS: z.coerce.number().int().min(0).default(1000),
  RESULTS_MAX_BODY_KB: z.coerce.number().int().min(1).default(1024),
  BREAK_GLASS_MINUTES: z.coerce.number().min(0.01).default(240),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).default(5),
  LOGIN_MAX_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).default(20),
  LOGIN_THROTTLE_WINDOW_SECONDS: z.coerce.number().min(1).default(900),
  MAX_CONNECTIONS_PER_USER: z.coerce.number().int().min(1).default(20),
  WS_MAX_BUFFERED_BYTES: z.coerce.number().int().min(64 * 1024).default(4 * 1024 * 1024),
  AWARENESS_RATE_PER_SECOND: z.coerce.number().min(0.1).default(20),
  RESULTS_RATE_PER_SECOND: z.coerce.number().min(0.1).default(200),
  RESULTS_RATE_BURST: z.coerce.number().int().min(1).default(400),
  EMBED_SESSION_RATE_PER_MINUTE: z.coerce.number().int().min(1).default(60),
});

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  redisUrl: string | undefined;
  /** Keys and channels of one deployment (or one test run) start with `carehub:<prefix>:`. */
  redisPrefix: string;
  secret: string | undefined;
  embedAllowedOrigins: string[];
  logLevel: z.infer<typeof Env>['LOG_LEVEL'];
  sessionTtlMinutes: number;
  sqliteSynchronous: 'FULL' | 'NORMAL';
  /** A checkpoint is written after this many updates since the last one. */
  checkpointEvery: number;
  /** How long an empty plan room stays loaded (0: unload as soon as nothing holds it). */
  planIdleUnloadMs: number;
  wsMaxMessageBytes: number;
  /** The built client to serve (client/dist); absent: the API only. */
  clientDist: string | undefined;
  /** Days before a result is visible to the citizen (Danish practice), unless released earlier. */
  resultReleaseDays: number;
  resultReleaseDaysPathologyImaging: number;
  /** An unacknowledged critical result is escalated (a second notification) after this. */
  criticalEscalateSeconds: number;
  /** Ordinary results of one plan are told to its care team at most once in this long, together (0: each filing at once). */
  resultNotifyCoalesceMs: number;
  resultsMaxBodyKb: number;
  /** How long break-the-glass access lasts. */
  breakGlassMinutes: number;
  loginMaxFailuresPerAccount: number;
  loginMaxFailuresPerAddress: number;
  loginThrottleWindowSeconds: number;
  /** Concurrent /collab connections, and separately Socket.IO connections, one user may hold; the next is refused. */
  maxConnectionsPerUser: number;
  /** A WebSocket (/collab or Socket.IO) whose unsent data passes this is closed: a slow reader cannot make us buffer without bound. */
  wsMaxBufferedBytes: number;
  /** Awareness updates (cursors, presence) one connection may send per second, with bursts of twice that; excess is dropped. */
  awarenessRatePerSecond: number;
  /** Result submissions (POST /results, /encounters) per second per API key, and the burst allowed above it. */
  resultsRatePerSecond: number;
  resultsRateBurst: number;
  /** POST /embed/session per client address per minute (bursts of as many); over it: 429. */
  embedSessionRatePerMinute: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    secret: e.CAREHUB_SECRET,
    embedAllowedOrigins: e.EMBED_ALLOWED_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean),
    logLevel: e.LOG_LEVEL,
    sessionTtlMinutes: e.SESSION_TTL_MINUTES,
    sqliteSynchronous: e.SQLITE_SYNCHRONOUS,
    checkpointEvery: e.CHECKPOINT_EVERY,
    planIdleUnloadMs: e.PLAN_IDLE_UNLOAD_MS,
    wsMaxMessageBytes: e.WS_MAX_MESSAGE_BYTES,
    clientDist: e.CLIENT_DIST,
    resultReleaseDays: e.RESULT_RELEASE_DAYS,
    resultReleaseDaysPathologyImaging: e.RESULT_RELEASE_DAYS_PATHOLOGY_IMAGING,
    criticalEscalateSeconds: e.CRITICAL_ESCALATE_SECONDS,
    resultNotifyCoalesceMs: e.RESULT_NOTIFY_COALESCE_MS,
    resultsMaxBodyKb: e.RESULTS_MAX_BODY_KB,
    breakGlassMinutes: e.BREAK_GLASS_MINUTES,
    loginMaxFailuresPerAccount: e.LOGIN_MAX_FAILURES_PER_ACCOUNT,
    loginMaxFailuresPerAddress: e.LOGIN_MAX_FAILURES_PER_ADDRESS,
    loginThrottleWindowSeconds: e.LOGIN_THROTTLE_WINDOW_SECONDS,
    maxConnectionsPerUser: e.MAX_CONNECTIONS_PER_USER,
    wsMaxBufferedBytes: e.WS_MAX_BUFFERED_BYTES,
    awarenessRatePerSecond: e.AWARENESS_RATE_PER_SECOND,
    resultsRatePerSecond: e.RESULTS_RATE_PER_SECOND,
    resultsRateBurst: e.RESULTS_RATE_BURST,
    embedSessionRatePerMinute: e.EMBED_SESSION_RATE_PER_MINUTE,
  };
}
