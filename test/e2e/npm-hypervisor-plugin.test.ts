import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, runChecked } from '../../core/exec/index.js';
import { removeDir } from '../helpers/tmp.js';
import { installOs } from '../helpers/os.js';
import { alive } from '../helpers/masterd.js';
import { destroyScratchCluster, scratchProject, type ScratchProject } from '../helpers/scratch-project.js';

// A hypervisor installed from npm (the examplehv plugin: every instance a host process) is
// enabled with gnt-cluster modify --enabled-hypervisors and used by gnt-instance add -H on a
// real one-node cluster (127.0.20.21): the instance's process really runs, and stops.
let project: ScratchProject;
let root: string;
const env = () => ({ GANETI_ROOT: root, GANETI_HOSTNAME: 'hv.example.org', GANETI_NODE_IP: '127.0.20.21' });
const gnt = async (tool: string, ...args: string[]) => {
  const r = await run([project.bin(tool), ...args], { cwd: project.dir, env: env(), timeoutMs: 60_000 });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr, all: r.all };
};
const pidFile = (name: string) => join(root, 'var/run/ganeti/examplehv', `${name}.pid`);
const pidOf = (name: string) => Number(readFileSync(pidFile(name), 'utf8'));

before(async () => {
  project = await scratchProject(['ganeti-plugin-examplehv']);
  root = join(project.root, 'cluster');
  await runChecked(['sh', '-c', `echo '{"plugins": ["ganeti-plugin-examplehv"]}' > ganeti.config.json`], { cwd: project.dir });
  const init = await gnt('gnt-cluster', 'init', '--enabled-disk-templates', 'diskless', 'hv-cluster.example.org');
  assert.equal(init.code, 0, init.all);
  await installOs(root); // the noop OS the instance is added with
});

after(async () => {
  if (root) {
    await gnt('gnt-instance', 'remove', '-f', 'web1').catch(() => undefined);
    await destroyScratchCluster(root, () => gnt('gnt-cluster', 'destroy', '--yes-do-it'));
  }
  if (project) await removeDir(project.root);
});

test('the plugin hypervisor is refused until enabled; an unknown one is refused by name', async () => {
  const early = await gnt('gnt-instance', 'add', '-H', 'examplehv:command=sleep 600', '-t', 'diskless', '--no-nics', '-o', 'noop', '-n', 'hv.example.org', 'web0');
  assert.equal(early.code, 1);
  assert.match(early.stderr, /hypervisor: 'examplehv' is not enabled \(enabled: fake\)/);
  const bad = await gnt('gnt-cluster', 'modify', '--enabled-hypervisors', 'fake,examplehvx');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /GNT_PROVIDER_UNKNOWN: .*examplehvx.*examplehv/);
  const ok = await gnt('gnt-cluster', 'modify', '--enabled-hypervisors', 'fake,examplehv');
  assert.equal(ok.code, 0, ok.all);
});

test('gnt-instance add -H examplehv:... runs the instance as a host process; shutdown stops it', async () => {
  const badParam = await gnt('gnt-instance', 'add', '-H', 'examplehv:colour=red', '-t', 'diskless', '--no-nics', '-o', 'noop', '-n', 'hv.example.org', 'web1');
  assert.equal(badParam.code, 1);
  assert.match(badParam.stderr, /GNT_PARAM_UNKNOWN: .*colour/);

  const add = await gnt('gnt-instance', 'add', '-H', 'examplehv:command=sleep 600', '-t', 'diskless', '--no-nics', '-o', 'noop', '-n', 'hv.example.org', 'web1');
  assert.equal(add.code, 0, add.all);
  const pid = pidOf('web1');
  assert.ok(alive(pid), 'the instance process runs');
  assert.match(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), /sleep\u0000600/);
  const list = await gnt('gnt-instance', 'list', '--no-headers', '--separator=|', '-o', 'name,hypervisor,status');
  assert.equal(list.stdout, 'web1|examplehv|running\n');

  const stop = await gnt('gnt-instance', 'shutdown', '--timeout', '5', 'web1');
  assert.equal(stop.code, 0, stop.all);
  assert.equal(alive(pid), false, 'the process is gone');
  assert.equal((await gnt('gnt-instance', 'list', '--no-headers', '-o', 'status', 'web1')).stdout.trim(), 'ADMIN_down');
  assert.equal((await gnt('gnt-instance', 'remove', '-f', 'web1')).code, 0);
});
