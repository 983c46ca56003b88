import { GanetiError } from '../errors/index.js';
import { isNoValue, jsonEqual, type FieldKind } from './values.js';

/**
 * Ganeti's query language (interfaces §6, lib/query.py, src/Ganeti/Query/Filter.hs): a filter
 * is null (everything) or a nested list whose first element is an operator:
 *
 * | operator | operands | true when |
 * |---|---|---|
 * | `\|` | filters... | any operand is (none: false) |
 * | `&` | filters... | every operand is (none: true) |
 * | `!` | filter | the operand is not |
 * | `?` | field | the field's value is true (booleans; other values by Python truthiness) |
 * | `==` (`=` legacy), `!=` | field, value | the value equals / differs |
 * | `<` `>` `<=` `>=` | field, value | numbers or strings compare so |
 * | `=~` | field, regexp | the (string) value matches the regular expression anywhere |
 * | `=[]` | field, value | the (list) value contains it (a string value: as a substring) |
 *
 * Filters nest at most 10 levels. A filter is checked completely when compiled (operators,
 * operand counts, field names, value types against the field kind, regexps); what is wrong is
 * reported as GNT_QUERY_FILTER. Timestamps stored as `[seconds, microseconds]` compare as
 * seconds. A field with no value for an item (no data, unavailable, offline) lets the item
 * pass its comparison, as Ganeti's daemons do.
 */

export const FILTER_OPERATORS = Object.freeze(['|', '&', '!', '?', '==', '=', '!=', '<', '>', '<=', '>=', '=~', '=[]'] as const);
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

export const MAX_FILTER_LEVELS = 10;

/** What the compiler needs to know about a field. */
export interface FilterField<R> {
  readonly kind: FieldKind;
  readonly get: (row: R) => unknown;
  readonly filterValue?: (value: unknown) => unknown;
  /** The value is a `[seconds, microseconds]` timestamp; comparisons use seconds (Ganeti's QFF_SPLIT_TIMESTAMP). */
  readonly splitTimestamp?: boolean;
}

export type RowPredicate<R> = (row: R) => boolean;

const fail = (reason: string): GanetiError => new GanetiError('GNT_QUERY_FILTER', { reason });
const show = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v) ?? String(v));

/** Whether `value` may be compared with a field of `kind` (Ganeti's per-kind checks). */
function fitsKind(kind: FieldKind, value: unknown): boolean {
  switch (kind) {
    case 'text':
      return typeof value === 'string';
    case 'bool':
      return typeof value === 'boolean';
    case 'number':
    case 'unit':
      return Number.isInteger(value);
    case 'float':
    case 'timestamp':
      return typeof value === 'number' && Number.isFinite(value);
    case 'other':
      return true;
    case 'unknown':
      return false;
  }
}

/** Python's truth value of a JSON value. */
export function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v && typeof v === 'object') return Object.keys(v).length > 0;
  return Boolean(v);
}

/** `[seconds, microseconds]` as seconds; anything else unchanged. */
const mergeTime = (v: unknown): unknown =>
  Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'number' ? v[0] + v[1] / 1e6 : v;

