import type { OpCommon } from './common.js';

/**
 * Cluster opcodes that change or end the cluster (Ganeti's OpClusterSetParams and
 * OpClusterDestroy). Every OpClusterSetParams field is optional: null (the default) leaves
 * the value as it is.
 */
type Dict = Readonly<Record<string, unknown>>;

export interface OpClusterSetParams extends OpCommon {
  readonly OP_ID: 'OP_CLUSTER_SET_PARAMS';
  /** '' disables LVM storage. */
  readonly vg_name: string | null;
  readonly enabled_hypervisors: readonly string[] | null;
  /** hypervisor → parameters to change */
  readonly hvparams: Readonly<Record<string, Dict>> | null;
  readonly beparams: Dict | null;
  readonly nicparams: Dict | null;
  readonly ndparams: Dict | null;
  /** disk template → parameters to change */
  readonly diskparams: Readonly<Record<string, Dict>> | null;
  readonly candidate_pool_size: number | null;
  readonly max_running_jobs: number | null;
  readonly max_tracked_jobs: number | null;
  readonly mac_prefix: string | null;
  readonly master_netdev: string | null;
  readonly master_netmask: number | null;
  readonly file_storage_dir: string | null;
  readonly shared_file_storage_dir: string | null;
  /** ganeti-ts: ExtStorage folders searched after the default one ([] clears). */
  readonly extstorage_search_path: readonly string[] | null;
  readonly enabled_disk_templates: readonly string[] | null;
  /** OS → hypervisor → parameters to change (`gnt-os modify -H`); null/"default" values remove. */
  readonly os_hvp: Readonly<Record<string, Readonly<Record<string, Dict>>>> | null;
  /** OS → parameters to change (`gnt-os modify -O`). */
  readonly osparams: Readonly<Record<string, Dict>> | null;
  readonly osparams_private_cluster: Readonly<Record<string, Dict>> | null;
  /** `[["add"|"remove", os], ...]` */
  readonly hidden_os: readonly (readonly ['add' | 'remove', string])[] | null;
  readonly blacklisted_os: readonly (readonly ['add' | 'remove', string])[] | null;
}

export interface OpClusterDestroy extends OpCommon {
  readonly OP_ID: 'OP_CLUSTER_DESTROY';
}

const optional = (schema: object) => ({ anyOf: [{ type: 'null' }, schema], default: null });
const dict = { type: 'object' };
const strings = { type: 'array', items: { type: 'string' } };
const osListChanges = { type: 'array', items: { type: 'array', minItems: 2, maxItems: 2, items: [{ enum: ['add', 'remove'] }, { type: 'string', minLength: 1 }] } };

export const CLUSTER_OPCODE_SCHEMAS = {
  OP_CLUSTER_SET_PARAMS: {
    properties: {
      vg_name: optional({ type: 'string' }),
      enabled_hypervisors: optional(strings),
      hvparams: optional({ type: 'object', additionalProperties: dict }),
      beparams: optional(dict),
      nicparams: optional(dict),
      ndparams: optional(dict),
      diskparams: optional({ type: 'object', additionalProperties: dict }),
      candidate_pool_size: optional({ type: 'integer' }),
      max_running_jobs: optional({ type: 'integer' }),
      max_tracked_jobs: optional({ type: 'integer' }),
      mac_prefix: optional({ type: 'string' }),
      master_netdev: optional({ type: 'string' }),
      master_netmask: optional({ type: 'integer' }),
      file_storage_dir: optional({ type: 'string' }),
      shared_file_storage_dir: optional({ type: 'string' }),
      extstorage_search_path: optional({ type: 'array', items: { type: 'string', pattern: '^/' } }),
      enabled_disk_templates: optional(strings),
      os_hvp: optional({ type: 'object', additionalProperties: { type: 'object', additionalProperties: dict } }),
      osparams: optional({ type: 'object', additionalProperties: dict }),
      osparams_private_cluster: optional({ type: 'object', additionalProperties: dict }),
      hidden_os: optional(osListChanges),
      blacklisted_os: optional(osListChanges),
    },
  },
  OP_CLUSTER_DESTROY: { properties: {} },
} as const satisfies Record<string, { properties: Record<string, object> }>;
