/**
 * The `lvm-vg` and `lvm-pv` storage units (`gnt-node list-storage`, `modify-storage`,
 * `repair-storage`, node_info), with Ganeti's fields (lib/storage/container.py): sizes are
 * vgs/pvs figures in MiB rounded to whole numbers; a VG's `used` is size minus free and a VG
 * is always allocatable; a PV is allocatable when its attribute says so (`pvchange -x`).
 * Units are listed for the whole node, whatever VG the cluster uses, as Ganeti does; the
 * unit key (the cluster's VG) only matters to node_info's space figures.
 */
import { GanetiError, type ProviderContext, type StorageField, type StorageUnitKey, type StorageUnitRow, type StorageUnits } from '../../core/index.js';
import { failure, lvm, parseSize, pvAllocatable, pvIsEmpty, pvsOf, report, stdPvSize } from './lvm-report.js';

const listFailed = (type: 'lvm-vg' | 'lvm-pv', ctx: ProviderContext) => (reason: string) =>
  new GanetiError('GNT_STORAGE_UNIT_COMMAND_FAILED', { type, name: '*', node: ctx.nodeName, action: 'list', reason });

const notFound = (type: 'lvm-vg' | 'lvm-pv', name: string, ctx: ProviderContext) =>
  new GanetiError('GNT_STORAGE_UNIT_NOT_FOUND', { type, name, node: ctx.nodeName });

/** Only the fields asked for, as the contract allows (`name` always). */
const pick = (row: Required<Pick<StorageUnitRow, 'name' | 'size' | 'used' | 'free' | 'allocatable'>>, fields: readonly StorageField[]): StorageUnitRow => ({
  name: row.name,
  ...(fields.includes('size') && { size: row.size }),
  ...(fields.includes('used') && { used: row.used }),
  ...(fields.includes('free') && { free: row.free }),
  ...(fields.includes('allocatable') && { allocatable: row.allocatable }),
});

interface VgRow {
  readonly name: string;
  readonly size: number;
  readonly free: number;
  readonly attr: string;
}

async function vgRows(ctx: ProviderContext): Promise<VgRow[]> {
  const rows = (await report(ctx, 'vgs', ['vg_name', 'vg_size', 'vg_free', 'vg_attr'], [], 'm', listFailed('lvm-vg', ctx))) ?? [];
  return rows.map(([name, size, free, attr]) => ({ name: name!, size: parseSize(size!), free: parseSize(free!), attr: attr! }));
}

const exclusive = (unit: StorageUnitKey): boolean => unit.params['exclusive_storage'] === true;

function vgKey(unit: StorageUnitKey, ctx: ProviderContext): string {
  if (!unit.key) throw notFound(unit.type === 'lvm-pv' ? 'lvm-pv' : 'lvm-vg', '', ctx);
  return unit.key;
}

export const lvmVgUnits: StorageUnits = {
  type: 'lvm-vg',

  async list(_unit, name, fields, ctx) {
    return (await vgRows(ctx))
      .filter((vg) => name === null || vg.name === name)
      .map((vg) => pick({ name: vg.name, size: vg.size, free: vg.free, used: vg.size - vg.free, allocatable: true }, fields));
  },

  async spaceInfo(unit, ctx) {
    const name = vgKey(unit, ctx);
    const vg = (await vgRows(ctx)).find((v) => v.name === name);
    if (!vg) throw notFound('lvm-vg', name, ctx);
    let free = vg.free;
    // A read-only VG takes no new disk (Ganeti leaves it out of the free space).
    if (vg.attr.startsWith('r')) free = 0;
    else if (exclusive(unit)) {
      // With exclusive storage a disk takes whole empty PVs: free space is what those hold.
      const pvs = await pvsOf(ctx, name, true, listFailed('lvm-vg', ctx));
      free = pvs.length === 0 ? 0 : stdPvSize(pvs) * pvs.filter(pvIsEmpty).length;
    }
    return { type: 'lvm-vg', name, storage_free: free, storage_size: vg.size };
  },

  async repair(_unit, name, ctx) {
    if (!(await vgRows(ctx)).some((v) => v.name === name)) throw notFound('lvm-vg', name, ctx);
    const repairFailed = (reason: string) => new GanetiError('GNT_STORAGE_UNIT_COMMAND_FAILED', { type: 'lvm-vg', name, node: ctx.nodeName, action: 'repair', reason });
    // Ganeti's fix-consistency: drop missing PVs. vgreduce's exit code is not trusted (old
    // versions fail on a consistent VG); its output says whether --force is needed (it is
    // when an LV lived on a missing PV; that LV is then lost).
    let r = await lvm(ctx, ['vgreduce', '--removemissing', name]);
    let output = r.all;
    if (!output.includes('Wrote out consistent volume group') || output.includes('vgreduce --removemissing --force')) {
      r = await lvm(ctx, ['vgreduce', '--removemissing', '--force', name]);
      output += `\n${r.all}`;
    }
    const after = await lvm(ctx, ['vgs', '--noheadings', '--nosuffix', '-o', 'vg_attr', name]);
    // vg_attr's 4th character `p`: partial, a PV is still missing
    if (!after.ok || after.all.includes("Couldn't find device with uuid") || after.stdout.trim()[3] === 'p')
      throw repairFailed(`the volume group is still not consistent; vgreduce said: ${output.trim().split('\n').slice(-5).join(' / ')}; vgs said: ${failure(after)}`);
    ctx.log.info(`repaired volume group ${name}`);
  },
};

const pvRows = async (ctx: ProviderContext): Promise<string[][]> =>
  (await report(ctx, 'pvs', ['pv_name', 'pv_size', 'pv_used', 'pv_free', 'pv_attr'], [], 'm', listFailed('lvm-pv', ctx))) ?? [];

export const lvmPvUnits: StorageUnits = {
  type: 'lvm-pv',

  async list(_unit, name, fields, ctx) {
    return (await pvRows(ctx))
      .filter(([pv]) => name === null || pv === name)
      .map(([pv, size, used, free, attr]) =>
        pick({ name: pv!, size: parseSize(size!), used: parseSize(used!), free: parseSize(free!), allocatable: pvAllocatable(attr!) }, fields),
      );
  },

  async modify(_unit, name, changes, ctx) {
    if (!(await pvRows(ctx)).some(([pv]) => pv === name)) throw notFound('lvm-pv', name, ctx);
    if (changes.allocatable === undefined) return;
    const r = await lvm(ctx, ['pvchange', '-x', changes.allocatable ? 'y' : 'n', name]);
    if (!r.ok) throw new GanetiError('GNT_STORAGE_UNIT_COMMAND_FAILED', { type: 'lvm-pv', name, node: ctx.nodeName, action: 'modify', reason: failure(r) });
  },

  // Spindles (Ganeti's lvm-pv space): empty PVs of the VG, only counted with exclusive storage.
  async spaceInfo(unit, ctx) {
    const name = vgKey(unit, ctx);
    if (!exclusive(unit)) return { type: 'lvm-pv', name, storage_free: 0, storage_size: 0 };
    const pvs = await pvsOf(ctx, name, true, listFailed('lvm-pv', ctx));
    return { type: 'lvm-pv', name, storage_free: pvs.filter(pvIsEmpty).length, storage_size: pvs.length };
  },
};
