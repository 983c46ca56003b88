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
import { RpcClient } from '../../core/rpc/index.js';
import { REPO_ROOT, removeDir, tempDir } from './tmp.js';
import { alive, startMasterd, type RunningMasterd } from './masterd.js';

/** A node of a test cluster: its name, its loopback address, whether it runs a noded. */
export interface TestNode {
  readonly name: string;
  readonly ip: string;
  /** Default true; false for a node that is in the config but never answers. */
  readonly noded?: boolean;
  readonly offline?: boolean;
}

export interface TestCluster {
  readonly top: string;
  /** One root prefix per node, the master's first. */
  readonly roots: string[];
  readonly paths: GanetiPaths[];
  readonly masterd: RunningMasterd;
  /** Stops masterd and every noded this cluster started, removes the folders. */
  destroy(): Promise<void>;
}

const PORT = 1811;

async function stopNoded(p: GanetiPaths): Promise<void> {
  const f = join(p.runDir, 'ganeti-noded.pid');
  if (!existsSync(f)) return;
  const pid = Number(readFileSync(f, 'utf8'));
  if (!alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 500 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
}

/**
 * A real cluster on this machine (as cluster-verify.test.ts builds it): the first node is the
 * master; every node has its own root under one temp folder and, unless told otherwise, a
 * real ganeti-noded on its loopback address; all are master candidates of the default group.
 * Then ganeti-masterd starts on the master's root.
 */
export async function startCluster(prefix: string, nodes: readonly TestNode[], clusterName = 'cluster.example.org'): Promise<TestCluster> {
  const top = await tempDir(prefix);
  const roots = nodes.map((n) => join(top, n.name));
  const paths = roots.map((r) => ganetiPaths(r));
  let masterd: RunningMasterd | undefined;
  const destroy = async () => {
    await masterd?.stop();
    for (const p of paths) await stopNoded(p);
    await removeDir(top);
  };
  try {
    await generateClusterCrypto(paths[0]!, { nodeName: nodes[0]!.name });
    const masterDigest = await certificateDigest(paths[0]!.clientPem);
    for (let i = 0; i < nodes.length; i++) {
      if (i > 0) {
        await mkdir(paths[i]!.dataDir, { recursive: true });
        await copyFile(paths[0]!.serverPem, paths[i]!.serverPem);
        await writeNodeClientCert(paths[i]!, nodes[i]!.name);
      }
      await writeFile(paths[i]!.ssconf('master_candidates_certs'), `master=${masterDigest}\n`);
      if (nodes[i]!.noded !== false)
        await runChecked([process.execPath, join(REPO_ROOT, 'dist/cli/ganeti-noded.js'), '-b', nodes[i]!.ip, '-p', String(PORT)], { env: { GANETI_ROOT: roots[i]!, PATH: process.env['PATH'] ?? '' }, timeoutMs: 60_000 });
    }
    const host = await createPluginHost({ paths: paths[0]!, cwd: top, logFor: () => memoryLogger() });
    const data = initialConfig(host, { clusterName, masterName: nodes[0]!.name, masterIp: nodes[0]!.ip, enabledHypervisors: ['fake'], enabledDiskTemplates: ['file'] });
    const group = Object.keys(data.nodegroups)[0]!;
    const master = Object.values(data.nodes)[0]!;
    Object.assign(master, { primary_ip: nodes[0]!.ip, secondary_ip: nodes[0]!.ip });
    for (let i = 1; i < nodes.length; i++) {
      const n = nodes[i]!;
      const uuid = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      data.nodes[uuid] = {
        uuid, serial_no: 1, ctime: 1, mtime: 1, tags: [], name: n.name, primary_ip: n.ip, secondary_ip: n.ip,
        master_candidate: true, offline: n.offline ?? false, drained: false, group, master_capable: true, vm_capable: true, ndparams: {}, powered: true,
      };
    }
    data.cluster.candidate_certs = { [data.cluster.master_node]: masterDigest };
    const store = await ConfigStore.initialize(paths[0]!, data);
    const rpc = await RpcClient.fromPaths(paths[0]!);
    try {
      await distributeConfig(paths[0]!, rpc, store.data, PORT);
    } finally {
      rpc.close();
      await store.close();
    }
    masterd = await startMasterd(roots[0]!);
    return { top, roots, paths, masterd, destroy };
  } catch (e) {
    await destroy();
    throw e;
  }
}
