import { pyStr } from '../common/luxi.js';

/**
 * Ganeti's PrintGenericInfo (lib/cli.py): the YAML-like layout of `gnt-job info`,
 * `gnt-instance info` and friends.
 *
 * - an ordered mapping (`InfoMap`) prints `key: value` lines in its order; entries sharing an
 *   alignment group get their values aligned;
 * - a plain object prints its keys sorted;
 * - a list prints `- item` lines;
 * - an `InlineTuple` of scalars prints `[a, b, c]`;
 * - anything else prints as Python's str().
 * Nested values indent by two spaces per level; an empty container prints nothing after its
 * key.
 */
export class InfoMap {
  constructor(readonly entries: readonly (readonly [key: string, value: unknown, group?: string])[]) {}
}

export class InlineTuple {
  constructor(readonly items: readonly unknown[]) {}
}

const BASE = '  ';

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof InfoMap) && !(v instanceof InlineTuple);

function serialize(out: string[], data: unknown, level: number, afterKey: boolean): void {
  if (isPlainObject(data) || (data instanceof InfoMap && data.entries.length > 0)) {
    const entries: readonly (readonly [string, unknown, string?])[] =
      data instanceof InfoMap ? data.entries : Object.keys(data).sort().map((k) => [k, data[k]] as const);
    if (entries.length === 0) {
      out.push('\n');
      return;
    }
    const widths = new Map<string, number>();
    for (const [key, , group] of entries) if (group !== undefined) widths.set(group, Math.max(widths.get(group) ?? 0, key.length));
    let indent = afterKey;
    if (afterKey) out.push('\n');
    for (const [key, value, group] of entries) {
      if (indent) out.push(BASE.repeat(level));
      else indent = true;
      out.push(`${key}: `);
      if (group !== undefined) out.push(' '.repeat(widths.get(group)! - key.length));
      serialize(out, value, level + 1, true);
    }
  } else if (data instanceof InlineTuple) {
    out.push(`[${data.items.map(pyStr).join(', ')}]\n`);
  } else if (Array.isArray(data) || data instanceof InfoMap) {
    const items = data instanceof InfoMap ? [] : data;
    if (items.length === 0) {
      out.push('\n');
      return;
    }
    let indent = afterKey;
    if (afterKey) out.push('\n');
    for (const item of items) {
      if (indent) out.push(BASE.repeat(level));
      else indent = true;
      out.push(`-${BASE.slice(1)}`);
      serialize(out, item, level + 1, false);
    }
  } else {
    out.push(`${pyStr(data)}\n`);
  }
}

/** The text PrintGenericInfo prints (without the final newline). */
export function formatGenericInfo(data: unknown): string {
  const out: string[] = [];
  serialize(out, data, 0, false);
  return out.join('').replace(/\n+$/, '');
}
