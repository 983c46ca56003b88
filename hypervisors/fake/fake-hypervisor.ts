/**
 * The fake hypervisor (Ganeti's hv_fake): instances are state files, nothing runs. It makes
 * every code path above the hypervisor testable on any machine, and it is the hypervisor of
 * the embedded default cluster. It keeps no memory between calls: the files are the truth,
 * so a restarted node daemon sees the same instances.
 */
import { access, constants, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  GanetiError,
  describeError,
  hostNodeInfo,
  type HvInstance,
  type HvInstanceInfo,
  type HvNodeInfo,
  type HypervisorProvider,
  type Params,
  type ParamsSchema,
  type ProviderContext,
} from '../../core/index.js';
import { fakeMigration } from './migration.js';
import { attachNics, connectAll, disconnectAll } from './nics.js';
import {
  HV_NAME,
  incomingPath,
  listStates,
  readState,
  removeState,
  runningState,
  stateDir,
  statePath,
  writeState,
  type FakeInstanceState,
} from './state-files.js';

export const FAKE_PARAMS: ParamsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    migration_mode: {
      type: 'string',
      enum: ['live', 'non-live'],
      default: 'live',
      description: 'Migration mode: live (the instance keeps running while it moves) or non-live (it is paused meanwhile)',
    },
  },
};

const now = (): string => new Date().toISOString();

const info = (s: FakeInstanceState): HvInstanceInfo => ({
  name: s.name,
  id: null,
  memory: s.memory,
  vcpus: s.vcpus,
  state: s.state,
  // Nothing runs, so no CPU time is used (Ganeti's fake reports 0 as well).
  time: 0,
});

async function allInfo(ctx: ProviderContext): Promise<HvInstanceInfo[]> {
  const states = await Promise.all((await listStates(ctx.paths)).map((name) => readState(statePath(ctx.paths, name))));
  // A file may vanish between the listing and the read (a concurrent stop): skip it.
  return states.filter((s): s is FakeInstanceState => s !== null).map(info);
}

/** As Ganeti's fake: the host's free memory minus what the fake instances "use". */
async function nodeInfo(ctx: ProviderContext): Promise<HvNodeInfo> {
  const node = await hostNodeInfo(HV_NAME);
  const used = (await allInfo(ctx)).reduce((sum, i) => sum + i.memory, 0);
  return { ...node, memory_free: node.memory_free - Math.min(node.memory_free, used) };
}

/** Ganeti's _InstanceStartupMemory: maxmem if the node has it free, never below minmem. */
async function startupMemory(instance: HvInstance, ctx: ProviderContext): Promise<number> {
  const free = (await nodeInfo(ctx)).memory_free;
  return Math.max(instance.beparams.minmem, Math.min(instance.beparams.maxmem, free));
}

export const fakeHypervisor: HypervisorProvider = {
  description: "Ganeti's fake hypervisor: instances are state files under the run dir, nothing runs (testing, demos)",
  params: FAKE_PARAMS,
  canMigrate: true,
  migration: fakeMigration,

  async start(instance, disks, opts, ctx) {
    // The core holds the instance lock, so no second start can race between check and write.
    if (await readState(statePath(ctx.paths, instance.name)))
      throw new GanetiError('GNT_HV_INSTANCE_RUNNING', { hypervisor: HV_NAME, instance: instance.name, node: ctx.nodeName });
    const nics = attachNics(instance);
    const state: FakeInstanceState = {
      name: instance.name,
      uuid: instance.uuid,
      memory: await startupMemory(instance, ctx),
      vcpus: instance.beparams.vcpus,
      state: 'running',
      paused: opts.paused,
      started: now(),
      reboots: 0,
      rebooted: null,
      disks: [...disks],
      nics,
    };
    // NICs are connected before the "guest runs" (the state file appears), as the contract asks.
    await connectAll(opts.network, nics);
    try {
      await writeState(statePath(ctx.paths, instance.name), state);
    } catch (e) {
      await disconnectAll(opts.network, nics).catch(() => undefined);
      throw e;
    }
    ctx.log.info(`fake instance ${instance.name} started with ${state.memory} MiB`);
  },

  async stop(instance, opts, ctx) {
    const path = statePath(ctx.paths, instance.name);
    const state = await readState(path);
    if (!state) return;
    try {
      await disconnectAll(opts.network, state.nics);
    } catch (e) {
      // A soft stop fails with the instance still running; a forced one kills it regardless.
      if (!opts.force) throw e;
      ctx.log.warn(`fake instance ${instance.name}: NIC disconnect failed during forced stop: ${describeError(e)}`);
    }
    await removeState(path);
    ctx.log.info(`fake instance ${instance.name} stopped`);
  },

  async cleanup(instanceName, _opts, ctx) {
    // A stopped fake instance leaves nothing behind but, after an aborted migration, an
    // incoming marker; its NICs were disconnected by finalizeMigrationDst.
    await removeState(incomingPath(ctx.paths, instanceName));
  },

  async reboot(instance, ctx) {
    const state = await runningState(instance.name, ctx);
    // The "guest" restarts, the "hypervisor process" (the file) stays: count it.
    await writeState(statePath(ctx.paths, instance.name), { ...state, paused: false, reboots: state.reboots + 1, rebooted: now() });
  },

  listInstances: (_hvparams: Params, ctx) => listStates(ctx.paths),

  async instanceInfo(instanceName, _hvparams, ctx) {
    const state = await readState(statePath(ctx.paths, instanceName));
    return state && info(state);
  },

  allInstancesInfo: (_hvparams, ctx) => allInfo(ctx),

  nodeInfo: (_hvparams, ctx) => nodeInfo(ctx),

  async console(instance) {
    return { instance: instance.name, kind: 'msg', message: 'Console not available for fake hypervisor' };
  },

  async verifyNode(_hvparams, ctx) {
    // Ganeti creates the folder when the hypervisor is first used; check it can be written.
    const dir = stateDir(ctx.paths);
    const probe = join(dir, `.verify-${process.pid}`);
    try {
      await mkdir(dir, { recursive: true });
      await access(dir, constants.W_OK | constants.X_OK);
      await writeFile(probe, '');
      await rm(probe, { force: true });
      return null;
    } catch (e) {
      return `The fake hypervisor's state directory '${dir}' is not writable: ${describeError(e)}`;
    }
  },

  async balloonMemory(instance, memory, ctx) {
    if (!Number.isInteger(memory) || memory <= 0)
      throw new GanetiError('GNT_PARAM_INVALID', { owner: `instance '${instance.name}'`, param: 'memory', problem: `must be a positive number of MiB, not ${memory}` });
    const state = await runningState(instance.name, ctx);
    await writeState(statePath(ctx.paths, instance.name), { ...state, memory });
  },
};
