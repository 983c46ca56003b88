/**
 * The lxc hypervisor (Ganeti's hv_lxc): an instance is a container whose root file system is
 * the instance's disk 0, mounted on the node. Containers live under <run>/lxc (lxc's "-P"
 * path): <name>.conf is the configuration written at start, <name>.log lxc's log,
 * <name>/rootfs the mounted root, <name>.runtime what the start was given. lxc's own tools
 * (lxc-start, -wait, -info, -stop, -ls, -freeze, -console) do the work.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  GanetiError,
  describeError,
  hostNodeInfo,
  mountRoot,
  unmountRoot,
  type AttachedNic,
  type HvDisk,
  type HvInstance,
  type HvInstanceInfo,
  type HypervisorProvider,
  type NicConnector,
  type ProviderContext,
} from '../../core/index.js';
import { LXC_PARAMS } from './params.js';

const HV = 'lxc';
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

interface Runtime {
  readonly instance: HvInstance;
  readonly disks: readonly HvDisk[];
  readonly nics: readonly AttachedNic[];
}

const failed = (action: string, reason: string) => new GanetiError('GNT_HV_FAILED', { hypervisor: HV, action, reason });

function files(ctx: ProviderContext, name: string) {
  if (!NAME_RE.test(name)) throw failed(`use instance name '${name}'`, 'it is not a valid container name');
  const dir = join(ctx.paths.runDir, 'lxc');
  return { dir, conf: join(dir, `${name}.conf`), log: join(dir, `${name}.log`), rootfs: join(dir, name, 'rootfs'), runtime: join(dir, `${name}.runtime`) };
}

async function lxc(ctx: ProviderContext, argv: string[], what: string, timeoutMs = 60_000) {
  const r = await ctx.run(argv, { timeoutMs });
  if (!r.ok) throw failed(what, r.all.trim().split('\n').slice(-5).join(' ') || `${argv[0]} exited with ${r.exitCode}`);
  return r;
}

/** The container's state and init pid, or null when lxc does not know it (not running). */
async function state(ctx: ProviderContext, name: string): Promise<{ state: string; pid: number | null } | null> {
  const f = files(ctx, name);
  const r = await ctx.run(['lxc-info', '-P', f.dir, '-n', name, '-s', '-p']);
  if (!r.ok) return null;
  const st = /State:\s*(\S+)/.exec(r.stdout)?.[1] ?? '';
  const pid = Number(/PID:\s*(\d+)/.exec(r.stdout)?.[1] ?? NaN);
  return st === '' || st === 'STOPPED' ? null : { state: st, pid: Number.isInteger(pid) ? pid : null };
}

/** The lxc configuration of an instance (Ganeti's lxc.conf layout with this host's cgroup version). */
const DEFAULTS = Object.fromEntries(Object.entries(LXC_PARAMS.properties).map(([k, s]) => [k, (s as { default: unknown }).default]));

export function lxcConfig(inst: HvInstance, rootfs: string, nics: readonly AttachedNic[], cgroupV1Memory: boolean): string {
  const hv = { ...DEFAULTS, ...inst.hvparams };
  const lines = [
    `# ganeti-ts instance ${inst.name}`,
    `lxc.uts.name = ${inst.name}`,
    `lxc.rootfs.path = dir:${rootfs}`,
    'lxc.apparmor.profile = unconfined',
    `lxc.tty.max = ${Number(hv['num_ttys'] ?? 6)}`,
    'lxc.pty.max = 1024',
    'lxc.mount.auto = proc:mixed sys:ro',
    cgroupV1Memory ? `lxc.cgroup.memory.limit_in_bytes = ${inst.beparams.maxmem * 1024 * 1024}` : `lxc.cgroup2.memory.max = ${inst.beparams.maxmem * 1024 * 1024}`,
  ];
  const cpus = String(hv['cpu_mask'] ?? '');
  if (cpus && cpus !== 'all') lines.push(cgroupV1Memory ? `lxc.cgroup.cpuset.cpus = ${cpus}` : `lxc.cgroup2.cpuset.cpus = ${cpus}`);
  const caps = String(hv['drop_capabilities'] ?? '').split(',').map((c) => c.trim()).filter(Boolean);
  if (caps.length) lines.push(`lxc.cap.drop = ${caps.join(' ')}`);
  if (nics.length === 0) lines.push('lxc.net.0.type = empty');
  for (const n of nics) lines.push(`lxc.net.${n.index}.type = veth`, `lxc.net.${n.index}.veth.pair = ${n.iface}`, `lxc.net.${n.index}.hwaddr = ${n.mac}`, `lxc.net.${n.index}.flags = up`);
  for (const kv of String(hv['extra_config'] ?? '').split(',').map((x) => x.trim()).filter(Boolean)) lines.push(kv.replace('=', ' = '));
  return `${lines.join('\n')}\n`;
}

