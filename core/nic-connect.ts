/**
 * For hypervisor plugins (exported from core): handing an instance's NICs to the network
 * side. Connecting stops at the first failure and disconnects those already connected, so
 * a failed start leaves no NIC connected; disconnecting tries every NIC.
 */
import type { AttachedNic, NicConnector } from './contracts/hypervisor.js';

export async function connectNics(network: NicConnector, nics: readonly AttachedNic[]): Promise<void> {
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
export async function disconnectNics(network: NicConnector, nics: readonly AttachedNic[]): Promise<void> {
  const results = await Promise.allSettled(nics.map((nic) => network.disconnect(nic)));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
