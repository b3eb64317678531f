import { useCallback, useEffect, useRef, useState } from 'react';
import type { ResultItem } from './model.ts';

/** How long a result that arrived while the page was open stays highlighted. */
const NEW_FOR_MS = 30_000;

export type Arrival = 'new' | 'amended';

/**
 * Results that arrived (or were amended) after the page loaded the plan, by id. They stay marked
 * for NEW_FOR_MS or until the person has looked at one (focus or click: `seen`). What the first
 * sync brings is what was already there.
 */
export function useArrivals(items: readonly ResultItem[], synced: boolean) {
  const known = useRef<Map<string, string> | null>(null);
  const [arrivals, setArrivals] = useState<ReadonlyMap<string, { kind: Arrival; at: number }>>(new Map());

  useEffect(() => {
    if (!synced) return;
    const signature = (r: ResultItem) => `${r.status}|${String(r.value)}|${r.previous.length}`;
    if (known.current === null) {
      known.current = new Map(items.map((r) => [r.id, signature(r)]));
      return;
    }
    const seenBefore = known.current;
    const fresh: [string, { kind: Arrival; at: number }][] = [];
    const now = Date.now();
    for (const item of items) {
      const before = seenBefore.get(item.id);
      const sig = signature(item);
      if (before === undefined) fresh.push([item.id, { kind: 'new', at: now }]);
      else if (before !== sig) fresh.push([item.id, { kind: 'amended', at: now }]);
      seenBefore.set(item.id, sig);
    }
    if (fresh.length > 0) setArrivals((current) => new Map([...current, ...fresh]));
  }, [items, synced]);

  // Forget each arrival when its time is up.
  useEffect(() => {
    if (arrivals.size === 0) return;
    const oldest = Math.min(...[...arrivals.values()].map((a) => a.at));
    const timer = window.setTimeout(
      () => {
        const cutoff = Date.now() - NEW_FOR_MS;
        setArrivals((current) => new Map([...current].filter(([, a]) => a.at > cutoff)));
      },
      Math.max(0, oldest + NEW_FOR_MS - Date.now()) + 50,
    );
    return () => window.clearTimeout(timer);
  }, [arrivals]);

  const seen = useCallback((id: string) => {
    setArrivals((current) => {
      if (!current.has(id)) return current;
      const next = new Map(current);
      next.delete(id);
      return next;
    });
  }, []);

  return { arrivals, seen };
}

/** The current time, refreshed every `everyMs` (for "released in 2 days" and the like). */
export function useNow(everyMs = 60_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), everyMs);
    return () => window.clearInterval(timer);
  }, [everyMs]);
  return now;
}
