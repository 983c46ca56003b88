import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, runChecked } from '../../core/exec/index.js';
import { removeDir } from '../helpers/tmp.js';
import { destroyScratchCluster, scratchProject, type ScratchProject } from '../helpers/scratch-project.js';

// An OS provider installed from npm (the exampleos plugin: the `stamp` OS, written in
// JavaScript) works as script folders do: gnt-os lists and diagnoses it, and gnt-instance add,
// reinstall and rename run it on a real one-node cluster (127.0.30.12), with its variants and
// parameters checked by the core and its own verify.
let project: ScratchProject;
let root: string;
const env = () => ({ GANETI_ROOT: root, GANETI_HOSTNAME: 'os.example.org', GANETI_NODE_IP: '127.0.30.12' });
const gnt = async (tool: string, ...args: string[]) => {
  const r = await run([project.bin(tool), ...args], { cwd: project.dir, env: env(), timeoutMs: 60_000 });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr, all: r.all };
};
const stamp = (name: string): string => {
  const cfg = JSON.parse(readFileSync(join(root, 'var/lib/ganeti/config.data'), 'utf8')) as { instances: Record<string, { name: string; disks: string[] }>; disks: Record<string, { logical_id: string[] }> };
  const i = Object.values(cfg.instances).find((x) => x.name === name)!;
  const text = readFileSync(cfg.disks[i.disks[0]!]!.logical_id[1]!).toString('utf8');
  return text.slice(0, text.indexOf('\0'));
};

before(async () => {
  project = await scratchProject(['ganeti-plugin-exampleos']);
  root = join(project.root, 'cluster');
  await runChecked(['sh', '-c', `echo '{"plugins": ["ganeti-plugin-exampleos"]}' > ganeti.config.json`], { cwd: project.dir });
  const init = await gnt('gnt-cluster', 'init', '--enabled-disk-templates', 'file', 'os-cluster.example.org');
  assert.equal(init.code, 0, init.all);
});

after(async () => {
  if (root) await destroyScratchCluster(root, () => gnt('gnt-cluster', 'destroy', '--yes-do-it'));
  if (project) await removeDir(project.root);
});

test('gnt-os lists and diagnoses the plugin\'s OS', async () => {
  const list = await gnt('gnt-os', 'list', '--no-headers');
  assert.equal(list.code, 0, list.all);
  assert.deepEqual(list.stdout.trimEnd().split('\n'), ['stamp+plain', 'stamp+boxed']);
  const diag = await gnt('gnt-os', 'diagnose');
  assert.equal(diag.code, 0, diag.all);
  assert.match(diag.stdout, /^OS: stamp \[global status: valid\]\n  Variants: \[plain, boxed\]\n  Node: os\.example\.org, status: valid \(path: \/.*ganeti-plugin-exampleos\) \[API versions: 20\] \[variants: plain, boxed\] \[parameters: message\] \[trusted\]\n/);
});

test('gnt-instance add, reinstall and rename run the plugin OS; its variants and parameters are checked', async () => {
  const add = await gnt('gnt-instance', 'add', '-t', 'file', '--disk', '0:size=4M', '--no-nics', '-n', 'os.example.org', '-o', 'stamp+boxed', '-O', 'message=hello', '--no-start', 'vm1');
  assert.equal(add.code, 0, add.all);
  assert.equal(stamp('vm1'), '[STAMP name=vm1 variant=boxed message=hello\n');
  const reinstall = await gnt('gnt-instance', 'reinstall', '-f', '-o', 'stamp+plain', '-O', 'message=again', 'vm1');
  assert.equal(reinstall.code, 0, reinstall.all);
  assert.equal(stamp('vm1'), 'STAMP name=vm1 variant=plain message=again\n');
  const rename = await gnt('gnt-instance', 'rename', '--no-ip-check', '--no-name-check', 'vm1', 'vm2');
  assert.equal(rename.code, 0, rename.all);
  assert.equal(stamp('vm2'), 'STAMP name=vm2 variant=plain message=again\n');

  const refused: [string[], RegExp][] = [
    [['-o', 'stamp'], /OS 'stamp': the OS name must include a variant \(one of: plain, boxed\)/],
    [['-o', 'stamp+plain', '-O', 'colour=red'], /unknown parameter\(s\) colour \(the OS takes: message\)/],
    [['-o', 'stamp+plain', '-O', 'message='], /OS parameters of 'stamp': message must not be empty/],
  ];
  for (const [args, message] of refused) {
    const r = await gnt('gnt-instance', 'add', '-t', 'file', '--disk', '0:size=4M', '--no-nics', '-n', 'os.example.org', '--no-start', ...args, 'vm3');
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.stderr, message);
  }
  assert.equal((await gnt('gnt-instance', 'remove', '-f', 'vm2')).code, 0);
});
