/**
 * The `sharedfile` template (Ganeti's FileStorage on the cluster's shared file storage dir):
 * each disk is a sparse raw image file on a folder every node mounts (NFS, CephFS, a Gluster
 * FUSE mount...), named by its logical id `[driver, path]`. Any node sees the same file, so
 * the disk is externally mirrored: an instance fails over or migrates by opening the file on
 * the other node. A file is usable as soon as it exists, so created, assembled and open are
 * one state. Copied from storage/file (plugins may not import each other); only the template,
 * the storage type and the mirroring differ.
 */
import type { Stats } from 'node:fs';
import { mkdir, open, rename, stat, truncate, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { GanetiError, NO_PARAMS, check, describeError, type DeviceAccess, type DiskSpec, type ProviderContext, type StorageProvider } from '../../core/index.js';
import { TEMPLATE, diskPath, parseFileId } from './logical-id.js';
import { sharedFileStorageUnits } from './storage-units.js';

const MIB = 1024 * 1024;

const code = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | null)?.code;

const failed = (path: string, action: string, e: unknown): GanetiError =>
  e instanceof GanetiError ? e : new GanetiError('GNT_DISK_FAILED', { template: TEMPLATE, disk: path, action, reason: describeError(e) }, { cause: e });

const notFound = (path: string, ctx: ProviderContext) => new GanetiError('GNT_DISK_NOT_FOUND', { template: TEMPLATE, disk: path, node: ctx.nodeName });

/** The disk file's stats, or null when there is none; anything but a regular file is refused. */
async function statDisk(path: string): Promise<Stats | null> {
  let st: Stats;
  try {
    st = await stat(path);
  } catch (e) {
    if (code(e) === 'ENOENT') return null;
    throw failed(path, 'look up', e);
  }
  if (!st.isFile()) throw failed(path, 'use', 'it is not a regular file');
  return st;
}

async function existingDisk(path: string, ctx: ProviderContext): Promise<Stats> {
  const st = await statDisk(path);
  if (!st) throw notFound(path, ctx);
  return st;
}

const access = (path: string): DeviceAccess => ({ devPath: path, uris: [] });

function checkSize(spec: DiskSpec, path: string): void {
  if (!Number.isInteger(spec.size) || spec.size < 0)
    throw new GanetiError('GNT_DISK_SPEC_INVALID', { template: TEMPLATE, disk: path, reason: `size must be a whole number of MiB, not ${spec.size}` });
}

export const sharedFileStorage: StorageProvider = {
  description: 'Disks as sparse raw image files on a folder shared by all nodes (NFS, CephFS, Gluster...)',
  // Ganeti's sharedfile template has no disk parameters.
  params: NO_PARAMS,
  diskTemplate: TEMPLATE,
  storageType: 'sharedfile',
  mirrored: 'external',
  fileBased: true,
  supportsSnapshot: false,
  supportsGrow: true,
  userspaceAccess: false,
  storageUnits: [sharedFileStorageUnits],

  async create(spec, _opts, ctx) {
    const path = diskPath(spec);
    checkSize(spec, path);
    try {
      await mkdir(dirname(path), { recursive: true, mode: 0o750 });
      // O_EXCL makes "refuse to overwrite" atomic; the image holds guest data, hence 0600.
      await (await open(path, 'wx', 0o600)).close();
    } catch (e) {
      if (code(e) === 'EEXIST') throw new GanetiError('GNT_DISK_EXISTS', { template: TEMPLATE, disk: path, node: ctx.nodeName });
      throw failed(path, 'create', e);
    }
    try {
      // qemu-img writes a raw image without allocating it (sparse), as Ganeti's truncate did.
      check(await ctx.run(['qemu-img', 'create', '-q', '-f', 'raw', path, `${spec.size}M`]));
    } catch (e) {
      await unlink(path).catch(() => undefined); // nothing half-made is left behind
      throw e;
    }
    ctx.log.info(`created sharedfile disk ${path} (${spec.size} MiB)`);
    return spec.logicalId;
  },

  async attach(spec) {
    const path = diskPath(spec);
    return (await statDisk(path)) ? access(path) : null;
  },

  async assemble(spec, _opts, ctx) {
    const path = diskPath(spec);
    await existingDisk(path, ctx);
    return access(path);
  },

  async shutdown(spec) {
    diskPath(spec); // nothing to deactivate, but a bad logical id is still an error
  },

  async remove(spec, ctx) {
    const path = diskPath(spec);
    try {
      await unlink(path);
      ctx.log.info(`removed sharedfile disk ${path}`);
    } catch (e) {
      if (code(e) !== 'ENOENT') throw failed(path, 'remove', e);
    }
  },

  async syncStatus(spec, ctx) {
    const path = diskPath(spec);
    await existingDisk(path, ctx);
    // A plain file has no mirror to resync and no health of its own to report.
    return { dev_path: path, major: null, minor: null, sync_percent: null, estimated_time: null, is_degraded: false, ldisk_status: 1 };
  },

  async actualSize(spec, ctx) {
    const st = await existingDisk(diskPath(spec), ctx);
    return { size: st.size, spindles: null };
  },

  async rename(spec, newId, ctx) {
    const from = diskPath(spec);
    const to = parseFileId(newId, spec.uuid).path;
    if (from === to) return;
    await existingDisk(from, ctx);
    // rename(2) would silently replace an existing file; another disk's data must survive.
    if (await statDisk(to)) throw new GanetiError('GNT_DISK_EXISTS', { template: TEMPLATE, disk: to, node: ctx.nodeName });
    try {
      await mkdir(dirname(to), { recursive: true, mode: 0o750 });
      await rename(from, to);
    } catch (e) {
      throw failed(from, `move to ${to}`, e);
    }
  },

  async grow(spec, amount, opts, ctx) {
    const path = diskPath(spec);
    if (!Number.isInteger(amount))
      throw new GanetiError('GNT_DISK_SPEC_INVALID', { template: TEMPLATE, disk: path, reason: `growth must be a whole number of MiB, not ${amount}` });
    if (amount < 0) throw new GanetiError('GNT_DISK_SHRINK', { template: TEMPLATE, disk: path, amount: String(amount) });
    // No logical device sits on top of the file: only the backing store grows.
    if (!opts.backingStore) return;
    const st = await existingDisk(path, ctx);
    if (opts.dryRun || amount === 0) return;
    // As Ganeti: the new size is the file's real size plus `amount`. A plain truncate, not
    // `qemu-img resize`, which needs the image's write lock and so fails while qemu runs it.
    try {
      await truncate(path, st.size + amount * MIB);
    } catch (e) {
      throw failed(path, 'grow', e);
    }
    ctx.log.info(`grew sharedfile disk ${path} by ${amount} MiB`);
  },
};
