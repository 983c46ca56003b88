import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../core/exec/index.js';
import { REPO_ROOT } from '../helpers/tmp.js';
import { startLoopbackCluster, type LoopbackCluster } from '../helpers/cluster.js';
import { guestHvparams, testGuest, type Guest } from '../helpers/guest.js';
import { cephMissing, startCeph, type CephCluster } from '../helpers/ceph.js';

// A kvm guest on an rbd disk opened by qemu's librbd (access=userspace) live-migrates between
// two node daemons (127.0.27.1-2). The one-node Ceph runs in a namespace of its own, reached
// over a veth pair; the node daemons get its configuration as CEPH_CONF, which the rbd
// provider hands to rbd and puts into qemu's drive URI.
const guest = await testGuest();
const skip = typeof guest === 'string' ? guest : ((await cephMissing()) ?? false);
if (skip) process.stdout.write(`# kvm on rbd tests skipped: ${skip}\n`);
let ceph: CephCluster;
let cluster: LoopbackCluster;
const NAME = 'vm-rbd.example.org';

const cli = async (tool: string, ...args: string[]) => {
  const r = await run([process.execPath, join(REPO_ROOT, `dist/cli/${tool}.js`), ...args], { env: { GANETI_ROOT: cluster.roots[0]! }, timeoutMs: 120_000 });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr, all: r.all };
};
const inst = (...args: string[]) => cli('gnt-instance', ...args);
const serialLog = (node: number) => join(cluster.paths[node]!.runDir, 'kvm-hypervisor/ctrl', `${NAME}.serial.log`);
const console_ = (node: number) => (existsSync(serialLog(node)) ? readFileSync(serialLog(node), 'utf8') : '');
const ticks = (node: number) => [...console_(node).matchAll(/TICK (\d+)/g)].map((m) => Number(m[1]));
const qemuArgv = (node: number) => {
  const pid = Number(readFileSync(join(cluster.paths[node]!.runDir, 'kvm-hypervisor/pid', NAME), 'utf8'));
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
};
async function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const hvOption = () => `kvm:${Object.entries(guestHvparams(guest as Guest, 'wait', { migration_port: 20000 + ((process.pid + 7) % 10000), migration_bandwidth: 1000 })).map(([k, v]) => `${k}=${String(v)}`).join(',')}`;

before(async () => {
  if (skip) return;
  ceph = await startCeph(`gnt-ceph-kvm-${process.pid}`, { reachable: true });
  try {
    cluster = await startLoopbackCluster({
      prefix: 'gnt-inst-kvm-rbd-',
      masterd: true,
      keyType: 'ec',
      enabledHypervisors: ['kvm'],
      enabledDiskTemplates: ['rbd'],
      nodes: [1, 2].map((n) => ({ name: `node${n}.example.org`, ip: `127.0.27.${n}` })),
      nodedLaunch: () => ({ env: { CEPH_CONF: ceph.conf } }),
    });
  } catch (e) {
    await ceph.stop();
    throw e;
  }
});
after(async () => {
  if (cluster) {
    await inst('remove', '-f', '--shutdown-timeout', '0', NAME).catch(() => undefined);
    await cluster.destroy();
  }
  await ceph?.stop();
});

test('a kvm guest on an rbd disk (librbd) live-migrates between two nodes', { skip, timeout: 300_000 }, async () => {
  const add = await inst('add', '-t', 'rbd', '--disk', '0:size=16M,access=userspace', '--no-nics', '-n', 'node1.example.org', '-o', 'noop', '-H', hvOption(), NAME);
  assert.equal(add.code, 0, add.all);
  // the image exists in Ceph, and qemu opens it through librbd with the node's configuration
  const images = (await ceph.exec(['rbd', 'ls', '-p', 'rbd'])).stdout.trim().split('\n').filter(Boolean);
  assert.equal(images.length, 1, `one image in the pool: ${images.join(' ')}`);
  assert.ok(qemuArgv(0).some((a) => a.includes(`file=rbd:rbd/${images[0]}:conf=${ceph.conf}`)), qemuArgv(0).join(' '));
  await waitFor(() => ticks(0).length >= 2, 90_000, 'the guest to tick');
  assert.match(console_(0), /GUEST-DISK \/dev\/vda/);

  const before = Math.max(...ticks(0));
  const mig = await inst('migrate', '-f', '-n', 'node2.example.org', NAME);
  assert.equal(mig.code, 0, mig.all);
  await waitFor(() => ticks(1).some((t) => t > before), 45_000, 'the guest to tick on node2').catch((e: unknown) => {
    throw new Error(`${String(e)}; source ticked up to ${before}; node2's console: ${console_(1).slice(-500)}`);
  });
  assert.equal(ticks(1).includes(1), false, 'not rebooted: the counter carried on');
  assert.ok(qemuArgv(1).some((a) => a.includes(`file=rbd:rbd/${images[0]}:conf=${ceph.conf}`)), qemuArgv(1).join(' '));
  assert.equal((await inst('list', '--no-headers', '--separator=|', '-o', 'pnode,status,disk_template', NAME)).stdout, 'node2.example.org|running|rbd\n');
  // only the target's qemu has the image open now: one watcher
  const status = await ceph.exec(['rbd', 'status', '-p', 'rbd', images[0]!, '--format', 'json']);
  assert.equal(status.ok, true, status.all);
  assert.equal((JSON.parse(status.stdout) as { watchers: unknown[] }).watchers.length, 1, status.stdout);

  assert.equal((await inst('remove', '-f', '--shutdown-timeout', '0', NAME)).code, 0);
  assert.equal((await ceph.exec(['rbd', 'ls', '-p', 'rbd'])).stdout.trim(), '', 'the image is gone');
});
