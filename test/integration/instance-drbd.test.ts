import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../../core/exec/index.js';
import { REPO_ROOT, tempDir } from '../helpers/tmp.js';
import { startLoopbackCluster, type LoopbackCluster } from '../helpers/cluster.js';
import { lvmMissing, lvmSandbox, type LvmSandbox } from '../helpers/lvm-sandbox.js';

// drbd instances through a real cluster of three node daemons (127.0.24.1-3), the fake
// hypervisor, and for storage what this kernel lacks replaced at its edges only: real LVM
// metadata on loop PVs (one sandbox per node, the same VG name on each, as Ganeti wants),
// LV activation by the dm shim (each node daemon runs in its own mount namespace with a
// private /dev/<vg>, so the nodes' LVs of one disk, which have the same names, do not meet),
// and the DRBD 8.4 shim (drbdsetup/drbdmeta, syntax checked against drbdsetup-84; the two
// ends of a pair meet in its shared state file).
const missing = (await lvmMissing()) ?? ((await run(['unshare', '--version'])).exitCode !== 0 ? 'unshare (util-linux) is not installed' : null);
const SHIM_BIN = join(REPO_ROOT, 'test', 'fixtures', 'bin');
const VG = `gntdrbd${process.pid}`;
let dir: string;
const sandboxes: LvmSandbox[] = [];
let cluster: LoopbackCluster;

const cli = async (tool: string, ...args: string[]) => {
  const r = await run([process.execPath, join(REPO_ROOT, `dist/cli/${tool}.js`), ...args], { env: { GANETI_ROOT: cluster.roots[0]! }, timeoutMs: 120_000 });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr, all: r.all };
};
const inst = (...args: string[]) => cli('gnt-instance', ...args);
type Cfg = { nodes: Record<string, { name: string }>; instances: Record<string, { name: string; disks: string[]; primary_node: string }>; disks: Record<string, { logical_id: unknown[]; nodes: string[]; children: { logical_id: string[] }[] }> };
const config = () => JSON.parse(readFileSync(cluster.paths[0]!.configData, 'utf8')) as Cfg;
const nodeUuid = (name: string) => Object.entries(config().nodes).find(([, n]) => n.name === name)![0];
const diskOf = (name: string) => {
  const c = config();
  return c.disks[Object.values(c.instances).find((i) => i.name === name)!.disks[0]!]!;
};
/** The LVs of node `i`'s sandbox. */
const lvs = async (i: number) => (await sandboxes[i]!.lvm(['lvs', '--noheadings', '-o', 'lv_name', VG])).stdout.split('\n').map((l) => l.trim()).filter(Boolean).sort();
/** What the drbd shim says of node `i`: its /proc/drbd. */
const procDrbd = (i: number) => readFileSync(join(cluster.roots[i]!, 'proc', 'drbd'), 'utf8');

