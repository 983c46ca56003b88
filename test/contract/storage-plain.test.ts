/**
 * The plain (LVM) provider against real LVM: loop-device PVs, real lvcreate/lvextend/
 * lvrename/lvremove/lvchange/pvchange/vgreduce, with activation disabled in a test lvm.conf
 * (no device-mapper here). test/fixtures/lvm/dm-shim records the activation calls (the real
 * lvchange still parses them) and maps an active LV onto a loop device over its extents, so
 * that assemble returns a real block device holding the LV's data.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { open } from 'node:fs/promises';
import { GanetiError } from '../../core/errors/index.js';
import { run, runChecked } from '../../core/exec/index.js';
import { ganetiPaths } from '../../core/paths.js';
import { memoryLogger } from '../../core/log.js';
import { BUILTIN_PLUGINS, PluginHost, builtinSpecs } from '../../core/plugin-host/index.js';
import type { CreateOptions, DiskSpec, LogicalId, StorageProvider, StorageUnits } from '../../core/contracts/storage.js';
import { storageContract, type StorageFixture } from './storage.contract.js';
import { lvmMissing, lvmSandbox, type LvmSandbox } from '../helpers/lvm-sandbox.js';
import { tmpdir } from 'node:os';

const MIB = 1024 * 1024;
const missing = await lvmMissing();

let hostPromise: Promise<PluginHost> | undefined;
const loadHost = (): Promise<PluginHost> =>
  (hostPromise ??= (async () => {
    const host = new PluginHost({ paths: ganetiPaths(tmpdir()), logFor: () => memoryLogger() });
    await host.load(builtinSpecs(['storage/plain']));
    return host;
  })());
const plain = async (): Promise<StorageProvider> => (await loadHost()).storage.get('plain');

let serial = 0;
const specIn = (sb: LvmSandbox, size: number, extra: Partial<DiskSpec> = {}): DiskSpec => {
  const uuid = `p${process.pid}-${++serial}`;
  return { uuid, dev_type: 'plain', size, mode: 'rw', params: {}, logicalId: [sb.vg, `${uuid}.disk0`], iv_name: 'disk/0', ...extra };
};

async function fixture(): Promise<StorageFixture> {
  const sb = await lvmSandbox({ pvMiB: [64] });
  return { ctx: sb.ctx, spec: (size) => specIn(sb, size), unitKey: (type) => ({ type, key: sb.vg, params: {} }), cleanup: () => sb.cleanup() };
}

if (missing) test('plain storage (real LVM)', (t) => t.skip(missing));
else storageContract('plain', plain, fixture, { hasDevice: true, grows: true, units: true });

const hasCode = (code: string, ...inMessage: (string | RegExp)[]) => (e: unknown) => {
  assert.ok(e instanceof GanetiError, String(e));
  assert.equal(e.code, code, e.message);
  for (const m of inMessage) assert.match(e.message, typeof m === 'string' ? new RegExp(m.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')) : m);
  return true;
};
const createOpts = { children: [], exclusiveStorage: false } as const;
const assembleOpts = { children: [], primary: true } as const;
const growOpts = { dryRun: false, backingStore: true, exclusiveStorage: false } as const;
const lvName = (spec: DiskSpec) => spec.logicalId[1] as string;

/** `lvs` fields of one LV (the real tool), or null when lvs does not find it. */
async function lvs(sb: LvmSandbox, lv: string, fields: string): Promise<string[] | null> {
  const r = await run(['lvs', '--noheadings', '--units=b', '--nosuffix', '--separator=|', '-o', fields, `${sb.vg}/${lv}`], { env: sb.env });
  return r.ok ? r.stdout.trim().split('|') : null;
}
const blockSize = async (dev: string) => Number((await runChecked(['blockdev', '--getsize64', dev])).stdout.trim());

