import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, runChecked } from '../../core/exec/index.js';
import { removeDir } from '../helpers/tmp.js';
import { destroyScratchCluster, scratchProject, type ScratchProject } from '../helpers/scratch-project.js';

// A storage provider installed from npm (the qemu-img example plugin) becomes a disk
// template of a real one-node cluster (127.0.10.21): enabled with gnt-cluster modify, its
// disk parameters set at cluster, group and disk level, disks made and removed through jobs.
let project: ScratchProject;
let root: string;
const env = () => ({ GANETI_ROOT: root, GANETI_HOSTNAME: 'store.example.org', GANETI_NODE_IP: '127.0.10.21' });
const gnt = async (tool: string, ...args: string[]) => {
  const r = await run([project.bin(tool), ...args], { cwd: project.dir, env: env(), timeoutMs: 60_000 });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr, all: r.all };
};
const disks = () => Object.values((JSON.parse(readFileSync(join(root, 'var/lib/ganeti/config.data'), 'utf8')) as { disks: Record<string, { name: string; logical_id: string[] }> }).disks);
const imageOf = (name: string) => disks().find((d) => d.name === name)!.logical_id[1]!;
const formatOf = async (path: string) => (JSON.parse((await runChecked(['qemu-img', 'info', '-U', '--output=json', path])).stdout) as { format: string }).format;

before(async () => {
  project = await scratchProject(['ganeti-plugin-qemuimg']);
  root = join(project.root, 'cluster');
  await runChecked(['sh', '-c', `echo '{"plugins": ["ganeti-plugin-qemuimg"]}' > ganeti.config.json`], { cwd: project.dir });
  const init = await gnt('gnt-cluster', 'init', '--enabled-disk-templates', 'file', 'store-cluster.example.org');
  assert.equal(init.code, 0, init.all);
});

after(async () => {
  if (root) {
    await destroyScratchCluster(root, () => gnt('gnt-cluster', 'destroy', '--yes-do-it'));
  }
  if (project) await removeDir(project.root);
});

test('gnt-cluster modify --enabled-disk-templates accepts the plugin template; an unknown one is refused', async () => {
  const bad = await gnt('gnt-cluster', 'modify', '--enabled-disk-templates', 'file,qemuimgx');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /GNT_PROVIDER_UNKNOWN: .*qemuimgx.*qemuimg/);
  const before = await gnt('gnt-storage', 'disk-add', '-t', 'qemuimg', '-n', 'store.example.org', '--disk', 'size=8M', 'early');
  assert.equal(before.code, 1);
  assert.match(before.stderr, /GNT_DISK_TEMPLATE_DISABLED: disk_template: disk template 'qemuimg' is not enabled/);
  const ok = await gnt('gnt-cluster', 'modify', '--enabled-disk-templates', 'file,qemuimg');
  assert.equal(ok.code, 0, ok.all);
  const info = await gnt('gnt-cluster', 'info');
  assert.match(info.stdout, /enabled disk templates: file, qemuimg/);
});

test('its disk parameters apply at cluster, group and disk level, the nearest level winning', async () => {
  assert.equal((await gnt('gnt-cluster', 'modify', '-D', 'qemuimg:format=raw')).code, 0);
  const d1 = await gnt('gnt-storage', 'disk-add', '-t', 'qemuimg', '-n', 'store.example.org', '--disk', 'size=8M', 'img-cluster');
  assert.equal(d1.code, 0, d1.all);
  assert.equal(await formatOf(imageOf('img-cluster')), 'raw');

  assert.equal((await gnt('gnt-group', 'modify', '-D', 'qemuimg:format=qcow2', 'default')).code, 0);
  assert.equal((await gnt('gnt-storage', 'disk-add', '-t', 'qemuimg', '-n', 'store.example.org', '--disk', 'size=8M', 'img-group')).code, 0);
  assert.equal(await formatOf(imageOf('img-group')), 'qcow2');

  assert.equal((await gnt('gnt-storage', 'disk-add', '-t', 'qemuimg', '-n', 'store.example.org', '--disk', 'size=8M,format=raw', 'img-disk')).code, 0);
  assert.equal(await formatOf(imageOf('img-disk')), 'raw');

  const bad = await gnt('gnt-cluster', 'modify', '-D', 'qemuimg:format=vmdk');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /GNT_PARAM_INVALID: .*format.*raw, qcow2/);
  const badDisk = await gnt('gnt-storage', 'disk-add', '-t', 'qemuimg', '-n', 'store.example.org', '--disk', 'size=8M,colour=red', 'img-bad');
  assert.match(badDisk.stderr, /GNT_PARAM_UNKNOWN: .*colour/);

  for (const name of ['img-cluster', 'img-group', 'img-disk']) {
    const path = imageOf(name);
    assert.ok(existsSync(path));
    const rm = await gnt('gnt-storage', 'disk-remove', name);
    assert.equal(rm.code, 0, rm.all);
    assert.equal(existsSync(path), false);
  }
});
