/**
 * The document-sync wire contract: the standard y-websocket protocol on `/collab/<planId>`,
 * and the close codes CareHub uses so a client can tell a refusal from a network fault (a 44xx
 * code means "do not reconnect with this token").
 *
 * The token travels in the `Sec-WebSocket-Protocol` header, not in the URL (proxies log URLs):
 * the client offers `collabProtocols(token)` and the server selects `carehub.v1`, never echoing
 * the token. Outside clients may still send `?token=<token>` (y-websocket's `params`).
 */
export const COLLAB_PATH = '/collab';

/** The subprotocol the server selects. */
export const COLLAB_SUBPROTOCOL = 'carehub.v1';
/** A subprotocol offered as `carehub.token.<token>` carries the token (JWTs are valid header tokens). */
export const TOKEN_SUBPROTOCOL_PREFIX = 'carehub.token.';

/** What a client offers as WebSocket protocols to open /collab with `token`. */
export function collabProtocols(token: string): string[] {
  return [COLLAB_SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${token}`];
}

/** The token in an offered protocol list (the `Sec-WebSocket-Protocol` header's value), or null. */
export function tokenFromProtocols(header: string | undefined): string | null {
  if (!header) return null;
  for (const p of header.split(',')) {
    const offered = p.trim();
    if (offered.startsWith(TOKEN_SUBPROTOCOL_PREFIX) && offered.length > TOKEN_SUBPROTOCOL_PREFIX.length)
      return offered.slice(TOKEN_SUBPROTOCOL_PREFIX.length);
  }
  return null;
}

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
  /** Missing, forged or expired token; also sent when the session (or embed link) expires while open. */
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
