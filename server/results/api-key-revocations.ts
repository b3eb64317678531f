import type { Logger } from 'pino';
import type { ResultStore } from '../store/result-store.ts';

/**
 * Notices API keys revoked while the hub runs (`carehub api-key revoke` is another process,
 * and with several nodes each node must notice for itself): every `everyMs` the keys are read
 * (a small table) and each key revoked since the last look is handed to `onRevoked`, which
 * ends what it made that is still open (embed sessions and their connections on this node).
 * A practice key's embed links and sessions are refused from the moment the key is revoked
 * (server/auth/access.ts looks at the key on every use); this only closes open connections.
 */
export class ApiKeyRevocations {
  private known: Set<string> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly deps: {
      keys: Pick<ResultStore, 'listApiKeys'>;
      everyMs: number;
      log: Logger;
      onRevoked: (keyIds: string[]) => Promise<void>;
    },
  ) {}

  async start(): Promise<void> {
    await this.check();
    this.timer = setInterval(() => void this.check(), this.deps.everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One look (also what the timer does); resolves when what it found has been ended. */
  check(): Promise<void> {
    this.running ??= this.look().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async look(): Promise<void> {
    try {
      const revoked = (await this.deps.keys.listApiKeys()).filter((k) => k.revoked).map((k) => k.id);
      const known = this.known;
      const fresh = known === null ? [] : revoked.filter((id) => !known.has(id));
      this.known = new Set(revoked);
      if (fresh.length > 0) await this.deps.onRevoked(fresh);
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message }, 'looking for revoked API keys failed; trying again');
    }
  }
}
