import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runChecked } from '../../core/exec/index.js';
import { ganetiPaths, type GanetiPaths } from '../../core/paths.js';
import { createPluginHost } from '../../core/plugin-host/index.js';
import { memoryLogger } from '../../core/log.js';
import { ConfigStore } from '../../core/config/index.js';
import { initialConfig } from '../../core/cluster/init.js';
import { distributeConfig } from '../../core/cluster/distribute.js';
import { certificateDigest, generateClusterCrypto, writeNodeClientCert } from '../../core/crypto/index.js';
import type { KeyType } from '../../core/crypto/x509.js';
import { RpcClient, type RpcNode } from '../../core/rpc/index.js';
import { installOs } from './os.js';
import { REPO_ROOT, removeDir, tempDir } from './tmp.js';
import { alive, startMasterd, type RunningMasterd } from './masterd.js';

/**
 * An N-node cluster on loopback, built by hand (no join protocol): every node is a root
 * folder under one temp dir with its own real ganeti-noded on its own loopback address.
 * Node 0 is the master (it gets masterd when asked); every node trusts the master's client
 * certificate (ssconf master_candidates_certs), config.data reaches the candidates and
 * ssconf every node through the real distribution RPCs.
 */

export const NODED_PORT = 1811;
const PATH = process.env['PATH'] ?? '/usr/bin:/bin';

export interface LoopbackNodeSpec {
  readonly name: string;
  readonly ip: string;
  /** Master candidate (the master always is). */
  readonly candidate?: boolean;
  /** Marked offline in the config; no daemon is started for it. */
  readonly offline?: boolean;
  /** False: in the config (online) but no daemon ever answers (an unreachable node). */
  readonly noded?: boolean;
}

export interface LoopbackClusterOptions {
  /** Temp dir prefix. */
  readonly prefix: string;
  readonly nodes: readonly LoopbackNodeSpec[];
  /** Start ganeti-masterd on node 0 (default false). */
  readonly masterd?: boolean;
  readonly enabledDiskTemplates?: readonly string[];
  readonly enabledHypervisors?: readonly string[];
  /** Extra environment (or a command prefix such as faketime) for one node's daemon. */
  readonly nodedLaunch?: (index: number) => NodedLaunch | undefined;
  readonly clusterName?: string;
  /** Key type of the certificates (default RSA; EC is faster to make). */
  readonly keyType?: KeyType;
  /** A ganeti config file (GANETI_CONFIG) naming more plugins, for every daemon and the initial config. */
  readonly pluginConfig?: string;
  readonly volumeGroupName?: string;
}

export interface NodedLaunch {
  readonly env?: Readonly<Record<string, string>>;
  /** An argv prefix the daemon's start command runs under (e.g. `unshare --mount ...`). */
  readonly wrap?: readonly string[];
}

export interface LoopbackCluster {
  readonly top: string;
  readonly nodes: readonly LoopbackNodeSpec[];
  readonly roots: readonly string[];
  readonly paths: readonly GanetiPaths[];
  readonly masterd: RunningMasterd | undefined;
  /** The nodes as the RPC client reaches them. */
  rpcNodes(): RpcNode[];
  /** An RPC client with the master's credentials (close it). */
  rpc(): Promise<RpcClient>;
  nodedPid(index: number): number | null;
  startNoded(index: number, launch?: NodedLaunch): Promise<number>;
  /** SIGTERM (or `signal`) and wait until the process is gone. */
  stopNoded(index: number, signal?: NodeJS.Signals): Promise<void>;
  /** The node daemon's log file. */
  nodedLog(index: number): string;
  /** Stops every daemon it started and removes the temp dir. */
  destroy(): Promise<void>;
}

