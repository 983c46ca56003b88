import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GanetiError } from '../../core/errors/index.js';
import { boundRunner, runChecked } from '../../core/exec/index.js';
import { ganetiPaths } from '../../core/paths.js';
import { memoryLogger } from '../../core/log.js';
import { PluginHost, builtinSpecs } from '../../core/plugin-host/index.js';
import type { HvDisk, HvInstance, HypervisorProvider } from '../../core/contracts/hypervisor.js';
import type { ProviderContext } from '../../core/contracts/context.js';
import { hypervisorContract, recordingNetwork, testInstance, type HypervisorFixture } from './hypervisor.contract.js';
import { guestHvparams, testGuest, type Guest } from '../helpers/guest.js';
import { kvmArgv, kvmCommand } from '../../hypervisors/kvm/command-line.js';
import { qmp } from '../../hypervisors/kvm/qmp.js';
import { QMP_COMMANDS_USED, checkQmpCommands } from '../../hypervisors/kvm/capabilities.js';

// The kvm hypervisor with real qemu under TCG (this machine's KVM cannot boot a guest, see
// substrate.md), booting the small busybox guest. Taps are made in the root namespace and
// carry no traffic (the contract's NICs go to a recording connector).
const guest = await testGuest();
const skip = typeof guest === 'string' ? guest : false;
if (skip) process.stdout.write(`# kvm tests skipped: ${skip}\n`);

let hostPromise: Promise<PluginHost> | undefined;
const kvm = async (): Promise<HypervisorProvider> =>
  (await (hostPromise ??= (async () => {
    const host = new PluginHost({ paths: ganetiPaths(tmpdir()), logFor: () => memoryLogger() });
    await host.load(builtinSpecs(['hypervisors/kvm']));
    return host;
  })())).hypervisors.get('kvm');

let port = 20000 + (process.pid % 20000);
async function makeNode(nodeName = 'node1.example.com', hv: Record<string, unknown> = {}): Promise<HypervisorFixture & { root: string; ctx: ProviderContext }> {
  const g = guest as Guest;
  const root = await mkdtemp(join(tmpdir(), 'gnt-kvm-hv-'));
  const abort = new AbortController();
  const ctx: ProviderContext = { signal: abort.signal, run: boundRunner(abort.signal), log: memoryLogger(), paths: ganetiPaths(root), nodeName };
  const disk0 = join(root, 'disk0.img');
  await runChecked(['qemu-img', 'create', '-q', '-f', 'raw', disk0, '8M']);
  const disks: HvDisk[] = [{ uuid: `d${process.pid}-0000-4000-8000-000000000001`, name: null, iv_name: 'disk/0', dev_type: 'file', size: 8, mode: 'rw', access: 'kernelspace', dev_path: disk0, uri: null }];
  return {
    root,
    ctx,
    disks,
    hvparams: guestHvparams(g, 'wait', { migration_port: ++port, ...hv }),
    async cleanup() {
      abort.abort();
      await rm(root, { recursive: true, force: true });
    },
  };
}

if (!skip) hypervisorContract('kvm', kvm, () => makeNode());

