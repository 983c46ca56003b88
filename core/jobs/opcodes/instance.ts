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
  /** Ganeti's `mode`: only `create` (imports are gnt-backup's, issue 7). */
  readonly mode: 'create';
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

export type InstanceOpCode =
  | OpInstanceCreate | OpInstanceRemove | OpInstanceStartup | OpInstanceShutdown | OpInstanceReboot
  | OpInstanceQueryData | OpInstanceConsole | OpInstanceActivateDisks | OpInstanceDeactivateDisks
  | OpInstanceReplaceDisks;

const name = { type: 'string', minLength: 1 };
const optStr = { type: ['string', 'null'], default: null };
const dict = { type: 'object', default: {} };
const bool = (d: boolean) => ({ type: 'boolean', default: d });
/** Ganeti's DEFAULT_SHUTDOWN_TIMEOUT. */
export const DEFAULT_SHUTDOWN_TIMEOUT = 120;
const timeout = { type: 'number', minimum: 0, default: DEFAULT_SHUTDOWN_TIMEOUT };

export const INSTANCE_OPCODE_SCHEMAS: { readonly [K in InstanceOpCode['OP_ID']]: OpcodeSchema } = Object.freeze({
  OP_INSTANCE_CREATE: {
    properties: {
      instance_name: name,
      mode: { enum: ['create'], default: 'create' },
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
});
