/**
 * For the container hypervisor plugins (lxc, chroot; exported from core): mounting an
 * instance's root disk (disk 0) on its node. A block device is mounted as it is, a file (file
 * disks) through a loop device. Whether a folder is a mount point is read from
 * /proc/self/mountinfo.
 */
import { readFile, mkdir, stat } from 'node:fs/promises';
import { GanetiError } from './errors/index.js';
import type { HvDisk } from './contracts/hypervisor.js';
import type { ProviderContext } from './contracts/context.js';

export async function isMountPoint(path: string): Promise<boolean> {
  const info = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  // field 5 is the mount point, with spaces and such escaped as \040
  return info.split('\n').some((l) => l.split(' ')[4]?.replace(/\\040/g, ' ') === path);
}

export async function mountRoot(hv: string, disk: HvDisk | undefined, at: string, ctx: ProviderContext): Promise<void> {
  const dev = disk?.dev_path;
  if (!dev) throw new GanetiError('GNT_HV_FAILED', { hypervisor: hv, action: 'mount the root file system', reason: 'the instance needs a disk 0 with a device path (its root file system)' });
  await mkdir(at, { recursive: true });
  if (await isMountPoint(at)) return;
  const st = await stat(dev).catch(() => null);
  const r = await ctx.run(['mount', ...(st?.isFile() ? ['-o', 'loop'] : []), dev, at]);
  if (!r.ok) throw new GanetiError('GNT_HV_FAILED', { hypervisor: hv, action: `mount ${dev} on ${at}`, reason: r.all.trim() || `mount exited with ${r.exitCode}` });
}

export async function unmountRoot(hv: string, at: string, ctx: ProviderContext): Promise<void> {
  if (!(await isMountPoint(at))) return;
  const r = await ctx.run(['umount', at]);
  if (!r.ok && (await isMountPoint(at))) throw new GanetiError('GNT_HV_FAILED', { hypervisor: hv, action: `unmount ${at}`, reason: r.all.trim() });
}
