import type { DeepReadonly, FrozenConfig, Instance, Nic } from '../config/index.js';
import type { Params } from '../contracts/params.js';
import type { HvBeParams } from '../contracts/hypervisor.js';
import type { PluginHost } from '../plugin-host/host.js';
import { DEFAULT_BEPARAMS, DEFAULT_NICPARAMS } from '../cluster/defaults.js';
import { schemaDefaults } from '../cluster/params.js';

/**
 * An instance's parameters as they apply (Ganeti's FillHV/FillBE/FillNIC): the provider's
 * defaults, then the cluster's, then the OS's hypervisor overrides, then the instance's own.
 * The config keeps only the instance's own values, so a cluster change reaches every
 * instance that did not set the parameter itself.
 */

type InstanceParams = Pick<DeepReadonly<Instance>, 'hypervisor' | 'hvparams' | 'beparams' | 'os'>;

export function filledHvParams(host: PluginHost, data: FrozenConfig, inst: InstanceParams): Params {
  const c = data.cluster;
  const osName = inst.os.split('+')[0] ?? inst.os;
  const defaults = host.hypervisors.has(inst.hypervisor) ? schemaDefaults(host.hypervisors.get(inst.hypervisor).params) : {};
  return { ...defaults, ...(c.hvparams[inst.hypervisor] ?? {}), ...(c.os_hvp[osName]?.[inst.hypervisor] ?? {}), ...inst.hvparams };
}

export function filledBeParams(data: FrozenConfig, inst: Pick<InstanceParams, 'beparams'>): HvBeParams {
  return { ...DEFAULT_BEPARAMS, ...(data.cluster.beparams['default'] ?? {}), ...inst.beparams } as HvBeParams;
}

/** NIC parameters: cluster defaults, then the group's for the NIC's network, then the NIC's own. */
export function filledNicParams(data: FrozenConfig, nic: DeepReadonly<Nic>, groupUuid?: string): Params {
  // a group's connection to a network is {mode, link, vlan} itself (Ganeti's NodeGroup.networks)
  const network = nic.network && groupUuid ? data.nodegroups[groupUuid]?.networks[nic.network] : undefined;
  return { ...DEFAULT_NICPARAMS, ...(data.cluster.nicparams['default'] ?? {}), ...(network ?? {}), ...nic.nicparams };
}
