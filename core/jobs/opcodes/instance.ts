import type { OpCommon, OpcodeSchema } from './common.js';

/**
 * The instance family of opcodes with Ganeti's names, fields and defaults (OpInstance*).
 * Disks and NICs are Ganeti's spec dicts (`{size, mode, vg, provider, ...}`,
 * `{mac, ip, mode, link, network, name, vlan}`).
 */

type Params = Readonly<Record<string, unknown>>;
type SpecList = readonly Params[];

export interface OpInstanceCreate extends OpCommon {
  readonly OP_ID: 'OP_INSTANCE_CREATE';
  readonly instance_name: string;
  /** Ganeti's `mode`: `create`, or `import` from an export (gnt-backup import; src_node, src_path). */
  readonly mode: 'create' | 'import';
  readonly src_node: string | null;
  /** The export's folder on src_node (`/srv/ganeti/export/NAME`, or NAME); default the instance's name. */
  readonly src_path: string | null;
  readonly disk_template: string;
  readonly disks: SpecList;
  readonly nics: SpecList;
  readonly os_type: string | null;
  readonly pnode: string | null;
  readonly snode: string | null;
  readonly iallocator: string | null;
  readonly hypervisor: string | null;
  readonly hvparams: Params;
  readonly beparams: Params;
  readonly osparams: Params;
  readonly osparams_private: Params;
  readonly force_variant: boolean;
  readonly start: boolean;
  readonly no_install: boolean | null;
  readonly ip_check: boolean;
  readonly name_check: boolean;
  readonly wait_for_sync: boolean;
  readonly file_storage_dir: string | null;
  readonly file_driver: string | null;
  readonly tags: readonly string[];
}

export interface OpInstanceRemove extends OpCommon {
  readonly OP_ID: 'OP_INSTANCE_REMOVE';
  readonly instance_name: string;
  readonly ignore_failures: boolean;
  readonly shutdown_timeout: number;
}

export interface OpInstanceStartup extends OpCommon {
  readonly OP_ID: 'OP_INSTANCE_STARTUP';
  readonly instance_name: string;
  readonly force: boolean;
  readonly ignore_offline_nodes: boolean;
  readonly hvparams: Params;
  readonly beparams: Params;
  readonly no_remember: boolean;
  readonly startup_paused: boolean;
}

export interface OpInstanceShutdown extends OpCommon {
  readonly OP_ID: 'OP_INSTANCE_SHUTDOWN';
  readonly instance_name: string;
  readonly force: boolean;
  readonly ignore_offline_nodes: boolean;
  /** Seconds (Ganeti's default 120). */
  readonly timeout: number;
  readonly no_remember: boolean;
}

export interface OpInstanceReboot extends OpCommon {
  readonly OP_ID: 'OP_INSTANCE_REBOOT';
  readonly instance_name: string;
  readonly reboot_type: 'soft' | 'hard' | 'full';
  readonly ignore_secondaries: boolean;
  readonly shutdown_timeout: number;
}

export interface OpInstanceQueryData extends OpCommon {
  readonly OP_ID: 'OP_INSTANCE_QUERY_DATA';
  readonly instances: readonly string[];
  /** Only the config, no node asked (`gnt-instance info -s`). */
  readonly static: boolean;
  readonly use_locking: boolean;
}

export interface OpInstanceConsole extends OpCommon {
  readonly OP_ID: 'OP_INSTANCE_CONSOLE';
  readonly instance_name: string;
}

export interface OpInstanceActivateDisks extends OpCommon {
  readonly OP_ID: 'OP_INSTANCE_ACTIVATE_DISKS';
  readonly instance_name: string;
  readonly ignore_size: boolean;
  readonly wait_for_sync: boolean;
}

export interface OpInstanceDeactivateDisks extends OpCommon {
  readonly OP_ID: 'OP_INSTANCE_DEACTIVATE_DISKS';
  readonly instance_name: string;
  readonly force: boolean;
}

/** Ganeti's replace-disks modes (REPLACE_DISK_PRI, _SEC, _CHG, _AUTO). */
export type ReplaceDisksMode = 'replace_on_primary' | 'replace_on_secondary' | 'replace_new_secondary' | 'replace_auto';

