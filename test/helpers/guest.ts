import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../core/exec/index.js';
import { REPO_ROOT } from './tmp.js';

/**
 * The kvm tests' guest: a stock Debian kernel and a busybox initramfs (substrate.md appendix
 * A), built once by test/fixtures/guest/build-guest.sh into GUEST_DIR (default
 * /var/cache/ganeti-ts/guest; .ci/run builds it). Boots to a serial console under TCG in a
 * few seconds; kernel argument gmode=wait makes it tick every second and power off on the
 * ACPI power button.
 */
export interface Guest {
  readonly kernel: string;
  readonly initrd: string;
  readonly qemu: string;
}

export const GUEST_DIR = process.env['GUEST_DIR'] ?? '/var/cache/ganeti-ts/guest';
const QEMU = '/usr/bin/qemu-system-x86_64';

/** The guest, built if needed; or the reason there is none (printed by the skipping test). */
export async function testGuest(): Promise<Guest | string> {
  if (!existsSync(QEMU)) return `${QEMU} is not installed (apt-get install qemu-system-x86)`;
  const kernel = join(GUEST_DIR, 'vmlinuz');
  const initrd = join(GUEST_DIR, 'initrd.gz');
  // the script returns at once when the guest is there and current
  const r = await run(['sh', join(REPO_ROOT, 'test/fixtures/guest/build-guest.sh')], { env: { GUEST_DIR }, timeoutMs: 300_000 });
  if (!r.ok || !existsSync(kernel) || !existsSync(initrd)) return `the test guest could not be built: ${r.all.trim().split('\n').slice(-3).join(' ')}`;
  return { kernel, initrd, qemu: QEMU };
}

/** kvm hvparams that boot the guest under TCG with a serial console (no KVM acceleration, no vhost). */
export const guestHvparams = (g: Guest, gmode = 'wait', extra: Record<string, unknown> = {}) => ({
  kvm_path: g.qemu,
  kvm_flag: 'disabled',
  kernel_path: g.kernel,
  initrd_path: g.initrd,
  kernel_args: `quiet gmode=${gmode}`,
  root_path: '',
  vhost_net: false,
  ...extra,
});
