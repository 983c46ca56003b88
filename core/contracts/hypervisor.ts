/**
 * Hypervisor providers (Ganeti's BaseHypervisor, interfaces §14.1).
 *
 * A hypervisor runs instances on one node. The core calls it from node handlers (noded) with
 * a runtime view of the instance: filled hvparams and beparams, NICs, and disks already
 * assembled by the storage providers. It never reads the configuration; whatever it needs
 * is in its arguments. Failures are thrown as a GanetiError (core/errors); anything else
 * thrown is wrapped as GNT_PROVIDER_FAILED naming the plugin and the method.
 *
 * Instance state machine, as seen on one node (the admin state lives in the config and is
 * not the provider's business):
 *
 * ```
 *            start                      stop (soft, then force)          cleanup
 *  stopped ─────────► running ───────────────────────────────► stopped ──────────► (clean)
 *     ▲                 │  ▲ reboot (soft, in place)
 *     │                 │  └───────┘
 *     │                 ├─ guest powered itself off ─► shutdown ── stop/cleanup ─► stopped
 *     │                 └─ migrate (source) ─► migrating ─► finalizeMigrationSource ─► stopped
 *     └── acceptInstance (target) ─► incoming ─► finalizeMigrationDst(success) ─► running
 *                                          └─► finalizeMigrationDst(failure) ─► stopped
 * ```
 * - stopped: not in `listInstances`. Allowed: `start`, `cleanup` (idempotent), `stop`
 *   (resolves at once), `acceptInstance` (target side of a migration).
 * - running (including started `paused`): in `listInstances`, `instanceInfo().state` is
 *   `'running'`. Allowed: `stop`, `reboot`, `console`, `instanceInfo`, `balloonMemory`,
 *   `resizeDisk`, hotplug, `migrationInfo`, `migrate`.
 * - shutdown: the guest turned itself off but the hypervisor still holds it
 *   (`state: 'shutdown'`); the core (watcher) then calls `stop` with force and `cleanup`.
 * - migrating: after `migrate` on the source; only `migrationStatus` is polled until it is
 *   not active, then `finalizeMigrationDst` (target) and `finalizeMigrationSource` (source).
 * A failed `start` leaves the instance stopped: the provider kills what it started, and the
 * core calls `cleanup` afterwards. `nodeInfo`, `listInstances`, `verifyNode` are callable
 * at any time.
 */
import type { GanetiPaths } from '../paths.js';
import type { ProviderContext } from './context.js';
import type { Params } from './params.js';
import type { ProviderBase } from './provider.js';

/** NIC modes (§10.2); a NetworkProvider registered under another name adds a mode. */
export type NicMode = 'bridged' | 'routed' | 'openvswitch' | 'pool' | 'ext' | (string & {});

/** Backend parameters, filled (cluster defaults applied). Memory in MiB. */
export interface HvBeParams {
  readonly maxmem: number;
  readonly minmem: number;
  readonly vcpus: number;
  readonly auto_balance: boolean;
  readonly always_failover: boolean;
  readonly spindle_use: number;
  readonly [param: string]: unknown;
}

/** The Ganeti network a NIC is connected to, when it is on one. */
export interface HvNetworkInfo {
  readonly name: string;
  readonly uuid: string;
  readonly subnet: string | null;
  readonly gateway: string | null;
  readonly subnet6: string | null;
  readonly gateway6: string | null;
  readonly mac_prefix: string | null;
  readonly tags: readonly string[];
}

/** A NIC of an instance as the hypervisor and the network provider see it. */
export interface HvNic {
  readonly uuid: string;
  readonly name: string | null;
  readonly mac: string;
  readonly ip: string | null;
  /** Filled from nicparams. */
  readonly mode: NicMode;
  /** Filled from nicparams: the bridge (bridged), routing table (routed), switch (openvswitch). */
  readonly link: string;
  /** Filled from nicparams; `''` when none. Ganeti's syntax (`100`, `.100`, `:100:200`). */
  readonly vlan: string;
  /** All filled NIC parameters, including mode, link and vlan. */
  readonly nicparams: Params;
  readonly network: HvNetworkInfo | null;
  /** PCI slot chosen for hotplug, when the hypervisor tracks one. */
  readonly pci?: number | null;
}

