/**
 * The export folder of a node (Ganeti's EXPORT_DIR, `<root>/srv/ganeti/export`): one folder per
 * exported instance holding `config.ini` and one dump file per disk. An export is written
 * into `<name>.new` and renamed into place by finalize_export, so a half-made export never
 * shows in `gnt-backup list`. Dumps move between nodes a chunk at a time, relayed by the
 * master (export_file_read / export_file_write), as disks do for `gnt-instance move`.
 */
import { mkdir, open, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { RpcHandler } from '../rpc/server.js';
import { GanetiError } from '../errors/index.js';
import { compressData, decompressData } from '../rpc/encoding.js';
import { DISK_CHUNK_MAX } from '../rpc/disk-copy-calls.js';
import type { NodeEnv } from './context.js';

export const EXPORT_CONF_FILE = 'config.ini';
const STAGING = /\.(new|incoming|outgoing)$/;

/** A path as the cluster names it (`/srv/ganeti/export/...`, or relative to it), on this node; never outside the export folder. */
export function localExportPath(env: NodeEnv, wire: string): string {
  const local = wire.startsWith('/') ? env.paths.under(wire) : join(env.paths.exportDir, wire);
  const rel = relative(env.paths.exportDir, local);
  if (!rel || rel.startsWith('..') || rel.startsWith('/'))
    throw new GanetiError('GNT_RPC_ARGS', { procedure: 'export', problem: `path ${wire} is not inside the export folder /srv/ganeti/export` });
  return local;
}

export function exportHandlers(env: NodeEnv): Record<string, RpcHandler> {
  const path = (wire: unknown) => localExportPath(env, String(wire));
  return {
    async export_list() {
      const names = await readdir(env.paths.exportDir).catch(() => [] as string[]);
      const out: string[] = [];
      for (const n of names.filter((x) => !STAGING.test(x)).sort())
        if ((await stat(join(env.paths.exportDir, n, EXPORT_CONF_FILE)).catch(() => null))?.isFile()) out.push(n);
      return out;
    },

    async export_info([dir]) {
      const file = join(path(dir), EXPORT_CONF_FILE);
      return readFile(file, 'utf8').catch(() => {
        throw new GanetiError('GNT_BACKUP_NOT_FOUND', { what: String(dir), node: env.nodeName });
      });
    },

    async export_remove([name]) {
      const dir = path(name);
      if (!(await stat(dir).catch(() => null))) throw new GanetiError('GNT_BACKUP_NOT_FOUND', { what: String(name), node: env.nodeName });
      await rm(dir, { recursive: true, force: true });
      return null;
    },

    async finalize_export([name, ini]) {
      const final = path(name);
      const staging = `${final}.new`;
      await mkdir(staging, { recursive: true });
      await writeFile(join(staging, EXPORT_CONF_FILE), String(ini));
      await rm(final, { recursive: true, force: true });
      await rename(staging, final);
      return null;
    },

    async export_file_read([file, offset, length]) {
      const fh = await open(path(file), 'r');
      try {
        const buf = Buffer.alloc(Math.min(Number(length), DISK_CHUNK_MAX));
        let got = 0;
        while (got < buf.length) {
          const { bytesRead } = await fh.read(buf, got, buf.length - got, Number(offset) + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
        return compressData(buf.subarray(0, got));
      } finally {
        await fh.close();
      }
    },

    async export_file_write([file, offset, data]) {
      const local = path(file);
      await mkdir(dirname(local), { recursive: true });
      const bytes = decompressData(data, 'the chunk');
      const fh = await open(local, Number(offset) === 0 ? 'w' : 'r+');
      try {
        let done = 0;
        while (done < bytes.length) done += (await fh.write(bytes, done, bytes.length - done, Number(offset) + done)).bytesWritten;
        return done;
      } finally {
        await fh.close();
      }
    },
  };
}
