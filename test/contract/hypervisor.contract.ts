/**
 * What every hypervisor provider must do, as a reusable suite: run it against each
 * implementation (`hypervisor-<name>.test.ts`) with a fixture that gives it a node to run on.
 * The suite stops what it started; the fixture's cleanup removes the rest.
 */
import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { GanetiError } from '../../core/errors/index.js';
import type { AttachedNic, HvDisk, HvInstance, HvNic, HypervisorProvider, NicConnector } from '../../core/contracts/hypervisor.js';
import type { ProviderContext } from '../../core/contracts/context.js';
import type { Params } from '../../core/contracts/params.js';

export interface HypervisorFixture {
  readonly ctx: ProviderContext;
  /** Filled hvparams for the suite's instances; default `{}`. */
  readonly hvparams?: Params;
  /** Disks the suite's instances boot on; default none. */
  readonly disks?: readonly HvDisk[];
  /** The hypervisor gives instances no interfaces of their own (chroot): it must refuse NICs. */
  readonly noNics?: boolean;
  /** Removes everything the fixture made (temp roots, processes). */
  cleanup(): Promise<void>;
}

/** A NicConnector that records what the hypervisor asked of the network side. */
export interface RecordingNetwork extends NicConnector {
  readonly calls: { op: 'connect' | 'disconnect'; iface: string; index: number }[];
  /** Makes `connect` of NIC `index` throw. */
  failConnect?: number;
}

export function recordingNetwork(): RecordingNetwork {
  const net: RecordingNetwork = {
    calls: [],
    async connect(nic: AttachedNic) {
      if (net.failConnect === nic.index) throw new Error(`connect of ${nic.iface} refused by the test`);
      net.calls.push({ op: 'connect', iface: nic.iface, index: nic.index });
    },
    async disconnect(nic: AttachedNic) {
      net.calls.push({ op: 'disconnect', iface: nic.iface, index: nic.index });
    },
  };
  return net;
}

let serial = 0;

/** A NIC in bridged mode on a bridge that need not exist (the connector is a recorder). */
export function testNic(index: number): HvNic {
  const mac = `aa:00:00:00:00:${index.toString(16).padStart(2, '0')}`;
  const nicparams = { mode: 'bridged', link: 'br-test', vlan: '' };
  return { uuid: `00000000-0000-4000-8000-0000000000${index.toString().padStart(2, '0')}`, name: null, mac, ip: null, ...nicparams, nicparams, network: null };
}

/** A runtime instance with a unique name; `overrides` replace top-level fields. */
export function testInstance(hypervisor: string, hvparams: Params = {}, overrides: Partial<HvInstance> = {}): HvInstance {
  const n = ++serial;
  const hex = (process.pid * 1000 + n).toString(16).padStart(8, '0').slice(-8);
  return {
    name: `contract-${process.pid}-${n}.example.com`,
    uuid: `${hex}-0000-4000-8000-${n.toString().padStart(12, '0')}`,
    hypervisor,
    os: 'debootstrap+default',
    primary_node: 'node1.example.com',
    secondary_nodes: [],
    hvparams,
    beparams: { maxmem: 128, minmem: 64, vcpus: 1, auto_balance: true, always_failover: false, spindle_use: 1 },
    nics: [testNic(0)],
    network_port: null,
    admin_state: 'up',
    admin_state_source: 'admin',
    tags: [],
    ...overrides,
  };
}

const isGanetiError = (e: unknown): boolean => e instanceof GanetiError;

