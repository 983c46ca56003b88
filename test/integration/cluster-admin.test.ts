import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { RpcClient } from '../../core/rpc/index.js';
import { handCluster, type HandCluster, type HandNode } from '../helpers/hand-cluster.js';

// gnt-cluster command, copyfile, modify and destroy on three real node daemons: node1 is the
// master, node2 a master candidate, node3 a regular node.
let c: HandCluster;
let n1: HandNode, n2: HandNode, n3: HandNode;

before(async () => {
  c = await handCluster('gnt-admin-', [
    { name: 'node1.example.org', ip: '127.0.4.21', candidate: true },
    { name: 'node2.example.org', ip: '127.0.4.22', candidate: true },
    { name: 'node3.example.org', ip: '127.0.4.23', candidate: false },
  ]);
  [n1, n2, n3] = c.nodes as [HandNode, HandNode, HandNode];
});
after(() => c?.stop());

const RULE = '------------------------------------------------';
const block = (node: string, output: string, code: number) => `${RULE}\nnode: ${node}\n${output}\nreturn code = ${code}\n`;

describe('gnt-cluster command', () => {
  test('runs on every node, the master last, printing Ganeti\'s blocks with each exit code', async () => {
    const r = await c.gnt(n1, 'gnt-cluster', ['command', 'echo "$GANETI_HOSTNAME"; exit 3']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, [n2, n3, n1].map((n) => block(n.name, `${n.name}\n`, 3)).join(''));
  });

  test('-n picks nodes, options after the command are the command\'s, -M prefixes lines', async () => {
    const r = await c.gnt(n1, 'gnt-cluster', ['command', '-n', 'node3.example.org', '-n', 'node2.example.org', 'ls', '-d', '/']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, block('node2.example.org', '/\n', 0) + block('node3.example.org', '/\n', 0));
    const m = await c.gnt(n1, 'gnt-cluster', ['command', '-M', '-n', 'node2.example.org', 'echo one; echo two >&2']);
    assert.equal(m.stdout, `${RULE}\nnode2.example.org: one\nnode2.example.org: two\nreturn code = 0\n`);
    const unknown = await c.gnt(n1, 'gnt-cluster', ['command', '-n', 'node9.example.org', 'true']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /node9\.example\.org/);
  });

  test('a node refuses run_command from a certificate that is not the master\'s', async () => {
    const rpc = await RpcClient.fromPaths(n2.paths);
    try {
      const r = await rpc.callNode('run_command', { name: n3.name, address: n3.ip }, ['touch /tmp/should-not-exist']);
      assert.equal(r.success, false);
      assert.match(r.success ? '' : r.error, /run_command is accepted only from the master node's certificate/);
    } finally {
      rpc.close();
    }
  });
});

describe('gnt-cluster copyfile', () => {
  test('copies content, mode and times to the same path on the other nodes', async () => {
    const file = n1.paths.under('/etc/ganeti/hooks/cluster-verify-post.d/00-check');
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, '#!/bin/sh\nexit 0\n');
    await chmod(file, 0o750);
    const r = await c.gnt(n1, 'gnt-cluster', ['copyfile', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    for (const n of [n2, n3]) {
      const copy = n.paths.under('/etc/ganeti/hooks/cluster-verify-post.d/00-check');
      assert.equal(await readFile(copy, 'utf8'), '#!/bin/sh\nexit 0\n', n.name);
      assert.equal((await stat(copy)).mode & 0o777, 0o750);
      assert.equal(Math.floor((await stat(copy)).mtimeMs / 1000), Math.floor((await stat(file)).mtimeMs / 1000));
    }
  });

  test('-n limits the targets; the nodes\' own cluster state is refused; a missing file exits 1', async () => {
    const file = n1.paths.under('/srv/only-node3.txt');
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, 'three\n');
    const r = await c.gnt(n1, 'gnt-cluster', ['copyfile', '-n', 'node3.example.org', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(existsSync(n3.paths.under('/srv/only-node3.txt')), true);
    assert.equal(existsSync(n2.paths.under('/srv/only-node3.txt')), false);

    const guarded = await c.gnt(n1, 'gnt-cluster', ['copyfile', n1.paths.ssconf('cluster_name')]);
    assert.equal(guarded.code, 0);
    assert.match(guarded.stderr, /^Copy of file .*ssconf_cluster_name to node node2\.example\.org failed: .*not in allowed upload targets/m);
    assert.match(guarded.stderr, /^Copy of file .*ssconf_cluster_name to node node3\.example\.org failed/m);

    const missing = await c.gnt(n1, 'gnt-cluster', ['copyfile', n1.paths.under('/srv/nope')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No such filename '.*\/srv\/nope'/);
  });

  test('a node refuses a copyfile upload from a certificate that is not the master\'s', async () => {
    const file = n2.paths.under('/srv/from-node2.txt');
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, 'x');
    const rpc = await RpcClient.fromPaths(n2.paths);
    try {
      const r = await rpc.callNode('upload_file', { name: n3.name, address: n3.ip }, [file]);
      assert.equal(r.success, false);
      assert.match(r.success ? '' : r.error, /upload_file is accepted only from the master node's certificate/);
      assert.equal(existsSync(n3.paths.under('/srv/from-node2.txt')), false);
    } finally {
      rpc.close();
    }
  });
});

describe('gnt-cluster modify', () => {
  test('without options: exit 1, as Ganeti', async () => {
    const r = await c.gnt(n1, 'gnt-cluster', ['modify']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Please give at least one of the parameters.\n');
  });

  test('changes the parameters; info shows them and the candidates get the new config.data', async () => {
    const before = c.config(n2).serial_no;
    const r = await c.gnt(n1, 'gnt-cluster', ['modify', '-C', '5', '--max-running-jobs', '3', '--max-tracked-jobs', '7', '-B', 'maxmem=256', '-N', 'link=br1',
      '--node-parameters', 'ssh_port=2222', '-H', 'fake:migration_mode=non-live', '-m', 'aa:bb:cc', '--master-netdev', 'eth9', '--vg-name', 'vg0',
      '--file-storage-dir', '/srv/files', '--enabled-disk-templates', 'diskless,file']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const info = await c.gnt(n1, 'gnt-cluster', ['info']);
    for (const re of [/candidate pool size: 5$/m, /maximal number of jobs running simultaneously: 3$/m, /tracked by the scheduler: 7$/m, /mac prefix: aa:bb:cc$/m,
      /master netdev: eth9$/m, /lvm volume group: vg0$/m, /file storage path: \/srv\/files$/m, /enabled disk templates: diskless, file$/m, /maxmem: 256$/m, /link: br1$/m,
      /ssh_port: 2222$/m, /migration_mode: non-live$/m]) assert.match(info.stdout, re);
    // one config write, replicated to the other candidate
    await new Promise((res) => setTimeout(res, 300));
    const cfg = c.config(n2) as unknown as { serial_no: number; cluster: Record<string, unknown> };
    assert.equal(cfg.serial_no, before + 1);
    assert.equal(cfg.cluster['candidate_pool_size'], 5);
    assert.equal(await readFile(n3.paths.ssconf('master_netdev'), 'utf8'), 'eth9\n');
  });

  test('bad values are refused with the checks of init, and nothing is written', async () => {
    const serial = c.config(n1).serial_no;
    const cases: [string[], RegExp][] = [
      [['-C', '0'], /candidate pool size' must be a positive integer/],
      [['--max-running-jobs', 'abc'], /--max-running-jobs: 'abc' is not an integer/],
      [['--enabled-hypervisors', 'kvm9'], /unknown hypervisor 'kvm9' \(known: chroot, fake, kvm, lxc, xen-hvm, xen-pvm\)/],
      [['--enabled-disk-templates', 'drbd9'], /unknown storage 'drbd9'/],
      [['-B', 'minmem=512,maxmem=256'], /minmem must not be larger than maxmem/],
      [['-B', 'memory=1'], /unknown parameter 'memory' for backend parameters/],
      [['-N', 'mode=tunnel'], /parameter 'mode' for NIC parameters must be equal to one of the allowed values/],
      [['-H', 'fake:migration_mode=teleport'], /migration_mode/],
      [['-m', 'zz:00:00'], /mac prefix' 'zz:00:00' is not three hex octets/],
      [['--master-netmask', '33'], /CIDR netmask \(33\) not valid for IPv4/],
      [['--file-storage-dir', 'relative/dir'], /'relative\/dir' is not an absolute path/],
      [['--vg-name', 'bad vg'], /'bad vg' is not a valid LVM volume group name/],
    ];
    for (const [args, re] of cases) {
      const r = await c.gnt(n1, 'gnt-cluster', ['modify', ...args]);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, re, args.join(' '));
    }
    assert.equal(c.config(n1).serial_no, serial);
  });
});

test('gnt-cluster destroy is refused while other nodes are in the cluster', async () => {
  const ask = await c.gnt(n1, 'gnt-cluster', ['destroy']);
  assert.equal(ask.code, 1);
  assert.match(ask.stderr, /supply the --yes-do-it option/);
  const r = await c.gnt(n1, 'gnt-cluster', ['destroy', '--yes-do-it']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /There are still 2 node\(s\) in this cluster\./);
  assert.ok(c.pid(n1, 'ganeti-masterd'));
  assert.equal(existsSync(n1.paths.configData), true);
});
