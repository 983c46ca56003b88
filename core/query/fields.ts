import { GanetiError } from '../errors/index.js';
import { compileFilter } from './filter.js';
import { isNoValue, NODATA, OFFLINE, UNAVAIL, type FieldKind } from './values.js';

export { FIELD_KINDS, NODATA, UNAVAIL, OFFLINE, isNoValue, jsonEqual, type FieldKind, type NoValue } from './values.js';
import { niceCompare } from '../config/nicesort.js';

export { niceCompare };

/**
 * Query fields (Ganeti's query2, lib/query.py): each resource declares its fields as
 * `{name, title, kind, doc}` plus a getter, and answers Query / QueryFields / old-style
 * queries from them.
 */

/** Per-value result status (Ganeti's RS_*). */
export const RESULT_STATUS = Object.freeze({ NORMAL: 0, UNKNOWN: 1, NODATA: 2, UNAVAIL: 3, OFFLINE: 4 } as const);
export type ResultStatus = (typeof RESULT_STATUS)[keyof typeof RESULT_STATUS];

/** One value of a Query answer: `[status, value]`, value null unless status is 0. */
export type FieldResult = [status: ResultStatus, value: unknown];

/** A field definition as Query and QueryFields send it. */
export interface FieldDefinition {
  name: string;
  title: string;
  kind: FieldKind;
  doc: string;
}

/** A field of a resource whose items are `R`. */
export interface QueryField<R> {
  readonly name: string;
  readonly title: string;
  readonly kind: Exclude<FieldKind, 'unknown'>;
  readonly doc: string;
  /** The value for one item, or NODATA / UNAVAIL / OFFLINE. */
  readonly get: (row: R) => unknown;
  /**
   * Converts a filter operand before it is checked against the kind (Ganeti's QFF_JOB_ID
   * accepts job ids as digit strings); throws GNT_QUERY_FILTER when it cannot.
   */
  readonly filterValue?: (value: unknown) => unknown;
  /** The value is a `[seconds, microseconds]` timestamp; filters compare it as seconds. */
  readonly splitTimestamp?: boolean;
}

/** The definition Ganeti returns for a name it does not know (kind `unknown`). */
export const unknownFieldDefinition = (name: string): FieldDefinition => ({ name, title: name, kind: 'unknown', doc: `Unknown field '${name}'` });

export const toDefinition = <R>(f: QueryField<R>): FieldDefinition => ({ name: f.name, title: f.title, kind: f.kind, doc: f.doc });

/** A getter's value as a Query result: `[0, value]`, or the status of a missing value. */
export function toFieldResult(v: unknown): FieldResult {
  if (v === NODATA) return [RESULT_STATUS.NODATA, null];
  if (v === UNAVAIL) return [RESULT_STATUS.UNAVAIL, null];
  if (v === OFFLINE) return [RESULT_STATUS.OFFLINE, null];
  return [RESULT_STATUS.NORMAL, v === undefined ? null : v];
}

/** Ganeti's Query answer. */
export interface QueryResult {
  fields: FieldDefinition[];
  data: FieldResult[][];
}

const NAME_RE = /^[a-z0-9/._]+$/;
const TITLE_RE = /^[^\s]+$/;

/**
 * The fields of one resource (`job`, `node`, ...). Answers:
 * - `definitions(names)`: QueryFields — all fields sorted by name when `names` is null,
 *   else the named ones in order, unknown names with kind `unknown`;
 * - `query(names, qfilter, rows)`: Query — unknown names give kind `unknown` and status 1
 *   in every row; the filter is compiled first (GNT_QUERY_FILTER when malformed);
 * - `values(row, names)`: old-style rows (QueryJobs, WaitForJobChange) — plain values,
 *   null for missing ones; an unknown name is GNT_QUERY_UNKNOWN_FIELD.
 */
export class FieldTable<R> {
  readonly fields: readonly QueryField<R>[];
  readonly #byName: ReadonlyMap<string, QueryField<R>>;

