import { z } from 'zod';

/**
 * What nodes tell each other over Redis. Channels (all under `carehub:<prefix>`):
 * - `plan:<planId>`: a plan's Yjs updates, after the sending node stored them, with their
 *   seqs in the plan's log; awareness (cursors, presence) of its clients; and `head`, the
 *   highest seq a node knows, so a node that missed messages notices the gap.
 * - `events`: access changes (care team, objection, embed link, break-glass) and ended
 *   sign-in sessions that every node must re-check its open sessions against.
 * JSON with the Yjs bytes in base64: every message is validated here at the boundary, and a
 * message that fails is logged and dropped by the caller, never trusted.
 */
export const CLUSTER_PROTOCOL = 1;

/** Larger messages are dropped unread (a plan update is bounded by WS_MAX_MESSAGE_BYTES, merged batches by MERGE_CHUNK). */
export const MAX_CLUSTER_MESSAGE_CHARS = 64 * 1024 * 1024;

const NodeId = z.string().min(1).max(100);
const Base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/);
const Uuid = z.string().uuid();
const Seq = z.number().int().positive();

const PlanMessage = z.discriminatedUnion('type', [
  z.object({
    v: z.literal(CLUSTER_PROTOCOL),
    type: z.literal('update'),
    node: NodeId,
    seqs: z.array(Seq).min(1).max(100_000),
    update: Base64,
  }),
  z.object({ v: z.literal(CLUSTER_PROTOCOL), type: z.literal('awareness'), node: NodeId, update: Base64 }),
  z.object({ v: z.literal(CLUSTER_PROTOCOL), type: z.literal('head'), node: NodeId, seq: z.number().int().min(0) }),
]);

const EventMessage = z.discriminatedUnion('type', [
  z.object({ v: z.literal(CLUSTER_PROTOCOL), type: z.literal('access-changed'), node: NodeId, patientId: Uuid }),
  /** A person's signed-in session ended (signed out, provider removed): their open connections are checked again. */
  z.object({
    v: z.literal(CLUSTER_PROTOCOL),
    type: z.literal('sessions-ended'),
    node: NodeId,
    userId: z.string().min(1).max(100),
  }),
]);

export type PlanWireMessage =
  | { type: 'update'; node: string; seqs: number[]; update: Uint8Array }
  | { type: 'awareness'; node: string; update: Uint8Array }
  | { type: 'head'; node: string; seq: number };

export type ClusterEvent = z.infer<typeof EventMessage>;

const toBase64 = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
const fromBase64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

export function encodePlanMessage(m: PlanWireMessage): string {
  switch (m.type) {
    case 'update':
      return JSON.stringify({
        v: CLUSTER_PROTOCOL,
        type: m.type,
        node: m.node,
        seqs: m.seqs,
        update: toBase64(m.update),
      });
    case 'awareness':
      return JSON.stringify({ v: CLUSTER_PROTOCOL, type: m.type, node: m.node, update: toBase64(m.update) });
    case 'head':
      return JSON.stringify({ v: CLUSTER_PROTOCOL, type: m.type, node: m.node, seq: m.seq });
    default: {
      const unhandled: never = m;
      throw new Error(`unknown plan message ${String(unhandled)}`);
    }
  }
}

function parseJson(text: string): unknown {
  if (text.length > MAX_CLUSTER_MESSAGE_CHARS) throw new Error('cluster message too large');
  return JSON.parse(text) as unknown;
}

/** Throws on anything that is not a well-formed plan message (the caller logs and drops it). */
export function decodePlanMessage(text: string): PlanWireMessage {
  const m = PlanMessage.parse(parseJson(text));
  switch (m.type) {
    case 'update':
      return { type: 'update', node: m.node, seqs: m.seqs, update: fromBase64(m.update) };
    case 'awareness':
      return { type: 'awareness', node: m.node, update: fromBase64(m.update) };
    case 'head':
      return { type: 'head', node: m.node, seq: m.seq };
  }
}

/** An event as a node sends it (the protocol version is added here). */
export type OutgoingClusterEvent = ClusterEvent extends infer E
  ? E extends ClusterEvent
    ? Omit<E, 'v'>
    : never
  : never;

export function encodeEvent(e: OutgoingClusterEvent): string {
  return JSON.stringify({ v: CLUSTER_PROTOCOL, ...e });
}

export function decodeEvent(text: string): ClusterEvent {
  return EventMessage.parse(parseJson(text));
}
