import { useEffect, useState } from 'react';
import type * as Y from 'yjs';

/** A number that changes whenever `type` or anything inside it changes (local or remote). */
export function useYRevision(type: Y.AbstractType<any> | null): number {
  const [revision, setRevision] = useState(0);
  useEffect(() => {
    if (!type) return;
    const bump = () => setRevision((r) => r + 1);
    type.observeDeep(bump);
    bump();
    return () => type.unobserveDeep(bump);
  }, [type]);
  return revision;
}
