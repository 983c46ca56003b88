/**
 * The shape of a drbd disk as the master builds it (interfaces §10.1): a drbd device over two
 * plain LVs (data, and 128 MiB of DRBD metadata) on each of two nodes, with logical id
 * `[nodeA, nodeB, port, minorA, minorB, secret]`. The master picks the port and the minors;
 * what differs per node (own and peer address and minor) travels as `dynamic_params`
 * (Ganeti's dyn_params), computed for the node a call goes to.
 */
import { randomBytes } from 'node:crypto';
import type { DeepReadonly, Disk, FrozenConfig, ParamDict } from '../config/index.js';
import type { Params } from '../contracts/params.js';
import { GanetiError } from '../errors/index.js';

export const DRBD_TEMPLATE = 'drbd';
/** Ganeti's DRBD_META_SIZE (MiB). */
export const DRBD_META_SIZE = 128;
/** Ganeti's FIRST_DRBD_PORT .. LAST_DRBD_PORT. */
export const FIRST_DRBD_PORT = 11000;
export const LAST_DRBD_PORT = 14999;

type FrozenDisk = DeepReadonly<Disk>;

export interface DrbdIdParts {
  readonly nodeA: string;
  readonly nodeB: string;
  readonly port: number;
  readonly minorA: number;
  readonly minorB: number;
  readonly secret: string;
}

export const drbdIdParts = (d: Pick<FrozenDisk, 'logical_id'>): DrbdIdParts => {
  const [nodeA, nodeB, port, minorA, minorB, secret] = d.logical_id as [string, string, number, number, number, string];
  return { nodeA, nodeB, port, minorA, minorB, secret };
};

/** Every drbd disk of the config, children of nothing (drbd disks are top-level). */
const drbdDisks = (data: FrozenConfig): FrozenDisk[] => Object.values(data.disks).filter((d) => d.dev_type === DRBD_TEMPLATE);

/**
 * Minors and ports handed out but not yet in the config (a create or replace-disks between
 * picking them and writing the config). Jobs on different instances run side by side, so
 * without this two of them could pick the same minor.
 */
const reservedMinors = new Map<string, Set<number>>();
const reservedPorts = new Set<number>();

export interface DrbdReservation {
  readonly minors: ReadonlyMap<string, readonly number[]>;
  readonly ports: readonly number[];
  release(): void;
}

/** The lowest free minor on each node asked for (`count` per occurrence), and `ports` free ports; reserved until `release`. */
export function reserveDrbd(data: FrozenConfig, nodes: readonly string[], ports: number): DrbdReservation {
  const used = new Map<string, Set<number>>();
  const mark = (n: string, m: number) => (used.get(n) ?? used.set(n, new Set()).get(n)!).add(m);
  for (const d of drbdDisks(data)) {
    const id = drbdIdParts(d);
    mark(id.nodeA, id.minorA);
    mark(id.nodeB, id.minorB);
  }
  for (const [n, ms] of reservedMinors) for (const m of ms) mark(n, m);
  const minors = new Map<string, number[]>();
  for (const n of nodes) {
    let m = 0;
    while (used.get(n)?.has(m)) m++;
    mark(n, m);
    (minors.get(n) ?? minors.set(n, []).get(n)!).push(m);
  }
  const usedPorts = new Set<number>([...drbdDisks(data).map((d) => drbdIdParts(d).port), ...reservedPorts]);
  const got: number[] = [];
  let p = Math.max(FIRST_DRBD_PORT, data.cluster.highest_used_port + 1);
  const pool = [...data.cluster.tcpudp_port_pool].filter((x) => !usedPorts.has(x));
  while (got.length < ports) {
    const fromPool = pool.shift();
    if (fromPool !== undefined) {
      got.push(fromPool);
      continue;
    }
    while (usedPorts.has(p)) p++;
    if (p > LAST_DRBD_PORT) throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: 'disks', problem: `no free drbd port left (${FIRST_DRBD_PORT}-${LAST_DRBD_PORT})` });
    got.push(p++);
  }
  for (const [n, ms] of minors) for (const m of ms) (reservedMinors.get(n) ?? reservedMinors.set(n, new Set()).get(n)!).add(m);
  for (const x of got) reservedPorts.add(x);
  let released = false;
  return {
    minors,
    ports: got,
    release() {
      if (released) return;
      released = true;
      for (const [n, ms] of minors) for (const m of ms) reservedMinors.get(n)?.delete(m);
      for (const x of got) reservedPorts.delete(x);
    },
  };
}

