import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../../core/exec/index.js';
import { REPO_ROOT } from '../helpers/tmp.js';
import { startLoopbackCluster, type LoopbackCluster } from '../helpers/cluster.js';

// Moving instances between nodes through the whole path, fake hypervisor: three node daemons
// (127.0.25.1-3). sharedfile disks live in the cluster's shared folder, which the three
// "nodes" on this machine really share; file disks are local to their node.
let cluster: LoopbackCluster;

const cli = async (tool: string, ...args: string[]) => {
  const r = await run([process.execPath, join(REPO_ROOT, `dist/cli/${tool}.js`), ...args], { env: { GANETI_ROOT: cluster.roots[0]! }, timeoutMs: 60_000 });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr, all: r.all };
};
const inst = (...args: string[]) => cli('gnt-instance', ...args);
const node = (...args: string[]) => cli('gnt-node', ...args);
type Cfg = { serial_no: number; nodes: Record<string, { name: string }>; instances: Record<string, { name: string; primary_node: string; admin_state: string }> };
const config = () => JSON.parse(readFileSync(cluster.paths[0]!.configData, 'utf8')) as Cfg;
const pnodeOf = (name: string) => {
  const c = config();
  return c.nodes[Object.values(c.instances).find((i) => i.name === name)!.primary_node]!.name;
};
const stateDir = (i: number) => join(cluster.paths[i]!.runDir, 'fake-hv');
const stateFile = (i: number, name: string) => join(stateDir(i), `${name}.json`);
/** Which nodes (1-based) run `name`, by the fake hypervisor's state files. */
const runsOn = (name: string) => [0, 1, 2].filter((i) => existsSync(stateFile(i, name))).map((i) => i + 1);
const add = async (name: string, template: string, pnode: number, ...extra: string[]) => {
  const r = await inst('add', '-t', template, ...(template === 'diskless' ? [] : ['--disk', '0:size=4M']), '--no-nics', '-n', `node${pnode}.example.org`, '-o', 'noop', ...extra, name);
  assert.equal(r.code, 0, r.all);
};

before(async () => {
  cluster = await startLoopbackCluster({
    prefix: 'gnt-inst-migrate-',
    masterd: true,
    keyType: 'ec',
    enabledDiskTemplates: ['sharedfile', 'file', 'diskless'],
    nodes: [1, 2, 3].map((n) => ({ name: `node${n}.example.org`, ip: `127.0.25.${n}` })),
  });
});
after(() => cluster?.destroy());

