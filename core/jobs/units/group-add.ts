import { GanetiError } from '../../errors/index.js';
import type { NodeGroup, ParamDict } from '../../config/index.js';
import { ALL_SET, LogicalUnit, type HookNodes } from '../logical-unit.js';
import type { OpGroupAdd } from '../opcodes/definitions.js';
import { checkDiskparams, checkIpolicy, checkNdparams, configData, lookupGroup, masterHookNodes } from './group-params.js';

/**
 * OP_GROUP_ADD (`gnt-group add`): a new, empty node group. The parameters are checked before
 * any lock is taken; the name must not be taken by another group (nor be another group's
 * UUID). Hooks: `group-add` on the master.
 */
export class GroupAddUnit extends LogicalUnit<OpGroupAdd> {
  override readonly requiresBgl = false;
  override readonly hookPath = 'group-add';
  override readonly hookType = 'GROUP' as const;
  #ndparams: ParamDict = {};
  #diskparams: Record<string, ParamDict> = {};

  override checkArguments(): void {
    this.#ndparams = checkNdparams(this.op.ndparams ?? {});
    this.#diskparams = checkDiskparams(this.ctx.host, this.op.diskparams ?? {});
    checkIpolicy((this.op.ipolicy ?? {}) as Record<string, unknown>);
  }

  override expandNames(): void {
    // Every group exclusively: no other group operation may take the name meanwhile.
    this.neededLocks = { nodegroup: ALL_SET };
  }

  override checkPrereq(): void {
    const existing = lookupGroup(configData(this.ctx.config), this.op.group_name);
    if (existing) throw new GanetiError('GNT_GROUP_EXISTS', { field: 'group_name', name: this.op.group_name, uuid: existing.uuid });
  }

  override hooksEnv() {
    return { GROUP_NAME: this.op.group_name };
  }

  override hooksNodes(): HookNodes {
    return masterHookNodes(this.ctx.config);
  }

  async exec(): Promise<null> {
    await this.ctx.config!.update((txn) => {
      const group: Omit<NodeGroup, 'uuid' | 'serial_no' | 'ctime' | 'mtime'> = {
        name: this.op.group_name,
        ndparams: this.#ndparams,
        diskparams: this.#diskparams,
        ipolicy: (this.op.ipolicy ?? {}) as NodeGroup['ipolicy'],
        alloc_policy: this.op.alloc_policy ?? 'preferred',
        networks: {},
        tags: [],
        ...(this.op.hv_state && Object.keys(this.op.hv_state).length ? { hv_state_static: this.op.hv_state } : {}),
        ...(this.op.disk_state && Object.keys(this.op.disk_state).length ? { disk_state_static: this.op.disk_state } : {}),
      };
      txn.add('nodegroups', group);
    });
    return null;
  }
}
