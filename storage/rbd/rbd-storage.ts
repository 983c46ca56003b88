/**
 * The `rbd` template (Ganeti's RADOSBlockDevice): each disk is an image in a RADOS pool,
 * reachable from every node of the Ceph cluster, hence externally mirrored. The `access`
 * parameter chooses how a node reaches it:
 * - kernelspace: `assemble` maps the image (`rbd map`) and the block device is found in
 *   `rbd showmapped`; `shutdown` unmaps it. "Active on this node" means "mapped here".
 * - userspace: nothing is mapped; the hypervisor opens `rbd:<pool>/<image>` through librbd,
 *   so the disk is active wherever the image exists.
 * Either way the kvm URI is reported with the device, as an ExtStorage attach script would.
 * Data lives in Ceph: created, resized, renamed and removed with the rbd tool.
 */
import { stat } from 'node:fs/promises';
import { GanetiError, check, type CommandSpec, type DeviceAccess, type DiskSpec, type ProviderContext, type StorageProvider } from '../../core/index.js';
import { TEMPLATE, parseRbdId } from './logical-id.js';
import { RBD_PARAMS, rbdImage, type RbdImage } from './params.js';
import { EEXIST, ENOENT, cephConf, failed, imageSize, mappedDevice, notFound, rbd, rbdArgv } from './rbd-cli.js';

const MIB = 1024 * 1024;

/**
 * qemu's librbd URI (`-drive file=`), with the client id when one is set and the node's
 * CEPH_CONF when it has one (qemu does not get the node daemon's environment).
 */
const kvmUri = (img: RbdImage): string => {
  const conf = cephConf();
  return `rbd:${img.pool}/${img.name}${img.userId ? `:id=${img.userId}` : ''}${conf ? `:conf=${conf}` : ''}`;
};

/** Where a mapped device is; it must be a block device (Ganeti stat()s it too). */
async function blockDevice(img: RbdImage, devPath: string): Promise<DeviceAccess> {
  const st = await stat(devPath).catch((e: unknown) => {
    throw failed(img, 'use', `its mapped device ${devPath} cannot be read`, e);
  });
  if (!st.isBlockDevice()) throw failed(img, 'use', `its mapped device ${devPath} is not a block device`);
  // rdev packs major and minor as glibc's makedev does.
  const major = Number((BigInt(st.rdev) >> 8n) & 0xfffn);
  const minor = Number((BigInt(st.rdev) & 0xffn) | ((BigInt(st.rdev) >> 12n) & 0xfff00n));
  return { devPath, uris: [`kvm:${kvmUri(img)}`], major, minor };
}

const userspace = (img: RbdImage): DeviceAccess => ({ uris: [`kvm:${kvmUri(img)}`] });

async function existingSize(img: RbdImage, ctx: ProviderContext): Promise<number> {
  const size = await imageSize(img, ctx);
  if (size === null) throw notFound(img, ctx);
  return size;
}

async function map(img: RbdImage, ctx: ProviderContext): Promise<string> {
  const r = await rbd(img, ['map', '-p', img.pool, img.name], ctx);
  if (!r.ok) {
    // krbd says ENOENT for a missing image and for a missing kernel module alike.
    if ((await imageSize(img, ctx)) === null) throw notFound(img, ctx);
    check(r);
  }
  const dev = await mappedDevice(img, ctx);
  if (!dev) throw failed(img, 'map', 'rbd map succeeded, but rbd showmapped does not list the image');
  ctx.log.info(`mapped rbd image ${img.label} to ${dev}`);
  return dev;
}

async function unmap(img: RbdImage, ctx: ProviderContext): Promise<void> {
  const dev = await mappedDevice(img, ctx);
  if (!dev) return;
  check(await rbd(img, ['unmap', dev], ctx));
  ctx.log.info(`unmapped rbd image ${img.label} from ${dev}`);
}

function checkGrowth(img: RbdImage, amount: number): void {
  if (!Number.isInteger(amount))
    throw new GanetiError('GNT_DISK_SPEC_INVALID', { template: TEMPLATE, disk: img.label, reason: `growth must be a whole number of MiB, not ${amount}` });
  if (amount < 0) throw new GanetiError('GNT_DISK_SHRINK', { template: TEMPLATE, disk: img.label, amount: String(amount) });
}

