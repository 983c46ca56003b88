import { GanetiError } from '../errors/index.js';
import type { DeepReadonly, Disk, FrozenConfig, Instance, Node, NodeGroup } from '../config/objects.js';
import { niceSort, niceSortBy } from '../config/nicesort.js';
import { FieldTable, NODATA, OFFLINE, UNAVAIL, commonObjectFields, isNoValue, type NoValue, type QueryField, type QueryResult } from './fields.js';
import { filterFieldNames, requestedNames } from './filter.js';

/**
 * The `node` query resource (Ganeti's node fields, lib/query.py and Query/Node.hs): names,
 * titles and kinds as Ganeti has them. Config fields are computed from a config snapshot;
 * live fields (memory, disk, CPUs) come from the node daemons through a `NodeLiveProvider`
 * (node-live.ts fills one from a node_info fan-out; without one, "no data").
 */

type FrozenNode = DeepReadonly<Node>;
type FrozenGroup = DeepReadonly<NodeGroup>;
type FrozenInstance = DeepReadonly<Instance>;
type FrozenDisk = DeepReadonly<Disk>;

/**
 * Live values of one node, as the node daemon's node_info reports them: keys are the live
 * fields' names (`mtotal`, `dfree`, `ctotal`, ...). A missing (or null) key shows as "no
 * data"; a marker stands for the whole node (OFFLINE for an offline node, NODATA when the
 * node did not answer, UNAVAIL when it cannot have such data).
 */
export type NodeLiveValues = Readonly<Record<string, unknown>> | NoValue;

/** Where live node data comes from (the seam for the node_info RPC). */
export type NodeLiveProvider = (node: FrozenNode) => NodeLiveValues;

/**
 * The live provider when no node was asked: offline nodes are offline (status 4, as Ganeti
 * answers); every other node has no data (status 2).
 */
export const noLiveData: NodeLiveProvider = (node) => (node.offline ? OFFLINE : NODATA);

/** What every node row shares: the config and the instance maps computed from it once. */
export interface NodeQueryContext {
  readonly config: FrozenConfig;
  readonly masterUuid: string;
  /** node UUID → names of instances with the node as primary */
  readonly primaries: ReadonlyMap<string, string[]>;
  /** node UUID → names of instances with the node as secondary */
  readonly secondaries: ReadonlyMap<string, string[]>;
  readonly live: NodeLiveProvider;
}

export interface NodeRow {
  readonly node: FrozenNode;
  readonly ctx: NodeQueryContext;
}

/** The nodes of a disk tree that a DRBD device mirrors to (logical_id's first two entries). */
function drbdNodes(disk: FrozenDisk, out: Set<string>): void {
  if (disk.dev_type === 'drbd' || disk.dev_type === 'drbd8') {
    for (const n of disk.logical_id.slice(0, 2)) if (typeof n === 'string') out.add(n);
  }
  for (const child of disk.children ?? []) drbdNodes(child, out);
}

/** An instance's secondary nodes: the DRBD peers of its disks, without its primary. */
export function instanceSecondaryNodes(config: FrozenConfig, instance: FrozenInstance): string[] {
  const nodes = new Set<string>();
  for (const uuid of instance.disks) {
    const disk = config.disks[uuid];
    if (disk) drbdNodes(disk, nodes);
  }
  nodes.delete(instance.primary_node);
  return [...nodes];
}

/** The shared part of node rows for one config snapshot. */
export function nodeQueryContext(config: FrozenConfig, live: NodeLiveProvider = noLiveData): NodeQueryContext {
  const primaries = new Map<string, string[]>();
  const secondaries = new Map<string, string[]>();
  const add = (map: Map<string, string[]>, node: string, name: string) => {
    const list = map.get(node);
    if (list) list.push(name);
    else map.set(node, [name]);
  };
  for (const inst of Object.values(config.instances)) {
    add(primaries, inst.primary_node, inst.name);
    for (const s of instanceSecondaryNodes(config, inst)) add(secondaries, s, inst.name);
  }
  return { config, masterUuid: config.cluster.master_node, primaries, secondaries, live };
}

