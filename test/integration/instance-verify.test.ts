import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../core/exec/index.js';
import { REPO_ROOT } from '../helpers/tmp.js';
import { startLoopbackCluster, type LoopbackCluster } from '../helpers/cluster.js';

// gnt-cluster verify's instance checks (EINSTANCEDOWN, EINSTANCEWRONGNODE,
// ENODEORPHANINSTANCE), each made by hand with the fake hypervisor's state files on a
// 2-node loopback cluster (127.0.22.3-4).
let cluster: LoopbackCluster;

const cli = async (tool: string, ...args: string[]) => {
  const r = await run([process.execPath, join(REPO_ROOT, `dist/cli/${tool}.js`), ...args], { env: { GANETI_ROOT: cluster.roots[0]! }, timeoutMs: 60_000 });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr, all: r.all };
};
const fakeDir = (node: number) => join(cluster.paths[node]!.runDir, 'fake-hv');
const verify = async () => {
  const r = await cli('gnt-cluster', 'verify', '--error-codes');
  return { code: r.code, errors: r.stdout.split('\n').filter((l) => / {2}- (ERROR|WARNING)[: ]/.test(l)).map((l) => l.slice(l.indexOf('  - '))), all: r.all };
};

before(async () => {
  cluster = await startLoopbackCluster({
    prefix: 'gnt-instance-verify-', masterd: true, keyType: 'ec', enabledDiskTemplates: ['file', 'diskless'],
    nodes: [{ name: 'node1.example.org', ip: '127.0.22.3' }, { name: 'node2.example.org', ip: '127.0.22.4' }],
  });
  const add = await cli('gnt-instance', 'add', '-t', 'diskless', '--no-install', '-n', 'node2.example.org', 'vm.example.org');
  assert.equal(add.code, 0, add.all);
});
after(() => cluster?.destroy());

test('a running admin-up instance verifies clean', async () => {
  const r = await verify();
  assert.equal(r.code, 0, r.all);
  assert.deepEqual(r.errors, []);
});

test('EINSTANCEDOWN: admin up but its state file gone from the primary', async () => {
  const file = join(fakeDir(1), 'vm.example.org.json');
  const saved = readFileSync(file, 'utf8');
  rmSync(file);
  try {
    const r = await verify();
    assert.equal(r.code, 1, r.all);
    assert.deepEqual(r.errors, ['  - ERROR:EINSTANCEDOWN:instance:vm.example.org:instance not running on its primary node node2.example.org']);
  } finally {
    writeFileSync(file, saved);
  }
});

test('EINSTANCEWRONGNODE: running on a node that is not its primary, or running while marked down', async () => {
  const from = join(fakeDir(1), 'vm.example.org.json');
  mkdirSync(fakeDir(0), { recursive: true });
  const to = join(fakeDir(0), 'vm.example.org.json');
  renameSync(from, to);
  try {
    const r = await verify();
    assert.equal(r.code, 1, r.all);
    assert.deepEqual(r.errors, [
      '  - ERROR:EINSTANCEDOWN:instance:vm.example.org:instance not running on its primary node node2.example.org',
      '  - ERROR:EINSTANCEWRONGNODE:instance:vm.example.org:instance should not run on node node1.example.org',
    ]);
  } finally {
    renameSync(to, from);
  }
  // recorded down, then started with --no-remember: it runs while its admin state says down
  const stop = await cli('gnt-instance', 'shutdown', 'vm.example.org');
  assert.equal(stop.code, 0, stop.all);
  const start = await cli('gnt-instance', 'startup', '--no-remember', 'vm.example.org');
  assert.equal(start.code, 0, start.all);
  const r = await verify();
  assert.equal(r.code, 1, r.all);
  assert.deepEqual(r.errors, ['  - ERROR:EINSTANCEWRONGNODE:instance:vm.example.org:instance should not run on node node2.example.org (its admin state is down)']);
  assert.equal((await cli('gnt-instance', 'startup', 'vm.example.org')).code, 0);
});

test('ENODEORPHANINSTANCE: a node runs an instance the config does not know; ignored codes only warn', async () => {
  const file = join(fakeDir(0), 'ghost.example.org.json');
  const state = JSON.parse(readFileSync(join(fakeDir(1), 'vm.example.org.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(file, JSON.stringify({ ...state, name: 'ghost.example.org', uuid: 'ghost' }));
  try {
    const r = await verify();
    assert.equal(r.code, 1, r.all);
    assert.deepEqual(r.errors, ['  - ERROR:ENODEORPHANINSTANCE:node:node1.example.org:node is running unknown instance ghost.example.org']);
    const plain = await cli('gnt-cluster', 'verify');
    assert.match(plain.stdout, / {2}- ERROR: node node1\.example\.org: node is running unknown instance ghost\.example\.org$/m);
    const ignored = await cli('gnt-cluster', 'verify', '--ignore-errors', 'ENODEORPHANINSTANCE');
    assert.equal(ignored.code, 0, ignored.all);
    assert.match(ignored.stdout, /- WARNING: node node1\.example\.org: node is running unknown instance/);
  } finally {
    rmSync(file);
  }
  assert.equal((await verify()).code, 0);
});
