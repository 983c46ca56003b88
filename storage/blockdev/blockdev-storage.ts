/**
 * The `blockdev` template (Ganeti's PersistentBlockDevice): the disk is an existing block
 * device, adopted by path. Nothing is ever created, activated or destroyed: `create` checks
 * the device is there and is a block device, `remove` forgets it (its data stays), and the
 * device cannot grow or be renamed. Its size is the device's (`blockdev --getsize64`).
 */
import type { Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { GanetiError, NO_PARAMS, check, describeError, type DeviceAccess, type DiskSpec, type ProviderContext, type StorageProvider } from '../../core/index.js';
import { TEMPLATE, parseBlockdevId } from './logical-id.js';

export interface BlockdevOptions {
  /** Path prefixes a disk may be adopted from. */
  readonly allowedPrefixes: readonly string[];
}

// glibc's major()/minor() of a 64-bit dev_t (BigInt: JS bit operators stop at 32 bits).
const major = (rdev: number): number => { const d = BigInt(rdev); return Number(((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn)); };
const minor = (rdev: number): number => { const d = BigInt(rdev); return Number((d & 0xffn) | ((d >> 12n) & ~0xffn)); };

export function createBlockdevStorage(options: BlockdevOptions): StorageProvider {
  const pathOf = (spec: DiskSpec): string => parseBlockdevId(spec.logicalId, spec.uuid, options.allowedPrefixes);

  /** The device's stats, or null when the path does not exist; anything else is refused. */
  async function lookUp(path: string, ctx: ProviderContext): Promise<Stats | null> {
    let st: Stats;
    let real: string;
    try {
      [st, real] = await Promise.all([stat(path), realpath(path)]);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new GanetiError('GNT_DISK_FAILED', { template: TEMPLATE, disk: path, action: 'look up', reason: describeError(e) }, { cause: e });
    }
    if (!real.startsWith('/dev/')) throw new GanetiError('GNT_BLOCKDEV_PATH_REFUSED', { path: `${path} (resolves to ${real})`, allowed: '/dev/' });
    if (!st.isBlockDevice()) throw new GanetiError('GNT_BLOCKDEV_NOT_BLOCK', { path, node: ctx.nodeName, found: st.isDirectory() ? 'a directory' : st.isFile() ? 'a regular file' : 'not a block device' });
    return st;
  }

  async function existing(spec: DiskSpec, ctx: ProviderContext): Promise<{ path: string; st: Stats }> {
    const path = pathOf(spec);
    const st = await lookUp(path, ctx);
    if (!st) throw new GanetiError('GNT_BLOCKDEV_NOT_BLOCK', { path, node: ctx.nodeName, found: 'it does not exist' });
    return { path, st };
  }

  const accessOf = (path: string, st: Stats): DeviceAccess => ({ devPath: path, uris: [], major: major(st.rdev), minor: minor(st.rdev) });
  const unsupported = (spec: DiskSpec, action: string) => new GanetiError('GNT_DISK_UNSUPPORTED', { template: TEMPLATE, disk: spec.uuid, action });

  return {
    description: 'Existing block devices adopted by path (e.g. SAN LUNs under /dev/disk/by-id)',
    params: NO_PARAMS,
    diskTemplate: TEMPLATE,
    storageType: 'blockdev',
    mirrored: 'external',
    fileBased: false,
    supportsSnapshot: false,
    supportsGrow: false,
    userspaceAccess: false,

    async create(spec, opts, ctx) {
      if (opts.exclusiveStorage) throw unsupported(spec, 'exclusive storage');
      const { path } = await existing(spec, ctx);
      ctx.log.info(`adopted block device ${path}`);
      return spec.logicalId;
    },

    async attach(spec, ctx) {
      const path = pathOf(spec);
      const st = await lookUp(path, ctx);
      return st ? accessOf(path, st) : null;
    },

    async assemble(spec, _opts, ctx) {
      const { path, st } = await existing(spec, ctx);
      return accessOf(path, st);
    },

    async shutdown(spec) {
      pathOf(spec); // nothing to deactivate, but a bad logical id is still an error
    },

    async remove(spec) {
      // The device belongs to the admin: removing the disk only forgets it.
      pathOf(spec);
    },

    async syncStatus(spec, ctx) {
      const { path, st } = await existing(spec, ctx);
      return { dev_path: path, major: major(st.rdev), minor: minor(st.rdev), sync_percent: null, estimated_time: null, is_degraded: false, ldisk_status: 1 };
    },

    async actualSize(spec, ctx) {
      const { path } = await existing(spec, ctx);
      const out = check(await ctx.run(['blockdev', '--getsize64', path])).stdout.trim();
      if (!/^\d+$/.test(out)) throw new GanetiError('GNT_DISK_FAILED', { template: TEMPLATE, disk: path, action: 'measure', reason: `blockdev printed ${JSON.stringify(out)}` });
      return { size: Number(out), spindles: null };
    },

    async importCommand(spec) {
      throw unsupported(spec, 'importing data');
    },
  };
}
