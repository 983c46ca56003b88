/**
 * The export folder procedures (Ganeti's export_list, export_info, export_remove,
 * finalize_export), plus ganeti-ts's export_file_read/export_file_write that move a dump
 * between nodes a chunk at a time (Ganeti streams through its import/export daemons).
 * Paths are the cluster's (`/srv/ganeti/export/...`) or relative to the export folder.
 */
import type { JsonSchema, RpcArgDef, RpcCallDef } from './calls.js';
import { DISK_CHUNK_MAX } from './disk-copy-calls.js';

const arg = (name: string, schema: JsonSchema, hint: string): RpcArgDef => Object.freeze({ name, schema, hint });
const path = (name: string) => arg(name, { type: 'string', minLength: 1 }, 'a path in the export folder');

export const EXPORT_RPC_CALLS: readonly RpcCallDef[] = Object.freeze([
  { name: 'export_list', kind: 'multi', timeout: 'FAST', args: [], result: 'the names of the exports on the node', description: 'Lists the exports of the node' },
  { name: 'export_info', kind: 'single', timeout: 'FAST', args: [path('path')], result: 'the text of the export\'s config.ini', description: 'Reads an export\'s description' },
  { name: 'export_remove', kind: 'single', timeout: 'FAST', args: [path('name')], result: 'null', description: 'Removes an export (or a staging folder) from the node' },
  {
    name: 'finalize_export', kind: 'single', timeout: 'FAST', args: [path('name'), arg('config', { type: 'string' }, 'the config.ini text')],
    result: 'null', description: 'Writes config.ini into <name>.new and renames it to <name>, replacing an older export',
  },
  {
    name: 'export_file_read', kind: 'single', timeout: 'NORMAL',
    args: [path('file'), arg('offset', { type: 'integer', minimum: 0 }, 'a byte offset'), arg('length', { type: 'integer', minimum: 1, maximum: DISK_CHUNK_MAX }, 'bytes to read')],
    result: '[encoding, data] (ED_COMPRESS); shorter than asked at the end of the file', description: 'Reads part of a dump file',
  },
  {
    name: 'export_file_write', kind: 'single', timeout: 'NORMAL',
    args: [path('file'), arg('offset', { type: 'integer', minimum: 0 }, 'a byte offset (0 starts the file anew)'), arg('data', { type: 'array', minItems: 2, maxItems: 2 }, '[encoding, data] (ED_COMPRESS)')],
    result: 'the number of bytes written', description: 'Writes part of a dump file',
  },
]);
