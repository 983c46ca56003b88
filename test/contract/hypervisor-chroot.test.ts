import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readlink, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GanetiError } from '../../core/errors/index.js';
import { boundRunner } from '../../core/exec/index.js';
import { ganetiPaths } from '../../core/paths.js';
import { memoryLogger } from '../../core/log.js';
import { PluginHost, builtinSpecs } from '../../core/plugin-host/index.js';
import type { HvDisk, HypervisorProvider } from '../../core/contracts/hypervisor.js';
import type { ProviderContext } from '../../core/contracts/context.js';
import { hypervisorContract, recordingNetwork, testInstance, type HypervisorFixture } from './hypervisor.contract.js';
import { busyboxRootDisk, rootfsMissing, type RootDisk } from '../helpers/busybox-rootfs.js';

// The chroot hypervisor with real processes chrooted into a busybox root file system (an ext4
// image on a loop device, mounted by the plugin), started and stopped by its /ganeti-chroot.
const skip = (await rootfsMissing()) ?? false;
if (skip) process.stdout.write(`# chroot tests skipped: ${skip}\n`);

let hostPromise: Promise<PluginHost> | undefined;
const chroot = async (): Promise<HypervisorProvider> =>
  (await (hostPromise ??= (async () => {
    const host = new PluginHost({ paths: ganetiPaths(tmpdir()), logFor: () => memoryLogger() });
    await host.load(builtinSpecs(['hypervisors/chroot']));
    return host;
  })())).hypervisors.get('chroot');

async function makeNode(): Promise<HypervisorFixture & { root: string; disk: RootDisk; ctx: ProviderContext }> {
  const root = await mkdtemp(join(tmpdir(), 'gnt-chroot-hv-'));
  const abort = new AbortController();
  const ctx: ProviderContext = { signal: abort.signal, run: boundRunner(abort.signal), log: memoryLogger(), paths: ganetiPaths(root), nodeName: 'node1.example.com' };
  const disk = await busyboxRootDisk();
  const disks: HvDisk[] = [{ uuid: `c${process.pid}`, name: null, iv_name: 'disk/0', dev_type: 'plain', size: 32, mode: 'rw', access: 'kernelspace', dev_path: disk.device, uri: null }];
  return {
    root, ctx, disks, disk, noNics: true,
    async cleanup() {
      abort.abort();
      await disk.cleanup();
      await rm(root, { recursive: true, force: true });
    },
  };
}

const noNicInstance = (overrides = {}) => testInstance('chroot', {}, { nics: [], ...overrides });
if (!skip) hypervisorContract('chroot', chroot, makeNode);

describe('chroot hypervisor', { skip }, () => {
  let hv: HypervisorProvider;
  let node: Awaited<ReturnType<typeof makeNode>>;
  before(async () => {
    hv = await chroot();
    node = await makeNode();
  });
  after(() => node?.cleanup());

  test('start runs the init script in the chroot: its process lives with the instance root as /; stop ends it and unmounts', async () => {
    const inst = noNicInstance();
    const root = join(node.root, 'var/run/ganeti/chroot-hypervisor', inst.name);
    await hv.start(inst, node.disks!, { paused: false, network: recordingNetwork() }, node.ctx);
    const info = await hv.instanceInfo(inst.name, {}, node.ctx);
    const pid = Number(info?.id);
    assert.equal(info?.state, 'running');
    assert.equal(await readlink(`/proc/${pid}/root`), root, 'the process runs with the instance root as /');
    assert.match(await readFile(join(root, 'tmp/events'), 'utf8'), /^started$/m);
    await new Promise((r) => setTimeout(r, 1200));
    assert.ok(existsSync(join(root, 'tmp/tick')), 'the chrooted loop runs');
    await hv.stop(inst, { force: false, timeoutMs: 5000, network: recordingNetwork() }, node.ctx);
    assert.deepEqual(await hv.listInstances({}, node.ctx), []);
    const state = await readFile(`/proc/${pid}/stat`, 'utf8').then((t) => t.slice(t.lastIndexOf(')') + 2, t.lastIndexOf(')') + 3), () => 'gone');
    assert.ok(state === 'gone' || state === 'Z', `its process is gone (state ${state})`);
    assert.equal(existsSync(join(root, 'tmp')), false, 'the root is unmounted');
  });

  test('NICs are refused: chroot instances use the node\'s network', async () => {
    const inst = testInstance('chroot', {});
    await assert.rejects(hv.start(inst, node.disks!, { paused: false, network: recordingNetwork() }, node.ctx), (e: unknown) => e instanceof GanetiError && /take no NICs/.test(e.message));
    assert.deepEqual(await hv.listInstances({}, node.ctx), []);
  });
});
