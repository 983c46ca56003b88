import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cpus, freemem, totalmem } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { GanetiError, describeError } from '../errors/index.js';
import type { HvNodeInfo } from '../contracts/hypervisor.js';
import type { StorageType } from '../contracts/storage.js';
import type { Params } from '../contracts/params.js';
import { PROTOCOL_VERSION } from '../jobs/cluster-info.js';
import { VERSION } from '../version.js';
import { RpcQuit, type RpcHandler, type RpcRequestContext } from '../rpc/server.js';
import { localizeVirtualPath } from '../rpc/encoding.js';
import { providerContext, type NodeEnv } from './context.js';
import { cleanDirectory } from './files.js';
import { purgeQueue } from './jobqueue.js';

/** A plugin as node_verify reports it: what `gnt-cluster verify` compares between nodes. */
export interface PluginVersion {
  readonly name: string;
  readonly version: string;
}

/** Extra node_verify checks: gets the check dictionary, returns entries merged into the result. */
export type NodeVerifyExtension = (
  checks: Readonly<Record<string, unknown>>,
  clusterName: string,
  hvparams: Readonly<Record<string, unknown>>,
  ctx: RpcRequestContext,
) => Promise<Record<string, unknown>> | Record<string, unknown>;

export interface MiscHandlerOptions {
  /** The plugins to report in node_verify (default: the host's loaded plugins). */
  readonly plugins?: () => readonly PluginVersion[];
  /** More node_verify checks (hypervisors, storage, files...), added by the modules that own them. */
  readonly verify?: NodeVerifyExtension;
  /** /proc files read by node_info (tests point them elsewhere). */
  readonly procMeminfo?: string;
  readonly procCpuinfo?: string;
  readonly bootIdFile?: string;
}

/** What every hypervisor's node_info answer must hold (the rest is optional). */
const HV_NODE_INFO_KEYS = ['memory_total', 'memory_free', 'memory_dom0', 'cpu_total', 'cpu_nodes', 'cpu_sockets', 'cpu_dom0'] as const;

/** Storage types whose unit key is a folder (a virtual path on the wire). */
const FOLDER_STORAGE_TYPES = new Set(['file', 'sharedfile', 'gluster']);

/** Ganeti's node_verify keys core answers. */
export const NV_VERSION = 'version';
export const NV_PLUGINS = 'plugins';
/** `time`: the node's clock as `[seconds, microseconds]` (Ganeti's NV_TIME). */
export const NV_TIME = 'time';
/** `ssconf` (ours): asks with a list of keys; answers each `ssconf_<key>` file's content, null when missing. */
export const NV_SSCONF = 'ssconf';
/** `config_serial` (ours): the top-level `serial_no` of this node's config.data, null without one. */
export const NV_CONFIG_SERIAL = 'config_serial';

/**
 * Memory and CPUs as Linux shows them (Ganeti's BaseHypervisor.GetLinuxNodeInfo): MiB from
 * /proc/meminfo (MemTotal, MemAvailable), processors from /proc/cpuinfo; node:os when /proc
 * cannot be read.
 */
export async function linuxNodeInfo(meminfo = '/proc/meminfo', cpuinfo = '/proc/cpuinfo'): Promise<HvNodeInfo> {
  let total = Math.floor(totalmem() / 1048576);
  let free = Math.floor(freemem() / 1048576);
  try {
    const text = await readFile(meminfo, 'utf8');
    const kib = (key: string) => {
      const m = new RegExp(`^${key}:\\s*(\\d+)`, 'm').exec(text);
      return m ? Math.floor(Number(m[1]) / 1024) : undefined;
    };
    total = kib('MemTotal') ?? total;
    free = kib('MemAvailable') ?? free;
  } catch {
    // node:os values stand
  }
  let cpuTotal = cpus().length;
  let sockets = 1;
  try {
    const text = await readFile(cpuinfo, 'utf8');
    const n = (text.match(/^processor\s*:\s*\d+\s*$/gm) ?? []).length;
    if (n > 0) cpuTotal = n;
    const ids = new Set(text.match(/^physical id\s*:\s*\d+\s*$/gm) ?? []);
    if (ids.size > 0) sockets = ids.size;
  } catch {
    // node:os value stands
  }
  return { memory_total: total, memory_free: free, memory_dom0: total - free, cpu_total: cpuTotal, cpu_dom0: cpuTotal, cpu_nodes: 1, cpu_sockets: sockets };
}

/** The top-level `serial_no` of a config.data file; null when it is missing or unreadable. */
async function configSerial(file: string): Promise<number | null> {
  try {
    const serial = (JSON.parse(await readFile(file, 'utf8')) as { serial_no?: unknown }).serial_no;
    return typeof serial === 'number' ? serial : null;
  } catch {
    return null;
  }
}

