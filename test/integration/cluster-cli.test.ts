import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../core/exec/index.js';
import { ganetiPaths } from '../../core/paths.js';
import { REPO_ROOT, removeDir, tempDir } from '../helpers/tmp.js';
import { alive } from '../helpers/masterd.js';

// gnt-cluster init/info/version/getmaster/queue as an admin types them, on a temp root.
let root: string;
let env: Record<string, string>;
const cli = (bin: string, ...args: string[]) => run([join(REPO_ROOT, 'dist/cli', `${bin}.js`), ...args], { env, timeoutMs: 60_000 });

before(async () => {
  root = await tempDir('gnt-cluster-cli-');
  env = { GANETI_ROOT: root, GANETI_HOSTNAME: 'node1.example.org', GANETI_NODE_IP: '127.0.1.201' };
});
after(async () => {
  for (const daemon of ['ganeti-masterd', 'ganeti-noded']) {
    const pidFile = join(ganetiPaths(root).runDir, `${daemon}.pid`);
    if (!existsSync(pidFile)) continue;
    const pid = Number(readFileSync(pidFile, 'utf8'));
    if (alive(pid)) process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 250 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
  }
  await removeDir(root);
});

test('init refuses bad options with a clear message and writes nothing', async () => {
  const r = await cli('gnt-cluster', 'init', '--enabled-hypervisors', 'kvm-nope', 'cluster.example.org');
  assert.equal(r.exitCode, 1);
  assert.match(r.stderr, /GNT_PROVIDER_UNKNOWN: unknown hypervisor 'kvm-nope' \(known: chroot, fake, kvm, lxc, xen-hvm, xen-pvm\)/);
  const b = await cli('gnt-cluster', 'init', '-B', 'vcpus=lots', 'cluster.example.org');
  assert.equal(b.exitCode, 1);
  assert.match(b.stderr, /error type: wrong_input[\s\S]*parameter 'vcpus' for backend parameters must be integer/);
  assert.equal(existsSync(ganetiPaths(root).configData), false);
  const g = await cli('gnt-cluster', 'getmaster');
  assert.equal(g.exitCode, 5);
});

test('init creates the cluster and starts the master; info, version, getmaster and queue answer', async () => {
  const r = await cli('gnt-cluster', 'init', '-B', 'maxmem=256', '-C', '3', 'cluster.example.org');
  assert.equal(r.exitCode, 0, r.all);
  assert.equal((await cli('gnt-cluster', 'getmaster')).stdout, 'node1.example.org\n');
  // the cluster certificate and the master's client certificate, made by openssl
  const paths = ganetiPaths(root);
  const verify = await run(['openssl', 'verify', '-CAfile', paths.serverPem, paths.clientPem]);
  assert.equal(verify.exitCode, 0, verify.all);
  assert.match(readFileSync(paths.ssconf('master_candidates_certs'), 'utf8'), /^[0-9a-f-]{36}=([0-9A-F]{2}:){19}[0-9A-F]{2}\n$/);
  // the node daemon answers over HTTPS with the cluster certificate on both ends
  const { RpcClient } = await import('../../core/rpc/index.js');
  const rpc = await RpcClient.fromPaths(paths);
  try {
    const [v] = await rpc.call('version', [{ name: 'node1.example.org', address: '127.0.1.201', port: 1811, offline: false }]);
    assert.equal(v!.success, true, JSON.stringify(v));
  } finally {
    rpc.close();
  }
  // the file storage folder exists (0750), so the master reports its disk space
  const { statSync } = await import('node:fs');
  assert.equal(statSync(paths.fileStorageDir).mode & 0o777, 0o750);
  const list = await cli('gnt-node', 'list', '--no-headers', '--separator=|', '-o', 'name,dtotal,dfree,mtotal');
  assert.equal(list.exitCode, 0, list.all);
  assert.match(list.stdout, /^node1\.example\.org\|\d+\|\d+\|\d+\n$/);
  const v = await cli('gnt-cluster', 'version');
  assert.match(v.stdout, /^Software version: \d+\.\d+\.\d+\nInternode protocol: 3000000\nConfiguration format: 3010000\nOS api version: 20\nExport interface: 0\nVCS version: ganeti-ts v/);
  const info = await cli('gnt-cluster', 'info');
  assert.equal(info.exitCode, 0, info.all);
  for (const line of [/^Cluster name: cluster.example.org$/m, /^Master node: node1.example.org$/m, /^Enabled hypervisors: fake$/m, /^  candidate pool size: 3$/m, /^    maxmem: 256$/m, /^  enabled disk templates: file, diskless$/m])
    assert.match(info.stdout, line);
  assert.equal((await cli('gnt-cluster', 'queue', 'drain')).exitCode, 0);
  assert.equal((await cli('gnt-cluster', 'queue', 'info')).stdout, 'The drain flag is set\n');
  const refused = await cli('gnt-debug', 'delay', '0');
  assert.equal(refused.exitCode, 1);
  assert.equal((await cli('gnt-cluster', 'queue', 'undrain')).exitCode, 0);
  assert.equal((await cli('gnt-debug', 'delay', '0')).exitCode, 0);
  const again = await cli('gnt-cluster', 'init', 'other.example.org');
  assert.equal(again.exitCode, 1);
  assert.match(again.stderr, /GNT_CONFIG_EXISTS: the cluster configuration \S+config.data already exists/);
});
