/**
 * A map with a bound on its size that forgets the least recently used entry when a new one
 * would pass the bound, and nothing else. For throttles keyed by something a caller chooses
 * (a username, an address): spraying new keys only pushes out the oldest idle ones, one for
 * each new key; it never clears the live counters of everybody else (the throttles used to
 * clear the whole table at 100,000 keys, which reset everyone's limits).
 */
export class BoundedLru<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly max: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** The entry, now the most recently used. */
  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  /** Sets the entry as the most recently used; past the bound, the least recently used go. */
  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.max) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
