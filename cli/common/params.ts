import { GanetiError } from '../../core/errors/index.js';
import type { Params } from '../../core/contracts/params.js';

/**
 * Ganeti's `key=value,key=value` option syntax (-B, -N, --node-parameters); `no_key` and
 * `-key` mean false/none as in Ganeti. Types are left to the schema that checks the result.
 */
export function parseKeyValues(text: string | undefined, option: string): Params {
  if (!text) return {};
  const out: Params = {};
  for (const item of text.split(',')) {
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq > 0) out[item.slice(0, eq)] = item.slice(eq + 1);
    else if (item.startsWith('no_')) out[item.slice(3)] = false;
    else if (item.startsWith('-')) out[item.slice(1)] = null;
    else if (eq < 0) out[item] = true;
    else throw new GanetiError('GNT_CLI_INVALID_ARGUMENT', { reason: `${option}: '${item}' is not key=value` });
  }
  return out;
}

/** `-H hv:key=value,...` (repeatable) → `{hv: {key: value}}`. */
export function parseHvParams(values: readonly string[]): Record<string, Params> {
  const out: Record<string, Params> = {};
  for (const v of values) {
    const colon = v.indexOf(':');
    if (colon <= 0) throw new GanetiError('GNT_CLI_INVALID_ARGUMENT', { reason: `-H: '${v}' is not hypervisor:key=value,...` });
    out[v.slice(0, colon)] = { ...out[v.slice(0, colon)], ...parseKeyValues(v.slice(colon + 1), '-H') };
  }
  return out;
}

/** `-D template:key=value,...` (repeatable) → `{template: {key: value}}`. */
export function parseDiskParams(values: readonly string[]): Record<string, Params> {
  const out: Record<string, Params> = {};
  for (const v of values) {
    const colon = v.indexOf(':');
    if (colon <= 0) throw new GanetiError('GNT_CLI_INVALID_ARGUMENT', { reason: `-D: '${v}' is not template:key=value,...` });
    const template = v.slice(0, colon);
    out[template] = { ...out[template], ...parseKeyValues(v.slice(colon + 1), '-D') };
  }
  return out;
}
