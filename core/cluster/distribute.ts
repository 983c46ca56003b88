import type { Logger } from '../contracts/context.js';
import type { GanetiPaths } from '../paths.js';
import { computeSsconf, writeSsconfFiles, type FrozenConfig } from '../config/index.js';
import type { RpcClient, RpcNode, RpcResult } from '../rpc/index.js';

export interface DistributionResult {
  /** write_ssconf_files, one result per node other than the master. */
  readonly ssconf: RpcResult[];
  /** upload_file of config.data, one result per master candidate other than the master. */
  readonly config: RpcResult[];
}

export const NODED_PORT = 1811;

const rpcNode = (n: { name: string; primary_ip: string; offline: boolean }, port: number): RpcNode => ({ name: n.name, address: n.primary_ip, port, offline: n.offline });

/**
 * After a config write (interfaces §10.3): ssconf values are written on the master and sent
 * to every other node, config.data is uploaded to the other master candidates. Offline nodes
 * are skipped at once; a node that fails is reported, never retried here (the next write, or
 * `gnt-cluster redist-conf`, sends everything again).
 */
export async function distributeConfig(paths: GanetiPaths, rpc: RpcClient, data: FrozenConfig, port = NODED_PORT): Promise<DistributionResult> {
  const values = computeSsconf(data);
  await writeSsconfFiles(paths, values);
  const others = Object.values(data.nodes).filter((n) => n.uuid !== data.cluster.master_node);
  const candidates = others.filter((n) => n.master_candidate);
  const [ssconf, config] = await Promise.all([
    others.length ? rpc.call('write_ssconf_files', others.map((n) => rpcNode(n, port)), [values]) : [],
    candidates.length ? rpc.call('upload_file', candidates.map((n) => rpcNode(n, port)), [paths.configData]) : [],
  ]);
  return { ssconf, config };
}

/**
 * Runs distributions one after another; a write that comes while one runs is folded into
 * the next run, so a burst of writes costs at most two rounds.
 */
export function distributor(run: () => Promise<DistributionResult>, log: Logger): { schedule(): void; idle(): Promise<void> } {
  let running: Promise<void> | null = null;
  let again = false;
  const loop = async () => {
    do {
      again = false;
      try {
        const r = await run();
        for (const f of [...r.ssconf, ...r.config]) if (!f.success) log.warn(`config distribution to ${f.node} failed: ${f.error}`);
      } catch (e) {
        log.error(`config distribution failed: ${(e as Error).message}`);
      }
    } while (again);
    running = null;
  };
  return {
    schedule() {
      if (running) again = true;
      else running = loop();
    },
    idle: () => running ?? Promise.resolve(),
  };
}