/** A NIC once the hypervisor created its host-side interface (tap, veth, vif). */
export interface AttachedNic extends HvNic {
  /** Position in the instance's NIC list (0-based). */
  readonly index: number;
  /** Name of the host-side interface, e.g. `tap0` or `gnt.abcd1234.0`. */
  readonly iface: string;
}

/**
 * A disk as handed to the hypervisor: assembled on this node by its storage provider.
 * At least one of `dev_path` and `uri` is set; `access` says which one to use.
 */
export interface HvDisk {
  readonly uuid: string;
  readonly name: string | null;
  /** `disk/N`. */
  readonly iv_name: string;
  /** Disk template of the device (`plain`, `drbd`, `rbd`, ...). */
  readonly dev_type: string;
  /** Size in MiB. */
  readonly size: number;
  readonly mode: 'rw' | 'ro';
  /** Disk param `access`: use the block device, or the userspace URI. */
  readonly access: 'kernelspace' | 'userspace';
  /** Block device or file path on this node; null when only userspace access exists. */
  readonly dev_path: string | null;
  /** Userspace URI for this hypervisor (e.g. `rbd:pool/vol`), prefix already stripped. */
  readonly uri: string | null;
  /** Stable symlink to `dev_path` under the instance-disks folder, when the core made one. */
  readonly link_name?: string | null;
  readonly pci?: number | null;
}

/**
 * Runtime view of an instance: what a hypervisor needs to run it, with node names (not
 * UUIDs) and parameters already filled. Not a config object; changing it changes nothing.
 */
export interface HvInstance {
  readonly name: string;
  readonly uuid: string;
  /** Name of the hypervisor provider that runs it. */
  readonly hypervisor: string;
  /** OS with variant (`debootstrap+default`). */
  readonly os: string;
  readonly primary_node: string;
  readonly secondary_nodes: readonly string[];
  /** Filled hypervisor parameters, checked against the provider's `params`. */
  readonly hvparams: Params;
  readonly beparams: HvBeParams;
  readonly nics: readonly HvNic[];
  /** Port allocated for the console (VNC/SPICE), or null. */
  readonly network_port: number | null;
  readonly admin_state: 'up' | 'down' | 'offline';
  readonly admin_state_source: 'admin' | 'user';
  readonly tags: readonly string[];
}

/** What the hypervisor reports about one instance it runs (Ganeti's instance_info). */
export interface HvInstanceInfo {
  readonly name: string;
  /** Hypervisor-specific id (pid, domain id), or null. */
  readonly id: number | string | null;
  /** Memory currently assigned, MiB. */
  readonly memory: number;
  readonly vcpus: number;
  /** `running`, or `shutdown` when the guest turned itself off (user shutdown). */
  readonly state: 'running' | 'shutdown';
  /** CPU time used in seconds, 0 when unknown. */
  readonly time: number;
}

/** Node resources seen by the hypervisor (Ganeti's GetNodeInfo). Memory in MiB. */
export interface HvNodeInfo {
  readonly memory_total: number;
  readonly memory_free: number;
  /** Memory used by the node itself (dom0 / host). */
  readonly memory_dom0: number;
  /** Memory used by the hypervisor itself, when it can tell (Xen). */
  readonly memory_hv?: number;
  readonly cpu_total: number;
  /** NUMA nodes. */
  readonly cpu_nodes: number;
  readonly cpu_sockets: number;
  /** CPUs reserved for the node itself. */
  readonly cpu_dom0: number;
  /** Hypervisor version, compared by `versionsSafe` before a migration. */
  readonly hv_version?: readonly number[];
  readonly [key: string]: unknown;
}

