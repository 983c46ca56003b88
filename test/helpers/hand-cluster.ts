import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run, runChecked } from '../../core/exec/index.js';
import { ganetiPaths, type GanetiPaths } from '../../core/paths.js';
import { createPluginHost } from '../../core/plugin-host/index.js';
import { memoryLogger } from '../../core/log.js';
import { ConfigStore, type FrozenConfig } from '../../core/config/index.js';
import { initialConfig } from '../../core/cluster/init.js';
import { distributeConfig } from '../../core/cluster/distribute.js';
import { certificateDigest, generateClusterCrypto, writeNodeClientCert } from '../../core/crypto/index.js';
import { RpcClient } from '../../core/rpc/index.js';
import { REPO_ROOT, removeDir, tempDir } from './tmp.js';
import { alive } from './masterd.js';

/**
 * A multi-node cluster of real processes built by hand (no `gnt-node add`): one root per node
 * under a temp folder, the cluster certificate copied to each, a client certificate per node,
 * every master candidate's digest in `candidate_certs`, a ganeti-noded per node on its own
 * loopback address, the config written on the first node (the master) and distributed, and
 * ganeti-masterd started there. `stop()` ends every daemon started under the roots (pid files)
 * and removes the folder.
 */
export interface HandNode {
  readonly name: string;
  readonly ip: string;
  readonly candidate: boolean;
  readonly uuid: string;
  readonly root: string;
  readonly paths: GanetiPaths;
}

export interface HandCluster {
  readonly top: string;
  readonly nodes: readonly HandNode[];
  /** Runs a gnt-* command as `node` (its root, name and address); `input` goes to stdin. */
  gnt(node: HandNode, binary: string, args: readonly string[], input?: string): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** The pid of a daemon on a node from its pid file, if that process is alive. */
  pid(node: HandNode, daemon: 'ganeti-masterd' | 'ganeti-noded'): number | null;
  /** The node's config.data, parsed. */
  config(node: HandNode): { serial_no: number; cluster: { master_node: string } } & Record<string, unknown>;
  startNoded(node: HandNode): Promise<void>;
  stopDaemon(node: HandNode, daemon: 'ganeti-masterd' | 'ganeti-noded'): Promise<void>;
  stop(): Promise<void>;
}

export interface HandNodeSpec {
  readonly name: string;
  readonly ip: string;
  readonly candidate: boolean;
}

const PORT = 1811;
const uuidOf = (i: number) => `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`;

async function waitGone(pid: number, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (alive(pid) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

export async function handCluster(prefix: string, specs: readonly HandNodeSpec[], o: { startMaster?: boolean } = {}): Promise<HandCluster> {
  const top = await tempDir(prefix);
  const nodes: HandNode[] = specs.map((s, i) => {
    const root = join(top, s.name);
    return { ...s, candidate: i === 0 || s.candidate, uuid: uuidOf(i), root, paths: ganetiPaths(root) };
  });
  const envOf = (n: HandNode): Record<string, string> => ({ GANETI_ROOT: n.root, GANETI_HOSTNAME: n.name, GANETI_NODE_IP: n.ip, PATH: process.env['PATH'] ?? '/usr/bin:/bin', TZ: 'UTC' });

  const c: HandCluster = {
    top,
    nodes,
    async gnt(node, binary, args, input) {
      const r = await run([process.execPath, join(REPO_ROOT, 'dist', 'cli', `${binary}.js`), ...args], {
        env: envOf(node),
        inheritEnv: [],
        timeoutMs: 90_000,
        ...(input !== undefined ? { input } : {}),
      });
      return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
    },
    pid(node, daemon) {
      const f = join(node.paths.runDir, `${daemon}.pid`);
      if (!existsSync(f)) return null;
      const pid = Number(readFileSync(f, 'utf8'));
      return pid > 0 && alive(pid) ? pid : null;
    },
    config: (node) => JSON.parse(readFileSync(node.paths.configData, 'utf8')) as ReturnType<HandCluster['config']>,
    async startNoded(node) {
      await runChecked([process.execPath, join(REPO_ROOT, 'dist/cli/ganeti-noded.js'), '-b', node.ip, '-p', String(PORT)], { env: envOf(node), inheritEnv: [], timeoutMs: 60_000 });
    },
    async stopDaemon(node, daemon) {
      const pid = c.pid(node, daemon);
      if (pid === null) return;
      process.kill(pid, 'SIGTERM');
      await waitGone(pid);
    },
    async stop() {
      for (const n of nodes) {
        await c.stopDaemon(n, 'ganeti-masterd').catch(() => undefined);
        await c.stopDaemon(n, 'ganeti-noded').catch(() => undefined);
      }
      await removeDir(top);
    },
  };

  try {
    const first = nodes[0]!;
    await generateClusterCrypto(first.paths, { nodeName: first.name });
    for (const n of nodes.slice(1)) {
      await mkdir(n.paths.dataDir, { recursive: true });
      await copyFile(first.paths.serverPem, n.paths.serverPem);
      await writeNodeClientCert(n.paths, n.name);
    }
    const digests = new Map<string, string>();
    for (const n of nodes) digests.set(n.uuid, await certificateDigest(n.paths.clientPem));
    // Until the first distribution, each node accepts the master's certificate only.
    for (const n of nodes) {
      await mkdir(n.paths.dataDir, { recursive: true });
      await writeFile(n.paths.ssconf('master_candidates_certs'), `${first.uuid}=${digests.get(first.uuid)}\n`);
      await c.startNoded(n);
    }

    const host = await createPluginHost({ paths: first.paths, cwd: top, logFor: () => memoryLogger() });
    const data = initialConfig(host, { clusterName: 'cluster.example.org', masterName: first.name, masterIp: first.ip, enabledHypervisors: ['fake'], enabledDiskTemplates: ['file', 'diskless'] });
    const group = Object.keys(data.nodegroups)[0]!;
    const [master] = Object.values(data.nodes);
    data.nodes = Object.fromEntries(
      nodes.map((n, i) => [
        n.uuid,
        i === 0
          ? { ...master!, uuid: n.uuid }
          : { uuid: n.uuid, serial_no: 1, ctime: 1, mtime: 1, tags: [], name: n.name, primary_ip: n.ip, secondary_ip: n.ip, master_candidate: n.candidate, offline: false, drained: false, group, master_capable: true, vm_capable: true, ndparams: {}, powered: true },
      ]),
    ) as typeof data.nodes;
    data.cluster.master_node = first.uuid;
    data.cluster.candidate_certs = Object.fromEntries(nodes.filter((n) => n.candidate).map((n) => [n.uuid, digests.get(n.uuid)!]));
    const store = await ConfigStore.initialize(first.paths, data);
    const rpc = await RpcClient.fromPaths(first.paths);
    try {
      const r = await distributeConfig(first.paths, rpc, store.data as FrozenConfig, PORT);
      const failed = [...r.ssconf, ...r.config].filter((x) => !x.success);
      if (failed.length) throw new Error(`distribution failed: ${JSON.stringify(failed)}`);
    } finally {
      rpc.close();
      await store.close();
    }
    if (o.startMaster !== false) {
      await runChecked([process.execPath, join(REPO_ROOT, 'dist/cli/ganeti-masterd.js')], { env: envOf(first), inheritEnv: [], timeoutMs: 60_000 });
    }
  } catch (e) {
    await c.stop();
    throw e;
  }
  return c;
}
