import { createRequire } from 'node:module';

// columnify (CommonJS) is loaded only for tables the plain-ASCII fast path does not take:
// loading it and its dependencies costs a list command several milliseconds.
const require = createRequire(import.meta.url);
let columnifyFn: typeof import('columnify') | undefined;
const columnify: typeof import('columnify') = ((...args: Parameters<typeof import('columnify')>) => (columnifyFn ??= require('columnify') as typeof import('columnify'))(...args)) as typeof import('columnify');

/** One column of a list command: Ganeti's field name, title and whether it is numeric. */
export interface FieldDef<R> {
  readonly name: string;
  readonly title: string;
  readonly doc: string;
  readonly numeric?: boolean;
  readonly get: (row: R) => unknown;
}

export interface TableOptions {
  /** `--no-headers` */
  readonly headers?: boolean;
  /** `--separator`: plain join, no alignment. */
  readonly separator?: string | undefined;
}

/** Ganeti's value rendering: Y/N for booleans, comma lists, `-` for nothing. */
export function formatValue(v: unknown): string {
  if (v === true) return 'Y';
  if (v === false) return 'N';
  if (v === null || v === undefined || v === '') return '-';
  if (Array.isArray(v)) return v.map(formatValue).join(',');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/**
 * Formats rows as Ganeti's list commands do: with no separator, columns aligned and joined by
 * one space, numeric ones right-aligned, the last one unpadded (columnify does the width
 * math); with a separator, values joined as they are.
 */
export function formatTable<R>(fields: readonly FieldDef<R>[], rows: readonly R[], options: TableOptions = {}): string[] {
  const headers = options.headers !== false;
  const cells = rows.map((r) => fields.map((f) => formatValue(f.get(r))));
  if (options.separator !== undefined) {
    const sep = options.separator;
    return [...(headers ? [fields.map((f) => f.title).join(sep)] : []), ...cells.map((c) => c.join(sep))];
  }
  if (fields.length === 0) return [];
  const all = headers ? [fields.map((f) => f.title), ...cells] : cells;
  if (all.every((row) => row.every(isPlainAscii))) return alignPlain(all, fields.map((f) => Boolean(f.numeric)));
  const data = cells.map((c) => Object.fromEntries(c.map((v, i) => [String(i), v])));
  const config = Object.fromEntries(fields.map((f, i) => [String(i), { headingTransform: () => f.title, align: f.numeric ? ('right' as const) : ('left' as const) }]));
  const text = columnify(data, { columnSplitter: ' ', showHeaders: headers, config, preserveNewLines: false, columns: fields.map((_, i) => String(i)) });
  return (text === '' ? [] : text.split('\n')).map((l) => l.trimEnd());
}

// Printable ASCII without newlines: one character is one column, so widths are lengths.
const PLAIN = /^[\x20-\x7e]*$/;
const isPlainAscii = (v: string): boolean => PLAIN.test(v);

/**
 * The same layout as columnify's for printable ASCII (every list of names, sizes and states):
 * a few hundred rows format in well under a millisecond instead of several, which a list
 * command of a large cluster feels. Anything else (wide or combining characters) goes to
 * columnify.
 */
function alignPlain(rows: readonly (readonly string[])[], right: readonly boolean[]): string[] {
  const widths = right.map((_, i) => Math.max(0, ...rows.map((r) => r[i]!.length)));
  const last = right.length - 1;
  return rows.map((r) => r.map((v, i) => (right[i] ? v.padStart(widths[i]!) : i === last ? v : v.padEnd(widths[i]!))).join(' ').trimEnd());
}
