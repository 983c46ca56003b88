import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../core/exec/index.js';
import { REPO_ROOT } from '../helpers/tmp.js';
import { startLoopbackCluster, type LoopbackCluster } from '../helpers/cluster.js';
import { lvmMissing, lvmSandbox, type LvmSandbox } from '../helpers/lvm-sandbox.js';

// The plain template and the LVM storage units through a real cluster (one node daemon and
// the master at 127.0.10.31): real LVM metadata on two loop-device PVs (the sandbox's
// lvm.conf reaches the node daemon as LVM_SYSTEM_DIR), activation by the dm shim.
const missing = await lvmMissing();
let sb: LvmSandbox;
let cluster: LoopbackCluster;

const cli = async (tool: string, ...args: string[]) => {
  const r = await run([process.execPath, join(REPO_ROOT, `dist/cli/${tool}.js`), ...args], { env: { GANETI_ROOT: cluster.roots[0]! }, timeoutMs: 60_000 });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr, all: r.all };
};
const mib = async (argv: string[]) => (await sb.lvm(argv)).stdout.trim().split('\n').map((l) => l.trim().split('|'));

before(async () => {
  if (missing) return;
  sb = await lvmSandbox({ pvMiB: [64, 64] });
  const env = { ...sb.env, PATH: `${join(sb.dir, 'bin')}:${process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`, LVM_SHIM_LOG: join(sb.dir, 'shim.log') };
  cluster = await startLoopbackCluster({
    prefix: 'gnt-lvm-cluster-',
    masterd: true,
    keyType: 'ec',
    enabledDiskTemplates: ['plain', 'file'],
    volumeGroupName: sb.vg,
    nodes: [{ name: 'node1.example.org', ip: '127.0.10.31' }],
    nodedLaunch: () => ({ env }),
  });
});
after(async () => {
  await cluster?.destroy();
  await sb?.cleanup();
});

test('gnt-node list-storage shows the volume group and its PVs as vgs and pvs see them', { skip: missing ?? false }, async () => {
  const vg = await cli('gnt-node', 'list-storage', '--no-headers', '--separator=|', '--units=m');
  assert.equal(vg.code, 0, vg.all);
  const [[size, free]] = (await mib(['vgs', '--noheadings', '--nosuffix', '--units=m', '--separator=|', '-o', 'vg_size,vg_free', sb.vg])) as [[string, string]];
  assert.equal(vg.stdout, `node1.example.org|lvm-vg|${sb.vg}|${Math.round(Number(size))}|0|${Math.round(Number(free))}|Y\n`);
  const pv = await cli('gnt-node', 'list-storage', '-t', 'lvm-pv', '--no-headers', '--separator=|', '-o', 'name,allocatable');
  assert.equal(pv.stdout, sb.pvs.map((p) => `${p}|Y\n`).sort().join(''));
});

test('a plain disk is a real LV: made, activated, deactivated and removed through jobs', { skip: missing ?? false }, async () => {
  const add = await cli('gnt-storage', 'disk-add', '-t', 'plain', '-n', 'node1.example.org', '--disk', 'size=12M', 'lv1');
  assert.equal(add.code, 0, add.all);
  const disk = Object.values((JSON.parse(readFileSync(cluster.paths[0]!.configData, 'utf8')) as { disks: Record<string, { name: string; logical_id: string[] }> }).disks).find((d) => d.name === 'lv1')!;
  assert.equal(disk.logical_id[0], sb.vg);
  const lvs = await mib(['lvs', '--noheadings', '--nosuffix', '--units=m', '--separator=|', '-o', 'lv_name,lv_size', sb.vg]);
  assert.deepEqual(lvs, [[disk.logical_id[1], '12.00']]);
  const act = await cli('gnt-storage', 'disk-activate', 'lv1');
  assert.equal(act.stdout, `node1.example.org:lv1:/dev/${sb.vg}/${disk.logical_id[1]}\n`);
  assert.ok(existsSync(`/dev/${sb.vg}/${disk.logical_id[1]}`));
  assert.equal((await cli('gnt-storage', 'disk-deactivate', 'lv1')).code, 0);
  assert.equal(existsSync(`/dev/${sb.vg}/${disk.logical_id[1]}`), false, 'lvchange -an unmapped it');
  const used = await cli('gnt-node', 'list-storage', '--no-headers', '--separator=|', '--units=m', '-o', 'used');
  assert.equal(used.stdout, '12\n');
  assert.equal((await cli('gnt-storage', 'disk-remove', 'lv1')).code, 0);
  assert.equal((await sb.lvm(['lvs', '--noheadings', sb.vg])).stdout.trim(), '');
  assert.equal(existsSync(`/dev/${sb.vg}/${disk.logical_id[1]}`), false, 'deactivated and removed: no device left');
});

test('gnt-node modify-storage --allocatable no takes a PV out of allocation, as pvs shows', { skip: missing ?? false }, async () => {
  const pv = sb.pvs[0]!;
  const r = await cli('gnt-node', 'modify-storage', '--allocatable', 'no', 'node1.example.org', 'lvm-pv', pv);
  assert.equal(r.code, 0, r.all);
  const [[attr]] = (await mib(['pvs', '--noheadings', '-o', 'pv_attr', pv])) as [[string]];
  assert.equal(attr[1], '-', `pv_attr ${attr}`);
  assert.equal((await cli('gnt-node', 'modify-storage', '--allocatable', 'yes', 'node1.example.org', 'lvm-pv', pv)).code, 0);
});

test('a volume group missing on a node leaves its disk figures unavailable; memory is still reported', { skip: missing ?? false }, async () => {
  const live = await cli('gnt-node', 'list', '--no-headers', '--separator=|', '--units=m', '-o', 'name,dtotal,dfree,mtotal');
  assert.match(live.stdout, /^node1\.example\.org\|\d+\|\d+\|\d+\n$/);
  assert.equal((await cli('gnt-cluster', 'modify', '--vg-name', `${sb.vg}gone`)).code, 0);
  try {
    const r = await cli('gnt-node', 'list', '--no-headers', '--separator=|', '--units=m', '-o', 'name,dtotal,dfree,mtotal');
    assert.equal(r.code, 0, r.all);
    assert.match(r.stdout, /^node1\.example\.org\|-\|-\|\d+\n$/);
  } finally {
    assert.equal((await cli('gnt-cluster', 'modify', '--vg-name', sb.vg)).code, 0);
  }
});