describe('plain storage (real LVM on loop devices)', { skip: missing ?? false }, () => {
  let sp: StorageProvider;
  let sb: LvmSandbox;
  const created = async (size: number, extra: Partial<DiskSpec> = {}, opts: CreateOptions = createOpts, box = sb): Promise<DiskSpec> => {
    const spec = specIn(box, size, extra);
    await sp.create(spec, opts, box.ctx);
    return spec;
  };

  before(async () => {
    sp = await plain();
    sb = await lvmSandbox({ pvMiB: [64, 64] });
  });
  after(() => sb?.cleanup());

  test('the built-in plugin registers `plain`: storage type lvm-vg, units lvm-vg and lvm-pv, parameter stripes', async () => {
    const host = await loadHost();
    assert.deepEqual(host.errors, []);
    assert.ok(BUILTIN_PLUGINS.includes('storage/plain'));
    assert.deepEqual(host.plugins.map((p) => [p.name, p.provides]), [['builtin:storage/plain', [{ kind: 'storage', name: 'plain' }]]]);
    assert.deepEqual(host.storage.entry('plain').paramNames, ['stripes']);
    assert.deepEqual([sp.storageType, sp.mirrored, sp.fileBased, sp.supportsGrow, sp.supportsSnapshot], ['lvm-vg', 'none', false, true, true]);
    assert.deepEqual(sp.storageUnits?.map((u) => u.type), ['lvm-vg', 'lvm-pv']);
  });

  test('create runs Ganeti lvcreate and makes a real LV of the size; assemble gives a block device that keeps its data', async () => {
    const spec = await created(12);
    const lv = lvName(spec);
    assert.deepEqual((await sb.calls()).filter((c) => c[0] === 'lvcreate' && c.includes(lv)), [
      ['lvcreate', '-Wn', '-L12m', '-n', lv, '-i', '1', sb.vg, ...sb.pvs],
    ]);
    // 12 MiB in 4 MiB extents
    assert.deepEqual(await lvs(sb, lv, 'lv_size,stripes'), [String(12 * MIB), '1']);
    const access = await sp.assemble(spec, assembleOpts, sb.ctx);
    assert.equal(access.devPath, `/dev/${sb.vg}/${lv}`);
    assert.equal(await blockSize(access.devPath!), 12 * MIB);
    const marker = `plain-${process.pid}-${lv}`;
    const fh = await open(access.devPath!, 'r+');
    await fh.write(marker, 5 * MIB);
    await fh.close();
    // deactivate and activate again: the data is on the PV, not in the device
    await sp.shutdown(spec, sb.ctx);
    assert.equal(await sp.attach(spec, sb.ctx), null);
    const again = await sp.assemble(spec, assembleOpts, sb.ctx);
    const back = Buffer.alloc(marker.length);
    const rh = await open(again.devPath!, 'r');
    await rh.read(back, 0, marker.length, 5 * MIB);
    await rh.close();
    assert.equal(back.toString(), marker);
    assert.deepEqual(await sp.actualSize(spec, sb.ctx), { size: 12 * MIB, spindles: 1 });
    const status = await sp.syncStatus(spec, sb.ctx);
    assert.deepEqual([status.dev_path, status.major, status.is_degraded, status.ldisk_status], [again.devPath, again.major, false, 1]);
    await sp.remove(spec, sb.ctx);
    assert.equal(await lvs(sb, lv, 'lv_name'), null);
  });

  test('activation is `lvchange -ay|-an VG/LV`, which the real lvchange accepts (and it refuses a bad option)', async () => {
    const spec = await created(4);
    const target = `${sb.vg}/${lvName(spec)}`;
    await sp.assemble(spec, assembleOpts, sb.ctx);
    await sp.shutdown(spec, sb.ctx);
    await sp.shutdown(spec, sb.ctx);
    const calls = (await sb.calls()).filter((c) => c[0] === 'lvchange' && c.at(-1) === target);
    assert.deepEqual(calls, [
      ['lvchange', '-ay', target],
      ['lvchange', '-an', target],
      ['lvchange', '-an', target],
    ]);
    // the shim's exit code is the real tool's: wrong syntax would have failed the calls above
    const bad = await sb.ctx.run(['lvchange', '-ay', '--no-such-option', target]);
    assert.equal(bad.exitCode, 3, bad.all);
    assert.match(bad.stderr, /unrecognized option/);
  });

  test('stripes: one per PV at most, as lvs shows', async () => {
    const two = await created(8, { params: { stripes: 2 } });
    assert.deepEqual(await lvs(sb, lvName(two), 'stripes'), ['2']);
    const many = await created(8, { params: { stripes: 5 } });
    assert.deepEqual(await lvs(sb, lvName(many), 'stripes'), ['2']);
    assert.ok((await sb.calls()).some((c) => c[0] === 'lvcreate' && c.includes(lvName(many)) && c.join(' ').includes('-i 2')));
    await assert.rejects(created(8, { params: { stripes: 0 } }), hasCode('GNT_DISK_SPEC_INVALID', 'stripes'));
    await sp.remove(two, sb.ctx);
    await sp.remove(many, sb.ctx);
  });

  test('a missing volume group, too little space and an existing LV are refused with coded errors', async () => {
    const noVg = { ...specIn(sb, 4), logicalId: [`${sb.vg}nope`, 'x.disk0'] };
    await assert.rejects(sp.create(noVg, createOpts, sb.ctx), hasCode('GNT_STORAGE_UNIT_NOT_FOUND', `lvm-vg storage unit '${sb.vg}nope'`, 'node1'));
    const free = Math.round(Number((await sb.lvm(['vgs', '--noheadings', '--units=m', '--nosuffix', '-o', 'vg_free', sb.vg])).stdout));
    const tooBig = specIn(sb, 1000);
    await assert.rejects(
      sp.create(tooBig, createOpts, sb.ctx),
      hasCode('GNT_DISK_NO_SPACE', `volume group ${sb.vg}`, `1000 MiB required, ${free} MiB available`),
    );
    assert.equal(await lvs(sb, lvName(tooBig), 'lv_name'), null);
    const spec = await created(4);
    const before = (await sb.calls()).length;
    await assert.rejects(sp.create(spec, createOpts, sb.ctx), hasCode('GNT_DISK_EXISTS', `${sb.vg}/${lvName(spec)}`));
    assert.equal((await sb.calls()).length, before, 'no LVM change was tried');
    await sp.remove(spec, sb.ctx);
  });

  test('a cancelled job kills the LVM command and creates nothing', async () => {
    const abort = new AbortController();
    const spec = specIn(sb, 4);
    abort.abort();
    await assert.rejects(sp.create(spec, createOpts, { ...sb.ctx, run: (argv, o) => sb.ctx.run(argv, { ...o, signal: abort.signal }) }), hasCode('GNT_EXEC_ABORTED'));
    assert.equal(await lvs(sb, lvName(spec), 'lv_name'), null);
  });

  test('bad logical ids and sizes are refused before any LVM command', async () => {
    const before = (await sb.calls()).length;
    const bad: LogicalId[] = [[sb.vg], [sb.vg, 'a', 'b'], [sb.vg, ''], [sb.vg, '-ffoo'], [sb.vg, 'a b'], [sb.vg, 'x_mlog'], [sb.vg, 'snapshot'], ['../etc', 'x'], [sb.vg, 42], 'vg/lv' as unknown as LogicalId];
    for (const logicalId of bad) {
      const spec = { ...specIn(sb, 4), logicalId };
      await assert.rejects(sp.create(spec, createOpts, sb.ctx), hasCode('GNT_DISK_SPEC_INVALID'), JSON.stringify(logicalId));
      await assert.rejects(sp.remove(spec, sb.ctx), hasCode('GNT_DISK_SPEC_INVALID'), JSON.stringify(logicalId));
    }
    await assert.rejects(sp.create(specIn(sb, 0), createOpts, sb.ctx), hasCode('GNT_DISK_SPEC_INVALID', 'size'));
    await assert.rejects(sp.create(specIn(sb, 2.5), createOpts, sb.ctx), hasCode('GNT_DISK_SPEC_INVALID', 'size'));
    assert.equal((await sb.calls()).length, before);
  });

  test('grow extends by whole extents with Ganeti lvextend, the device grows; dry runs and shortage change nothing', async () => {
    const spec = await created(4);
    const access = await sp.assemble(spec, assembleOpts, sb.ctx);
    await sp.grow!(spec, 1, { ...growOpts, dryRun: true }, sb.ctx);
    assert.deepEqual(await lvs(sb, lvName(spec), 'lv_size'), [String(4 * MIB)]);
    await sp.grow!(spec, 1, growOpts, sb.ctx);
    // 1 MiB rounds up to one 4 MiB extent
    assert.deepEqual(await lvs(sb, lvName(spec), 'lv_size'), [String(8 * MIB)]);
    assert.equal(await blockSize(access.devPath!), 8 * MIB);
    const target = `${sb.vg}/${lvName(spec)}`;
    const extends_ = (await sb.calls()).filter((c) => c[0] === 'lvextend' && c.includes(target));
    // Ganeti's argv: 1 MiB asked, one 4 MiB extent (4096k) given; contiguous placement first
    assert.deepEqual(extends_, [
      ['lvextend', '-L', '+4096k', '--test', '--alloc', 'contiguous', target],
      ['lvextend', '-L', '+4096k', '--alloc', 'contiguous', target],
    ]);
    await assert.rejects(sp.grow!(spec, 1000, growOpts, sb.ctx), hasCode('GNT_DISK_NO_SPACE', 'MiB available'));
    await assert.rejects(sp.grow!(spec, -4, growOpts, sb.ctx), hasCode('GNT_DISK_SHRINK'));
    await assert.rejects(sp.grow!(specIn(sb, 4), 4, growOpts, sb.ctx), hasCode('GNT_DISK_NOT_FOUND'));
    assert.deepEqual(await lvs(sb, lvName(spec), 'lv_size'), [String(8 * MIB)]);
    await sp.remove(spec, sb.ctx);
  });

  test('rename runs lvrename in the VG, moves the device, never onto another LV or VG', async () => {
    const spec = await created(4);
    const other = await created(4);
    await sp.assemble(spec, assembleOpts, sb.ctx);
    await assert.rejects(sp.rename!(spec, other.logicalId, sb.ctx), hasCode('GNT_DISK_EXISTS'));
    await assert.rejects(sp.rename!(spec, ['othervg', 'x'], sb.ctx), hasCode('GNT_DISK_SPEC_INVALID', 'another volume group'));
    const to = `${lvName(spec)}-renamed`;
    await sp.rename!(spec, [sb.vg, to], sb.ctx);
    assert.deepEqual((await sb.calls()).at(-1), ['lvrename', sb.vg, lvName(spec), to]);
    assert.equal(await lvs(sb, lvName(spec), 'lv_name'), null);
    const renamed = { ...spec, logicalId: [sb.vg, to] };
    assert.equal((await sp.attach(renamed, sb.ctx))?.devPath, `/dev/${sb.vg}/${to}`);
    await assert.rejects(sp.rename!(spec, [sb.vg, 'again'], sb.ctx), hasCode('GNT_DISK_NOT_FOUND'));
    await sp.remove(renamed, sb.ctx);
    await sp.remove(other, sb.ctx);
  });

  test('setInfo keeps one LV tag, with Ganeti substitutions', async () => {
    const spec = await created(4);
    await sp.setInfo!(spec, 'originstname+inst1.example.com', sb.ctx);
    assert.deepEqual(await lvs(sb, lvName(spec), 'lv_tags'), ['originstname+inst1.example.com']);
    await sp.setInfo!(spec, '-odd name/with:chars', sb.ctx);
    assert.deepEqual(await lvs(sb, lvName(spec), 'lv_tags'), ['_odd_name_with_chars']);
    await sp.remove(spec, sb.ctx);
  });

  test('snapshot issues lvcreate -s; real LVM refuses without device-mapper, with its reason', async () => {
    const spec = await created(4);
    const target = `${sb.vg}/${lvName(spec)}`;
    await assert.rejects(sp.snapshot!(spec, { name: `${lvName(spec)}.snap`, size: 4 }, sb.ctx), hasCode('GNT_DISK_FAILED', 'snapshot', /device-mapper/));
    assert.deepEqual((await sb.calls()).at(-1), ['lvcreate', '-L4m', '-s', '-n', `${lvName(spec)}.snap`, target]);
    // a name held by another disk is never removed to make room for a snapshot
    const other = await created(4);
    await assert.rejects(sp.snapshot!(spec, { name: lvName(other), size: 4 }, sb.ctx), hasCode('GNT_DISK_EXISTS'));
    assert.ok(await lvs(sb, lvName(other), 'lv_name'));
    await sp.remove(spec, sb.ctx);
    await sp.remove(other, sb.ctx);
  });

  test('exclusive storage: a disk takes whole empty PVs, as many as its spindles', async () => {
    const box = await lvmSandbox({ pvMiB: [64, 64] });
    try {
      const excl = { children: [], exclusiveStorage: true } as const;
      await assert.rejects(created(8, {}, excl, box), hasCode('GNT_DISK_SPEC_INVALID', 'spindles'));
      // standard PV size: 60 MiB / 1.03 = 58 MiB, so 100 MiB takes 2 PVs
      await assert.rejects(created(100, { spindles: 1 }, excl, box), hasCode('GNT_DISK_SPEC_INVALID', 'at least 2 needed'));
      const one = await created(8, { spindles: 1 }, excl, box);
      assert.equal((await sp.actualSize(one, box.ctx)).spindles, 1);
      // one PV left empty: two spindles cannot be had
      await assert.rejects(created(8, { spindles: 2 }, excl, box), hasCode('GNT_DISK_NO_SPACE'));
      const space = await sp.storageUnits![1]!.spaceInfo!({ type: 'lvm-pv', key: box.vg, params: { exclusive_storage: true } }, box.ctx);
      assert.deepEqual([space.storage_free, space.storage_size], [1, 2]);
      // growing stays on the disk's own PV: at most up to the standard size
      await assert.rejects(sp.grow!(one, 56, { ...growOpts, exclusiveStorage: true }, box.ctx), hasCode('GNT_DISK_NO_SPACE'));
      await sp.grow!(one, 40, { ...growOpts, exclusiveStorage: true }, box.ctx);
      assert.equal((await sp.actualSize(one, box.ctx)).spindles, 1);
    } finally {
      await box.cleanup();
    }
  });
});

