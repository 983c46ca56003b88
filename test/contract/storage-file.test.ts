import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GanetiError } from '../../core/errors/index.js';
import { boundRunner, runChecked } from '../../core/exec/index.js';
import { ganetiPaths } from '../../core/paths.js';
import { memoryLogger } from '../../core/log.js';
import { PluginHost, builtinSpecs } from '../../core/plugin-host/index.js';
import type { ProviderContext } from '../../core/contracts/context.js';
import type { DiskSpec, LogicalId, StorageProvider } from '../../core/contracts/storage.js';
import { storageContract, type StorageFixture } from './storage.contract.js';

const MIB = 1024 * 1024;

let hostPromise: Promise<PluginHost> | undefined;
const loadHost = (): Promise<PluginHost> =>
  (hostPromise ??= (async () => {
    const host = new PluginHost({ paths: ganetiPaths(tmpdir()), logFor: () => memoryLogger() });
    await host.load(builtinSpecs(['storage/file']));
    return host;
  })());
const file = async (): Promise<StorageProvider> => (await loadHost()).storage.get('file');

let serial = 0;

/** A node root under a temp dir, its file storage folder created; disks go in per-instance folders. */
async function fixture(signal?: AbortSignal): Promise<StorageFixture & { root: string; dir: string; ctx: ProviderContext }> {
  const root = await mkdtemp(join(tmpdir(), 'gnt-file-storage-'));
  const abort = new AbortController();
  const ctx: ProviderContext = { signal: signal ?? abort.signal, run: boundRunner(signal ?? abort.signal), log: memoryLogger(), paths: ganetiPaths(root), nodeName: 'node1' };
  const dir = ctx.paths.fileStorageDir;
  await mkdir(dir, { recursive: true });
  return {
    root,
    dir,
    ctx,
    spec(size: number): DiskSpec {
      const uuid = `f${process.pid}-${++serial}`;
      return { uuid, dev_type: 'file', size, mode: 'rw', params: {}, logicalId: ['loop', join(dir, `inst${serial}.example.com`, `${uuid}.file.disk0`)], iv_name: 'disk/0' };
    },
    unitKey: (type) => ({ type, key: dir, params: {} }),
    async cleanup() {
      abort.abort();
      await rm(root, { recursive: true, force: true });
    },
  };
}

storageContract('file', file, () => fixture(), { hasDevice: true, grows: true, units: true });

const pathOf = (spec: DiskSpec): string => spec.logicalId[1] as string;
const hasCode = (code: string) => (e: unknown) => e instanceof GanetiError && e.code === code;
const createOpts = { children: [], exclusiveStorage: false } as const;
const growOpts = { dryRun: false, backingStore: true, exclusiveStorage: false } as const;

async function qemuImgInfo(path: string): Promise<{ format: string; 'virtual-size': number }> {
  return JSON.parse((await runChecked(['qemu-img', 'info', '--output=json', path])).stdout) as { format: string; 'virtual-size': number };
}

