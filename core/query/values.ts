/**
 * Values shared by query fields and filters: field kinds and the markers a getter returns
 * when an item has no value for a field.
 */

/** Field kinds (Ganeti's QFT_*), as they go over the wire. */
export const FIELD_KINDS = Object.freeze(['unknown', 'text', 'bool', 'number', 'float', 'unit', 'timestamp', 'other'] as const);
export type FieldKind = (typeof FIELD_KINDS)[number];

/** Getters return one of these instead of a value when there is none (RS_NODATA, RS_UNAVAIL, RS_OFFLINE). */
export const NODATA: unique symbol = Symbol('nodata');
export const UNAVAIL: unique symbol = Symbol('unavail');
export const OFFLINE: unique symbol = Symbol('offline');
export type NoValue = typeof NODATA | typeof UNAVAIL | typeof OFFLINE;
export const isNoValue = (v: unknown): v is NoValue => v === NODATA || v === UNAVAIL || v === OFFLINE;

/** Structural equality of JSON values (Python's `==` on decoded JSON). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}
