import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { open, readFile, stat, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GanetiError } from '../../core/errors/index.js';
import { boundRunner, runChecked } from '../../core/exec/index.js';
import { ganetiPaths } from '../../core/paths.js';
import { memoryLogger } from '../../core/log.js';
import { PluginHost, builtinSpecs, createPluginHost } from '../../core/plugin-host/index.js';
import type { ProviderContext } from '../../core/contracts/context.js';
import type { DiskSpec, StorageProvider } from '../../core/contracts/storage.js';
import { LoopPool, loopUnavailable } from '../helpers/loop.js';
import { storageContract, type StorageFixture } from './storage.contract.js';

const MIB = 1024 * 1024;
const createOpts = { children: [], exclusiveStorage: false } as const;
const hasCode = (code: string) => (e: unknown) => e instanceof GanetiError && e.code === code;

async function loadHost(options: Record<string, unknown>): Promise<PluginHost> {
  const host = new PluginHost({ paths: ganetiPaths(tmpdir()), logFor: () => memoryLogger() });
  await host.load(builtinSpecs(['storage/blockdev']).map((s) => ({ ...s, options })));
  return host;
}
const provider = async (options: Record<string, unknown> = { allowedPrefixes: ['/dev/loop'] }): Promise<StorageProvider> =>
  (await loadHost(options)).storage.get('blockdev');

const unavailable = await loopUnavailable();
let serial = 0;

const makeCtx = (): ProviderContext & { abort: AbortController } => {
  const abort = new AbortController();
  return { abort, signal: abort.signal, run: boundRunner(abort.signal), log: memoryLogger(), paths: ganetiPaths(tmpdir()), nodeName: 'node1' };
};

/** Each fixture adopts one fresh 8 MiB loop device; every spec names it. */
async function fixture(): Promise<StorageFixture> {
  const pool = new LoopPool();
  const dev = await pool.create(8);
  const ctx = makeCtx();
  return {
    ctx,
    spec: (size: number): DiskSpec => ({ uuid: `b${process.pid}-${++serial}`, dev_type: 'blockdev', size, mode: 'rw', params: {}, logicalId: ['manual', dev.path], iv_name: 'disk/0' }),
    async cleanup() {
      ctx.abort.abort();
      await pool.cleanup();
    },
  };
}

