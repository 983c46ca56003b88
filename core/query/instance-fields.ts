import type { DeepReadonly, FrozenConfig, Instance } from '../config/objects.js';
import { niceSortBy } from '../config/nicesort.js';
import type { PluginHost } from '../plugin-host/host.js';
import type { RpcClient } from '../rpc/index.js';
import { filledBeParams, filledHvParams, filledNicParams } from '../instance/params.js';
import { FieldTable, NODATA, OFFLINE, UNAVAIL, commonObjectFields, type QueryField, type QueryResult } from './fields.js';
import { filterFieldNames, requestedNames } from './filter.js';
import { canonicalNames, lookupItem, uniqueByUuid } from './node-fields.js';

/**
 * The `instance` query resource (Ganeti's instance fields, lib/query.py): config fields from
 * the snapshot, live fields (`status`, `oper_*`) from one all_instances_info fan-out to
 * the nodes, made only when such a field is shown or filtered on.
 */

type FrozenInstance = DeepReadonly<Instance>;

/** What a node said it runs: instance name → live info; OFFLINE / NODATA for the whole node. */
export type LiveInstances = ReadonlyMap<string, ReadonlyMap<string, LiveInfo> | typeof OFFLINE | typeof NODATA>;
export interface LiveInfo {
  readonly memory: number;
  readonly vcpus: number;
  readonly state: 'running' | 'shutdown';
  readonly time: number;
}

export interface InstanceRow {
  readonly inst: FrozenInstance;
  readonly config: FrozenConfig;
  readonly host: PluginHost;
  /** node UUID → its answer; null when no live data was asked for */
  readonly live: LiveInstances | null;
}

const nodeName = (r: InstanceRow, u: string) => r.config.nodes[u]?.name ?? u;
const disks = (r: InstanceRow) => r.inst.disks.map((u) => r.config.disks[u]).filter((d) => d !== undefined);
const snodes = (r: InstanceRow) => [...new Set(disks(r).flatMap((d) => d.nodes).filter((n) => n !== r.inst.primary_node))].map((u) => nodeName(r, u));
const template = (r: InstanceRow) => disks(r)[0]?.dev_type ?? 'diskless';

/** The live info of the instance on its primary, or why there is none. */
function onPrimary(r: InstanceRow): LiveInfo | null | typeof OFFLINE | typeof NODATA {
  if (!r.live) return NODATA;
  const node = r.live.get(r.inst.primary_node);
  if (node === undefined) return NODATA;
  if (node === OFFLINE || node === NODATA) return node;
  return node.get(r.inst.name) ?? null;
}

/** Ganeti's instance status (interfaces §13.1). */
function status(r: InstanceRow): string | typeof NODATA {
  if (!r.live) return NODATA;
  const p = onPrimary(r);
  if (p === OFFLINE) return 'ERROR_nodeoffline';
  if (p === NODATA) return 'ERROR_nodedown';
  const up = r.inst.admin_state === 'up';
  if (p) {
    if (p.state === 'shutdown') return up ? 'USER_down' : 'ADMIN_down';
    return up ? 'running' : 'ERROR_up';
  }
  for (const [node, answer] of r.live) if (node !== r.inst.primary_node && answer instanceof Map && answer.has(r.inst.name)) return 'ERROR_wrongnode';
  if (r.inst.admin_state === 'offline') return 'ADMIN_offline';
  return up ? 'ERROR_down' : 'ADMIN_down';
}

const live = <T>(get: (i: LiveInfo) => T) => (r: InstanceRow) => {
  const p = onPrimary(r);
  if (p === OFFLINE || p === NODATA) return p;
  return p ? get(p) : null;
};

const nicList = <T>(get: (r: InstanceRow, n: FrozenInstance['nics'][number]) => T) => (r: InstanceRow) => r.inst.nics.map((n) => get(r, n));
const nicParam = (k: string) => (r: InstanceRow, n: FrozenInstance['nics'][number]) => String(filledNicParams(r.config, n, r.config.nodes[r.inst.primary_node]?.group)[k] ?? '');