/** How to reach an instance's console (RAPI `/2/instances/[i]/console`, `gnt-instance console`). */
export interface InstanceConsole {
  readonly instance: string;
  readonly kind: 'ssh' | 'vnc' | 'spice' | 'msg';
  /** For `msg`: why there is no console. */
  readonly message?: string;
  readonly host?: string;
  readonly port?: number;
  readonly user?: string;
  /** For `ssh`: argv to run on `host` (e.g. socat on the serial socket). */
  readonly command?: readonly string[];
  /** For `vnc`: display number. */
  readonly display?: number;
}

/** Where the instance runs, for `console` (computed on the master). */
export interface ConsoleTarget {
  readonly primary_node: string;
  readonly primary_ip: string;
  /** ndparam `ssh_port` of the primary node. */
  readonly ssh_port: number;
  readonly node_group: string;
  /** Paths of the primary node (differ from the master's when nodes share a machine). */
  readonly paths: GanetiPaths;
}

/**
 * Connects host-side interfaces through the NIC's NetworkProvider (chosen by `nic.mode`).
 * The core builds it, bound to the instance and the job's context, and hands it to every
 * method that creates or removes interfaces. A hypervisor never configures bridges or
 * routes itself.
 */
export interface NicConnector {
  /** After the interface exists, before the guest runs (start the instance paused meanwhile). */
  connect(nic: AttachedNic): Promise<void>;
  /** Before or after the interface goes away; idempotent. */
  disconnect(nic: AttachedNic): Promise<void>;
}

/** What every call that may create or remove interfaces receives. */
export interface HvNetworkOptions {
  readonly network: NicConnector;
}

/** Options of `acceptInstance`. */
export interface HvAcceptOptions extends HvNetworkOptions {
  /** The address of this (target) node the source sends to: where to listen for the incoming instance. */
  readonly address?: string;
}

/** Options of `start`. */
export interface HvStartOptions extends HvNetworkOptions {
  /** Start with the CPUs stopped (`gnt-instance startup --paused`). */
  readonly paused: boolean;
}

/** Options of `stop`. */
export interface HvStopOptions extends HvNetworkOptions {
  /** Kill at once instead of asking the guest to shut down. */
  readonly force: boolean;
  /** For a soft stop: how long to wait for the guest before giving up. */
  readonly timeoutMs: number;
}

/** Files a hypervisor needs identical on every node (`gnt-cluster redist-conf`). */
export interface AncillaryFiles {
  readonly files: readonly string[];
  /** Distributed only when present on the master. */
  readonly optional: readonly string[];
}

/** MigrationStatus as Ganeti reports it; RAM figures in bytes. */
export interface MigrationStatus {
  readonly status: 'active' | 'completed' | 'failed' | 'cancelled' | 'postcopy-active';
  readonly transferred_ram?: number;
  readonly total_ram?: number;
  /** Set when the migration switched to postcopy (KVM). */
  readonly postcopy_status?: string;
}

/** The node an instance migrates to. */
export interface MigrationTarget {
  readonly node: string;
  /** Address to migrate to (the target's secondary IP when it has one). */
  readonly ip: string;
}

/**
 * Live/non-live migration, present exactly when `canMigrate` is true. The master runs the
 * sequence: `migrationInfo` (source) → `acceptInstance` (target) → `migrate` (source) →
 * poll `migrationStatus` (source) until not active → `finalizeMigrationDst` (target) →
 * `finalizeMigrationSource` (source). Any step that throws aborts the migration; the
 * finalize steps are then called with `success: false`.
 */
