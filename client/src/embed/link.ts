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

/** Whether this page is a SMART launch's page (`/smart/app/<practice system>`), served with the same index.html. */
export function isLaunchPath(pathname: string): boolean {
  return /^\/smart\/app(?:\/[^/]+)?\/?$/.test(pathname);
}

/**
 * A launch's page arrives with `#code=<one-time code>` or `#refused=<reason>` in its fragment
 * (the fragment never reaches a server). Read once and removed from the address at once.
 */
export function takeLaunchFragment(): { code: string | null; refused: string | null } {
  const params = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  if (window.location.hash) {
    try {
      window.history.replaceState(window.history.state, '', window.location.pathname);
    } catch {
      // an address that cannot be rewritten keeps its fragment; the code is single-use
    }
  }
  return { code: params.get('code'), refused: params.get('refused') };
}
