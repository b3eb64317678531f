import type { z } from 'zod';
import { FHIR_ID } from './fhir-schemas.ts';
import { quote, refuse, type RefusedCode } from './refusal.ts';

/**
 * The entries of a message Bundle, found by reference. MedCom writes references relative
 * (`Organization/<id>`) against absolute fullUrls, so a reference resolves by fullUrl first and
 * then by type and id; two entries answering the same reference refuse the message rather than
 * pick one.
 */
export interface Entry {
  /** Position in Bundle.entry. */
  index: number;
  /** FHIRPath of the resource, for diagnostics: `Bundle.entry[3].resource`. */
  path: string;
  fullUrl: string | null;
  type: string;
  id: string | null;
  resource: Record<string, unknown>;
}

const RELATIVE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/;
const TRAILING = /\/([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/;

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export class MessageBundle {
  readonly entries: Entry[] = [];
  private readonly byFullUrl = new Map<string, Entry[]>();
  private readonly byTypeAndId = new Map<string, Entry[]>();

  /** `rawEntries` is Bundle.entry, already known to be an array. */
  constructor(rawEntries: unknown[]) {
    rawEntries.forEach((raw, index) => {
      const path = `Bundle.entry[${index}]`;
      if (!isRecord(raw)) refuse('invalid-element', `${path} is not an object`, path);
      const resource = raw.resource;
      if (!isRecord(resource)) refuse('missing-element', `${path} has no resource`, `${path}.resource`);
      const type = resource.resourceType;
      if (typeof type !== 'string' || !/^[A-Z][A-Za-z]+$/.test(type))
        refuse('invalid-element', `${path}.resource has no resourceType`, `${path}.resource`);
      const id = typeof resource.id === 'string' && FHIR_ID.test(resource.id) ? resource.id : null;
      const fullUrl = typeof raw.fullUrl === 'string' && raw.fullUrl !== '' ? raw.fullUrl : null;
      const entry: Entry = { index, path: `${path}.resource`, fullUrl, type, id, resource };
      this.entries.push(entry);
      if (fullUrl) push(this.byFullUrl, fullUrl, entry);
      if (id) push(this.byTypeAndId, `${type}/${id}`, entry);
    });
  }

  ofType(type: string): Entry[] {
    return this.entries.filter((e) => e.type === type);
  }

  /**
   * The entry a reference names, of one of `types`; null when the reference is absent or names
   * nothing in the Bundle (the caller decides whether that refuses the message).
   */
  resolve(reference: string | undefined, types: readonly string[], where: string): Entry | null {
    if (!reference) return null;
    let found = this.byFullUrl.get(reference);
    if (!found) {
      const m = RELATIVE.exec(reference) ?? TRAILING.exec(reference);
      if (m) found = this.byTypeAndId.get(`${m[1]}/${m[2]}`);
    }
    if (!found || found.length === 0) return null;
    if (found.length > 1)
      refuse(
        'unresolved-reference',
        `${where}: ${quote(reference)} names ${found.length} entries of the Bundle`,
        where,
      );
    const entry = found[0] as Entry;
    return types.includes(entry.type) ? entry : null;
  }

  /** Like `resolve`, but a reference that is there and names nothing refuses the message. */
  resolvePresent(reference: string | undefined, types: readonly string[], where: string): Entry | null {
    if (!reference) return null;
    const entry = this.resolve(reference, types, where);
    if (!entry)
      refuse(
        'unresolved-reference',
        `${where}: ${quote(reference)} does not name a ${types.join(' or ')} in the Bundle`,
        where,
      );
    return entry;
  }

  /**
   * The entry's resource through its schema; a wrong type of a read element refuses the message,
   * with `codeFor` choosing the code by the element's path (default `invalid-element`).
   */
  read<S extends z.ZodType>(
    entry: Entry,
    schema: S,
    codeFor: (path: readonly PropertyKey[]) => RefusedCode = () => 'invalid-element',
  ): z.infer<S> {
    const result = schema.safeParse(entry.resource);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    const path = issue?.path ?? [];
    const at = path.length > 0 ? `${entry.path}.${formatPath(path)}` : entry.path;
    refuse(codeFor(path), `${at}: ${issue?.message ?? 'unreadable'}`, at);
  }
}

function push(map: Map<string, Entry[]>, key: string, entry: Entry): void {
  const list = map.get(key);
  if (list) list.push(entry);
  else map.set(key, [entry]);
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p)}`)).join('');
}

/** The id a reference to a MessageHeader carries (`MessageHeader/<id>` or an absolute URL ending so). */
export function messageHeaderIdOf(reference: string | undefined): string | null {
  if (!reference) return null;
  const m = RELATIVE.exec(reference) ?? TRAILING.exec(reference);
  return m && m[1] === 'MessageHeader' ? (m[2] as string) : null;
}
