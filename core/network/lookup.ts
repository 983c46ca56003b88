import { GanetiError } from '../errors/index.js';
import type { DeepReadonly, FrozenConfig, Network } from '../config/index.js';

export type FrozenNetwork = DeepReadonly<Network>;

/** The network named (or with the UUID) `name`, or undefined (Ganeti's LookupNetwork). */
export function lookupNetwork(data: FrozenConfig, name: string): FrozenNetwork | undefined {
  return data.networks[name] ?? Object.values(data.networks).find((n) => n.name === name);
}

/** The network, or GNT_NETWORK_NOT_FOUND naming the field. */
export function requireNetwork(data: FrozenConfig, name: string, field = 'network_name'): FrozenNetwork {
  const n = lookupNetwork(data, name);
  if (!n) throw new GanetiError('GNT_NETWORK_NOT_FOUND', { field, name });
  return n;
}

/** Ganeti's NormalizeAndValidateThreeOctetMacPrefix: `aa:bb:cc`, lower-cased. */
export function normalizeMacPrefix(value: string, field = 'mac_prefix'): string {
  if (!/^[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$/i.test(value)) throw new GanetiError('GNT_NETWORK_INVALID', { field, value, problem: 'is not a MAC prefix of three hex octets (aa:bb:cc)' });
  return value.toLowerCase();
}

/** Ganeti's VALUE_NONE: in a modification, clears an optional field. */
export const isNoneValue = (v: string | null | undefined): boolean => typeof v === 'string' && v.toLowerCase() === 'none';
