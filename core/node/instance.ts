/**
 * The instance RPCs on the node (interfaces §9.2): each gets the instance's runtime view
 * from the master and hands it to the instance's hypervisor provider. Disks are assembled
 * here (idempotent), so a start needs one round trip; NICs are connected through the
 * network provider of each NIC's mode.
 */
import type { HvDisk, HvInstance, HypervisorProvider, NicConnector, AttachedNic } from '../contracts/hypervisor.js';
import type { ProviderContext } from '../contracts/context.js';
import type { RpcHandler } from '../rpc/server.js';
import type { Params } from '../contracts/params.js';
import { GanetiError, describeError } from '../errors/index.js';
import { diskSpecOf, type WireDisk } from '../storage/disk-wire.js';
import { providerContext, type NodeEnv } from './context.js';
import { diskTrees } from './disk-tree.js';
import { assembleHvDisks } from './hv-disks.js';
import { linkInfo } from '../net-link.js';

export function instanceHandlers(env: NodeEnv): Record<string, RpcHandler> {
  const trees = diskTrees(env);
  const hv = (name: string): HypervisorProvider => env.host.hypervisors.get(name);

  const hvDisks = (inst: HvInstance, wire: readonly WireDisk[], ctx: ProviderContext, exclusive = true): Promise<HvDisk[]> => assembleHvDisks(trees, inst.hypervisor, wire, ctx, exclusive);

  /**
   * NICs go to the network provider of their mode, once their host interface exists. A
   * hypervisor that makes none (fake) hands names that do not exist: there is nothing to
   * connect then, and the node log says so; so does a mode no network plugin serves.
   */
  function connector(inst: HvInstance, ctx: ProviderContext): NicConnector {
    const net = (nic: AttachedNic) => (env.host.networks.has(nic.mode) ? env.host.networks.get(nic.mode) : null);
    return {
      async connect(nic) {
        const p = net(nic);
        if (!p) env.log.warn(`instance ${inst.name}: no network plugin serves NIC mode '${nic.mode}'; ${nic.iface} left unconnected`);
        else if (!(await linkInfo(ctx, nic.iface))) env.log.info(`instance ${inst.name}: NIC ${nic.index} has no host interface (${nic.iface}); nothing to connect`);
        else await p.connect(nic, inst, ctx);
      },
      async disconnect(nic) {
        const p = net(nic);
        if (p && (await linkInfo(ctx, nic.iface))) await p.disconnect(nic, inst, ctx);
      },
    };
  }

  /** Soft stop with the timeout, then forced; returns how it stopped. Cleans up either way. */
  async function stop(inst: HvInstance, timeoutS: number, ctx: ProviderContext): Promise<'soft' | 'forced'> {
    const p = hv(inst.hypervisor);
    const network = connector(inst, ctx);
    let how: 'soft' | 'forced' = 'soft';
    try {
      await p.stop(inst, { force: false, timeoutMs: timeoutS * 1000, network }, ctx);
    } catch (e) {
      env.log.warn(`instance ${inst.name}: soft shutdown failed (${describeError(e)}), forcing`);
      how = 'forced';
      await p.stop(inst, { force: true, timeoutMs: 0, network }, ctx);
    }
    await p.cleanup(inst.name, { network }, ctx);
    return how;
  }

  async function start(inst: HvInstance, wire: readonly WireDisk[], paused: boolean, ctx: ProviderContext): Promise<HvDisk[]> {
    const p = hv(inst.hypervisor);
    await p.validateParams?.(inst.hvparams, ctx);
    const disks = await hvDisks(inst, wire, ctx);
    const network = connector(inst, ctx);
    try {
      await p.start(inst, disks, { paused, network }, ctx);
    } catch (e) {
      await p.cleanup(inst.name, { network }, ctx).catch((u: unknown) => env.log.warn(`instance ${inst.name}: cleanup after a failed start: ${describeError(u)}`));
      throw e;
    }
    return disks;
  }

  const ctxOf = (signal: AbortSignal) => providerContext(env, signal);
  const inst = (a: unknown) => a as HvInstance;

  return {
    async instance_start(args, req) {
      return start(inst(args[0]), args[1] as WireDisk[], Boolean(args[2]), ctxOf(req.signal));
    },

    async instance_shutdown(args, req) {
      return stop(inst(args[0]), Number(args[1]), ctxOf(req.signal));
    },

    async instance_reboot(args, req) {
      const [i, wire, type, timeout] = args as [HvInstance, WireDisk[], 'soft' | 'hard' | 'full', number];
      const ctx = ctxOf(req.signal);
      if (type === 'soft') {
        await hv(i.hypervisor).reboot(i, ctx);
        return null;
      }
      // hard: the hypervisor process goes away and comes back (full reboots are driven by
      // the master: shutdown, disks deactivated and activated again, start)
      await stop(i, timeout, ctx);
      await start(i, wire, false, ctx);
      return null;
    },

    async instance_info(args, req) {
      const [name, hname, hvparams] = args as [string, string, Params];
      return hv(hname).instanceInfo(name, hvparams, ctxOf(req.signal));
    },

    async all_instances_info(args, req) {
      const [list, all] = args as [string[], Record<string, Params>];
      const ctx = ctxOf(req.signal);
      const out: Record<string, unknown> = {};
      for (const name of list) {
        if (!env.host.hypervisors.has(name)) continue;
        for (const i of await hv(name).allInstancesInfo(all[name] ?? {}, ctx)) out[i.name] = { ...i, hypervisor: name };
      }
      return out;
    },

    async instance_list(args, req) {
      const [list, all] = args as [string[], Record<string, Params>];
      const ctx = ctxOf(req.signal);
      const names: string[] = [];
      for (const name of list) if (env.host.hypervisors.has(name)) names.push(...(await hv(name).listInstances(all[name] ?? {}, ctx)));
      return names.sort();
    },

    async instance_balloon_memory(args, req) {
      const i = inst(args[0]);
      const p = hv(i.hypervisor);
      if (!p.balloonMemory) throw new GanetiError('GNT_INSTANCE_HV_UNSUPPORTED', { hypervisor: i.hypervisor, action: 'change the memory of a running instance' });
      await p.balloonMemory(i, Number(args[1]), ctxOf(req.signal));
      return null;
    },

    async migration_info(args, req) {
      const i = inst(args[0]);
      return migration(i).migrationInfo(i, ctxOf(req.signal));
    },

    async accept_instance(args, req) {
      const [i, info, address, wire] = args as [HvInstance, string, string, WireDisk[]];
      const ctx = ctxOf(req.signal);
      // opened shared: during a live migration both ends have the disks open (drbd dual primary)
      const disks = await hvDisks(i, wire, ctx, false);
      await migration(i).acceptInstance(i, info, disks, { network: connector(i, ctx), address }, ctx);
      return null;
    },

    async instance_finalize_migration_dst(args, req) {
      const [i, info, success] = args as [HvInstance, string, boolean];
      const ctx = ctxOf(req.signal);
      await migration(i).finalizeMigrationDst(i, info, success, { network: connector(i, ctx) }, ctx);
      return null;
    },

    async instance_migrate(args, req) {
      const [cluster, i, [node, ip], live] = args as [string, HvInstance, [string, string], boolean];
      await migration(i).migrate(cluster, i, { node, ip }, live, ctxOf(req.signal));
      return null;
    },

    async instance_finalize_migration_src(args, req) {
      const [i, success, live] = args as [HvInstance, boolean, boolean];
      const ctx = ctxOf(req.signal);
      await migration(i).finalizeMigrationSource(i, success, live, { network: connector(i, ctx) }, ctx);
      return null;
    },

    async instance_get_migration_status(args, req) {
      const i = inst(args[0]);
      return migration(i).migrationStatus(i, ctxOf(req.signal));
    },

    async resize_disk(args, req) {
      const [i, disk, bytes] = args as [HvInstance, HvDisk, number];
      const p = hv(i.hypervisor);
      if (!p.resizeDisk) return false;
      await p.resizeDisk(i, disk, bytes, ctxOf(req.signal));
      return true;
    },
  };

  function migration(i: HvInstance) {
    const m = hv(i.hypervisor).migration;
    if (!m) throw new GanetiError('GNT_INSTANCE_HV_UNSUPPORTED', { hypervisor: i.hypervisor, action: 'migrate instances' });
    return m;
  }
}
