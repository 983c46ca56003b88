import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runChecked } from '../../core/exec/index.js';
import { ganetiPaths, type GanetiPaths } from '../../core/paths.js';
import { createPluginHost } from '../../core/plugin-host/index.js';
import { memoryLogger } from '../../core/log.js';
import { ConfigStore } from '../../core/config/index.js';
import { initialConfig } from '../../core/cluster/init.js';
import { distributeConfig } from '../../core/cluster/distribute.js';
import { certificateDigest, generateClusterCrypto, writeNodeClientCert } from '../../core/crypto/index.js';
import { RpcClient } from '../../core/rpc/index.js';
import { REPO_ROOT, removeDir, tempDir } from '../helpers/tmp.js';
import { alive, startMasterd, type RunningMasterd } from '../helpers/masterd.js';
import { gnt } from './support.js';

// `gnt-cluster verify` against a master (with its own node daemon) and three nodes, each a
// real ganeti-noded on its own loopback address, plus an offline node that has none.
const PORT = 1811;
const NODES = [
  { name: 'node1.example.org', ip: '127.0.1.221' },
  { name: 'node2.example.org', ip: '127.0.1.222' },
  { name: 'node3.example.org', ip: '127.0.1.223' },
  { name: 'node4.example.org', ip: '127.0.1.224' },
];
const OFFLINE = { name: 'node5.example.org', ip: '127.0.1.225' };
let top: string;
let roots: string[];
let paths: GanetiPaths[];
let masterd: RunningMasterd | undefined;

const nodedPid = (p: GanetiPaths): number | null => {
  const f = join(p.runDir, 'ganeti-noded.pid');
  return existsSync(f) ? Number(readFileSync(f, 'utf8')) : null;
};

async function stopNoded(p: GanetiPaths): Promise<void> {
  const pid = nodedPid(p);
  if (pid === null || !alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 500 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
}

const errorLines = (out: string) => out.split('\n').filter((l) => / {2}- (ERROR|WARNING)[: ]/.test(l)).map((l) => l.slice(l.indexOf('  - ')));

before(async () => {
  top = await tempDir('gnt-verify-');
  roots = NODES.map((n) => join(top, n.name));
  paths = roots.map((r) => ganetiPaths(r));
  await generateClusterCrypto(paths[0]!, { nodeName: NODES[0]!.name });
  const masterDigest = await certificateDigest(paths[0]!.clientPem);
  for (let i = 0; i < NODES.length; i++) {
    if (i > 0) {
      await mkdir(paths[i]!.dataDir, { recursive: true });
      await copyFile(paths[0]!.serverPem, paths[i]!.serverPem);
      await writeNodeClientCert(paths[i]!, NODES[i]!.name);
    }
    await writeFile(paths[i]!.ssconf('master_candidates_certs'), `master=${masterDigest}\n`);
    await runChecked([process.execPath, join(REPO_ROOT, 'dist/cli/ganeti-noded.js'), '-b', NODES[i]!.ip, '-p', String(PORT)], { env: { GANETI_ROOT: roots[i]!, PATH: process.env['PATH'] ?? '' }, timeoutMs: 60_000 });
  }
  // The configuration: node2 and node4 are master candidates, node3 is not, node5 is offline.
  const host = await createPluginHost({ paths: paths[0]!, cwd: top, logFor: () => memoryLogger() });
  const data = initialConfig(host, { clusterName: 'cluster.example.org', masterName: NODES[0]!.name, masterIp: NODES[0]!.ip, enabledHypervisors: ['fake'], enabledDiskTemplates: ['file'] });
  const group = Object.keys(data.nodegroups)[0]!;
  const node = (i: number, n: { name: string; ip: string }, candidate: boolean, offline = false) => ({
    uuid: `00000000-0000-4000-8000-00000000000${i}`, serial_no: 1, ctime: 1, mtime: 1, tags: [], name: n.name, primary_ip: n.ip,
    secondary_ip: n.ip, master_candidate: candidate, offline, drained: false, group, master_capable: true, vm_capable: true, ndparams: {}, powered: true,
  });
  Object.assign(data.nodes, { n2: node(2, NODES[1]!, true), n3: node(3, NODES[2]!, false), n4: node(4, NODES[3]!, true), n5: node(5, OFFLINE, false, true) });
  data.nodes = Object.fromEntries(Object.values(data.nodes).map((n) => [n.uuid, n]));
  data.cluster.candidate_certs = { [data.cluster.master_node]: masterDigest };
  const store = await ConfigStore.initialize(paths[0]!, data);
  const rpc = await RpcClient.fromPaths(paths[0]!);
  try {
    const r = await distributeConfig(paths[0]!, rpc, store.data, PORT);
    assert.ok([...r.ssconf, ...r.config].every((x) => x.success || ('offline' in x && x.offline)), JSON.stringify(r));
  } finally {
    rpc.close();
    await store.close();
  }
  masterd = await startMasterd(roots[0]!);
});

after(async () => {
  await masterd?.stop();
  for (const p of paths ?? []) await stopNoded(p);
  if (top) await removeDir(top);
});

test('a healthy cluster verifies clean: exit 0, the offline node skipped with a note', async () => {
  const r = await gnt(roots[0]!, 'gnt-cluster', 'verify');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(errorLines(r.stdout), []);
  assert.match(r.stdout, /\* Skipping offline node node5\.example\.org$/m);
  assert.match(r.stdout, /^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} \* Verifying node status$/m);
});