/** Python regular expressions in JavaScript syntax (named groups), compiled. */
function compileRegex(pattern: string): RegExp {
  // Python's leading inline flag (?i) (qlang's /re/i) is a RegExp flag here
  const ci = pattern.startsWith('(?i)');
  const js = (ci ? pattern.slice(4) : pattern).replace(/\(\?P</g, '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>');
  try {
    return new RegExp(js, ci ? 'ui' : 'u');
  } catch {
    try {
      return new RegExp(js, ci ? 'i' : '');
    } catch (e) {
      throw fail(`invalid regular expression ${show(pattern)}: ${(e as Error).message}`);
    }
  }
}

type Compare = (lhs: unknown, rhs: unknown, field: string) => boolean;

const order =
  (test: (c: number) => boolean): Compare =>
  (lhs, rhs, field) => {
    const l = lhs;
    if (typeof l === 'number' && typeof rhs === 'number') return test(l - rhs);
    if (typeof l === 'string' && typeof rhs === 'string') return test(l < rhs ? -1 : l > rhs ? 1 : 0);
    throw fail(`cannot order the value ${show(lhs)} of field '${field}' against ${show(rhs)}`);
  };

const equal: Compare = (lhs, rhs) => jsonEqual(lhs, rhs);

const BINARY: Readonly<Record<string, Compare>> = Object.freeze({
  '==': equal,
  '=': equal,
  '!=': (l, r, f) => !equal(l, r, f),
  '<': order((c) => c < 0),
  '>': order((c) => c > 0),
  '<=': order((c) => c <= 0),
  '>=': order((c) => c >= 0),
  '=[]': (lhs, rhs, field) => {
    if (Array.isArray(lhs)) return lhs.some((x) => jsonEqual(x, rhs));
    if (typeof lhs === 'string' && typeof rhs === 'string') return lhs.includes(rhs);
    throw fail(`field '${field}' holds ${show(lhs)}, not a list, for '=[]'`);
  },
});

/**
 * Compiles `filter` to a predicate over rows, looking fields up with `resolve`. Throws
 * GNT_QUERY_FILTER if the filter is malformed; the predicate throws it when a row's value
 * cannot be compared as asked (e.g. ordering a list).
 */
export function compileFilter<R>(filter: unknown, resolve: (name: string) => FilterField<R> | undefined): RowPredicate<R> {
  const lookup = (name: unknown): FilterField<R> => {
    const f = typeof name === 'string' ? resolve(name) : undefined;
    if (!f) throw fail(`unknown field ${show(name)}`);
    return f;
  };

  const compile = (node: unknown, level: number): RowPredicate<R> => {
    if (!Array.isArray(node) || node.length === 0) throw fail(`expected a non-empty list [operator, operands...] on level ${level}, got ${show(node)}`);
    if (level >= MAX_FILTER_LEVELS) throw fail(`only up to ${MAX_FILTER_LEVELS} levels are allowed (filter nested too deep)`);
    const [op, ...operands] = node as unknown[];
    switch (op) {
      case '|':
      case '&': {
        const parts = operands.map((o) => compile(o, level + 1));
        return op === '|' ? (row) => parts.some((p) => p(row)) : (row) => parts.every((p) => p(row));
      }
      case '!': {
        if (operands.length !== 1) throw fail(`unary operator '!' expects exactly one operand, got ${operands.length}`);
        const inner = compile(operands[0], level + 1);
        return (row) => !inner(row);
      }
      case '?': {
        if (operands.length !== 1) throw fail(`unary operator '?' expects exactly one operand, got ${operands.length}`);
        const f = lookup(operands[0]);
        return (row) => {
          const v = f.get(row);
          return isNoValue(v) ? true : truthy(v);
        };
      }
      default:
        break;
    }
    if (typeof op !== 'string' || !(op in BINARY || op === '=~')) throw fail(`unknown operator ${show(op)}`);
    if (operands.length !== 2) throw fail(`binary operator '${op}' expects exactly two operands (field, value), got ${operands.length}`);
    const name = operands[0];
    const f = lookup(name);
    let value = operands[1];
    if (f.filterValue) value = f.filterValue(value);
    if (f.splitTimestamp) value = mergeTime(value);
    if (!fitsKind(f.kind, value) || (f.splitTimestamp && typeof value !== 'number')) throw fail(`cannot compare field '${String(name)}' (type ${f.kind}) with ${show(value)}`);
    if (op === '=~') {
      if (typeof value !== 'string') throw fail(`operator '=~' needs a regular expression (a string), got ${show(value)}`);
      const re = compileRegex(value);
      return (row) => {
        const v = f.get(row);
        if (isNoValue(v)) return true;
        if (typeof v !== 'string') throw fail(`field '${String(name)}' holds ${show(v)}, not a string, for '=~'`);
        re.lastIndex = 0;
        return re.test(v);
      };
    }
    const cmp = BINARY[op]!;
    const rhs = value;
    const get = f.splitTimestamp ? (row: R) => mergeTime(f.get(row)) : f.get;
    return (row) => {
      const v = get(row);
      return isNoValue(v) ? true : cmp(v, rhs, String(name));
    };
  };

  return compile(filter, 0);
}

/** Ganeti's simple filter `[|, [==, field, v1], [==, field, v2], ...]`; null for no values. */
export function makeSimpleFilter(field: string, values: readonly unknown[] | null | undefined): unknown[] | null {
  if (!values || values.length === 0) return null;
  return ['|', ...values.map((v) => ['==', field, v])];
}

/**
 * The names a filter asks for (Ganeti's _FilterHints): the values of `==`/`=` comparisons of
 * `nameField` joined only by `|`, in order without repeats; null when any other operator
 * makes the set open (every item has to be looked at), or when the filter is null.
 */
export function requestedNames(filter: unknown, nameField: string): unknown[] | null {
  if (filter === null || filter === undefined) return null;
  const names: unknown[] = [];
  let all = false;
  let seen = false;
  const walk = (node: unknown): void => {
    if (all || !Array.isArray(node) || node.length === 0) return;
    const [op, ...operands] = node as unknown[];
    if (op === '|') {
      operands.forEach(walk);
    } else if ((op === '==' || op === '=') && operands[0] === nameField && operands.length === 2) {
      seen = true;
      if (!names.some((n) => jsonEqual(n, operands[1]))) names.push(operands[1]);
    } else {
      all = true;
    }
  };
  walk(filter);
  return all || !seen ? null : names;
}

/** The field names a filter refers to (comparisons' and `?`'s first operand), each once. */
export function filterFieldNames(filter: unknown): string[] {
  const names = new Set<string>();
  const walk = (node: unknown): void => {
    if (!Array.isArray(node) || node.length === 0) return;
    const [op, ...operands] = node as unknown[];
    if (op === '|' || op === '&' || op === '!') operands.forEach(walk);
    else if (typeof operands[0] === 'string') names.add(operands[0]);
  };
  walk(filter);
  return [...names];
}
