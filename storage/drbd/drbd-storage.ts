/**
 * The `drbd` template (Ganeti's DRBD8Dev, DRBD 8.4 syntax): a network mirror of a data LV
 * between two nodes, with its meta data on a 128 MiB meta LV. The core creates and
 * assembles both LVs first and hands their paths as children. On one node:
 *
 * - create: the minor must be free; the meta device is checked, zeroed and initialized.
 *   No DRBD device exists yet (DRBD devices are assembled, not created).
 * - assemble: a free minor is configured from zero (local disks, resync speed, network);
 *   a configured one is compared with `drbdsetup show` and completed or reconnected.
 * - open/close: primary/secondary. A new pair has no up-to-date side, so the first open on
 *   a pair whose both disks are Inconsistent forces this side primary (the sync source),
 *   as Ganeti does when it creates the disk on the primary node.
 * - shutdown and remove: `down` of the resource; the data stays on the children, which
 *   the core removes itself.
 */
import { readFile } from 'node:fs/promises';
import { GanetiError, type DiskSpec, type ProviderContext, type StorageProvider } from '../../core/index.js';
import { downCmd, primaryCmd, resizeCmd, secondaryCmd } from './commands.js';
import {
  access, assembleLocal, assembleNet, checkMetaSize, childPaths, configuredStatus, disconnectAddrs, initMeta, matchesLocal, matchesNet, minorStatus,
  netEnd, runAll, show,
} from './device.js';
import { drbdEnd } from './dyn-params.js';
import { TEMPLATE } from './logical-id.js';
import { drbdMirror } from './mirror.js';
import { DRBD_PARAMS, drbdParams } from './params.js';
import { isInResync, isInUse } from './proc-drbd.js';

const stateError = (spec: DiskSpec, minor: number, action: string, state: string) =>
  new GanetiError('GNT_DRBD_STATE', { disk: spec.uuid, minor: String(minor), action, state });

/** Brings an already configured minor to the configuration asked for, or refuses. */
async function slowAssemble(ctx: ProviderContext, spec: DiskSpec, children: ReturnType<typeof childPaths>): Promise<void> {
  const end = drbdEnd(spec);
  const params = drbdParams(spec.params);
  const net = netEnd(end);
  const info = await show(ctx, end.minor);
  const local = matchesLocal(info, children);
  const remote = matchesNet(info, net);
  if (local && remote) return;
  if (local && !remote && info.localAddr === undefined && net) {
    // Our disks, no network yet: connect.
    await assembleNet(ctx, spec, end, net, params, false);
    return;
  }
  if (remote && info.localDev === undefined && children) {
    // Connected to our peer but diskless: attach our disks.
    await assembleLocal(ctx, spec, end.minor, children.data, children.meta, params);
    if (!matchesLocal(await show(ctx, end.minor), children)) throw stateError(spec, end.minor, 'assemble', 'the disks were attached but drbdsetup show disagrees');
    return;
  }
  if (local && info.localDev !== undefined && !remote && info.localAddr !== undefined) {
    // Our disks, connected to someone else: the minor is ours, so drop that peer.
    await disconnectAddrs(ctx, info);
    if (net) await assembleNet(ctx, spec, end, net, params, false);
    return;
  }
  const has = `it has disk ${info.localDev ?? 'none'}, meta ${info.metaDev ?? 'none'}, peer ${info.remoteAddr?.join(':') ?? 'none'}`;
  throw stateError(spec, end.minor, 'assemble', `the minor is configured for other devices (${has})`);
}

/** `down` of the resource when its minor is configured here. */
async function shutdown(spec: DiskSpec, ctx: ProviderContext): Promise<void> {
  const { minor } = drbdEnd(spec);
  if (!isInUse(await minorStatus(ctx, minor))) return;
  await runAll(ctx, [downCmd(minor)]);
  ctx.log.info(`shut down drbd${minor}`);
}

