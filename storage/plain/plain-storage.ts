/**
 * The `plain` template (Ganeti's LogicalVolume): each disk is an LVM logical volume
 * `[vg, lv]` on the node. lvcreate leaves the LV active, so created and assembled are one
 * state there; `shutdown` deactivates it (`lvchange -an`), which Ganeti skips but the state
 * machine of core/contracts/storage.ts asks for. An LV counts as active here when its device
 * node /dev/VG/LV is a block device. Sizes follow Ganeti: MiB on the command line, lvextend
 * rounded up to whole stripes of extents, metadata kept as LV tags.
 */
import { GanetiError, type DeviceAccess, type DiskSpec, type LogicalId, type ProviderContext, type StorageProvider } from '../../core/index.js';
import { lvArg, lvDevPath, lvIdOf, lvmNameProblem, parseLvId, TEMPLATE, type LvId } from './logical-id.js';
import { deviceNode, existingLv, lvFailed, lvInfo, vgNotFound } from './lv-info.js';
import { failure, lvm, pvIsEmpty, pvsOf, stdPvSize, type PvInfo } from './lvm-report.js';
import { lvmPvUnits, lvmVgUnits } from './storage-units.js';

const KIB = 1024;

const invalid = (id: LvId | string, reason: string) =>
  new GanetiError('GNT_DISK_SPEC_INVALID', { template: TEMPLATE, disk: typeof id === 'string' ? id : lvArg(id), reason });

const noSpace = (id: LvId, ctx: ProviderContext, required: number, available: number) =>
  new GanetiError('GNT_DISK_NO_SPACE', {
    template: TEMPLATE,
    disk: lvArg(id),
    unit: `volume group ${id.vg}`,
    node: ctx.nodeName,
    required: String(required),
    available: String(Math.floor(available)),
  });

/** Runs an LVM command that changes the LV; a failure becomes GNT_DISK_FAILED naming `action`. */
async function change(ctx: ProviderContext, id: LvId, action: string, argv: readonly string[]): Promise<void> {
  const r = await lvm(ctx, argv);
  if (!r.ok) throw lvFailed(id, action)(failure(r));
}

/** The `stripes` disk parameter (Ganeti's plain diskparams; default 1). */
function stripesParam(spec: DiskSpec, id: LvId): number {
  const s = spec.params['stripes'] ?? 1;
  if (!Number.isInteger(s) || (s as number) < 1) throw invalid(id, `stripes must be a whole number of at least 1, not ${JSON.stringify(s)}`);
  return s as number;
}

function checkMiB(id: LvId, what: string, n: number, min: number): void {
  if (!Number.isInteger(n) || n < min) throw invalid(id, `${what} must be a whole number of MiB of at least ${min}, not ${n}`);
}

/**
 * The PVs the LV is created on and the stripes to try first (Ganeti's Create): the
 * allocatable PVs, most free first; with exclusive storage, as many empty PVs as spindles.
 */
function placement(spec: DiskSpec, id: LvId, pvs: PvInfo[], exclusive: boolean, ctx: ProviderContext): { pvNames: string[]; stripes: number } {
  const desired = stripesParam(spec, id);
  if (pvs.length === 0) throw lvFailed(id, 'create')(exclusive ? 'the volume group has no empty physical volume' : 'the volume group has no allocatable physical volume');
  pvs.sort((a, b) => b.free - a.free);
  const colon = pvs.find((p) => p.name.includes(':'));
  if (colon) throw lvFailed(id, 'create')(`physical volume ${colon.name} has ':' in its name, which lvcreate cannot take; filter it out in lvm.conf`);
  if (!exclusive) {
    const free = pvs.reduce((sum, p) => sum + p.free, 0);
    if (free < spec.size) throw noSpace(id, ctx, spec.size, free);
    if (pvs.length < desired) ctx.log.warn(`only ${pvs.length} PVs in ${id.vg}: ${lvArg(id)} gets ${pvs.length} stripes, not ${desired}`);
    return { pvNames: pvs.map((p) => p.name), stripes: Math.min(desired, pvs.length) };
  }
  // Exclusive storage: the disk owns whole PVs ("spindles"), all of them striped.
  const spindles = spec.spindles;
  if (spindles === null || spindles === undefined) throw invalid(id, 'exclusive storage needs the number of spindles of the disk');
  const needed = Math.ceil(spec.size / stdPvSize(pvs));
  if (spindles < needed) throw invalid(id, `${spindles} spindles are not enough for ${spec.size} MiB (at least ${needed} needed)`);
  const empty = pvs.filter(pvIsEmpty).slice(0, spindles);
  if (empty.length < spindles) throw noSpace(id, ctx, spec.size, empty.length * stdPvSize(pvs));
  return { pvNames: empty.map((p) => p.name), stripes: empty.length };
}

