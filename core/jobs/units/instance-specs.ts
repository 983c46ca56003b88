import { isIP } from 'node:net';
import { GanetiError } from '../../errors/index.js';
import type { FrozenConfig, Nic, ParamDict } from '../../config/index.js';
import type { PluginHost } from '../../plugin-host/host.js';
import type { Params } from '../../contracts/params.js';
import { checkDiskOwnParams } from '../../storage/disk-params.js';
import { mergeNicparams } from '../../cluster/params.js';
import { generateMac, isMac } from '../../instance/mac.js';
import { isPoolIp } from '../../network/nic-addresses.js';

/**
 * Ganeti's disk and NIC spec dicts of instance opcodes (`--disk N:size=..,mode=..`,
 * `--net N:mac=..,ip=..,mode=..,link=..`), checked and normalised before anything is made.
 */

/** Disk spec keys that are not disk parameters (they go into the logical id or the disk object). */
const DISK_SPEC_KEYS = ['size', 'mode', 'vg', 'provider', 'adopt', 'spindles', 'name', 'metavg'] as const;

export interface DiskRequest {
  readonly size: number;
  readonly mode: 'rw' | 'ro';
  readonly name: string | null;
  readonly vg?: string;
  readonly provider?: string;
  readonly adopt?: string;
  readonly spindles?: number;
  readonly params: Params;
}

export function checkDiskSpecs(host: PluginHost, template: string, disks: readonly Readonly<Record<string, unknown>>[]): DiskRequest[] {
  if (template === 'diskless') {
    if (disks.length > 0) throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: 'disks', problem: 'a diskless instance takes no disks' });
    return [];
  }
  if (disks.length === 0) throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: 'disks', problem: `a ${template} instance needs at least one disk (--disk 0:size=SIZE)` });
  return disks.map((d, i) => {
    const field = `disks[${i}]`;
    const size = d['size'];
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 1)
      throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: `${field}.size`, problem: `must be a whole number of MiB above 0, not ${JSON.stringify(size)}` });
    const mode = d['mode'] ?? 'rw';
    if (mode !== 'rw' && mode !== 'ro') throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: `${field}.mode`, problem: `must be rw or ro, not ${JSON.stringify(mode)}` });
    const str = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : undefined);
    const rest = Object.fromEntries(Object.entries(d).filter(([k]) => !(DISK_SPEC_KEYS as readonly string[]).includes(k)));
    const params = checkDiskOwnParams(host, template, rest);
    return {
      size, mode, name: str('name') ?? null, params,
      ...(str('vg') ? { vg: str('vg')! } : {}), ...(str('provider') ? { provider: str('provider')! } : {}),
      ...(str('adopt') ? { adopt: str('adopt')! } : {}), ...(typeof d['spindles'] === 'number' ? { spindles: d['spindles'] } : {}),
    };
  });
}

const NIC_KEYS = new Set(['mac', 'ip', 'mode', 'link', 'vlan', 'network', 'name']);

/** NIC specs → config NICs (MACs generated for `auto`/missing, networks by name or UUID). */
export function buildNics(data: FrozenConfig, nics: readonly Readonly<Record<string, unknown>>[], taken: Set<string>, uuid: () => string): Nic[] {
  return nics.map((n, i) => {
    const field = `nics[${i}]`;
    for (const k of Object.keys(n)) if (!NIC_KEYS.has(k)) throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: `${field}.${k}`, problem: `unknown NIC parameter (known: ${[...NIC_KEYS].join(', ')})` });
    let network: string | null = null;
    if (typeof n['network'] === 'string' && n['network'] !== '' && n['network'].toLowerCase() !== 'none') {
      const net = data.networks[n['network']] ?? Object.values(data.networks).find((x) => x.name === n['network']);
      if (!net) throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: `${field}.network`, problem: `network '${String(n['network'])}' does not exist` });
      network = net.uuid;
    }
    const ip = typeof n['ip'] === 'string' && n['ip'] !== '' && n['ip'].toLowerCase() !== 'none' ? n['ip'] : null;
    // --- networks (core/network): ip=pool is resolved from the network's pool by nic-addresses.ts
    if (ip !== null && isIP(ip) === 0 && !isPoolIp(ip)) throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: `${field}.ip`, problem: `'${ip}' is not an IP address (nor pool)` });
    let mac = typeof n['mac'] === 'string' ? n['mac'].toLowerCase() : 'auto';
    if (mac === 'auto' || mac === 'generate') {
      const prefix = (network ? data.networks[network]?.mac_prefix : null) ?? data.cluster.mac_prefix;
      mac = generateMac(prefix, taken);
    } else if (!isMac(mac)) {
      throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: `${field}.mac`, problem: `'${mac}' is not a MAC address (aa:bb:cc:dd:ee:ff or auto)` });
    } else if (taken.has(mac)) {
      throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: `${field}.mac`, problem: `MAC address ${mac} is already in use in the cluster` });
    }
    taken.add(mac);
    const own: ParamDict = {};
    for (const k of ['mode', 'link', 'vlan'] as const) if (typeof n[k] === 'string') own[k] = n[k] as string;
    mergeNicparams(`NIC ${i}`, { ...(data.cluster.nicparams['default'] ?? {}) }, own); // refuses bad modes, a bridge without a link
    return { uuid: uuid(), mac, ip, network, name: typeof n['name'] === 'string' ? n['name'] : null, nicparams: own };
  });
}

/** MACs in use in the cluster. */
export const usedMacs = (data: FrozenConfig): Set<string> => new Set(Object.values(data.instances).flatMap((i) => i.nics.map((n) => n.mac.toLowerCase())));
