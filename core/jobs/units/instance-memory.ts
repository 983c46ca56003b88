import { GanetiError } from '../../errors/index.js';
import type { FrozenConfig, ParamDict } from '../../config/index.js';
import type { HvNodeInfo } from '../../contracts/hypervisor.js';
import { DEFAULT_BEPARAMS } from '../../cluster/defaults.js';
import type { UnitContext } from '../logical-unit.js';
import { rpcNode, type NodeView } from './node-common.js';

/**
 * Ganeti's CheckNodeFreeMemory: before an instance starts on a node, the node's hypervisor
 * must report enough free memory (maxmem for a new instance, minmem for a start). A node
 * that does not answer is an error too: starting blind could push it into swapping.
 */
export async function checkFreeMemory(ctx: UnitContext, data: FrozenConfig, node: NodeView, instance: string, hypervisor: string, beparams: ParamDict, which: 'maxmem' | 'minmem' = 'maxmem'): Promise<void> {
  const needed = Number(beparams[which] ?? data.cluster.beparams['default']?.[which] ?? DEFAULT_BEPARAMS[which]);
  const rpc = await ctx.rpc();
  const r = await rpc.callNode<[unknown, unknown, HvNodeInfo[]]>('node_info', rpcNode(node), [[], [[hypervisor, { ...(data.cluster.hvparams[hypervisor] ?? {}) }]]], { signal: ctx.signal });
  const free = r?.success ? r.payload[2]?.[0]?.memory_free : undefined;
  if (typeof free !== 'number')
    throw new GanetiError('GNT_INSTANCE_NODE', { field: 'pnode', node: node.name, problem: `did not report its free memory (${r?.success ? 'no figure' : (r?.error ?? 'no answer')})` });
  if (free < needed) throw new GanetiError('GNT_INSTANCE_NO_MEMORY', { node: node.name, instance, needed: String(needed), free: String(free) });
}
