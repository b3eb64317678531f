import { caretColour } from '../../../shared/caret-colour.ts';

/**
 * Where a caret at `pos` in `before` belongs in `after` when someone else replaced the text:
 * the change is located by the common prefix and suffix; a caret before it stays, one after it
 * moves by the length difference, one inside it goes to the end of the new text there.
 */
export function transformCaret(before: string, after: string, pos: number): number {
  let prefix = 0;
  const max = Math.min(before.length, after.length);
  while (prefix < max && before[prefix] === after[prefix]) prefix++;
  let suffix = 0;
  while (suffix < max - prefix && before[before.length - 1 - suffix] === after[after.length - 1 - suffix]) suffix++;
  if (pos <= prefix) return Math.min(pos, after.length);
  if (pos >= before.length - suffix) return Math.max(0, Math.min(after.length, pos + after.length - before.length));
  return after.length - suffix;
}

/**
 * How this person's own caret is drawn (Tiptap's caret extension): their name, in the colour the
 * server stamps into the presence colleagues see (shared/caret-colour.ts), so one person has one
 * colour on every screen.
 */
export function ownCaret(user: { id: string; name: string }): { name: string; color: string } {
  return { name: user.name, color: caretColour(user.id) };
}