export interface OpInstanceReplaceDisks extends OpCommon {
  readonly OP_ID: 'OP_INSTANCE_REPLACE_DISKS';
  readonly instance_name: string;
  readonly mode: ReplaceDisksMode;
  /** Disk indices (default: every disk). */
  readonly disks: readonly number[];
  readonly remote_node: string | null;
  readonly iallocator: string | null;
  readonly early_release: boolean;
  readonly ignore_ipolicy: boolean;
}

/** Ganeti's container modification `[action, identifier, params]` (identifier: index, -1 for the last, or a name/UUID). */
export type ContainerMod = readonly ['add' | 'remove' | 'modify', number | string, Params];

export interface OpInstanceSetParams extends OpCommon {
  readonly OP_ID: 'OP_INSTANCE_SET_PARAMS';
  readonly instance_name: string;
  readonly force: boolean;
  readonly force_variant: boolean;
  readonly nics: readonly ContainerMod[];
  readonly disks: readonly ContainerMod[];
  readonly hotplug: boolean;
  /** Template conversions are not supported yet: a value other than null is refused. */
  readonly disk_template: string | null;
  readonly hvparams: Params;
  readonly beparams: Params;
  readonly runtime_mem: number | null;
  readonly os_name: string | null;
  readonly osparams: Params;
  /** true: mark offline; false: mark online (down); null: unchanged. */
  readonly offline: boolean | null;
  readonly wait_for_sync: boolean;
}

export interface OpInstanceRename extends OpCommon {
  readonly OP_ID: 'OP_INSTANCE_RENAME';
  readonly instance_name: string;
  readonly new_name: string;
  readonly name_check: boolean;
  readonly ip_check: boolean;
}

export interface OpInstanceReinstall extends OpCommon {
  readonly OP_ID: 'OP_INSTANCE_REINSTALL';
  readonly instance_name: string;
  readonly os_type: string | null;
  readonly force_variant: boolean;
  readonly osparams: Params;
}

export interface OpInstanceGrowDisk extends OpCommon {
  readonly OP_ID: 'OP_INSTANCE_GROW_DISK';
  readonly instance_name: string;
  readonly disk: number;
  /** MiB to add, or the new size with `absolute`. */
  readonly amount: number;
  readonly absolute: boolean;
  readonly wait_for_sync: boolean;
}

export interface OpInstanceRecreateDisks extends OpCommon {
  readonly OP_ID: 'OP_INSTANCE_RECREATE_DISKS';
  readonly instance_name: string;
  /** `[index, params]` per disk to recreate (params: size, mode...); empty: every disk. */
  readonly disks: readonly (readonly [number, Params])[];
  /** New nodes (the primary first) to move the disks to; empty: where they are. */
  readonly nodes: readonly string[];
  readonly iallocator: string | null;
}

export type InstanceOpCode =
  | OpInstanceCreate | OpInstanceRemove | OpInstanceStartup | OpInstanceShutdown | OpInstanceReboot
  | OpInstanceQueryData | OpInstanceConsole | OpInstanceActivateDisks | OpInstanceDeactivateDisks
  | OpInstanceReplaceDisks
  | OpInstanceSetParams | OpInstanceRename | OpInstanceReinstall | OpInstanceGrowDisk | OpInstanceRecreateDisks;

const name = { type: 'string', minLength: 1 };
const optStr = { type: ['string', 'null'], default: null };
const dict = { type: 'object', default: {} };
const bool = (d: boolean) => ({ type: 'boolean', default: d });
const containerMods = {
  type: 'array', default: [],
  items: { type: 'array', minItems: 3, maxItems: 3, items: [{ enum: ['add', 'remove', 'modify'] }, { type: ['integer', 'string'] }, { type: 'object' }] },
};
/** Ganeti's DEFAULT_SHUTDOWN_TIMEOUT. */
export const DEFAULT_SHUTDOWN_TIMEOUT = 120;
const timeout = { type: 'number', minimum: 0, default: DEFAULT_SHUTDOWN_TIMEOUT };