/** The handlers of version, node_info, node_verify, test_delay and node_leave_cluster. */
export function miscHandlers(env: NodeEnv, o: MiscHandlerOptions = {}): Record<string, RpcHandler> {
  const plugins = o.plugins ?? (() => env.host.plugins.map((p) => ({ name: p.name, version: p.version })));
  // The boot id only changes with a reboot, which restarts this daemon too.
  let bootId: Promise<string> | undefined;
  const readBootId = () => (bootId ??= readFile(o.bootIdFile ?? '/proc/sys/kernel/random/boot_id', 'utf8').then((t) => t.trim(), () => ''));

  return {
    version: () => PROTOCOL_VERSION,

    async test_delay(args, ctx) {
      const duration = args[0] as number;
      if (duration < 0) throw new GanetiError('GNT_NODED_FAILED', { procedure: 'test_delay', reason: 'Invalid sleep duration' });
      try {
        await sleep(duration * 1000, undefined, { signal: ctx.signal });
      } catch (e) {
        if (ctx.signal.aborted) throw new GanetiError('GNT_NODED_FAILED', { procedure: 'test_delay', reason: 'interrupted' }, { cause: e });
        throw e;
      }
      return null;
    },

    async node_info(args, ctx) {
      const [units, hvSpecs] = args as [[string, string, unknown[]?][], [string, Params][]];
      const pctx = providerContext(env, ctx.signal);
      // The unit and hypervisor answers are independent: ask them all at once.
      const storage = Promise.all(
        units.map(([type, key, params]) => {
          const unitsOfType = env.host.storage.entries().flatMap((e) => e.provider.storageUnits ?? []).find((u) => u.type === type);
          if (!unitsOfType?.spaceInfo)
            throw new GanetiError('GNT_NODED_FAILED', { procedure: 'node_info', reason: `storage type '${type}' does not report space on this node` });
          // Ganeti sends lvm-vg's params as [exclusive_storage]; others send an object or nothing
          const first = Array.isArray(params) ? params[0] : undefined;
          const p: Params = typeof first === 'boolean' ? { exclusive_storage: first } : first && typeof first === 'object' ? (first as Params) : {};
          // a folder travels as a path under the root, as upload_file's paths do
          const local = FOLDER_STORAGE_TYPES.has(type) ? localizeVirtualPath(env.paths, key) : key;
          // A unit that cannot be measured (a volume group missing on this node) leaves its
          // figures empty, as Ganeti's do; memory and CPU are still reported.
          return unitsOfType.spaceInfo({ type: type as StorageType, key: local, params: p }, pctx).catch((e: unknown) => {
            env.log.warn(`node_info: ${type} storage unit '${key}': ${describeError(e)}`);
            return { type: type as StorageType, name: key, storage_free: null, storage_size: null };
          });
        }),
      );
      // Linux's figures fill in what a hypervisor leaves out (or stand for an unknown one);
      // read only when needed, as /proc/cpuinfo is not cheap.
      let base: Promise<HvNodeInfo> | undefined;
      const linux = () => (base ??= linuxNodeInfo(o.procMeminfo, o.procCpuinfo));
      const hv = Promise.all(
        hvSpecs.map(async ([name, hvparams]): Promise<HvNodeInfo> => {
          if (!env.host.hypervisors.has(name)) return linux();
          const info = await env.host.hypervisors.get(name).nodeInfo(hvparams, pctx);
          return HV_NODE_INFO_KEYS.every((k) => typeof info?.[k] === 'number') ? info : { ...(await linux()), ...info };
        }),
      );
      // awaited together: a failing storage unit must not be left as an unhandled rejection
      const [boot, space, hvInfo] = await Promise.all([readBootId(), storage, hv]);
      return [boot, space, hvInfo];
    },

    async node_verify(args, ctx) {
      const [checks, clusterName, hvparams] = args as [Record<string, unknown>, string, Record<string, unknown>];
      const result: Record<string, unknown> = {
        [NV_VERSION]: [PROTOCOL_VERSION, VERSION],
        [NV_PLUGINS]: plugins().map((p) => ({ name: p.name, version: p.version })),
      };
      if (NV_TIME in checks) {
        const now = Date.now();
        result[NV_TIME] = [Math.floor(now / 1000), (now % 1000) * 1000];
      }
      if (Array.isArray(checks[NV_SSCONF])) {
        const keys = (checks[NV_SSCONF] as unknown[]).filter((k): k is string => typeof k === 'string' && /^[a-z0-9_-]+$/.test(k));
        const contents = await Promise.all(keys.map((k) => readFile(env.paths.ssconf(k), 'utf8').catch(() => null)));
        result[NV_SSCONF] = Object.fromEntries(keys.map((k, i) => [k, contents[i]]));
      }
      if (NV_CONFIG_SERIAL in checks) result[NV_CONFIG_SERIAL] = await configSerial(env.paths.configData);
      if (o.verify) Object.assign(result, await o.verify(checks, clusterName, hvparams, ctx));
      return result;
    },

    async node_leave_cluster(args) {
      const [modifySsh] = args as [boolean];
      const { paths, log } = env;
      try {
        await cleanDirectory(paths.dataDir);
        await cleanDirectory(join(paths.dataDir, 'crypto'));
        await purgeQueue(paths);
      } catch (e) {
        throw new GanetiError('GNT_NODED_FAILED', { procedure: 'node_leave_cluster', reason: describeError(e) }, { cause: e });
      }
      if (modifySsh) log.warn('node_leave_cluster: ganeti-ts does not manage SSH keys; they were left in place');
      log.info('left the cluster: cluster files removed, shutting down');
      throw new RpcQuit([true, 'Shutdown scheduled']);
    },
  };
}
