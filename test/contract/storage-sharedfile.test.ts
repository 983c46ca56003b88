/**
 * The sharedfile template: the storage contract, then two "nodes" (two contexts with their
 * own root and name) working on one shared folder, as two machines mounting the same NFS or
 * Gluster volume would.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GanetiError } from '../../core/errors/index.js';
import { boundRunner } from '../../core/exec/index.js';
import { ganetiPaths } from '../../core/paths.js';
import { memoryLogger } from '../../core/log.js';
import { PluginHost, builtinSpecs } from '../../core/plugin-host/index.js';
import type { ProviderContext } from '../../core/contracts/context.js';
import type { DiskSpec, StorageProvider } from '../../core/contracts/storage.js';
import { storageContract, type StorageFixture } from './storage.contract.js';

const MIB = 1024 * 1024;

let hostPromise: Promise<PluginHost> | undefined;
const loadHost = (): Promise<PluginHost> =>
  (hostPromise ??= (async () => {
    const host = new PluginHost({ paths: ganetiPaths(tmpdir()), logFor: () => memoryLogger() });
    await host.load(builtinSpecs(['storage/sharedfile']));
    return host;
  })());
const sharedfile = async (): Promise<StorageProvider> => (await loadHost()).storage.get('sharedfile');

let serial = 0;

interface Cluster extends StorageFixture {
  readonly root: string;
  /** The shared folder, the shared file storage dir of node1 (node2's root differs). */
  readonly dir: string;
  readonly node1: ProviderContext;
  readonly node2: ProviderContext;
}

/** Two node roots under a temp dir; the shared folder lives under node1's root. */
async function cluster(): Promise<Cluster> {
  const root = await mkdtemp(join(tmpdir(), `gnt-sharedfile-${process.pid}-`));
  const abort = new AbortController();
  const node = (name: string): ProviderContext => ({
    signal: abort.signal,
    run: boundRunner(abort.signal),
    log: memoryLogger(),
    paths: ganetiPaths(join(root, name)),
    nodeName: name,
  });
  const node1 = node('node1');
  const node2 = node('node2');
  const dir = node1.paths.sharedFileStorageDir;
  await mkdir(dir, { recursive: true });
  return {
    root,
    dir,
    node1,
    node2,
    ctx: node1,
    spec(size: number): DiskSpec {
      const uuid = `s${process.pid}-${++serial}`;
      return { uuid, dev_type: 'sharedfile', size, mode: 'rw', params: {}, logicalId: ['loop', join(dir, `inst${serial}.example.com`, `${uuid}.sharedfile.disk0`)], iv_name: 'disk/0' };
    },
    unitKey: (type) => ({ type, key: dir, params: {} }),
    async cleanup() {
      abort.abort();
      await rm(root, { recursive: true, force: true });
    },
  };
}

storageContract('sharedfile', sharedfile, cluster, { hasDevice: true, grows: true, units: true });

const pathOf = (spec: DiskSpec): string => spec.logicalId[1] as string;
const hasCode = (code: string) => (e: unknown) => e instanceof GanetiError && e.code === code;
const createOpts = { children: [], exclusiveStorage: false } as const;
const assembleOpts = { children: [], primary: true } as const;
const growOpts = { dryRun: false, backingStore: true, exclusiveStorage: false } as const;

