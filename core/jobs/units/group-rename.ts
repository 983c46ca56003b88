import { GanetiError } from '../../errors/index.js';
import { ALL_SET, LogicalUnit, type HookNodes } from '../logical-unit.js';
import type { OpGroupRename } from '../opcodes/definitions.js';
import { configData, lookupGroup, requireGroup } from './group-params.js';

/**
 * OP_GROUP_RENAME (`gnt-group rename`): nodes point at the group's UUID, so renaming changes
 * the group object only. Hooks: `group-rename` on the master and the group's nodes.
 */
export class GroupRenameUnit extends LogicalUnit<OpGroupRename> {
  override readonly requiresBgl = false;
  override readonly hookPath = 'group-rename';
  override readonly hookType = 'GROUP' as const;
  #uuid = '';

  override expandNames(): void {
    this.neededLocks = { nodegroup: ALL_SET };
  }

  override checkPrereq(): void {
    const data = configData(this.ctx.config);
    this.#uuid = requireGroup(data, this.op.group_name).uuid;
    const clash = lookupGroup(data, this.op.new_name);
    if (clash) throw new GanetiError('GNT_GROUP_EXISTS', { field: 'new_name', name: this.op.new_name, uuid: clash.uuid });
  }

  override hooksEnv() {
    return { OLD_NAME: this.op.group_name, NEW_NAME: this.op.new_name };
  }

  override hooksNodes(): HookNodes {
    const data = configData(this.ctx.config);
    const members = Object.values(data.nodes).filter((n) => n.group === this.#uuid && n.uuid !== data.cluster.master_node).map((n) => n.uuid);
    const all = [data.cluster.master_node, ...members];
    return { pre: all, post: all };
  }

  async exec(): Promise<string> {
    await this.ctx.config!.update((txn) => {
      txn.edit('nodegroups', this.#uuid).name = this.op.new_name;
    });
    return this.op.new_name;
  }
}
