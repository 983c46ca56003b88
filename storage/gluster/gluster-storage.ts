/**
 * The `gluster` template (Ganeti's GlusterStorage): each disk is a sparse raw image file on a
 * Gluster volume, which every node mounts (FUSE) at its gluster storage dir; any node sees the
 * same file, so the disk is externally mirrored. The logical id's path is relative to the
 * volume: the file on the mount for kernelspace access, `gluster://server:port/volume/path`
 * (gfapi) for kvm's userspace access. A file is usable as soon as it exists, so created,
 * assembled and open are one state; "active on this node" means the volume is mounted here.
 */
import type { Stats } from 'node:fs';
import { isIPv6 } from 'node:net';
import { join } from 'node:path';
import { GanetiError, imageFiles, type DeviceAccess, type DiskSpec, type ProviderContext, type StorageProvider } from '../../core/index.js';
import { TEMPLATE, volumePath } from './logical-id.js';
import { currentMount, ensureMounted, serverIp, type Mounted } from './mount.js';
import { GLUSTER_PARAMS, glusterVolume, type GlusterVolume } from './params.js';

/** The image files on the mount: core's toolkit, shared with file and sharedfile. */
const files = imageFiles(TEMPLATE);

/** A disk: its volume, its path inside the volume. Both checked before anything is touched. */
interface GlusterDisk {
  readonly vol: GlusterVolume;
  readonly rel: string;
}

const disk = (spec: DiskSpec): GlusterDisk => ({ rel: volumePath(spec), vol: glusterVolume(spec) });

/** qemu's gfapi URI (`-drive file=`), as Ganeti builds it: the server's IP, the port, the volume, the path. */
const kvmUri = (d: GlusterDisk, ip: string): string => `gluster://${isIPv6(ip) ? `[${ip}]` : ip}:${d.vol.port}/${d.vol.volume}/${d.rel}`;

const access = (d: GlusterDisk, m: Mounted): DeviceAccess => ({ devPath: join(m.mountPoint, d.rel), uris: [`kvm:${kvmUri(d, m.ip)}`] });

/** Mounts the volume and finds the disk's file; a missing file is GNT_DISK_NOT_FOUND. */
async function existing(d: GlusterDisk, ctx: ProviderContext): Promise<{ m: Mounted; path: string; st: Stats }> {
  const m = await ensureMounted(d.vol, ctx);
  const path = join(m.mountPoint, d.rel);
  return { m, path, st: await files.existing(path, ctx) };
}

/** The disk's file on this node's mount (mounting the volume when needed). */
const mountedPath = async (d: GlusterDisk, ctx: ProviderContext): Promise<string> => join((await ensureMounted(d.vol, ctx)).mountPoint, d.rel);

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
    if (opts.exclusiveStorage)
      throw new GanetiError('GNT_DISK_SPEC_INVALID', { template: TEMPLATE, disk: d.rel, reason: 'exclusive storage is an LVM feature; gluster disks cannot honour it' });
    if (!Number.isInteger(spec.size) || spec.size < 0)
      throw new GanetiError('GNT_DISK_SPEC_INVALID', { template: TEMPLATE, disk: d.rel, reason: `size must be a whole number of MiB, not ${spec.size}` });
    await files.create(await mountedPath(d, ctx), spec.size, ctx);
    return spec.logicalId;
  },

  async attach(spec, ctx) {
    const d = disk(spec);
    const m = await currentMount(d.vol, ctx);
    if (!m) return null;
    return (await files.stat(join(m.mountPoint, d.rel))) ? access(d, m) : null;
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
    await files.remove(await mountedPath(disk(spec), ctx), ctx);
  },

  async syncStatus(spec, ctx) {
    // Replication is Gluster's business; the file itself has no health to report.
    return files.status((await existing(disk(spec), ctx)).path);
  },

  async actualSize(spec, ctx) {
    return { size: (await existing(disk(spec), ctx)).st.size, spindles: null };
  },

  async grow(spec, amount, opts, ctx) {
    const d = disk(spec);
    // the checks first: a bad amount is refused without touching the mount
    if (!Number.isInteger(amount) || amount < 0 || !opts.backingStore) return files.grow(d.rel, amount, opts, ctx);
    await files.grow(await mountedPath(d, ctx), amount, opts, ctx);
  },

  async userspaceUri(spec, hypervisor) {
    const d = disk(spec);
    if (hypervisor !== 'kvm') return null;
    // The URI names the server, not the mount: nothing needs mounting for it.
    return kvmUri(d, await serverIp(d.vol));
  },
};
