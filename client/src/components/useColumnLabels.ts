import { useLayoutEffect, useRef } from 'react';

/**
 * A table that reflows into a list on a phone (styles.css, "Tables reflow"): each body cell is
 * given its column's heading as `data-label`, which the narrow layout shows before the value,
 * since the heading row is no longer above it. A heading's `<time>` (the cumulative table's
 * sample columns) is its label; other headings give their text. Runs after every render, so
 * rows added later are labelled too.
 */
export function useColumnLabels<T extends HTMLTableElement>() {
  const ref = useRef<T>(null);
  useLayoutEffect(() => {
    const table = ref.current;
    if (!table) return;
    const headRow = table.tHead?.rows[table.tHead.rows.length - 1];
    if (!headRow) return;
    const labels = [...headRow.cells].map((th) =>
      (th.querySelector('time')?.textContent ?? th.textContent ?? '').trim().replace(/\s+/g, ' '),
    );
    for (const body of table.tBodies)
      for (const row of body.rows)
        for (const [i, cell] of [...row.cells].entries()) {
          const label = cell.colSpan === 1 ? labels[i] : '';
          if (label && cell.getAttribute('data-label') !== label) cell.setAttribute('data-label', label);
        }
  });
  return ref;
}
