import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { handCluster, type HandCluster, type HandNode } from '../helpers/hand-cluster.js';

// `gnt-cluster master-failover` on a cluster of real processes: node1 (master), node2 and
// node3 (master candidates), node4 (a regular node), each with its own ganeti-noded on a
// loopback address; the CLI runs as the node it is given (its root and name).
let c: HandCluster;
let n1: HandNode, n2: HandNode, n3: HandNode, n4: HandNode;

before(async () => {
  c = await handCluster('gnt-failover-', [
    { name: 'node1.example.org', ip: '127.0.4.11', candidate: true },
    { name: 'node2.example.org', ip: '127.0.4.12', candidate: true },
    { name: 'node3.example.org', ip: '127.0.4.13', candidate: true },
    { name: 'node4.example.org', ip: '127.0.4.14', candidate: false },
  ]);
  [n1, n2, n3, n4] = c.nodes as [HandNode, HandNode, HandNode, HandNode];
});
after(() => c?.stop());

const getmasterEverywhere = async () => Promise.all(c.nodes.map(async (n) => (await c.gnt(n, 'gnt-cluster', ['getmaster'])).stdout.trim()));

test('refused on the master itself and on a node that is not a master candidate', async () => {
  const self = await c.gnt(n1, 'gnt-cluster', ['master-failover']);
  assert.equal(self.code, 1, self.stdout + self.stderr);
  assert.match(self.stderr, /error type: wrong_input.*\n.*GNT_FAILOVER_ALREADY_MASTER: .*node1\.example\.org is already the master/);
  const regular = await c.gnt(n4, 'gnt-cluster', ['master-failover']);
  assert.equal(regular.code, 1, regular.stdout + regular.stderr);
  assert.match(regular.stderr, /error type: wrong_state/);
  assert.match(regular.stderr, /not among the nodes marked as master candidates.*\nnode2\.example\.org\nnode3\.example\.org/);
  assert.ok(c.pid(n1, 'ganeti-masterd'), 'the master daemon still runs on node1');
});

test('refused when another master candidate has a newer config.data, naming it and both serials', async () => {
  const file = n3.paths.configData;
  const saved = await readFile(file, 'utf8');
  const cfg = JSON.parse(saved) as { serial_no: number };
  const mine = c.config(n2).serial_no;
  cfg.serial_no = mine + 5;
  await writeFile(file, JSON.stringify(cfg));
  try {
    const r = await c.gnt(n2, 'gnt-cluster', ['master-failover']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`GNT_FAILOVER_STALE_CONFIG: master candidate node3\\.example\\.org has a newer configuration \\(serial ${mine + 5}\\) than this node node2\\.example\\.org \\(serial ${mine}\\)`));
    assert.ok(c.pid(n1, 'ganeti-masterd'), 'nothing was stopped');
    assert.equal(c.pid(n2, 'ganeti-masterd'), null);
  } finally {
    await writeFile(file, saved);
  }
});

test('refused when the other nodes vote for another master than this node believes in', async () => {
  const file = n3.paths.ssconf('master_node');
  const saved = await readFile(file, 'utf8');
  await writeFile(file, 'node4.example.org\n');
  try {
    const r = await c.gnt(n3, 'gnt-cluster', ['master-failover']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /I have a wrong configuration, I believe the master is node4\.example\.org but the other nodes voted node1\.example\.org/);
  } finally {
    await writeFile(file, saved);
  }
});

test('succeeds on a current candidate: the old master daemon stops, the new one runs, every node names the new master', async () => {
  const oldPid = c.pid(n1, 'ganeti-masterd');
  assert.ok(oldPid);
  const serial = c.config(n2).serial_no;
  const r = await c.gnt(n2, 'gnt-cluster', ['master-failover']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(r.stdout, 'Master failed over from node1.example.org to node2.example.org\n');
  assert.equal(c.pid(n1, 'ganeti-masterd'), null, 'the old master daemon is stopped');
  assert.ok(c.pid(n2, 'ganeti-masterd'), 'the new master daemon runs');
  assert.deepEqual(await getmasterEverywhere(), Array(4).fill('node2.example.org'));
  // config.data: written once more on node2 and replicated to every candidate
  for (const n of [n1, n2, n3]) {
    assert.equal(c.config(n).cluster.master_node, n2.uuid, n.name);
    assert.equal(c.config(n).serial_no, serial + 1, n.name);
  }
  const info = await c.gnt(n2, 'gnt-cluster', ['info']);
  assert.equal(info.code, 0, info.stderr);
  assert.match(info.stdout, /^Master node: node2\.example\.org$/m);
  const verify = await c.gnt(n2, 'gnt-cluster', ['verify']);
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
});

test('--no-voting asks first (declining exits 1, nothing changes); --yes-do-it skips the question', async () => {
  const no = await c.gnt(n1, 'gnt-cluster', ['master-failover', '--no-voting'], 'n\n');
  assert.equal(no.code, 1, no.stdout + no.stderr);
  assert.match(no.stderr, /This will perform the failover even if most other nodes are down.*Continue\? y\/\[n\]\/\?: $/);
  assert.ok(c.pid(n2, 'ganeti-masterd'));
  assert.deepEqual(await getmasterEverywhere(), Array(4).fill('node2.example.org'));

  const yes = await c.gnt(n1, 'gnt-cluster', ['master-failover', '--no-voting', '--yes-do-it']);
  assert.equal(yes.code, 0, yes.stdout + yes.stderr);
  assert.equal(yes.stdout, 'Master failed over from node2.example.org to node1.example.org\n');
  assert.equal(c.pid(n2, 'ganeti-masterd'), null);
  assert.ok(c.pid(n1, 'ganeti-masterd'));
  assert.deepEqual(await getmasterEverywhere(), Array(4).fill('node1.example.org'));
});

test('with voting, a failover still works when the old master node is down (the others outvote it)', async () => {
  await c.stopDaemon(n1, 'ganeti-masterd');
  await c.stopDaemon(n1, 'ganeti-noded');
  try {
    const r = await c.gnt(n3, 'gnt-cluster', ['master-failover']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stderr, /WARNING: could not disable the master role on the old master node1\.example\.org/);
    assert.ok(c.pid(n3, 'ganeti-masterd'));
    assert.deepEqual((await getmasterEverywhere()).slice(1), Array(3).fill('node3.example.org'));
  } finally {
    await c.startNoded(n1);
  }
});
