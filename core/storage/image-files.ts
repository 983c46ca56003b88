/**
 * Disks that are sparse raw image files (Ganeti's FileStorage), for the templates built on
 * them: file, sharedfile, gluster, and any plugin's. Exported to plugins (plugins may not
 * import each other, so the common part lives here, not in one of them).
 *
 * - `imageFiles(template)`: the file operations, each with the template's coded errors;
 * - `parseFileId(template, id, disk)`: the `[driver, path]` logical id, checked;
 * - `folderStorageUnits(type, defaultDir)`: a storage unit that is a folder of image files;
 * - `fileImageStorage(o)`: a whole provider whose disks are files named by `[driver, path]`.
 *
 * A file is usable as soon as it exists, so created, assembled and open are one state.
 */
import type { Stats } from 'node:fs';
import { lstat, mkdir, open, readdir, rename, stat, statfs, truncate, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import { GanetiError, describeError } from '../errors/index.js';
import { check } from '../exec/index.js';
import type { ProviderContext } from '../contracts/context.js';
import type { GanetiPaths } from '../paths.js';
import { NO_PARAMS } from '../contracts/params.js';
import type { BlockDevStatus, DiskSpec, GrowOptions, LogicalId, StorageProvider, StorageType, StorageUnitKey, StorageUnitRow, StorageUnits } from '../contracts/storage.js';

const MIB = 1024 * 1024;
const toMiB = (bytes: number): number => Math.ceil(bytes / MIB);
const code = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | null)?.code;

export interface ImageFiles {
  /** The file's stats, or null when there is none; anything but a regular file is refused. */
  stat(path: string): Promise<Stats | null>;
  /** The file's stats; GNT_DISK_NOT_FOUND when there is none. */
  existing(path: string, ctx: ProviderContext): Promise<Stats>;
  /** Creates the folder and a sparse raw image of `sizeMiB`; refuses an existing file; leaves nothing on failure. */
  create(path: string, sizeMiB: number, ctx: ProviderContext): Promise<void>;
  /** Removes the file; an absent one is fine. */
  remove(path: string, ctx: ProviderContext): Promise<void>;
  /** Grows the file by `amount` MiB (checked: whole, not negative); a dry run only checks. */
  grow(path: string, amount: number, opts: GrowOptions, ctx: ProviderContext): Promise<void>;
  /** Moves the file, never over another one. */
  rename(from: string, to: string, ctx: ProviderContext): Promise<void>;
  /** The status of a healthy file (it has no mirror or health of its own). */
  status(path: string): BlockDevStatus;
}

