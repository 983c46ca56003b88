/**
 * NICs of fake instances. The fake hypervisor creates no host interface, but it still hands
 * every NIC to the network provider through the core's NicConnector, at the moments a real
 * hypervisor would, so network providers and the hooks around them are exercised. A network
 * provider that needs the interface to exist (bridged adds it to a bridge) will fail on
 * these names; pair the fake hypervisor with a provider that tolerates that in tests.
 */
import type { AttachedNic, HvInstance } from '../../core/index.js';

/**
 * Host-side name of NIC `index`: `fk.<8 hex of the uuid>.<index>`, at most 15 characters for
 * index < 100 (Linux IFNAMSIZ), unique per instance and stable across migrations.
 */
export const ifaceName = (instance: HvInstance, index: number): string =>
  `fk.${instance.uuid.replace(/-/g, '').slice(0, 8) || 'noid'}.${index}`;

export const attachNics = (instance: HvInstance): AttachedNic[] =>
  instance.nics.map((nic, index) => ({ ...nic, index, iface: ifaceName(instance, index) }));

/** Connects in order (undoing on failure) and disconnects every NIC: core's helpers. */
export { connectNics as connectAll, disconnectNics as disconnectAll } from '../../core/index.js';