describe('gnt-instance migrate', () => {
  test('a live migration moves the running instance and its primary; non-live brings it back', async () => {
    await add('mig1.example.org', 'sharedfile', 1);
    assert.deepEqual(runsOn('mig1.example.org'), [1]);
    const m = await inst('migrate', '-f', '-n', 'node2.example.org', 'mig1.example.org');
    assert.equal(m.code, 0, m.all);
    assert.match(m.stdout, /migrating instance to node2\.example\.org/);
    assert.deepEqual(runsOn('mig1.example.org'), [2]);
    assert.equal(pnodeOf('mig1.example.org'), 'node2.example.org');
    assert.equal((await inst('list', '--no-headers', '--separator=|', '-o', 'pnode,status', 'mig1.example.org')).stdout, 'node2.example.org|running\n');
    const back = await inst('migrate', '-f', '--non-live', '-n', 'node1.example.org', 'mig1.example.org');
    assert.equal(back.code, 0, back.all);
    assert.deepEqual(runsOn('mig1.example.org'), [1]);
  });

  test('a migration the target refuses leaves the instance running on the source, config unchanged', async () => {
    // node3 already runs something under that name: it refuses to accept the instance
    await mkdir(stateDir(2), { recursive: true });
    await copyFile(stateFile(0, 'mig1.example.org'), stateFile(2, 'mig1.example.org'));
    const serial = config().serial_no;
    const m = await inst('migrate', '-f', '-n', 'node3.example.org', 'mig1.example.org');
    assert.equal(m.code, 1, m.all);
    assert.match(m.stderr, /GNT_INSTANCE_MIGRATION_FAILED: migration of instance 'mig1\.example\.org' from node1\.example\.org to node3\.example\.org failed: accepting the instance on node3\.example\.org: .*already running/);
    assert.match(m.stdout, /aborting: the instance stays on node1\.example\.org/);
    assert.equal(pnodeOf('mig1.example.org'), 'node1.example.org');
    assert.equal(config().serial_no, serial, 'the config was not written');
    assert.ok(existsSync(stateFile(0, 'mig1.example.org')), 'still running on the source');
    assert.equal((JSON.parse(readFileSync(stateFile(0, 'mig1.example.org'), 'utf8')) as { migration?: unknown }).migration, undefined, 'and no longer migrating');
    await rm(stateFile(2, 'mig1.example.org'));
  });

  test('--cleanup after a migration that broke off: the node that runs it becomes (or stays) primary', async () => {
    // the transfer finished (it runs on node2) but the master died before the config said so
    await mkdir(stateDir(1), { recursive: true });
    await copyFile(stateFile(0, 'mig1.example.org'), stateFile(1, 'mig1.example.org'));
    await rm(stateFile(0, 'mig1.example.org'));
    const c = await inst('migrate', '-f', '--cleanup', '-n', 'node2.example.org', 'mig1.example.org');
    assert.equal(c.code, 0, c.all);
    assert.match(c.stdout, /instance running on secondary node \(node2\.example\.org\), updating config/);
    assert.equal(pnodeOf('mig1.example.org'), 'node2.example.org');
    assert.equal((await inst('list', '--no-headers', '-o', 'status', 'mig1.example.org')).stdout.trim(), 'running');
    // and when it never left: nothing changes
    const again = await inst('migrate', '-f', '--cleanup', '-n', 'node3.example.org', 'mig1.example.org');
    assert.equal(again.code, 0, again.all);
    assert.match(again.stdout, /instance confirmed to be running on its primary node \(node2\.example\.org\)/);
    assert.equal(pnodeOf('mig1.example.org'), 'node2.example.org');
    // running nowhere: refused with Ganeti's advice
    const copy = readFileSync(stateFile(1, 'mig1.example.org'));
    await rm(stateFile(1, 'mig1.example.org'));
    const none = await inst('migrate', '-f', '--cleanup', '-n', 'node3.example.org', 'mig1.example.org');
    assert.equal(none.code, 1);
    assert.match(none.stderr, /does not seem to be running at all/);
    await writeFile(stateFile(1, 'mig1.example.org'), copy);
  });

  test('refusals: local disks, the primary as target, an unknown or offline target, a stopped instance', async () => {
    await add('local1.example.org', 'file', 1);
    const file = await inst('migrate', '-f', '-n', 'node2.example.org', 'local1.example.org');
    assert.equal(file.code, 1);
    assert.match(file.stderr, /has file disks, which only its primary node can reach, so it cannot migrate; use gnt-instance move/);
    const fo = await inst('failover', '-f', '-n', 'node2.example.org', 'local1.example.org');
    assert.match(fo.stderr, /so it cannot fail over/);
    assert.equal((await inst('remove', '-f', 'local1.example.org')).code, 0);
    const self = await inst('migrate', '-f', '-n', 'node2.example.org', 'mig1.example.org');
    assert.match(self.stderr, /GNT_INSTANCE_NODE: target_node: node node2\.example\.org is already the primary node/);
    const none = await inst('migrate', '-f', 'mig1.example.org');
    assert.match(none.stderr, /give the target with -n NODE/);
    const unknown = await inst('migrate', '-f', '-n', 'node9.example.org', 'mig1.example.org');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /node9/);
    assert.equal((await node('modify', '-O', 'yes', 'node3.example.org')).code, 0);
    const off = await inst('migrate', '-f', '-n', 'node3.example.org', 'mig1.example.org');
    assert.match(off.stderr, /node node3\.example\.org is offline/);
    assert.equal((await node('modify', '-O', 'no', 'node3.example.org')).code, 0);
    assert.equal((await inst('shutdown', '--timeout', '1', 'mig1.example.org')).code, 0);
    const stopped = await inst('migrate', '-f', '-n', 'node1.example.org', 'mig1.example.org');
    assert.match(stopped.stderr, /is not running, so it cannot be migrated/);
    const allow = await inst('migrate', '-f', '--allow-failover', '-n', 'node1.example.org', 'mig1.example.org');
    assert.equal(allow.code, 0, allow.all);
    assert.equal(pnodeOf('mig1.example.org'), 'node1.example.org');
    assert.deepEqual(runsOn('mig1.example.org'), [], 'a stopped instance stays stopped');
    assert.equal((await inst('startup', 'mig1.example.org')).code, 0);
    assert.deepEqual(runsOn('mig1.example.org'), [1]);
  });
});

