/**
 * The objects of Ganeti's `config.data` (lib/objects.py, src/Ganeti/Objects.hs), with Ganeti's
 * exact field names. The JSON file is one `ConfigData` object; nodes, node groups, instances,
 * disks, networks and filters are objects keyed by UUID.
 *
 * These types list the fields ganeti-ts knows. A file may hold more (a newer Ganeti, a tool):
 * such fields are kept as they are in memory and written back unchanged, because the store
 * never rebuilds an object from its known fields. Read them through a cast if you must.
 *
 * Times (`ctime`, `mtime`) are float seconds since the epoch; `serial_no` counts changes.
 */

/** A parameter dictionary (hvparams, beparams, ndparams, nicparams, osparams, ...). */
export type ParamDict = Record<string, unknown>;

/** Fields every stored object carries (Ganeti: uuidFields, serialFields, timeStampFields). */
export interface ConfigObjectBase {
  uuid: string;
  serial_no: number;
  ctime: number;
  mtime: number;
}

export interface Taggable {
  tags: string[];
}

export type IpFamily = 2 | 10;
export type AdminState = 'up' | 'down' | 'offline';
export type AdminStateSource = 'admin' | 'user';
export type DiskMode = 'rw' | 'ro';
export type AllocPolicy = 'preferred' | 'last_resort' | 'unallocable';
export type SshKeyType = 'rsa' | 'dsa' | 'ecdsa';

/** Disk templates (`dev_type` of a top-level disk), §10.2. */
export const DISK_TEMPLATES = ['diskless', 'file', 'sharedfile', 'plain', 'blockdev', 'drbd', 'rbd', 'ext', 'gluster'] as const;
export type DiskTemplate = (typeof DISK_TEMPLATES)[number];

/** Hypervisors Ganeti knows (and for which ssconf has an `hvparams_<hv>` key), §10.2. */
export const HYPERVISOR_TYPES = ['xen-pvm', 'xen-hvm', 'kvm', 'fake', 'chroot', 'lxc'] as const;
export type HypervisorType = (typeof HYPERVISOR_TYPES)[number];

/** An instance policy (cluster: filled; node group: partial). */
export interface IPolicy {
  minmax?: Array<{ min: ParamDict; max: ParamDict }>;
  std?: ParamDict;
  'spindle-ratio'?: number;
  'vcpu-ratio'?: number;
  'disk-templates'?: string[];
}

export interface DataCollectorConfig {
  active: boolean;
  /** Microseconds. */
  interval: number;
}

export interface Cluster extends ConfigObjectBase, Taggable {
  cluster_name: string;
  /** UUID of the master node. */
  master_node: string;
  master_ip: string;
  master_netdev: string;
  master_netmask: number;
  primary_ip_family: IpFamily;
  use_external_mip_script: boolean;
  mac_prefix: string;
  volume_group_name?: string;
  reserved_lvs: string[];
  drbd_usermode_helper?: string;
  file_storage_dir: string;
  shared_file_storage_dir: string;
  /** ganeti-ts: ExtStorage provider folders searched after the built-in path (ssconf extstorage_search_path). */
  extstorage_search_path?: string[];
  gluster_storage_dir: string;
  enabled_hypervisors: string[];
  /** hypervisor → parameters */
  hvparams: Record<string, ParamDict>;
  /** OS → hypervisor → parameters */
  os_hvp: Record<string, Record<string, ParamDict>>;
  /** `{"default": {...}}` */
  beparams: Record<string, ParamDict>;
  osparams: Record<string, ParamDict>;
  osparams_private_cluster: Record<string, ParamDict>;
  /** `{"default": {mode, link, vlan}}` */
  nicparams: Record<string, ParamDict>;
  ndparams: ParamDict;
  /** disk template → parameters */
  diskparams: Record<string, ParamDict>;
  ipolicy: IPolicy;
  candidate_pool_size: number;
  modify_etc_hosts: boolean;
  modify_ssh_setup: boolean;
  maintain_node_health: boolean;
  /** `[low, high]` uid ranges */
  uid_pool: Array<[number, number]>;
  default_iallocator: string;
  default_iallocator_params: ParamDict;
  hidden_os: string[];
  blacklisted_os: string[];
  prealloc_wipe_disks: boolean;
  hv_state_static: Record<string, ParamDict>;
  disk_state_static: Record<string, Record<string, ParamDict>>;
  enabled_disk_templates: string[];
  /** node UUID → SHA1 digest of its client certificate */
  candidate_certs: Record<string, string>;
  max_running_jobs: number;
  max_tracked_jobs: number;
  install_image: string;
  instance_communication_network: string;
  zeroing_image: string;
  compression_tools: string[];
  enabled_user_shutdown: boolean;
  data_collectors: Record<string, DataCollectorConfig>;
  ssh_key_type: SshKeyType;
  ssh_key_bits: number;
  highest_used_port: number;
  tcpudp_port_pool: number[];
  rsahostkeypub: string;
  dsahostkeypub?: string;
}

export interface Node extends ConfigObjectBase, Taggable {
  name: string;
  primary_ip: string;
  secondary_ip: string;
  master_candidate: boolean;
  offline: boolean;
  drained: boolean;
  /** UUID of the node group. */
  group: string;
  master_capable: boolean;
  vm_capable: boolean;
  ndparams: ParamDict;
  powered: boolean;
  hv_state_static?: Record<string, ParamDict>;
  disk_state_static?: Record<string, Record<string, ParamDict>>;
}

