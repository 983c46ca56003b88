import { GanetiError } from '../../errors/index.js';
import type { DeepReadonly, FrozenConfig, Nic } from '../../config/index.js';
import type { PluginHost } from '../../plugin-host/host.js';
import { filledNicParams } from '../../instance/params.js';

/**
 * The network plugin of each NIC's mode checks what the schema cannot (a routed NIC needs an
 * IP, a bridged one a link), on the NIC's filled parameters: its own, then its network's
 * connection in the group, then the cluster's. A mode no plugin serves is refused.
 */
export function checkNicModes(host: PluginHost, data: FrozenConfig, nics: readonly DeepReadonly<Nic>[], group: string): void {
  nics.forEach((nic, i) => {
    const params = filledNicParams(data, nic, group);
    const mode = String(params['mode'] ?? '');
    if (!host.networks.has(mode)) throw new GanetiError('GNT_NIC_PARAMS_INVALID', { mode: mode || '(none)', problem: `NIC ${i}: no network plugin serves this mode (known: ${host.networks.names().join(', ')})` });
    try {
      host.networks.get(mode).checkNicParams?.(params, nic.ip ?? null);
    } catch (e) {
      if (e instanceof GanetiError) throw new GanetiError('GNT_NIC_PARAMS_INVALID', { mode, problem: `NIC ${i}: ${e.message.replace(/^NIC mode \S+: /, '')}` });
      throw e;
    }
  });
}
