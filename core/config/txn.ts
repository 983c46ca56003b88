import { randomUUID } from 'node:crypto';
import { GanetiError } from '../errors/index.js';
import {
  KIND_SINGULAR,
  OBJECT_KINDS,
  deepFreeze,
  type Cluster,
  type ConfigData,
  type DeepReadonly,
  type FrozenConfig,
  type ObjectKind,
  type ObjectKinds,
} from './objects.js';
import { objectProblem } from './schema.js';

/**
 * One change to the configuration, as handed to `ConfigStore.update(mutator)`.
 *
 * Reads see the snapshot the change started from plus what the change did so far. Writes go
 * through copies: `edit()` / `cluster()` return a mutable deep copy of the object (the same
 * copy on every call within the change), `add()` takes a copy of what it is given, `remove()`
 * drops an object. Nothing is visible outside until the store has written the file durably;
 * if the mutator throws, nothing is written. The change object is dead once the mutator
 * returns: using it later throws.
 */
export interface ConfigTxn {
  /** The configuration as this change sees it (read-only). */
  readonly data: FrozenConfig;
  get<K extends ObjectKind>(kind: K, uuid: string): DeepReadonly<ObjectKinds[K]> | undefined;
  /** A mutable copy of the cluster object, stored back when the change commits. */
  cluster(): Cluster;
  /** A mutable copy of an object; GNT_CONFIG_UNKNOWN_OBJECT if there is none. */
  edit<K extends ObjectKind>(kind: K, uuid: string): ObjectKinds[K];
  /**
   * Adds an object (a copy of `obj`): its `uuid` is generated if missing; `serial_no` becomes
   * 1 and `ctime`/`mtime` the commit time. GNT_CONFIG_EXISTS if the UUID is taken.
   */
  add<K extends ObjectKind>(kind: K, obj: Omit<ObjectKinds[K], 'uuid' | 'serial_no' | 'ctime' | 'mtime'> & { uuid?: string }): ObjectKinds[K];
  /** Removes an object; GNT_CONFIG_UNKNOWN_OBJECT if there is none. */
  remove(kind: ObjectKind, uuid: string): void;
}

type Obj = Record<string, unknown>;

/** What a committed change produced. */
export interface TxnResult {
  readonly data: FrozenConfig;
  readonly changed: boolean;
  /** One line per object changed, added or removed (`edited instance inst1.example.com`). */
  readonly summary: readonly string[];
}

export class Txn implements ConfigTxn {
  private open = true;
  private clusterCopy: Cluster | undefined;
  /** Collections copied on their first change (shallow: unchanged entries are shared). */
  private colls: Partial<Record<ObjectKind, Record<string, Obj>>> = {};
  private touched: Record<ObjectKind, Map<string, 'edit' | 'add'>> = emptyTouch();
  private removed: Record<ObjectKind, Map<string, Obj>> = emptyRemoved();

  constructor(private readonly base: FrozenConfig) {}

  get data(): FrozenConfig {
    this.alive();
    const view: Obj = { ...(this.base as unknown as Obj) };
    if (this.clusterCopy) view['cluster'] = this.clusterCopy;
    for (const k of OBJECT_KINDS) if (this.colls[k]) view[k] = this.colls[k];
    return view as unknown as FrozenConfig;
  }

  get<K extends ObjectKind>(kind: K, uuid: string): DeepReadonly<ObjectKinds[K]> | undefined {
    this.alive();
    const c = this.coll(kind);
    return Object.hasOwn(c, uuid) ? (c[uuid] as DeepReadonly<ObjectKinds[K]>) : undefined;
  }

  cluster(): Cluster {
    this.alive();
    this.clusterCopy ??= structuredClone(this.base.cluster) as Cluster;
    return this.clusterCopy;
  }

  edit<K extends ObjectKind>(kind: K, uuid: string): ObjectKinds[K] {
    this.alive();
    const c = this.coll(kind);
    if (!Object.hasOwn(c, uuid)) throw new GanetiError('GNT_CONFIG_UNKNOWN_OBJECT', { kind: KIND_SINGULAR[kind], id: uuid });
    if (!this.touched[kind].has(uuid)) {
      const w = this.writable(kind);
      w[uuid] = structuredClone(c[uuid]) as Obj;
      this.touched[kind].set(uuid, 'edit');
    }
    return this.writable(kind)[uuid] as unknown as ObjectKinds[K];
  }

  add<K extends ObjectKind>(kind: K, obj: Omit<ObjectKinds[K], 'uuid' | 'serial_no' | 'ctime' | 'mtime'> & { uuid?: string }): ObjectKinds[K] {
    this.alive();
    const copy = structuredClone(obj) as Obj;
    if (copy['uuid'] === undefined) copy['uuid'] = randomUUID();
    const id = copy['uuid'];
    if (typeof id !== 'string' || id === '') throw new GanetiError('GNT_CONFIG_INVALID', { what: `new ${KIND_SINGULAR[kind]}`, problem: 'uuid must be a non-empty string' });
    if (Object.hasOwn(this.coll(kind), id)) throw new GanetiError('GNT_CONFIG_EXISTS', { what: `${KIND_SINGULAR[kind]} with UUID ${id}` });
    this.writable(kind)[id] = copy;
    // Re-adding what this change removed replaces the old object: an edit.
    this.touched[kind].set(id, this.removed[kind].delete(id) ? 'edit' : 'add');
    return copy as unknown as ObjectKinds[K];
  }

