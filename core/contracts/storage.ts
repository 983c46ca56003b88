/**
 * Storage providers: one per disk template (Ganeti's BlockDev, interfaces §14.2; ExtStorage
 * §2; storage units §10.2 and `gnt-node list-storage`).
 *
 * A provider is stateless: every call names the device by its DiskSpec (uuid, logicalId,
 * params...). The core walks device trees itself: for a device with children (drbd over two
 * LVs) it creates and assembles the children first through their own providers and hands
 * their DeviceAccess to the parent; it shuts down and removes the parent first. Failures are
 * thrown as a GanetiError (core/errors), with the tool's last output lines in the message.
 *
 * Block-device state machine, on one node:
 *
 * ```
 *          create               assemble                open
 *  absent ───────► created ──────────────► assembled ───────────► open
 *    ▲            (inactive) ◄────────────  (active)  ◄───────────  (I/O)
 *    │               │         shutdown        │          close
 *    └──── remove ───┴─────────────────────────┘
 * ```
 * - created: the data exists, the device is not active on this node. Allowed: `assemble`,
 *   `remove`, `rename`, `setInfo`, `attach` (returns null).
 * - assembled: active, has a device path and/or URIs (an LV active, a DRBD minor configured
 *   as secondary, an RBD mapped, ES `attach` done). Allowed: `open`, `shutdown`, `remove`,
 *   `grow`, `snapshot`, `setInfo`, `syncStatus`, `actualSize`, `userspaceUri`, import/export.
 *   Some technologies leave the device assembled after `create` (LVM); `assemble` is then
 *   a no-op.
 * - open: ready for the instance's I/O on this node (DRBD primary, ES `open`). `close` goes
 *   back to assembled; `shutdown` closes first.
 * - removed: gone with its data; `remove` of an absent device resolves (idempotent).
 * `attach` never changes state: it only looks for an active device.
 */
import type { RunOptions } from '../exec/types.js';
import type { ProviderContext } from './context.js';
import type { Params } from './params.js';
import type { ProviderBase } from './provider.js';

/** Disk templates of Ganeti (§10.2); a plugin may register another. */
export type DiskTemplate =
  | 'diskless'
  | 'file'
  | 'sharedfile'
  | 'plain'
  | 'blockdev'
  | 'drbd'
  | 'rbd'
  | 'ext'
  | 'gluster'
  | (string & {});

/** Storage types (§10.2): what `gnt-node list-storage -t` and node_info speak of. */
export type StorageType = 'file' | 'sharedfile' | 'gluster' | 'lvm-pv' | 'lvm-vg' | 'diskless' | 'blockdev' | 'rados' | 'ext';

/**
 * The config's logical_id of a disk; its shape depends on the template (§10.1): plain
 * `[vg, lv]`, drbd `[nodeA, nodeB, port, minorA, minorB, secret]`, file `[driver, path]`,
 * blockdev `['manual', path]`, rbd `['rbd', name]`, ext `[provider, name]`.
 */
export type LogicalId = readonly unknown[];

/** A disk as described to its storage provider (built from the config's disk object). */
export interface DiskSpec {
  readonly uuid: string;
  readonly name?: string | null;
  /** Disk template of this device (children may differ from the parent: drbd over plain). */
  readonly dev_type: DiskTemplate;
  /** Size in MiB. */
  readonly size: number;
  readonly mode: 'rw' | 'ro';
  /** Filled disk parameters (cluster/group diskparams plus per-disk ones, e.g. ext params). */
  readonly params: Params;
  /** Ganeti's `logical_id`. */
  readonly logicalId: LogicalId;
  /** Component devices, in order (drbd: data LV, then meta LV). */
  readonly children?: readonly DiskSpec[];
  /** `disk/N`. */
  readonly iv_name: string;
  readonly spindles?: number | null;
  /** Per-node runtime values computed by the master (drbd: local/remote IPs and minors). */
  readonly dyn_params?: Params;
}

