import { randomBytes } from 'node:crypto';
import { GanetiError } from '../errors/index.js';

/** MAC addresses of new NICs (Ganeti's GenerateMAC): the cluster's or network's prefix plus three random bytes, unique in the cluster. */

const MAC_RE = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/;

export const isMac = (mac: string): boolean => MAC_RE.test(mac.toLowerCase());

export function generateMac(prefix: string, taken: ReadonlySet<string>): string {
  for (let i = 0; i < 64; i++) {
    const tail = [...randomBytes(3)].map((b) => b.toString(16).padStart(2, '0')).join(':');
    const mac = `${prefix.toLowerCase()}:${tail}`;
    if (!taken.has(mac)) return mac;
  }
  throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: 'nics', problem: `no free MAC address left with prefix ${prefix}` });
}
