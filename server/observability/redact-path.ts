/**
 * A request path as it may be logged: runs of ten or more digits (a CPR number, with or
 * without a separator: "0704521228", "070452-1228", "070452 1228") are replaced, wherever
 * they sit in the path. UUIDs (plan, result and link ids) are kept as they are, so the log
 * still says which plan was asked for. The path is read percent-decoded first ("%20" would
 * otherwise hide a space between the digits, and itself holds digits).
 */
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
/** Ten digits or more, with at most three characters that are neither letters nor digits nor '/' between two. */
const DIGIT_RUN = /\p{Nd}(?:[^\p{L}\p{N}/]{0,3}\p{Nd}){9,}/gu;

export const REDACTED = '[redacted]';

function decoded(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    // Not valid percent-encoding: the escapes themselves are read as written.
    return path.replace(/%[0-9a-f]{2}/gi, ' ');
  }
}

export function redactPath(path: string): string {
  const text = decoded(path);
  let out = '';
  let last = 0;
  for (const m of text.matchAll(UUID)) {
    out += text.slice(last, m.index).replace(DIGIT_RUN, REDACTED) + m[0];
    last = m.index + m[0].length;
  }
  return out + text.slice(last).replace(DIGIT_RUN, REDACTED);
}
