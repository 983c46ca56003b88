import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GanetiError } from '../../core/errors/index.js';
import { boundRunner, run } from '../../core/exec/index.js';
import { ganetiPaths } from '../../core/paths.js';
import { memoryLogger } from '../../core/log.js';
import { PluginHost, builtinSpecs } from '../../core/plugin-host/index.js';
import type { HvDisk, HypervisorProvider } from '../../core/contracts/hypervisor.js';
import type { ProviderContext } from '../../core/contracts/context.js';
import { hypervisorContract, recordingNetwork, testInstance, type HypervisorFixture } from './hypervisor.contract.js';
import { busyboxRootDisk, rootfsMissing, type RootDisk } from '../helpers/busybox-rootfs.js';

// The lxc hypervisor against real LXC (privileged containers, AppArmor unconfined, as
// substrate.md says this machine needs), on a busybox root file system in an ext4 image on a
// loop device. Veth pairs are made in the root namespace and carry no traffic.
const lxcMissing = (await run(['lxc-start', '--version'])).exitCode !== 0 ? 'lxc is not installed (apt-get install lxc)' : null;
const skip = lxcMissing ?? (await rootfsMissing()) ?? false;
if (skip) process.stdout.write(`# lxc tests skipped: ${skip}\n`);

let hostPromise: Promise<PluginHost> | undefined;
const lxc = async (): Promise<HypervisorProvider> =>
  (await (hostPromise ??= (async () => {
    const host = new PluginHost({ paths: ganetiPaths(tmpdir()), logFor: () => memoryLogger() });
    await host.load(builtinSpecs(['hypervisors/lxc']));
    return host;
  })())).hypervisors.get('lxc');

async function makeNode(): Promise<HypervisorFixture & { root: string; disk: RootDisk }> {
  const root = await mkdtemp(join(tmpdir(), 'gnt-lxc-hv-'));
  const abort = new AbortController();
  const ctx: ProviderContext = { signal: abort.signal, run: boundRunner(abort.signal), log: memoryLogger(), paths: ganetiPaths(root), nodeName: 'node1.example.com' };
  const disk = await busyboxRootDisk();
  const disks: HvDisk[] = [{ uuid: `r${process.pid}`, name: null, iv_name: 'disk/0', dev_type: 'plain', size: 32, mode: 'rw', access: 'kernelspace', dev_path: disk.device, uri: null }];
  return {
    root, ctx, disks, disk, hvparams: { startup_timeout: 10 },
    async cleanup() {
      abort.abort();
      await disk.cleanup();
      await rm(root, { recursive: true, force: true });
    },
  };
}

if (!skip) hypervisorContract('lxc', lxc, makeNode);

const hasCode = (code: string) => (e: unknown) => e instanceof GanetiError && e.code === code;

describe('lxc hypervisor', { skip }, () => {
  let hv: HypervisorProvider;
  let node: Awaited<ReturnType<typeof makeNode>>;
  before(async () => {
    hv = await lxc();
    node = await makeNode();
  });
  after(() => node?.cleanup());

  test('a container runs its init from the instance disk; soft stop is SIGPWR to init; reboot restarts it; nothing is left', async () => {
    const inst = testInstance('lxc', { startup_timeout: 10 }, { nics: [], beparams: { ...testInstance('lxc').beparams, maxmem: 96 } });
    const ctx = node.ctx;
    const rootfs = join(node.root, 'var/run/ganeti/lxc', inst.name, 'rootfs');
    await hv.start(inst, node.disks!, { paused: false, network: recordingNetwork() }, ctx);
    const info = await hv.instanceInfo(inst.name, {}, ctx);
    assert.equal(info?.state, 'running');
    assert.equal(info?.memory, 96);
    const pid = Number(info?.id);
    assert.ok(pid > 0 && existsSync(`/proc/${pid}`));
    assert.equal(await readFile(`/proc/${pid}/cmdline`, 'utf8').then((t) => t.split('\0')[0]), '/bin/sh');
    assert.ok(existsSync(join(rootfs, 'tmp/started')), 'init ran on the mounted disk');
    const conf = await readFile(join(node.root, 'var/run/ganeti/lxc', `${inst.name}.conf`), 'utf8');
    assert.match(conf, /^lxc\.cgroup\.memory\.limit_in_bytes = 100663296$|^lxc\.cgroup2\.memory\.max = 100663296$/m);
    assert.match(conf, /^lxc\.cap\.drop = mac_override sys_boot sys_module sys_time sys_admin$/m);

    await hv.reboot(inst, ctx);
    const after = await hv.instanceInfo(inst.name, {}, ctx);
    assert.notEqual(after?.id, pid, 'a new init');
    assert.match(await readFile(join(rootfs, 'tmp/events'), 'utf8'), /start\nhalt\nstart/);

    await hv.stop(inst, { force: false, timeoutMs: 10_000, network: recordingNetwork() }, ctx);
    assert.deepEqual(await hv.listInstances({}, ctx), []);
    assert.equal(existsSync(join(rootfs, 'tmp')), false, 'the root file system is unmounted');
    assert.equal((await run(['findmnt', rootfs])).exitCode, 1);
  });

  test('a container whose init ignores the halt signal: the soft stop times out clearly, a forced stop kills it', async () => {
    const stubborn = await busyboxRootDisk({ ignoreHalt: true });
    try {
      const inst = testInstance('lxc', { startup_timeout: 10 }, { nics: [] });
      const disks: HvDisk[] = [{ ...node.disks![0]!, dev_path: stubborn.device }];
      await hv.start(inst, disks, { paused: false, network: recordingNetwork() }, node.ctx);
      await assert.rejects(hv.stop(inst, { force: false, timeoutMs: 1000, network: recordingNetwork() }, node.ctx), (e: unknown) => hasCode('GNT_HV_FAILED')(e) && /did not shut down within 1 s/.test((e as Error).message));
      assert.deepEqual(await hv.listInstances({}, node.ctx), [inst.name]);
      await hv.stop(inst, { force: true, timeoutMs: 0, network: recordingNetwork() }, node.ctx);
      assert.deepEqual(await hv.listInstances({}, node.ctx), []);
    } finally {
      await stubborn.cleanup();
    }
  });

  test('a container whose init dies is seen as down', async () => {
    const inst = testInstance('lxc', { startup_timeout: 10 }, { nics: [] });
    await hv.start(inst, node.disks!, { paused: false, network: recordingNetwork() }, node.ctx);
    const pid = Number((await hv.instanceInfo(inst.name, {}, node.ctx))?.id);
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 50 && (await hv.listInstances({}, node.ctx)).length; i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(await hv.listInstances({}, node.ctx), []);
    assert.equal(await hv.instanceInfo(inst.name, {}, node.ctx), null);
    await hv.cleanup(inst.name, { network: recordingNetwork() }, node.ctx);
  });
});