/** Ganeti's tag text: LVM tag characters only, at most 128 of them. */
export const tagOf = (text: string): string => text.replace(/^[^A-Za-z0-9_+.]/, '_').replace(/[^-A-Za-z0-9_+.]/g, '_').slice(0, 128);

async function access(id: LvId): Promise<DeviceAccess | null> {
  const node = await deviceNode(id);
  return node && { devPath: lvDevPath(id), uris: [], major: node.major, minor: node.minor };
}

export const plainStorage: StorageProvider = {
  description: 'Disks as LVM logical volumes on the node (not shared between nodes)',
  params: {
    type: 'object',
    properties: {
      stripes: { type: 'integer', minimum: 1, description: 'Number of stripes (PVs) a new logical volume is spread over' },
    },
  },
  diskTemplate: TEMPLATE,
  storageType: 'lvm-vg',
  mirrored: 'none',
  fileBased: false,
  supportsSnapshot: true,
  supportsGrow: true,
  userspaceAccess: false,
  storageUnits: [lvmVgUnits, lvmPvUnits],

  async create(spec, opts, ctx) {
    const id = lvIdOf(spec);
    checkMiB(id, 'size', spec.size, 1);
    const existing = await lvInfo(ctx, id);
    if (existing === 'no-vg') throw vgNotFound(id.vg, ctx);
    if (existing) throw new GanetiError('GNT_DISK_EXISTS', { template: TEMPLATE, disk: lvArg(id), node: ctx.nodeName });
    const { pvNames, stripes } = placement(spec, id, await pvsOf(ctx, id.vg, true, lvFailed(id, 'create')), opts.exclusiveStorage, ctx);
    // Free space may be too scattered for many stripes: try N, N-1, ..., 1 as Ganeti does.
    // -Wn: do not stop at an old file system signature where the LV lands.
    let last = '';
    for (let s = stripes; s >= 1; s--) {
      const r = await lvm(ctx, ['lvcreate', '-Wn', `-L${spec.size}m`, '-n', id.lv, '-i', String(s), id.vg, ...pvNames]);
      if (r.ok) {
        ctx.log.info(`created LV ${lvArg(id)} (${spec.size} MiB, ${s} stripes)`);
        return spec.logicalId;
      }
      last = failure(r);
    }
    throw lvFailed(id, 'create')(last);
  },

  async attach(spec, ctx) {
    const id = lvIdOf(spec);
    const info = await lvInfo(ctx, id);
    if (info === null || info === 'no-vg') return null;
    return access(id);
  },

  async assemble(spec, _opts, ctx) {
    const id = lvIdOf(spec);
    await existingLv(ctx, id);
    // Always activate, as Ganeti: a VG may come up inactive after a reboot or a disk problem.
    await change(ctx, id, 'activate', ['lvchange', '-ay', lvArg(id)]);
    const found = await access(id);
    if (!found) throw lvFailed(id, 'activate')(`lvchange -ay succeeded but ${lvDevPath(id)} is not a block device`);
    return found;
  },

  async shutdown(spec, ctx) {
    const id = lvIdOf(spec);
    const info = await lvInfo(ctx, id);
    if (info === null || info === 'no-vg') return;
    await change(ctx, id, 'deactivate', ['lvchange', '-an', lvArg(id)]);
  },

  async remove(spec, ctx) {
    const id = lvIdOf(spec);
    const info = await lvInfo(ctx, id);
    if (info === null || info === 'no-vg') return;
    await change(ctx, id, 'remove', ['lvremove', '-f', lvArg(id)]);
    ctx.log.info(`removed LV ${lvArg(id)}`);
  },

  async syncStatus(spec, ctx) {
    const id = lvIdOf(spec);
    const info = await existingLv(ctx, id);
    const node = await deviceNode(id);
    // A virtual LV lost its PV (after `vgreduce --removemissing`): reads fail, it is faulty.
    const faulty = info.attr.startsWith('v');
    return { dev_path: lvDevPath(id), major: node?.major ?? null, minor: node?.minor ?? null, sync_percent: null, estimated_time: null, is_degraded: faulty, ldisk_status: faulty ? 4 : 1 };
  },

  async actualSize(spec, ctx) {
    const info = await existingLv(ctx, lvIdOf(spec));
    return { size: info.sizeBytes, spindles: info.pvs.length };
  },

  async rename(spec, newId: LogicalId, ctx) {
    const id = lvIdOf(spec);
    const to = parseLvId(newId, spec.uuid);
    if (to.vg !== id.vg) throw invalid(id, `an LV cannot move to another volume group (${id.vg} to ${to.vg})`);
    if (to.lv === id.lv) return;
    await existingLv(ctx, id);
    if (await lvInfo(ctx, to)) throw new GanetiError('GNT_DISK_EXISTS', { template: TEMPLATE, disk: lvArg(to), node: ctx.nodeName });
    await change(ctx, id, `rename to ${to.lv}`, ['lvrename', id.vg, id.lv, to.lv]);
  },

  async grow(spec, amount, opts, ctx) {
    const id = lvIdOf(spec);
    if (!Number.isInteger(amount)) throw invalid(id, `growth must be a whole number of MiB, not ${amount}`);
    if (amount < 0) throw new GanetiError('GNT_DISK_SHRINK', { template: TEMPLATE, disk: lvArg(id), amount: String(amount) });
    // Only a logical device over the LV (drbd) would grow without its backing store.
    if (!opts.backingStore) return;
    const info = await existingLv(ctx, id);
    if (amount === 0) return;
    // lvextend allocates whole extents on every stripe: round up as Ganeti does.
    const fullStripeKiB = (info.extentBytes / KIB) * Math.max(1, info.stripes);
    const kib = Math.ceil((amount * KIB) / fullStripeKiB) * fullStripeKiB;
    const pvs = await pvsOf(ctx, id.vg, true, lvFailed(id, 'grow'));
    let available: number;
    if (opts.exclusiveStorage) {
      // Only the LV's own PVs, each up to the standard size, so that spindles stay as counted.
      const std = stdPvSize(pvs);
      available = pvs.filter((p) => info.pvs.includes(p.name)).reduce((sum, p) => sum + p.free - (p.size - std), 0);
    } else {
      available = pvs.reduce((sum, p) => sum + p.free, 0);
    }
    if (kib > available * KIB) throw noSpace(id, ctx, Math.ceil(kib / KIB), available);
    const base = ['lvextend', '-L', `+${kib}k`, ...(opts.dryRun ? ['--test'] : [])];
    const pvList = opts.exclusiveStorage ? info.pvs : [];
    // The best policy may find no room in the right place; the later ones have fewer constraints.
    let last = '';
    for (const policy of ['contiguous', 'cling', 'normal']) {
      const r = await lvm(ctx, [...base, '--alloc', policy, lvArg(id), ...pvList]);
      if (r.ok) {
        if (!opts.dryRun) ctx.log.info(`grew LV ${lvArg(id)} by ${kib} KiB`);
        return;
      }
      last = failure(r);
    }
    throw lvFailed(id, 'grow')(last);
  },

  async snapshot(spec, snap, ctx) {
    const id = lvIdOf(spec);
    const name = snap.name || `${id.lv}.snap`;
    const problem = lvmNameProblem(name);
    if (problem) throw invalid(id, `snapshot name ${problem}`);
    const size = snap.size || spec.size;
    checkMiB(id, 'snapshot size', size, 1);
    await existingLv(ctx, id);
    const snapId = { vg: id.vg, lv: name };
    const old = await lvInfo(ctx, snapId);
    if (old && old !== 'no-vg') {
      // Ganeti replaces a previous snapshot; anything else by that name is another disk's data.
      if (old.origin !== id.lv) throw new GanetiError('GNT_DISK_EXISTS', { template: TEMPLATE, disk: lvArg(snapId), node: ctx.nodeName });
      await change(ctx, snapId, 'remove the old snapshot', ['lvremove', '-f', lvArg(snapId)]);
    }
    const free = (await pvsOf(ctx, id.vg, true, lvFailed(id, 'snapshot'))).reduce((sum, p) => sum + p.free, 0);
    if (free < size) throw noSpace(snapId, ctx, size, free);
    await change(ctx, id, 'snapshot', ['lvcreate', `-L${size}m`, '-s', '-n', name, lvArg(id)]);
    return [id.vg, name];
  },

  async setInfo(spec, text, ctx) {
    const id = lvIdOf(spec);
    const info = await existingLv(ctx, id);
    // The LV holds one info tag: the old ones go first.
    for (const tag of info.tags) await change(ctx, id, 'remove a tag', ['lvchange', '--deltag', tag, lvArg(id)]);
    const tag = tagOf(text);
    if (tag !== '') await change(ctx, id, 'tag', ['lvchange', '--addtag', tag, lvArg(id)]);
  },
};

