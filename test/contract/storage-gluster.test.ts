/**
 * The gluster template against a real one-node Gluster volume (test/helpers/gluster.ts),
 * started once for the file: the provider mounts it with the real mount.glusterfs (FUSE),
 * disk files land in the real brick, and qemu reads them through gfapi (`gluster://`).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GanetiError } from '../../core/errors/index.js';
import { ganetiPaths } from '../../core/paths.js';
import { memoryLogger } from '../../core/log.js';
import { run } from '../../core/exec/index.js';
import type { Runner } from '../../core/exec/types.js';
import { PluginHost, builtinSpecs } from '../../core/plugin-host/index.js';
import type { ProviderContext } from '../../core/contracts/context.js';
import type { DiskSpec, StorageProvider } from '../../core/contracts/storage.js';
import { glusterMissing, startGluster, type GlusterServer } from '../helpers/gluster.js';
import { storageContract, type StorageFixture } from './storage.contract.js';

const MIB = 1024 * 1024;
const skipReason = await glusterMissing();

let hostPromise: Promise<PluginHost> | undefined;
const loadHost = (): Promise<PluginHost> =>
  (hostPromise ??= (async () => {
    const host = new PluginHost({ paths: ganetiPaths(tmpdir()), logFor: () => memoryLogger() });
    await host.load(builtinSpecs(['storage/gluster']));
    return host;
  })());
const gluster = async (): Promise<StorageProvider> => (await loadHost()).storage.get('gluster');

/** Node roots made by this file; each may hold a mount of the volume, unmounted at the end. */
const roots: string[] = [];
let serverPromise: Promise<GlusterServer> | undefined;
const server = (): Promise<GlusterServer> => (serverPromise ??= startGluster());
/** Every argv run by any node context of this file. */
const calls: string[][] = [];

const isMounted = async (dir: string): Promise<boolean> => (await readFile('/proc/self/mounts', 'utf8')).split('\n').some((l) => l.split(' ')[1] === dir);

after(async () => {
  // Mounts first (their FUSE clients talk to the server), then the server.
  for (const root of roots) {
    const mnt = ganetiPaths(root).glusterStorageDir;
    if (await isMounted(mnt)) await run(['umount', mnt]);
    await rm(root, { recursive: true, force: true });
  }
  if (serverPromise) await (await serverPromise).stop();
});

let serial = 0;

interface Node {
  readonly ctx: ProviderContext;
  readonly root: string;
  readonly mountPoint: string;
  readonly srv: GlusterServer;
}

async function node(name = 'node1'): Promise<Node> {
  const srv = await server();
  const root = await mkdtemp(join(tmpdir(), `gnt-gluster-${process.pid}-`));
  roots.push(root);
  const abort = new AbortController();
  // The FUSE client must reach the server: every command runs in the server's netns.
  const runner: Runner = (argv, options = {}) => {
    calls.push([...argv]);
    return srv.exec(argv, { signal: abort.signal, ...options });
  };
  const ctx: ProviderContext = { signal: abort.signal, run: runner, log: memoryLogger(), paths: ganetiPaths(root), nodeName: name };
  return { ctx, root, mountPoint: ctx.paths.glusterStorageDir, srv };
}

const newSpec = (srv: GlusterServer, size: number, params: Record<string, unknown> = {}): DiskSpec => {
  const uuid = `g${process.pid}-${++serial}`;
  return { uuid, dev_type: 'gluster', size, mode: 'rw', params: { host: srv.ip, volume: srv.volume, port: 24007, access: 'kernelspace', ...params }, logicalId: ['loop', `ganeti/${uuid}.0`], iv_name: 'disk/0' };
};

// The contract's fixtures share one node root: the volume is mounted once and stays.
let shared: Node | undefined;
async function fixture(): Promise<StorageFixture> {
  shared ??= await node();
  const n = shared;
  return { ctx: n.ctx, spec: (size) => newSpec(n.srv, size), cleanup: async () => undefined };
}

if (skipReason) {
  test('gluster storage', (t) => t.skip(skipReason));
} else {
  storageContract('gluster', gluster, fixture, { hasDevice: true, grows: true, units: false });
}

const relOf = (spec: DiskSpec): string => spec.logicalId[1] as string;
const hasCode = (code: string) => (e: unknown) => e instanceof GanetiError && e.code === code;
const createOpts = { children: [], exclusiveStorage: false } as const;
const assembleOpts = { children: [], primary: true } as const;

