import { GanetiError } from '../../errors/index.js';
import type { FrozenConfig } from '../../config/index.js';
import type { PluginHost } from '../../plugin-host/host.js';
import { instanceDisks, requireNode, type NodeView } from './instance-common.js';
import type { InstanceView } from '../../instance/runtime.js';

/**
 * What moving an instance to another node depends on (shared by migrate, failover and the
 * node evacuations): whether its disks can be reached from the target, and which node that is.
 */

/** `internal`: mirrored to the secondary (drbd); `external`: reachable from any node (rbd, sharedfile, ext...); `none`: local only. */
export type DiskReach = 'internal' | 'external' | 'none';

export function diskReach(host: PluginHost, data: FrozenConfig, inst: InstanceView): DiskReach {
  const kinds = new Set(instanceDisks(data, inst).map((d) => (host.storage.has(d.dev_type) ? host.storage.get(d.dev_type).mirrored : 'none')));
  if (kinds.size === 0) return 'external'; // diskless: nothing ties it to a node
  if (kinds.has('none')) return 'none';
  return kinds.has('internal') ? 'internal' : 'external';
}

/**
 * The node an instance moves to: its drbd secondary (a `target_node` must name that one), or
 * for disks reachable from anywhere the node named by `target_node`. Checked to be usable.
 */
export function moveTarget(host: PluginHost, data: FrozenConfig, inst: InstanceView, targetNode: string | null, iallocator: string | null, action: string): NodeView {
  const reach = diskReach(host, data, inst);
  const template = data.disks[inst.disks[0] ?? '']?.dev_type ?? 'diskless';
  if (reach === 'none') throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: 'instance_name', problem: `instance '${inst.name}' has ${template} disks, which only its primary node can reach, so it cannot ${action}; use gnt-instance move` });
  let target: NodeView;
  if (reach === 'internal') {
    const sec = [...new Set(instanceDisks(data, inst).flatMap((d) => d.nodes))].find((n) => n !== inst.primary_node);
    if (!sec) throw new GanetiError('GNT_INSTANCE_STATE', { instance: inst.name, problem: 'has mirrored disks without a secondary node' });
    target = requireNode(data, sec, sec);
    if (targetNode && requireNode(data, targetNode).uuid !== sec)
      throw new GanetiError('GNT_INSTANCE_NODE', { field: 'target_node', node: requireNode(data, targetNode).name, problem: `is not the secondary of the ${template} instance (${target.name}); a ${template} instance can only ${action} to its secondary` });
  } else {
    if (!targetNode) {
      if (iallocator) throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: 'iallocator', problem: 'iallocators are not supported yet; give the target node with -n' });
      throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: 'target_node', problem: `a ${template} instance can ${action} to any node: give the target with -n NODE` });
    }
    target = requireNode(data, targetNode);
  }
  if (target.uuid === inst.primary_node) throw new GanetiError('GNT_INSTANCE_NODE', { field: 'target_node', node: target.name, problem: 'is already the primary node of the instance' });
  const problem = target.offline ? 'is offline' : target.drained ? 'is drained' : target.vm_capable === false ? 'is not vm_capable' : null;
  if (problem) throw new GanetiError('GNT_INSTANCE_NODE', { field: 'target_node', node: target.name, problem });
  return target;
}

/** The address a node receives migrations on: its secondary IP (the replication network) when it has one. */
export const migrationAddress = (n: NodeView): string => n.secondary_ip || n.primary_ip;

/** A target any node may be (gnt-instance move): named, not the primary, usable. */
export function anyTarget(data: FrozenConfig, inst: InstanceView, target: string | null, iallocator: string | null, action: string, field = 'target_node'): NodeView {
  if (!target) {
    if (iallocator) throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: 'iallocator', problem: 'iallocators are not supported yet; give the target node with -n' });
    throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field, problem: `${action} of instance '${inst.name}' needs a target node (-n NODE)` });
  }
  const node = requireNode(data, target);
  if (node.uuid === inst.primary_node) throw new GanetiError('GNT_INSTANCE_NODE', { field, node: node.name, problem: `is already the primary node of instance '${inst.name}'` });
  const problem = node.offline ? 'is offline' : node.drained ? 'is drained' : node.vm_capable === false ? 'is not vm_capable' : null;
  if (problem) throw new GanetiError('GNT_INSTANCE_NODE', { field, node: node.name, problem });
  return node;
}