const serialLog = (root: string, name: string) => join(root, 'var/run/ganeti/kvm-hypervisor/ctrl', `${name}.serial.log`);
async function waitFor(check: () => Promise<boolean> | boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const logText = async (root: string, name: string) => readFile(serialLog(root, name), 'utf8').catch(() => '');
const ticks = async (root: string, name: string) => [...(await logText(root, name)).matchAll(/TICK (\d+)/g)].map((m) => Number(m[1]));
const hasCode = (code: string) => (e: unknown) => e instanceof GanetiError && e.code === code;

describe('kvm hypervisor', { skip }, () => {
  let hv: HypervisorProvider;
  const nodes: { cleanup(): Promise<void> }[] = [];
  const instances: [HvInstance, ProviderContext][] = [];
  const node = async (name?: string, extra?: Record<string, unknown>) => {
    const n = await makeNode(name, extra);
    nodes.push(n);
    return n;
  };
  const inst = (hvparams: Record<string, unknown>, ctx: ProviderContext, overrides: Partial<HvInstance> = {}) => {
    const i = testInstance('kvm', hvparams, { nics: [], ...overrides });
    instances.push([i, ctx]);
    return i;
  };

  before(async () => {
    hv = await kvm();
  });
  after(async () => {
    for (const [i, ctx] of instances) await hv.cleanup(i.name, { network: recordingNetwork() }, ctx).catch(() => undefined);
    for (const n of nodes) await n.cleanup();
  });

  test('the command line comes from the typed model: TCG, or KVM with a host CPU (golden)', () => {
    const i = testInstance('kvm', {}, { nics: [] });
    const files = { pid: '/r/pid/x', qmp: '/r/ctrl/x.qmp', serial: '/r/ctrl/x.serial', serialLog: '/r/ctrl/x.serial.log' };
    const disk: HvDisk = { uuid: 'abcdef01-0000-4000-8000-000000000000', name: null, iv_name: 'disk/0', dev_type: 'plain', size: 10, mode: 'rw', access: 'kernelspace', dev_path: '/dev/xenvg/a,b', uri: null };
    const tcg = kvmArgv(kvmCommand(i, [disk], { kvm_path: '/usr/bin/kvm', kvm_flag: 'disabled', kernel_path: '/boot/vmlinuz', kernel_args: 'ro', root_path: '/dev/vda1', serial_console: true, serial_speed: 38400, disk_aio: 'threads', disk_cache: 'default' }, files, { memory: 128, taps: [] }));
    assert.deepEqual(tcg, [
      '/usr/bin/kvm', '-name', i.name, '-uuid', i.uuid, '-machine', 'q35', '-accel', 'tcg', '-smp', '1', '-m', '128', '-pidfile', '/r/pid/x', '-daemonize',
      '-qmp', 'unix:/r/ctrl/x.qmp,server=on,wait=off', '-chardev', 'socket,id=serial0,path=/r/ctrl/x.serial,server=on,wait=off,logfile=/r/ctrl/x.serial.log',
      '-serial', 'chardev:serial0', '-display', 'none', '-kernel', '/boot/vmlinuz', '-append', 'ro root=/dev/vda1 console=ttyS0,38400',
      '-drive', 'file=/dev/xenvg/a,,b,format=raw,if=none,id=disk0-abcdef01,aio=threads', '-S', '-device', 'virtio-blk-pci,drive=disk0-abcdef01,id=dev-disk0-abcdef01',
    ]);
    const nic = { ...testInstance('kvm').nics[0]!, uuid: '12345678-0000-4000-8000-000000000000' };
    const withKvm = kvmArgv(kvmCommand({ ...i, nics: [nic] }, [], { kvm_path: '/usr/bin/kvm', kvm_flag: 'enabled', cpu_type: 'host', vhost_net: true, serial_console: false, boot_order: 'disk', acpi: false, reboot_behavior: 'exit' }, files, { memory: 256, taps: ['gnt1.0'], incoming: 'tcp:10.0.0.2:8102' }));
    assert.deepEqual(withKvm.slice(5, 12), ['-machine', 'q35', '-enable-kvm', '-cpu', 'host', '-smp', '1']);
    assert.ok(withKvm.includes('-no-acpi') && withKvm.includes('-no-reboot'));
    assert.deepEqual(withKvm.slice(withKvm.indexOf('-netdev'), withKvm.indexOf('-netdev') + 2), ['-netdev', 'tap,id=nic0-12345678,ifname=gnt1.0,script=no,downscript=no,vhost=on']);
    assert.deepEqual(withKvm.slice(withKvm.indexOf('-incoming'), withKvm.indexOf('-incoming') + 2), ['-incoming', 'tcp:10.0.0.2:8102']);
    assert.ok(withKvm.includes(`virtio-net-pci,netdev=nic0-12345678,mac=${nic.mac},id=dev-nic0-12345678`));
  });

  test('the guest boots under TCG, ticks on its serial console, answers QMP, and powers off on the ACPI button', async () => {
    const { ctx, root, disks, hvparams } = await node();
    const i = inst(hvparams!, ctx);
    await hv.start(i, disks!, { paused: false, network: recordingNetwork() }, ctx);
    await waitFor(async () => (await ticks(root, i.name)).length >= 2, 30_000, 'the guest to tick');
    assert.match(await logText(root, i.name), /HELLO-FROM-GUEST mode=wait/);
    // the disk is attached to the machine (the guest's own view of it may come later)
    const blocks = await qmp<{ device: string; qdev?: string; inserted?: { file: string } }[]>(join(root, 'var/run/ganeti/kvm-hypervisor/ctrl', `${i.name}.qmp`), 'query-block');
    assert.ok(blocks.some((b) => b.inserted?.file === disks![0]!.dev_path), JSON.stringify(blocks));
    const info = await hv.instanceInfo(i.name, hvparams!, ctx);
    assert.equal(info?.state, 'running');
    assert.equal(info?.memory, 128);
    assert.ok((info?.time ?? 0) > 0, 'it used CPU time');
    const pid = Number(info?.id);
    await hv.stop(i, { force: false, timeoutMs: 20_000, network: recordingNetwork() }, ctx);
    assert.match(await logText(root, i.name), /GUEST-GOT-POWERBUTTON/);
    const state = await readFile(`/proc/${pid}/stat`, 'utf8').then((t) => t.slice(t.lastIndexOf(')') + 2, t.lastIndexOf(')') + 3), () => 'gone');
    assert.ok(state === 'gone' || state === 'Z', `qemu exited (state ${state})`);
    assert.deepEqual(await hv.listInstances(hvparams!, ctx), []);
  });

  test('a soft stop the guest ignores times out with a clear error; a forced stop then kills it', async () => {
    const { ctx, disks, hvparams } = await node();
    const i = inst(hvparams!, ctx);
    await hv.start(i, disks!, { paused: true, network: recordingNetwork() }, ctx); // paused: nothing hears the button
    await assert.rejects(hv.stop(i, { force: false, timeoutMs: 1500, network: recordingNetwork() }, ctx), (e: unknown) => hasCode('GNT_HV_FAILED')(e) && /did not power off within 2 s/.test((e as Error).message));
    assert.deepEqual(await hv.listInstances(hvparams!, ctx), [i.name]);
    await hv.stop(i, { force: true, timeoutMs: 0, network: recordingNetwork() }, ctx);
    assert.deepEqual(await hv.listInstances(hvparams!, ctx), []);
  });

  test('a qemu that dies is seen as not running, and cleanup removes what it left', async () => {
    const { ctx, root, disks, hvparams } = await node();
    const i = inst(hvparams!, ctx);
    await hv.start(i, disks!, { paused: true, network: recordingNetwork() }, ctx);
    const pid = Number((await hv.instanceInfo(i.name, hvparams!, ctx))?.id);
    process.kill(pid, 'SIGKILL');
    await waitFor(async () => (await hv.listInstances(hvparams!, ctx)).length === 0, 5000, 'qemu to be seen dead');
    assert.equal(await hv.instanceInfo(i.name, hvparams!, ctx), null);
    await hv.cleanup(i.name, { network: recordingNetwork() }, ctx);
    const dir = join(root, 'var/run/ganeti/kvm-hypervisor');
    for (const f of [`pid/${i.name}`, `ctrl/${i.name}.qmp`, `conf/${i.name}.runtime`]) assert.equal(existsSync(join(dir, f)), false, f);
  });

  test('live migration between two nodes over loopback: the guest keeps counting on the target', async () => {
    const src = await node('node1.example.com');
    const dst = await node('node2.example.com');
    const hvp = { ...src.hvparams!, migration_port: src.hvparams!['migration_port'] };
    const i = inst(hvp, src.ctx);
    instances.push([i, dst.ctx]);
    await hv.start(i, src.disks!, { paused: false, network: recordingNetwork() }, src.ctx);
    await waitFor(async () => (await ticks(src.root, i.name)).length >= 2, 30_000, 'the guest to tick');
    const m = hv.migration!;
    const info = await m.migrationInfo(i, src.ctx);
    await m.acceptInstance(i, info, src.disks!, { network: recordingNetwork(), address: '127.0.0.1' }, dst.ctx);
    await m.migrate('cluster', i, { node: 'node2.example.com', ip: '127.0.0.1' }, true, src.ctx);
    let status = await m.migrationStatus(i, src.ctx);
    while (status.status === 'active') {
      await new Promise((r) => setTimeout(r, 100));
      status = await m.migrationStatus(i, src.ctx);
    }
    assert.equal(status.status, 'completed');
    assert.ok((status.total_ram ?? 0) >= 128 * 1024 * 1024 * 0.9);
    const lastOnSource = Math.max(...(await ticks(src.root, i.name)));
    await m.finalizeMigrationDst(i, info, true, { network: recordingNetwork() }, dst.ctx);
    await m.finalizeMigrationSource(i, true, true, { network: recordingNetwork() }, src.ctx);
    assert.deepEqual(await hv.listInstances(hvp, src.ctx), []);
    assert.deepEqual(await hv.listInstances(hvp, dst.ctx), [i.name]);
    await waitFor(async () => (await ticks(dst.root, i.name)).some((t) => t > lastOnSource), 15_000, 'the guest to tick on the target');
    assert.equal((await ticks(dst.root, i.name)).some((t) => t === 1), false, 'it did not boot again: the counter carried on');
    await hv.stop(i, { force: true, timeoutMs: 0, network: recordingNetwork() }, dst.ctx);
  });

  test('a qemu that lacks a device the command needs is refused before it starts, naming the device', async () => {
    const { ctx, root, disks, hvparams } = await node();
    // the installed qemu, with virtio-blk-pci left out of its device list (as if renamed by an upgrade)
    const wrapper = join(root, 'qemu-without-virtio-blk');
    await writeFile(wrapper, `#!/bin/sh\nif [ "$1" = "-device" ] && [ "$2" = "help" ]; then ${(guest as Guest).qemu} -device help | grep -v '"virtio-blk-pci"'; exit 0; fi\nexec ${(guest as Guest).qemu} "$@"\n`);
    await chmod(wrapper, 0o755);
    const i = inst({ ...hvparams!, kvm_path: wrapper }, ctx);
    await assert.rejects(hv.start(i, disks!, { paused: false, network: recordingNetwork() }, ctx), (e: unknown) =>
      hasCode('GNT_KVM_QEMU_UNSUPPORTED')(e) && (e as Error).message.includes(`the installed qemu (${wrapper}) cannot provide device virtio-blk-pci`));
    assert.deepEqual(await hv.listInstances({}, ctx), []);
  });

  test('a qemu whose QMP lacks a command the plugin sends is refused, naming the command', async () => {
    // what a QMP server of an older qemu could answer (the plugin's reaction is what is tested)
    const lacking = { execute: async <T>() => [{ name: 'cont' }, { name: 'quit' }, { name: 'query-status' }] as T };
    await assert.rejects(checkQmpCommands(lacking, '/usr/bin/old-qemu'), (e: unknown) => hasCode('GNT_KVM_QEMU_UNSUPPORTED')(e) && /QMP command stop: its query-commands does not list it/.test((e as Error).message));
    // the installed qemu has them all: a real start checked it (an earlier test started one)
    const full = { execute: async <T>() => QMP_COMMANDS_USED.map((name) => ({ name })) as T };
    await checkQmpCommands(full, '/usr/bin/new-qemu');
  });

  test('parameters: unknown ones refused by the schema, unimplemented ones refused when set', () => {
    assert.throws(() => hv.checkParamsSyntax!({ spice_bind: '0.0.0.0' }), hasCode('GNT_KVM_PARAM_UNSUPPORTED'));
    assert.doesNotThrow(() => hv.checkParamsSyntax!({ spice_bind: '', kvm_flag: 'disabled' }));
    assert.throws(() => hv.checkParamsSyntax!({ initrd_path: '/x', kernel_path: '' }), hasCode('GNT_PARAM_INVALID'));
  });
});
