import { GanetiError } from '../../errors/index.js';
import { LogicalUnit } from '../logical-unit.js';
import type { OpBackupRemove } from '../opcodes/definitions.js';
import { configData } from './group-params.js';
import { findInstance, rpcNode } from './instance-common.js';

/**
 * OP_BACKUP_REMOVE (gnt-backup remove): removes the exports of an instance (by the
 * instance's name, which need not exist any more) from every online node that has one.
 * None anywhere is an error, as in Ganeti.
 */
export class BackupRemoveUnit extends LogicalUnit<OpBackupRemove> {
  override readonly requiresBgl = false;

  override expandNames(): void {
    this.neededLocks = { node: 'ALL' };
    this.shareLocks = { node: true };
  }

  async exec(): Promise<null> {
    const data = configData(this.ctx.config);
    const name = findInstance(data, this.op.instance_name)?.name ?? this.op.instance_name;
    const nodes = Object.values(data.nodes).filter((n) => !n.offline);
    const rpc = await this.ctx.rpc();
    const lists = await rpc.call<string[]>('export_list', nodes.map((n) => rpcNode(n)), [], { signal: this.ctx.signal });
    let found = false;
    for (const [i, r] of lists.entries()) {
      if (!r.success || !r.payload.includes(name)) continue;
      found = true;
      const rm = await rpc.callNode('export_remove', rpcNode(nodes[i]!), [name], { signal: this.ctx.signal });
      if (!rm?.success) this.ctx.feedback(`Could not remove export for instance ${name} on node ${nodes[i]!.name}: ${rm?.error ?? 'no answer'}`);
    }
    if (!found) throw new GanetiError('GNT_BACKUP_NOT_FOUND', { what: name, node: 'any node' });
    return null;
  }
}
