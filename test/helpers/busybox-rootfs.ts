import { chmod, mkdir, mkdtemp, rm, writeFile, copyFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, runChecked } from '../../core/exec/index.js';

/**
 * A root file system for the container hypervisors' tests: busybox-static installed in an
 * ext4 image (made with mkfs.ext4 -d, no mount needed) on a loop device. Its /sbin/init
 * writes /tmp/started, ends on SIGPWR (lxc's halt) and SIGTERM, and exits on SIGINT so that
 * lxc restarts it (reboot). /ganeti-chroot is the chroot hypervisor's init script: `start`
 * runs a ticking loop in the background, `stop` ends it.
 */
export interface RootDisk {
  readonly device: string;
  readonly image: string;
  cleanup(): Promise<void>;
}

export async function rootfsMissing(): Promise<string | null> {
  if (!existsSync('/bin/busybox')) return 'busybox-static is not installed (/bin/busybox)';
  if ((await run(['mkfs.ext4', '-V'])).exitCode === null) return 'mkfs.ext4 (e2fsprogs) is not installed';
  if (process.getuid?.() !== 0) return 'root is needed for loop devices and mounts';
  return null;
}

const INIT = `#!/bin/sh
if [ -e /ignore-halt ]; then trap '' PWR TERM; else trap 'echo halt >> /tmp/events; exit 0' PWR TERM; fi
trap 'echo reboot >> /tmp/events; exit 0' INT
date +%s > /tmp/started
echo start >> /tmp/events
while true; do sleep 1 & wait $!; done
`;
const GANETI_CHROOT = `#!/bin/sh
case "$1" in
  start) ( while true; do date +%s > /tmp/tick; sleep 1; done ) > /tmp/ticker.log 2>&1 & echo $! > /tmp/ticker.pid; echo started >> /tmp/events ;;
  stop) kill "$(cat /tmp/ticker.pid)" 2>/dev/null; echo stopped >> /tmp/events ;;
  *) echo "usage: $0 start|stop" >&2; exit 1 ;;
esac
`;

/** `ignoreHalt`: an init that ignores the halt signal (a guest that will not shut down). */
export async function busyboxRootDisk(o: { ignoreHalt?: boolean } = {}): Promise<RootDisk> {
  const dir = await mkdtemp(join(tmpdir(), 'gnt-rootfs-'));
  const tree = join(dir, 'tree');
  for (const d of ['bin', 'sbin', 'proc', 'sys', 'dev', 'tmp', 'etc', 'run']) await mkdir(join(tree, d), { recursive: true });
  await copyFile('/bin/busybox', join(tree, 'bin/busybox'));
  await chmod(join(tree, 'bin/busybox'), 0o755);
  for (const tool of ['sh', 'sleep', 'date', 'kill', 'cat', 'echo', 'ls', 'ps']) await runChecked(['ln', '-s', 'busybox', join(tree, 'bin', tool)]);
  // busybox sh gives background jobs /dev/null as stdin: the chroot needs one
  await runChecked(['mknod', '-m', '666', join(tree, 'dev/null'), 'c', '1', '3']);
  await writeFile(join(tree, 'sbin/init'), INIT, { mode: 0o755 });
  await writeFile(join(tree, 'ganeti-chroot'), GANETI_CHROOT, { mode: 0o755 });
  if (o.ignoreHalt) await writeFile(join(tree, 'ignore-halt'), '');
  const image = join(dir, 'root.img');
  await runChecked(['truncate', '-s', '32M', image]);
  await runChecked(['mkfs.ext4', '-q', '-F', '-d', tree, image]);
  const device = (await runChecked(['losetup', '-f', '--show', image])).stdout.trim();
  return {
    device,
    image,
    async cleanup() {
      await run(['losetup', '-d', device]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