export interface HypervisorMigration {
  /** On the master: whether an instance may migrate between these `hv_version`s. Default: equal versions only. */
  versionsSafe?(source: readonly number[], target: readonly number[]): boolean;
  /** On the source: opaque data the target needs (e.g. the runtime description). */
  migrationInfo(instance: HvInstance, ctx: ProviderContext): Promise<string>;
  /** On the target: prepare to receive the instance (e.g. start it waiting for incoming state). */
  acceptInstance(instance: HvInstance, info: string, disks: readonly HvDisk[], opts: HvAcceptOptions, ctx: ProviderContext): Promise<void>;
  /**
   * On the source: start sending the instance to `target`. May resolve once the transfer has
   * started (the core then polls `migrationStatus`) or once it is over.
   */
  migrate(clusterName: string, instance: HvInstance, target: MigrationTarget, live: boolean, ctx: ProviderContext): Promise<void>;
  /** On the source, while migrating. Throws when the instance is not migrating. */
  migrationStatus(instance: HvInstance, ctx: ProviderContext): Promise<MigrationStatus>;
  /** On the target: resume the instance on success, tear the incoming one down on failure. */
  finalizeMigrationDst(instance: HvInstance, info: string, success: boolean, opts: HvNetworkOptions, ctx: ProviderContext): Promise<void>;
  /** On the source: stop and clean up the old copy on success, resume it on failure. */
  finalizeMigrationSource(instance: HvInstance, success: boolean, live: boolean, opts: HvNetworkOptions, ctx: ProviderContext): Promise<void>;
}

/** What kind of device is hot-plugged. */
export type HotplugTarget = 'disk' | 'nic';
/** Hotplug actions, with Ganeti's names. */
export type HotplugAction = 'hotadd' | 'hotremove' | 'hotmod';

/** A device to hot-plug: a disk or a NIC (with its interface name once created). */
export type HotplugDevice = { readonly kind: 'disk'; readonly disk: HvDisk } | { readonly kind: 'nic'; readonly nic: HvNic };

/**
 * Adding/removing devices of a running instance (`gnt-instance modify --hotplug`), on the
 * primary node. `seq` is the device's index in the instance's disk or NIC list.
 */
export interface HypervisorHotplug {
  /** Throws GanetiError when this instance cannot hotplug at all (e.g. too old a qemu). */
  hotplugSupported(instance: HvInstance, ctx: ProviderContext): Promise<void>;
  /** Throws GanetiError when `action` on `target` is not supported (checked before the opcode runs). */
  verifyHotplugSupport(instance: HvInstance, action: HotplugAction, target: HotplugTarget, ctx: ProviderContext): Promise<void>;
  /** Adds the device to the running instance; for a NIC, creates its interface and connects it. */
  hotAdd(instance: HvInstance, device: HotplugDevice, seq: number, opts: HvNetworkOptions, ctx: ProviderContext): Promise<void>;
  /** Removes the device from the running instance; for a NIC, disconnects and deletes its interface. */
  hotDel(instance: HvInstance, device: HotplugDevice, seq: number, opts: HvNetworkOptions, ctx: ProviderContext): Promise<void>;
  /** Only NICs are modified in place (e.g. a new link): disconnect then connect through `opts.network`. */
  hotMod(instance: HvInstance, device: HotplugDevice, seq: number, opts: HvNetworkOptions, ctx: ProviderContext): Promise<void>;
}

/**
 * A hypervisor. Registered with `host.hypervisors.register(name, provider)`; the name is what
 * `enabled_hypervisors` and `-H name:...` use. `params` is the hvparams schema: checked on
 * the master for syntax (ajv), then on the node by `validateParams` for the environment.
 * All methods run on the node named by `ctx.nodeName` unless said otherwise.
 */
export interface HypervisorProvider extends ProviderBase {
  /** Whether instances can migrate; when true, `migration` must be present. */
  readonly canMigrate: boolean;
  readonly migration?: HypervisorMigration;
  /** Present when the hypervisor can change devices of a running instance. */
  readonly hotplug?: HypervisorHotplug;

