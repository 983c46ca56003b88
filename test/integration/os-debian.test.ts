import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../../core/exec/index.js';
import { REPO_ROOT } from '../helpers/tmp.js';
import { startLoopbackCluster, type LoopbackCluster } from '../helpers/cluster.js';
import { installOs } from '../helpers/os.js';

// The OS definitions Debian ships for Ganeti, unmodified: ganeti-os-noop and
// ganeti-instance-debootstrap, copied as they are installed (/usr/share/ganeti/os/NAME) into
// the node's root, one node (127.0.30.11). debootstrap unpacks the base tarball that
// test/fixtures/os/build-debootstrap-cache.sh made (.ci/run builds it). Its settings file
// /etc/default/ganeti-instance-debootstrap is the admin's to write: the node daemon runs in a
// mount namespace of its own where a test copy (bookworm, no partition table, since this
// kernel has no device-mapper for kpartx) is bind-mounted over it; the host's stays as it is.
const OS_DIR = '/usr/share/ganeti/os';
const CACHE = '/var/cache/ganeti-instance-debootstrap/cache-bookworm-amd64.tar';
const missing = !existsSync(join(OS_DIR, 'noop')) || !existsSync(join(OS_DIR, 'debootstrap'))
  ? 'ganeti-os-noop or ganeti-instance-debootstrap is not installed'
  : !existsSync(CACHE) ? `${CACHE} is missing (sh test/fixtures/os/build-debootstrap-cache.sh)`
  : process.getuid?.() !== 0 ? 'debootstrap needs root (loop devices, mount, chroot)'
  : !existsSync('/etc/default/ganeti-instance-debootstrap') ? 'ganeti-instance-debootstrap has no /etc/default file' : null;
const skip = missing ?? false;
if (missing) process.stdout.write(`# Debian OS definition tests skipped: ${missing}\n`);

let cluster: LoopbackCluster;
const cli = async (tool: string, ...args: string[]) => {
  const r = await run([process.execPath, join(REPO_ROOT, `dist/cli/${tool}.js`), ...args], { env: { GANETI_ROOT: cluster.roots[0]! }, timeoutMs: 240_000 });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr, all: r.all };
};
const inst = (...args: string[]) => cli('gnt-instance', ...args);
const diskOf = (name: string): string => {
  const cfg = JSON.parse(readFileSync(cluster.paths[0]!.configData, 'utf8')) as { instances: Record<string, { name: string; disks: string[] }>; disks: Record<string, { logical_id: string[] }> };
  const i = Object.values(cfg.instances).find((x) => x.name === name)!;
  return cfg.disks[i.disks[0]!]!.logical_id[1]!;
};
/** A file from the ext4 file system on a disk image, read with debugfs (no mount). */
const fileOnDisk = async (image: string, path: string) => (await run(['debugfs', '-R', `cat ${path}`, image], { env: { PATH: `${process.env['PATH']}:/sbin:/usr/sbin` } })).stdout;

before(async () => {
  if (skip) return;
  const top = `/tmp/gnt-os-debian-${process.pid}`;
  await mkdir(top, { recursive: true });
  const defaults = join(top, 'ganeti-instance-debootstrap.default');
  await writeFile(defaults, 'SUITE="bookworm"\nPARTITION_STYLE="none"\nGENERATE_CACHE="no"\nCLEAN_CACHE=""\n');
  const script = `mount --bind ${defaults} /etc/default/ganeti-instance-debootstrap && exec "$@"`;
  cluster = await startLoopbackCluster({
    prefix: 'gnt-os-debian-',
    masterd: true,
    keyType: 'ec',
    enabledDiskTemplates: ['file'],
    nodes: [{ name: 'node1.example.org', ip: '127.0.30.11' }],
    nodedLaunch: () => ({ wrap: ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', script, 'sh'] }),
  });
  // the packages' folders, as installed (variants.list stays a link into /etc/ganeti)
  for (const os of ['noop', 'debootstrap']) await installOs(cluster.roots[0]!, join(OS_DIR, os), os, cluster.paths[0]!.osSearchPath[1]!);
});
after(async () => {
  if (cluster) {
    for (const name of ['deb1.example.org', 'noop1.example.org']) await inst('remove', '-f', name).catch(() => undefined);
    await cluster.destroy();
  }
  await run(['rm', '-rf', `/tmp/gnt-os-debian-${process.pid}`]);
});

test('Debian\'s ganeti-os-noop and ganeti-instance-debootstrap run unmodified', { skip, timeout: 300_000 }, async () => {
  const diag = await cli('gnt-os', 'diagnose');
  assert.match(diag.stdout, /OS: debootstrap \[global status: valid\]\n  Variants: \[default\]\n  Node: node1\.example\.org, status: valid \(path: \/usr\/share\/ganeti\/os\/debootstrap\) \[API versions: 20, 15, 10, 5\] \[variants: default\] \[parameters: filesystem\] \[trusted\]/);
  assert.match(diag.stdout, /OS: noop \[global status: valid\]\n  Node: node1\.example\.org, status: valid \(path: \/srv\/ganeti\/os\/noop\)/, 'the first folder of the search path wins');
  // so ganeti-ts's noop makes way for Debian's
  await rm(join(cluster.paths[0]!.osSearchPath[0]!, 'noop'), { recursive: true });
  assert.match((await cli('gnt-os', 'diagnose')).stdout, /OS: noop \[global status: valid\]\n  Node: node1\.example\.org, status: valid \(path: \/usr\/share\/ganeti\/os\/noop\) \[API versions: 5, 10\] \[trusted\]/);

  const noop = await inst('add', '-t', 'file', '--disk', '0:size=8M', '-n', 'node1.example.org', '-o', 'noop', '--no-start', 'noop1.example.org');
  assert.equal(noop.code, 0, noop.all);

  const add = await inst('add', '-t', 'file', '--disk', '0:size=600M', '-n', 'node1.example.org', '-o', 'debootstrap+default', '-O', 'filesystem=ext4', '--no-start', 'deb1.example.org');
  assert.equal(add.code, 0, add.all);
  const image = diskOf('deb1.example.org');
  assert.equal((await fileOnDisk(image, '/etc/hostname')).trim(), 'deb1.example.org', 'the script named the installed system');
  assert.match(await fileOnDisk(image, '/etc/fstab'), /^UUID=[0-9a-f-]+\s+\/\s+ext4\s+defaults/m);
  assert.match(await fileOnDisk(image, '/usr/lib/os-release'), /VERSION_CODENAME=bookworm/);
  // no loop device or mount left behind by the script
  assert.equal((await run(['losetup', '-j', image])).stdout.trim(), '');

  // reinstall runs it again onto the same disk
  const again = await inst('reinstall', '-f', 'deb1.example.org');
  assert.equal(again.code, 0, again.all);
  assert.equal((await fileOnDisk(image, '/etc/hostname')).trim(), 'deb1.example.org');
});