describe('gnt-instance failover', () => {
  test('a running instance is stopped on its primary and started on the target', async () => {
    const r = await inst('failover', '-f', '-n', 'node3.example.org', 'mig1.example.org');
    assert.equal(r.code, 0, r.all);
    assert.match(r.stdout, /shutting down instance mig1\.example\.org on source node node1\.example\.org/);
    assert.deepEqual(runsOn('mig1.example.org'), [3]);
    assert.equal(pnodeOf('mig1.example.org'), 'node3.example.org');
  });
});

describe('gnt-instance move', () => {
  test('a file disk is copied to the target byte for byte, the old one removed, the instance started there', async () => {
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    await add('mv1.example.org', 'file', 1);
    const diskOf = () => {
      const c = JSON.parse(readFileSync(cluster.paths[0]!.configData, 'utf8')) as { instances: Record<string, { name: string; disks: string[] }>; disks: Record<string, { logical_id: string[]; nodes: string[] }> };
      return c.disks[Object.values(c.instances).find((i) => i.name === 'mv1.example.org')!.disks[0]!]!;
    };
    const oldPath = diskOf().logical_id[1]!;
    const pattern = randomBytes(4 * 1024 * 1024);
    pattern.write('ganeti-ts move test', 0);
    writeFileSync(oldPath, pattern);
    const r = await inst('move', '-f', '-n', 'node2.example.org', 'mv1.example.org');
    assert.equal(r.code, 0, r.all);
    const newPath = diskOf().logical_id[1]!;
    assert.notEqual(newPath, oldPath, 'a new disk');
    assert.equal(sha(readFileSync(newPath)), sha(pattern), 'the data arrived unchanged');
    assert.equal(existsSync(oldPath), false, 'the old disk is removed');
    assert.equal(pnodeOf('mv1.example.org'), 'node2.example.org');
    assert.deepEqual(runsOn('mv1.example.org'), [2]);
    const fake = JSON.parse(readFileSync(stateFile(1, 'mv1.example.org'), 'utf8')) as { disks: { dev_path: string }[] };
    assert.equal(fake.disks[0]!.dev_path, newPath, 'it runs on the new disk');
    const diskless = await inst('add', '-t', 'diskless', '--no-nics', '-n', 'node1.example.org', '-o', 'noop', 'mv2.example.org');
    assert.equal(diskless.code, 0, diskless.all);
    const refused = await inst('move', '-f', '-n', 'node2.example.org', 'mv2.example.org');
    assert.match(refused.stderr, /GNT_INSTANCE_NOT_MOVABLE: .*diskless/);
    for (const n of ['mv1', 'mv2']) assert.equal((await inst('remove', '-f', `${n}.example.org`)).code, 0);
    assert.equal(existsSync(newPath), false);
  });
});

describe('gnt-node migrate, failover, evacuate', () => {
  test('every primary instance of a node moves, one job each', async () => {
    await add('n1.example.org', 'sharedfile', 2);
    await add('n2.example.org', 'diskless', 2);
    const m = await node('migrate', '-f', '-n', 'node1.example.org', 'node2.example.org');
    assert.equal(m.code, 0, m.all);
    assert.match(m.stdout, /Submitted jobs \d+, \d+/);
    assert.match(m.stdout, /All instances moved successfully\./);
    assert.deepEqual([pnodeOf('n1.example.org'), pnodeOf('n2.example.org')], ['node1.example.org', 'node1.example.org']);
    assert.deepEqual([runsOn('n1.example.org'), runsOn('n2.example.org')], [[1], [1]]);

    const f = await node('failover', '-f', '-n', 'node2.example.org', 'node1.example.org');
    assert.equal(f.code, 0, f.all);
    assert.deepEqual([pnodeOf('n1.example.org'), pnodeOf('n2.example.org')], ['node2.example.org', 'node2.example.org']);

    const e = await node('evacuate', '-f', '-n', 'node3.example.org', 'node2.example.org');
    assert.equal(e.code, 0, e.all);
    assert.deepEqual([pnodeOf('n1.example.org'), pnodeOf('n2.example.org')], ['node3.example.org', 'node3.example.org']);
    assert.deepEqual([runsOn('n1.example.org'), runsOn('n2.example.org')], [[3], [3]]);
    const empty = await node('migrate', '-f', 'node2.example.org');
    assert.equal(empty.code, 0);
    assert.match(empty.stdout, /No primary instances on node node2\.example\.org, exiting\./);
    for (const n of ['n1', 'n2', 'mig1']) assert.equal((await inst('remove', '-f', `${n}.example.org`)).code, 0);
    for (const i of [0, 1, 2]) assert.deepEqual(existsSync(stateDir(i)) ? readdirSync(stateDir(i)).filter((f) => f.endsWith('.json')) : [], [], `node${i + 1} runs nothing`);
  });
});
