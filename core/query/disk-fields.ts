import type { DeepReadonly, Disk, FrozenConfig } from '../config/objects.js';
import { niceSortBy } from '../config/nicesort.js';
import { FieldTable, commonObjectFields, type QueryField, type QueryResult } from './fields.js';
import { requestedNames } from './filter.js';
import { canonicalNames, lookupItem, uniqueByUuid } from './node-fields.js';

/**
 * The `disk` query resource (ganeti-ts; Ganeti 3.0 keeps disks as config objects but has no
 * query for them): every disk of the config, detached or used by an instance.
 */

type NamedDisk = DeepReadonly<Disk> & { readonly name: string };

export interface DiskRow {
  readonly disk: NamedDisk;
  readonly config: FrozenConfig;
  /** disk UUID → instance name */
  readonly owners: ReadonlyMap<string, string>;
}

const FIELDS: QueryField<DiskRow>[] = [
  { name: 'name', title: 'Disk', kind: 'text', doc: 'Disk name (its UUID when it has none)', get: (r) => r.disk.name },
  { name: 'dev_type', title: 'Template', kind: 'text', doc: 'Disk template', get: (r) => r.disk.dev_type },
  { name: 'size', title: 'Size', kind: 'unit', doc: 'Size (MiB)', get: (r) => r.disk.size },
  { name: 'mode', title: 'Mode', kind: 'text', doc: 'Access mode (rw or ro)', get: (r) => r.disk.mode ?? 'rw' },
  { name: 'nodes', title: 'Nodes', kind: 'other', doc: 'Nodes the disk lives on', get: (r) => r.disk.nodes.map((u) => r.config.nodes[u]?.name ?? u) },
  { name: 'node', title: 'Node', kind: 'text', doc: 'First node of the disk', get: (r) => r.config.nodes[r.disk.nodes[0] ?? '']?.name ?? '' },
  { name: 'instance', title: 'Instance', kind: 'text', doc: 'Instance using the disk (empty when detached)', get: (r) => r.owners.get(r.disk.uuid) ?? '' },
  { name: 'logical_id', title: 'LogicalID', kind: 'other', doc: 'Logical id (its shape depends on the template)', get: (r) => [...r.disk.logical_id] },
  { name: 'provider', title: 'Provider', kind: 'text', doc: 'ExtStorage provider (ext disks)', get: (r) => (r.disk.dev_type === 'ext' ? String(r.disk.logical_id[0]) : '') },
  { name: 'params', title: 'Params', kind: 'other', doc: "The disk's own parameters", get: (r) => r.disk.params },
  ...commonObjectFields<DiskRow>('Disk', (r) => r.disk),
];

export const DISK_QUERY_FIELDS = new FieldTable<DiskRow>('disk', FIELDS);

export function queryDisks(config: FrozenConfig, fields: readonly string[], qfilter: unknown): QueryResult {
  const owners = new Map<string, string>();
  for (const inst of Object.values(config.instances)) for (const d of inst.disks) owners.set(d, inst.name);
  const named: Record<string, NamedDisk> = Object.fromEntries(Object.entries(config.disks).map(([u, d]) => [u, { ...d, name: d.name ?? u }]));
  const wanted = requestedNames(qfilter, 'name');
  const disks = wanted === null ? niceSortBy(Object.values(named), (d) => d.name) : uniqueByUuid(wanted.map((n) => lookupItem('Disk', named, String(n))));
  const filter = canonicalNames(qfilter, 'name', (n) => (Object.hasOwn(named, n) ? named[n]!.name : null));
  return DISK_QUERY_FIELDS.query(fields, filter, disks.map((disk) => ({ disk, config, owners })));
}
