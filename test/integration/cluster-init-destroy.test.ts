import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../core/exec/index.js';
import { ganetiPaths } from '../../core/paths.js';
import { REPO_ROOT, removeDir, tempDir } from '../helpers/tmp.js';
import { alive } from '../helpers/masterd.js';

// gnt-cluster init with every option of interfaces §13.2 (each bad value refused before
// anything is written), an IPv6 primary, and gnt-cluster destroy of the one-node cluster.
const IP = '127.0.4.31';
let top: string;
const roots: string[] = [];

const cli = (root: string, args: string[], extra: Record<string, string> = {}) =>
  run([process.execPath, join(REPO_ROOT, 'dist/cli/gnt-cluster.js'), ...args], {
    env: { GANETI_ROOT: root, GANETI_HOSTNAME: 'node1.example.org', GANETI_NODE_IP: IP, TZ: 'UTC', ...extra },
    timeoutMs: 60_000,
  });
const pidOf = (root: string, daemon: string): number | null => {
  const f = join(ganetiPaths(root).runDir, `${daemon}.pid`);
  return existsSync(f) ? Number(readFileSync(f, 'utf8')) : null;
};
const waitGone = async (pid: number) => {
  for (let i = 0; i < 500 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
  return !alive(pid);
};

before(async () => {
  top = await tempDir('gnt-init-destroy-');
});
after(async () => {
  for (const root of roots) {
    for (const daemon of ['ganeti-masterd', 'ganeti-noded']) {
      const pid = pidOf(root, daemon);
      if (pid !== null && alive(pid)) {
        process.kill(pid, 'SIGTERM');
        await waitGone(pid);
      }
    }
  }
  await removeDir(top);
});

const newRoot = (name: string) => {
  const r = join(top, name);
  roots.push(r);
  return r;
};

test('init refuses each bad option value, naming it, and writes nothing', async () => {
  const root = newRoot('refused');
  const cases: [string[], RegExp, Record<string, string>?][] = [
    [['--enabled-hypervisors', 'kvm9'], /unknown hypervisor 'kvm9' \(known: chroot, fake, kvm, lxc, xen-hvm, xen-pvm\)/],
    [['--enabled-disk-templates', 'drbd9'], /unknown storage 'drbd9'/],
    [['--enabled-disk-templates', 'file', '--file-storage-dir', 'relative'], /'relative' is not an absolute path/],
    [['--vg-name', 'bad vg'], /'bad vg' is not a valid LVM volume group name/],
    [['--master-netdev', 'a/b'], /'a\/b' is not a valid network interface name/],
    [['--master-netmask', '40'], /CIDR netmask \(40\) not valid for IPv4/],
    [['-C', '0'], /candidate pool size' must be a positive integer/],
    [['-s', '::1'], /secondary IP address \(::1\) has to be a valid IPv4 address/],
    [['-s', 'not-an-ip'], /secondary IP address \(not-an-ip\) has to be a valid IPv4 address/],
    [['--primary-ip-version', '5'], /argument '5' is invalid. Allowed choices are 4, 6/],
    [['--primary-ip-version', '6'], /this host's IP \(127\.0\.4\.31\) is not a valid IPv6 address/],
    [['--primary-ip-version', '6'], /when using a IPv6 primary address, a valid IPv4 address must be given as secondary/, { GANETI_NODE_IP: '::1' }],
    [['-H', 'fake:migration_mode=teleport'], /migration_mode/],
    [['-H', 'kvm:acpi=true'], /hypervisor 'kvm' is not enabled/],
    [['-B', 'minmem=512,maxmem=256'], /minmem must not be larger than maxmem/],
    [['-B', 'vcpus=lots'], /parameter 'vcpus' for backend parameters must be integer/],
    [['-N', 'mode=tunnel'], /parameter 'mode' for NIC parameters must be equal to one of the allowed values/],
    [['-N', 'mode=bridged,link='], /a bridged NIC needs a link/],
    [['--node-parameters', 'ssh_port=0'], /parameter 'ssh_port' for node parameters must be >= 1/],
    [['--node-parameters', 'colour=red'], /unknown parameter 'colour' for node parameters/],
    [['--mac-prefix', 'zz:00:00'], /mac prefix' 'zz:00:00' is not three hex octets/],
  ];
  for (const [args, re, env] of cases) {
    const r = await cli(root, ['init', '--no-start', ...args, 'cluster.example.org'], env);
    assert.equal(r.exitCode, 1, `${args.join(' ')}: ${r.all}`);
    assert.match(r.stderr, re, args.join(' '));
  }
  assert.deepEqual(existsSync(ganetiPaths(root).dataDir) ? readdirSync(ganetiPaths(root).dataDir) : [], []);
});

test('an IPv6 primary with an IPv4 secondary: primary_ip_family 10, netmask 128', async () => {
  const root = newRoot('ipv6');
  const r = await cli(root, ['init', '--no-start', '--primary-ip-version', '6', '-s', '127.0.4.33', 'cluster6.example.org'], { GANETI_NODE_IP: '::1' });
  assert.equal(r.exitCode, 0, r.all);
  const cfg = JSON.parse(readFileSync(ganetiPaths(root).configData, 'utf8')) as { cluster: Record<string, unknown>; nodes: Record<string, { primary_ip: string; secondary_ip: string }> };
  assert.equal(cfg.cluster['primary_ip_family'], 10);
  assert.equal(cfg.cluster['master_netmask'], 128);
  const [node] = Object.values(cfg.nodes);
  assert.deepEqual([node!.primary_ip, node!.secondary_ip], ['::1', '127.0.4.33']);
  assert.equal(readFileSync(ganetiPaths(root).ssconf('primary_ip_family'), 'utf8'), '10\n');
});

test('init with every option, then destroy: daemons stopped and the cluster files removed', async () => {
  const root = newRoot('full');
  const paths = ganetiPaths(root);
  const r = await cli(root, ['init', '--enabled-hypervisors', 'fake', '--enabled-disk-templates', 'file,diskless', '--file-storage-dir', '/srv/files',
    '--vg-name', 'xenvg', '--master-netdev', 'lo', '--master-netmask', '24', '-C', '3', '-s', '127.0.4.32', '-H', 'fake:migration_mode=non-live', '-B', 'maxmem=256,vcpus=2',
    '-N', 'link=br0', '--node-parameters', 'ssh_port=2222', '-m', 'aa:11:22', 'cluster.example.org']);
  assert.equal(r.exitCode, 0, r.all);
  const masterd = pidOf(root, 'ganeti-masterd');
  const noded = pidOf(root, 'ganeti-noded');
  assert.ok(masterd && alive(masterd) && noded && alive(noded));
  const info = await cli(root, ['info']);
  for (const re of [/candidate pool size: 3$/m, /master netdev: lo$/m, /master netmask: 24$/m, /lvm volume group: xenvg$/m, /file storage path: \/srv\/files$/m,
    /mac prefix: aa:11:22$/m, /maxmem: 256$/m, /vcpus: 2$/m, /link: br0$/m, /ssh_port: 2222$/m, /migration_mode: non-live$/m]) assert.match(info.stdout, re);
  const cfg = JSON.parse(readFileSync(paths.configData, 'utf8')) as { nodes: Record<string, { secondary_ip: string }> };
  assert.equal(Object.values(cfg.nodes)[0]!.secondary_ip, '127.0.4.32');

  const d = await cli(root, ['destroy', '--yes-do-it']);
  assert.equal(d.exitCode, 0, d.all);
  assert.ok(await waitGone(masterd), 'ganeti-masterd stopped');
  assert.ok(await waitGone(noded), 'ganeti-noded stopped');
  for (const f of [paths.configData, paths.serverPem, paths.clientPem, paths.ssconf('master_node'), paths.hmacKey]) assert.equal(existsSync(f), false, f);
  const g = await cli(root, ['getmaster']);
  assert.equal(g.exitCode, 5);
  // and the node can start a new cluster
  const again = await cli(root, ['init', '--no-start', 'cluster2.example.org']);
  assert.equal(again.exitCode, 0, again.all);
});
