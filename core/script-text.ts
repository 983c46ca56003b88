/**
 * For script-based providers (exported from core): text as Ganeti's script interfaces (OS,
 * ExtStorage) write and read it.
 */

/** A value as Python's str() renders it, since scripts written for Ganeti compare these strings. */
export function pyStr(v: unknown): string {
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

/** `parameters.list`: `name<whitespace>description` lines; blank lines are skipped, a name alone gets an empty description. */
export function parseParametersList(text: string): [string, string][] {
  const out: [string, string][] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\S+)(?:\s+(.*?))?\s*$/.exec(line);
    if (m) out.push([m[1]!, m[2] ?? '']);
  }
  return out;
}