describe('file storage', () => {
  let sp: StorageProvider;
  let fx: Awaited<ReturnType<typeof fixture>>;
  const created = async (size: number): Promise<DiskSpec> => {
    const spec = fx.spec(size);
    await sp.create(spec, createOpts, fx.ctx);
    return spec;
  };

  before(async () => {
    sp = await file();
    fx = await fixture();
  });
  after(() => fx.cleanup());

  test('the built-in plugin registers `file`: file based, storage type file, no parameters', async () => {
    const host = await loadHost();
    assert.deepEqual(host.errors, []);
    assert.deepEqual(host.plugins.map((p) => [p.name, p.provides]), [['builtin:storage/file', [{ kind: 'storage', name: 'file' }]]]);
    const entry = host.storage.entry('file');
    assert.ok(entry.description);
    assert.deepEqual(entry.paramNames, []);
    assert.equal(sp.storageType, 'file');
    assert.equal(sp.fileBased, true);
    assert.equal(sp.mirrored, 'none');
    assert.deepEqual(sp.storageUnits?.map((u) => u.type), ['file']);
  });

  test('create makes the folder and a sparse raw image of the size asked for', async () => {
    const spec = await created(64);
    const st = await stat(pathOf(spec));
    assert.ok(st.isFile());
    assert.equal(st.size, 64 * MIB);
    assert.ok(st.blocks * 512 < 64 * MIB, `sparse: ${st.blocks} blocks allocated`);
    assert.equal(st.mode & 0o777, 0o600);
    const info = await qemuImgInfo(pathOf(spec));
    assert.equal(info.format, 'raw');
    assert.equal(info['virtual-size'], 64 * MIB);
  });

  test('the device is the file itself', async () => {
    const spec = await created(4);
    const access = { devPath: pathOf(spec), uris: [] };
    assert.deepEqual(await sp.attach(spec, fx.ctx), access);
    assert.deepEqual(await sp.assemble(spec, { children: [], primary: true }, fx.ctx), access);
    assert.equal((await sp.syncStatus(spec, fx.ctx)).dev_path, pathOf(spec));
    assert.deepEqual(await sp.actualSize(spec, fx.ctx), { size: 4 * MIB, spindles: null });
  });

  test('create refuses to overwrite an existing file and leaves it untouched', async () => {
    const spec = fx.spec(4);
    await mkdir(join(pathOf(spec), '..'), { recursive: true });
    await writeFile(pathOf(spec), 'precious data');
    await assert.rejects(sp.create(spec, createOpts, fx.ctx), (e: unknown) => {
      assert.ok(hasCode('GNT_DISK_EXISTS')(e));
      assert.match((e as Error).message, /already exists on node node1; it is not overwritten/);
      return true;
    });
    assert.equal(await readFile(pathOf(spec), 'utf8'), 'precious data');
  });

  test('a create that fails half-way leaves no file behind', async () => {
    const aborted = await fixture(AbortSignal.abort());
    try {
      const spec = aborted.spec(4);
      await assert.rejects(sp.create(spec, createOpts, aborted.ctx), hasCode('GNT_EXEC_ABORTED'));
      await assert.rejects(stat(pathOf(spec)), { code: 'ENOENT' });
    } finally {
      await aborted.cleanup();
    }
  });

  test('grow adds the amount to the file and qemu-img sees it', async () => {
    const spec = await created(8);
    await sp.grow!(spec, 8, growOpts, fx.ctx);
    assert.equal((await stat(pathOf(spec))).size, 16 * MIB);
    assert.equal((await qemuImgInfo(pathOf(spec)))['virtual-size'], 16 * MIB);
    await sp.grow!(spec, 4, { ...growOpts, dryRun: true }, fx.ctx);
    await sp.grow!(spec, 4, { ...growOpts, backingStore: false }, fx.ctx);
    await sp.grow!(spec, 0, growOpts, fx.ctx);
    assert.equal((await stat(pathOf(spec))).size, 16 * MIB);
  });

  test('grow refuses to shrink, and a missing file', async () => {
    const spec = await created(8);
    await assert.rejects(sp.grow!(spec, -1, growOpts, fx.ctx), hasCode('GNT_DISK_SHRINK'));
    await assert.rejects(sp.grow!(spec, 1.5, growOpts, fx.ctx), hasCode('GNT_DISK_SPEC_INVALID'));
    assert.equal((await stat(pathOf(spec))).size, 8 * MIB);
    await assert.rejects(sp.grow!(fx.spec(8), 4, growOpts, fx.ctx), hasCode('GNT_DISK_NOT_FOUND'));
  });

  test('remove deletes the file; again it resolves', async () => {
    const spec = await created(4);
    await sp.remove(spec, fx.ctx);
    await assert.rejects(stat(pathOf(spec)), { code: 'ENOENT' });
    await sp.remove(spec, fx.ctx);
  });

  test('a missing disk cannot be assembled, measured or checked', async () => {
    const spec = fx.spec(4);
    assert.equal(await sp.attach(spec, fx.ctx), null);
    await assert.rejects(sp.assemble(spec, { children: [], primary: true }, fx.ctx), hasCode('GNT_DISK_NOT_FOUND'));
    await assert.rejects(sp.actualSize(spec, fx.ctx), hasCode('GNT_DISK_NOT_FOUND'));
    await assert.rejects(sp.syncStatus(spec, fx.ctx), hasCode('GNT_DISK_NOT_FOUND'));
  });

  test('a folder at the disk path is neither a disk nor removed', async () => {
    const spec = fx.spec(4);
    await mkdir(pathOf(spec), { recursive: true });
    await assert.rejects(sp.attach(spec, fx.ctx), hasCode('GNT_DISK_FAILED'));
    await assert.rejects(sp.remove(spec, fx.ctx), hasCode('GNT_DISK_FAILED'));
    assert.ok((await stat(pathOf(spec))).isDirectory());
  });

  test('rename moves the file, never over another disk', async () => {
    const spec = await created(4);
    const other = await created(4);
    const target: LogicalId = ['loop', join(fx.dir, 'renamed.example.com', 'disk0')];
    await assert.rejects(sp.rename!(spec, other.logicalId, fx.ctx), hasCode('GNT_DISK_EXISTS'));
    assert.equal((await stat(pathOf(spec))).size, 4 * MIB);
    await sp.rename!(spec, target, fx.ctx);
    await assert.rejects(stat(pathOf(spec)), { code: 'ENOENT' });
    assert.equal((await stat(target[1] as string)).size, 4 * MIB);
    await assert.rejects(sp.rename!(spec, target, fx.ctx), hasCode('GNT_DISK_NOT_FOUND'));
  });

  test('logical ids that are not [driver, absolute path] are refused before anything is touched', async () => {
    const bad: LogicalId[] = [
      ['loop', 'relative/disk0'],
      ['loop', `${fx.dir}/../../escape`],
      ['loop', `${fx.dir}/x/`],
      ['qcow', join(fx.dir, 'disk0')],
      [join(fx.dir, 'disk0')],
      ['loop', 42],
    ];
    for (const logicalId of bad) {
      const spec = { ...fx.spec(4), logicalId };
      await assert.rejects(sp.create(spec, createOpts, fx.ctx), hasCode('GNT_DISK_SPEC_INVALID'), JSON.stringify(logicalId));
      await assert.rejects(sp.attach(spec, fx.ctx), hasCode('GNT_DISK_SPEC_INVALID'), JSON.stringify(logicalId));
    }
    await assert.rejects(stat(join(fx.root, 'escape')), { code: 'ENOENT' });
    for (const driver of ['loop', 'blktap', 'blktap2']) {
      const spec = { ...fx.spec(1), logicalId: [driver, join(fx.dir, `drv-${driver}`, 'disk0')] };
      await sp.create(spec, createOpts, fx.ctx);
      await sp.remove(spec, fx.ctx);
    }
  });

  describe('storage unit', () => {
    test('lists the folder with the file system size and the disks it holds', async () => {
      const unitFx = await fixture();
      try {
        const unit = sp.storageUnits![0]!;
        const key = unitFx.unitKey!('file');
        await sp.create(unitFx.spec(10), createOpts, unitFx.ctx);
        const [row, ...more] = await unit.list(key, null, ['name', 'size', 'used', 'free', 'allocatable'], unitFx.ctx);
        assert.deepEqual(more, []);
        assert.ok(row);
        assert.equal(row.name, unitFx.dir);
        const fs = await statfs(unitFx.dir);
        assert.equal(row.size, Math.ceil((fs.blocks * fs.bsize) / MIB));
        assert.equal(row.used, 10, 'used counts the apparent size of the disk files');
        assert.ok(typeof row.free === 'number' && row.free <= row.size!);
        assert.equal(row.allocatable, true);
        assert.deepEqual(await unit.list(key, unitFx.dir, ['name'], unitFx.ctx), [{ name: unitFx.dir }]);
        const space = await unit.spaceInfo!(key, unitFx.ctx);
        assert.deepEqual([space.type, space.name, space.storage_size], ['file', unitFx.dir, row.size]);
        // Without a key, the node's default folder is the unit.
        assert.equal((await unit.list({ type: 'file', key: null, params: {} }, null, ['name'], unitFx.ctx))[0]?.name, unitFx.ctx.paths.fileStorageDir);
      } finally {
        await unitFx.cleanup();
      }
    });

    test('a folder that does not exist is refused', async () => {
      const unit = sp.storageUnits![0]!;
      const key = { type: 'file' as const, key: join(fx.root, 'no-such-folder'), params: {} };
      await assert.rejects(unit.list(key, null, ['name', 'size'], fx.ctx), hasCode('GNT_STORAGE_UNIT_NOT_FOUND'));
      await assert.rejects(unit.spaceInfo!(key, fx.ctx), hasCode('GNT_STORAGE_UNIT_NOT_FOUND'));
    });
  });
});
