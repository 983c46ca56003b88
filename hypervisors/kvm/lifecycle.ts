/**
 * Starting and tearing down a kvm instance's qemu: shared by start/stop and by the two ends
 * of a migration.
 */
import { access, constants } from 'node:fs/promises';
import {
  GanetiError,
  describeError,
  type HvDisk,
  type HvInstance,
  type HvNetworkOptions,
  type Params,
  type ProviderContext,
} from '../../core/index.js';
import { checkCommand, checkQmpCommands, qemuCapabilities } from './capabilities.js';
import { kvmArgv, kvmCommand } from './command-line.js';
import { KVM_PARAMS, checkKvmParams } from './params.js';
import { kill, sleep, waitGone } from './process.js';
import { QmpClient, qmp } from './qmp.js';
import { HV_NAME, ensureDirs, kvmFiles, livePid, readRuntime, removeRuntime, writeRuntime, type KvmRuntime } from './runtime-files.js';
import { attachedNics, connectNics, createTaps, deleteTaps, disconnectNics } from './taps.js';

export const failed = (action: string, reason: string) => new GanetiError('GNT_HV_FAILED', { hypervisor: HV_NAME, action, reason });

/** Waits until qemu's QMP socket answers (qemu daemonizes before it listens, but only just). */
export async function waitQmp(path: string, ms = 10_000): Promise<QmpClient> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await QmpClient.connect(path, 2000);
    } catch (e) {
      if (Date.now() > end) throw failed('reach the QMP socket', `${path}: ${describeError(e)}`);
      await sleep(25);
    }
  }
}

async function checkHost(inst: HvInstance, hv: Params): Promise<void> {
  const virtio = (hv['nic_type'] ?? 'paravirtual') === 'paravirtual';
  if (inst.nics.length && virtio && hv['vhost_net'] === true && !(await access('/dev/vhost-net', constants.R_OK | constants.W_OK).then(() => true, () => false)))
    throw new GanetiError('GNT_KVM_QEMU_UNSUPPORTED', { binary: String(hv['kvm_path']), what: 'vhost_net', reason: '/dev/vhost-net is missing on this node (set -H kvm:vhost_net=false)' });
}

export interface LaunchOptions {
  readonly paused: boolean;
  readonly incoming?: string;
  readonly memory?: number;
}

/**
 * Starts qemu for `inst` (or, with `incoming`, for the target of a migration): taps, the
 * checked command line, the runtime file, the NICs connected, then `cont` unless paused or
 * incoming. A failure kills what was started and removes what was made.
 */
export async function launch(inst: HvInstance, disks: readonly HvDisk[], net: HvNetworkOptions, o: LaunchOptions, ctx: ProviderContext): Promise<KvmRuntime> {
  if (await livePid(ctx.paths, inst.name)) throw new GanetiError('GNT_HV_INSTANCE_RUNNING', { hypervisor: HV_NAME, instance: inst.name, node: ctx.nodeName });
  const hv = { ...Object.fromEntries(Object.entries(KVM_PARAMS.properties).map(([k, s]) => [k, (s as { default: unknown }).default])), ...inst.hvparams };
  checkKvmParams(hv);
  await checkHost(inst, hv);
  const files = kvmFiles(ctx.paths, inst.name);
  await ensureDirs(ctx.paths, inst.name);
  await removeRuntime(ctx.paths, inst.name);
  const memory = o.memory ?? inst.beparams.maxmem;
  const taps = await createTaps(ctx, inst);
  const nics = attachedNics(inst, taps);
  let pid: number | null = null;
  try {
    const cmd = kvmCommand(inst, disks, hv, files, { memory, taps, ...(o.incoming ? { incoming: o.incoming } : {}) });
    checkCommand(cmd, await qemuCapabilities(ctx, cmd.binary));
    const argv = kvmArgv(cmd);
    const r = await ctx.run(argv, { timeoutMs: 60_000 });
    if (!r.ok) throw failed(`start instance '${inst.name}'`, r.all.trim().split('\n').slice(-10).join('\n') || `qemu exited with ${r.exitCode}`);
    pid = await livePid(ctx.paths, inst.name);
    if (pid === null) throw failed(`start instance '${inst.name}'`, 'qemu exited right after starting');
    const rt: KvmRuntime = { instance: inst, disks: [...disks], argv, taps, memory, started: new Date().toISOString() };
    await writeRuntime(ctx.paths, rt);
    const c = await waitQmp(files.qmp);
    try {
      await checkQmpCommands(c, cmd.binary);
      await connectNics(net.network, nics);
      if (!o.paused && !o.incoming) await c.execute('cont');
    } finally {
      c.close();
    }
    return rt;
  } catch (e) {
    if (pid !== null) {
      kill(pid, 'SIGKILL');
      await waitGone(pid, 5000);
    }
    await disconnectNics(net.network, nics);
    await deleteTaps(ctx, taps);
    await removeRuntime(ctx.paths, inst.name);
    throw e;
  }
}

/** Kills qemu (quit, then SIGKILL) and removes what the instance left; NICs disconnected. */
export async function destroy(name: string, net: HvNetworkOptions, ctx: ProviderContext): Promise<void> {
  const pid = await livePid(ctx.paths, name);
  if (pid !== null) {
    await qmp(kvmFiles(ctx.paths, name).qmp, 'quit').catch(() => undefined);
    if (!(await waitGone(pid, 2000))) {
      kill(pid, 'SIGKILL');
      if (!(await waitGone(pid, 5000))) throw failed(`kill instance '${name}'`, `qemu (pid ${pid}) survived SIGKILL`);
    }
  }
  const rt = await readRuntime(ctx.paths, name);
  if (rt) {
    await disconnectNics(net.network, attachedNics(rt.instance, rt.taps));
    await deleteTaps(ctx, rt.taps);
  }
  await removeRuntime(ctx.paths, name);
}

