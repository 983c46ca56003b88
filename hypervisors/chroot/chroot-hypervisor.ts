/**
 * The chroot hypervisor (Ganeti's hv_chroot): an instance is a set of processes chrooted
 * into its root file system (disk 0, mounted at <run>/chroot-hypervisor/<name>). Start runs
 * `<init_script> start` inside the chroot, stop runs `<init_script> stop` and then ends the
 * processes still rooted there (SIGTERM, then SIGKILL). An instance runs while its root is
 * mounted and a process lives in it.
 */
import { readdir, readlink, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  GanetiError,
  hostNodeInfo,
  isMountPoint,
  mountRoot,
  unmountRoot,
  type HvInstance,
  type HvInstanceInfo,
  type HypervisorProvider,
  type ParamsSchema,
  type ProviderContext,
} from '../../core/index.js';

const HV = 'chroot';
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export const CHROOT_PARAMS: ParamsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    init_script: { type: 'string', default: '/ganeti-chroot', description: 'Script in the instance\'s root run with `start` and `stop`' },
  },
};

const failed = (action: string, reason: string) => new GanetiError('GNT_HV_FAILED', { hypervisor: HV, action, reason });

function rootOf(ctx: ProviderContext, name: string): string {
  if (!NAME_RE.test(name)) throw failed(`use instance name '${name}'`, 'it is not a valid folder name');
  return join(ctx.paths.runDir, 'chroot-hypervisor', name);
}
const runtimeOf = (ctx: ProviderContext, name: string) => join(ctx.paths.runDir, 'chroot-hypervisor', `${name}.runtime`);

