import { GanetiError, describeError } from '../../errors/index.js';
import type { Network } from '../../config/index.js';
import { AddressPool, checkIpv6Gateway, checkIpv6Network, parseIpv4 } from '../../network/address-pool.js';
import { isNoneValue, normalizeMacPrefix, requireNetwork } from '../../network/lookup.js';
import { LogicalUnit, type HookNodes } from '../logical-unit.js';
import type { OpNetworkSetParams } from '../opcodes/definitions.js';
import { configData, masterHookNodes } from './group-params.js';
import { networkHookEnv } from './network-common.js';

type Changes = Pick<Network, 'gateway' | 'network6' | 'gateway6' | 'mac_prefix'>;

/**
 * OP_NETWORK_SET_PARAMS (`gnt-network modify`): gateway, IPv6 values and MAC prefix (`none`
 * clears one), external reservations added or removed. The range itself cannot change. As
 * in Ganeti: the gateway and the reservations are not changed in one call; a new gateway an
 * instance uses is refused; reservations that cannot be added or removed are warnings.
 * Hooks: `network-modify` on the master.
 */
export class NetworkSetParamsUnit extends LogicalUnit<OpNetworkSetParams> {
  override readonly requiresBgl = false;
  override readonly hookPath = 'network-modify';
  override readonly hookType = 'NETWORK' as const;
  #uuid = '';
  #changes: Partial<Changes> = {};

  override checkArguments(): void {
    const op = this.op;
    if (![op.gateway, op.network6, op.gateway6, op.mac_prefix, op.add_reserved_ips, op.remove_reserved_ips].some((v) => v !== null))
      throw new GanetiError('GNT_NETWORK_NO_CHANGES', { name: op.network_name });
    if (op.gateway && (op.add_reserved_ips?.length || op.remove_reserved_ips?.length))
      throw new GanetiError('GNT_NETWORK_INVALID', { field: 'gateway', value: op.gateway, problem: 'cannot be changed together with the reserved addresses' });
    if (op.gateway !== null && !isNoneValue(op.gateway) && !parseIpv4(op.gateway)) throw new GanetiError('GNT_NETWORK_INVALID', { field: 'gateway', value: op.gateway, problem: 'is not an IPv4 address' });
    if (op.mac_prefix !== null) this.#changes.mac_prefix = isNoneValue(op.mac_prefix) ? null : normalizeMacPrefix(op.mac_prefix);
    if (op.network6 !== null) {
      if (!isNoneValue(op.network6)) checkIpv6Network(op.network6);
      this.#changes.network6 = isNoneValue(op.network6) ? null : op.network6;
    }
  }

  override expandNames(): void {
    this.#uuid = requireNetwork(configData(this.ctx.config), this.op.network_name).uuid;
    this.neededLocks = { network: [this.#uuid] };
  }

  override checkPrereq(): void {
    const net = requireNetwork(configData(this.ctx.config), this.#uuid);
    const op = this.op;
    if (op.gateway6 !== null) {
      const network6 = this.#changes.network6 !== undefined ? this.#changes.network6 : net.network6;
      if (!isNoneValue(op.gateway6)) checkIpv6Gateway(op.gateway6, network6);
      this.#changes.gateway6 = isNoneValue(op.gateway6) ? null : op.gateway6;
    }
    if (op.gateway !== null) {
      const gw = isNoneValue(op.gateway) ? null : op.gateway;
      if (gw !== null && gw !== net.gateway) {
        // a trial on a copy: outside the range, used by an instance or externally reserved
        new AddressPool(net).reserve(gw, { external: true, field: 'gateway' });
        if (new AddressPool(net).isReserved(gw)) throw new GanetiError('GNT_NETWORK_ADDRESS_TAKEN', { field: 'gateway', ip: gw, name: net.name, by: 'used by an instance' });
      }
      this.#changes.gateway = gw;
    }
  }

  override hooksEnv() {
    const net = requireNetwork(configData(this.ctx.config), this.#uuid);
    return networkHookEnv({ ...net, ...this.#changes, name: this.op.network_name });
  }

  override hooksNodes(): HookNodes {
    return masterHookNodes(this.ctx.config);
  }

  async exec(): Promise<null> {
    const op = this.op;
    const warnings: string[] = [];
    await this.ctx.config!.update((txn) => {
      const net = txn.edit('networks', this.#uuid);
      const pool = new AddressPool(net);
      if (this.#changes.gateway !== undefined) {
        const gw = this.#changes.gateway;
        if (gw === (net.gateway ?? null)) warnings.push(`Gateway is already ${gw}`);
        else {
          if (gw) pool.reserve(gw, { external: true, field: 'gateway' });
          if (net.gateway) pool.release(net.gateway, { external: true, field: 'gateway' });
          net.gateway = gw;
        }
      }
      const tryTo = (what: string, ip: string, fn: () => void) => {
        try {
          fn();
        } catch (e) {
          warnings.push(`Cannot ${what} IP address ${ip}: ${describeError(e)}`);
        }
      };
      for (const ip of op.add_reserved_ips ?? []) tryTo('reserve', ip, () => pool.reserve(ip, { external: true, field: 'add_reserved_ips' }));
      for (const ip of op.remove_reserved_ips ?? []) {
        if (ip === net.gateway) warnings.push("Cannot unreserve Gateway's IP");
        else tryTo('release', ip, () => pool.release(ip, { external: true, field: 'remove_reserved_ips' }));
      }
      for (const k of ['mac_prefix', 'network6', 'gateway6'] as const) if (this.#changes[k] !== undefined) net[k] = this.#changes[k];
      Object.assign(net, pool.toConfig());
    });
    for (const w of warnings) this.ctx.feedback(`WARNING: ${w}`);
    return null;
  }
}
