import { GanetiError } from '../../errors/index.js';
import type { ParamDict } from '../../config/index.js';
import type { OpInstanceReinstall } from '../opcodes/definitions.js';
import { InstanceUnit, requireNode, requireOnlineNode, shutdownDisks } from './instance-common.js';
import { requireInstanceState } from './instance-state.js';
import { checkNotBlacklisted, filledOsParams, runOsCreate, validateOs } from './instance-os.js';
import type { Params } from '../../contracts/params.js';

/**
 * OP_INSTANCE_REINSTALL: the instance must be down (Ganeti's INSTANCE_DOWN: not running,
 * not offline) and have disks. The OS is checked on the primary first (present, valid,
 * variant, parameters); the new OS (and OS parameters) are recorded, then the OS create
 * script runs on the primary with INSTANCE_REINSTALL=1.
 */
export class InstanceReinstallUnit extends InstanceUnit<OpInstanceReinstall> {
  override readonly hookPath = 'instance-reinstall';

  override checkArguments(): void {
    const os = this.op.os_type;
    if (os !== null && !/^[A-Za-z0-9][A-Za-z0-9._-]*(\+[A-Za-z0-9._-]+)?$/.test(os)) throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: 'os_type', problem: `'${os}' is not an OS name (name or name+variant)` });
  }

  override async checkPrereq(): Promise<void> {
    super.checkPrereq();
    if (this.inst.disks.length === 0) throw new GanetiError('GNT_INSTANCE_STATE', { instance: this.inst.name, problem: 'has no disks, cannot reinstall' });
    requireOnlineNode(requireNode(this.data, this.inst.primary_node, this.inst.primary_node), 'primary node');
    await requireInstanceState(this.ctx, this.inst, ['down'], 'cannot reinstall');
    // the OS (new or kept) on the primary, with the parameters it will get
    const os = this.op.os_type ?? this.inst.os;
    checkNotBlacklisted(this.data, os);
    const own = Object.keys(this.op.osparams).length ? this.op.osparams : (this.inst.osparams as Params);
    const pnode = requireNode(this.data, this.inst.primary_node, this.inst.primary_node);
    await validateOs(this.ctx, [pnode], os, filledOsParams(this.data, os, own, (this.inst.osparams_private ?? {}) as Params), this.op.force_variant);
  }

  async exec(): Promise<null> {
    const os = this.op.os_type ?? this.inst.os;
    if (this.op.os_type !== null || Object.keys(this.op.osparams).length) {
      await this.ctx.config!.update((txn) => {
        const i = txn.edit('instances', this.inst.uuid);
        i.os = os;
        if (Object.keys(this.op.osparams).length) i.osparams = { ...this.op.osparams } as ParamDict;
      });
    }
    await runOsCreate(this.ctx, this.fresh(), os, true);
    await shutdownDisks(this.ctx, this.fresh());
    return null;
  }
}
