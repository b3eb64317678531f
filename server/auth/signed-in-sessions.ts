import { randomUUID } from 'node:crypto';
import type { SessionEnd } from '../store/records.ts';
import type { Store } from '../store/store.ts';
import type { TokenService } from './tokens.ts';

/**
 * Signed-in sessions, kept on the server (issue 19, finding 9): a session token is signed, and
 * it also names its row, looked up on every use (AccessControl.authenticate). So a session ends
 * when the person signs out, when the identity provider it came through is removed, or when it
 * expires, whichever comes first, and a copied token is worth nothing after that. Open
 * connections are looked at again when a session ends (`onEnded`), on every node.
 */
export class SignedInSessions {
  constructor(
    private readonly deps: {
      store: Store;
      tokens: TokenService;
      /** The people whose sessions ended: their open connections are checked again, on every node. */
      onEnded: (userIds: string[]) => Promise<void>;
    },
  ) {}

  /** A new session for a person who just signed in (through `providerId`, or with a password: null). */
  async start(userId: string, providerId: string | null): Promise<{ token: string; expiresAt: Date }> {
    const id = randomUUID();
    const issued = await this.deps.tokens.issueSession(userId, id);
    await this.deps.store.identity.addSession({
      id,
      userId,
      providerId,
      started: new Date().toISOString(),
      expires: issued.expiresAt.toISOString(),
      ended: null,
      endedReason: null,
    });
    return issued;
  }

  /** Ends one session (signing out); false when it had ended already. */
  async end(sessionId: string, userId: string, reason: SessionEnd): Promise<boolean> {
    const ended = await this.deps.store.identity.endSession(sessionId, new Date().toISOString(), reason);
    if (ended) await this.deps.onEnded([userId]);
    return ended;
  }

  /** Ends every live session signed in through an identity provider (it was removed). */
  async endProvider(providerId: string): Promise<number> {
    const people = await this.deps.store.identity.endProviderSessions(
      providerId,
      new Date().toISOString(),
      'provider_removed',
    );
    if (people.length > 0) await this.deps.onEnded(people);
    return people.length;
  }
}
