import { z } from 'zod';
import { PlanPerson, PlanView } from './api.ts';

/**
 * `GET /plans/:id/offline-copy` (issue 16): what a tablet keeps of one plan so that it opens
 * without a network even if it was never opened on that device: the patient header, the plan's
 * people (names for notes and results), and the whole document (its sections, results included)
 * as one Yjs update. Binary, so the document is not inflated by base64:
 *
 *   [4 bytes: length of the header, big-endian] [header: UTF-8 JSON, OfflineCopyHeader] [Yjs update]
 */
export const OFFLINE_COPY_TYPE = 'application/vnd.carehub.offline-copy';

export const OfflineCopyHeader = z.object({
  plan: PlanView,
  people: z.array(PlanPerson),
  /** When the server produced the copy (ISO 8601). */
  at: z.string(),
});
export type OfflineCopyHeader = z.infer<typeof OfflineCopyHeader>;

export interface OfflineCopy {
  header: OfflineCopyHeader;
  update: Uint8Array;
}

export function encodeOfflineCopy(header: OfflineCopyHeader, update: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(4 + json.length + update.length);
  new DataView(out.buffer).setUint32(0, json.length);
  out.set(json, 4);
  out.set(update, 4 + json.length);
  return out;
}

/** Reads a copy; throws on anything that is not one (a truncated body, a header that breaks the schema). */
export function decodeOfflineCopy(bytes: Uint8Array): OfflineCopy {
  if (bytes.length < 4) throw new Error('offline copy: too short');
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
  if (4 + length > bytes.length) throw new Error('offline copy: header longer than the body');
  const header = OfflineCopyHeader.parse(JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + length))));
  return { header, update: bytes.subarray(4 + length) };
}
