import type { OpCommon, OpcodeSchema } from './common.js';

/**
 * Opcodes that move instances between nodes (Ganeti's OpInstanceMigrate, OpInstanceFailover,
 * OpInstanceMove, OpNodeMigrate, OpNodeEvacuate), with Ganeti's fields and defaults.
 */

export type MigrationMode = 'live' | 'non-live';

export interface OpInstanceMigrate extends OpCommon {
  readonly OP_ID: 'OP_INSTANCE_MIGRATE';
  readonly instance_name: string;
  /** null: the hypervisor's `migration_mode`. */
  readonly mode: MigrationMode | null;
  /** Ganeti's older spelling of `mode` (true: live). */
  readonly live: boolean | null;
  /** Repair the state after a migration that broke off half way. */
  readonly cleanup: boolean;
  /** Fail over instead when the instance is not running. */
  readonly allow_failover: boolean;
  readonly target_node: string | null;
  readonly iallocator: string | null;
  readonly ignore_ipolicy: boolean;
  readonly allow_runtime_changes: boolean;
  readonly ignore_hvversions: boolean;
}

export interface OpInstanceFailover extends OpCommon {
  readonly OP_ID: 'OP_INSTANCE_FAILOVER';
  readonly instance_name: string;
  /** Go on when the source node is down or its disks are not consistent. */
  readonly ignore_consistency: boolean;
  readonly shutdown_timeout: number;
  readonly target_node: string | null;
  readonly iallocator: string | null;
  readonly ignore_ipolicy: boolean;
  readonly cleanup: boolean;
}

export interface OpNodeMigrate extends OpCommon {
  readonly OP_ID: 'OP_NODE_MIGRATE';
  readonly node_name: string;
  readonly mode: MigrationMode | null;
  readonly live: boolean | null;
  readonly target_node: string | null;
  readonly iallocator: string | null;
  readonly allow_runtime_changes: boolean;
  readonly ignore_ipolicy: boolean;
}

/** Ganeti's node evacuation modes. */
export type EvacuateMode = 'primary-only' | 'secondary-only' | 'all';

export interface OpNodeEvacuate extends OpCommon {
  readonly OP_ID: 'OP_NODE_EVACUATE';
  readonly node_name: string;
  readonly remote_node: string | null;
  readonly iallocator: string | null;
  readonly mode: EvacuateMode;
  readonly early_release: boolean;
}

export interface OpInstanceMove extends OpCommon {
  readonly OP_ID: 'OP_INSTANCE_MOVE';
  readonly instance_name: string;
  readonly target_node: string;
  readonly shutdown_timeout: number;
  readonly ignore_consistency: boolean;
  readonly ignore_ipolicy: boolean;
  /** Ganeti's transport compression; only `none` here. */
  readonly compress: string;
}

export type PlacementOpCode = OpInstanceMigrate | OpInstanceFailover | OpInstanceMove | OpNodeMigrate | OpNodeEvacuate;

const name = { type: 'string', minLength: 1 };
const optStr = { type: ['string', 'null'], default: null };
const bool = (d: boolean) => ({ type: 'boolean', default: d });
const mode = { enum: ['live', 'non-live', null], default: null };
const live = { type: ['boolean', 'null'], default: null };

export const PLACEMENT_OPCODE_SCHEMAS: { readonly [K in PlacementOpCode['OP_ID']]: OpcodeSchema } = Object.freeze({
  OP_INSTANCE_MIGRATE: {
    properties: {
      instance_name: name, mode, live, cleanup: bool(false), allow_failover: bool(false), target_node: optStr, iallocator: optStr,
      ignore_ipolicy: bool(false), allow_runtime_changes: bool(true), ignore_hvversions: bool(false),
    },
    required: ['instance_name'],
  },
  OP_INSTANCE_FAILOVER: {
    properties: {
      instance_name: name, ignore_consistency: bool(false), shutdown_timeout: { type: 'number', minimum: 0, default: 120 }, target_node: optStr,
      iallocator: optStr, ignore_ipolicy: bool(false), cleanup: bool(false),
    },
    required: ['instance_name'],
  },
  OP_INSTANCE_MOVE: {
    properties: {
      instance_name: name, target_node: name, shutdown_timeout: { type: 'number', minimum: 0, default: 120 }, ignore_consistency: bool(false),
      ignore_ipolicy: bool(false), compress: { enum: ['none'], default: 'none' },
    },
    required: ['instance_name', 'target_node'],
  },
  OP_NODE_MIGRATE: {
    properties: { node_name: name, mode, live, target_node: optStr, iallocator: optStr, allow_runtime_changes: bool(true), ignore_ipolicy: bool(false) },
    required: ['node_name'],
  },
  OP_NODE_EVACUATE: {
    properties: { node_name: name, remote_node: optStr, iallocator: optStr, mode: { enum: ['primary-only', 'secondary-only', 'all'], default: 'all' }, early_release: bool(false) },
    required: ['node_name'],
  },
});