describe('lvm-vg and lvm-pv storage units (real LVM)', { skip: missing ?? false }, () => {
  let sp: StorageProvider;
  let vgUnits: StorageUnits;
  let pvUnits: StorageUnits;
  before(async () => {
    sp = await plain();
    [vgUnits, pvUnits] = sp.storageUnits as [StorageUnits, StorageUnits];
  });
  const all = ['name', 'size', 'used', 'free', 'allocatable'] as const;
  const report = async (sb: LvmSandbox, cmd: string, fields: string) =>
    (await sb.lvm([cmd, '--noheadings', '--units=m', '--nosuffix', '--separator=|', '-o', fields])).stdout
      .trim()
      .split('\n')
      .map((l) => l.trim().split('|'));

  test('list gives what vgs and pvs say, in whole MiB; a name filters', async () => {
    const sb = await lvmSandbox({ pvMiB: [64, 32] });
    try {
      await sp.create(specIn(sb, 12), createOpts, sb.ctx);
      const key = { type: 'lvm-vg' as const, key: sb.vg, params: {} };
      const vgs = await report(sb, 'vgs', 'vg_name,vg_size,vg_free');
      assert.deepEqual(
        await vgUnits.list(key, null, all, sb.ctx),
        vgs.map(([name, size, free]) => ({ name, size: Math.round(Number(size)), free: Math.round(Number(free)), used: Math.round(Number(size)) - Math.round(Number(free)), allocatable: true })),
      );
      assert.deepEqual(await vgUnits.list(key, sb.vg, all, sb.ctx), [{ name: sb.vg, size: 88, used: 12, free: 76, allocatable: true }]);
      assert.deepEqual(await vgUnits.list(key, sb.vg, ['name', 'free'], sb.ctx), [{ name: sb.vg, free: 76 }]);
      const pvs = await report(sb, 'pvs', 'pv_name,pv_size,pv_used,pv_free,pv_attr');
      const pvRows = await pvUnits.list({ type: 'lvm-pv', key: sb.vg, params: {} }, null, all, sb.ctx);
      assert.deepEqual(pvRows, pvs.map(([name, size, used, free, attr]) => ({ name, size: Math.round(Number(size)), used: Math.round(Number(used)), free: Math.round(Number(free)), allocatable: attr!.startsWith('a') })));
      assert.deepEqual(pvRows.map((r) => [r.name, r.size, r.used]), [[sb.pvs[0], 60, 12], [sb.pvs[1], 28, 0]]);
      const space = await vgUnits.spaceInfo!(key, sb.ctx);
      assert.deepEqual(space, { type: 'lvm-vg', name: sb.vg, storage_free: 76, storage_size: 88 });
      // exclusive storage: only empty PVs count, each as the standard PV size (smallest / 1.03)
      assert.equal((await vgUnits.spaceInfo!({ ...key, params: { exclusive_storage: true } }, sb.ctx)).storage_free, Math.floor(28 / 1.03));
      assert.deepEqual(await pvUnits.spaceInfo!({ type: 'lvm-pv', key: sb.vg, params: {} }, sb.ctx), { type: 'lvm-pv', name: sb.vg, storage_free: 0, storage_size: 0 });
      await assert.rejects(vgUnits.spaceInfo!({ ...key, key: `${sb.vg}nope` }, sb.ctx), hasCode('GNT_STORAGE_UNIT_NOT_FOUND', `${sb.vg}nope`));
    } finally {
      await sb.cleanup();
    }
  });

  test('modify-storage sets a PV (un)allocatable with pvchange -x; new LVs avoid it', async () => {
    const sb = await lvmSandbox({ pvMiB: [64, 64] });
    try {
      const key = { type: 'lvm-pv' as const, key: sb.vg, params: {} };
      await pvUnits.modify!(key, sb.pvs[0]!, { allocatable: false }, sb.ctx);
      // pv_attr's first letter: (a)llocatable, or (u)sed when in a VG but not allocatable
      assert.equal((await report(sb, 'pvs', 'pv_name,pv_attr')).find(([n]) => n === sb.pvs[0])?.[1]?.[0], 'u');
      assert.deepEqual(await pvUnits.list(key, sb.pvs[0]!, ['name', 'allocatable'], sb.ctx), [{ name: sb.pvs[0], allocatable: false }]);
      const spec = specIn(sb, 8);
      await sp.create(spec, createOpts, sb.ctx);
      assert.match((await lvs(sb, lvName(spec), 'devices'))![0]!, new RegExp(`^${sb.pvs[1]}\\(`));
      await pvUnits.modify!(key, sb.pvs[0]!, { allocatable: true }, sb.ctx);
      assert.deepEqual(await pvUnits.list(key, sb.pvs[0]!, ['allocatable'], sb.ctx), [{ name: sb.pvs[0], allocatable: true }]);
      await assert.rejects(pvUnits.modify!(key, '/dev/no-such-pv', { allocatable: false }, sb.ctx), hasCode('GNT_STORAGE_UNIT_NOT_FOUND', '/dev/no-such-pv'));
    } finally {
      await sb.cleanup();
    }
  });

  test('repair-storage drops a missing PV with vgreduce --removemissing (--force when an LV was on it)', async () => {
    const sb = await lvmSandbox({ pvMiB: [64, 64] });
    try {
      const key = { type: 'lvm-vg' as const, key: sb.vg, params: {} };
      // an LV on the second PV only, then that PV disappears
      await pvUnits.modify!({ type: 'lvm-pv', key: sb.vg, params: {} }, sb.pvs[0]!, { allocatable: false }, sb.ctx);
      const spec = specIn(sb, 8);
      await sp.create(spec, createOpts, sb.ctx);
      await sp.shutdown(spec, sb.ctx);
      await sb.losePv(sb.pvs[1]!);
      const partial = await run(['vgs', '--noheadings', '-o', 'vg_attr', sb.vg], { env: sb.env });
      assert.equal(partial.stdout.trim()[3], 'p', `partial VG: ${partial.all}`);
      await vgUnits.repair!(key, sb.vg, sb.ctx);
      const after = await sb.lvm(['vgs', '--noheadings', '-o', 'vg_attr,pv_count,lv_count', '--separator=|', sb.vg]);
      assert.deepEqual(after.stdout.trim().split('|').slice(1), ['1', '0']);
      assert.notEqual(after.stdout.trim()[3], 'p');
      await assert.rejects(vgUnits.repair!(key, `${sb.vg}nope`, sb.ctx), hasCode('GNT_STORAGE_UNIT_NOT_FOUND'));
    } finally {
      await sb.cleanup();
    }
  });
});
