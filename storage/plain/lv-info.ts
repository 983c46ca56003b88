/**
 * What `lvs` says about one logical volume, and whether its device node is there. lvs prints
 * one row per segment when segment fields (stripes, devices) are asked for; the rows are
 * merged: the PVs of every segment, the stripes of the last (as Ganeti's Attach keeps).
 */
import { stat } from 'node:fs/promises';
import { GanetiError, type ProviderContext } from '../../core/index.js';
import { lvArg, lvDevPath, TEMPLATE, type LvId } from './logical-id.js';
import { report } from './lvm-report.js';

export interface LvInfo {
  /** lv_attr: [0] volume type (`v` virtual: its PV is gone), [4] state (`a` active). */
  readonly attr: string;
  readonly sizeBytes: number;
  readonly extentBytes: number;
  readonly stripes: number;
  /** PVs holding the LV's extents. */
  readonly pvs: readonly string[];
  readonly tags: readonly string[];
  /** The origin LV when this one is a snapshot, else ''. */
  readonly origin: string;
}

const FIELDS = ['lv_name', 'lv_attr', 'lv_size', 'vg_extent_size', 'stripes', 'devices', 'lv_tags', 'origin'];
const PV_OF_DEVICE = /^([^ ()]+)\([0-9]+\)$/;

export const lvFailed = (id: LvId, action: string) => (reason: string) =>
  new GanetiError('GNT_DISK_FAILED', { template: TEMPLATE, disk: lvArg(id), action, reason });

export const vgNotFound = (vg: string, ctx: ProviderContext) => new GanetiError('GNT_STORAGE_UNIT_NOT_FOUND', { type: 'lvm-vg', name: vg, node: ctx.nodeName });

export const lvNotFound = (id: LvId, ctx: ProviderContext) => new GanetiError('GNT_DISK_NOT_FOUND', { template: TEMPLATE, disk: lvArg(id), node: ctx.nodeName });

/** The LV, `null` when it does not exist, `'no-vg'` when its volume group does not. */
export async function lvInfo(ctx: ProviderContext, id: LvId): Promise<LvInfo | null | 'no-vg'> {
  const rows = await report(ctx, 'lvs', FIELDS, [id.vg], 'b', lvFailed(id, 'look up'));
  if (rows === null) return 'no-vg';
  const mine = rows.filter((r) => r[0] === id.lv);
  const first = mine[0];
  if (!first) return null;
  const pvs = new Set<string>();
  for (const row of mine) {
    for (const dev of (row[5] ?? '').split(',').filter((d) => d !== '')) {
      const m = PV_OF_DEVICE.exec(dev);
      if (!m) throw lvFailed(id, 'look up')(`cannot parse the device list ${JSON.stringify(row[5])}`);
      pvs.add(m[1]!);
    }
  }
  const last = mine[mine.length - 1]!;
  return {
    attr: first[1]!,
    sizeBytes: Number(first[2]),
    extentBytes: Number(first[3]),
    stripes: Number(last[4]),
    pvs: [...pvs],
    tags: (first[6] ?? '').split(',').filter((t) => t !== ''),
    origin: first[7] ?? '',
  };
}

/** The LV; throws GNT_DISK_NOT_FOUND when it (or its volume group) does not exist. */
export async function existingLv(ctx: ProviderContext, id: LvId): Promise<LvInfo> {
  const info = await lvInfo(ctx, id);
  if (info === null || info === 'no-vg') throw lvNotFound(id, ctx);
  return info;
}

/** major/minor of the LV's block device node, null when there is none (the LV is not active here). */
export async function deviceNode(id: LvId): Promise<{ major: number; minor: number } | null> {
  const st = await stat(lvDevPath(id)).catch(() => null);
  if (!st?.isBlockDevice()) return null;
  // Linux's dev_t encoding (glibc gnu_dev_major/minor) for the numbers that fit a double
  const rdev = st.rdev;
  const high = Math.floor(rdev / 2 ** 32);
  const low = rdev >>> 0;
  return { major: ((low >>> 8) & 0xfff) | (high & 0xfffff000), minor: (low & 0xff) | ((low >>> 12) & 0xfff00) };
}
