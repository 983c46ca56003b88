/**
 * A disk as it travels in block-device RPCs: Ganeti's Disk.ToDict (interfaces §10.1) with
 * `params` already filled by the master (cluster, group and disk levels) and, per node,
 * `dynamic_params`. The node turns it into the DiskSpec its storage provider takes.
 */
import type { DiskSpec, DiskTemplate } from '../contracts/storage.js';
import type { Params } from '../contracts/params.js';
import type { JsonSchema } from '../rpc/calls.js';

export interface WireDisk {
  readonly uuid: string;
  readonly name?: string | null;
  readonly dev_type: DiskTemplate;
  readonly logical_id: readonly unknown[];
  readonly children?: readonly WireDisk[];
  /** MiB */
  readonly size: number;
  readonly mode?: 'rw' | 'ro';
  readonly params: Params;
  readonly iv_name?: string;
  readonly spindles?: number | null;
  readonly dynamic_params?: Params;
}

const leafProperties = {
  uuid: { type: 'string', minLength: 1 },
  name: { type: ['string', 'null'] },
  dev_type: { type: 'string', minLength: 1 },
  logical_id: { type: 'array' },
  size: { type: 'integer', minimum: 0 },
  mode: { enum: ['rw', 'ro'] },
  params: { type: 'object' },
  iv_name: { type: 'string' },
  spindles: { type: ['integer', 'null'] },
  dynamic_params: { type: 'object' },
};
const required = ['uuid', 'dev_type', 'logical_id', 'size', 'params'];

/**
 * The RPC argument schema of one disk. Trees are two levels deep in Ganeti (drbd over two
 * LVs), so children are checked as leaves; no `$id`/`$ref`, which would clash when the
 * schema is compiled into several calls' argument schemas.
 */
export const WIRE_DISK_SCHEMA: JsonSchema = {
  type: 'object',
  required,
  properties: { ...leafProperties, children: { type: 'array', items: { type: 'object', required, properties: leafProperties } } },
};

export function diskSpecOf(w: WireDisk): DiskSpec {
  return {
    uuid: w.uuid,
    name: w.name ?? null,
    dev_type: w.dev_type,
    size: w.size,
    mode: w.mode ?? 'rw',
    params: w.params,
    logicalId: w.logical_id,
    iv_name: w.iv_name ?? 'disk/0',
    spindles: w.spindles ?? null,
    ...(w.children?.length ? { children: w.children.map(diskSpecOf) } : {}),
    ...(w.dynamic_params ? { dyn_params: w.dynamic_params } : {}),
  };
}