async function waitGone(pid: number, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > end) throw new Error(`process ${pid} did not exit`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function startLoopbackCluster(o: LoopbackClusterOptions): Promise<LoopbackCluster> {
  const top = await tempDir(o.prefix);
  const roots = o.nodes.map((n) => join(top, n.name));
  const paths = roots.map((r) => ganetiPaths(r));
  const started = new Set<number>();
  let masterd: RunningMasterd | undefined;
  const pluginEnv: Record<string, string> = o.pluginConfig ? { GANETI_CONFIG: o.pluginConfig } : {};

  const nodedPid = (i: number): number | null => {
    const f = join(paths[i]!.runDir, 'ganeti-noded.pid');
    return existsSync(f) ? Number(readFileSync(f, 'utf8')) : null;
  };
  const startNoded = async (i: number, launch = o.nodedLaunch?.(i)): Promise<number> => {
    // the CLI detaches the daemon and returns once its port answers
    await runChecked([...(launch?.wrap ?? []), process.execPath, join(REPO_ROOT, 'dist/cli/ganeti-noded.js'), '-b', o.nodes[i]!.ip, '-p', String(NODED_PORT)], {
      env: { GANETI_ROOT: roots[i]!, GANETI_HOSTNAME: o.nodes[i]!.name, PATH, ...pluginEnv, ...launch?.env },
      timeoutMs: 60_000,
    });
    started.add(i);
    return nodedPid(i)!;
  };
  const stopNoded = async (i: number, signal: NodeJS.Signals = 'SIGTERM') => {
    const pid = nodedPid(i);
    if (pid === null || !alive(pid)) return;
    process.kill(pid, signal);
    await waitGone(pid);
  };
  const destroy = async () => {
    await masterd?.stop().catch(() => masterd?.kill9());
    await Promise.all([...started].map((i) => stopNoded(i).catch(() => stopNoded(i, 'SIGKILL'))));
    await removeDir(top);
  };

  try {
    const keyType = o.keyType ? { keyType: o.keyType } : {};
    await generateClusterCrypto(paths[0]!, { nodeName: o.nodes[0]!.name, ...keyType });
    const masterDigest = await certificateDigest(paths[0]!.clientPem);
    await Promise.all(
      o.nodes.map(async (n, i) => {
        await mkdir(paths[i]!.dataDir, { recursive: true });
        if (i > 0) {
          await copyFile(paths[0]!.serverPem, paths[i]!.serverPem);
          await writeNodeClientCert(paths[i]!, n.name, o.keyType);
        }
        await writeFile(paths[i]!.ssconf('master_candidates_certs'), `master=${masterDigest}\n`);
        await mkdir(paths[i]!.fileStorageDir, { recursive: true });
        await installOs(roots[i]!); // the noop OS, which instance tests name with -o noop
      }),
    );
    await Promise.all(o.nodes.map((n, i) => (n.offline || n.noded === false ? undefined : startNoded(i))));

    const host = await createPluginHost({ paths: paths[0]!, cwd: top, logFor: () => memoryLogger(), ...(o.pluginConfig ? { configFile: o.pluginConfig } : {}) });
    const data = initialConfig(host, {
      clusterName: o.clusterName ?? 'cluster.example.org',
      masterName: o.nodes[0]!.name,
      masterIp: o.nodes[0]!.ip,
      enabledHypervisors: o.enabledHypervisors ?? ['fake'],
      enabledDiskTemplates: o.enabledDiskTemplates ?? ['file'],
      ...(o.volumeGroupName ? { volumeGroupName: o.volumeGroupName } : {}),
    });
    const group = Object.keys(data.nodegroups)[0]!;
    for (let i = 1; i < o.nodes.length; i++) {
      const n = o.nodes[i]!;
      const uuid = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      data.nodes[uuid] = {
        uuid, serial_no: 1, ctime: 1, mtime: 1, tags: [], name: n.name, primary_ip: n.ip, secondary_ip: n.ip,
        master_candidate: n.candidate ?? false, offline: n.offline ?? false, drained: false, group,
        master_capable: true, vm_capable: true, ndparams: {}, powered: true,
      } as never;
    }
    data.cluster.candidate_certs = { [data.cluster.master_node]: masterDigest };
    const store = await ConfigStore.initialize(paths[0]!, data);
    const rpc = await RpcClient.fromPaths(paths[0]!);
    try {
      const r = await distributeConfig(paths[0]!, rpc, store.data, NODED_PORT);
      const silent = new Set(o.nodes.filter((n) => n.noded === false).map((n) => n.name));
      const bad = [...r.ssconf, ...r.config].filter((x) => !x.success && !('offline' in x && x.offline) && !silent.has(x.node));
      if (bad.length) throw new Error(`config distribution failed: ${JSON.stringify(bad)}`);
    } finally {
      rpc.close();
      await store.close();
    }
    if (o.masterd) masterd = await startMasterd(roots[0]!, { env: { GANETI_HOSTNAME: o.nodes[0]!.name, ...pluginEnv } });
  } catch (e) {
    await destroy();
    throw e;
  }

  return {
    top,
    nodes: o.nodes,
    roots,
    paths,
    get masterd() {
      return masterd;
    },
    rpcNodes: () => o.nodes.map((n) => ({ name: n.name, address: n.ip, port: NODED_PORT, offline: n.offline ?? false })),
    rpc: () => RpcClient.fromPaths(paths[0]!),
    nodedPid,
    startNoded,
    stopNoded,
    nodedLog: (i) => paths[i]!.daemonLog('node-daemon'),
    destroy,
  };
}

/** `count` loopback node specs: names nodeN.example.org on `base` + N (e.g. '127.0.6.'). */
export function loopbackNodes(count: number, base: string, first = 1): LoopbackNodeSpec[] {
  return Array.from({ length: count }, (_, i) => ({ name: `node${i + 1}.example.org`, ip: `${base}${first + i}`, candidate: i < 3 }));
}

/** Stops (SIGTERM, waiting) the masterd and noded that `gnt-cluster init` started on a root. */
export async function stopInitDaemons(root: string): Promise<void> {
  for (const daemon of ['ganeti-masterd', 'ganeti-noded']) {
    const pidFile = join(ganetiPaths(root).runDir, `${daemon}.pid`);
    if (!existsSync(pidFile)) continue;
    const pid = Number(readFileSync(pidFile, 'utf8'));
    if (alive(pid)) process.kill(pid, 'SIGTERM');
    await waitGone(pid).catch(() => process.kill(pid, 'SIGKILL'));
  }
}

/** A node of `startCluster`: a master candidate unless told otherwise. */
export interface TestNode {
  readonly name: string;
  readonly ip: string;
  readonly noded?: boolean;
  readonly offline?: boolean;
}

export interface TestCluster {
  readonly top: string;
  readonly roots: readonly string[];
  readonly paths: readonly GanetiPaths[];
  readonly masterd: RunningMasterd;
  destroy(): Promise<void>;
}

/** A loopback cluster whose nodes are all master candidates, with ganeti-masterd running on node 0. */
export async function startCluster(prefix: string, nodes: readonly TestNode[], clusterName = 'cluster.example.org'): Promise<TestCluster> {
  const c = await startLoopbackCluster({ prefix, clusterName, masterd: true, nodes: nodes.map((n) => ({ candidate: true, ...n })) });
  return { top: c.top, roots: c.roots, paths: c.paths, masterd: c.masterd!, destroy: () => c.destroy() };
}
