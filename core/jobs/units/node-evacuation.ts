import { GanetiError } from '../../errors/index.js';
import { niceSortBy } from '../../config/nicesort.js';
import { LogicalUnit, ResultWithJobs, type HookEnvValue, type HookNodes } from '../logical-unit.js';
import type { OpNodeEvacuate, OpNodeMigrate } from '../opcodes/definitions.js';
import { configData } from './group-params.js';
import { requireNode, type NodeView } from './node-common.js';
import { diskReach } from './instance-placement.js';
import { isRunning, secondaryNodes } from './instance-common.js';

/**
 * The node-wide moves, as Ganeti does them: the unit decides which instances go where and
 * returns one job per instance (ResultWithJobs), which the caller follows.
 * - OP_NODE_MIGRATE: every primary instance of the node, migrated.
 * - OP_NODE_EVACUATE: primary instances migrated when they run and can, failed over
 *   otherwise (mode `primary-only` or `all`); drbd instances for which the node is the
 *   secondary get a new secondary with replace-disks (mode `secondary-only` or `all`).
 */

const primaryInstances = (data: ReturnType<typeof configData>, node: NodeView) =>
  niceSortBy(Object.values(data.instances).filter((i) => i.primary_node === node.uuid), (i) => i.name);

export class NodeMigrateUnit extends LogicalUnit<OpNodeMigrate> {
  override readonly requiresBgl = false;
  override readonly hookPath = 'node-migrate';
  override readonly hookType = 'NODE' as const;
  #node!: NodeView;

  override expandNames(): void {
    this.neededLocks = { node: 'ALL' };
    this.shareLocks = { node: true };
  }

  override checkPrereq(): void {
    this.#node = requireNode(configData(this.ctx.config), this.op.node_name);
  }

  override hooksEnv(): Record<string, HookEnvValue> {
    return { NODE_NAME: this.#node.name };
  }

  override hooksNodes(): HookNodes {
    const master = configData(this.ctx.config).cluster.master_node;
    return { pre: [master], post: [master] };
  }

  async exec(): Promise<ResultWithJobs> {
    const data = configData(this.ctx.config);
    const jobs = primaryInstances(data, this.#node).map((i) => [{
      OP_ID: 'OP_INSTANCE_MIGRATE', instance_name: i.name, mode: this.op.mode, live: this.op.live, target_node: this.op.target_node,
      iallocator: this.op.iallocator, allow_runtime_changes: this.op.allow_runtime_changes, ignore_ipolicy: this.op.ignore_ipolicy, allow_failover: true,
    }]);
    this.ctx.feedback(`* migrating ${jobs.length} instance(s) off node ${this.#node.name}`);
    return new ResultWithJobs(jobs);
  }
}

export class NodeEvacuateUnit extends LogicalUnit<OpNodeEvacuate> {
  override readonly requiresBgl = false;
  #node!: NodeView;
  #remote: NodeView | null = null;

  override expandNames(): void {
    this.neededLocks = { node: 'ALL' };
    this.shareLocks = { node: true };
  }

  override checkPrereq(): void {
    const data = configData(this.ctx.config);
    this.#node = requireNode(data, this.op.node_name);
    if (this.op.iallocator && !this.op.remote_node) throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: 'iallocator', problem: 'iallocators are not supported yet; give the target with -n NODE' });
    if (this.op.remote_node) {
      this.#remote = requireNode(data, this.op.remote_node, null);
      if (this.#remote.uuid === this.#node.uuid) throw new GanetiError('GNT_INSTANCE_NODE', { field: 'remote_node', node: this.#remote.name, problem: 'is the node being evacuated' });
    }
  }

  async exec(): Promise<ResultWithJobs> {
    const data = configData(this.ctx.config);
    const jobs: Record<string, unknown>[][] = [];
    const target = this.#remote?.name ?? null;
    if (this.op.mode !== 'secondary-only') {
      for (const i of primaryInstances(data, this.#node)) {
        const reach = diskReach(this.ctx.host, data, i);
        if (reach === 'none') throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: 'node_name', problem: `instance '${i.name}' has disks only node ${this.#node.name} reaches; move it with gnt-instance move first` });
        if (reach === 'external' && !target) throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: 'remote_node', problem: `instance '${i.name}' can go to any node: give the target with -n NODE` });
        const canMigrate = Boolean(this.ctx.host.hypervisors.get(i.hypervisor).canMigrate) && (await isRunning(this.ctx, i)) === true;
        jobs.push([canMigrate
          ? { OP_ID: 'OP_INSTANCE_MIGRATE', instance_name: i.name, target_node: reach === 'internal' ? null : target, allow_failover: true }
          : { OP_ID: 'OP_INSTANCE_FAILOVER', instance_name: i.name, target_node: reach === 'internal' ? null : target }]);
      }
    }
    if (this.op.mode !== 'primary-only') {
      const secondaries = niceSortBy(Object.values(data.instances).filter((i) => secondaryNodes(data, i).includes(this.#node.uuid)), (i) => i.name);
      if (secondaries.length && !target) throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: 'remote_node', problem: `the node is the secondary of ${secondaries.map((i) => i.name).join(', ')}: give the new secondary with -n NODE` });
      for (const i of secondaries) jobs.push([{ OP_ID: 'OP_INSTANCE_REPLACE_DISKS', instance_name: i.name, mode: 'replace_new_secondary', remote_node: target, early_release: this.op.early_release }]);
    }
    this.ctx.feedback(`* evacuating ${jobs.length} instance(s) from node ${this.#node.name}`);
    return new ResultWithJobs(jobs);
  }
}