/** Ganeti's fillParams: `base` overridden by `custom`, key by key (not deep). */
export const fillParams = (base: object | undefined, custom: object | undefined): Record<string, unknown> => ({ ...(base ?? {}), ...(custom ?? {}) });

/** Ganeti's node role letter: M master, C candidate, D drained, O offline, R regular. */
export function nodeRole(node: Pick<FrozenNode, 'uuid' | 'master_candidate' | 'drained' | 'offline'>, masterUuid: string): 'M' | 'C' | 'D' | 'O' | 'R' {
  if (node.uuid === masterUuid) return 'M';
  if (node.master_candidate) return 'C';
  if (node.drained) return 'D';
  if (node.offline) return 'O';
  return 'R';
}

const groupOf = (r: NodeRow): FrozenGroup | undefined => r.ctx.config.nodegroups[r.node.group];

/** The node's parameters: cluster's, overridden by its group's, overridden by its own. */
export function nodeNdParams(r: NodeRow): Record<string, unknown> | typeof NODATA {
  const group = groupOf(r);
  return group ? fillParams(r.ctx.config.cluster.ndparams, fillParams(group.ndparams, r.node.ndparams)) : NODATA;
}

const liveField =
  (name: string) =>
  (r: NodeRow): unknown => {
    const values = r.ctx.live(r.node);
    if (isNoValue(values)) return values;
    const v = values[name];
    return v === undefined || v === null ? NODATA : v;
  };

const ROLE_DOC = 'Role letter: M master, C master candidate, R regular, D drained, O offline';

const LIVE_FIELDS: readonly (readonly [name: string, title: string, kind: 'text' | 'number' | 'unit', doc: string])[] = [
  ['bootid', 'BootID', 'text', 'Changes whenever the node boots; compare values to notice reboots'],
  ['cnodes', 'CNodes', 'number', 'NUMA domains, when the hypervisor reports them'],
  ['cnos', 'CNOs', 'number', 'Logical CPUs kept for the node itself (dom0 under Xen)'],
  ['csockets', 'CSockets', 'number', 'CPU sockets, when the hypervisor reports them'],
  ['ctotal', 'CTotal', 'number', 'Logical CPUs in the node'],
  ['dfree', 'DFree', 'unit', 'Free space in the default storage unit'],
  ['dtotal', 'DTotal', 'unit', 'Size of the default storage unit that instance disks are taken from'],
  ['spfree', 'SpFree', 'number', 'Free spindles of the volume group (with exclusive storage)'],
  ['sptotal', 'SpTotal', 'number', 'All spindles of the volume group (with exclusive storage)'],
  ['mfree', 'MFree', 'unit', 'Memory left for new instances'],
  ['mnode', 'MNode', 'unit', 'Memory the node itself uses (dom0 under Xen)'],
  ['mtotal', 'MTotal', 'unit', 'Memory of the machine'],
];

/** Names of the fields that need the node daemon. */
export const NODE_LIVE_FIELD_NAMES: readonly string[] = Object.freeze(LIVE_FIELDS.map((f) => f[0]));