describe('gluster storage', { skip: skipReason ?? false }, () => {
  let sp: StorageProvider;
  let n: Node;

  before(async () => {
    sp = await gluster();
    n = await node();
  });

  test('the built-in plugin registers `gluster`: file based, externally mirrored, userspace access', async () => {
    const host = await loadHost();
    assert.deepEqual(host.errors, []);
    assert.deepEqual(host.plugins.map((p) => [p.name, p.provides]), [['builtin:storage/gluster', [{ kind: 'storage', name: 'gluster' }]]]);
    assert.deepEqual(host.storage.entry('gluster').paramNames, ['access', 'host', 'port', 'volume']);
    assert.equal(sp.storageType, 'gluster');
    assert.equal(sp.fileBased, true);
    assert.equal(sp.mirrored, 'external');
    assert.equal(sp.userspaceAccess, true);
  });

  test('create mounts the volume once, with Ganeti\'s argv, and the file lands in the brick', async () => {
    const spec = newSpec(n.srv, 16);
    const before = calls.length;
    await sp.create(spec, createOpts, n.ctx);
    const mounts = calls.slice(before).filter((c) => c[0] === 'mount');
    assert.deepEqual(mounts, [['mount', '-t', 'glusterfs', '-o', 'server-port=24007', `${n.srv.ip}:/gv0`, n.mountPoint]]);
    assert.ok(await isMounted(n.mountPoint));
    const access = await sp.assemble(spec, assembleOpts, n.ctx);
    assert.deepEqual(access, { devPath: join(n.mountPoint, relOf(spec)), uris: [`kvm:gluster://${n.srv.ip}:24007/gv0/${relOf(spec)}`] });
    const inBrick = await stat(join(n.srv.brick, relOf(spec)));
    assert.equal(inBrick.size, 16 * MIB, 'the server holds the file');
    assert.equal(calls.slice(before).filter((c) => c[0] === 'mount').length, 1, 'mounted once, then reused');
    await sp.shutdown(spec, n.ctx);
    assert.ok(await isMounted(n.mountPoint), 'shutdown of one disk keeps the shared mount');
    await sp.remove(spec, n.ctx);
    await assert.rejects(stat(join(n.srv.brick, relOf(spec))), { code: 'ENOENT' });
  });

  test('userspace: kvm gets the gluster:// URI, and qemu reads the data through gfapi', async () => {
    const spec = newSpec(n.srv, 4, { access: 'userspace' });
    await sp.create(spec, createOpts, n.ctx);
    const { devPath } = await sp.assemble(spec, assembleOpts, n.ctx);
    const marker = `gluster ${process.pid}`;
    await writeFile(devPath!, marker, { flag: 'r+' });
    const uri = await sp.userspaceUri!(spec, 'kvm', n.ctx);
    assert.equal(uri, `gluster://${n.srv.ip}:24007/gv0/${relOf(spec)}`);
    assert.equal(await sp.userspaceUri!(spec, 'lxc', n.ctx), null);
    const io = await n.srv.exec(['qemu-io', '-f', 'raw', '-c', `read -v 0 ${marker.length}`, uri!], { timeoutMs: 60_000 });
    assert.ok(io.ok, io.all);
    assert.match(io.stdout, new RegExp(marker.replace(/ /g, '.')));
    await sp.remove(spec, n.ctx);
  });

  test('a volume that cannot be mounted is a GanetiError, and nothing is created', async () => {
    const other = await node('node2');
    const spec = newSpec(other.srv, 4, { volume: 'nosuchvol' });
    await assert.rejects(sp.create(spec, createOpts, other.ctx), (e: unknown) => {
      assert.ok(hasCode('GNT_DISK_FAILED')(e));
      assert.match((e as Error).message, /gluster volume info nosuchvol/);
      return true;
    });
    assert.equal(await isMounted(other.mountPoint), false);
    assert.equal(await sp.attach(spec, other.ctx), null);
  });

  test('another file system mounted at the storage dir is refused, not written into', async () => {
    const other = await node('node3');
    await mkdir(other.mountPoint, { recursive: true });
    await run(['mount', '-t', 'tmpfs', '-o', 'size=1M', 'gnt-test', other.mountPoint], {}).then((r) => assert.ok(r.ok, r.all));
    try {
      const spec = newSpec(other.srv, 1);
      await assert.rejects(sp.create(spec, createOpts, other.ctx), (e: unknown) => hasCode('GNT_DISK_FAILED')(e) && /already holds gnt-test \(tmpfs\)/.test((e as Error).message));
      await assert.rejects(stat(join(other.mountPoint, relOf(spec))), { code: 'ENOENT' });
    } finally {
      await run(['umount', other.mountPoint]);
    }
  });

  test('bad logical ids and parameters are refused before any command runs', async () => {
    const base = newSpec(n.srv, 4);
    const bad: DiskSpec[] = [
      { ...base, logicalId: ['loop', '/abs/path'] },
      { ...base, logicalId: ['loop', '../escape'] },
      { ...base, logicalId: ['loop', 'a/../../escape'] },
      { ...base, logicalId: ['qcow', 'ganeti/x'] },
      { ...base, logicalId: ['ganeti/x'] },
      { ...base, params: { ...base.params, host: 'bad host' } },
      { ...base, params: { ...base.params, volume: '-o' } },
      { ...base, params: { ...base.params, port: 70000 } },
      { ...base, params: { ...base.params, access: 'fuse' } },
    ];
    const before = calls.length;
    for (const spec of bad) await assert.rejects(sp.create(spec, createOpts, n.ctx), hasCode('GNT_DISK_SPEC_INVALID'), JSON.stringify([spec.logicalId, spec.params]));
    assert.equal(calls.length, before);
  });
});