/** Where an active device can be reached on this node. */
export interface DeviceAccess {
  /** Block device or file path; absent when only userspace access exists. */
  readonly devPath?: string;
  /** Userspace URIs, each `<hypervisor>:<uri>` (e.g. `kvm:rbd:pool/vol`); may be empty. */
  readonly uris: readonly string[];
  readonly major?: number;
  readonly minor?: number;
}

/** Local disk status: 1 ok, 2 syncing, 3 unknown, 4 faulty (ordered from good to bad). */
export type LdiskStatus = 1 | 2 | 3 | 4;

/** Ganeti's BlockDevStatus. The core combines a device's with its children's (worst wins). */
export interface BlockDevStatus {
  readonly dev_path: string | null;
  readonly major: number | null;
  readonly minor: number | null;
  /** Resync progress in percent, null when not resyncing. */
  readonly sync_percent: number | null;
  /** Seconds until resync ends, null when unknown or not resyncing. */
  readonly estimated_time: number | null;
  readonly is_degraded: boolean;
  readonly ldisk_status: LdiskStatus;
}

/** Real dimensions of an active device. */
export interface ActualDimensions {
  /** Bytes. */
  readonly size: number;
  /** Spindles used, null when the technology cannot tell. */
  readonly spindles: number | null;
}

/** Options of `create`. */
export interface CreateOptions {
  /** Children already created and assembled, in `spec.children` order. */
  readonly children: readonly DeviceAccess[];
  /** ndparam `exclusive_storage` of this node. */
  readonly exclusiveStorage: boolean;
}

/** Options of `assemble`. */
export interface AssembleOptions {
  /** Children already assembled, in `spec.children` order. */
  readonly children: readonly DeviceAccess[];
  /** Assemble for the primary node (the instance runs here) rather than a secondary. */
  readonly primary: boolean;
}

/** Options of `grow`. */
export interface GrowOptions {
  /** Only check that the growth is possible. */
  readonly dryRun: boolean;
  /** Grow the backing storage (true) or only the logical device over it (false, drbd). */
  readonly backingStore: boolean;
  readonly exclusiveStorage: boolean;
}

/**
 * A command the core runs for a data stream (import/export pipelines, which need streaming
 * stdin/stdout rather than `ctx.run`'s buffered result).
 */
export interface CommandSpec extends Pick<RunOptions, 'cwd' | 'env' | 'inheritEnv'> {
  readonly argv: readonly string[];
}

/** One ExtStorage-like sub-provider as seen on this node (`gnt-storage diagnose`, §2.4). */
export interface ExtProviderStatus {
  readonly name: string;
  readonly path: string;
  readonly valid: boolean;
  /** Why it is invalid; `''` when valid. */
  readonly diagnose: string;
  /** `[name, description]` from `parameters.list`. */
  readonly parameters: readonly (readonly [string, string])[];
}

/** Fields of `gnt-node list-storage`. `node` and `type` are filled by the core. */
export type StorageField = 'name' | 'size' | 'used' | 'free' | 'allocatable' | 'type' | 'node';

/** Every storage type, in Ganeti's order of STORAGE_TYPES' documentation. */
export const STORAGE_TYPES = Object.freeze([
  'file', 'sharedfile', 'gluster', 'lvm-pv', 'lvm-vg', 'diskless', 'blockdev', 'rados', 'ext',
] as const satisfies readonly StorageType[]);

/** Ganeti's SO_FIX_CONSISTENCY, the one storage unit operation (storage_execute): `repair`. */
export const SO_FIX_CONSISTENCY = 'fix-consistency';

/** Fields a node reports for a storage unit (Ganeti's SF_*); `node` and `type` are added by the master. */
export const STORAGE_UNIT_FIELDS = Object.freeze(['name', 'size', 'used', 'free', 'allocatable'] as const satisfies readonly StorageField[]);

/** One storage unit row; sizes in MiB. Holds at least the requested fields. */
export interface StorageUnitRow {
  readonly name: string;
  readonly size?: number;
  readonly used?: number;
  readonly free?: number;
  readonly allocatable?: boolean;
  readonly type?: StorageType;
  readonly node?: string;
}

/** A storage unit as the design names it: a type, a key (VG name, folder, pool) and parameters. */
export interface StorageUnitKey {
  readonly type: StorageType;
  readonly key: string | null;
  readonly params: Params;
}

