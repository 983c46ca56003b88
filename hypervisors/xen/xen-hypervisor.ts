/**
 * Xen through the xl toolstack (Ganeti's hv_xen, `xen-pvm` and `xen-hvm`): each instance is a
 * domain made from a configuration file under <root>/etc/xen/<name>; `xl list` is the truth
 * about what runs. Commands and their order are Ganeti's: create [-p] CONFIG, shutdown -w
 * then destroy, reboot (then wait for a new domain id or a lower run time), mem-set,
 * migrate -s "socat - TCP:TARGET:PORT" -C CONFIG NAME TARGET against a socat daemon running
 * `xl migrate-receive` on the target.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  GanetiError,
  connectNics,
  describeError,
  type AttachedNic,
  type HvInstance,
  type HvInstanceInfo,
  type HypervisorMigration,
  type HypervisorProvider,
  type Params,
  type ParamsSchema,
  type ProviderContext,
} from '../../core/index.js';
import { hvmConfig, pvmConfig } from './config-file.js';
import { HVM_PARAMS, PVM_PARAMS, checkXenParams, filled } from './params.js';
import { parseInfo, parseList, type XenDomain } from './xl-output.js';

export type XenKind = 'xen-pvm' | 'xen-hvm';

/** Ganeti's XL_SOCAT_CMD: the transport xl migrate runs to reach the target. */
export const xlSocatCmd = (target: string, port: number) => `socat - TCP:${target}:${port}`;
/** Ganeti's XEN_CONSOLE_WRAPPER. */
export const XEN_CONSOLE_WRAPPER = '/usr/lib/ganeti/tools/xen-console-wrapper';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createXen(kind: XenKind): HypervisorProvider {
  const schema: ParamsSchema = kind === 'xen-pvm' ? PVM_PARAMS : HVM_PARAMS;
  const fail = (action: string, reason: string) => new GanetiError('GNT_HV_FAILED', { hypervisor: kind, action, reason });
  const cmd = (hv: Params) => String(hv['xen_cmd'] ?? 'xl');
  const cfgFile = (ctx: ProviderContext, name: string) => join(ctx.paths.under('/etc/xen'), name);
  const runDir = (ctx: ProviderContext) => join(ctx.paths.runDir, 'xen-hypervisor');

  async function xen(ctx: ProviderContext, hv: Params, args: string[], what: string, timeoutMs = 120_000) {
    const r = await ctx.run([cmd(hv), ...args], { timeoutMs });
    if (!r.ok) throw fail(what, r.all.trim().split('\n').slice(-5).join(' ') || (r.notFound ? `${cmd(hv)} is not installed` : `${cmd(hv)} exited with ${r.exitCode}`));
    return r.stdout;
  }

  async function domains(ctx: ProviderContext, hv: Params, withDom0 = false): Promise<XenDomain[]> {
    return parseList(await xen(ctx, hv, ['list'], 'list the domains'), withDom0);
  }
  const find = async (ctx: ProviderContext, hv: Params, name: string) => (await domains(ctx, hv, name === 'Domain-0')).find((d) => d.name === name) ?? null;

  const info = (d: XenDomain): HvInstanceInfo => ({ name: d.name, id: d.id, memory: d.memory, vcpus: d.vcpus, state: d.state, time: d.time });

  /** The vifs Xen made for the domain: `vif<domid>.<n>`. */
  const vifs = (inst: HvInstance, domid: number): AttachedNic[] => inst.nics.map((n, index) => ({ ...n, index, iface: `vif${domid}.${index}` }));

  async function writeConfig(ctx: ProviderContext, name: string, text: string): Promise<void> {
    await mkdir(ctx.paths.under('/etc/xen'), { recursive: true });
    await rm(join(ctx.paths.under('/etc/xen'), 'auto', name), { force: true });
    await writeFile(cfgFile(ctx, name), text);
  }

  async function makeConfig(inst: HvInstance, disks: Parameters<HypervisorProvider['start']>[1], hv: Params, ctx: ProviderContext): Promise<string> {
    const memory = inst.beparams.maxmem;
    if (kind === 'xen-pvm') return pvmConfig(inst, memory, disks, hv);
    const pw = await readFile(String(hv['vnc_password_file']), 'utf8').catch((e: unknown) => {
      throw fail(`read the VNC password file ${String(hv['vnc_password_file'])}`, describeError(e));
    });
    void ctx;
    return hvmConfig(inst, memory, disks, hv, pw.trimEnd());
  }

  async function destroy(ctx: ProviderContext, hv: Params, name: string): Promise<void> {
    if (await find(ctx, hv, name)) await xen(ctx, hv, ['destroy', name], `destroy domain '${name}'`);
  }

  const migrationPidfile = (ctx: ProviderContext) => join(runDir(ctx), 'migration', 'socat.pid');

  async function killMigrationDaemon(ctx: ProviderContext): Promise<void> {
    const pid = Number(await readFile(migrationPidfile(ctx), 'utf8').catch(() => ''));
    if (pid > 0) {
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      if (cmdline.includes('migrate-receive')) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // gone
        }
      }
    }
    await rm(migrationPidfile(ctx), { force: true });
  }

  const migration: HypervisorMigration = {
    versionsSafe(src, target) {
      if (src.join('.') === target.join('.')) return true;
      if (src.length < 2 || target.length < 2) return false;
      return src[0] === target[0] && (target[1] === src[1] || target[1] === src[1]! + 1);
    },
    async migrationInfo(inst, ctx) {
      return readFile(cfgFile(ctx, inst.name), 'utf8').catch((e: unknown) => {
        throw fail(`read the configuration of '${inst.name}'`, describeError(e));
      });
    },
    async acceptInstance(inst, _info, _disks, opts, ctx) {
      const hv = filled(schema, inst.hvparams);
      if (cmd(hv) !== 'xl') return;
      const port = Number(hv['migration_port']);
      await mkdir(join(runDir(ctx), 'migration'), { recursive: true });
      await killMigrationDaemon(ctx);
      // socat accepts the stream and hands it to `xl migrate-receive`; it detaches (setsid)
      const r = await ctx.run(['sh', '-c', `setsid socat -b524288 TCP-LISTEN:${port},bind=${opts.address ?? '0.0.0.0'},reuseaddr SYSTEM:'${cmd(hv)} migrate-receive' >/dev/null 2>&1 & echo $!`]);
      const pid = Number(r.stdout.trim());
      if (!r.ok || !(pid > 0)) throw fail('start the migration receiver', r.all.trim());
      await writeFile(migrationPidfile(ctx), `${pid}\n`);
      await sleep(300);
      if (!(await readFile(`/proc/${pid}/cmdline`, 'utf8').then(() => true, () => false))) throw fail('start the migration receiver', `socat could not listen on port ${port}: check if the port is available`);
    },
    async migrate(_cluster, inst, target, _live, ctx) {
      const hv = filled(schema, inst.hvparams);
      if (!(await find(ctx, hv, inst.name))) throw new GanetiError('GNT_HV_INSTANCE_NOT_RUNNING', { hypervisor: kind, instance: inst.name, node: ctx.nodeName });
      await xen(ctx, hv, ['migrate', '-s', xlSocatCmd(target.ip, Number(hv['migration_port'])), '-C', cfgFile(ctx, inst.name), inst.name, target.ip], `migrate instance '${inst.name}'`, 3_600_000);
    },
    // xl migrate returns once the domain runs on the target
    async migrationStatus() {
      return { status: 'completed' };
    },
    async finalizeMigrationDst(inst, info, success, opts, ctx) {
      const hv = filled(schema, inst.hvparams);
      const d = await find(ctx, hv, inst.name);
      if (d && d.time !== 0) {
        await writeConfig(ctx, inst.name, info);
        if (success) await connectNics(opts.network, vifs(inst, d.id));
      }
      if (!success) {
        await killMigrationDaemon(ctx);
        if (d && d.time === 0) await destroy(ctx, hv, inst.name);
      } else {
        await killMigrationDaemon(ctx);
      }
    },
    async finalizeMigrationSource(inst, success, _live, opts, ctx) {
      const hv = filled(schema, inst.hvparams);
      if (success) {
        await Promise.allSettled(inst.nics.map((n, index) => opts.network.disconnect({ ...n, index, iface: '' })));
        await rm(cfgFile(ctx, inst.name), { force: true });
        return;
      }
      for (const temp of [`migrating-${inst.name}`, `${inst.name}--migratedaway`]) {
        if (await find(ctx, hv, temp)) {
          await xen(ctx, hv, ['rename', temp, inst.name], `rename domain '${temp}' back`);
          break;
        }
      }
    },
  };

  return {
    description: kind === 'xen-pvm' ? 'Xen paravirtualized domains (xl)' : 'Xen hardware-virtualized domains (xl)',
    params: schema,
    canMigrate: true,
    migration,

    async start(inst, disks, opts, ctx) {
      const hv = filled(schema, inst.hvparams);
      if (await find(ctx, hv, inst.name)) throw new GanetiError('GNT_HV_INSTANCE_RUNNING', { hypervisor: kind, instance: inst.name, node: ctx.nodeName });
      await writeConfig(ctx, inst.name, await makeConfig(inst, disks, hv, ctx));
      const r = await ctx.run([cmd(hv), 'create', ...(opts.paused ? ['-p'] : []), cfgFile(ctx, inst.name)], { timeoutMs: 120_000 });
      if (!r.ok) {
        // the configuration goes to the log folder, so no stale file is left behind
        const stash = join(ctx.paths.logDir, 'xen', `${inst.name}-${new Date().toISOString().replace(/[:.]/g, '')}`);
        await mkdir(join(ctx.paths.logDir, 'xen'), { recursive: true });
        await rename(cfgFile(ctx, inst.name), stash).catch(() => undefined);
        throw fail(`start instance '${inst.name}'`, `${r.all.trim() || `exit ${r.exitCode}`} (configuration moved to ${stash})`);
      }
      const d = await find(ctx, hv, inst.name);
      try {
        await connectNics(opts.network, vifs(inst, d?.id ?? 0));
      } catch (e) {
        await destroy(ctx, hv, inst.name);
        await rm(cfgFile(ctx, inst.name), { force: true });
        throw e;
      }
    },

    async stop(inst, opts, ctx) {
      const hv = filled(schema, inst.hvparams);
      const d = await find(ctx, hv, inst.name);
      if (d) {
        if (!opts.force && d.state === 'running') {
          // -w waits for the guest; the timeout bounds the wait
          await ctx.run([cmd(hv), 'shutdown', '-w', inst.name], { timeoutMs: Math.max(1000, opts.timeoutMs) });
          const still = await find(ctx, hv, inst.name);
          if (still?.state === 'running') throw fail(`stop instance '${inst.name}'`, `the domain did not shut down within ${Math.round(opts.timeoutMs / 1000)} s`);
        }
        await destroy(ctx, hv, inst.name);
        await Promise.allSettled(vifs(inst, d.id).map((n) => opts.network.disconnect(n)));
      }
      await rm(cfgFile(ctx, inst.name), { force: true });
    },

    async cleanup(name, _opts, ctx) {
      await rm(cfgFile(ctx, name), { force: true });
    },

    async reboot(inst, ctx) {
      const hv = filled(schema, inst.hvparams);
      const before = await find(ctx, hv, inst.name);
      if (!before) throw new GanetiError('GNT_HV_INSTANCE_NOT_RUNNING', { hypervisor: kind, instance: inst.name, node: ctx.nodeName });
      await xen(ctx, hv, ['reboot', inst.name], `reboot instance '${inst.name}'`);
      // rebooted: a new domain id, or a run time that started again
      for (let i = 0; i < 600; i++) {
        const now = await find(ctx, hv, inst.name);
        if (now && (now.id !== before.id || now.time < before.time)) return;
        await sleep(100);
      }
      throw fail(`reboot instance '${inst.name}'`, 'the instance did not reboot in the expected interval');
    },

    async listInstances(hv, ctx) {
      return (await domains(ctx, filled(schema, hv))).filter((d) => d.state === 'running').map((d) => d.name);
    },

    async instanceInfo(name, hv, ctx) {
      const d = await find(ctx, filled(schema, hv), name);
      return d ? info(d) : null;
    },

    async allInstancesInfo(hv, ctx) {
      return (await domains(ctx, filled(schema, hv))).map(info);
    },

    async nodeInfo(hv, ctx) {
      const h = filled(schema, hv);
      const node = parseInfo(await xen(ctx, h, ['info'], 'read the node information'));
      const all = await domains(ctx, h, true);
      const dom0 = all.find((d) => d.name === 'Domain-0');
      const used = all.reduce((s, d) => s + d.memory, 0);
      const total = Number(node['memory_total'] ?? 0);
      const free = Number(node['memory_free'] ?? 0);
      return {
        memory_total: total, memory_free: free, memory_dom0: dom0?.memory ?? 0, memory_hv: total - free - used,
        cpu_total: Number(node['cpu_total'] ?? 1), cpu_nodes: Number(node['cpu_nodes'] ?? 1), cpu_sockets: Number(node['cpu_sockets'] ?? 1), cpu_dom0: dom0?.vcpus ?? 0,
        ...(node['hv_version'] ? { hv_version: node['hv_version'] as number[] } : {}),
      };
    },

    async console(inst, target) {
      return { instance: inst.name, kind: 'ssh', host: target.primary_node, port: target.ssh_port, user: 'root', command: [XEN_CONSOLE_WRAPPER, cmd(filled(schema, inst.hvparams)), inst.name] };
    },

    async verifyNode(hv, ctx) {
      const h = filled(schema, hv);
      const help = await ctx.run([cmd(h), 'help']);
      if (help.notFound || (!help.ok && /toolstack/.test(help.stderr))) return `The configured xen toolstack '${cmd(h)}' is not available on this node.`;
      const r = await ctx.run([cmd(h), 'info']);
      return r.ok ? null : `Retrieving information from xen failed: ${r.all.trim()}`;
    },

    checkParamsSyntax: checkXenParams,

    async balloonMemory(inst, memory, ctx) {
      const hv = filled(schema, inst.hvparams);
      await xen(ctx, hv, ['mem-set', inst.name, String(memory)], `balloon instance '${inst.name}'`);
      const file = cfgFile(ctx, inst.name);
      const text = await readFile(file, 'utf8').catch(() => null);
      if (text !== null) await writeFile(file, text.replace(/^memory.*$/m, `memory = ${memory}`));
    },
  };
}