if (unavailable) test('blockdev storage', (t) => t.skip(unavailable));
else {
  storageContract('blockdev', () => provider(), fixture, { hasDevice: true, adopts: true, grows: false, units: false });

  describe('blockdev storage', () => {
    const pool = new LoopPool();
    let sp: StorageProvider;
    const ctx = makeCtx();
    let scratch: string;
    const spec = (path: string): DiskSpec => ({ uuid: `b${process.pid}-${++serial}`, dev_type: 'blockdev', size: 0, mode: 'rw', params: {}, logicalId: ['manual', path], iv_name: 'disk/0' });

    before(async () => {
      sp = await provider();
      scratch = await mkdtemp(join(tmpdir(), `gnt-blockdev-${process.pid}-`));
    });
    after(async () => {
      ctx.abort.abort();
      await pool.cleanup();
      await rm(scratch, { recursive: true, force: true });
    });

    test('the built-in plugin registers `blockdev`: externally reachable, no grow, no parameters', async () => {
      const host = await loadHost({ allowedPrefixes: ['/dev/loop'] });
      assert.deepEqual(host.errors, []);
      assert.deepEqual(host.storage.entry('blockdev').paramNames, []);
      assert.equal(sp.storageType, 'blockdev');
      assert.equal(sp.mirrored, 'external');
      assert.equal(sp.supportsGrow, false);
      assert.equal(sp.grow, undefined);
      assert.equal(sp.rename, undefined);
    });

    test('actualSize is the device size that blockdev --getsize64 reports', async () => {
      const dev = await pool.create(24);
      const disk = spec(dev.path);
      await sp.create(disk, createOpts, ctx);
      const reported = Number((await runChecked(['blockdev', '--getsize64', dev.path])).stdout.trim());
      assert.equal(reported, 24 * MIB);
      assert.deepEqual(await sp.actualSize(disk, ctx), { size: reported, spindles: null });
      const access = await sp.assemble(disk, { children: [], primary: true }, ctx);
      assert.equal(access.devPath, dev.path);
      assert.equal(access.major, 7, 'loop devices have block major 7');
      assert.equal(`/dev/loop${access.minor}`, dev.path);
    });

    test('remove leaves the data on the device', async () => {
      const dev = await pool.create(8);
      const disk = spec(dev.path);
      await sp.create(disk, createOpts, ctx);
      const fh = await open(dev.path, 'r+');
      await fh.write(Buffer.from('adopted data'), 0, 12, 0);
      await fh.close();
      await sp.remove(disk, ctx);
      assert.equal((await readFile(dev.file)).subarray(0, 12).toString(), 'adopted data');
    });

    test('paths that are not block devices are refused', async () => {
      const anyDev = await provider({ allowedPrefixes: ['/dev/'] });
      await assert.rejects(anyDev.create(spec('/dev/null'), createOpts, ctx), (e: unknown) => {
        assert.ok(hasCode('GNT_BLOCKDEV_NOT_BLOCK')(e));
        assert.match((e as Error).message, /'\/dev\/null' on node node1 is not a block device/);
        return true;
      });
      if ((await stat('/dev/shm').catch(() => null))?.isDirectory())
        await assert.rejects(anyDev.create(spec('/dev/shm'), createOpts, ctx), hasCode('GNT_BLOCKDEV_NOT_BLOCK'));
      const missing = spec(`/dev/loop-gnt-missing-${process.pid}`);
      await assert.rejects(sp.create(missing, createOpts, ctx), (e: unknown) => hasCode('GNT_BLOCKDEV_NOT_BLOCK')(e) && /does not exist/.test((e as Error).message));
      assert.equal(await sp.attach(missing, ctx), null);
      await assert.rejects(sp.assemble(missing, { children: [], primary: true }, ctx), hasCode('GNT_BLOCKDEV_NOT_BLOCK'));
    });

    test('paths outside the allowed prefixes are refused before anything is looked at', async () => {
      const file = join(scratch, 'not-a-device');
      await writeFile(file, 'x');
      const dev = await pool.create(8);
      const ganetiDefault = await provider({});
      for (const [p, path] of [[sp, file], [ganetiDefault, dev.path], [sp, '/dev/loop0/../sda']] as const) {
        await assert.rejects(p.create(spec(path), createOpts, ctx), (e: unknown) => hasCode(path.includes('..') ? 'GNT_DISK_SPEC_INVALID' : 'GNT_BLOCKDEV_PATH_REFUSED')(e), path);
        await assert.rejects(p.attach(spec(path), ctx), GanetiError);
      }
      await assert.rejects(ganetiDefault.create(spec(dev.path), createOpts, ctx), /not under an allowed prefix \(\/dev\/disk\/\)/);
      for (const logicalId of [['manual'], ['auto', dev.path], ['manual', 'loop0'], ['manual', 7]])
        await assert.rejects(sp.create({ ...spec(dev.path), logicalId }, createOpts, ctx), hasCode('GNT_DISK_SPEC_INVALID'), JSON.stringify(logicalId));
    });

    test('importing data and exclusive storage are refused', async () => {
      const dev = await pool.create(8);
      await assert.rejects(sp.importCommand!(spec(dev.path), ctx), hasCode('GNT_DISK_UNSUPPORTED'));
      await assert.rejects(sp.create(spec(dev.path), { children: [], exclusiveStorage: true }, ctx), hasCode('GNT_DISK_UNSUPPORTED'));
    });

    test('the ganeti config gives the built-in its prefixes: ["builtin:storage/blockdev", {...}]', async () => {
      const dev = await pool.create(8);
      const configured = async (options: unknown) => {
        await writeFile(join(scratch, 'ganeti.config.json'), JSON.stringify({ plugins: [['builtin:storage/blockdev', options]] }));
        return createPluginHost({ cwd: scratch, builtins: ['storage/blockdev'], paths: ganetiPaths(scratch), logFor: () => memoryLogger() });
      };
      const h = await configured({ allowedPrefixes: ['/dev/loop'] });
      assert.deepEqual(h.errors, []);
      assert.deepEqual(h.plugins.map((p) => p.name), ['builtin:storage/blockdev']);
      await h.storage.get('blockdev').create(spec(dev.path), createOpts, ctx);
      const refused = await configured({ allowedPrefixes: ['/dev/disk/by-id/'] });
      await assert.rejects(refused.storage.get('blockdev').create(spec(dev.path), createOpts, ctx), hasCode('GNT_BLOCKDEV_PATH_REFUSED'));
      const bad = await configured({ allowedPrefixes: 'not a list' });
      assert.equal(bad.errors.length, 1);
    });

    test('the plugin refuses prefixes outside /dev', async () => {
      const host = await loadHost({ allowedPrefixes: ['/tmp/'] });
      assert.equal(host.errors.length, 1);
      assert.match(host.errors[0]!.message, /allowedPrefixes/);
    });
  });
}
