import { GanetiError } from '../../errors/index.js';
import type { FrozenConfig } from '../../config/index.js';
import { distributeConfig } from '../../cluster/distribute.js';
import { LogicalUnit, ALL_SET } from '../logical-unit.js';
import type { OpClusterRedistConf } from '../opcodes/definitions.js';

/**
 * OP_CLUSTER_REDIST_CONF (`gnt-cluster redist-conf`): writes ssconf on the master and sends
 * it to every node, and config.data to the master candidates, as after any config write.
 * Nodes that fail are reported in the job log; the opcode fails if any online node did.
 */
export class ClusterRedistConfUnit extends LogicalUnit<OpClusterRedistConf> {
  override readonly requiresBgl = false;

  override expandNames(): void {
    this.neededLocks = { node: ALL_SET };
    this.shareLocks = { node: true };
  }

  async exec(): Promise<null> {
    if (!this.ctx.config) throw new GanetiError('GNT_CLUSTER_NOT_INITIALIZED', {});
    const data = this.ctx.config.data as FrozenConfig;
    const r = await distributeConfig(this.ctx.host.paths, await this.ctx.rpc(), data);
    const failed = [...r.ssconf, ...r.config].filter((x) => !x.success && !('offline' in x && x.offline));
    for (const f of failed) this.ctx.feedback(`Copy of configuration to node ${f.node} failed: ${f.success ? '' : f.error}`);
    if (failed.length) throw new GanetiError('GNT_RPC_DISTRIBUTION', { nodes: [...new Set(failed.map((f) => f.node))].join(', ') });
    return null;
  }
}