  remove(kind: ObjectKind, uuid: string): void {
    this.alive();
    const c = this.coll(kind);
    if (!Object.hasOwn(c, uuid)) throw new GanetiError('GNT_CONFIG_UNKNOWN_OBJECT', { kind: KIND_SINGULAR[kind], id: uuid });
    const w = this.writable(kind);
    const was = this.touched[kind].get(uuid);
    this.touched[kind].delete(uuid);
    if (was !== 'add') this.removed[kind].set(uuid, (this.base as unknown as Record<string, Record<string, Obj>>)[kind]![uuid]!);
    delete w[uuid];
  }

  /** Ends the change: stamps, checks and freezes what changed; returns the new config. */
  commit(now: number): TxnResult {
    this.alive();
    this.open = false;
    const summary: string[] = [];
    const base = this.base as unknown as ConfigData;
    const next: Obj = { ...(base as unknown as Obj) };

    if (this.clusterCopy) {
      const c = this.clusterCopy as unknown as Obj;
      if (c['uuid'] !== base.cluster.uuid) invalid('cluster', `uuid is immutable (was ${base.cluster.uuid})`);
      c['serial_no'] = base.cluster.serial_no + 1;
      c['mtime'] = now;
      check('cluster', c, '/cluster', 'cluster');
      next['cluster'] = c;
      summary.push('edited cluster');
    }

    for (const kind of OBJECT_KINDS) {
      const w = this.colls[kind];
      if (!w) continue;
      const stamps = kind !== 'filters'; // Ganeti's filters have a UUID only
      for (const [id, how] of this.touched[kind]) {
        const o = w[id]!;
        const label = labelOf(kind, id, o);
        if (o['uuid'] !== id) invalid(label, `uuid is immutable (was ${id})`);
        if (how === 'edit') {
          const before = (base as unknown as Record<string, Record<string, Obj>>)[kind]![id]!;
          if (stamps) {
            o['serial_no'] = (typeof before['serial_no'] === 'number' ? before['serial_no'] : 0) + 1;
            o['mtime'] = now;
          }
        } else if (stamps) {
          o['serial_no'] = 1;
          if (typeof o['ctime'] !== 'number') o['ctime'] = now;
          o['mtime'] = now;
        }
        check(kind, o, `/${kind}/${id}`, label);
        summary.push(`${how === 'add' ? 'added' : 'edited'} ${label}`);
      }
      for (const [id, o] of this.removed[kind]) summary.push(`removed ${labelOf(kind, id, o)}`);
      next[kind] = w;
    }

    if (summary.length === 0) return { data: this.base, changed: false, summary };
    checkReferences(next as unknown as ConfigData, base, this.touched, this.removed, this.clusterCopy !== undefined);
    next['serial_no'] = base.serial_no + 1;
    next['mtime'] = now;
    // Freeze what is new: the changed objects deeply, the copied collections and the top
    // level shallowly (their other entries are shared with the base, frozen already).
    if (this.clusterCopy) deepFreeze(this.clusterCopy);
    for (const kind of OBJECT_KINDS) {
      const w = this.colls[kind];
      if (!w) continue;
      for (const id of this.touched[kind].keys()) deepFreeze(w[id]);
      Object.freeze(w);
    }
    return { data: Object.freeze(next) as unknown as FrozenConfig, changed: true, summary };
  }

  /** Called by the store when the mutator failed: the change is dropped. */
  abandon(): void {
    this.open = false;
  }

  private alive(): void {
    if (!this.open) throw new GanetiError('GNT_INTERNAL', { reason: 'a configuration change was used after its update() ended' });
  }

  private coll(kind: ObjectKind): Record<string, Obj> {
    return this.colls[kind] ?? ((this.base as unknown as Record<string, Record<string, Obj>>)[kind] as Record<string, Obj>);
  }

  private writable(kind: ObjectKind): Record<string, Obj> {
    let w = this.colls[kind];
    if (w === undefined) {
      // A key-by-key copy: about twice as fast as a spread for collections of 20,000 entries.
      const from = (this.base as unknown as Record<string, Record<string, Obj>>)[kind]!;
      w = {};
      for (const k in from) w[k] = from[k]!;
      this.colls[kind] = w;
    }
    return w;
  }
}

const emptyTouch = (): Record<ObjectKind, Map<string, 'edit' | 'add'>> =>
  Object.fromEntries(OBJECT_KINDS.map((k) => [k, new Map()])) as Record<ObjectKind, Map<string, 'edit' | 'add'>>;
const emptyRemoved = (): Record<ObjectKind, Map<string, Obj>> =>
  Object.fromEntries(OBJECT_KINDS.map((k) => [k, new Map()])) as Record<ObjectKind, Map<string, Obj>>;

