/**
 * The `gluster` template (Ganeti's GlusterStorage): each disk is a sparse raw image file on a
 * Gluster volume, which every node mounts (FUSE) at its gluster storage dir; any node sees the
 * same file, so the disk is externally mirrored. The logical id's path is relative to the
 * volume: the file on the mount for kernelspace access, `gluster://server:port/volume/path`
 * (gfapi) for kvm's userspace access. A file is usable as soon as it exists, so created,
 * assembled and open are one state; "active on this node" means the volume is mounted here.
 */
import type { Stats } from 'node:fs';
import { mkdir, open, stat, truncate, unlink } from 'node:fs/promises';
import { isIPv6 } from 'node:net';
import { dirname, join } from 'node:path';
import { GanetiError, check, describeError, type DeviceAccess, type DiskSpec, type ProviderContext, type StorageProvider } from '../../core/index.js';
import { TEMPLATE, volumePath } from './logical-id.js';
import { currentMount, ensureMounted, serverIp, type Mounted } from './mount.js';
import { GLUSTER_PARAMS, glusterVolume, type GlusterVolume } from './params.js';

const MIB = 1024 * 1024;

const code = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | null)?.code;

const failed = (path: string, action: string, e: unknown): GanetiError =>
  e instanceof GanetiError ? e : new GanetiError('GNT_DISK_FAILED', { template: TEMPLATE, disk: path, action, reason: describeError(e) }, { cause: e });

/** A disk: its volume, its path inside the volume. Both checked before anything is touched. */
interface GlusterDisk {
  readonly vol: GlusterVolume;
  readonly rel: string;
}

const disk = (spec: DiskSpec): GlusterDisk => ({ rel: volumePath(spec), vol: glusterVolume(spec) });

/** qemu's gfapi URI (`-drive file=`), as Ganeti builds it: the server's IP, the port, the volume, the path. */
const kvmUri = (d: GlusterDisk, ip: string): string => `gluster://${isIPv6(ip) ? `[${ip}]` : ip}:${d.vol.port}/${d.vol.volume}/${d.rel}`;

const access = (d: GlusterDisk, m: Mounted): DeviceAccess => ({ devPath: join(m.mountPoint, d.rel), uris: [`kvm:${kvmUri(d, m.ip)}`] });

async function statFile(path: string): Promise<Stats | null> {
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

/** Mounts the volume and finds the disk's file; a missing file is GNT_DISK_NOT_FOUND. */
async function existing(d: GlusterDisk, ctx: ProviderContext): Promise<{ m: Mounted; path: string; st: Stats }> {
  const m = await ensureMounted(d.vol, ctx);
  const path = join(m.mountPoint, d.rel);
  const st = await statFile(path);
  if (!st) throw new GanetiError('GNT_DISK_NOT_FOUND', { template: TEMPLATE, disk: path, node: ctx.nodeName });
  return { m, path, st };
}

export const glusterStorage: StorageProvider = {
  description: 'Disks as sparse raw image files on a Gluster volume (FUSE mount, or gfapi for kvm)',
  params: GLUSTER_PARAMS,
  diskTemplate: TEMPLATE,
  storageType: 'gluster',
  mirrored: 'external',
  fileBased: true,
  supportsSnapshot: false,
  supportsGrow: true,
  userspaceAccess: true,

  async create(spec, opts, ctx) {
    const d = disk(spec);
    if (!Number.isInteger(spec.size) || spec.size < 0)
      throw new GanetiError('GNT_DISK_SPEC_INVALID', { template: TEMPLATE, disk: d.rel, reason: `size must be a whole number of MiB, not ${spec.size}` });
    if (opts.exclusiveStorage)
      throw new GanetiError('GNT_DISK_SPEC_INVALID', { template: TEMPLATE, disk: d.rel, reason: 'exclusive storage is an LVM feature; gluster disks cannot honour it' });
    const m = await ensureMounted(d.vol, ctx);
    const path = join(m.mountPoint, d.rel);
    try {
      await mkdir(dirname(path), { recursive: true, mode: 0o750 });
      // O_EXCL on the volume: another node creating the same disk loses cleanly.
      await (await open(path, 'wx', 0o600)).close();
    } catch (e) {
      if (code(e) === 'EEXIST') throw new GanetiError('GNT_DISK_EXISTS', { template: TEMPLATE, disk: path, node: ctx.nodeName });
      throw failed(path, 'create', e);
    }
    try {
      check(await ctx.run(['qemu-img', 'create', '-q', '-f', 'raw', path, `${spec.size}M`]));
    } catch (e) {
      await unlink(path).catch(() => undefined); // nothing half-made is left behind
      throw e;
    }
    ctx.log.info(`created gluster disk ${path} (${spec.size} MiB)`);
    return spec.logicalId;
  },

  async attach(spec, ctx) {
    const d = disk(spec);
    const m = await currentMount(d.vol, ctx);
    if (!m) return null;
    return (await statFile(join(m.mountPoint, d.rel))) ? access(d, m) : null;
  },

  async assemble(spec, _opts, ctx) {
    const d = disk(spec);
    return access(d, (await existing(d, ctx)).m);
  },

  async shutdown(spec) {
    // The mount is shared by every gluster disk of the node: nothing to deactivate per disk.
    disk(spec);
  },

  async remove(spec, ctx) {
    const d = disk(spec);
    const m = await ensureMounted(d.vol, ctx);
    const path = join(m.mountPoint, d.rel);
    try {
      await unlink(path);
      ctx.log.info(`removed gluster disk ${path}`);
    } catch (e) {
      if (code(e) !== 'ENOENT') throw failed(path, 'remove', e);
    }
  },

  async syncStatus(spec, ctx) {
    const { path } = await existing(disk(spec), ctx);
    // Replication is Gluster's business; the file itself has no health to report.
    return { dev_path: path, major: null, minor: null, sync_percent: null, estimated_time: null, is_degraded: false, ldisk_status: 1 };
  },

  async actualSize(spec, ctx) {
    return { size: (await existing(disk(spec), ctx)).st.size, spindles: null };
  },

  async grow(spec, amount, opts, ctx) {
    const d = disk(spec);
    if (!Number.isInteger(amount))
      throw new GanetiError('GNT_DISK_SPEC_INVALID', { template: TEMPLATE, disk: d.rel, reason: `growth must be a whole number of MiB, not ${amount}` });
    if (amount < 0) throw new GanetiError('GNT_DISK_SHRINK', { template: TEMPLATE, disk: d.rel, amount: String(amount) });
    if (!opts.backingStore) return;
    const { path, st } = await existing(d, ctx);
    if (opts.dryRun || amount === 0) return;
    // As for file disks: a truncate (qemu-img resize would need the image lock a running qemu holds).
    try {
      await truncate(path, st.size + amount * MIB);
    } catch (e) {
      throw failed(path, 'grow', e);
    }
    ctx.log.info(`grew gluster disk ${path} by ${amount} MiB`);
  },

  async userspaceUri(spec, hypervisor) {
    const d = disk(spec);
    if (hypervisor !== 'kvm') return null;
    // The URI names the server, not the mount: nothing needs mounting for it.
    return kvmUri(d, await serverIp(d.vol));
  },
};