export function hypervisorContract(
  name: string,
  makeProvider: () => HypervisorProvider | Promise<HypervisorProvider>,
  makeCtx: () => Promise<HypervisorFixture>,
): void {
  describe(`hypervisor contract: ${name}`, () => {
    let hv: HypervisorProvider;
    let fx: HypervisorFixture;
    let started: HvInstance[];

    const hvparams = () => fx.hvparams ?? {};
    /** A test instance; without NICs for hypervisors that take none. */
    const mk = (o: Partial<HvInstance> = {}) => testInstance(name, hvparams(), { ...(fx.noNics ? { nics: [] } : {}), ...o });
    const start = async (inst: HvInstance, net: NicConnector = recordingNetwork()) => {
      started.push(inst);
      await hv.start(inst, fx.disks ?? [], { paused: false, network: net }, fx.ctx);
    };
    const stop = (inst: HvInstance, net: NicConnector = recordingNetwork()) =>
      hv.stop(inst, { force: true, timeoutMs: 10_000, network: net }, fx.ctx);

    beforeEach(async () => {
      hv = await makeProvider();
      fx = await makeCtx();
      started = [];
    });

    afterEach(async () => {
      try {
        for (const inst of started) {
          await stop(inst).catch(() => undefined);
          await hv.cleanup(inst.name, { network: recordingNetwork() }, fx.ctx).catch(() => undefined);
        }
      } finally {
        await fx.cleanup();
      }
    });

    test('declares its parameters as an object schema refusing unknown ones', () => {
      assert.equal(hv.params.type, 'object');
      assert.equal(typeof hv.params.properties, 'object');
      assert.ok(hv.params.additionalProperties === undefined || hv.params.additionalProperties === false);
    });

    test('has migration methods exactly when it can migrate', () => {
      assert.equal(hv.migration !== undefined, hv.canMigrate);
      if (hv.migration) {
        for (const m of ['migrationInfo', 'acceptInstance', 'migrate', 'migrationStatus', 'finalizeMigrationDst', 'finalizeMigrationSource'] as const)
          assert.equal(typeof hv.migration[m], 'function', m);
      }
    });

    test('verifyNode returns null on a good node', async () => {
      assert.equal(await hv.verifyNode(hvparams(), fx.ctx), null);
    });

    test('nodeInfo reports memory and CPUs as numbers', async () => {
      const info = await hv.nodeInfo(hvparams(), fx.ctx);
      for (const key of ['memory_total', 'memory_free', 'cpu_total'] as const) {
        assert.equal(typeof info[key], 'number', key);
        assert.ok(Number.isFinite(info[key]) && info[key] >= 0, key);
      }
      assert.ok(info.cpu_total >= 1);
      assert.ok(info.memory_free <= info.memory_total);
    });

    test('an instance that was never started is not listed and has no info', async () => {
      const inst = mk();
      assert.ok(!(await hv.listInstances(hvparams(), fx.ctx)).includes(inst.name));
      assert.equal(await hv.instanceInfo(inst.name, hvparams(), fx.ctx), null);
    });

    test('start: the instance is listed and its info says running', async () => {
      const inst = mk();
      await start(inst);
      assert.ok((await hv.listInstances(hvparams(), fx.ctx)).includes(inst.name));
      const info = await hv.instanceInfo(inst.name, hvparams(), fx.ctx);
      assert.ok(info);
      assert.equal(info.name, inst.name);
      assert.equal(info.state, 'running');
      assert.ok(info.memory >= inst.beparams.minmem && info.memory <= inst.beparams.maxmem, `memory ${info.memory}`);
      assert.equal(info.vcpus, inst.beparams.vcpus);
      const all = await hv.allInstancesInfo(hvparams(), fx.ctx);
      // the same instance, as far as it does not change between two calls (CPU time runs on)
      const steady = (i: typeof info | undefined) => (i ? { ...i, time: 0 } : i);
      assert.deepEqual(steady(all.find((i) => i.name === inst.name)), steady(info));
    });

    test('start connects each NIC through the network connector, stop disconnects it', async () => {
      const inst = mk({ nics: [testNic(0), testNic(1)] });
      const net = recordingNetwork();
      if (fx.noNics) {
        await assert.rejects(start(inst, net), isGanetiError);
        assert.ok(!(await hv.listInstances(hvparams(), fx.ctx)).includes(inst.name));
        return;
      }
      await start(inst, net);
      const connects = net.calls.filter((c) => c.op === 'connect');
      assert.deepEqual(connects.map((c) => c.index), [0, 1]);
      assert.ok(connects.every((c) => c.iface.length > 0 && c.iface.length <= 15), 'interface names fit IFNAMSIZ');
      assert.notEqual(connects[0]!.iface, connects[1]!.iface);
      await stop(inst, net);
      const disconnects = net.calls.filter((c) => c.op === 'disconnect');
      assert.deepEqual(disconnects.map((c) => c.iface).sort(), connects.map((c) => c.iface).sort());
    });

    test('a NIC that fails to connect fails the start and leaves the instance stopped', async () => {
      const inst = mk({ nics: [testNic(0), testNic(1)] });
      const net = recordingNetwork();
      net.failConnect = fx.noNics ? -1 : 1;
      await assert.rejects(start(inst, net));
      await hv.cleanup(inst.name, { network: net }, fx.ctx);
      assert.ok(!(await hv.listInstances(hvparams(), fx.ctx)).includes(inst.name));
      const connected = net.calls.filter((c) => c.op === 'connect').map((c) => c.iface);
      const disconnected = net.calls.filter((c) => c.op === 'disconnect').map((c) => c.iface);
      for (const iface of connected) assert.ok(disconnected.includes(iface), `${iface} was left connected`);
    });

    test('starting a running instance is refused with a GanetiError', async () => {
      const inst = mk();
      await start(inst);
      await assert.rejects(start(inst), isGanetiError);
      assert.equal((await hv.instanceInfo(inst.name, hvparams(), fx.ctx))?.state, 'running');
    });

    test('stop: the instance is no longer listed', async () => {
      const inst = mk();
      await start(inst);
      await stop(inst);
      assert.ok(!(await hv.listInstances(hvparams(), fx.ctx)).includes(inst.name));
      assert.equal(await hv.instanceInfo(inst.name, hvparams(), fx.ctx), null);
      await hv.cleanup(inst.name, { network: recordingNetwork() }, fx.ctx);
    });

    test('stopping a stopped instance resolves, soft or forced', async () => {
      const inst = mk();
      await hv.stop(inst, { force: false, timeoutMs: 1000, network: recordingNetwork() }, fx.ctx);
      await stop(inst);
    });

    test('cleanup is idempotent', async () => {
      const inst = mk();
      await hv.cleanup(inst.name, { network: recordingNetwork() }, fx.ctx);
      await hv.cleanup(inst.name, { network: recordingNetwork() }, fx.ctx);
    });

    test('a stopped instance can start again', async () => {
      const inst = mk();
      await start(inst);
      await stop(inst);
      await hv.cleanup(inst.name, { network: recordingNetwork() }, fx.ctx);
      await start(inst);
      assert.equal((await hv.instanceInfo(inst.name, hvparams(), fx.ctx))?.state, 'running');
    });

    test('reboot keeps the instance running', async () => {
      const inst = mk();
      await start(inst);
      await hv.reboot(inst, fx.ctx);
      assert.ok((await hv.listInstances(hvparams(), fx.ctx)).includes(inst.name));
      assert.equal((await hv.instanceInfo(inst.name, hvparams(), fx.ctx))?.state, 'running');
    });

    test('console of a running instance says how to reach it, or why not', async () => {
      const inst = mk();
      await start(inst);
      const target = { primary_node: inst.primary_node, primary_ip: '127.0.0.1', ssh_port: 22, node_group: 'default', paths: fx.ctx.paths };
      const cons = await hv.console(inst, target, fx.ctx);
      assert.equal(cons.instance, inst.name);
      assert.ok(['ssh', 'vnc', 'spice', 'msg'].includes(cons.kind));
      if (cons.kind === 'msg') assert.ok(cons.message);
    });
  });
}