const vethName = (inst: HvInstance, i: number) => `gnl${inst.uuid.replace(/-/g, '').slice(0, 8)}.${i}`;

async function disconnect(net: NicConnector, nics: readonly AttachedNic[]): Promise<void> {
  await Promise.allSettled(nics.map((n) => net.disconnect(n)));
}

async function readRuntime(ctx: ProviderContext, name: string): Promise<Runtime | null> {
  const text = await readFile(files(ctx, name).runtime, 'utf8').catch(() => null);
  return text ? (JSON.parse(text) as Runtime) : null;
}

async function teardown(ctx: ProviderContext, name: string, net: NicConnector): Promise<void> {
  const f = files(ctx, name);
  if (await state(ctx, name)) await ctx.run(['lxc-stop', '-P', f.dir, '-n', name, '-k'], { timeoutMs: 30_000 });
  const rt = await readRuntime(ctx, name);
  if (rt) await disconnect(net, rt.nics);
  await unmountRoot(HV, f.rootfs, ctx);
  for (const p of [f.conf, f.runtime]) await rm(p, { force: true });
  await rm(join(f.dir, name), { recursive: true, force: true }).catch(() => undefined);
}

async function info(ctx: ProviderContext, name: string): Promise<HvInstanceInfo | null> {
  const st = await state(ctx, name);
  if (!st) return null;
  const rt = await readRuntime(ctx, name);
  return { name, id: st.pid, memory: rt?.instance.beparams.maxmem ?? 0, vcpus: rt?.instance.beparams.vcpus ?? 0, state: 'running', time: 0 };
}

