/** A value of a past plan's entry (JSON) as text: strings as they are, numbers as digits. */
export function str(entry: Record<string, unknown>, key: string): string {
  const value = entry[key];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}