test("a node whose ssconf file was tampered with is reported; --error-codes gives Ganeti's machine format", async () => {
  const file = paths[2]!.ssconf('cluster_name');
  const saved = await readFile(file, 'utf8');
  await rm(file);
  await writeFile(file, 'other.example.org\n', { mode: 0o444 });
  try {
    const r = await gnt(roots[0]!, 'gnt-cluster', 'verify');
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.deepEqual(errorLines(r.stdout), ['  - ERROR: node node3.example.org: ssconf values out of date: cluster_name']);
    const m = await gnt(roots[0]!, 'gnt-cluster', 'verify', '--error-codes');
    assert.equal(m.code, 1);
    assert.deepEqual(errorLines(m.stdout), ['  - ERROR:ENODESSCONF:node:node3.example.org:ssconf values out of date: cluster_name']);
    // an ignored code is a warning and does not fail the run
    const w = await gnt(roots[0]!, 'gnt-cluster', 'verify', '--ignore-errors', 'ENODESSCONF');
    assert.equal(w.code, 0, w.stdout + w.stderr);
    assert.deepEqual(errorLines(w.stdout), ['  - WARNING: node node3.example.org: ssconf values out of date: cluster_name']);
  } finally {
    await rm(file);
    await writeFile(file, saved, { mode: 0o444 });
  }
});

test('a master candidate with an older config.data is reported', async () => {
  const file = paths[1]!.configData;
  const saved = await readFile(file, 'utf8');
  const cfg = JSON.parse(saved) as { serial_no: number };
  const serial = cfg.serial_no;
  cfg.serial_no = serial - 1;
  await writeFile(file, JSON.stringify(cfg));
  try {
    const r = await gnt(roots[0]!, 'gnt-cluster', 'verify');
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.deepEqual(errorLines(r.stdout), [`  - ERROR: node node2.example.org: config.data is out of date: serial ${serial - 1}, master has ${serial}`]);
  } finally {
    await writeFile(file, saved);
  }
  const again = await gnt(roots[0]!, 'gnt-cluster', 'verify');
  assert.equal(again.code, 0, again.stdout + again.stderr);
});

test('gnt-cluster redist-conf repairs a node whose ssconf was damaged', async () => {
  await writeFile(paths[2]!.ssconf('cluster_name'), 'wrong.example.org\n');
  assert.equal((await gnt(roots[0]!, 'gnt-cluster', 'verify')).code, 1);
  const r = await gnt(roots[0]!, 'gnt-cluster', 'redist-conf');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(readFileSync(paths[2]!.ssconf('cluster_name'), 'utf8'), 'cluster.example.org\n');
  assert.equal((await gnt(roots[0]!, 'gnt-cluster', 'verify')).code, 0);
});

test('a node with a different plugin set is reported (ENODEPLUGINS)', async () => {
  // node3's daemon restarts with one more plugin than the master has
  await writeFile(join(top, 'extra-plugin.mjs'), "export default { name: 'extra-plugin', apiVersion: 1, version: '9.9.9', apply() {} };\n");
  await writeFile(join(top, 'extra.config.json'), JSON.stringify({ plugins: ['./extra-plugin.mjs'] }));
  const start = (extra: Record<string, string>) =>
    runChecked([process.execPath, join(REPO_ROOT, 'dist/cli/ganeti-noded.js'), '-b', NODES[2]!.ip, '-p', String(PORT)], { env: { GANETI_ROOT: roots[2]!, PATH: process.env['PATH'] ?? '', ...extra }, timeoutMs: 60_000 });
  await stopNoded(paths[2]!);
  await start({ GANETI_CONFIG: join(top, 'extra.config.json') });
  try {
    const r = await gnt(roots[0]!, 'gnt-cluster', 'verify', '--error-codes');
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const lines = errorLines(r.stdout);
    assert.equal(lines.length, 1, r.stdout);
    assert.match(lines[0]!, /^ {2}- ERROR:ENODEPLUGINS:node:node3\.example\.org:.*extra-plugin/);
  } finally {
    await stopNoded(paths[2]!);
    await start({});
  }
  assert.equal((await gnt(roots[0]!, 'gnt-cluster', 'verify')).code, 0);
});

test('a node whose daemon is down is ERROR ENODERPC and the run exits 1', async () => {
  await stopNoded(paths[3]!);
  const r = await gnt(roots[0]!, 'gnt-cluster', 'verify', '--error-codes');
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const lines = errorLines(r.stdout);
  assert.equal(lines.length, 1, r.stdout);
  assert.match(lines[0]!, /^ {2}- ERROR:ENODERPC:node:node4\.example\.org:while contacting node: .*node4\.example\.org/);
});
