import { GanetiError } from '../../errors/index.js';
import type { FrozenConfig } from '../../config/index.js';
import { LogicalUnit, type HookEnvValue, type HookNodes } from '../logical-unit.js';
import type { OpClusterDestroy } from '../opcodes/definitions.js';

/**
 * OP_CLUSTER_DESTROY (`gnt-cluster destroy --yes-do-it`): refused while the cluster has
 * instances or nodes other than the master (Ganeti's LUClusterDestroy). It changes nothing
 * itself and returns the master's UUID; the client then stops the master daemon and makes the
 * master's node daemon leave the cluster (node_stop_master, node_leave_cluster), as Ganeti's
 * FinalizeClusterDestroy does. Hooks: `cluster-destroy`, post phase on the master.
 */
export class ClusterDestroyUnit extends LogicalUnit<OpClusterDestroy> {
  override readonly hookPath = 'cluster-destroy';
  override readonly hookType = 'CLUSTER' as const;

  override checkPrereq(): void {
    const data = this.#data();
    const others = Object.keys(data.nodes).filter((u) => u !== data.cluster.master_node).length;
    if (others > 0) throw new GanetiError('GNT_CLUSTER_NOT_EMPTY', { count: String(others), what: 'node(s)' });
    const instances = Object.keys(data.instances).length;
    if (instances > 0) throw new GanetiError('GNT_CLUSTER_NOT_EMPTY', { count: String(instances), what: 'instance(s)' });
  }

  async exec(): Promise<string> {
    return this.#data().cluster.master_node;
  }

  override hooksEnv(): Record<string, HookEnvValue> {
    return { OP_TARGET: this.#data().cluster.cluster_name };
  }

  override hooksNodes(): HookNodes {
    return { pre: [], post: [this.#data().cluster.master_node] };
  }

  #data(): FrozenConfig {
    if (!this.ctx.config) throw new GanetiError('GNT_CLUSTER_NOT_INITIALIZED', {});
    return this.ctx.config.data;
  }
}
