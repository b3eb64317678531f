/** Caret colours: calm, distinguishable, dark enough for white label text (WCAG AA). */
const PALETTE = ['#1f6f8b', '#8a4b08', '#2e7d32', '#6a1b9a', '#ad1457', '#37474f', '#00695c', '#4527a0'];

/** A stable colour for a user id (`#rrggbb`, the form Tiptap's caret extension accepts). */
export function colorFor(userId: string): string {
  let hash = 0;
  for (let i = 0; i < userId.length; i++) hash = (hash * 31 + userId.charCodeAt(i)) >>> 0;
  return PALETTE[hash % PALETTE.length] ?? '#37474f';
}
