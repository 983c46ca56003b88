/**
 * The `sharedfile` storage unit (`gnt-node list-storage -t sharedfile`, node_info): the shared
 * folder disk files live in, as seen from this node. As for `file` (copied from storage/file):
 * `size` and `free` are the file system's, `used` the apparent size of the files below the
 * folder, in MiB rounded up; a folder is always allocatable.
 */
import { lstat, readdir, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { GanetiError, type ProviderContext, type StorageUnitKey, type StorageUnitRow, type StorageUnits } from '../../core/index.js';

const MIB = 1024 * 1024;
const toMiB = (bytes: number): number => Math.ceil(bytes / MIB);

/** The unit's folder: the key the core passes (the cluster's shared file storage dir), else this node's default. */
const unitDir = (unit: StorageUnitKey, ctx: ProviderContext): string => unit.key ?? ctx.paths.sharedFileStorageDir;

async function checkDir(dir: string, ctx: ProviderContext): Promise<void> {
  const isDir = await stat(dir).then((s) => s.isDirectory(), () => false);
  if (!isDir) throw new GanetiError('GNT_STORAGE_UNIT_NOT_FOUND', { type: 'sharedfile', name: dir, node: ctx.nodeName });
}

async function space(dir: string): Promise<{ size: number; free: number }> {
  const fs = await statfs(dir);
  // bavail, not bfree: what an unprivileged writer (and Ganeti's statvfs) can use.
  return { size: toMiB(fs.blocks * fs.bsize), free: toMiB(fs.bavail * fs.bsize) };
}

/** Apparent size of every file below `dir`, symlinks not followed (Ganeti's CalculateDirectorySize). */
async function usedBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await usedBytes(path);
    // A file removed while we walk counts as nothing.
    else total += await lstat(path).then((s) => s.size, (e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? 0 : Promise.reject(e)));
  }
  return total;
}

export const sharedFileStorageUnits: StorageUnits = {
  type: 'sharedfile',

  async list(unit, name, fields, ctx) {
    const dir = unitDir(unit, ctx);
    if (name !== null && name !== dir) return [];
    await checkDir(dir, ctx);
    // Only what was asked for: walking a large folder for `used` is not free.
    const fsSpace = fields.includes('size') || fields.includes('free') ? await space(dir) : undefined;
    const row: StorageUnitRow = {
      name: dir,
      ...(fsSpace && { size: fsSpace.size, free: fsSpace.free }),
      ...(fields.includes('used') && { used: toMiB(await usedBytes(dir)) }),
      ...(fields.includes('allocatable') && { allocatable: true }),
    };
    return [row];
  },

  async spaceInfo(unit, ctx) {
    const dir = unitDir(unit, ctx);
    await checkDir(dir, ctx);
    const s = await space(dir);
    return { type: 'sharedfile', name: dir, storage_free: s.free, storage_size: s.size };
  },
};