/** Free and total space of a storage unit, MiB (node_info; iallocator `free_disk`/`total_disk`). */
export interface StorageSpaceInfo {
  readonly type: StorageType;
  readonly name: string;
  readonly storage_free: number;
  readonly storage_size: number;
}

/**
 * Storage units of one type on a node (`gnt-node list-storage`, `modify-storage`,
 * `repair-storage`), run on that node. A storage type is served by one provider only.
 */
export interface StorageUnits {
  readonly type: StorageType;
  /** Units whose name equals `name` (all when null), with the requested fields. */
  list(unit: StorageUnitKey, name: string | null, fields: readonly StorageField[], ctx: ProviderContext): Promise<StorageUnitRow[]>;
  /** Changes modifiable fields (lvm-pv: `allocatable`). Absent: nothing is modifiable. */
  modify?(unit: StorageUnitKey, name: string, changes: { readonly allocatable?: boolean }, ctx: ProviderContext): Promise<void>;
  /** Repairs a unit (lvm-vg: `fix-consistency`). Absent: not repairable. */
  repair?(unit: StorageUnitKey, name: string, ctx: ProviderContext): Promise<void>;
  /** Space of the unit for node_info. Absent: the type does not report space. */
  spaceInfo?(unit: StorageUnitKey, ctx: ProviderContext): Promise<StorageSpaceInfo>;
}

/**
 * Operations of internally mirrored templates (drbd), present when `mirrored` is
 * `'internal'`: used by migration (dual primary), replace-disks and resync control.
 */
export interface StorageMirror {
  /** Disconnects the device from its peer (standalone). */
  disconnectNet(disk: DiskSpec, ctx: ProviderContext): Promise<void>;
  /** Reconnects to the peer; `multimaster` allows both sides primary (live migration). */
  attachNet(disk: DiskSpec, multimaster: boolean, ctx: ProviderContext): Promise<void>;
  /** Adds local storage children (replace-disks on a node). */
  addChildren(disk: DiskSpec, children: readonly DeviceAccess[], ctx: ProviderContext): Promise<void>;
  /** Detaches local storage children. */
  removeChildren(disk: DiskSpec, children: readonly DiskSpec[], ctx: ProviderContext): Promise<void>;
  /** Applies resync tuning parameters; returns error messages, empty when all applied. */
  setSyncParams?(disk: DiskSpec, params: Params, ctx: ProviderContext): Promise<string[]>;
  /** Pauses or resumes the resync (e.g. while wiping). */
  pauseResumeSync?(disk: DiskSpec, pause: boolean, ctx: ProviderContext): Promise<void>;
}

/**
 * The storage of one disk template. Registered with `host.storage.register(template, p)`;
 * `params` is the diskparams schema of the template, checked on the master for syntax.
 * All methods run on the node named by `ctx.nodeName`, for the part of the device there.
 */
export interface StorageProvider extends ProviderBase {
  /** The template served; equals the registration name. */
  readonly diskTemplate: DiskTemplate;
  /** Storage type its space is accounted in (plain, drbd → `lvm-vg`; rbd → `rados`), or null. */
  readonly storageType: StorageType | null;
  /** `internal`: replicated by the template (drbd); `external`: reachable from other nodes (rbd, ext, sharedfile...). */
  readonly mirrored: 'internal' | 'external' | 'none';
  /** Disks are files (file, sharedfile, gluster). */
  readonly fileBased: boolean;
  /** `snapshot` is present (needed by `gnt-backup export` of running instances). */
  readonly supportsSnapshot: boolean;
  /** `grow` is present. */
  readonly supportsGrow: boolean;
  /** Devices may be reached through userspace URIs (disk param `access=userspace`). */
  readonly userspaceAccess: boolean;