export const INSTANCE_OPCODE_SCHEMAS: { readonly [K in InstanceOpCode['OP_ID']]: OpcodeSchema } = Object.freeze({
  OP_INSTANCE_CREATE: {
    properties: {
      instance_name: name,
      mode: { enum: ['create', 'import'], default: 'create' },
      src_node: optStr,
      src_path: optStr,
      disk_template: name,
      disks: { type: 'array', items: { type: 'object' }, default: [] },
      nics: { type: 'array', items: { type: 'object' }, default: [] },
      os_type: optStr,
      pnode: optStr,
      snode: optStr,
      iallocator: optStr,
      hypervisor: optStr,
      hvparams: dict,
      beparams: dict,
      osparams: dict,
      osparams_private: dict,
      force_variant: bool(false),
      start: bool(true),
      no_install: { type: ['boolean', 'null'], default: null },
      ip_check: bool(true),
      name_check: bool(true),
      wait_for_sync: bool(true),
      file_storage_dir: optStr,
      file_driver: optStr,
      tags: { type: 'array', items: { type: 'string' }, default: [] },
    },
    required: ['instance_name', 'disk_template'],
  },
  OP_INSTANCE_REMOVE: { properties: { instance_name: name, ignore_failures: bool(false), shutdown_timeout: timeout }, required: ['instance_name'] },
  OP_INSTANCE_STARTUP: {
    properties: { instance_name: name, force: bool(false), ignore_offline_nodes: bool(false), hvparams: dict, beparams: dict, no_remember: bool(false), startup_paused: bool(false) },
    required: ['instance_name'],
  },
  OP_INSTANCE_SHUTDOWN: {
    properties: { instance_name: name, force: bool(false), ignore_offline_nodes: bool(false), timeout, no_remember: bool(false) },
    required: ['instance_name'],
  },
  OP_INSTANCE_REBOOT: {
    properties: { instance_name: name, reboot_type: { enum: ['soft', 'hard', 'full'] }, ignore_secondaries: bool(false), shutdown_timeout: timeout },
    required: ['instance_name', 'reboot_type'],
  },
  OP_INSTANCE_QUERY_DATA: {
    properties: { instances: { type: 'array', items: { type: 'string' }, default: [] }, static: bool(false), use_locking: bool(false) },
  },
  OP_INSTANCE_CONSOLE: { properties: { instance_name: name }, required: ['instance_name'] },
  OP_INSTANCE_ACTIVATE_DISKS: { properties: { instance_name: name, ignore_size: bool(false), wait_for_sync: bool(false) }, required: ['instance_name'] },
  OP_INSTANCE_DEACTIVATE_DISKS: { properties: { instance_name: name, force: bool(false) }, required: ['instance_name'] },
  OP_INSTANCE_REPLACE_DISKS: {
    properties: {
      instance_name: name,
      mode: { enum: ['replace_on_primary', 'replace_on_secondary', 'replace_new_secondary', 'replace_auto'] },
      disks: { type: 'array', items: { type: 'integer', minimum: 0 }, default: [] },
      remote_node: optStr,
      iallocator: optStr,
      early_release: bool(false),
      ignore_ipolicy: bool(false),
    },
    required: ['instance_name', 'mode'],
  },
  OP_INSTANCE_SET_PARAMS: {
    properties: {
      instance_name: name, force: bool(false), force_variant: bool(false), nics: containerMods, disks: containerMods, hotplug: bool(false),
      disk_template: optStr, hvparams: dict, beparams: dict, runtime_mem: { type: ['integer', 'null'], minimum: 1, default: null },
      os_name: optStr, osparams: dict, offline: { type: ['boolean', 'null'], default: null }, wait_for_sync: bool(true),
    },
    required: ['instance_name'],
  },
  OP_INSTANCE_RENAME: { properties: { instance_name: name, new_name: name, name_check: bool(true), ip_check: bool(false) }, required: ['instance_name', 'new_name'] },
  OP_INSTANCE_REINSTALL: { properties: { instance_name: name, os_type: optStr, force_variant: bool(false), osparams: dict }, required: ['instance_name'] },
  OP_INSTANCE_GROW_DISK: {
    properties: { instance_name: name, disk: { type: 'integer', minimum: 0 }, amount: { type: 'integer', minimum: 0 }, absolute: bool(false), wait_for_sync: bool(true) },
    required: ['instance_name', 'disk', 'amount'],
  },
  OP_INSTANCE_RECREATE_DISKS: {
    properties: {
      instance_name: name,
      disks: { type: 'array', items: { type: 'array', minItems: 2, maxItems: 2, items: [{ type: 'integer', minimum: 0 }, { type: 'object' }] }, default: [] },
      nodes: { type: 'array', items: { type: 'string' }, default: [] },
      iallocator: optStr,
    },
    required: ['instance_name'],
  },
});
