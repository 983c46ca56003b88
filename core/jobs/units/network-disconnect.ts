import { GanetiError } from '../../errors/index.js';
import { requireNetwork } from '../../network/lookup.js';
import { LogicalUnit, type HookEnvValue, type HookNodes } from '../logical-unit.js';
import type { OpNetworkDisconnect } from '../opcodes/definitions.js';
import { configData, requireGroup } from './group-params.js';
import { groupInstances, groupMemberHookNodes } from './network-common.js';

/**
 * OP_NETWORK_DISCONNECT (`gnt-network disconnect`): refused while an instance of the group
 * has a NIC on the network; not connected: a warning, nothing changes (Ganeti). Locks: the
 * group's instances (shared), the group, the network. Hooks: `network-disconnect` on the
 * group's nodes.
 */
export class NetworkDisconnectUnit extends LogicalUnit<OpNetworkDisconnect> {
  override readonly requiresBgl = false;
  override readonly hookPath = 'network-disconnect';
  override readonly hookType = 'NETWORK' as const;
  #net = '';
  #group = '';
  #netparams: Readonly<Record<string, unknown>> | null = null;

  override expandNames(): void {
    const data = configData(this.ctx.config);
    this.#net = requireNetwork(data, this.op.network_name).uuid;
    this.#group = requireGroup(data, this.op.group_name).uuid;
    this.neededLocks = { instance: groupInstances(data, this.#group).map((i) => i.name).sort(), nodegroup: [this.#group], network: [this.#net] };
    this.shareLocks = { instance: true };
  }

  override checkPrereq(): void {
    const data = configData(this.ctx.config);
    const group = data.nodegroups[this.#group]!;
    const net = data.networks[this.#net]!;
    const params = group.networks[this.#net];
    if (!params) {
      this.ctx.feedback(`WARNING: Network '${net.name}' is not mapped to group '${group.name}'`);
      return;
    }
    const uses = groupInstances(data, this.#group)
      .map((i) => [i.name, i.nics.flatMap((n, idx) => (n.network === this.#net ? [`nic${idx}/${n.ip ?? 'None'}`] : []))] as const)
      .filter(([, nics]) => nics.length)
      .map(([name, nics]) => `${name}: ${nics.join(', ')}`);
    if (uses.length) throw new GanetiError('GNT_NETWORK_IN_USE', { name: net.name, action: `disconnect from node group '${group.name}'`, uses: uses.join('; ') });
    this.#netparams = params as Record<string, unknown>;
  }

  override hooksEnv(): Record<string, HookEnvValue> {
    const p = this.#netparams;
    return { GROUP_NAME: this.op.group_name, ...(p ? { GROUP_NETWORK_MODE: String(p['mode'] ?? ''), GROUP_NETWORK_LINK: String(p['link'] ?? ''), GROUP_NETWORK_VLAN: String(p['vlan'] ?? '') } : {}) };
  }

  override hooksNodes(): HookNodes {
    return groupMemberHookNodes(configData(this.ctx.config), this.#group);
  }

  async exec(): Promise<null> {
    if (!this.#netparams) return null;
    await this.ctx.config!.update((txn) => {
      delete txn.edit('nodegroups', this.#group).networks[this.#net];
    });
    return null;
  }
}
