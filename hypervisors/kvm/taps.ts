/**
 * Host-side interfaces of kvm NICs: one tap per NIC, made before qemu starts (qemu opens it
 * by name), connected by the network provider through the core's NicConnector, deleted
 * when the instance stops. Names are `gnt<8 hex of the instance uuid>.<index>`, within
 * Linux's 15 characters and stable across migrations.
 */
import { GanetiError, type AttachedNic, type HvInstance, type NicConnector, type ProviderContext } from '../../core/index.js';
import { HV_NAME } from './runtime-files.js';

export const tapName = (inst: HvInstance, index: number): string => `gnt${inst.uuid.replace(/-/g, '').slice(0, 8)}.${index}`;

export const attachedNics = (inst: HvInstance, taps: readonly string[]): AttachedNic[] => inst.nics.map((n, i) => ({ ...n, index: i, iface: taps[i] ?? tapName(inst, i) }));

async function ip(ctx: ProviderContext, args: string[], what: string): Promise<void> {
  const r = await ctx.run(['ip', ...args]);
  if (!r.ok) throw new GanetiError('GNT_HV_FAILED', { hypervisor: HV_NAME, action: what, reason: r.all.trim() || `ip exited with ${r.exitCode}` });
}

/** Makes the taps (removing leftovers of the same name first). */
export async function createTaps(ctx: ProviderContext, inst: HvInstance): Promise<string[]> {
  const taps: string[] = [];
  try {
    for (let i = 0; i < inst.nics.length; i++) {
      const name = tapName(inst, i);
      await ctx.run(['ip', 'link', 'del', name]);
      await ip(ctx, ['tuntap', 'add', 'dev', name, 'mode', 'tap'], `create tap ${name}`);
      taps.push(name);
      await ip(ctx, ['link', 'set', name, 'up'], `bring tap ${name} up`);
    }
    return taps;
  } catch (e) {
    await deleteTaps(ctx, taps);
    throw e;
  }
}

export async function deleteTaps(ctx: ProviderContext, taps: readonly string[]): Promise<void> {
  for (const t of taps) await ctx.run(['ip', 'link', 'del', t]);
}

/** Connecting (undone on failure) and disconnecting (best effort): core's helpers. */
export { connectNics } from '../../core/index.js';

export async function disconnectNics(net: NicConnector, nics: readonly AttachedNic[]): Promise<void> {
  await Promise.allSettled(nics.map((n) => net.disconnect(n)));
}