function labelOf(kind: ObjectKind, id: string, o: Obj): string {
  return typeof o['name'] === 'string' && o['name'] !== '' ? `${KIND_SINGULAR[kind]} ${o['name']}` : `${KIND_SINGULAR[kind]} ${id}`;
}

function invalid(what: string, problem: string): never {
  throw new GanetiError('GNT_CONFIG_INVALID', { what, problem });
}

function check(kind: ObjectKind | 'cluster', o: Obj, path: string, label: string): void {
  const problem = objectProblem(kind, o, path);
  if (problem) invalid(label, problem);
}

/**
 * Checks the references and names of a whole configuration (for a new one: `initialize`).
 * Throws GNT_CONFIG_INVALID naming the first object at fault.
 */
export function checkAllReferences(data: ConfigData): void {
  const all = emptyTouch();
  for (const kind of OBJECT_KINDS) for (const id of Object.keys(data[kind])) all[kind].set(id, 'add');
  checkReferences(data, data, all, emptyRemoved(), true);
}

/**
 * References of what changed: a node's group, an instance's primary node, disks and NIC
 * networks, a disk's nodes, the master node; names unique among nodes, groups, instances and
 * networks; and nothing left pointing at a removed object. Cost: the changed objects, plus
 * one scan of the config when something was removed or renamed.
 */
function checkReferences(
  data: ConfigData,
  base: ConfigData,
  touched: Record<ObjectKind, Map<string, 'edit' | 'add'>>,
  removed: Record<ObjectKind, Map<string, Obj>>,
  clusterChanged: boolean,
): void {
  const has = (kind: ObjectKind, id: unknown) => typeof id === 'string' && Object.hasOwn(data[kind], id);
  const need = (label: string, field: string, kind: ObjectKind, id: unknown) => {
    if (!has(kind, id)) invalid(label, `${field} ${JSON.stringify(id)} is not a ${KIND_SINGULAR[kind]} of the configuration`);
  };
  if (clusterChanged || removed.nodes.size > 0) need('cluster', 'master_node', 'nodes', data.cluster.master_node);

  for (const id of touched.nodes.keys()) {
    const n = data.nodes[id]!;
    need(`node ${n.name}`, 'group', 'nodegroups', n.group);
  }
  for (const id of touched.instances.keys()) {
    const i = data.instances[id]!;
    const label = `instance ${i.name}`;
    need(label, 'primary_node', 'nodes', i.primary_node);
    for (const d of i.disks) need(label, 'disk', 'disks', d);
    for (const nic of i.nics) if (nic.network) need(label, 'NIC network', 'networks', nic.network);
  }
  for (const id of touched.disks.keys()) {
    const d = data.disks[id]!;
    for (const n of d.nodes) need(`disk ${id}`, 'node', 'nodes', n);
  }
  for (const id of touched.nodegroups.keys()) {
    const g = data.nodegroups[id]!;
    for (const net of Object.keys(g.networks)) need(`node group ${g.name}`, 'network', 'networks', net);
  }

  // Names are unique within their kind (they are what people type).
  for (const kind of ['nodes', 'nodegroups', 'instances', 'networks'] as const) {
    const names = new Map<string, string>();
    for (const [id, how] of touched[kind]) {
      const name = (data[kind][id] as { name: string }).name;
      if (how === 'add' || (base[kind][id] as { name: string }).name !== name) names.set(name, id);
    }
    if (names.size === 0) continue;
    for (const [id, o] of Object.entries(data[kind] as Record<string, { name: string }>)) {
      const other = names.get(o.name);
      if (other !== undefined && other !== id) invalid(`${KIND_SINGULAR[kind]} ${o.name}`, `the name is already used by ${KIND_SINGULAR[kind]} ${id}`);
    }
  }

  // Nothing may point at what was removed.
  if (removed.nodes.size > 0) {
    for (const i of Object.values(data.instances)) {
      if (removed.nodes.has(i.primary_node)) invalid(`instance ${i.name}`, `its primary node ${i.primary_node} would be removed`);
    }
    for (const [id, d] of Object.entries(data.disks)) {
      for (const n of d.nodes) if (removed.nodes.has(n)) invalid(`disk ${id}`, `its node ${n} would be removed`);
    }
  }
  if (removed.nodegroups.size > 0) {
    for (const n of Object.values(data.nodes)) if (removed.nodegroups.has(n.group)) invalid(`node ${n.name}`, `its group ${n.group} would be removed`);
  }
  if (removed.disks.size > 0) {
    for (const i of Object.values(data.instances)) {
      for (const d of i.disks) if (removed.disks.has(d)) invalid(`instance ${i.name}`, `its disk ${d} would be removed`);
    }
  }
  if (removed.networks.size > 0) {
    for (const i of Object.values(data.instances)) {
      for (const nic of i.nics) if (nic.network && removed.networks.has(nic.network)) invalid(`instance ${i.name}`, `a NIC is connected to network ${nic.network}, which would be removed`);
    }
    for (const g of Object.values(data.nodegroups)) {
      for (const net of Object.keys(g.networks)) if (removed.networks.has(net)) invalid(`node group ${g.name}`, `it is connected to network ${net}, which would be removed`);
    }
  }
}