const FIELDS: QueryField<NodeRow>[] = [
  { name: 'drained', title: 'Drained', kind: 'bool', doc: 'Whether node is drained', get: (r) => r.node.drained },
  { name: 'master_candidate', title: 'MasterC', kind: 'bool', doc: 'Whether node is a master candidate', get: (r) => r.node.master_candidate },
  { name: 'master_capable', title: 'MasterCapable', kind: 'bool', doc: 'Whether node can become a master candidate', get: (r) => r.node.master_capable },
  { name: 'name', title: 'Node', kind: 'text', doc: 'Node name', get: (r) => r.node.name },
  { name: 'offline', title: 'Offline', kind: 'bool', doc: 'Whether node is marked offline', get: (r) => r.node.offline },
  { name: 'vm_capable', title: 'VMCapable', kind: 'bool', doc: 'Whether node can host instances', get: (r) => r.node.vm_capable },
  { name: 'pip', title: 'PrimaryIP', kind: 'text', doc: 'Primary IP address', get: (r) => r.node.primary_ip },
  { name: 'sip', title: 'SecondaryIP', kind: 'text', doc: 'Secondary IP address', get: (r) => r.node.secondary_ip },
  { name: 'master', title: 'IsMaster', kind: 'bool', doc: 'Whether node is master', get: (r) => r.node.uuid === r.ctx.masterUuid },
  { name: 'group', title: 'Group', kind: 'text', doc: 'Node group', get: (r) => groupOf(r)?.name ?? NODATA },
  { name: 'group.uuid', title: 'GroupUUID', kind: 'text', doc: 'UUID of node group', get: (r) => r.node.group },
  { name: 'ndparams', title: 'NodeParameters', kind: 'other', doc: 'Merged node parameters', get: nodeNdParams },
  { name: 'custom_ndparams', title: 'CustomNodeParameters', kind: 'other', doc: 'Custom node parameters', get: (r) => r.node.ndparams },
  {
    name: 'pinst_cnt',
    title: 'Pinst',
    kind: 'number',
    doc: 'Number of instances with this node as primary',
    get: (r) => r.ctx.primaries.get(r.node.uuid)?.length ?? 0,
  },
  {
    name: 'sinst_cnt',
    title: 'Sinst',
    kind: 'number',
    doc: 'Number of instances with this node as secondary',
    get: (r) => r.ctx.secondaries.get(r.node.uuid)?.length ?? 0,
  },
  {
    name: 'pinst_list',
    title: 'PriInstances',
    kind: 'other',
    doc: 'List of instances with this node as primary',
    get: (r) => niceSort(r.ctx.primaries.get(r.node.uuid) ?? []),
  },
  {
    name: 'sinst_list',
    title: 'SecInstances',
    kind: 'other',
    doc: 'List of instances with this node as secondary',
    get: (r) => niceSort(r.ctx.secondaries.get(r.node.uuid) ?? []),
  },
  { name: 'role', title: 'Role', kind: 'text', doc: ROLE_DOC, get: (r) => nodeRole(r.node, r.ctx.masterUuid) },
  {
    name: 'powered',
    title: 'Powered',
    kind: 'bool',
    doc: 'Whether node is thought to be powered on',
    // only nodes with an out-of-band program know their power state
    get: (r) => {
      const nd = nodeNdParams(r);
      if (nd === NODATA) return NODATA;
      return typeof nd['oob_program'] === 'string' && nd['oob_program'] !== '' ? r.node.powered : UNAVAIL;
    },
  },
  // declared by Ganeti for parity, not filled in (the resource model is unfinished there too)
  { name: 'hv_state', title: 'HypervisorState', kind: 'other', doc: 'Hypervisor state', get: () => UNAVAIL },
  { name: 'disk_state', title: 'DiskState', kind: 'other', doc: 'Disk state', get: () => UNAVAIL },
  ...LIVE_FIELDS.map(([name, title, kind, doc]): QueryField<NodeRow> => ({ name, title, kind, doc, get: liveField(name) })),
  ...commonObjectFields<NodeRow>('Node', (r) => r.node),
];

/** The node resource's fields. */
export const NODE_QUERY_FIELDS = new FieldTable<NodeRow>('node', FIELDS);

// --- looking up names as Ganeti does (Config.getItem / lookupName) ---

/**
 * Finds an item by UUID, else by name: an exact name, or a unique name that starts with
 * `name.` (so `node1` finds `node1.example.org`). Throws GNT_QUERY_UNKNOWN_NAME otherwise.
 */
