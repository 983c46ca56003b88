import { GanetiError } from '../../errors/index.js';
import { niceSort, type FrozenConfig } from '../../config/index.js';
import { ALL_SET, LogicalUnit } from '../logical-unit.js';
import type { OpGroupAssignNodes } from '../opcodes/definitions.js';
import { configData, requireGroup } from './group-params.js';

/**
 * OP_GROUP_ASSIGN_NODES (`gnt-group assign-nodes`): moves nodes into a group. An instance
 * whose nodes would end up in different groups is refused unless `force`, then it is only a
 * warning. No hooks (as in Ganeti).
 */
export class GroupAssignNodesUnit extends LogicalUnit<OpGroupAssignNodes> {
  override readonly requiresBgl = false;
  #group = '';
  #nodes: string[] = [];

  override expandNames(): void {
    // the target group and the nodes' current groups, and the nodes themselves
    this.neededLocks = { nodegroup: ALL_SET, node: ALL_SET };
  }

  override checkPrereq(): void {
    const data = configData(this.ctx.config);
    this.#group = requireGroup(data, this.op.group_name).uuid;
    const byName = new Map(Object.values(data.nodes).map((n) => [n.name, n.uuid]));
    const wanted = this.op.node_uuids ?? this.op.nodes;
    const field = this.op.node_uuids ? 'node_uuids' : 'nodes';
    this.#nodes = [...new Set(wanted.map((n) => {
      const uuid = data.nodes[n] ? n : byName.get(n);
      if (!uuid) throw new GanetiError('GNT_NODE_UNKNOWN', { field, name: n });
      return uuid;
    }))];
    const { newly, already } = splitInstances(data, new Map(this.#nodes.map((u) => [u, this.#group])));
    if (newly.length) {
      if (!this.op.force) throw new GanetiError('GNT_GROUP_SPLIT_INSTANCES', { instances: newly.join(', ') });
      this.ctx.feedback(` - WARNING: This operation will split the following instances: ${newly.join(', ')}`);
    }
    if (already.length) this.ctx.feedback(` - WARNING: In addition, these already-split instances continue to be split across groups: ${already.join(', ')}`);
  }

  async exec(): Promise<null> {
    await this.ctx.config!.update((txn) => {
      for (const uuid of this.#nodes) if (txn.data.nodes[uuid]!.group !== this.#group) txn.edit('nodes', uuid).group = this.#group;
    });
    return null;
  }
}

/** Instances whose nodes (primary and disk nodes) span groups after the change, newly or already. */
function splitInstances(data: FrozenConfig, moves: ReadonlyMap<string, string>): { newly: string[]; already: string[] } {
  const groupNow = (n: string) => data.nodes[n]?.group;
  const groupAfter = (n: string) => moves.get(n) ?? groupNow(n);
  const newly: string[] = [];
  const already: string[] = [];
  for (const inst of Object.values(data.instances)) {
    const nodes = new Set([inst.primary_node, ...inst.disks.flatMap((d) => data.disks[d]?.nodes ?? [])]);
    if (nodes.size < 2) continue;
    const before = new Set([...nodes].map(groupNow)).size > 1;
    const after = new Set([...nodes].map(groupAfter)).size > 1;
    if (after && !before) newly.push(inst.name);
    else if (after && before) already.push(inst.name);
  }
  return { newly: niceSort(newly), already: niceSort(already) };
}
