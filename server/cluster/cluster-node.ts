import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { createAdapter } from '@socket.io/redis-adapter';
import {
  decodeEvent,
  decodePlanMessage,
  encodeEvent,
  encodePlanMessage,
  type PlanWireMessage,
} from './cluster-messages.ts';
import type { ChannelNode, PlanChannel } from './plan-channel.ts';
import { connectRedis, type RedisConnections } from './redis-connection.ts';

export interface ClusterNodeOptions {
  redisUrl: string;
  prefix: string;
  log: Logger;
  /** Another node changed who may see a patient's plans: re-check this node's sessions. */
  onAccessChanged(patientId: string): Promise<void>;
  /** Another node ended sessions of this person: re-check their connections on this node. */
  onSessionsEnded(userId: string): Promise<void>;
}

/** How often each open plan's head seq is announced (a node that missed messages notices). */
const HEAD_INTERVAL_MS = 5000;

/** Compare-and-delete: only the holder's token releases a lock. */
const UNLOCK = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/**
 * This node's part in a deployment of several (REDIS_URL set): the plans it has open, each
 * on its Redis channel; the access-change events; the Socket.IO adapter; readiness.
 * A node persists its own clients' updates before it publishes them and never stores what
 * it receives (see PlanChannel). After Redis comes back, every open plan is read from the
 * store again and every head announced, so what pub/sub lost meanwhile is caught up.
 */
export class ClusterNode implements ChannelNode {
  readonly nodeId = randomUUID();
  readonly log: Logger;
  private readonly redis: RedisConnections;
  private readonly channels = new Map<string, PlanChannel>();
  private readonly eventsChannel: string;
  private readonly planPrefix: string;
  private headTimer: NodeJS.Timeout | null = null;
  private dropped = 0;

  constructor(private readonly opts: ClusterNodeOptions) {
    this.log = opts.log.child({ node: this.nodeId.slice(0, 8) });
    this.redis = connectRedis(opts.redisUrl, opts.prefix, this.log);
    this.eventsChannel = `${this.redis.base}:events`;
    this.planPrefix = `${this.redis.base}:plan:`;
  }

  /** Subscribes to the events channel; resolves once subscribed (or after `ms` if Redis is away: it catches up later). */
  async start(ms = 5000): Promise<void> {
    const { subscriber, command } = this.redis;
    subscriber.on('message', (channel: string, text: string) => this.onMessage(channel, text));
    // Every (re)connect with plans open (Redis may have been away since before the first):
    // subscribe again and read what was missed; tell the others how far our log goes, since
    // what we published meanwhile was dropped.
    subscriber.on('ready', () => {
      if (this.channels.size > 0) void this.resubscribed();
    });
    command.on('ready', () => {
      for (const c of this.channels.values()) c.publishHead();
    });
    await Promise.race([subscriber.subscribe(this.eventsChannel), new Promise((r) => setTimeout(r, ms).unref())]);
    this.headTimer = setInterval(() => {
      for (const c of this.channels.values()) c.publishHead();
    }, HEAD_INTERVAL_MS);
    this.headTimer.unref();
    this.log.info({ prefix: this.opts.prefix }, 'cluster node started');
  }

  async subscribe(channel: PlanChannel): Promise<void> {
    this.channels.set(channel.planId, channel);
    const subscribing = this.redis.subscriber.subscribe(this.planPrefix + channel.planId);
    // While Redis is away the plan opens anyway (local clients keep working); the subscription
    // is made on reconnect, followed by a read of the store.
    if (this.redis.subscriber.status === 'ready') await subscribing.catch(() => {});
    else subscribing.catch(() => {});
  }

  release(channel: PlanChannel): void {
    if (this.channels.get(channel.planId) !== channel) return;
    this.channels.delete(channel.planId);
    this.redis.subscriber.unsubscribe(this.planPrefix + channel.planId).catch(() => {});
  }

  publish(planId: string, message: PlanWireMessage): void {
    this.send(this.planPrefix + planId, encodePlanMessage(message));
  }

  /** Tells every other node that access to a patient's plans changed. */
  publishAccessChanged(patientId: string): void {
    this.send(this.eventsChannel, encodeEvent({ type: 'access-changed', node: this.nodeId, patientId }));
  }

  publishSessionsEnded(userId: string): void {
    this.send(this.eventsChannel, encodeEvent({ type: 'sessions-ended', node: this.nodeId, userId }));
  }

  async lock(name: string, token: string, ms: number): Promise<boolean> {
    return (await this.redis.command.set(`${this.redis.base}:${name}`, token, 'PX', ms, 'NX')) === 'OK';
  }

  async unlock(name: string, token: string): Promise<void> {
    await this.redis.command.eval(UNLOCK, 1, `${this.redis.base}:${name}`, token);
  }

  /** The Socket.IO Redis adapter: events reach sockets on every node. */
  socketAdapter(): ReturnType<typeof createAdapter> {
    return createAdapter(this.redis.adapterPub, this.redis.adapterSub, { key: `${this.redis.base}:socket.io` });
  }

  /** For /readyz: Redis answers within `ms`. */
  async ping(ms = 1000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.redis.command.ping(),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('redis did not answer')), ms))),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (this.headTimer) clearInterval(this.headTimer);
    await this.redis.quit();
  }

  private send(channel: string, text: string): void {
    if (this.redis.command.status !== 'ready') {
      this.dropped++;
      return;
    }
    this.redis.command.publish(channel, text).catch((err: unknown) => {
      this.dropped++;
      this.log.debug({ err: (err as Error).message }, 'cluster message not published');
    });
  }

  private onMessage(channel: string, text: string): void {
    try {
      if (channel === this.eventsChannel) {
        const event = decodeEvent(text);
        if (event.node === this.nodeId) return;
        const recheck =
          event.type === 'access-changed'
            ? this.opts.onAccessChanged(event.patientId)
            : this.opts.onSessionsEnded(event.userId);
        recheck.catch((err: unknown) => {
          this.log.warn({ err: (err as Error).message }, 're-checking sessions after an access change failed');
        });
        return;
      }
      if (!channel.startsWith(this.planPrefix)) return;
      const channelOf = this.channels.get(channel.slice(this.planPrefix.length));
      if (!channelOf) return;
      channelOf.receive(decodePlanMessage(text));
    } catch (err) {
      // A malformed message (another version, a stray publisher): dropped, never trusted.
      this.log.warn(
        { channel: channel.slice(this.redis.base.length), err: (err as Error).message.slice(0, 200) },
        'dropping a malformed cluster message',
      );
    }
  }

  /** After a reconnect: subscribe again (ioredis does too; twice is harmless), then read the store. */
  private async resubscribed(): Promise<void> {
    const names = [this.eventsChannel, ...[...this.channels.keys()].map((id) => this.planPrefix + id)];
    try {
      await this.redis.subscriber.subscribe(...names);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'resubscribing failed');
      return;
    }
    this.log.info(
      { plans: this.channels.size, dropped: this.dropped },
      'redis back: catching up every open plan from the store',
    );
    await Promise.all([...this.channels.values()].map((c) => c.caughtUp()));
  }
}