export const drbdStorage: StorageProvider = {
  description: 'Disks mirrored over the network between two nodes with DRBD 8.4, on LVM volumes',
  params: DRBD_PARAMS,
  diskTemplate: TEMPLATE,
  storageType: 'lvm-vg',
  mirrored: 'internal',
  fileBased: false,
  supportsSnapshot: false,
  supportsGrow: true,
  userspaceAccess: false,
  mirror: drbdMirror,

  async create(spec, opts, ctx) {
    const end = drbdEnd(spec);
    drbdParams(spec.params);
    if (opts.exclusiveStorage) throw new GanetiError('GNT_DISK_UNSUPPORTED', { template: TEMPLATE, disk: spec.uuid, action: 'exclusive storage' });
    const children = childPaths(spec, opts.children);
    if (!children) throw new GanetiError('GNT_DISK_SPEC_INVALID', { template: TEMPLATE, disk: spec.uuid, reason: 'creating a drbd disk needs its data and meta devices' });
    if (isInUse(await minorStatus(ctx, end.minor))) throw new GanetiError('GNT_DRBD_MINOR_IN_USE', { disk: spec.uuid, minor: String(end.minor), node: ctx.nodeName });
    await checkMetaSize(ctx, spec, children.meta);
    await initMeta(ctx, end.minor, children.meta);
    ctx.log.info(`initialized drbd meta data for minor ${end.minor} on ${children.meta}`);
    return spec.logicalId;
  },

  async attach(spec, ctx) {
    const { minor } = drbdEnd(spec);
    return isInUse(await minorStatus(ctx, minor)) ? access(minor) : null;
  },

  async assemble(spec, opts, ctx) {
    const end = drbdEnd(spec);
    const params = drbdParams(spec.params);
    const children = childPaths(spec, opts.children);
    if (isInUse(await minorStatus(ctx, end.minor))) await slowAssemble(ctx, spec, children);
    else {
      if (children) await assembleLocal(ctx, spec, end.minor, children.data, children.meta, params);
      const net = netEnd(end);
      if (net) await assembleNet(ctx, spec, end, net, params, false);
      if (!children && !net) throw new GanetiError('GNT_DISK_SPEC_INVALID', { template: TEMPLATE, disk: spec.uuid, reason: 'neither local disks nor a peer to assemble' });
    }
    return access(end.minor);
  },

  async open(spec, _exclusive, ctx) {
    const { minor } = drbdEnd(spec);
    const status = await configuredStatus(ctx, spec, minor, 'open it');
    const fresh = status.localDisk === 'Inconsistent' && status.peerDisk === 'Inconsistent';
    await runAll(ctx, [primaryCmd(minor, fresh)]);
  },

  async close(spec, ctx) {
    const { minor } = drbdEnd(spec);
    await configuredStatus(ctx, spec, minor, 'close it');
    await runAll(ctx, [secondaryCmd(minor)]);
  },

  shutdown,
  // The data lives on the children; the core removes them after this.
  remove: shutdown,

  async syncStatus(spec, ctx) {
    const { minor } = drbdEnd(spec);
    const s = await configuredStatus(ctx, spec, minor, 'report its sync status');
    const upToDate = s.localDisk === 'UpToDate';
    const ldisk = s.localDisk === 'Diskless' || s.cstate === 'StandAlone' ? 4 : upToDate ? 1 : isInResync(s) ? 2 : 3;
    return {
      dev_path: access(minor).devPath!,
      major: access(minor).major!,
      minor,
      sync_percent: s.syncPercent,
      estimated_time: s.estimatedTime,
      is_degraded: s.cstate !== 'Connected' || !upToDate,
      ldisk_status: ldisk,
    };
  },

  async actualSize(spec, ctx) {
    const { minor } = drbdEnd(spec);
    await configuredStatus(ctx, spec, minor, 'measure it');
    // The kernel's size of the device in 512-byte sectors (a shim root holds its own copy).
    const file = ctx.paths.under(`/sys/block/drbd${minor}/size`);
    const text = await readFile(file, 'utf8').catch((e: unknown) => {
      throw new GanetiError('GNT_DISK_FAILED', { template: TEMPLATE, disk: spec.uuid, action: 'measure', reason: `cannot read ${file}: ${String(e)}` });
    });
    return { size: Number(text.trim()) * 512, spindles: null };
  },

  async grow(spec, amount, opts, ctx) {
    const { minor } = drbdEnd(spec);
    if (!Number.isInteger(amount)) throw new GanetiError('GNT_DISK_SPEC_INVALID', { template: TEMPLATE, disk: spec.uuid, reason: `growth must be a whole number of MiB, not ${amount}` });
    if (amount < 0) throw new GanetiError('GNT_DISK_SHRINK', { template: TEMPLATE, disk: spec.uuid, amount: String(amount) });
    await configuredStatus(ctx, spec, minor, 'grow it');
    if ((await show(ctx, minor)).localDev === undefined) throw new GanetiError('GNT_DISK_UNSUPPORTED', { template: TEMPLATE, disk: spec.uuid, action: 'growing while diskless' });
    // The core grew the data LV already; DRBD itself has no backing store and no dry run.
    if (opts.dryRun || opts.backingStore) return;
    await runAll(ctx, [resizeCmd(minor, spec.size + amount)]);
  },
};
