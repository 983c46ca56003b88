import { GanetiError } from '../../errors/index.js';
import { niceSort } from '../../config/index.js';
import { ALL_SET, LogicalUnit, type HookNodes } from '../logical-unit.js';
import type { OpGroupRemove } from '../opcodes/definitions.js';
import { configData, requireGroup, masterHookNodes } from './group-params.js';

/**
 * OP_GROUP_REMOVE (`gnt-group remove`): only an empty group that is not the last one goes.
 * Hooks: `group-remove` on the master.
 */
export class GroupRemoveUnit extends LogicalUnit<OpGroupRemove> {
  override readonly requiresBgl = false;
  override readonly hookPath = 'group-remove';
  override readonly hookType = 'GROUP' as const;
  #uuid = '';

  override expandNames(): void {
    // nodes are read to see that none is left in the group
    this.neededLocks = { nodegroup: ALL_SET, node: ALL_SET };
    this.shareLocks = { node: true };
  }

  override checkPrereq(): void {
    const data = configData(this.ctx.config);
    const g = requireGroup(data, this.op.group_name);
    this.#uuid = g.uuid;
    const members = Object.values(data.nodes).filter((n) => n.group === g.uuid).map((n) => n.name);
    if (members.length) throw new GanetiError('GNT_GROUP_NOT_EMPTY', { name: g.name, nodes: niceSort(members).join(', ') });
    if (Object.keys(data.nodegroups).length === 1) throw new GanetiError('GNT_GROUP_LAST', { name: g.name });
  }

  override hooksEnv() {
    return { GROUP_NAME: this.op.group_name };
  }

  override hooksNodes(): HookNodes {
    return masterHookNodes(this.ctx.config);
  }

  async exec(): Promise<null> {
    await this.ctx.config!.update((txn) => txn.remove('nodegroups', this.#uuid));
    return null;
  }
}
