import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/**
 * The Redis connections of one node. Pub/sub needs a connection of its own (a subscribed
 * connection can only (un)subscribe), and the Socket.IO adapter wants its own pair, so a
 * node holds four: commands, our plan/event subscriptions, and the adapter's pub and sub.
 * ioredis reconnects on its own; a command sent while Redis is away fails fast instead of
 * queueing without bound (publishing is best-effort: receivers catch up from the store).
 */
export interface RedisConnections {
  command: Redis;
  subscriber: Redis;
  adapterPub: Redis;
  adapterSub: Redis;
  /** `carehub:<prefix>`: every key and channel of this deployment starts with it. */
  base: string;
  quit(): Promise<void>;
}

export function connectRedis(url: string, prefix: string, log: Logger): RedisConnections {
  const open = (role: string, subscribes: boolean): Redis => {
    const redis = new Redis(url, {
      // Publishing fails at once while disconnected (never queues without bound); subscribing
      // waits for the connection and is repeated by ioredis after every reconnect.
      enableOfflineQueue: subscribes,
      maxRetriesPerRequest: subscribes ? null : 1,
      autoResubscribe: true,
      // Reconnect for ever, at most every 2 s: Redis restarts are survived.
      retryStrategy: (times) => Math.min(times * 100, 2000),
      connectionName: `carehub-${prefix}-${role}`,
    });
    let down = false;
    redis.on('error', (err: Error) => {
      // ioredis reports every failed reconnect: log the first, not the storm.
      if (!down) log.warn({ role, err: err.message }, 'redis connection error');
      down = true;
    });
    redis.on('ready', () => {
      if (down) log.info({ role }, 'redis connection restored');
      down = false;
    });
    return redis;
  };
  const command = open('command', false);
  const subscriber = open('subscriber', true);
  const adapterPub = open('adapter-pub', false);
  const adapterSub = open('adapter-sub', true);
  // The Socket.IO adapter publishes without catching: while Redis is away an event is lost
  // (at-most-once, like pub/sub itself), never an unhandled rejection that ends the process.
  const publish = adapterPub.publish.bind(adapterPub) as (channel: string, message: string | Buffer) => Promise<number>;
  (adapterPub as unknown as { publish: typeof publish }).publish = (channel, message) =>
    publish(channel, message).catch((err: unknown) => {
      log.debug({ err: (err as Error).message }, 'socket.io event not published: redis unavailable');
      return 0;
    });
  const all = [command, subscriber, adapterPub, adapterSub];
  return {
    command,
    subscriber,
    adapterPub,
    adapterSub,
    base: `carehub:${prefix}`,
    async quit() {
      // QUIT politely, but never wait long for a Redis that is away (shutdown must finish).
      await Promise.all(
        all.map(async (r) => {
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([r.quit().catch(() => {}), new Promise((resolve) => (timer = setTimeout(resolve, 1000)))]);
          clearTimeout(timer);
          r.disconnect();
        }),
      );
    },
  };
}
