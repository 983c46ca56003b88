import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run, runChecked } from '../../core/exec/index.js';
import { ganetiPaths, type GanetiPaths } from '../../core/paths.js';
import { createPluginHost } from '../../core/plugin-host/index.js';
import { memoryLogger } from '../../core/log.js';
import { ConfigStore } from '../../core/config/index.js';
import { initialConfig } from '../../core/cluster/init.js';
import { distributeConfig } from '../../core/cluster/distribute.js';
import { certificateDigest, generateClusterCrypto, writeNodeClientCert } from '../../core/crypto/index.js';
import { RpcClient } from '../../core/rpc/index.js';
import { REPO_ROOT, removeDir, tempDir } from '../helpers/tmp.js';
import { alive } from '../helpers/masterd.js';

// A master and three nodes, each its own root and loopback address, each node a real
// ganeti-noded process: a config write reaches them as ssconf (all) and config.data
// (candidates only); an offline node is skipped.
const PORT = 1811;
const NODES = [
  { name: 'node1.example.org', ip: '127.0.1.211' },
  { name: 'node2.example.org', ip: '127.0.1.212' },
  { name: 'node3.example.org', ip: '127.0.1.213' },
  { name: 'node4.example.org', ip: '127.0.1.214' },
];
let top: string;
let roots: string[];
let paths: GanetiPaths[];

before(async () => {
  top = await tempDir('gnt-dist-');
  roots = NODES.map((n) => join(top, n.name));
  paths = roots.map((r) => ganetiPaths(r));
  // The cluster certificate is shared; every node gets its own client certificate.
  await generateClusterCrypto(paths[0]!, { nodeName: NODES[0]!.name });
  const masterDigest = await certificateDigest(paths[0]!.clientPem);
  for (let i = 1; i < NODES.length; i++) {
    await mkdir(paths[i]!.dataDir, { recursive: true });
    await copyFile(paths[0]!.serverPem, paths[i]!.serverPem);
    await writeNodeClientCert(paths[i]!, NODES[i]!.name);
    // the master is a known candidate for the node daemons (as `gnt-node add` arranges)
    await writeFile(paths[i]!.ssconf('master_candidates_certs'), `master=${masterDigest}\n`);
    if (i < 3) await runChecked([process.execPath, join(REPO_ROOT, 'dist/cli/ganeti-noded.js'), '-b', NODES[i]!.ip, '-p', String(PORT)], { env: { GANETI_ROOT: roots[i]!, PATH: process.env['PATH'] ?? '' }, timeoutMs: 60_000 });
  }
});

after(async () => {
  for (const p of paths) {
    const f = join(p.runDir, 'ganeti-noded.pid');
    if (!existsSync(f)) continue;
    const pid = Number(readFileSync(f, 'utf8'));
    if (alive(pid)) process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 250 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
  }
  await removeDir(top);
});

test('a config write reaches every node: ssconf to all, config.data to master candidates', async () => {
  const host = await createPluginHost({ paths: paths[0]!, cwd: top, logFor: () => memoryLogger() });
  const data = initialConfig(host, { clusterName: 'cluster.example.org', masterName: NODES[0]!.name, masterIp: NODES[0]!.ip, enabledHypervisors: ['fake'], enabledDiskTemplates: ['file'] });
  const group = Object.keys(data.nodegroups)[0]!;
  const node = (i: number, candidate: boolean, offline = false) => ({
    uuid: `00000000-0000-4000-8000-00000000000${i}`, serial_no: 1, ctime: 1, mtime: 1, tags: [], name: NODES[i]!.name, primary_ip: NODES[i]!.ip,
    secondary_ip: NODES[i]!.ip, master_candidate: candidate, offline, drained: false, group, master_capable: true, vm_capable: true, ndparams: {}, powered: true,
  });
  Object.assign(data.nodes, { n1: node(1, true), n2: node(2, false), n3: node(3, true, true) });
  data.nodes = Object.fromEntries(Object.values(data.nodes).map((n) => [n.uuid, n]));
  // the master's client certificate is what the nodes will accept once ssconf reaches them
  data.cluster.candidate_certs = { [data.cluster.master_node]: await certificateDigest(paths[0]!.clientPem) };
  const store = await ConfigStore.initialize(paths[0]!, data);
  const rpc = await RpcClient.fromPaths(paths[0]!);
  try {
    const r = await distributeConfig(paths[0]!, rpc, store.data, PORT);
    const byNode = (list: typeof r.ssconf) => Object.fromEntries(list.map((x) => [x.node, x.success ? 'ok' : `${'offline' in x && x.offline ? 'offline' : 'failed'}`]));
    assert.deepEqual(byNode(r.ssconf), { 'node2.example.org': 'ok', 'node3.example.org': 'ok', 'node4.example.org': 'offline' });
    assert.deepEqual(byNode(r.config), { 'node2.example.org': 'ok', 'node4.example.org': 'offline' });
    // the candidate has the master's config.data byte for byte; the other node has none
    assert.deepEqual(await readFile(paths[1]!.configData), await readFile(paths[0]!.configData));
    assert.equal(existsSync(paths[2]!.configData), false);
    for (const i of [0, 1, 2]) {
      assert.equal(await readFile(paths[i]!.ssconf('cluster_name'), 'utf8'), 'cluster.example.org\n');
      assert.equal(await readFile(paths[i]!.ssconf('master_node'), 'utf8'), 'node1.example.org\n');
    }
    assert.match(await readFile(paths[2]!.ssconf('node_list'), 'utf8'), /^node1.example.org\nnode2.example.org\nnode3.example.org\nnode4.example.org\n$/);
    // a second write (serial 2) reaches the candidate too
    await store.update((txn) => {
      txn.cluster().candidate_pool_size = 5;
    });
    const r2 = await distributeConfig(paths[0]!, rpc, store.data, PORT);
    assert.deepEqual(r2.config.map((x) => [x.node, x.success]), [['node2.example.org', true], ['node4.example.org', false]]);
    assert.equal(JSON.parse(await readFile(paths[1]!.configData, 'utf8')).serial_no, store.serial);
  } finally {
    rpc.close();
    await store.close();
  }
  const stat = await run(['stat', '-c', '%a', paths[1]!.ssconf('cluster_name')]);
  assert.equal(stat.stdout.trim(), '444');
});