  /**
   * Boots the instance on its disks (in order; disk 0 is the boot disk), creates its
   * interfaces and connects each through `opts.network` before the guest runs. Resolves once
   * the instance is running (or paused). Throws if it is already running; on failure kills
   * what it started.
   */
  start(instance: HvInstance, disks: readonly HvDisk[], opts: HvStartOptions, ctx: ProviderContext): Promise<void>;
  /**
   * Stops the instance. Soft (`force: false`): asks the guest to shut down and waits at most
   * `timeoutMs`; throws if it is still running then (the core retries with `force: true`).
   * Forced: kills it; throws only if it survives. Resolves at once if it is not running.
   * Disconnects its interfaces through `opts.network`.
   */
  stop(instance: HvInstance, opts: HvStopOptions, ctx: ProviderContext): Promise<void>;
  /**
   * Removes what is left of a stopped instance (runtime files, sockets, taps, cgroups).
   * Idempotent; called after `stop`, after a failed `start`, and for leftovers.
   */
  cleanup(instanceName: string, opts: HvNetworkOptions, ctx: ProviderContext): Promise<void>;
  /** Soft reboot in place (the guest restarts, the hypervisor process stays). A hard reboot is stop + start by the core. */
  reboot(instance: HvInstance, ctx: ProviderContext): Promise<void>;
  /** Names of the instances this hypervisor runs on the node (running or shutdown). */
  listInstances(hvparams: Params, ctx: ProviderContext): Promise<string[]>;
  /** Info about one instance, or null if it does not run here. */
  instanceInfo(instanceName: string, hvparams: Params, ctx: ProviderContext): Promise<HvInstanceInfo | null>;
  /** Info about every instance it runs here. */
  allInstancesInfo(hvparams: Params, ctx: ProviderContext): Promise<HvInstanceInfo[]>;
  /** Memory and CPU of the node as this hypervisor sees them (node_info, iallocator input). */
  nodeInfo(hvparams: Params, ctx: ProviderContext): Promise<HvNodeInfo>;
  /**
   * On the master, runs nothing: how to reach the console of a running instance on its
   * primary node. Returns kind `msg` with a message when there is no console.
   */
  console(instance: HvInstance, target: ConsoleTarget, ctx: ProviderContext): Promise<InstanceConsole>;
  /**
   * Checks the node can run this hypervisor (binaries, kernel modules, devices) with these
   * cluster hvparams (`gnt-cluster verify`). Returns an error message, or null when fine.
   */
  verifyNode(hvparams: Params, ctx: ProviderContext): Promise<string | null>;

  /**
   * On the master, synchronous: rules the JSON schema cannot express (e.g. one parameter
   * requires another). Throws GanetiError (ECODE_INVAL) on the first problem.
   */
  checkParamsSyntax?(hvparams: Params): void;
  /**
   * On each node: checks the parameters against the environment (files exist, bridge or
   * CPU mask usable). Throws GanetiError. Absent: nothing to check beyond the schema.
   */
  validateParams?(hvparams: Params, ctx: ProviderContext): Promise<void>;
  /** On the master (cluster verify): warnings about legal but dubious parameters. */
  assessParams?(hvparams: Params): string[];
  /** Sets the memory of a running instance, MiB between minmem and maxmem. */
  balloonMemory?(instance: HvInstance, memory: number, ctx: ProviderContext): Promise<void>;
  /** Tells a running instance a disk grew to `newSize` MiB (after the storage grew). */
  resizeDisk?(instance: HvInstance, disk: HvDisk, newSize: number, ctx: ProviderContext): Promise<void>;
  /** Hard-reboots the node (`gnt-node powercycle`); may never resolve. */
  powercycleNode?(hvparams: Params, ctx: ProviderContext): Promise<void>;
  /** On the master: files to keep identical on every node (paths of this node). */
  ancillaryFiles?(paths: GanetiPaths): AncillaryFiles;
}

/** Methods every hypervisor has; the host refuses a registration lacking one. */
export const HYPERVISOR_REQUIRED_METHODS = Object.freeze([
  'start',
  'stop',
  'cleanup',
  'reboot',
  'listInstances',
  'instanceInfo',
  'allInstancesInfo',
  'nodeInfo',
  'console',
  'verifyNode',
] as const satisfies readonly (keyof HypervisorProvider)[]);
