import type { WebsocketProvider } from 'y-websocket';
import { isRefusal } from '../../../shared/protocol.ts';

/**
 * Reconnecting with exponential backoff and full jitter (issue 6: a hundred tablets coming back
 * at once, or reconnecting after a server restart, must not arrive in one burst). y-websocket's
 * own retry doubles a fixed delay with no randomness, so every client that lost the server at the
 * same moment retries at the same moments; this driver takes the retries over instead.
 *
 * The n-th retry waits a uniformly random time in [0, min(cap, base·2ⁿ)] ("full jitter", AWS
 * Architecture Blog, "Exponential Backoff And Jitter"). The count starts again after a connection
 * synced. While the browser says it is offline nothing is tried; when it comes back online one
 * attempt is made within a random second.
 */
export const RECONNECT = { baseMs: 500, capMs: 30_000, onlineSpreadMs: 1_000 } as const;

export function fullJitterDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(RECONNECT.capMs, RECONNECT.baseMs * 2 ** Math.min(attempt, 20));
  return Math.floor(random() * ceiling);
}

export class ReconnectDriver {
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  constructor(
    private readonly provider: WebsocketProvider,
    private readonly random: () => number = Math.random,
  ) {
    provider.on('connection-close', this.onClose);
    provider.on('sync', this.onSync);
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
  }

  /** Connects now when the browser is online; otherwise waits for the `online` event. */
  start(): void {
    if (navigator.onLine) this.provider.connect();
  }

  /** No more attempts (a 44xx refusal, or the page is closing). */
  stop(): void {
    this.stopped = true;
    this.clear();
  }

  destroy(): void {
    this.stop();
    this.provider.off('connection-close', this.onClose);
    this.provider.off('sync', this.onSync);
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
  }

  private clear(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(delay: number): void {
    this.clear();
    if (this.stopped || !navigator.onLine) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.stopped && navigator.onLine) this.provider.connect();
    }, delay);
  }

  private readonly onClose = (event: CloseEvent | null) => {
    // Cancels the retry y-websocket has just scheduled (it only connects while shouldConnect).
    this.provider.shouldConnect = false;
    if (event && isRefusal(event.code)) {
      this.stop(); // the server refused these credentials: retrying cannot help
      return;
    }
    this.schedule(fullJitterDelay(this.attempt++, this.random));
  };

  private readonly onSync = (synced: boolean) => {
    if (synced) this.attempt = 0;
  };

  /**
   * The tablet lost its network. An open WebSocket may linger for a long time before it notices
   * (and browsers' offline emulation leaves it open): close it now, so that edits made from here
   * on are kept as offline edits rather than written into a dead socket.
   */
  private readonly onOffline = () => {
    this.clear();
    if (this.provider.ws || this.provider.wsconnecting) this.provider.disconnect();
  };

  private readonly onOnline = () => {
    this.attempt = 0;
    this.schedule(Math.floor(this.random() * RECONNECT.onlineSpreadMs));
  };
}