  constructor(
    readonly resource: string,
    fields: readonly QueryField<R>[],
  ) {
    const byName = new Map<string, QueryField<R>>();
    for (const f of fields) {
      if (!NAME_RE.test(f.name)) throw new Error(`bad field name '${f.name}' for ${resource}`);
      if (!TITLE_RE.test(f.title)) throw new Error(`bad title '${f.title}' for ${resource} field ${f.name}`);
      if (byName.has(f.name)) throw new Error(`duplicate field '${f.name}' for ${resource}`);
      byName.set(f.name, f);
    }
    this.fields = Object.freeze([...fields]);
    this.#byName = byName;
  }

  get(name: string): QueryField<R> | undefined {
    return this.#byName.get(name);
  }

  /** Names not known to this resource, in order. */
  unknown(names: readonly string[]): string[] {
    return names.filter((n) => !this.#byName.has(n));
  }

  definitions(names: readonly string[] | null): FieldDefinition[] {
    if (names === null) return [...this.fields].sort((a, b) => niceCompare(a.name, b.name)).map(toDefinition);
    return names.map((n) => {
      const f = this.#byName.get(n);
      return f ? toDefinition(f) : unknownFieldDefinition(n);
    });
  }

  /** Compiles a filter against these fields (null: every row matches). */
  filter(qfilter: unknown): (row: R) => boolean {
    if (qfilter === null || qfilter === undefined) return () => true;
    return compileFilter(qfilter, (name) => this.#byName.get(name));
  }

  query(names: readonly string[], qfilter: unknown, rows: Iterable<R>, options: { sortBy?: (row: R) => string | number } = {}): QueryResult {
    const match = this.filter(qfilter);
    const selected = names.map((n) => this.#byName.get(n));
    let items = [...rows].filter(match);
    const key = options.sortBy;
    if (key) {
      items = items
        .map((row, index) => ({ row, index, k: key(row) }))
        .sort((a, b) => {
          const c = typeof a.k === 'number' && typeof b.k === 'number' ? a.k - b.k : niceCompare(String(a.k), String(b.k));
          return c !== 0 ? c : a.index - b.index;
        })
        .map((x) => x.row);
    }
    return {
      fields: this.definitions(names),
      data: items.map((row) => selected.map((f): FieldResult => (f ? toFieldResult(f.get(row)) : [RESULT_STATUS.UNKNOWN, null]))),
    };
  }

  values(row: R, names: readonly string[]): unknown[] {
    this.assertKnown(names);
    return names.map((n) => {
      const v = this.#byName.get(n)!.get(row);
      return isNoValue(v) || v === undefined ? null : v;
    });
  }

  /** Throws GNT_QUERY_UNKNOWN_FIELD for names this resource does not have. */
  assertKnown(names: readonly string[]): void {
    const unknown = this.unknown(names);
    if (unknown.length) throw new GanetiError('GNT_QUERY_UNKNOWN_FIELD', { resource: this.resource, fields: unknown.join(', ') });
  }
}

/**
 * The fields every config object has (Ganeti's common and timestamp fields): ctime, mtime,
 * uuid, serial_no, tags. `kind` names the object in the docs ("Node", "Group").
 */
export function commonObjectFields<R>(
  kind: string,
  pick: (row: R) => { readonly ctime?: number; readonly mtime?: number; readonly uuid: string; readonly serial_no: number; readonly tags?: readonly string[] },
): QueryField<R>[] {
  return [
    { name: 'ctime', title: 'CTime', kind: 'timestamp', doc: 'Creation timestamp', get: (r) => pick(r).ctime ?? UNAVAIL },
    { name: 'mtime', title: 'MTime', kind: 'timestamp', doc: 'Modification timestamp', get: (r) => pick(r).mtime ?? UNAVAIL },
    { name: 'uuid', title: 'UUID', kind: 'text', doc: `${kind} UUID`, get: (r) => pick(r).uuid },
    { name: 'serial_no', title: 'SerialNo', kind: 'number', doc: `${kind} object serial number, incremented on each modification`, get: (r) => pick(r).serial_no },
    { name: 'tags', title: 'Tags', kind: 'other', doc: 'Tags', get: (r) => [...(pick(r).tags ?? [])] },
  ];
}
