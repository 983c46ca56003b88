import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GanetiError } from '../../core/errors/index.js';
import { boundRunner } from '../../core/exec/index.js';
import { ganetiPaths } from '../../core/paths.js';
import { memoryLogger } from '../../core/log.js';
import { PluginHost, builtinSpecs } from '../../core/plugin-host/index.js';
import type { HvDisk, HypervisorProvider } from '../../core/contracts/hypervisor.js';
import type { ProviderContext } from '../../core/contracts/context.js';
import { hypervisorContract, recordingNetwork, testInstance, testNic, type HypervisorFixture } from './hypervisor.contract.js';

// The provider as the node daemon gets it: loaded through the real plugin loader.
let hostPromise: Promise<PluginHost> | undefined;
const loadHost = (): Promise<PluginHost> =>
  (hostPromise ??= (async () => {
    const host = new PluginHost({ paths: ganetiPaths(tmpdir()), logFor: () => memoryLogger() });
    await host.load(builtinSpecs(['hypervisors/fake']));
    return host;
  })());
const fake = async (): Promise<HypervisorProvider> => (await loadHost()).hypervisors.get('fake');

/** A node with its own root under a fresh temp dir. */
async function makeNode(nodeName = 'node1.example.com'): Promise<HypervisorFixture & { root: string; ctx: ProviderContext }> {
  const root = await mkdtemp(join(tmpdir(), 'gnt-fake-hv-'));
  const abort = new AbortController();
  const ctx: ProviderContext = { signal: abort.signal, run: boundRunner(abort.signal), log: memoryLogger(), paths: ganetiPaths(root), nodeName };
  return {
    root,
    ctx,
    hvparams: { migration_mode: 'live' },
    async cleanup() {
      abort.abort();
      await rm(root, { recursive: true, force: true });
    },
  };
}

hypervisorContract('fake', fake, () => makeNode());

const net = () => recordingNetwork();
const stateDir = (ctx: ProviderContext) => join(ctx.paths.runDir, 'fake-hv');
const readStateFile = async (ctx: ProviderContext, name: string) =>
  JSON.parse(await readFile(join(stateDir(ctx), `${name}.json`), 'utf8')) as Record<string, unknown>;
const hasCode = (code: string) => (e: unknown) => e instanceof GanetiError && e.code === code;

