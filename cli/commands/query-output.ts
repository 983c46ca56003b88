import type { LuxiClient, QueryResponse } from '../../core/luxi/client.js';
import type { FieldDefinition } from '../../core/query/fields.js';
import { EXIT } from '../common/exit-codes.js';
import { formatTime, pyStr } from '../common/luxi.js';
import { formatTable, type FieldDef } from '../output/table.js';

/**
 * Printing Query and QueryFields answers as Ganeti's list commands do (cli.GenericList,
 * FormatQueryResult, GenericListFields): one column per field, values formatted by field
 * kind (or a per-field override), missing values as `??` (unknown field), `?` (no data), `-`
 * (unavailable), `*` (offline), verbose `(unknown)`..., and exit code 14 when a field is
 * unknown (after a warning on stderr).
 */

export interface ColumnFormat {
  readonly format: (value: unknown) => string;
  readonly alignRight?: boolean;
}

export interface QueryTableOptions {
  /** Print the title line (`--no-headers` turns it off). */
  readonly header: boolean;
  /** `--separator`: values joined with it, no alignment. */
  readonly separator?: string | undefined;
  /** `-v`: long texts for missing values. */
  readonly verbose?: boolean;
  /** `--units`: h (default without separator), m (default with one), g, t. */
  readonly units?: string | undefined;
  /** Formatting of particular fields by name (Ganeti's format_override). */
  readonly overrides?: Readonly<Record<string, ColumnFormat>>;
}

const STATUS_TEXT: Readonly<Record<number, readonly [verbose: string, short: string]>> = Object.freeze({
  1: ['(unknown)', '??'],
  2: ['(nodata)', '?'],
  3: ['(unavail)', '-'],
  4: ['(offline)', '*'],
});

/** utils.FormatUnit: a size in MiB for people (h), or in m/g/t. */
export function formatUnit(value: unknown, units: string): string {
  if (typeof value !== 'number') return pyStr(value);
  if (units === 'm' || (units === 'h' && value < 1024)) return `${Math.round(value)}${units === 'h' ? 'M' : ''}`;
  if (units === 'g' || (units === 'h' && value < 1024 * 1024)) return `${(value / 1024).toFixed(1)}${units === 'h' ? 'G' : ''}`;
  return `${(value / 1024 / 1024).toFixed(1)}${units === 'h' ? 'T' : ''}`;
}

function kindFormat(kind: string, units: string): ColumnFormat {
  switch (kind) {
    case 'bool':
      return { format: (v) => (v ? 'Y' : 'N') };
    case 'number':
      return { format: pyStr, alignRight: true };
    case 'float':
      return { format: (v) => (typeof v === 'number' && Number.isInteger(v) ? `${v}.0` : pyStr(v)), alignRight: true };
    case 'unit':
      return { format: (v) => formatUnit(v, units), alignRight: true };
    case 'timestamp':
      return { format: (v) => formatTime(v) };
    default:
      return { format: pyStr };
  }
}

/** Ganeti's FormatTable over already formatted cells, through cli/output's table. */
export function tableLines(columns: readonly { title: string; alignRight?: boolean | undefined }[], rows: readonly string[][], header: boolean, separator: string | undefined): string[] {
  const defs: FieldDef<string[]>[] = columns.map((c, i) => ({ name: String(i), title: c.title, doc: '', numeric: c.alignRight ?? false, get: (r) => r[i] }));
  return formatTable(defs, rows, { headers: header, separator });
}

export type QueryStatus = 'normal' | 'unknown' | 'incomplete';

/** FormatQueryResult: the table's lines and whether fields were unknown or values missing. */
export function formatQueryResult(response: QueryResponse, opts: QueryTableOptions): { status: QueryStatus; lines: string[] } {
  const units = opts.units ?? (opts.separator ? 'm' : 'h');
  const columns = response.fields.map((f) => ({ title: f.title, ...(opts.overrides?.[f.name] ?? kindFormat(f.kind, units)) }));
  let unknown = 0;
  let missing = 0;
  const rows = response.data.map((row) =>
    row.map(([status, value], i) => {
      if (status === 0) return columns[i]!.format(value);
      if (status === 1) unknown++;
      else missing++;
      const text = STATUS_TEXT[status];
      return text ? text[opts.verbose ? 0 : 1] : '??';
    }),
  );
  const status: QueryStatus = unknown || (response.data.length === 0 && unknownFields(response.fields).length) ? 'unknown' : missing ? 'incomplete' : 'normal';
  return { status, lines: tableLines(columns, rows, opts.header, opts.separator) };
}

export const unknownFields = (fields: readonly FieldDefinition[]): string[] => fields.filter((f) => f.kind === 'unknown').map((f) => f.name);

/** Prints `Warning: Queried for unknown fields a, b` when there are any; returns whether. */
export function warnUnknownFields(fields: readonly FieldDefinition[]): boolean {
  const names = unknownFields(fields);
  if (names.length) process.stderr.write(`Warning: Queried for unknown fields ${names.join(', ')}\n`);
  return names.length > 0;
}

/** cli.ParseFields: `-o a,b` replaces the defaults, `-o +c` appends to them. */
export function parseFields(spec: string | undefined, defaults: readonly string[]): string[] {
  if (spec === undefined) return [...defaults];
  if (spec.startsWith('+')) return [...defaults, ...spec.slice(1).split(',')];
  return spec.split(',');
}

/** cli.GenericList: queries, prints the table, returns the exit code (14 for unknown fields). */
export async function genericList(client: LuxiClient, resource: string, fields: readonly string[], qfilter: unknown[] | null, opts: QueryTableOptions): Promise<number> {
  const response = await client.query(resource, fields, qfilter);
  const foundUnknown = warnUnknownFields(response.fields);
  const { status, lines } = formatQueryResult(response, opts);
  for (const line of lines) process.stdout.write(`${line}\n`);
  return foundUnknown || status === 'unknown' ? EXIT.UNKNOWN_FIELD : EXIT.SUCCESS;
}

/** Ganeti's names of the field kinds in list-fields. */
const KIND_NAMES: Readonly<Record<string, string>> = Object.freeze({
  unknown: 'Unknown',
  text: 'Text',
  bool: 'Boolean',
  number: 'Number',
  float: 'Floating-point number',
  unit: 'Storage size',
  timestamp: 'Timestamp',
  other: 'Custom',
});

/** cli.GenericListFields: Name, Type, Title, Description of the resource's fields. */
export async function genericListFields(client: LuxiClient, resource: string, fields: readonly string[], opts: { header: boolean; separator?: string | undefined }): Promise<number> {
  const response = await client.queryFields(resource, fields.length ? fields : null);
  const foundUnknown = warnUnknownFields(response.fields);
  const rows = response.fields.map((f) => [f.name, KIND_NAMES[f.kind] ?? f.kind, f.title, f.doc]);
  const lines = tableLines([{ title: 'Name' }, { title: 'Type' }, { title: 'Title' }, { title: 'Description' }], rows, opts.header, opts.separator);
  for (const line of lines) process.stdout.write(`${line}\n`);
  return foundUnknown ? EXIT.UNKNOWN_FIELD : EXIT.SUCCESS;
}
