/**
 * NICs of fake instances. The fake hypervisor creates no host interface, but it still hands
 * every NIC to the network provider through the core's NicConnector, at the moments a real
 * hypervisor would, so network providers and the hooks around them are exercised. A network
 * provider that needs the interface to exist (bridged adds it to a bridge) will fail on
 * these names; pair the fake hypervisor with a provider that tolerates that in tests.
 */
import type { AttachedNic, HvInstance, NicConnector } from '../../core/index.js';

/**
 * Host-side name of NIC `index`: `fk.<8 hex of the uuid>.<index>`, at most 15 characters for
 * index < 100 (Linux IFNAMSIZ), unique per instance and stable across migrations.
 */
export const ifaceName = (instance: HvInstance, index: number): string =>
  `fk.${instance.uuid.replace(/-/g, '').slice(0, 8) || 'noid'}.${index}`;

export const attachNics = (instance: HvInstance): AttachedNic[] =>
  instance.nics.map((nic, index) => ({ ...nic, index, iface: ifaceName(instance, index) }));

/**
 * Connects `nics` in order. If one fails, disconnects those already connected (best effort)
 * and rethrows, so a failed start or accept leaves no NIC connected.
 */
export async function connectAll(network: NicConnector, nics: readonly AttachedNic[]): Promise<void> {
  const done: AttachedNic[] = [];
  try {
    for (const nic of nics) {
      await network.connect(nic);
      done.push(nic);
    }
  } catch (e) {
    await Promise.allSettled(done.reverse().map((nic) => network.disconnect(nic)));
    throw e;
  }
}

/** Disconnects every NIC; tries them all, then throws the first failure. */
export async function disconnectAll(network: NicConnector, nics: readonly AttachedNic[]): Promise<void> {
  const results = await Promise.allSettled(nics.map((nic) => network.disconnect(nic)));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