describe('fake hypervisor', () => {
  let hv: HypervisorProvider;
  const nodes: { cleanup(): Promise<void> }[] = [];
  const node = async (name?: string) => {
    const n = await makeNode(name);
    nodes.push(n);
    return n;
  };

  before(async () => {
    hv = await fake();
  });
  after(async () => {
    for (const n of nodes) await n.cleanup();
  });

  test('the built-in plugin registers `fake` with a described migration_mode parameter', async () => {
    const host = await loadHost();
    assert.deepEqual(host.errors, []);
    const plugin = host.plugins.find((p) => p.name === 'builtin:hypervisors/fake');
    assert.ok(plugin?.builtin);
    assert.deepEqual(plugin.provides, [{ kind: 'hypervisor', name: 'fake' }]);
    const entry = host.hypervisors.entry('fake');
    assert.ok(entry.description);
    assert.deepEqual(entry.paramNames, ['migration_mode']);
    const mode = hv.params.properties['migration_mode']!;
    assert.deepEqual(mode['enum'], ['live', 'non-live']);
    assert.equal(mode['default'], 'live');
    assert.ok(mode.description);
    assert.deepEqual(host.hypervisors.validateParams('fake', { migration_mode: 'non-live' }), { migration_mode: 'non-live' });
    assert.throws(() => host.hypervisors.validateParams('fake', { migration_mode: 'teleport' }), hasCode('GNT_PARAM_INVALID'));
    assert.throws(() => host.hypervisors.validateParams('fake', { kernel_path: '/boot/vmlinuz' }), hasCode('GNT_PARAM_UNKNOWN'));
  });

  test('start writes a JSON state file with the instance, its disks and its NICs', async () => {
    const { ctx } = await node();
    const inst = testInstance('fake', {}, { nics: [testNic(0), testNic(1)], beparams: { ...testInstance('fake').beparams, vcpus: 2 } });
    const disk: HvDisk = {
      uuid: 'd1', name: null, iv_name: 'disk/0', dev_type: 'file', size: 10, mode: 'rw', access: 'kernelspace', dev_path: '/srv/x/disk0', uri: null,
    };
    const before = Date.now();
    await hv.start(inst, [disk], { paused: true, network: net() }, ctx);
    const s = await readStateFile(ctx, inst.name);
    assert.equal(s['name'], inst.name);
    assert.equal(s['uuid'], inst.uuid);
    assert.equal(s['memory'], 128);
    assert.equal(s['vcpus'], 2);
    assert.equal(s['state'], 'running');
    assert.equal(s['paused'], true);
    assert.ok(Date.parse(s['started'] as string) >= before - 1000);
    assert.equal(s['reboots'], 0);
    assert.deepEqual(s['disks'], [disk]);
    const nics = s['nics'] as { mac: string; iface: string; index: number }[];
    assert.deepEqual(nics.map((n) => [n.index, n.mac]), [[0, inst.nics[0]!.mac], [1, inst.nics[1]!.mac]]);
    // Nothing but the state file (no temp files) is left in the folder.
    assert.deepEqual(await readdir(stateDir(ctx)), [`${inst.name}.json`]);
  });

  test('startup memory is at least minmem, and nodeInfo subtracts what instances use', async () => {
    const { ctx } = await node();
    const huge = 1024 * 1024 * 1024; // 1 PiB in MiB: more than any node has free
    const inst = testInstance('fake', {}, { beparams: { ...testInstance('fake').beparams, minmem: huge, maxmem: huge } });
    await hv.start(inst, [], { paused: false, network: net() }, ctx);
    assert.equal((await hv.instanceInfo(inst.name, {}, ctx))?.memory, huge);
    const info = await hv.nodeInfo({}, ctx);
    assert.equal(info.memory_free, 0);
    assert.equal(info.cpu_nodes, 1);
    assert.equal(info.cpu_dom0, 0);
    assert.equal(typeof info.memory_dom0, 'number');
  });

  test('reboot counts reboots; rebooting a stopped instance is refused', async () => {
    const { ctx } = await node();
    const inst = testInstance('fake');
    await assert.rejects(hv.reboot(inst, ctx), hasCode('GNT_HV_INSTANCE_NOT_RUNNING'));
    await hv.start(inst, [], { paused: true, network: net() }, ctx);
    await hv.reboot(inst, ctx);
    await hv.reboot(inst, ctx);
    const s = await readStateFile(ctx, inst.name);
    assert.equal(s['reboots'], 2);
    assert.equal(s['paused'], false);
    assert.ok(Date.parse(s['rebooted'] as string) >= Date.parse(s['started'] as string));
  });

  test('a refused start names the plugin and the method', async () => {
    const { ctx } = await node();
    const inst = testInstance('fake');
    await hv.start(inst, [], { paused: false, network: net() }, ctx);
    await assert.rejects(hv.start(inst, [], { paused: false, network: net() }, ctx), (e: unknown) => {
      assert.ok(e instanceof GanetiError);
      assert.equal(e.code, 'GNT_HV_INSTANCE_RUNNING');
      assert.equal(e.plugin, 'builtin:hypervisors/fake');
      assert.equal(e.hook, 'hypervisor fake.start');
      assert.match(e.message, new RegExp(`'${inst.name}' is already running on node node1.example.com`));
      return true;
    });
  });

  test('balloonMemory changes the memory of a running instance only', async () => {
    const { ctx } = await node();
    const inst = testInstance('fake');
    await assert.rejects(hv.balloonMemory!(inst, 96, ctx), hasCode('GNT_HV_INSTANCE_NOT_RUNNING'));
    await hv.start(inst, [], { paused: false, network: net() }, ctx);
    await hv.balloonMemory!(inst, 96, ctx);
    assert.equal((await hv.instanceInfo(inst.name, {}, ctx))?.memory, 96);
    await assert.rejects(hv.balloonMemory!(inst, 0, ctx), hasCode('GNT_PARAM_INVALID'));
  });

  test('a guest that shut itself down is listed as shutdown until stopped', async () => {
    const { ctx } = await node();
    const inst = testInstance('fake');
    await hv.start(inst, [], { paused: false, network: net() }, ctx);
    const s = await readStateFile(ctx, inst.name);
    await writeFile(join(stateDir(ctx), `${inst.name}.json`), JSON.stringify({ ...s, state: 'shutdown' }));
    assert.deepEqual(await hv.listInstances({}, ctx), [inst.name]);
    assert.equal((await hv.instanceInfo(inst.name, {}, ctx))?.state, 'shutdown');
    await assert.rejects(hv.reboot(inst, ctx), hasCode('GNT_HV_INSTANCE_NOT_RUNNING'));
    await assert.rejects(hv.start(inst, [], { paused: false, network: net() }, ctx), hasCode('GNT_HV_INSTANCE_RUNNING'));
    await hv.stop(inst, { force: true, timeoutMs: 0, network: net() }, ctx);
    assert.deepEqual(await hv.listInstances({}, ctx), []);
  });

  test('listInstances ignores temp files, folders and foreign files; a corrupt state file is an error', async () => {
    const { ctx } = await node();
    const dir = stateDir(ctx);
    await mkdir(join(dir, 'incoming'), { recursive: true });
    await writeFile(join(dir, '.abc.tmp'), '{');
    await writeFile(join(dir, 'README'), 'not an instance');
    await writeFile(join(dir, 'broken.example.com.json'), '{"name": 1');
    assert.deepEqual(await hv.listInstances({}, ctx), ['broken.example.com']);
    await assert.rejects(hv.instanceInfo('broken.example.com', {}, ctx), hasCode('GNT_HV_FAILED'));
  });

  test('instance names that would leave the state folder are refused', async () => {
    const { ctx, root } = await node();
    const inst = testInstance('fake', {}, { name: '../../escape' });
    await assert.rejects(hv.start(inst, [], { paused: false, network: net() }, ctx), hasCode('GNT_HV_FAILED'));
    assert.deepEqual((await readdir(root, { recursive: true })).filter((f) => String(f).includes('escape')), []);
  });

  test('console is a message, as in Ganeti', async () => {
    const { ctx } = await node();
    const inst = testInstance('fake');
    const cons = await hv.console(inst, { primary_node: 'n', primary_ip: '127.0.0.1', ssh_port: 22, node_group: 'default', paths: ctx.paths }, ctx);
    assert.deepEqual(cons, { instance: inst.name, kind: 'msg', message: 'Console not available for fake hypervisor' });
  });

  test('verifyNode reports a state folder it cannot use', async () => {
    const { ctx } = await node();
    await mkdir(ctx.paths.runDir, { recursive: true });
    await writeFile(stateDir(ctx), 'a file where the folder should be');
    const problem = await hv.verifyNode({}, ctx);
    assert.match(problem ?? '', /fake-hv' is not writable/);
  });

  describe('migration between two nodes (two roots)', () => {
    const live = true;
    const setup = async () => {
      const src = await node('node1.example.com');
      const dst = await node('node2.example.com');
      const inst = testInstance('fake', { migration_mode: 'live' }, { nics: [testNic(0)] });
      const srcNet = net();
      await hv.start(inst, [], { paused: false, network: srcNet }, src.ctx);
      await hv.balloonMemory!(inst, 100, src.ctx);
      return { src: src.ctx, dst: dst.ctx, inst, srcNet, dstNet: net(), m: hv.migration! };
    };

    test('a successful migration moves the instance and its state', async () => {
      const { src, dst, inst, srcNet, dstNet, m } = await setup();
      const dstDisk: HvDisk = { uuid: 'd', name: null, iv_name: 'disk/0', dev_type: 'file', size: 1, mode: 'rw', access: 'kernelspace', dev_path: '/dst/disk', uri: null };

      const info = await m.migrationInfo(inst, src);
      await m.acceptInstance(inst, info, [dstDisk], { network: dstNet }, dst);
      const marker = JSON.parse(await readFile(join(stateDir(dst), 'incoming', `${inst.name}.json`), 'utf8')) as Record<string, unknown>;
      assert.equal(marker['memory'], 100);
      assert.deepEqual(marker['disks'], [dstDisk]);
      assert.deepEqual(await hv.listInstances({}, dst), [], 'an incoming instance is not running yet');
      assert.deepEqual(dstNet.calls.map((c) => c.op), ['connect']);

      await assert.rejects(m.migrationStatus(inst, src), hasCode('GNT_HV_NOT_MIGRATING'));
      await m.migrate('cluster', inst, { node: 'node2.example.com', ip: '127.0.1.2' }, live, src);
      const status = await m.migrationStatus(inst, src);
      assert.equal(status.status, 'completed');
      assert.equal(status.total_ram, 100 * 1024 * 1024);
      const record = (await readStateFile(src, inst.name))['migration'] as Record<string, unknown>;
      assert.deepEqual([record['target'], record['ip'], record['live']], ['node2.example.com', '127.0.1.2', true]);

      await m.finalizeMigrationDst(inst, info, true, { network: dstNet }, dst);
      await m.finalizeMigrationSource(inst, true, live, { network: srcNet }, src);
      assert.deepEqual(await hv.listInstances({}, src), []);
      assert.deepEqual(await hv.listInstances({}, dst), [inst.name]);
      assert.equal((await hv.instanceInfo(inst.name, {}, dst))?.memory, 100);
      const moved = await readStateFile(dst, inst.name);
      assert.equal(moved['migration'], undefined);
      assert.deepEqual(moved['disks'], [dstDisk]);
      assert.deepEqual(await readdir(join(stateDir(dst), 'incoming')), []);
      assert.deepEqual(srcNet.calls.map((c) => c.op), ['connect', 'disconnect']);
      // Finalizing again changes nothing.
      await m.finalizeMigrationDst(inst, info, true, { network: dstNet }, dst);
      await m.finalizeMigrationSource(inst, true, live, { network: srcNet }, src);
      assert.deepEqual(await hv.listInstances({}, dst), [inst.name]);
    });

    test('an aborted migration leaves the instance running on the source only', async () => {
      const { src, dst, inst, srcNet, dstNet, m } = await setup();
      const info = await m.migrationInfo(inst, src);
      await m.acceptInstance(inst, info, [], { network: dstNet }, dst);
      await m.migrate('cluster', inst, { node: 'node2.example.com', ip: '127.0.1.2' }, live, src);
      await m.finalizeMigrationDst(inst, info, false, { network: dstNet }, dst);
      await m.finalizeMigrationSource(inst, false, live, { network: srcNet }, src);
      assert.deepEqual(await hv.listInstances({}, dst), []);
      assert.deepEqual(await readdir(join(stateDir(dst), 'incoming')), []);
      assert.deepEqual(dstNet.calls.map((c) => c.op), ['connect', 'disconnect']);
      assert.deepEqual(await hv.listInstances({}, src), [inst.name]);
      assert.equal((await hv.instanceInfo(inst.name, {}, src))?.state, 'running');
      assert.deepEqual(srcNet.calls.map((c) => c.op), ['connect']);
      await assert.rejects(m.migrationStatus(inst, src), hasCode('GNT_HV_NOT_MIGRATING'));
    });

    test('the target refuses an instance it already runs, or info about another instance', async () => {
      const { src, dst, inst, m } = await setup();
      const info = await m.migrationInfo(inst, src);
      const other = testInstance('fake');
      await assert.rejects(m.acceptInstance(other, info, [], { network: net() }, dst), hasCode('GNT_HV_FAILED'));
      await assert.rejects(m.acceptInstance(inst, 'not json', [], { network: net() }, dst), hasCode('GNT_HV_FAILED'));
      await hv.start(inst, [], { paused: false, network: net() }, dst);
      await assert.rejects(m.acceptInstance(inst, info, [], { network: net() }, dst), hasCode('GNT_HV_INSTANCE_RUNNING'));
    });

    test('only a running instance can be described or sent', async () => {
      const { src, m } = await setup();
      const stopped = testInstance('fake');
      await assert.rejects(m.migrationInfo(stopped, src), hasCode('GNT_HV_INSTANCE_NOT_RUNNING'));
      await assert.rejects(m.migrate('cluster', stopped, { node: 'n2', ip: '127.0.1.2' }, true, src), hasCode('GNT_HV_INSTANCE_NOT_RUNNING'));
    });
  });
});
