import { GanetiError } from '../../errors/index.js';
import type { FrozenConfig } from '../../config/index.js';
import { nodesToPromote, setCandidate, setCandidateCert } from '../../cluster/candidates.js';
import { LogicalUnit, type HookEnvValue, type HookNodes } from '../logical-unit.js';
import type { OpNodeRemove } from '../opcodes/definitions.js';
import { distributeNow, instancesOn, logInfo, logWarning, promotionDigests, requireNode, rpcNode, type NodeView } from './node-common.js';

/**
 * OP_NODE_REMOVE (`gnt-node remove`, Ganeti's LUNodeRemove): refuses the master and nodes
 * still used by instances; fills the candidate pool without the node, drops it (and its
 * certificate digest) from the configuration, then asks its daemon to leave the cluster
 * (node_leave_cluster: it removes its cluster files and exits). A node that cannot be told
 * is only warned about: it is out of the configuration either way.
 */
export class NodeRemoveUnit extends LogicalUnit<OpNodeRemove> {
  override readonly hookPath = 'node-remove';
  override readonly hookType = 'NODE' as const;
  #node!: NodeView;

  override checkPrereq(): void {
    const data = this.#data();
    this.#node = requireNode(data, this.op.node_name, this.op.node_uuid);
    if (this.#node.uuid === data.cluster.master_node)
      throw new GanetiError('GNT_NODE_IS_MASTER', { node: this.#node.name, problem: 'failover to another node is required before it can be removed' });
    const [instance] = instancesOn(data, this.#node.uuid);
    if (instance !== undefined) throw new GanetiError('GNT_NODE_HAS_INSTANCES', { node: this.#node.name, instance });
  }

  override hooksEnv(): Record<string, HookEnvValue> {
    return { OP_TARGET: this.#node.name, NODE_NAME: this.#node.name };
  }

  override hooksNodes(): HookNodes {
    const others = Object.keys(this.#data().nodes).filter((u) => u !== this.#node.uuid);
    return { pre: others, post: others };
  }

  async exec(): Promise<null> {
    const node = this.#node;
    const rpc = await this.ctx.rpc();
    const promote = nodesToPromote(this.#data(), [node.uuid]);
    const digests = await promotionDigests(this.ctx, rpc, promote);
    await this.ctx.config!.update((txn) => {
      for (const [uuid, digest] of digests) setCandidate(txn, uuid, digest);
      setCandidateCert(txn, node.uuid, null);
      txn.remove('nodes', node.uuid);
    });
    if (digests.size) logInfo(this.ctx, `Promoted nodes to master candidate role: ${promote.filter((n) => digests.has(n.uuid)).map((n) => n.name).join(', ')}`);

    const [r] = await rpc.call('node_leave_cluster', [rpcNode(node)], [false]);
    if (r && !r.success) logWarning(this.ctx, `Errors encountered on the remote node while leaving the cluster: ${r.error}`);
    await distributeNow(this.ctx, rpc);
    return null;
  }

  #data(): FrozenConfig {
    if (!this.ctx.config) throw new GanetiError('GNT_CLUSTER_NOT_INITIALIZED', {});
    return this.ctx.config.data;
  }
}
