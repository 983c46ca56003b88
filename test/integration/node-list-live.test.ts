import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir, rm, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../../core/exec/index.js';
import { REPO_ROOT } from '../helpers/tmp.js';
import { alive } from '../helpers/masterd.js';
import { startLoopbackCluster, type LoopbackCluster } from '../helpers/cluster.js';

// `gnt-node list` with live data from three real node daemons (127.0.5.1-3) and an offline
// node (127.0.5.4, no daemon): memory from /proc/meminfo through the fake hypervisor, disk
// from statfs of each node's file storage folder.
let cluster: LoopbackCluster;

const gntNode = async (...args: string[]) => {
  const r = await run([process.execPath, join(REPO_ROOT, 'dist/cli/gnt-node.js'), ...args], { env: { GANETI_ROOT: cluster.roots[0]! }, timeoutMs: 90_000 });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
};

const meminfoMiB = (key: string) => Math.floor(Number(new RegExp(`^${key}:\\s*(\\d+)`, 'm').exec(readFileSync('/proc/meminfo', 'utf8'))![1]) / 1024);

before(async () => {
  cluster = await startLoopbackCluster({
    prefix: 'gnt-node-live-',
    masterd: true,
    keyType: 'ec',
    nodes: [
      { name: 'node1.example.org', ip: '127.0.5.1' },
      { name: 'node2.example.org', ip: '127.0.5.2', candidate: true },
      { name: 'node3.example.org', ip: '127.0.5.3' },
      { name: 'node4.example.org', ip: '127.0.5.4', offline: true },
    ],
  });
});

after(async () => {
  await cluster?.destroy();
});

test('the default fields show live memory and disk; the offline node shows *', async () => {
  const r = await gntNode('list');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^Node\s+DTotal\s+DFree\s+MTotal\s+MNode\s+MFree\s+Pinst\s+Sinst$/);
  assert.equal(lines.length, 5);
  for (const line of lines.slice(1, 4)) assert.match(line, /^node[123]\.example\.org(\s+\d+(\.\d)?[MGT]){5}\s+0\s+0$/, line);
  assert.match(lines[4]!, /^node4\.example\.org(\s+\*){5}\s+0\s+0$/);
});

test('values are MiB as the nodes measure them (--units m, --separator)', async () => {
  const r = await gntNode('list', '--no-headers', '--separator=|', '--units=m', '-o', 'name,dtotal,dfree,mtotal,mnode,mfree,ctotal,bootid');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const rows = r.stdout.trimEnd().split('\n').map((l) => l.split('|'));
  const fs = await statfs(cluster.paths[1]!.fileStorageDir);
  const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  for (const row of rows.slice(0, 3)) {
    const [name, dtotal, dfree, mtotal, mnode, mfree, ctotal, bootid] = row;
    assert.match(name!, /^node[123]\.example\.org$/);
    assert.equal(Number(dtotal), Math.ceil((fs.blocks * fs.bsize) / 1048576), row.join('|'));
    // free space and memory move while the test runs: close is enough
    assert.ok(Math.abs(Number(dfree) - Math.ceil((fs.bavail * fs.bsize) / 1048576)) < 1024, row.join('|'));
    assert.equal(Number(mtotal), meminfoMiB('MemTotal'));
    assert.ok(Number(mfree) > 0 && Number(mfree) <= Number(mtotal), row.join('|'));
    // the fake hypervisor counts the node's own memory as Ganeti does (Active in /proc/meminfo)
    assert.ok(Number(mnode) > 0 && Number(mnode) <= Number(mtotal), row.join('|'));
    assert.ok(Number(ctotal) >= 1);
    assert.equal(bootid, bootId);
  }
  assert.deepEqual(rows[3], ['node4.example.org', '*', '*', '*', '*', '*', '*', '*']);
});

test('a node whose daemon is down shows ? (verbose: (nodata)); the others still answer', async () => {
  await cluster.stopNoded(2);
  try {
    const r = await gntNode('list', 'node3.example.org', 'node1.example.org', '-o', 'name,mtotal,dfree,pinst_cnt');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[1]!, /^node3\.example\.org\s+\?\s+\?\s+0$/);
    assert.match(lines[2]!, /^node1\.example\.org\s+\d+(\.\d)?[MGT]\s+\d+(\.\d)?[MGT]\s+0$/);
    const v = await gntNode('list', '-v', 'node3', '-o', 'name,mtotal');
    assert.match(v.stdout, /^node3\.example\.org\s+\(nodata\)$/m);
  } finally {
    await cluster.startNoded(2);
  }
});

test('a node whose file storage folder is missing shows its disk figures unavailable, its memory, and its daemon keeps running', async () => {
  await rm(cluster.paths[1]!.fileStorageDir, { recursive: true });
  // a fresh daemon: its first node_info also reads the boot id
  await cluster.stopNoded(1);
  const pid = await cluster.startNoded(1);
  try {
    const r = await gntNode('list', '--no-headers', '-o', 'name,dfree,mtotal', 'node2.example.org', 'node1.example.org');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^node2\.example\.org\s+-\s+\d+(\.\d)?[MGT]$/m);
    assert.match(r.stdout, /^node1\.example\.org\s+\d+(\.\d)?[MGT]\s+\d+(\.\d)?[MGT]$/m);
    assert.match(readFileSync(cluster.nodedLog(1), 'utf8'), /node_info: file storage unit '.*': /);
    assert.equal(cluster.nodedPid(1), pid);
    assert.ok(alive(pid), 'noded of node2 must survive a failing storage unit');
  } finally {
    await mkdir(cluster.paths[1]!.fileStorageDir, { recursive: true });
  }
});

test('a LUXI filter on a live field asks the nodes too; names and counts alone do not need them', async () => {
  const client = cluster.masterd!.client();
  try {
    const r = await client.query('node', ['name', 'mfree'], ['>', 'mtotal', 1]);
    // the offline node has no value, which lets it pass (as Ganeti's filters do)
    assert.deepEqual(r.data.map((row) => row[0]![1]), ['node1.example.org', 'node2.example.org', 'node3.example.org', 'node4.example.org']);
    assert.ok(r.data.slice(0, 3).every((row) => row[1]![0] === 0 && (row[1]![1] as number) > 0));
    const none = await client.query('node', ['mfree'], ['<', 'mtotal', 1]);
    assert.deepEqual(none.data, [[[4, null]]]);
  } finally {
    client.close();
  }
});
