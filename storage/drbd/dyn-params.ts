/**
 * The per-node runtime values of a drbd disk (Ganeti's dyn_params). The logical id names
 * both ends by node UUID; which end is "here" and at what address depends on the node the
 * call goes to, so the master computes, for each node it sends a drbd disk to:
 *
 * - `local-ip`:  this node's secondary (replication) IP, or null for no network (standalone)
 * - `remote-ip`: the peer node's secondary IP, or null for no network
 * - `local-minor`:  this node's minor from the logical id (minorA on nodeA, minorB on nodeB)
 * - `remote-minor`: the peer's minor
 *
 * Both IPs are of the same family (v4 or v6). The port is the logical id's, the same on both
 * ends. `drbdDynParams` builds exactly this from the logical id; the node checks it again.
 */
import { isIP } from 'node:net';
import type { DiskSpec, LogicalId, Params } from '../../core/index.js';
import { invalidDisk, isMinor, parseDrbdId, type DrbdId } from './logical-id.js';

export const DDP_LOCAL_IP = 'local-ip';
export const DDP_REMOTE_IP = 'remote-ip';
export const DDP_LOCAL_MINOR = 'local-minor';
export const DDP_REMOTE_MINOR = 'remote-minor';

export interface DrbdDynParams {
  readonly [DDP_LOCAL_IP]: string | null;
  readonly [DDP_REMOTE_IP]: string | null;
  readonly [DDP_LOCAL_MINOR]: number;
  readonly [DDP_REMOTE_MINOR]: number;
}

/**
 * For the master: the dyn_params of drbd disk `logicalId` on node `nodeUuid`, given each
 * node's secondary IP (`ipOf`, null when the disk must stay without network).
 */
export function drbdDynParams(logicalId: LogicalId, nodeUuid: string, ipOf: (nodeUuid: string) => string | null): DrbdDynParams {
  const id = parseDrbdId(logicalId, String(nodeUuid));
  if (nodeUuid !== id.nodeA && nodeUuid !== id.nodeB) throw invalidDisk(nodeUuid, `node ${nodeUuid} is neither end of the mirror`);
  const here = nodeUuid === id.nodeA;
  return {
    [DDP_LOCAL_IP]: ipOf(here ? id.nodeA : id.nodeB),
    [DDP_REMOTE_IP]: ipOf(here ? id.nodeB : id.nodeA),
    [DDP_LOCAL_MINOR]: here ? id.minorA : id.minorB,
    [DDP_REMOTE_MINOR]: here ? id.minorB : id.minorA,
  };
}

/** This node's end of the mirror: addresses, port and minor, checked against the logical id. */
export interface DrbdEnd extends DrbdId {
  readonly minor: number;
  readonly remoteMinor: number;
  /** null when the device must run without network. */
  readonly net: { readonly family: 'ipv4' | 'ipv6'; readonly lhost: string; readonly rhost: string } | null;
}

export function drbdEnd(spec: DiskSpec): DrbdEnd {
  const id = parseDrbdId(spec.logicalId, spec.uuid);
  const dyn: Params = spec.dyn_params ?? {};
  const lhost = dyn[DDP_LOCAL_IP] ?? null;
  const rhost = dyn[DDP_REMOTE_IP] ?? null;
  const minor = dyn[DDP_LOCAL_MINOR];
  const remoteMinor = dyn[DDP_REMOTE_MINOR];
  if (!isMinor(minor) || !isMinor(remoteMinor))
    throw invalidDisk(spec.uuid, `dyn_params must give ${DDP_LOCAL_MINOR} and ${DDP_REMOTE_MINOR} (got ${JSON.stringify(dyn)})`);
  const pair = [minor, remoteMinor].sort((a, b) => a - b).join(',');
  if (pair !== [id.minorA, id.minorB].sort((a, b) => a - b).join(','))
    throw invalidDisk(spec.uuid, `dyn_params minors ${minor}/${remoteMinor} are not the logical id's ${id.minorA}/${id.minorB}`);
  if (lhost === null && rhost === null) return { ...id, minor, remoteMinor, net: null };
  if (typeof lhost !== 'string' || typeof rhost !== 'string' || isIP(lhost) === 0 || isIP(lhost) !== isIP(rhost))
    throw invalidDisk(spec.uuid, `${DDP_LOCAL_IP} and ${DDP_REMOTE_IP} must be IP addresses of one family (got ${JSON.stringify(lhost)}, ${JSON.stringify(rhost)})`);
  if (lhost === rhost) throw invalidDisk(spec.uuid, `local and remote address are both ${lhost}`);
  return { ...id, minor, remoteMinor, net: { family: isIP(lhost) === 6 ? 'ipv6' : 'ipv4', lhost, rhost } };
}
