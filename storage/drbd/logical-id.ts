/**
 * The logical id of a drbd disk (interfaces §10.1): `[nodeA, nodeB, port, minorA, minorB,
 * secret]`. nodeA/nodeB are node UUIDs, `port` the TCP port both ends listen on (from the
 * cluster's tcpudp_port_pool), the minors are each node's /dev/drbdN, the secret the
 * shared HMAC secret of the pair. The id comes from the master, so it is checked here.
 */
import { GanetiError, type DiskSpec, type LogicalId } from '../../core/index.js';

export const TEMPLATE = 'drbd';
/** drbdsetup 8.4 accepts minors up to 2^20 - 1. */
export const MAX_MINOR = 1048575;
/** drbdsetup's limit on --shared-secret. */
export const MAX_SECRET_LENGTH = 64;

export interface DrbdId {
  readonly nodeA: string;
  readonly nodeB: string;
  readonly port: number;
  readonly minorA: number;
  readonly minorB: number;
  readonly secret: string;
}

export const isMinor = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_MINOR;
export const isPort = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0 && (v as number) < 65536;

export const invalidDisk = (disk: string, reason: string): GanetiError =>
  new GanetiError('GNT_DISK_SPEC_INVALID', { template: TEMPLATE, disk, reason });

export function parseDrbdId(id: LogicalId, disk: string): DrbdId {
  if (!Array.isArray(id) || id.length !== 6)
    throw invalidDisk(disk, `the logical id must be [nodeA, nodeB, port, minorA, minorB, secret], not ${JSON.stringify(id)}`);
  const [nodeA, nodeB, port, minorA, minorB, secret] = id as unknown[];
  if (typeof nodeA !== 'string' || nodeA === '' || typeof nodeB !== 'string' || nodeB === '')
    throw invalidDisk(disk, 'nodeA and nodeB of the logical id must be node UUIDs');
  if (nodeA === nodeB) throw invalidDisk(disk, `both ends of the mirror are node ${nodeA}`);
  if (!isPort(port)) throw invalidDisk(disk, `port ${JSON.stringify(port)} is not a TCP port`);
  if (!isMinor(minorA) || !isMinor(minorB))
    throw invalidDisk(disk, `minors ${JSON.stringify(minorA)}, ${JSON.stringify(minorB)} must be whole numbers 0..${MAX_MINOR}`);
  if (typeof secret !== 'string' || secret.length > MAX_SECRET_LENGTH || /[\s\0]/.test(secret))
    throw invalidDisk(disk, `the shared secret must be a string of at most ${MAX_SECRET_LENGTH} characters without blanks`);
  return { nodeA, nodeB, port, minorA, minorB, secret };
}

export const drbdId = (spec: DiskSpec): DrbdId => parseDrbdId(spec.logicalId, spec.uuid);
