import type { DeepReadonly, FrozenConfig, Instance, Nic } from '../config/index.js';
import type { HvInstance, HvNetworkInfo, HvNic } from '../contracts/hypervisor.js';
import type { PluginHost } from '../plugin-host/host.js';
import type { JsonSchema } from '../rpc/calls.js';
import { filledBeParams, filledHvParams, filledNicParams } from './params.js';

/**
 * The runtime view of an instance (contracts/hypervisor.ts HvInstance) built on the master
 * from the config: node names instead of UUIDs, parameters filled. It is what instance RPCs
 * carry to the node (Ganeti sends the instance dict with filled hvparams and beparams); the
 * node hands it to the hypervisor as it is.
 */

export type InstanceView = DeepReadonly<Instance>;

function networkInfo(data: FrozenConfig, uuid: string | null | undefined): HvNetworkInfo | null {
  const n = uuid ? data.networks[uuid] : undefined;
  if (!n) return null;
  return {
    name: n.name, uuid: n.uuid, subnet: n.network, gateway: n.gateway ?? null, subnet6: n.network6 ?? null,
    gateway6: n.gateway6 ?? null, mac_prefix: n.mac_prefix ?? null, tags: [...(n.tags ?? [])],
  };
}

export function hvNic(data: FrozenConfig, nic: DeepReadonly<Nic>, groupUuid?: string): HvNic {
  const nicparams = filledNicParams(data, nic, groupUuid);
  return {
    uuid: nic.uuid, name: nic.name ?? null, mac: nic.mac, ip: nic.ip ?? null,
    mode: String(nicparams['mode'] ?? 'bridged'), link: String(nicparams['link'] ?? ''), vlan: String(nicparams['vlan'] ?? ''),
    nicparams, network: networkInfo(data, nic.network), ...(nic.pci !== undefined ? { pci: nic.pci } : {}),
  };
}

/** The instance as its hypervisor sees it; `primary` overrides the primary node (migration targets). */
export function hvInstance(host: PluginHost, data: FrozenConfig, inst: InstanceView, primary = inst.primary_node): HvInstance {
  const node = (u: string) => data.nodes[u]?.name ?? u;
  const group = data.nodes[primary]?.group;
  const secondaries = new Set<string>();
  for (const du of inst.disks) for (const n of data.disks[du]?.nodes ?? []) if (n !== primary) secondaries.add(node(n));
  return {
    name: inst.name,
    uuid: inst.uuid,
    hypervisor: inst.hypervisor,
    os: inst.os,
    primary_node: node(primary),
    secondary_nodes: [...secondaries],
    hvparams: filledHvParams(host, data, inst),
    beparams: filledBeParams(data, inst),
    nics: inst.nics.map((n) => hvNic(data, n, group)),
    network_port: inst.network_port ?? null,
    admin_state: inst.admin_state,
    admin_state_source: inst.admin_state_source,
    tags: [...(inst.tags ?? [])],
  };
}

/** The RPC schema of an HvInstance (checked by the node before any hypervisor sees it). */
export const HV_INSTANCE_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['name', 'uuid', 'hypervisor', 'os', 'primary_node', 'hvparams', 'beparams', 'nics'],
  properties: {
    name: { type: 'string', minLength: 1 },
    uuid: { type: 'string', minLength: 1 },
    hypervisor: { type: 'string', minLength: 1 },
    os: { type: 'string' },
    primary_node: { type: 'string' },
    secondary_nodes: { type: 'array', items: { type: 'string' } },
    hvparams: { type: 'object' },
    beparams: { type: 'object', required: ['maxmem', 'minmem', 'vcpus'], properties: { maxmem: { type: 'integer' }, minmem: { type: 'integer' }, vcpus: { type: 'integer' } } },
    nics: { type: 'array', items: { type: 'object', required: ['uuid', 'mac', 'mode', 'link'], properties: { uuid: { type: 'string' }, mac: { type: 'string' }, mode: { type: 'string' }, link: { type: 'string' } } } },
    network_port: { type: ['integer', 'null'] },
  },
};
