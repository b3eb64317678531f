/**
 * The document-sync wire contract: the standard y-websocket protocol on
 * `/collab/<planId>?token=<token>`, and the close codes CareHub uses so a client can tell a
 * refusal from a network fault (a 44xx code means "do not reconnect with this token").
 */
export const COLLAB_PATH = '/collab';

/** y-websocket message types (y-websocket's server and client use exactly these numbers). */
export const MessageType = { sync: 0, awareness: 1, auth: 2, queryAwareness: 3 } as const;

export const CloseCode = {
  /** Normal close after the server has shut down or the plan was unloaded. */
  normal: 1000,
  /** Server going away (shutdown); reconnect later, possibly to another node. */
  goingAway: 1001,
  /** A frame that is not a well-formed y-websocket message. */
  protocolError: 1002,
  /** Persistent abuse of a rate limit (e.g. awareness updates far above the allowed rate). */
  policyViolation: 1008,
  /** A frame larger than the configured limit. */
  messageTooBig: 1009,
  /** The server could not load or persist the plan; reconnect later. */
  internalError: 1011,
  /** Malformed request (e.g. no plan id). */
  badRequest: 4400,
  /** Missing, forged or expired token. */
  unauthorized: 4401,
  /** Valid user who may not open this plan (not on the care team). */
  forbidden: 4403,
  /** No such plan. */
  notFound: 4404,
  /** The user already has the most concurrent connections allowed (MAX_CONNECTIONS_PER_USER). */
  tooManyConnections: 4429,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Close codes after which a client must not reconnect with the same credentials. */
export function isRefusal(code: number): boolean {
  return code >= 4400 && code < 4500;
}

/** What the server stamps into every awareness state: the authenticated identity. */
export interface PresenceUser {
  id: string;
  name: string;
  role: string;
  organisation: string | null;
  /** `#rrggbb`, stable per user (Tiptap's caret accepts only this format). */
  color: string;
}