const FIELDS: QueryField<InstanceRow>[] = [
  { name: 'name', title: 'Instance', kind: 'text', doc: 'Instance name', get: (r) => r.inst.name },
  { name: 'os', title: 'OS', kind: 'text', doc: 'Operating system', get: (r) => r.inst.os },
  { name: 'hypervisor', title: 'Hypervisor', kind: 'text', doc: 'Hypervisor name', get: (r) => r.inst.hypervisor },
  { name: 'pnode', title: 'Primary_node', kind: 'text', doc: 'Primary node', get: (r) => nodeName(r, r.inst.primary_node) },
  { name: 'pnode.group', title: 'PrimaryNodeGroup', kind: 'text', doc: "Primary node's group", get: (r) => r.config.nodegroups[r.config.nodes[r.inst.primary_node]?.group ?? '']?.name ?? '' },
  { name: 'snodes', title: 'Secondary_Nodes', kind: 'other', doc: 'Secondary nodes; usually this will just be one node', get: snodes },
  { name: 'admin_state', title: 'InstanceState', kind: 'text', doc: 'Desired state of the instance', get: (r) => r.inst.admin_state },
  { name: 'admin_state_source', title: 'InstanceStateSource', kind: 'text', doc: "Who last changed the desired state of the instance", get: (r) => r.inst.admin_state_source },
  { name: 'admin_up', title: 'Autostart', kind: 'bool', doc: 'Desired state of the instance (True if it should run)', get: (r) => r.inst.admin_state === 'up' },
  { name: 'disks_active', title: 'DisksActive', kind: 'bool', doc: 'Desired state of the instance disks', get: (r) => r.inst.disks_active },
  { name: 'disk_template', title: 'Disk_template', kind: 'text', doc: "Instance disk template", get: template },
  { name: 'status', title: 'Status', kind: 'text', doc: 'Instance status; "running" if instance is set to be running and actually is, "ADMIN_down" if instance is stopped and is not running, "ERROR_up" if instance is running but should not, "ERROR_down" if it should run but does not, "ERROR_nodedown"/"ERROR_nodeoffline" if its primary node is unreachable/offline, "ERROR_wrongnode" if it runs on the wrong node, "USER_down" if the guest shut itself down, "ADMIN_offline" if it is marked offline', get: status },
  { name: 'oper_state', title: 'Running', kind: 'bool', doc: 'Actual state of instance', get: live((i) => i.state === 'running') },
  { name: 'oper_ram', title: 'Memory', kind: 'unit', doc: 'Actual memory usage as seen by hypervisor', get: live((i) => i.memory) },
  { name: 'oper_vcpus', title: 'VCPUs', kind: 'number', doc: 'Actual number of VCPUs as seen by hypervisor', get: live((i) => i.vcpus) },
  { name: 'be/maxmem', title: 'ConfigMaxMem', kind: 'unit', doc: 'The maximum memory size', get: (r) => filledBeParams(r.config, r.inst).maxmem },
  { name: 'be/minmem', title: 'ConfigMinMem', kind: 'unit', doc: 'The minimum memory size', get: (r) => filledBeParams(r.config, r.inst).minmem },
  { name: 'be/vcpus', title: 'ConfigVCPUs', kind: 'number', doc: 'The number of virtual CPUs', get: (r) => filledBeParams(r.config, r.inst).vcpus },
  { name: 'be/auto_balance', title: 'Auto_balance', kind: 'bool', doc: 'Whether the instance is considered in N+1 checks', get: (r) => filledBeParams(r.config, r.inst).auto_balance },
  { name: 'beparams', title: 'BackendParameters', kind: 'other', doc: 'Backend parameters (merged)', get: (r) => filledBeParams(r.config, r.inst) },
  { name: 'custom_beparams', title: 'CustomBackendParameters', kind: 'other', doc: 'Custom backend parameters', get: (r) => r.inst.beparams },
  { name: 'hvparams', title: 'HypervisorParameters', kind: 'other', doc: 'Hypervisor parameters (merged)', get: (r) => filledHvParams(r.host, r.config, r.inst) },
  { name: 'custom_hvparams', title: 'CustomHypervisorParameters', kind: 'other', doc: 'Custom hypervisor parameters', get: (r) => r.inst.hvparams },
  { name: 'osparams', title: 'OpSysParameters', kind: 'other', doc: 'Operating system parameters (merged)', get: (r) => ({ ...(r.config.cluster.osparams[r.inst.os.split('+')[0]!] ?? {}), ...r.inst.osparams }) },
  { name: 'network_port', title: 'Network_port', kind: 'other', doc: 'Instance network port if available (e.g. for VNC console)', get: (r) => r.inst.network_port ?? null },
  { name: 'disk.count', title: 'Disks', kind: 'number', doc: 'Number of disks', get: (r) => r.inst.disks.length },
  { name: 'disk.sizes', title: 'Disk_sizes', kind: 'other', doc: 'List of disk sizes', get: (r) => disks(r).map((d) => d.size) },
  { name: 'disk.names', title: 'Disk_names', kind: 'other', doc: 'List of disk names', get: (r) => disks(r).map((d) => d.name ?? null) },
  { name: 'disk.uuids', title: 'Disk_UUIDs', kind: 'other', doc: 'List of disk UUIDs', get: (r) => [...r.inst.disks] },
  { name: 'disk_usage', title: 'DiskUsage', kind: 'unit', doc: 'Total disk space used by instance on each of its nodes; this is not the disk size visible to the instance, but the usage on the node', get: (r) => disks(r).reduce((s, d) => s + (template(r) === 'diskless' ? 0 : d.size), 0) },
  { name: 'nic.count', title: 'NICs', kind: 'number', doc: 'Number of network interfaces', get: (r) => r.inst.nics.length },
  { name: 'nic.macs', title: 'NIC_MACs', kind: 'other', doc: 'List containing each network interface\'s MAC address', get: nicList((_r, n) => n.mac) },
  { name: 'nic.ips', title: 'NIC_IPs', kind: 'other', doc: 'List containing each network interface\'s IP address', get: nicList((_r, n) => n.ip ?? null) },
  { name: 'nic.names', title: 'NIC_Names', kind: 'other', doc: 'List containing each network interface\'s name', get: nicList((_r, n) => n.name ?? null) },
  { name: 'nic.modes', title: 'NIC_modes', kind: 'other', doc: 'List containing each network interface\'s mode', get: nicList(nicParam('mode')) },
  { name: 'nic.links', title: 'NIC_links', kind: 'other', doc: 'List containing each network interface\'s link', get: nicList(nicParam('link')) },
  { name: 'nic.bridges', title: 'NIC_bridges', kind: 'other', doc: 'List containing each network interface\'s bridge', get: nicList((r, n) => (['bridged', 'openvswitch'].includes(nicParam('mode')(r, n)) ? nicParam('link')(r, n) : null)) },
  { name: 'nic.networks', title: 'NIC_networks', kind: 'other', doc: 'List containing each interface\'s network', get: nicList((_r, n) => n.network ?? null) },
  { name: 'ip', title: 'IP_address', kind: 'text', doc: 'IP address of the first network interface', get: (r) => r.inst.nics[0]?.ip ?? UNAVAIL },
  { name: 'mac', title: 'MAC_address', kind: 'text', doc: 'MAC address of the first network interface', get: (r) => r.inst.nics[0]?.mac ?? UNAVAIL },
  { name: 'bridge', title: 'Bridge', kind: 'text', doc: 'Bridge of the first network interface', get: (r) => (r.inst.nics[0] ? nicParam('link')(r, r.inst.nics[0]) : UNAVAIL) },
  { name: 'console', title: 'Console', kind: 'other', doc: 'Instance console information (use gnt-instance console)', get: () => UNAVAIL },
  ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((i): QueryField<InstanceRow>[] => [
    { name: `disk.size/${i}`, title: `Disk/${i}`, kind: 'unit', doc: `Disk size of ${i}${i === 0 ? 'st' : i === 1 ? 'nd' : i === 2 ? 'rd' : 'th'} disk`, get: (r) => disks(r)[i]?.size ?? UNAVAIL },
    { name: `nic.mac/${i}`, title: `NicMAC/${i}`, kind: 'text', doc: `MAC address of network interface ${i}`, get: (r) => r.inst.nics[i]?.mac ?? UNAVAIL },
    { name: `nic.ip/${i}`, title: `NicIP/${i}`, kind: 'text', doc: `IP address of network interface ${i}`, get: (r) => (r.inst.nics[i] ? (r.inst.nics[i]!.ip ?? null) : UNAVAIL) },
    { name: `nic.mode/${i}`, title: `NicMode/${i}`, kind: 'text', doc: `Mode of network interface ${i}`, get: (r) => (r.inst.nics[i] ? nicParam('mode')(r, r.inst.nics[i]!) : UNAVAIL) },
    { name: `nic.link/${i}`, title: `NicLink/${i}`, kind: 'text', doc: `Link of network interface ${i}`, get: (r) => (r.inst.nics[i] ? nicParam('link')(r, r.inst.nics[i]!) : UNAVAIL) },
  ]),
  ...commonObjectFields<InstanceRow>('Instance', (r) => r.inst),
];

