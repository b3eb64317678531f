/** setTimeout's longest delay; a later deadline is reached in steps (each one re-checks). */
const MAX_DELAY_MS = 2 ** 31 - 1;
/**
 * Fired this long after the deadline: token expiry is in whole seconds and compared with `>`,
 * so the re-check runs when the credential is surely over, not a millisecond before it.
 */
const AFTER_MS = 50;

/**
 * One timer per open connection, set at the earliest moment its access must be looked at
 * again: its token's expiry, its embed link's, its break-the-glass grant's (server/auth/
 * access.ts, accessDeadline). Set again after every re-check, so it always follows the
 * latest grant.
 */
export class DeadlineTimer {
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly onDue: () => void) {}

  at(deadline: number): void {
    this.clear();
    // A deadline that is not a number is due now (and the re-check decides).
    const ms = Number.isNaN(deadline) ? 0 : Math.max(0, deadline - Date.now()) + AFTER_MS;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.onDue();
      },
      Math.min(ms, MAX_DELAY_MS),
    );
    this.timer.unref();
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