export function lookupItem<T extends { readonly uuid: string; readonly name: string }>(kind: string, items: Readonly<Record<string, T>>, name: string): T {
  const byUuid = Object.hasOwn(items, name) ? items[name] : undefined;
  if (byUuid) return byUuid;
  const all = Object.values(items);
  const exact = all.find((i) => i.name === name);
  if (exact) return exact;
  const partial = all.filter((i) => i.name.startsWith(`${name}.`));
  if (partial.length === 1) return partial[0]!;
  throw new GanetiError('GNT_QUERY_UNKNOWN_NAME', { kind, name, problem: partial.length > 1 ? 'has multiple matches' : 'not found' });
}

/**
 * Rewrites the `==`/`=` comparisons of the name field so they name the item's full name
 * (Ganeti compares host names by their first components, QFF_HOSTNAME): `node1` matches
 * `node1.example.org`. Names that find no item are left as they are.
 */
export function canonicalNames(qfilter: unknown, field: string, resolve: (name: string) => string | null): unknown {
  if (!Array.isArray(qfilter) || qfilter.length === 0) return qfilter;
  const [op, ...operands] = qfilter as unknown[];
  if ((op === '==' || op === '=') && operands.length === 2 && operands[0] === field && typeof operands[1] === 'string') {
    const full = resolve(operands[1]);
    return full === null ? qfilter : [op, field, full];
  }
  if (op === '|' || op === '&' || op === '!') return [op, ...operands.map((o) => canonicalNames(o, field, resolve))];
  return qfilter;
}

/** Items in order, each once (a node may be named by its full name, short name and UUID). */
export const uniqueByUuid = <T extends { readonly uuid: string }>(items: readonly T[]): T[] => {
  const seen = new Set<string>();
  return items.filter((i) => !seen.has(i.uuid) && seen.add(i.uuid));
};

const tryResolve =
  <T extends { readonly uuid: string; readonly name: string }>(items: Readonly<Record<string, T>>) =>
  (name: string): string | null => {
    try {
      return lookupItem('', items, name).name;
    } catch {
      return null;
    }
  };

/** The nodes a query looks at: those a filter names, in the order named, else all by name. */
function selectNodes(config: FrozenConfig, qfilter: unknown): FrozenNode[] {
  const wanted = requestedNames(qfilter, 'name');
  return wanted === null
    ? niceSortBy(Object.values(config.nodes), (n) => n.name)
    : uniqueByUuid(wanted.map((n) => lookupItem('Node', config.nodes, String(n))));
}

/**
 * Answers Query('node', fields, qfilter) on a config snapshot: nodes a filter names (by
 * name, short name or UUID) in the order named, an unknown one being an error
 * (GNT_QUERY_UNKNOWN_NAME); otherwise every node, sorted by name.
 */
export function queryNodes(config: FrozenConfig, fields: readonly string[], qfilter: unknown, live: NodeLiveProvider = noLiveData): QueryResult {
  const ctx = nodeQueryContext(config, live);
  const nodes = selectNodes(config, qfilter);
  const filter = canonicalNames(qfilter, 'name', tryResolve(config.nodes));
  return NODE_QUERY_FIELDS.query(fields, filter, nodes.map((node) => ({ node, ctx })));
}

/** Whether a query needs the node daemons: a live field is shown or filtered on. */
export function needsLiveData(fields: readonly string[], qfilter: unknown): boolean {
  const live = new Set(NODE_LIVE_FIELD_NAMES);
  return fields.some((f) => live.has(f)) || filterFieldNames(qfilter).some((f) => live.has(f));
}

/**
 * queryNodes with live data: when a live field is wanted, `fetch` is asked once for the
 * nodes the query looks at (unknown names fail first, before any RPC); otherwise no node is
 * contacted.
 */
export async function queryNodesLive(
  config: FrozenConfig,
  fields: readonly string[],
  qfilter: unknown,
  fetch: (nodes: readonly FrozenNode[]) => Promise<NodeLiveProvider>,
): Promise<QueryResult> {
  if (!needsLiveData(fields, qfilter)) return queryNodes(config, fields, qfilter);
  return queryNodes(config, fields, qfilter, await fetch(selectNodes(config, qfilter)));
}
