import { GanetiError } from '../../errors/index.js';
import type { InstanceConsole } from '../../contracts/hypervisor.js';
import { boundRunner } from '../../exec/index.js';
import { memoryLogger } from '../../log.js';
import type { OpInstanceConsole } from '../opcodes/definitions.js';
import { InstanceUnit, isRunning, requireNode, runtimeOf } from './instance-common.js';

/**
 * OP_INSTANCE_CONSOLE: how to reach the console of a running instance (Ganeti's
 * InstanceConsole dict). The hypervisor computes it on the master; nothing runs on a node.
 */
export class InstanceConsoleUnit extends InstanceUnit<OpInstanceConsole> {
  override expandNames(): void {
    this.neededLocks = { instance: [this.lockName()] };
    this.shareLocks = { instance: true };
  }

  async exec(): Promise<InstanceConsole> {
    const inst = this.inst;
    const data = this.data;
    const pnode = requireNode(data, inst.primary_node, inst.primary_node);
    if (pnode.offline) throw new GanetiError('GNT_INSTANCE_NODE', { field: 'primary node', node: pnode.name, problem: 'is offline' });
    if (!(await isRunning(this.ctx, inst))) throw new GanetiError('GNT_INSTANCE_STATE', { instance: inst.name, problem: 'is not running' });
    const hv = this.ctx.host.hypervisors.get(inst.hypervisor);
    const group = data.nodegroups[pnode.group]?.name ?? pnode.group;
    const sshPort = Number(pnode.ndparams?.['ssh_port'] ?? data.nodegroups[pnode.group]?.ndparams?.['ssh_port'] ?? data.cluster.ndparams['ssh_port'] ?? 22);
    const master = data.nodes[data.cluster.master_node]?.name ?? '';
    const ctx = { signal: this.ctx.signal, run: boundRunner(this.ctx.signal), log: memoryLogger(), paths: this.ctx.host.paths, nodeName: master };
    return hv.console(runtimeOf(this.ctx, data, inst), { primary_node: pnode.name, primary_ip: pnode.primary_ip, ssh_port: sshPort, node_group: group, paths: this.ctx.host.paths }, ctx);
  }
}
