/**
 * The disk copy calls on the node (core/rpc/disk-copy-calls.ts): the disk is assembled here
 * (idempotent) and its device path read or written at an offset, so any template whose
 * provider gives a device path (file, plain, sharedfile, rbd, ext...) can be copied.
 */
import { open } from 'node:fs/promises';
import type { RpcHandler } from '../rpc/server.js';
import { GanetiError, describeError } from '../errors/index.js';
import { compressData, decompressData } from '../rpc/encoding.js';
import { DISK_CHUNK_MAX } from '../rpc/disk-copy-calls.js';
import { diskSpecOf, type WireDisk } from '../storage/disk-wire.js';
import { providerContext, type NodeEnv } from './context.js';
import { diskTrees } from './disk-tree.js';

export function diskCopyHandlers(env: NodeEnv): Record<string, RpcHandler> {
  const trees = diskTrees(env);

  async function devicePath(w: WireDisk, signal: AbortSignal): Promise<string> {
    const spec = diskSpecOf(w);
    const access = await trees.assembleTree(spec, false, providerContext(env, signal));
    if (!access.devPath) throw new GanetiError('GNT_DISK_UNSUPPORTED', { template: spec.dev_type, disk: String(spec.logicalId[1] ?? spec.uuid), action: 'copy (it has no device path)' });
    return access.devPath;
  }

  const failed = (action: string, path: string, e: unknown) =>
    new GanetiError('GNT_INSTANCE_DISK_COPY', { path, action, reason: describeError(e) }, { cause: e });

  return {
    async blockdev_read_chunk(args, req) {
      const [w, offset, length] = args as [WireDisk, number, number];
      const path = await devicePath(w, req.signal);
      const buf = Buffer.alloc(Math.min(length, DISK_CHUNK_MAX));
      const fh = await open(path, 'r').catch((e: unknown) => { throw failed('open', path, e); });
      try {
        let got = 0;
        while (got < buf.length) {
          const { bytesRead } = await fh.read(buf, got, buf.length - got, offset + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
        return compressData(buf.subarray(0, got));
      } finally {
        await fh.close();
      }
    },

    async blockdev_write_chunk(args, req) {
      const [w, offset, data] = args as [WireDisk, number, unknown];
      const bytes = decompressData(data, 'the chunk');
      const path = await devicePath(w, req.signal);
      // r+: a device (or a file disk made by blockdev_create) is written in place, never truncated
      const fh = await open(path, 'r+').catch((e: unknown) => { throw failed('open', path, e); });
      try {
        let done = 0;
        while (done < bytes.length) done += (await fh.write(bytes, done, bytes.length - done, offset + done)).bytesWritten;
        await fh.sync();
        return done;
      } finally {
        await fh.close();
      }
    },
  };
}