/** Per-network NIC parameters of a node group: `{mode, link, vlan}`. */
export type GroupNetworkParams = ParamDict;

export interface NodeGroup extends ConfigObjectBase, Taggable {
  name: string;
  ndparams: ParamDict;
  diskparams: Record<string, ParamDict>;
  ipolicy: IPolicy;
  alloc_policy: AllocPolicy;
  /** network UUID → `{mode, link, vlan}` */
  networks: Record<string, GroupNetworkParams>;
  hv_state_static?: Record<string, ParamDict>;
  disk_state_static?: Record<string, Record<string, ParamDict>>;
}

export interface Nic {
  uuid: string;
  mac: string;
  ip?: string | null;
  /** UUID of a network, if the NIC is connected to one. */
  network?: string | null;
  name?: string | null;
  nicparams: ParamDict;
  pci?: number;
  hvinfo?: ParamDict;
}

export interface Instance extends ConfigObjectBase, Taggable {
  name: string;
  /** UUID of the primary node. */
  primary_node: string;
  os: string;
  hypervisor: string;
  hvparams: ParamDict;
  beparams: ParamDict;
  osparams: ParamDict;
  osparams_private: ParamDict;
  admin_state: AdminState;
  admin_state_source: AdminStateSource;
  nics: Nic[];
  /** UUIDs of the instance's disks (top-level `disks`), in order. */
  disks: string[];
  disks_active: boolean;
  network_port?: number;
  forthcoming?: boolean;
}

/**
 * `logical_id` by type: plain `[vg, lv]`; drbd `[nodeA, nodeB, port, minorA, minorB, secret]`;
 * file/sharedfile/gluster `[driver, path]`; blockdev `["manual", path]`; rbd `["rbd", name]`;
 * ext `[provider, name]`.
 */
export type LogicalId = Array<string | number>;

/** A block device; top-level disks are stored by UUID, DRBD children are nested. */
export interface Disk extends ConfigObjectBase {
  dev_type: string;
  logical_id: LogicalId;
  children?: Disk[];
  /** UUIDs of the nodes the disk is reachable from (empty for externally mirrored disks). */
  nodes: string[];
  /** `disk/N` */
  iv_name?: string;
  /** MiB */
  size: number;
  mode?: DiskMode;
  params: ParamDict;
  spindles?: number;
  name?: string | null;
  pci?: number;
  hvinfo?: ParamDict;
  forthcoming?: boolean;
}

export interface Network extends ConfigObjectBase, Taggable {
  name: string;
  /** IPv4 CIDR */
  network: string;
  gateway?: string | null;
  network6?: string | null;
  gateway6?: string | null;
  mac_prefix?: string | null;
  /** One `0`/`1` character per address of the network. */
  reservations?: string;
  ext_reservations?: string;
}

/** A job filter rule. Ganeti gives filters a UUID only: no serial number, no timestamps. */
export interface Filter {
  uuid: string;
  watermark: number;
  priority: number;
  predicates: unknown[];
  /** `ACCEPT`, `PAUSE`, `REJECT`, `CONTINUE` or `["RATE_LIMIT", n]` */
  action: string | [string, number];
  reason_trail: unknown[];
}

export interface ConfigData {
  /** `major*1000000 + minor*10000 + revision` */
  version: number;
  cluster: Cluster;
  nodes: Record<string, Node>;
  nodegroups: Record<string, NodeGroup>;
  instances: Record<string, Instance>;
  disks: Record<string, Disk>;
  networks: Record<string, Network>;
  filters: Record<string, Filter>;
  serial_no: number;
  ctime: number;
  mtime: number;
}

/** The keyed collections of the config, and the object each holds. */
export interface ObjectKinds {
  nodes: Node;
  nodegroups: NodeGroup;
  instances: Instance;
  disks: Disk;
  networks: Network;
  filters: Filter;
}
export type ObjectKind = keyof ObjectKinds;
export const OBJECT_KINDS: readonly ObjectKind[] = Object.freeze(['nodes', 'nodegroups', 'instances', 'disks', 'networks', 'filters']);

/** One object of a kind, for messages: `instances` → `instance`. */
export const KIND_SINGULAR: Readonly<Record<ObjectKind, string>> = Object.freeze({
  nodes: 'node',
  nodegroups: 'node group',
  instances: 'instance',
  disks: 'disk',
  networks: 'network',
  filters: 'filter',
});

/** Read-only all the way down (what snapshots hand out; they are also frozen at run time). */
export type DeepReadonly<T> = T extends (infer U)[]
  ? ReadonlyArray<DeepReadonly<U>>
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

export type FrozenConfig = DeepReadonly<ConfigData>;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Ganeti's UUID syntax (lower-case hex, 8-4-4-4-12). */
export const isUuid = (s: unknown): s is string => typeof s === 'string' && UUID_RE.test(s);

/** Freezes `value` and everything under it; subtrees already frozen are skipped (they are shared). */
export function deepFreeze<T>(value: T): DeepReadonly<T> {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    if (Array.isArray(value)) {
      for (const v of value) deepFreeze(v);
    } else {
      for (const k in value) deepFreeze((value as Record<string, unknown>)[k]);
    }
  }
  return value as DeepReadonly<T>;
}