export function imageFiles(template: string): ImageFiles {
  const failed = (path: string, action: string, e: unknown): GanetiError =>
    e instanceof GanetiError ? e : new GanetiError('GNT_DISK_FAILED', { template, disk: path, action, reason: describeError(e) }, { cause: e });
  const invalid = (path: string, reason: string) => new GanetiError('GNT_DISK_SPEC_INVALID', { template, disk: path, reason });

  const statFile = async (path: string): Promise<Stats | null> => {
    let st: Stats;
    try {
      st = await stat(path);
    } catch (e) {
      if (code(e) === 'ENOENT') return null;
      throw failed(path, 'look up', e);
    }
    if (!st.isFile()) throw failed(path, 'use', 'it is not a regular file');
    return st;
  };
  const existing = async (path: string, ctx: ProviderContext): Promise<Stats> => {
    const st = await statFile(path);
    if (!st) throw new GanetiError('GNT_DISK_NOT_FOUND', { template, disk: path, node: ctx.nodeName });
    return st;
  };

  return {
    stat: statFile,
    existing,

    async create(path, sizeMiB, ctx) {
      if (!Number.isInteger(sizeMiB) || sizeMiB < 0) throw invalid(path, `size must be a whole number of MiB, not ${sizeMiB}`);
      try {
        await mkdir(dirname(path), { recursive: true, mode: 0o750 });
      } catch (e) {
        // EEXIST here means a non-folder is in the way, not that the disk exists
        throw failed(path, 'create', code(e) === 'EEXIST' ? `${dirname(path)} is not a folder` : e);
      }
      try {
        // O_EXCL makes "refuse to overwrite" atomic (also between nodes on a shared folder);
        // the image holds guest data, hence 0600.
        await (await open(path, 'wx', 0o600)).close();
      } catch (e) {
        if (code(e) === 'EEXIST') throw new GanetiError('GNT_DISK_EXISTS', { template, disk: path, node: ctx.nodeName });
        throw failed(path, 'create', e);
      }
      try {
        // qemu-img writes a raw image without allocating it (sparse), as Ganeti's truncate did.
        check(await ctx.run(['qemu-img', 'create', '-q', '-f', 'raw', path, `${sizeMiB}M`]));
      } catch (e) {
        await unlink(path).catch(() => undefined); // nothing half-made is left behind
        throw e;
      }
      ctx.log.info(`created ${template} disk ${path} (${sizeMiB} MiB)`);
    },

    async remove(path, ctx) {
      try {
        await unlink(path);
        ctx.log.info(`removed ${template} disk ${path}`);
      } catch (e) {
        if (code(e) !== 'ENOENT') throw failed(path, 'remove', e);
      }
    },

    async grow(path, amount, opts, ctx) {
      if (!Number.isInteger(amount)) throw invalid(path, `growth must be a whole number of MiB, not ${amount}`);
      if (amount < 0) throw new GanetiError('GNT_DISK_SHRINK', { template, disk: path, amount: String(amount) });
      // No logical device sits on top of the file: only the backing store grows.
      if (!opts.backingStore) return;
      const st = await existing(path, ctx);
      if (opts.dryRun || amount === 0) return;
      // As Ganeti: the new size is the file's real size plus `amount`. A plain truncate, not
      // `qemu-img resize`, which needs the image's write lock and so fails while qemu runs it.
      try {
        await truncate(path, st.size + amount * MIB);
      } catch (e) {
        throw failed(path, 'grow', e);
      }
      ctx.log.info(`grew ${template} disk ${path} by ${amount} MiB`);
    },

    async rename(from, to, ctx) {
      if (from === to) return;
      await existing(from, ctx);
      // rename(2) would silently replace an existing file; another disk's data must survive.
      if (await statFile(to)) throw new GanetiError('GNT_DISK_EXISTS', { template, disk: to, node: ctx.nodeName });
      try {
        await mkdir(dirname(to), { recursive: true, mode: 0o750 });
        await rename(from, to);
      } catch (e) {
        throw failed(from, `move to ${to}`, e);
      }
    },

    status: (path) => ({ dev_path: path, major: null, minor: null, sync_percent: null, estimated_time: null, is_degraded: false, ldisk_status: 1 }),
  };
}

/** How Xen attaches a file disk (the first element of its logical id). */
export const FILE_DRIVERS = Object.freeze(['loop', 'blktap', 'blktap2'] as const);
export type FileDriver = (typeof FILE_DRIVERS)[number];

/**
 * The `[driver, path]` logical id of a file disk (interfaces §10.1). It comes from the
 * master, so the path is checked: absolute and normalized, so that it cannot climb out of
 * the folder it names.
 */
export function parseFileId(template: string, id: LogicalId, disk: string): { readonly driver: FileDriver; readonly path: string } {
  const invalid = (reason: string) => new GanetiError('GNT_DISK_SPEC_INVALID', { template, disk, reason });
  if (!Array.isArray(id) || id.length !== 2) throw invalid(`the logical id must be [driver, path], not ${JSON.stringify(id)}`);
  const [driver, path] = id as unknown[];
  if (!FILE_DRIVERS.includes(driver as FileDriver)) throw invalid(`unknown file driver ${JSON.stringify(driver)} (known: ${FILE_DRIVERS.join(', ')})`);
  if (typeof path !== 'string' || !isAbsolute(path) || path.includes('\0') || normalize(path) !== path || path.endsWith('/'))
    throw invalid(`the path ${JSON.stringify(path)} is not an absolute, normalized file path`);
  return { driver: driver as FileDriver, path };
}

