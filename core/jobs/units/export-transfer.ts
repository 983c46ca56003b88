import { decompressData } from '../../rpc/encoding.js';
import type { UnitContext } from '../logical-unit.js';
import { rpcNode, type NodeView } from './instance-common.js';
import { GanetiError } from '../../errors/index.js';

const CHUNK = 1024 * 1024;

/**
 * Copies a file of one node's export folder to another node's, a 1 MiB compressed chunk at a
 * time through the master (export_file_read, export_file_write); returns the bytes copied.
 */
export async function relayExportFile(ctx: UnitContext, from: NodeView, fromPath: string, to: NodeView, toPath: string): Promise<number> {
  const rpc = await ctx.rpc();
  let offset = 0;
  for (;;) {
    const r = await rpc.callNode<unknown>('export_file_read', rpcNode(from), [fromPath, offset, CHUNK], { signal: ctx.signal });
    if (!r?.success) throw new GanetiError('GNT_INSTANCE_DISK_COPY', { path: `${from.name}:${fromPath}`, action: 'read', reason: r?.error ?? 'no answer' });
    const length = decompressData(r.payload, 'the chunk').length;
    if (length === 0 && offset > 0) break;
    const w = await rpc.callNode<number>('export_file_write', rpcNode(to), [toPath, offset, r.payload], { signal: ctx.signal });
    if (!w?.success) throw new GanetiError('GNT_INSTANCE_DISK_COPY', { path: `${to.name}:${toPath}`, action: 'write', reason: w?.error ?? 'no answer' });
    offset += length;
    if (length < CHUNK) break;
  }
  return offset;
}