  /**
   * Creates the device and its data (children already exist). Returns the logical id the
   * master records, normally `spec.logicalId`. Throws if it exists and is not reusable.
   */
  create(spec: DiskSpec, opts: CreateOptions, ctx: ProviderContext): Promise<LogicalId>;
  /** Looks for the device active on this node; null when it is not. No side effects. */
  attach(spec: DiskSpec, ctx: ProviderContext): Promise<DeviceAccess | null>;
  /** Activates the device (idempotent) and says where it is. Throws when neither path nor URI results. */
  assemble(spec: DiskSpec, opts: AssembleOptions, ctx: ProviderContext): Promise<DeviceAccess>;
  /** Deactivates the device, keeping its data. Idempotent. */
  shutdown(spec: DiskSpec, ctx: ProviderContext): Promise<void>;
  /** Destroys the device and its data. Idempotent. */
  remove(spec: DiskSpec, ctx: ProviderContext): Promise<void>;
  /** Resync/health status of the assembled device (without children; the core combines). */
  syncStatus(spec: DiskSpec, ctx: ProviderContext): Promise<BlockDevStatus>;
  /** Real size of the assembled device. */
  actualSize(spec: DiskSpec, ctx: ProviderContext): Promise<ActualDimensions>;

  /** Makes the assembled device ready for I/O here; `exclusive` is false during live migration. Absent: no-op. */
  open?(spec: DiskSpec, exclusive: boolean, ctx: ProviderContext): Promise<void>;
  /** Stops I/O readiness here. Absent: no-op. */
  close?(spec: DiskSpec, ctx: ProviderContext): Promise<void>;
  /** Changes the device's logical id (e.g. LV name). Absent: renaming is refused. */
  rename?(spec: DiskSpec, newId: LogicalId, ctx: ProviderContext): Promise<void>;
  /** Grows by `amount` MiB (children first, by the core). Present iff `supportsGrow`. */
  grow?(spec: DiskSpec, amount: number, opts: GrowOptions, ctx: ProviderContext): Promise<void>;
  /** Snapshots the device; returns the snapshot's logical id. Present iff `supportsSnapshot`. */
  snapshot?(spec: DiskSpec, snap: { readonly name: string; readonly size: number }, ctx: ProviderContext): Promise<LogicalId>;
  /** Stores metadata with the device (LVM tag, ES `setinfo`: `originstname+<instance>`). Absent: no-op. */
  setInfo?(spec: DiskSpec, text: string, ctx: ProviderContext): Promise<void>;
  /** The userspace URI for `hypervisor` (without its prefix), or null. Requires `userspaceAccess`. */
  userspaceUri?(spec: DiskSpec, hypervisor: string, ctx: ProviderContext): Promise<string | null>;
  /** Command that writes raw data read from stdin onto the device. Absent: the core writes to the device path. */
  importCommand?(spec: DiskSpec, ctx: ProviderContext): Promise<CommandSpec>;
  /** Command that writes the device's raw data to stdout. Absent: the core reads the device path. */
  exportCommand?(spec: DiskSpec, ctx: ProviderContext): Promise<CommandSpec>;
  /**
   * Per-disk parameters outside `params` are accepted and passed through as strings (ext: the
   * parameters each ExtStorage provider lists in `parameters.list`, given to its scripts as
   * EXTP_<NAME>); `validateDiskParams` then checks them on the node. Absent: refused.
   */
  readonly freeDiskParams?: boolean;
  /**
   * On the node: checks per-disk parameters against the environment (ext: the provider's
   * `parameters.list`). `spec` is the disk they are for, when there is one (its logical id
   * names the ext provider).
   */
  validateDiskParams?(params: Params, ctx: ProviderContext, spec?: DiskSpec): Promise<void>;
  /** For templates made of named sub-providers (ext): their status on this node. */
  diagnose?(ctx: ProviderContext): Promise<ExtProviderStatus[]>;
  /** Storage units this template accounts in (e.g. plain: `lvm-vg` and `lvm-pv`). */
  readonly storageUnits?: readonly StorageUnits[];
  /** Present iff `mirrored` is `'internal'`. */
  readonly mirror?: StorageMirror;
}

/** Methods every storage provider has; the host refuses a registration lacking one. */
export const STORAGE_REQUIRED_METHODS = Object.freeze([
  'create',
  'attach',
  'assemble',
  'shutdown',
  'remove',
  'syncStatus',
  'actualSize',
] as const satisfies readonly (keyof StorageProvider)[]);
