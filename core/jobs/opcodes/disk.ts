import type { OpCommon, OpcodeSchema } from './common.js';

/**
 * Opcodes of detached disks: disks as first-class config objects (Ganeti 3.0's
 * design-disks), created, activated, deactivated and removed on their own. Ganeti only gets
 * such disks by detaching them from an instance; ganeti-ts can also make them directly, so
 * that a volume can be prepared (or tested) before an instance uses it. These opcodes are
 * ganeti-ts's own.
 */

/** Ganeti's instance disk spec keys (§10.2): size, mode, vg, provider, adopt, access, spindles, plus ext params. */
export type DiskRequestDict = Readonly<Record<string, unknown>>;

export interface OpDiskCreate extends OpCommon {
  readonly OP_ID: 'OP_DISK_CREATE';
  readonly disk_name: string;
  readonly disk_template: string;
  /** The node the disk is made on (and, for local templates, lives on). */
  readonly node_name: string;
  /** `size` (MiB) and the other disk spec keys. */
  readonly disk: DiskRequestDict;
}

export interface OpDiskRemove extends OpCommon {
  readonly OP_ID: 'OP_DISK_REMOVE';
  readonly disk_name: string;
}

export interface OpDiskActivate extends OpCommon {
  readonly OP_ID: 'OP_DISK_ACTIVATE';
  readonly disk_name: string;
}

export interface OpDiskDeactivate extends OpCommon {
  readonly OP_ID: 'OP_DISK_DEACTIVATE';
  readonly disk_name: string;
}

export type DiskOpCode = OpDiskCreate | OpDiskRemove | OpDiskActivate | OpDiskDeactivate;

const name = { type: 'string', minLength: 1 };

export const DISK_OPCODE_SCHEMAS: { readonly [K in DiskOpCode['OP_ID']]: OpcodeSchema } = Object.freeze({
  OP_DISK_CREATE: {
    properties: {
      disk_name: name,
      disk_template: name,
      node_name: name,
      disk: { type: 'object', required: ['size'], properties: { size: { type: 'integer', minimum: 1 }, mode: { enum: ['rw', 'ro'] } } },
    },
    required: ['disk_name', 'disk_template', 'node_name', 'disk'],
  },
  OP_DISK_REMOVE: { properties: { disk_name: name }, required: ['disk_name'] },
  OP_DISK_ACTIVATE: { properties: { disk_name: name }, required: ['disk_name'] },
  OP_DISK_DEACTIVATE: { properties: { disk_name: name }, required: ['disk_name'] },
});