export const INSTANCE_QUERY_FIELDS = new FieldTable<InstanceRow>('instance', FIELDS);

const LIVE = new Set(['status', 'oper_state', 'oper_ram', 'oper_vcpus']);

export function instanceNeedsLive(fields: readonly string[], qfilter: unknown): boolean {
  return fields.some((f) => LIVE.has(f)) || filterFieldNames(qfilter).some((f) => LIVE.has(f));
}

/** Asks every online vm_capable node what it runs (one all_instances_info fan-out). */
export async function fetchLiveInstances(rpc: RpcClient | null, config: FrozenConfig): Promise<LiveInstances> {
  const out = new Map<string, Map<string, LiveInfo> | typeof OFFLINE | typeof NODATA>();
  const nodes = Object.values(config.nodes);
  for (const n of nodes) if (n.offline) out.set(n.uuid, OFFLINE);
  const targets = nodes.filter((n) => !n.offline && n.vm_capable !== false);
  if (!rpc || targets.length === 0) {
    for (const n of targets) out.set(n.uuid, NODATA);
    return out;
  }
  const hvs = [...config.cluster.enabled_hypervisors];
  const hvparams = Object.fromEntries(hvs.map((h) => [h, { ...(config.cluster.hvparams[h] ?? {}) }]));
  const results = await rpc.call<Record<string, LiveInfo>>('all_instances_info', targets.map((n) => ({ name: n.name, address: n.primary_ip })), [hvs, hvparams]);
  results.forEach((r, i) => out.set(targets[i]!.uuid, r.success && r.payload ? new Map(Object.entries(r.payload)) : NODATA));
  return out;
}

export async function queryInstances(config: FrozenConfig, host: PluginHost, fields: readonly string[], qfilter: unknown, rpc: () => Promise<RpcClient | null>): Promise<QueryResult> {
  const wanted = requestedNames(qfilter, 'name');
  const insts = wanted === null ? niceSortBy(Object.values(config.instances), (i) => i.name) : uniqueByUuid(wanted.map((n) => lookupItem('Instance', config.instances, String(n))));
  const filter = canonicalNames(qfilter, 'name', (n) => (Object.hasOwn(config.instances, n) ? config.instances[n]!.name : null));
  const live = instanceNeedsLive(fields, qfilter) ? await fetchLiveInstances(await rpc(), config) : null;
  return INSTANCE_QUERY_FIELDS.query(fields, filter, insts.map((inst) => ({ inst, config, host, live })));
}
