import { BoundedLru } from '../limits/bounded-lru.ts';

/**
 * Guessing passwords is rate-limited per account and per address: after too many failed
 * sign-ins within the window, further attempts are refused (429) until the window passes.
 *
 * The password check is slow (scrypt) and asynchronous, so an attempt is counted as a failure
 * *before* it starts (a reservation) and the count is undone only if the password was right.
 * Checking the limit first and counting the failure afterwards let 61 concurrent guesses all
 * pass the check before any failure was counted. Now at most the limit of attempts are ever in
 * flight or failed within the window, however many arrive at once.
 *
 * In memory: one node's view (enough for one node; several nodes share nothing here). At most
 * MAX_KEYS accounts and addresses are kept; past it the least recently used one is forgotten
 * (a bounded LRU), so spraying new names resets nobody else's live count.
 */

interface Mark {
  at: number;
  /** Still in its password check: a success takes it back. */
  pending: boolean;
}

export type LoginAttempt = { ok: true; succeeded(): void; failed(): void } | { ok: false; retryAfterSeconds: number };

const MAX_KEYS = 100_000;

export class LoginThrottle {
  private readonly marks = new BoundedLru<Mark[]>(MAX_KEYS);

  constructor(
    private readonly perAccount: number,
    private readonly perAddress: number,
    private readonly windowMs: number,
  ) {}

  private recent(key: string, now: number): Mark[] {
    const list = (this.marks.get(key) ?? []).filter((m) => now - m.at < this.windowMs);
    if (list.length > 0) this.marks.set(key, list);
    else this.marks.delete(key);
    return list;
  }

  /**
   * Reserves one attempt for this account and address, or says how long to wait. Synchronous:
   * nothing can slip in between the check and the reservation.
   */
  attempt(username: string, address: string, now = Date.now()): LoginAttempt {
    const accountKey = `u:${username.toLowerCase()}`;
    const addressKey = `a:${address}`;
    const account = this.recent(accountKey, now);
    const addr = this.recent(addressKey, now);
    const over = (list: Mark[], max: number) =>
      list.length >= max ? (list[list.length - max] as Mark).at + this.windowMs - now : 0;
    const waitMs = Math.max(over(account, this.perAccount), over(addr, this.perAddress));
    if (waitMs > 0) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
    const mark: Mark = { at: now, pending: true };
    this.marks.set(accountKey, [...account, mark]);
    this.marks.set(addressKey, [...addr, mark]);
    return {
      ok: true,
      failed: () => {
        mark.pending = false;
      },
      succeeded: () => {
        // The right password: this attempt is taken back at the address, and the account's
        // failures are forgiven, but not other attempts still in their password check.
        const addrList = this.marks.get(addressKey)?.filter((m) => m !== mark);
        if (addrList?.length) this.marks.set(addressKey, addrList);
        else this.marks.delete(addressKey);
        const accountList = this.marks.get(accountKey)?.filter((m) => m !== mark && m.pending);
        if (accountList?.length) this.marks.set(accountKey, accountList);
        else this.marks.delete(accountKey);
      },
    };
  }
}
