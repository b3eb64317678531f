/**
 * The embed link arrives in the address's fragment (`/embed#<link>`): fragments are never sent
 * to a server, so the link stays out of access logs and Referer headers. It is read once and
 * removed from the address at once, so that it is not left in the frame's history either.
 */
export function takeEmbedLink(): string | null {
  const raw = window.location.hash.replace(/^#/, '');
  if (window.location.hash) {
    try {
      window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
    } catch {
      // an address that cannot be rewritten keeps its fragment; the link still works once
    }
  }
  if (!raw) return null;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** Whether this page is the embed page (`/embed`), served by the hub with the same index.html. */
export function isEmbedPath(pathname: string): boolean {
  return pathname.replace(/\/+$/, '') === '/embed';
}