describe('sharedfile storage', () => {
  let sp: StorageProvider;
  let cl: Cluster;

  before(async () => {
    sp = await sharedfile();
    cl = await cluster();
  });
  after(() => cl.cleanup());

  test('the built-in plugin registers `sharedfile`: file based, externally mirrored, no parameters', async () => {
    const host = await loadHost();
    assert.deepEqual(host.errors, []);
    assert.deepEqual(host.plugins.map((p) => [p.name, p.provides]), [['builtin:storage/sharedfile', [{ kind: 'storage', name: 'sharedfile' }]]]);
    assert.deepEqual(host.storage.entry('sharedfile').paramNames, []);
    assert.equal(sp.storageType, 'sharedfile');
    assert.equal(sp.mirrored, 'external');
    assert.equal(sp.fileBased, true);
    assert.deepEqual(sp.storageUnits?.map((u) => u.type), ['sharedfile']);
  });

  test('a disk created on one node is the same file on the other', async () => {
    const spec = cl.spec(8);
    await sp.create(spec, createOpts, cl.node1);
    const on1 = await sp.assemble(spec, assembleOpts, cl.node1);
    const on2 = await sp.assemble(spec, assembleOpts, cl.node2);
    assert.deepEqual(on2, on1);
    assert.deepEqual(on2, { devPath: pathOf(spec), uris: [] });
    // Data written through node2's device is read on node1 (the same inode).
    await writeFile(on2.devPath!, 'written on node2', { flag: 'r+' });
    assert.equal((await readFile(on1.devPath!)).subarray(0, 16).toString(), 'written on node2');
    // Growth on node2 is seen by node1; node1 cannot re-create it; removal on node2 is seen by node1.
    await sp.grow!(spec, 8, growOpts, cl.node2);
    assert.deepEqual(await sp.actualSize(spec, cl.node1), { size: 16 * MIB, spindles: null });
    await assert.rejects(sp.create(spec, createOpts, cl.node1), (e: unknown) => {
      assert.ok(hasCode('GNT_DISK_EXISTS')(e));
      assert.match((e as Error).message, /^sharedfile disk .* already exists on node node1/);
      return true;
    });
    await sp.remove(spec, cl.node2);
    assert.equal(await sp.attach(spec, cl.node1), null);
    await assert.rejects(sp.assemble(spec, assembleOpts, cl.node1), hasCode('GNT_DISK_NOT_FOUND'));
    await assert.rejects(stat(pathOf(spec)), { code: 'ENOENT' });
  });

  test('create makes a sparse raw image, readable only by root', async () => {
    const spec = cl.spec(64);
    await sp.create(spec, createOpts, cl.node2);
    const st = await stat(pathOf(spec));
    assert.equal(st.size, 64 * MIB);
    assert.ok(st.blocks * 512 < 64 * MIB, `sparse: ${st.blocks} blocks`);
    assert.equal(st.mode & 0o777, 0o600);
    await sp.remove(spec, cl.node1);
  });

  test('logical ids that are not [driver, absolute path] are refused', async () => {
    for (const logicalId of [['loop', 'relative'], ['nfs', join(cl.dir, 'x')], ['loop', `${cl.dir}/../escape`]]) {
      await assert.rejects(sp.create({ ...cl.spec(1), logicalId }, createOpts, cl.node1), hasCode('GNT_DISK_SPEC_INVALID'), JSON.stringify(logicalId));
    }
  });

  test('the storage unit is the shared folder, seen alike from both nodes', async () => {
    const unit = sp.storageUnits![0]!;
    const key = cl.unitKey!('sharedfile');
    const spec = cl.spec(10);
    await sp.create(spec, createOpts, cl.node1);
    // Free space moves with whatever else runs on this machine: compared are the stable fields.
    const fields = ['name', 'size', 'used', 'allocatable'] as const;
    const stable = async (ctx: ProviderContext) =>
      (await unit.list(key, null, fields, ctx)).map((r) => ({ name: r.name, size: r.size, used: r.used, allocatable: r.allocatable }));
    const fs = await statfs(cl.dir);
    const expected = [{ name: cl.dir, size: Math.ceil((fs.blocks * fs.bsize) / MIB), used: 10, allocatable: true }];
    assert.deepEqual(await stable(cl.node1), expected);
    assert.deepEqual(await stable(cl.node2), expected);
    const space = await unit.spaceInfo!(key, cl.node2);
    assert.deepEqual([space.type, space.name], ['sharedfile', cl.dir]);
    // Without a key, a node's own default shared folder is the unit; node2's does not exist.
    await assert.rejects(unit.list({ type: 'sharedfile', key: null, params: {} }, null, ['name'], cl.node2), hasCode('GNT_STORAGE_UNIT_NOT_FOUND'));
    await sp.remove(spec, cl.node1);
  });
});
