/**
 * The kvm hypervisor: qemu driven over QMP (Ganeti's hv_kvm). Each instance is one
 * daemonized qemu process; its runtime files (runtime-files.ts) are the only state, so a
 * restarted node daemon sees the same instances. The command line comes from a typed model
 * (command-line.ts) checked against what the installed qemu says it supports
 * (capabilities.ts). qemu always starts with its CPUs stopped: the NICs are connected first,
 * then `cont`.
 */
import { access, constants } from 'node:fs/promises';
import { GanetiError, describeError, hostNodeInfo, type HvInstanceInfo, type HypervisorProvider, type ProviderContext } from '../../core/index.js';
import { qemuCapabilities } from './capabilities.js';
import { KVM_PARAMS, checkKvmParams } from './params.js';
import { cpuSeconds, waitGone } from './process.js';
import { qmp } from './qmp.js';
import { HV_NAME, knownInstances, kvmFiles, livePid, readRuntime } from './runtime-files.js';
import { destroy, failed, launch } from './lifecycle.js';
import { kvmMigration } from './migration.js';

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