before(async () => {
  if (missing) return;
  dir = await tempDir('gnt-inst-drbd-');
  for (let i = 0; i < 3; i++) sandboxes.push(await lvmSandbox({ pvMiB: [400], vgName: VG }));
  await mkdir(`/dev/${VG}`, { recursive: true });
  const shared = { DRBD_SHIM_STATE: join(dir, 'drbd-state.json'), DRBD_SHIM_LOG: join(dir, 'drbd.log'), LVM_SUPPRESS_FD_WARNINGS: '1' };
  // each daemon: its own /dev/<vg> (a tmpfs in a private mount namespace), its /proc/drbd
  // (the "loaded module", no minors yet), the shim told where its root is
  // (the node daemon passes its commands only an allow-listed environment, so the
  // shim's settings are baked into per-node wrappers first on PATH)
  const script = [
    `mount -t tmpfs -o size=1m gntdev /dev/${VG}`,
    'mkdir -p "$GANETI_ROOT/proc" "$GANETI_ROOT/shim-bin"',
    `[ -e "$GANETI_ROOT/proc/drbd" ] || echo 'version: 8.4.11 (api:1/proto:86-101)' > "$GANETI_ROOT/proc/drbd"`,
    `for t in drbdsetup drbdmeta; do printf '#!/bin/sh\\nDRBD_SHIM_ROOT=%s DRBD_SHIM_STATE=%s DRBD_SHIM_LOG=%s exec %s "$@"\\n' "$GANETI_ROOT" "$DRBD_SHIM_STATE" "$DRBD_SHIM_LOG" "${SHIM_BIN}/$t" > "$GANETI_ROOT/shim-bin/$t" && chmod 755 "$GANETI_ROOT/shim-bin/$t" || exit 1; done`,
    'PATH="$GANETI_ROOT/shim-bin:$PATH" exec "$@"',
  ].join(' && ');
  const wrap = ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', script, 'sh'];
  cluster = await startLoopbackCluster({
    prefix: 'gnt-inst-drbd-',
    masterd: true,
    keyType: 'ec',
    enabledDiskTemplates: ['drbd', 'plain', 'diskless'],
    volumeGroupName: VG,
    nodes: [1, 2, 3].map((n) => ({ name: `node${n}.example.org`, ip: `127.0.24.${n}` })),
    nodedLaunch: (i) => ({
      wrap,
      env: { ...sandboxes[i]!.env, ...shared, PATH: `${join(sandboxes[i]!.dir, 'bin')}:${process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`, LVM_SHIM_LOG: join(sandboxes[i]!.dir, 'shim.log') },
    }),
  });
});
after(async () => {
  if (cluster) {
    await inst('remove', '-f', '--ignore-failures', 'db1.example.org').catch(() => undefined);
    await cluster.destroy();
  }
  for (const sb of sandboxes) await sb.cleanup();
  await rmdir(`/dev/${VG}`).catch(() => undefined);
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('gnt-instance add -t drbd makes the mirror on both nodes and starts the instance on the primary', { skip: missing ?? false }, async () => {
  const add = await inst('add', '-t', 'drbd', '--disk', '0:size=32M', '-n', 'node1.example.org:node2.example.org', '-o', 'noop', 'db1.example.org');
  assert.equal(add.code, 0, add.all);
  assert.match(add.stdout, /creating disk 0 \(drbd, 32 MiB\) on secondary node node2\.example\.org[\s\S]*on primary node node1\.example\.org/);
  const d = diskOf('db1.example.org');
  const [a, b, port, minorA, minorB, secret] = d.logical_id as [string, string, number, number, number, string];
  assert.deepEqual([a, b], [nodeUuid('node1.example.org'), nodeUuid('node2.example.org')]);
  assert.ok(port >= 11000 && port <= 14999);
  assert.deepEqual([minorA, minorB], [0, 0]);
  assert.match(secret, /^[0-9a-f]{32}$/);
  const names = d.children.map((c) => c.logical_id[1]).sort();
  assert.deepEqual(await lvs(0), names, 'data and meta LVs on the primary');
  assert.deepEqual(await lvs(1), names, 'and on the secondary');
  assert.deepEqual(await lvs(2), []);
  // the pair is connected, the primary side Primary
  assert.match(procDrbd(0), /^ 0: cs:Connected ro:Primary\/Secondary ds:UpToDate\/UpToDate/m);
  assert.match(procDrbd(1), /^ 0: cs:Connected ro:Secondary\/Primary ds:UpToDate\/UpToDate/m);
  const list = await inst('list', '--no-headers', '--separator=|', '-o', 'name,pnode,snodes,disk_template,status');
  assert.equal(list.stdout, 'db1.example.org|node1.example.org|node2.example.org|drbd|running\n');
});

test('replace-disks -s and -p give one side new volumes, keeping the names in the config', { skip: missing ?? false }, async () => {
  const uuids = async (i: number) => (await sandboxes[i]!.lvm(['lvs', '--noheadings', '--separator=|', '-o', 'lv_name,lv_uuid', VG])).stdout.split('\n').map((l) => l.trim().split('|')).filter((x) => x[0]).sort();
  const before = await uuids(1);
  const primaryBefore = await uuids(0);
  const r = await inst('replace-disks', '-s', 'db1.example.org');
  assert.equal(r.code, 0, r.all);
  assert.match(r.stdout, /replacing the volumes of disk\/0 on node2\.example\.org/);
  assert.match(r.stdout, /the disks are in sync/);
  const after = await uuids(1);
  assert.deepEqual(after.map((x) => x[0]), before.map((x) => x[0]), 'the same LV names (the config is unchanged)...');
  for (const [k, [, uuid]] of after.entries()) assert.notEqual(uuid, before[k]![1], `...on new LVs (${after[k]![0]})`);
  assert.deepEqual(await uuids(0), primaryBefore, 'the primary keeps its volumes');
  // and on the primary (resynced from the secondary), while the instance runs
  const p = await inst('replace-disks', '-p', 'db1.example.org');
  assert.equal(p.code, 0, p.all);
  const primaryAfter = await uuids(0);
  assert.deepEqual(primaryAfter.map((x) => x[0]), primaryBefore.map((x) => x[0]));
  for (const [k, [, uuid]] of primaryAfter.entries()) assert.notEqual(uuid, primaryBefore[k]![1]);
  assert.match(procDrbd(0), /^ 0: cs:Connected ro:Primary\/Secondary ds:UpToDate\/UpToDate/m);
  assert.match(procDrbd(1), /^ 0: cs:Connected ro:Secondary\/Primary ds:UpToDate\/UpToDate/m);
});

test('replace-disks -n moves the secondary to a third node; the old one is cleaned', { skip: missing ?? false }, async () => {
  const r = await inst('replace-disks', '-n', 'node3.example.org', 'db1.example.org');
  assert.equal(r.code, 0, r.all);
  const d = diskOf('db1.example.org');
  assert.deepEqual(d.nodes.sort(), [nodeUuid('node1.example.org'), nodeUuid('node3.example.org')].sort());
  assert.equal(d.logical_id[1], nodeUuid('node3.example.org'));
  const names = d.children.map((c) => c.logical_id[1]).sort();
  assert.deepEqual(await lvs(2), names);
  assert.deepEqual(await lvs(1), [], 'nothing left on the old secondary');
  assert.match(procDrbd(2), /^ 0: cs:Connected ro:Secondary\/Primary ds:UpToDate\/UpToDate/m);
  assert.doesNotMatch(procDrbd(1), /^ 0:/m);
  const list = await inst('list', '--no-headers', '--separator=|', '-o', 'snodes,status', 'db1.example.org');
  assert.equal(list.stdout, 'node3.example.org|running\n');
});

test('migrate goes dual-primary for the move and back; failover swaps the roles', { skip: missing ?? false }, async () => {
  const m = await inst('migrate', '-f', 'db1.example.org');
  assert.equal(m.code, 0, m.all);
  assert.equal((await inst('list', '--no-headers', '--separator=|', '-o', 'pnode,snodes,status', 'db1.example.org')).stdout, 'node3.example.org|node1.example.org|running\n');
  assert.match(procDrbd(2), /^ 0: cs:Connected ro:Primary\/Secondary ds:UpToDate\/UpToDate/m);
  assert.match(procDrbd(0), /^ 0: cs:Connected ro:Secondary\/Primary ds:UpToDate\/UpToDate/m);
  const wrong = await inst('migrate', '-f', '-n', 'node2.example.org', 'db1.example.org');
  assert.match(wrong.stderr, /is not the secondary of the drbd instance \(node1\.example\.org\)/);
  const f = await inst('failover', '-f', 'db1.example.org');
  assert.equal(f.code, 0, f.all);
  assert.equal((await inst('list', '--no-headers', '--separator=|', '-o', 'pnode,snodes,status', 'db1.example.org')).stdout, 'node1.example.org|node3.example.org|running\n');
  assert.match(procDrbd(0), /^ 0: cs:Connected ro:Primary\/Secondary ds:UpToDate\/UpToDate/m);
});

test('refusals: a file-less template, a wrong node, two modes', { skip: missing ?? false }, async () => {
  const same = await inst('replace-disks', '-n', 'node1.example.org', 'db1.example.org');
  assert.equal(same.code, 1);
  assert.match(same.stderr, /GNT_INSTANCE_NODE: remote_node: node node1\.example\.org is the primary node/);
  const cur = await inst('replace-disks', '-n', 'node3.example.org', 'db1.example.org');
  assert.match(cur.stderr, /is already the secondary node/);
  const two = await inst('replace-disks', '-p', '-s', 'db1.example.org');
  assert.match(two.stderr, /exactly one of -p/);
  const idx = await inst('replace-disks', '-p', '--disks', '3', 'db1.example.org');
  assert.match(idx.stderr, /GNT_INSTANCE_DISK_INDEX/);
  assert.equal((await inst('add', '-t', 'diskless', '--no-nics', '-n', 'node2.example.org', '-o', 'noop', 'nodisk.example.org')).code, 0);
  const notDrbd = await inst('replace-disks', '-s', 'nodisk.example.org');
  assert.match(notDrbd.stderr, /replace-disks works on drbd instances only/);
  assert.equal((await inst('remove', '-f', 'nodisk.example.org')).code, 0);
});

test('remove takes the mirror down and its volumes away on both nodes', { skip: missing ?? false }, async () => {
  const r = await inst('remove', '-f', 'db1.example.org');
  assert.equal(r.code, 0, r.all);
  for (const i of [0, 1, 2]) assert.deepEqual(await lvs(i), [], `node${i + 1}`);
  for (const i of [0, 2]) assert.doesNotMatch(procDrbd(i), /^ 0:/m);
  assert.equal(existsSync(join(`/dev/${VG}`)), true);
});
