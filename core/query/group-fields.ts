import type { DeepReadonly, FrozenConfig, NodeGroup } from '../config/objects.js';
import { niceSort, niceSortBy } from '../config/nicesort.js';
import { FieldTable, UNAVAIL, commonObjectFields, type QueryField, type QueryResult } from './fields.js';
import { requestedNames } from './filter.js';
import { canonicalNames, fillParams, lookupItem, uniqueByUuid } from './node-fields.js';

/**
 * The `group` query resource (Ganeti's node group fields, lib/query.py and
 * Query/Group.hs): names, titles and kinds as Ganeti has them, all computed from a config
 * snapshot. `networks` (the group's connected networks and their NIC parameters) is ours.
 */

type FrozenGroup = DeepReadonly<NodeGroup>;

/** What every group row shares: the config and the member maps computed from it once. */
export interface GroupQueryContext {
  readonly config: FrozenConfig;
  /** group UUID → names of its nodes */
  readonly nodes: ReadonlyMap<string, string[]>;
  /** group UUID → names of the instances whose primary node is in the group */
  readonly instances: ReadonlyMap<string, string[]>;
}

export interface GroupRow {
  readonly group: FrozenGroup;
  readonly ctx: GroupQueryContext;
}

export function groupQueryContext(config: FrozenConfig): GroupQueryContext {
  const nodes = new Map<string, string[]>();
  const instances = new Map<string, string[]>();
  const add = (map: Map<string, string[]>, key: string, name: string) => {
    const list = map.get(key);
    if (list) list.push(name);
    else map.set(key, [name]);
  };
  for (const node of Object.values(config.nodes)) add(nodes, node.group, node.name);
  for (const inst of Object.values(config.instances)) {
    const group = config.nodes[inst.primary_node]?.group;
    if (group !== undefined) add(instances, group, inst.name);
  }
  return { config, nodes, instances };
}

/**
 * The group's effective instance policy (Ganeti's fillIPolicy): the group's bounds specs
 * replace the cluster's as a whole, its standard specs override the cluster's key by key,
 * ratios and disk templates replace the cluster's.
 */
export function fillIPolicy(cluster: object, custom: object): Record<string, unknown> {
  const base = cluster as Record<string, unknown>;
  const own = custom as Record<string, unknown>;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(own)) {
    out[key] = key === 'std' ? fillParams(base['std'] as object | undefined, value as object) : value;
  }
  return out;
}

/** The group's effective disk parameters: the cluster's per disk template, overridden by the group's. */
export function fillDiskParams(cluster: object, custom: object): Record<string, unknown> {
  const base = cluster as Record<string, object>;
  const own = custom as Record<string, object>;
  const out: Record<string, unknown> = {};
  for (const template of new Set([...Object.keys(base), ...Object.keys(own)])) out[template] = fillParams(base[template], own[template]);
  return out;
}

const members = (map: ReadonlyMap<string, string[]>, r: GroupRow) => map.get(r.group.uuid) ?? [];

const FIELDS: QueryField<GroupRow>[] = [
  { name: 'alloc_policy', title: 'AllocPolicy', kind: 'text', doc: 'Allocation policy for group', get: (r) => r.group.alloc_policy },
  { name: 'custom_diskparams', title: 'CustomDiskParameters', kind: 'other', doc: 'Custom disk parameters', get: (r) => r.group.diskparams },
  { name: 'custom_ipolicy', title: 'CustomInstancePolicy', kind: 'other', doc: 'Custom instance policy limitations', get: (r) => r.group.ipolicy },
  { name: 'custom_ndparams', title: 'CustomNDParams', kind: 'other', doc: 'Custom node parameters', get: (r) => r.group.ndparams },
  {
    name: 'diskparams',
    title: 'DiskParameters',
    kind: 'other',
    doc: 'Disk parameters (merged)',
    get: (r) => fillDiskParams(r.ctx.config.cluster.diskparams ?? {}, r.group.diskparams ?? {}),
  },
  {
    name: 'ipolicy',
    title: 'InstancePolicy',
    kind: 'other',
    doc: 'Instance policy limitations (merged)',
    get: (r) => fillIPolicy(r.ctx.config.cluster.ipolicy ?? {}, r.group.ipolicy ?? {}),
  },
  { name: 'name', title: 'Group', kind: 'text', doc: 'Group name', get: (r) => r.group.name },
  { name: 'ndparams', title: 'NDParams', kind: 'other', doc: 'Node parameters', get: (r) => fillParams(r.ctx.config.cluster.ndparams, r.group.ndparams) },
  { name: 'node_cnt', title: 'Nodes', kind: 'number', doc: 'Number of nodes', get: (r) => members(r.ctx.nodes, r).length },
  { name: 'node_list', title: 'NodeList', kind: 'other', doc: 'List of nodes', get: (r) => niceSort(members(r.ctx.nodes, r)) },
  { name: 'pinst_cnt', title: 'Instances', kind: 'number', doc: 'Number of primary instances', get: (r) => members(r.ctx.instances, r).length },
  { name: 'pinst_list', title: 'InstanceList', kind: 'other', doc: 'List of primary instances', get: (r) => niceSort(members(r.ctx.instances, r)) },
  {
    name: 'networks',
    title: 'Networks',
    kind: 'other',
    doc: 'Networks connected to the group, with their NIC parameters (mode, link, vlan), by network name',
    get: (r) => {
      const out: Record<string, unknown> = {};
      for (const [uuid, params] of Object.entries(r.group.networks ?? {})) out[r.ctx.config.networks[uuid]?.name ?? uuid] = params;
      return out;
    },
  },
  ...commonObjectFields<GroupRow>('Group', (r) => r.group),
];

/** The group resource's fields. */
export const GROUP_QUERY_FIELDS = new FieldTable<GroupRow>('group', FIELDS);

/**
 * Answers Query('group', fields, qfilter) on a config snapshot: groups a filter names (by
 * name or UUID) in the order named, an unknown one being an error (GNT_QUERY_UNKNOWN_NAME);
 * otherwise every group, sorted by name.
 */
export function queryGroups(config: FrozenConfig, fields: readonly string[], qfilter: unknown): QueryResult {
  const ctx = groupQueryContext(config);
  const wanted = requestedNames(qfilter, 'name');
  const groups =
    wanted === null
      ? niceSortBy(Object.values(config.nodegroups), (g) => g.name)
      : uniqueByUuid(wanted.map((n) => lookupItem('NodeGroup', config.nodegroups, String(n))));
  // a group asked for by UUID is shown (the filter then compares its name)
  const filter = canonicalNames(qfilter, 'name', (n) => (Object.hasOwn(config.nodegroups, n) ? config.nodegroups[n]!.name : null));
  return GROUP_QUERY_FIELDS.query(fields, filter, groups.map((group) => ({ group, ctx })));
}
