import { GanetiError } from '../../errors/index.js';
import type { ParamDict } from '../../config/index.js';
import { ALL_SET, LogicalUnit, type HookNodes } from '../logical-unit.js';
import type { OpGroupSetParams } from '../opcodes/definitions.js';
import { checkDiskparams, checkIpolicy, checkNdparams, configData, pyStr, requireGroup, updatedParams, masterHookNodes } from './group-params.js';

const given = (v: object | null): v is Record<string, never> => v !== null && Object.keys(v).length > 0;

/**
 * OP_GROUP_SET_PARAMS (`gnt-group modify`): changes a group's allocation policy and
 * parameters; a parameter set to `default` (or null) falls back to the inherited value.
 * Returns Ganeti's list of `[parameter, new value]` for ndparams and diskparams.
 * Hooks: `group-modify` on the master.
 */
export class GroupSetParamsUnit extends LogicalUnit<OpGroupSetParams> {
  override readonly requiresBgl = false;
  override readonly hookPath = 'group-modify';
  override readonly hookType = 'GROUP' as const;
  #uuid = '';
  #ndparams: ParamDict | null = null;
  #diskparams: Record<string, ParamDict> | null = null;

  override checkArguments(): void {
    const o = this.op;
    if (!given(o.ndparams) && !given(o.diskparams) && !o.alloc_policy && !given(o.hv_state) && !given(o.disk_state) && !given(o.ipolicy))
      throw new GanetiError('GNT_GROUP_NO_CHANGES', { name: o.group_name });
    if (given(o.ndparams)) this.#ndparams = checkNdparams(o.ndparams, true);
    if (given(o.diskparams)) this.#diskparams = checkDiskparams(this.ctx.host, o.diskparams, true);
    if (given(o.ipolicy)) checkIpolicy(o.ipolicy as Record<string, unknown>);
  }

  override expandNames(): void {
    this.neededLocks = { nodegroup: ALL_SET };
  }

  override checkPrereq(): void {
    this.#uuid = requireGroup(configData(this.ctx.config), this.op.group_name).uuid;
  }

  override hooksEnv() {
    return { GROUP_NAME: this.op.group_name, NEW_ALLOC_POLICY: this.op.alloc_policy };
  }

  override hooksNodes(): HookNodes {
    return masterHookNodes(this.ctx.config);
  }

  async exec(): Promise<[string, string][]> {
    const result: [string, string][] = [];
    await this.ctx.config!.update((txn) => {
      const g = txn.edit('nodegroups', this.#uuid);
      if (this.#ndparams) {
        g.ndparams = updatedParams(g.ndparams, this.#ndparams);
        result.push(['ndparams', pyStr(g.ndparams)]);
      }
      if (this.#diskparams) {
        for (const [template, changes] of Object.entries(this.#diskparams)) g.diskparams[template] = updatedParams(g.diskparams[template] ?? {}, changes);
        result.push(['diskparams', pyStr(g.diskparams)]);
      }
      if (this.op.alloc_policy) g.alloc_policy = this.op.alloc_policy;
      if (given(this.op.ipolicy)) g.ipolicy = updatedParams(g.ipolicy as ParamDict, resetsToNull(this.op.ipolicy)) as typeof g.ipolicy;
      if (given(this.op.hv_state)) g.hv_state_static = { ...g.hv_state_static, ...this.op.hv_state };
      if (given(this.op.disk_state)) g.disk_state_static = { ...g.disk_state_static, ...this.op.disk_state };
    });
    return result;
  }
}

const resetsToNull = (p: ParamDict): ParamDict => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, v === 'default' ? null : v]));
