import { GanetiError } from '../../errors/index.js';
import { mergeNicparams } from '../../cluster/params.js';
import { AddressPool } from '../../network/address-pool.js';
import { requireNetwork } from '../../network/lookup.js';
import { LogicalUnit, type HookNodes } from '../logical-unit.js';
import type { OpNetworkConnect } from '../opcodes/definitions.js';
import { configData, requireGroup } from './group-params.js';
import { groupInstances, groupMemberHookNodes } from './network-common.js';

/**
 * OP_NETWORK_CONNECT (`gnt-network connect`): the group's NICs on this network get the given
 * mode, link and vlan. Already connected: a warning, nothing changes (Ganeti). With
 * `conflicts_check`, refused while an instance of the group has a NIC address in the range.
 * Locks: the group's instances (shared, taken optimistically), the group, the network
 * (shared). Hooks: `network-connect` on the group's nodes.
 */
export class NetworkConnectUnit extends LogicalUnit<OpNetworkConnect> {
  override readonly requiresBgl = false;
  override readonly hookPath = 'network-connect';
  override readonly hookType = 'NETWORK' as const;
  #net = '';
  #group = '';
  #connected = false;
  #netparams: Record<string, string> = {};

  override checkArguments(): void {
    const op = this.op;
    this.#netparams = { mode: op.network_mode, link: op.network_link, vlan: op.network_vlan };
    mergeNicparams('the network connection', {}, this.#netparams); // a known mode, a link where one is needed
  }

  override expandNames(): void {
    const data = configData(this.ctx.config);
    this.#net = requireNetwork(data, this.op.network_name).uuid;
    this.#group = requireGroup(data, this.op.group_name).uuid;
    this.neededLocks = {
      instance: this.op.conflicts_check ? groupInstances(data, this.#group).map((i) => i.name).sort() : [],
      nodegroup: [this.#group],
      ...(this.op.conflicts_check ? { network: [this.#net] } : {}),
    };
    this.shareLocks = { instance: true, network: true };
  }

  override checkPrereq(): void {
    const data = configData(this.ctx.config);
    const group = data.nodegroups[this.#group]!;
    const net = data.networks[this.#net]!;
    if (Object.hasOwn(group.networks, this.#net)) {
      this.ctx.feedback(`WARNING: Network '${net.name}' is already mapped to group '${group.name}'`);
      this.#connected = true;
      return;
    }
    if (!this.op.conflicts_check) return;
    const pool = new AddressPool(net);
    const uses = groupInstances(data, this.#group)
      .map((i) => [i.name, i.nics.flatMap((n, idx) => (pool.contains(n.ip) ? [`nic${idx}/${n.ip}`] : []))] as const)
      .filter(([, nics]) => nics.length)
      .map(([name, nics]) => `${name}: ${nics.join(', ')}`);
    if (uses.length) throw new GanetiError('GNT_NETWORK_IN_USE', { name: net.name, action: `connect to node group '${group.name}'`, uses: uses.join('; ') });
  }

  override hooksEnv() {
    return { GROUP_NAME: this.op.group_name, GROUP_NETWORK_MODE: this.op.network_mode, GROUP_NETWORK_LINK: this.op.network_link, GROUP_NETWORK_VLAN: this.op.network_vlan };
  }

  override hooksNodes(): HookNodes {
    return groupMemberHookNodes(configData(this.ctx.config), this.#group);
  }

  async exec(): Promise<null> {
    if (this.#connected) return null;
    await this.ctx.config!.update((txn) => {
      txn.edit('nodegroups', this.#group).networks[this.#net] = { ...this.#netparams };
    });
    return null;
  }
}
