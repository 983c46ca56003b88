import { GanetiError } from '../../errors/index.js';
import { niceSort } from '../../config/index.js';
import { requireNetwork } from '../../network/lookup.js';
import { ALL_SET, LogicalUnit, type HookNodes } from '../logical-unit.js';
import type { OpNetworkRemove } from '../opcodes/definitions.js';
import { configData, masterHookNodes } from './group-params.js';

/**
 * OP_NETWORK_REMOVE (`gnt-network remove`): only a network connected to no node group goes.
 * As in Ganeti, `force` does not override that (the man page: "must be not connected to any
 * node group"). Hooks: `network-remove` on the master.
 */
export class NetworkRemoveUnit extends LogicalUnit<OpNetworkRemove> {
  override readonly requiresBgl = false;
  override readonly hookPath = 'network-remove';
  override readonly hookType = 'NETWORK' as const;
  #uuid = '';

  override expandNames(): void {
    this.#uuid = requireNetwork(configData(this.ctx.config), this.op.network_name).uuid;
    this.neededLocks = { nodegroup: ALL_SET, network: [this.#uuid] };
    this.shareLocks = { nodegroup: true };
  }

  override checkPrereq(): void {
    const data = configData(this.ctx.config);
    const net = requireNetwork(data, this.#uuid);
    const groups = Object.values(data.nodegroups).filter((g) => Object.hasOwn(g.networks, net.uuid)).map((g) => g.name);
    if (groups.length) {
      this.ctx.feedback(`WARNING: Network '${net.name}' is connected to the following node groups: ${niceSort(groups).join(', ')}`);
      throw new GanetiError('GNT_NETWORK_CONNECTED', { name: net.name, groups: niceSort(groups).join(', ') });
    }
    const users = Object.values(data.instances).filter((i) => i.nics.some((n) => n.network === net.uuid)).map((i) => i.name);
    if (users.length) throw new GanetiError('GNT_NETWORK_IN_USE', { name: net.name, action: 'be removed', uses: `the NICs of instance(s) ${niceSort(users).join(', ')}` });
  }

  override hooksEnv() {
    return { NETWORK_NAME: this.op.network_name };
  }

  override hooksNodes(): HookNodes {
    return masterHookNodes(this.ctx.config);
  }

  async exec(): Promise<null> {
    await this.ctx.config!.update((txn) => txn.remove('networks', this.#uuid));
    return null;
  }
}
