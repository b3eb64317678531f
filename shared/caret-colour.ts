/** Calm, distinguishable colours, dark enough for white label text (WCAG AA: at least 5:1). */
const CARET_PALETTE = ['#1f6f8b', '#8a4b08', '#2e7d32', '#6a1b9a', '#ad1457', '#37474f', '#00695c', '#4527a0'] as const;

/**
 * A person's caret and presence colour (`#rrggbb`, the form Tiptap's caret extension accepts).
 * One rule for both sides: the server stamps it into the presence colleagues see, the browser
 * gives it to the person's own caret, so everyone sees one person in one colour.
 */
export function caretColour(userId: string): string {
  let hash = 0;
  for (let i = 0; i < userId.length; i++) hash = (hash * 31 + userId.charCodeAt(i)) >>> 0;
  return CARET_PALETTE[hash % CARET_PALETTE.length] ?? CARET_PALETTE[0];
}
