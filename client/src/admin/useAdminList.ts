import { useCallback, useEffect, useRef, useState } from 'react';
import { describeError, isAbort } from '../api.ts';
import { useI18n } from '../i18n/index.tsx';

/** A list the administrator reads from the server, with a way to add one it just created. */
export function useAdminList<T>(fetchList: (signal: AbortSignal) => Promise<T[]>) {
  const { t } = useI18n();
  const [items, setItems] = useState<T[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const tRef = useRef(t);
  tRef.current = t;

  useEffect(() => {
    const controller = new AbortController();
    fetchList(controller.signal)
      .then((list) => {
        setItems(list);
        setError(null);
      })
      .catch((err: unknown) => {
        if (!isAbort(err)) setError(describeError(err, tRef.current));
      });
    return () => controller.abort();
  }, [fetchList]);

  const add = useCallback((item: T) => setItems((current) => [item, ...(current ?? [])]), []);
  const keep = useCallback((which: (item: T) => boolean) => setItems((current) => current?.filter(which) ?? null), []);
  const replace = useCallback(
    (which: (item: T) => boolean, next: T) => setItems((current) => current?.map((i) => (which(i) ? next : i)) ?? null),
    [],
  );
  return { items, error, add, keep, replace };
}