/** A shared secret for a new pair (Ganeti: random hex of DRBD_SECRET's length). */
export const drbdSecret = (): string => randomBytes(16).toString('hex');

export interface NewDrbdDisk {
  readonly uuid: string;
  readonly index: number;
  readonly size: number;
  readonly mode: 'rw' | 'ro';
  readonly name: string | null;
  readonly params: ParamDict;
  readonly pnode: string;
  readonly snode: string;
  readonly port: number;
  readonly pminor: number;
  readonly sminor: number;
  readonly secret: string;
  readonly vg: string;
  readonly metavg: string;
  /** Unique part of the children's LV names (a fresh one for replace-disks' new LVs). */
  readonly lvPrefix?: string;
}

/** The two LVs of one side: data and meta, named `<prefix>.disk<N>_data|_meta` (Ganeti's names). */
export function drbdChildren(o: Pick<NewDrbdDisk, 'uuid' | 'index' | 'size' | 'pnode' | 'snode' | 'vg' | 'metavg' | 'lvPrefix'>, now: number): Disk[] {
  const base = `${o.lvPrefix ?? o.uuid}.disk${o.index}`;
  const child = (suffix: string, vg: string, size: number): Disk => ({
    uuid: `${o.uuid}-${suffix}`, dev_type: 'plain', logical_id: [vg, `${base}_${suffix}`], nodes: [o.pnode, o.snode], size, params: {},
    serial_no: 1, ctime: now, mtime: now,
  });
  return [child('data', o.vg, o.size), child('meta', o.metavg, DRBD_META_SIZE)];
}

export function newDrbdDisk(o: NewDrbdDisk): Disk {
  const now = Date.now() / 1000;
  return {
    uuid: o.uuid, name: o.name, dev_type: DRBD_TEMPLATE, iv_name: `disk/${o.index}`, size: o.size, mode: o.mode, params: o.params,
    logical_id: [o.pnode, o.snode, o.port, o.pminor, o.sminor, o.secret], nodes: [o.pnode, o.snode],
    children: drbdChildren(o, now), serial_no: 1, ctime: now, mtime: now,
  };
}

/**
 * The dyn_params of drbd disk `d` on node `nodeUuid`: own and peer replication address (the
 * nodes' secondary IPs) and minor. `standalone` leaves the addresses out (a device brought
 * up without its peer, as replace-disks does on a new secondary).
 */
export function drbdDynamicParams(data: FrozenConfig, d: Pick<FrozenDisk, 'logical_id'>, nodeUuid: string, standalone = false): Params {
  const id = drbdIdParts(d);
  const here = nodeUuid === id.nodeA;
  if (!here && nodeUuid !== id.nodeB) throw new GanetiError('GNT_DISK_SPEC_INVALID', { template: DRBD_TEMPLATE, disk: String(id.port), reason: `node ${nodeUuid} is neither end of the mirror` });
  const ip = (n: string) => data.nodes[n]?.secondary_ip ?? data.nodes[n]?.primary_ip ?? null;
  return {
    'local-ip': standalone ? null : ip(here ? id.nodeA : id.nodeB),
    'remote-ip': standalone ? null : ip(here ? id.nodeB : id.nodeA),
    'local-minor': here ? id.minorA : id.minorB,
    'remote-minor': here ? id.minorB : id.minorA,
  };
}
