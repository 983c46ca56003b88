/**
 * The kvm hypervisor: qemu driven over QMP (Ganeti's hv_kvm). Each instance is one
 * daemonized qemu process; its runtime files (runtime-files.ts) are the only state, so a
 * restarted node daemon sees the same instances. The command line comes from a typed model
 * (command-line.ts) checked against what the installed qemu says it supports
 * (capabilities.ts). qemu always starts with its CPUs stopped: the NICs are connected first,
 * then `cont`.
 */
import { access, constants } from 'node:fs/promises';
import {
  GanetiError,
  describeError,
  hostNodeInfo,
  type HvDisk,
  type HvInstance,
  type HvInstanceInfo,
  type HvNetworkOptions,
  type HypervisorProvider,
  type Params,
  type ProviderContext,
} from '../../core/index.js';
import { checkCommand, qemuCapabilities } from './capabilities.js';
import { kvmArgv, kvmCommand } from './command-line.js';
import { KVM_PARAMS, checkKvmParams } from './params.js';
import { cpuSeconds, kill, sleep, waitGone } from './process.js';
import { QmpClient, qmp } from './qmp.js';
import { HV_NAME, ensureDirs, knownInstances, kvmFiles, livePid, readRuntime, removeRuntime, writeRuntime, type KvmRuntime } from './runtime-files.js';
import { attachedNics, connectNics, createTaps, deleteTaps, disconnectNics } from './taps.js';
import { kvmMigration } from './migration.js';

const failed = (action: string, reason: string) => new GanetiError('GNT_HV_FAILED', { hypervisor: HV_NAME, action, reason });

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

async function info(name: string, ctx: ProviderContext): Promise<HvInstanceInfo | null> {
  const pid = await livePid(ctx.paths, name);
  if (pid === null) return null;
  const rt = await readRuntime(ctx.paths, name);
  let state: 'running' | 'shutdown' = 'running';
  // a guest that powered off while qemu stays (user_shutdown) reports status "shutdown"
  const st = await qmp<{ status?: string }>(kvmFiles(ctx.paths, name).qmp, 'query-status').catch(() => null);
  if (st?.status === 'shutdown') state = 'shutdown';
  return { name, id: pid, memory: rt?.memory ?? 0, vcpus: rt?.instance.beparams.vcpus ?? 0, state, time: await cpuSeconds(pid) };
}

export const kvmHypervisor: HypervisorProvider = {
  description: 'qemu/KVM virtual machines driven over QMP (kvm_flag=disabled runs them under TCG, without KVM acceleration)',
  params: KVM_PARAMS,
  canMigrate: true,
  migration: kvmMigration,

  async start(inst, disks, opts, ctx) {
    await launch(inst, disks, opts, { paused: opts.paused }, ctx);
  },

  async stop(inst, opts, ctx) {
    const files = kvmFiles(ctx.paths, inst.name);
    const pid = await livePid(ctx.paths, inst.name);
    if (pid !== null && !opts.force) {
      // ACPI power button: the guest shuts itself down; qemu exits when it has
      await qmp(files.qmp, 'system_powerdown').catch((e: unknown) => ctx.log.warn(`kvm: system_powerdown of ${inst.name}: ${describeError(e)}`));
      if (!(await waitGone(pid, opts.timeoutMs, ctx.signal)))
        throw failed(`stop instance '${inst.name}'`, `the guest did not power off within ${Math.round(opts.timeoutMs / 1000)} s (ACPI power button ignored?)`);
    }
    await destroy(inst.name, opts, ctx);
  },

  async cleanup(name, opts, ctx) {
    await destroy(name, opts, ctx);
  },

  async reboot(inst, ctx) {
    if ((await livePid(ctx.paths, inst.name)) === null) throw new GanetiError('GNT_HV_INSTANCE_NOT_RUNNING', { hypervisor: HV_NAME, instance: inst.name, node: ctx.nodeName });
    await qmp(kvmFiles(ctx.paths, inst.name).qmp, 'system_reset');
  },

  async listInstances(_hv, ctx) {
    const out: string[] = [];
    for (const name of await knownInstances(ctx.paths)) if ((await livePid(ctx.paths, name)) !== null) out.push(name);
    return out;
  },

  instanceInfo: (name, _hv, ctx) => info(name, ctx),

  async allInstancesInfo(_hv, ctx) {
    const all = await Promise.all((await knownInstances(ctx.paths)).map((n) => info(n, ctx)));
    return all.filter((i): i is HvInstanceInfo => i !== null);
  },

  async nodeInfo(_hv, ctx) {
    const node = await hostNodeInfo(HV_NAME);
    const used = (await this.allInstancesInfo(_hv, ctx)).reduce((s, i) => s + i.memory, 0);
    const version = (await qemuCapabilities(ctx, String(_hv['kvm_path'] ?? '/usr/bin/kvm')).catch(() => null))?.version;
    return { ...node, memory_free: Math.max(0, node.memory_free - used), ...(version ? { hv_version: version } : {}) };
  },

  async console(inst, target) {
    const hv = inst.hvparams;
    const vnc = String(hv['vnc_bind_address'] ?? '');
    if (vnc && inst.network_port) return { instance: inst.name, kind: 'vnc', host: vnc === '0.0.0.0' ? target.primary_ip : vnc, port: inst.network_port, display: inst.network_port - 5900 };
    if (hv['serial_console'] === false) return { instance: inst.name, kind: 'msg', message: 'No serial shell for instance (serial_console is off)' };
    const serial = kvmFiles(target.paths, inst.name).serial;
    return { instance: inst.name, kind: 'ssh', host: target.primary_ip, port: target.ssh_port, user: 'root', command: ['/usr/bin/socat', 'STDIO,raw,echo=0,escape=0x1d', `UNIX-CONNECT:${serial}`] };
  },

  async verifyNode(hv, ctx) {
    const bin = String(hv['kvm_path'] ?? '/usr/bin/kvm');
    try {
      await qemuCapabilities(ctx, bin);
      return null;
    } catch (e) {
      return describeError(e);
    }
  },

  checkParamsSyntax(hv) {
    checkKvmParams(hv);
  },

  async validateParams(hv, ctx) {
    for (const k of ['kernel_path', 'initrd_path'] as const) {
      const p = String(hv[k] ?? '');
      if (p && !(await access(p, constants.R_OK).then(() => true, () => false))) throw new GanetiError('GNT_PARAM_INVALID', { owner: "hypervisor 'kvm'", param: k, problem: `${p} is not a readable file on node ${ctx.nodeName}` });
    }
    await qemuCapabilities(ctx, String(hv['kvm_path'] ?? '/usr/bin/kvm'));
  },
};