export const rbdStorage: StorageProvider = {
  description: 'Disks as RADOS block device images in a Ceph pool (shared by all nodes)',
  params: RBD_PARAMS,
  diskTemplate: TEMPLATE,
  storageType: 'rados',
  mirrored: 'external',
  fileBased: false,
  supportsSnapshot: false,
  supportsGrow: true,
  userspaceAccess: true,

  async create(spec, opts, ctx) {
    const img = rbdImage(spec);
    if (!Number.isInteger(spec.size) || spec.size < 1)
      throw new GanetiError('GNT_DISK_SPEC_INVALID', { template: TEMPLATE, disk: img.label, reason: `size must be a whole number of MiB above 0, not ${spec.size}` });
    if (opts.exclusiveStorage)
      throw new GanetiError('GNT_DISK_SPEC_INVALID', { template: TEMPLATE, disk: img.label, reason: 'exclusive storage is an LVM feature; rbd disks cannot honour it' });
    // rbd create is atomic in RADOS: an image of that name is refused with EEXIST, untouched.
    const r = await rbd(img, ['create', '-p', img.pool, img.name, '--size', String(spec.size)], ctx);
    if (r.exitCode === EEXIST) throw new GanetiError('GNT_DISK_EXISTS', { template: TEMPLATE, disk: img.label, node: ctx.nodeName });
    check(r);
    ctx.log.info(`created rbd image ${img.label} (${spec.size} MiB)`);
    return spec.logicalId;
  },

  async attach(spec, ctx) {
    const img = rbdImage(spec);
    if (img.access === 'userspace') return (await imageSize(img, ctx)) === null ? null : userspace(img);
    const dev = await mappedDevice(img, ctx);
    return dev ? blockDevice(img, dev) : null;
  },

  async assemble(spec, _opts, ctx) {
    const img = rbdImage(spec);
    if (img.access === 'userspace') {
      await existingSize(img, ctx);
      return userspace(img);
    }
    return blockDevice(img, (await mappedDevice(img, ctx)) ?? (await map(img, ctx)));
  },

  async shutdown(spec, ctx) {
    // Unmapped whatever the access mode: the mode may have changed since the disk was mapped.
    await unmap(rbdImage(spec), ctx);
  },

  async remove(spec, ctx) {
    const img = rbdImage(spec);
    await unmap(img, ctx);
    const r = await rbd(img, ['rm', '-p', img.pool, img.name], ctx);
    if (r.exitCode === ENOENT) return;
    check(r);
    ctx.log.info(`removed rbd image ${img.label}`);
  },

  async syncStatus(spec, ctx) {
    const img = rbdImage(spec);
    const dev = img.access === 'kernelspace' ? await mappedDevice(img, ctx) : null;
    // Not mapped here: the status is still the image's, as long as it exists.
    const access = dev ? await blockDevice(img, dev) : undefined;
    if (!access) await existingSize(img, ctx);
    // Replication is Ceph's business: the device is as healthy as the cluster lets it be.
    return { dev_path: access?.devPath ?? null, major: access?.major ?? null, minor: access?.minor ?? null, sync_percent: null, estimated_time: null, is_degraded: false, ldisk_status: 1 };
  },

  async actualSize(spec, ctx) {
    return { size: await existingSize(rbdImage(spec), ctx), spindles: null };
  },

  async rename(spec, newId, ctx) {
    const img = rbdImage(spec);
    const to = parseRbdId(newId, spec.uuid);
    if (to === img.name) return;
    const r = await rbd(img, ['rename', '-p', img.pool, img.name, to], ctx);
    if (r.exitCode === ENOENT) throw notFound(img, ctx);
    if (r.exitCode === EEXIST) throw new GanetiError('GNT_DISK_EXISTS', { template: TEMPLATE, disk: `${img.pool}/${to}`, node: ctx.nodeName });
    check(r);
  },

  async grow(spec, amount, opts, ctx) {
    const img = rbdImage(spec);
    checkGrowth(img, amount);
    if (!opts.backingStore) return;
    const size = await existingSize(img, ctx);
    // rbd resize has no dry run; images are thin, so the growth is assumed possible (as Ganeti).
    if (opts.dryRun || amount === 0) return;
    // From the real size, as for file disks; rbd refuses to shrink without --allow-shrink anyway.
    const newSize = Math.ceil(size / MIB) + amount;
    check(await rbd(img, ['resize', '-p', img.pool, img.name, '--size', String(newSize)], ctx));
    ctx.log.info(`grew rbd image ${img.label} by ${amount} MiB to ${newSize} MiB`);
  },

  async userspaceUri(spec, hypervisor) {
    const img = rbdImage(spec);
    return hypervisor === 'kvm' ? kvmUri(img) : null;
  },

  async exportCommand(spec: DiskSpec, ctx: ProviderContext): Promise<CommandSpec> {
    const img = rbdImage(spec);
    await existingSize(img, ctx);
    const conf = cephConf();
    return { argv: rbdArgv(img, ['export', '-p', img.pool, img.name, '-']), ...(conf ? { env: { CEPH_CONF: conf } } : {}) };
  },
};
