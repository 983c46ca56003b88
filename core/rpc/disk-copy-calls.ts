/**
 * Disk data between nodes, ours (OP_INSTANCE_MOVE): Ganeti streams a disk with its
 * import/export daemons; here the master reads the source disk a chunk at a time and writes
 * each chunk to the target disk, through two calls on the nodes. Chunks travel as ED_COMPRESS
 * pairs ([1, base64(zlib)]), so empty regions cost little.
 */
import type { JsonSchema, RpcArgDef, RpcCallDef } from './calls.js';
import { WIRE_DISK_SCHEMA } from '../storage/disk-wire.js';

const arg = (name: string, schema: JsonSchema, hint: string): RpcArgDef => Object.freeze({ name, schema, hint });
const disk = arg('disk', WIRE_DISK_SCHEMA, 'a disk object (wire form)');
const offset = arg('offset', { type: 'integer', minimum: 0 }, 'a byte offset');

/** Largest chunk a call moves (the node daemon's body limit is 10 MiB). */
export const DISK_CHUNK_MAX = 4 * 1024 * 1024;

export const DISK_COPY_RPC_CALLS: readonly RpcCallDef[] = Object.freeze([
  {
    name: 'blockdev_read_chunk', kind: 'single', timeout: 'NORMAL',
    args: [disk, offset, arg('length', { type: 'integer', minimum: 1, maximum: DISK_CHUNK_MAX }, 'bytes to read')],
    result: '[encoding, data] (ED_COMPRESS); shorter than asked at the end of the device', description: 'Reads part of a block device',
  },
  {
    name: 'blockdev_write_chunk', kind: 'single', timeout: 'NORMAL',
    args: [disk, offset, arg('data', { type: 'array', minItems: 2, maxItems: 2 }, '[encoding, data] (ED_COMPRESS)')],
    result: 'the number of bytes written', description: 'Writes part of a block device',
  },
] satisfies RpcCallDef[]);