export const lxcHypervisor: HypervisorProvider = {
  description: 'Linux containers (lxc) whose root file system is the instance\'s first disk',
  params: LXC_PARAMS,
  canMigrate: false,

  async start(inst, disks, opts, ctx) {
    const f = files(ctx, inst.name);
    if (await state(ctx, inst.name)) throw new GanetiError('GNT_HV_INSTANCE_RUNNING', { hypervisor: HV, instance: inst.name, node: ctx.nodeName });
    await mkdir(f.dir, { recursive: true, mode: 0o750 });
    const nics: AttachedNic[] = inst.nics.map((n, index) => ({ ...n, index, iface: vethName(inst, index) }));
    const connected: AttachedNic[] = [];
    try {
      await mountRoot(HV, disks[0], f.rootfs, ctx);
      await writeFile(f.conf, lxcConfig(inst, f.rootfs, nics, existsSync('/sys/fs/cgroup/memory')));
      await writeFile(f.runtime, JSON.stringify({ instance: inst, disks, nics } satisfies Runtime));
      await lxc(ctx, ['lxc-start', '-P', f.dir, '-n', inst.name, '-f', f.conf, '-d', '-o', f.log, '-l', 'INFO'], `start container '${inst.name}'`);
      const timeout = Number(inst.hvparams['startup_timeout'] ?? 30);
      await lxc(ctx, ['lxc-wait', '-P', f.dir, '-n', inst.name, '-s', 'RUNNING', '-t', String(timeout)], `wait for container '${inst.name}' to run (startup_timeout ${timeout} s)`, (timeout + 5) * 1000);
      for (const n of nics) {
        await opts.network.connect(n);
        connected.push(n);
      }
      if (opts.paused) await lxc(ctx, ['lxc-freeze', '-P', f.dir, '-n', inst.name], `pause container '${inst.name}'`);
    } catch (e) {
      await disconnect(opts.network, connected);
      await teardown(ctx, inst.name, { connect: async () => undefined, disconnect: async () => undefined }).catch((u: unknown) => ctx.log.warn(`lxc: cleanup of ${inst.name}: ${describeError(u)}`));
      throw e;
    }
  },

  async stop(inst, opts, ctx) {
    const f = files(ctx, inst.name);
    if (await state(ctx, inst.name)) {
      if (opts.force) {
        await lxc(ctx, ['lxc-stop', '-P', f.dir, '-n', inst.name, '-k'], `kill container '${inst.name}'`);
      } else {
        const secs = Math.max(1, Math.ceil(opts.timeoutMs / 1000));
        // SIGPWR to the container's init, then wait; --nokill: a container still up is reported, not killed
        await ctx.run(['lxc-unfreeze', '-P', f.dir, '-n', inst.name]);
        await ctx.run(['lxc-stop', '-P', f.dir, '-n', inst.name, '-t', String(secs), '--nokill'], { timeoutMs: (secs + 10) * 1000 });
        if (await state(ctx, inst.name)) throw failed(`stop container '${inst.name}'`, `its init did not shut down within ${secs} s`);
      }
    }
    await teardown(ctx, inst.name, opts.network);
  },

  async cleanup(name, opts, ctx) {
    await teardown(ctx, name, opts.network);
  },

  /**
   * A container has no hypervisor process to keep: a reboot is its init stopped (SIGPWR, then
   * killed after 30 s) and the same configuration started again on the mounted root. lxc
   * makes the veth pairs again under the same names.
   */
  async reboot(inst, ctx) {
    const f = files(ctx, inst.name);
    if (!(await state(ctx, inst.name))) throw new GanetiError('GNT_HV_INSTANCE_NOT_RUNNING', { hypervisor: HV, instance: inst.name, node: ctx.nodeName });
    await ctx.run(['lxc-stop', '-P', f.dir, '-n', inst.name, '-t', '30'], { timeoutMs: 40_000 });
    if (await state(ctx, inst.name)) await lxc(ctx, ['lxc-stop', '-P', f.dir, '-n', inst.name, '-k'], `kill container '${inst.name}'`);
    await lxc(ctx, ['lxc-start', '-P', f.dir, '-n', inst.name, '-f', f.conf, '-d', '-o', f.log, '-l', 'INFO'], `start container '${inst.name}' again`);
    const timeout = Number(inst.hvparams['startup_timeout'] ?? 30);
    await lxc(ctx, ['lxc-wait', '-P', f.dir, '-n', inst.name, '-s', 'RUNNING', '-t', String(timeout)], `wait for container '${inst.name}' to run again`, (timeout + 5) * 1000);
  },

  async listInstances(_hv, ctx) {
    const dir = join(ctx.paths.runDir, 'lxc');
    if (!existsSync(dir)) return [];
    const r = await ctx.run(['lxc-ls', '-P', dir, '-1', '--active']);
    return r.ok ? r.stdout.split('\n').map((l) => l.trim()).filter(Boolean).sort() : [];
  },

  instanceInfo: (name, _hv, ctx) => info(ctx, name),

  async allInstancesInfo(hv, ctx) {
    const all = await Promise.all((await this.listInstances(hv, ctx)).map((n) => info(ctx, n)));
    return all.filter((i): i is HvInstanceInfo => i !== null);
  },

  async nodeInfo(hv, ctx) {
    const node = await hostNodeInfo(HV);
    const used = (await this.allInstancesInfo(hv, ctx)).reduce((s, i) => s + i.memory, 0);
    return { ...node, memory_free: Math.max(0, node.memory_free - used) };
  },

  async console(inst, target) {
    const dir = join(target.paths.runDir, 'lxc');
    return { instance: inst.name, kind: 'ssh', host: target.primary_ip, port: target.ssh_port, user: 'root', command: ['lxc-console', '-n', inst.name, '-P', dir] };
  },

  async verifyNode(_hv, ctx) {
    const r = await ctx.run(['lxc-start', '--version']);
    if (!r.ok) return r.notFound ? 'lxc is not installed (lxc-start not found)' : `lxc-start --version failed: ${r.all.trim()}`;
    if (!existsSync('/sys/fs/cgroup')) return 'no cgroup file system at /sys/fs/cgroup';
    return null;
  },
};