/** Pids of the processes whose root is `root`. */
async function processesIn(root: string): Promise<number[]> {
  const out: number[] = [];
  for (const e of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(e)) continue;
    const r = await readlink(`/proc/${e}/root`).catch(() => null);
    if (r === root) out.push(Number(e));
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function endProcesses(root: string, graceMs: number): Promise<boolean> {
  const send = (sig: NodeJS.Signals) => async () => {
    for (const p of await processesIn(root)) {
      try {
        process.kill(p, sig);
      } catch {
        // gone
      }
    }
  };
  await send('SIGTERM')();
  const end = Date.now() + graceMs;
  while ((await processesIn(root)).length && Date.now() < end) await sleep(50);
  if ((await processesIn(root)).length) await send('SIGKILL')();
  for (let i = 0; i < 40 && (await processesIn(root)).length; i++) await sleep(50);
  return (await processesIn(root)).length === 0;
}

async function running(ctx: ProviderContext, name: string): Promise<boolean> {
  const root = rootOf(ctx, name);
  return (await isMountPoint(root)) && (await processesIn(root)).length > 0;
}

async function initScript(ctx: ProviderContext, inst: Pick<HvInstance, 'name' | 'hvparams'>, action: string): Promise<void> {
  const root = rootOf(ctx, inst.name);
  const script = String(inst.hvparams['init_script'] ?? '/ganeti-chroot');
  const r = await ctx.run(['chroot', root, script, action], { timeoutMs: 60_000 });
  if (!r.ok) throw failed(`run '${script} ${action}' for instance '${inst.name}'`, r.all.trim().split('\n').slice(-5).join(' ') || `exit ${r.exitCode}`);
}

async function teardown(ctx: ProviderContext, name: string): Promise<void> {
  const root = rootOf(ctx, name);
  if (await isMountPoint(root)) {
    if (!(await endProcesses(root, 2000))) throw failed(`stop instance '${name}'`, 'processes in its root survived SIGKILL');
    await unmountRoot(HV, root, ctx);
  }
  await rm(root, { recursive: true, force: true }).catch(() => undefined);
  await rm(runtimeOf(ctx, name), { force: true });
}

async function info(ctx: ProviderContext, name: string): Promise<HvInstanceInfo | null> {
  if (!(await running(ctx, name))) return null;
  // a chroot has no memory or CPUs of its own: the instance's configured ones are reported
  const rt = JSON.parse(await readFile(runtimeOf(ctx, name), 'utf8').catch(() => '{}')) as { instance?: HvInstance };
  return { name, id: (await processesIn(rootOf(ctx, name)))[0] ?? null, memory: rt.instance?.beparams.maxmem ?? 0, vcpus: rt.instance?.beparams.vcpus ?? 0, state: 'running', time: 0 };
}

export const chrootHypervisor: HypervisorProvider = {
  description: 'Processes chrooted into the instance\'s root file system (its first disk), started by its init script',
  params: CHROOT_PARAMS,
  canMigrate: false,

  async start(inst, disks, opts, ctx) {
    if (await running(ctx, inst.name)) throw new GanetiError('GNT_HV_INSTANCE_RUNNING', { hypervisor: HV, instance: inst.name, node: ctx.nodeName });
    // processes in a chroot use the node's own network: there is no interface to give a NIC
    if (inst.nics.length) throw failed(`start instance '${inst.name}'`, 'chroot instances use the node\'s network and take no NICs (create it with --no-nics)');
    void opts;
    const root = rootOf(ctx, inst.name);
    try {
      await mountRoot(HV, disks[0], root, ctx);
      await writeFile(runtimeOf(ctx, inst.name), JSON.stringify({ instance: inst }));
      await initScript(ctx, inst, 'start');
      if (!(await running(ctx, inst.name))) throw failed(`start instance '${inst.name}'`, 'its init script left no process running');
    } catch (e) {
      await teardown(ctx, inst.name).catch(() => undefined);
      throw e;
    }
  },

  async stop(inst, opts, ctx) {
    const root = rootOf(ctx, inst.name);
    if (await running(ctx, inst.name)) {
      if (!opts.force) {
        await initScript(ctx, inst, 'stop');
        const end = Date.now() + opts.timeoutMs;
        while ((await processesIn(root)).length && Date.now() < end) await sleep(50);
        if ((await processesIn(root)).length) throw failed(`stop instance '${inst.name}'`, `processes still run in its root ${Math.round(opts.timeoutMs / 1000)} s after '${String(inst.hvparams['init_script'] ?? '/ganeti-chroot')} stop'`);
      }
    }
    await teardown(ctx, inst.name);
  },

  async cleanup(name, _opts, ctx) {
    await teardown(ctx, name);
  },

  async reboot(inst, ctx) {
    if (!(await running(ctx, inst.name))) throw new GanetiError('GNT_HV_INSTANCE_NOT_RUNNING', { hypervisor: HV, instance: inst.name, node: ctx.nodeName });
    await initScript(ctx, inst, 'stop');
    await endProcesses(rootOf(ctx, inst.name), 5000);
    await initScript(ctx, inst, 'start');
  },

  async listInstances(_hv, ctx) {
    const dir = join(ctx.paths.runDir, 'chroot-hypervisor');
    const names = (await readdir(dir, { withFileTypes: true }).catch(() => [])).filter((d) => d.isDirectory()).map((d) => d.name);
    const out: string[] = [];
    for (const n of names) if (NAME_RE.test(n) && (await running(ctx, n))) out.push(n);
    return out.sort();
  },

  instanceInfo: (name, _hv, ctx) => info(ctx, name),

  async allInstancesInfo(hv, ctx) {
    const all = await Promise.all((await this.listInstances(hv, ctx)).map((n) => info(ctx, n)));
    return all.filter((i): i is HvInstanceInfo => i !== null);
  },

  nodeInfo: () => hostNodeInfo(HV),

  async console(inst, target) {
    return { instance: inst.name, kind: 'ssh', host: target.primary_ip, port: target.ssh_port, user: 'root', command: ['chroot', join(target.paths.runDir, 'chroot-hypervisor', inst.name), '/bin/sh'] };
  },

  async verifyNode(_hv, ctx) {
    const r = await ctx.run(['chroot', '--version']);
    return r.ok ? null : 'chroot (coreutils) is not available';
  },
};