async function folderSpace(dir: string): Promise<{ size: number; free: number }> {
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

/**
 * A storage unit that is a folder of disk files (`gnt-node list-storage -t file`, node_info),
 * as Ganeti's FileStorage container: `size` and `free` are the file system's, `used` the
 * apparent size of the files below the folder, all in MiB rounded up; always allocatable.
 * The folder is the key the master passes (the cluster's folder), else `defaultDir` of this node.
 */
export function folderStorageUnits(type: StorageType, defaultDir: (paths: GanetiPaths) => string): StorageUnits {
  const unitDir = (unit: StorageUnitKey, ctx: ProviderContext): string => unit.key ?? defaultDir(ctx.paths);
  const checkDir = async (dir: string, ctx: ProviderContext) => {
    const isDir = await stat(dir).then((s) => s.isDirectory(), () => false);
    if (!isDir) throw new GanetiError('GNT_STORAGE_UNIT_NOT_FOUND', { type, name: dir, node: ctx.nodeName });
  };
  return {
    type,
    async list(unit, name, fields, ctx) {
      const dir = unitDir(unit, ctx);
      if (name !== null && name !== dir) return [];
      await checkDir(dir, ctx);
      // Only what was asked for: walking a large folder for `used` is not free.
      const fsSpace = fields.includes('size') || fields.includes('free') ? await folderSpace(dir) : undefined;
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
      const s = await folderSpace(dir);
      return { type, name: dir, storage_free: s.free, storage_size: s.size };
    },
  };
}

export interface FileImageStorageOptions {
  readonly template: string;
  readonly description: string;
  /** The storage type its folder is accounted in (file, sharedfile). */
  readonly storageType: StorageType;
  /** `external` when every node sees the same folder (sharedfile). */
  readonly mirrored: 'none' | 'external';
  /** This node's folder when the master names none. */
  readonly defaultDir: (paths: GanetiPaths) => string;
}

/** A provider whose disks are image files named by `[driver, path]` (file, sharedfile). */
export function fileImageStorage(o: FileImageStorageOptions): StorageProvider {
  const files = imageFiles(o.template);
  const pathOf = (spec: DiskSpec): string => parseFileId(o.template, spec.logicalId, spec.uuid).path;
  const access = (path: string) => ({ devPath: path, uris: [] });
  return {
    description: o.description,
    // Ganeti's file templates have no disk parameters.
    params: NO_PARAMS,
    diskTemplate: o.template,
    storageType: o.storageType,
    mirrored: o.mirrored,
    fileBased: true,
    supportsSnapshot: false,
    supportsGrow: true,
    userspaceAccess: false,
    storageUnits: [folderStorageUnits(o.storageType, o.defaultDir)],

    async create(spec, _opts, ctx) {
      await files.create(pathOf(spec), spec.size, ctx);
      return spec.logicalId;
    },
    async attach(spec) {
      const path = pathOf(spec);
      return (await files.stat(path)) ? access(path) : null;
    },
    async assemble(spec, _opts, ctx) {
      const path = pathOf(spec);
      await files.existing(path, ctx);
      return access(path);
    },
    async shutdown(spec) {
      pathOf(spec); // nothing to deactivate, but a bad logical id is still an error
    },
    remove: (spec, ctx) => files.remove(pathOf(spec), ctx),
    async syncStatus(spec, ctx) {
      const path = pathOf(spec);
      await files.existing(path, ctx);
      return files.status(path);
    },
    async actualSize(spec, ctx) {
      return { size: (await files.existing(pathOf(spec), ctx)).size, spindles: null };
    },
    rename: (spec, newId, ctx) => files.rename(pathOf(spec), parseFileId(o.template, newId, spec.uuid).path, ctx),
    grow: (spec, amount, opts, ctx) => files.grow(pathOf(spec), amount, opts, ctx),
  };
}
