import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../core/exec/index.js';
import { ganetiPaths } from '../../core/paths.js';
import { REPO_ROOT } from '../helpers/tmp.js';
import { startCluster, type TestCluster } from '../helpers/cluster.js';

// Ganeti's hook scripts on a real cluster: a master and two nodes, each a real ganeti-noded
// on its own loopback address and root, plus node4, which is in the config but never answers.
// Scripts record their environment (as exec'd: /proc/$$/environ) into files under `out`.
const NODES = [
  { name: 'node1.example.org', ip: '127.0.2.11' },
  { name: 'node2.example.org', ip: '127.0.2.12' },
  { name: 'node3.example.org', ip: '127.0.2.13' },
  { name: 'node4.example.org', ip: '127.0.2.14', noded: false },
];
let c: TestCluster;
let out: string;

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function group(...args: string[]): Promise<CliResult> {
  const r = await run([process.execPath, join(REPO_ROOT, 'dist', 'cli', 'gnt-group.js'), ...args], { env: { GANETI_ROOT: c.roots[0]!, TZ: 'UTC' }, timeoutMs: 60_000 });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

const groupNames = async () => (await group('list', '-o', 'name', '--no-headers')).stdout.split('\n').filter(Boolean);

/** A script in `<node root>/etc/ganeti/hooks/<dir>/<name>`. */
async function hook(node: number, dir: string, name: string, body: string, mode = 0o755): Promise<string> {
  const d = join(ganetiPaths(c.roots[node]!).hooksDir, dir);
  await mkdir(d, { recursive: true });
  const file = join(d, name);
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, mode);
  return file;
}

/** A script that writes its environment to `<out>/<tag>` (one VAR=value a line, sorted). */
const recorder = (tag: string) => `tr '\\0' '\\n' < /proc/$$/environ | sort > ${out}/${tag}`;

async function recorded(tag: string): Promise<Record<string, string>> {
  const text = await readFile(join(out, tag), 'utf8');
  return Object.fromEntries(text.split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

before(async () => {
  c = await startCluster('gnt-hooks-', NODES);
  out = join(c.top, 'out');
  await mkdir(out);
});
after(async () => {
  await c?.destroy();
});

const common = (phase: string, hpath: string, opcode: string) => ({
  PATH: '/sbin:/bin:/usr/sbin:/usr/bin',
  GANETI_HOOKS_VERSION: '2',
  GANETI_OP_CODE: opcode,
  GANETI_DATA_DIR: ganetiPaths(c.roots[0]!).dataDir,
  GANETI_HOOKS_PHASE: phase,
  GANETI_HOOKS_PATH: hpath,
  GANETI_OBJECT_TYPE: 'GROUP',
  GANETI_CLUSTER: 'cluster.example.org',
  GANETI_MASTER: 'node1.example.org',
});

test('group-add hooks run on the master with exactly PATH and the GANETI_* environment; post adds GANETI_POST_*', async () => {
  await hook(0, 'group-add-pre.d', '10-record', recorder('add-pre'));
  await hook(0, 'group-add-post.d', '10-record', recorder('add-post'));
  await hook(0, 'config-update-post.d', '10-record', recorder('config-update'));
  const r = await group('add', 'web');
  assert.equal(r.code, 0, JSON.stringify(r));
  assert.deepEqual(await recorded('add-pre'), { ...common('pre', 'group-add', 'OP_GROUP_ADD'), GANETI_GROUP_NAME: 'web' });
  assert.deepEqual(await recorded('add-post'), { ...common('post', 'group-add', 'OP_GROUP_ADD'), GANETI_GROUP_NAME: 'web', GANETI_POST_GROUP_NAME: 'web' });
  // the config was written: config-update runs on the master with the pre environment
  assert.deepEqual(await recorded('config-update'), { ...common('post', 'config-update', 'OP_GROUP_ADD'), GANETI_GROUP_NAME: 'web' });
  // no hooks ran on the other nodes
  assert.equal(existsSync(join(out, 'add-pre-node2')), false);
  await rm(join(ganetiPaths(c.roots[0]!).hooksDir, 'config-update-post.d'), { recursive: true });
});

test('a failing pre hook aborts the opcode with its output; the config is unchanged', async () => {
  const deny = await hook(0, 'group-add-pre.d', '50-deny', 'echo "groups are frozen"; echo "ask the admin" >&2; exit 1');
  try {
    const r = await group('add', 'db');
    assert.equal(r.code, 1, JSON.stringify(r));
    assert.equal(r.stderr, 'Failure: hooks execution failed:\n  node: node1.example.org, script: group-add-pre.d/50-deny, output: groups are frozen\\nask the admin\n');
    assert.deepEqual(await groupNames(), ['default', 'web']);
    // --dry-run runs the pre hooks too (as Ganeti) and fails the same way
    assert.equal((await group('add', '--dry-run', 'db')).code, 1);
  } finally {
    await rm(deny);
  }
  assert.equal((await group('add', '--dry-run', 'db')).code, 0);
});

test('group-rename hooks run on the master and the group\'s nodes; a failure on another node names it; unreachable nodes are only warned about', async () => {
  for (const i of [0, 1, 2]) await hook(i, 'group-rename-pre.d', '10-record', recorder(`rename-pre-${i}`));
  const deny = await hook(2, 'group-rename-pre.d', '20-deny', 'exit 7');
  const r = await group('rename', 'default', 'main');
  assert.equal(r.code, 1, JSON.stringify(r));
  assert.equal(r.stderr, 'Failure: hooks execution failed:\n  node: node3.example.org, script: group-rename-pre.d/20-deny (no output)\n');
  assert.deepEqual(await groupNames(), ['default', 'web']);
  await rm(deny);
  const ok = await group('rename', 'default', 'main');
  assert.equal(ok.code, 0, JSON.stringify(ok));
  assert.deepEqual(await groupNames(), ['main', 'web']);
  for (const i of [0, 1, 2]) {
    const env = await recorded(`rename-pre-${i}`);
    assert.equal(env['GANETI_OLD_NAME'], 'default');
    assert.equal(env['GANETI_NEW_NAME'], 'main');
    assert.equal(env['GANETI_HOOKS_PATH'], 'group-rename');
  }
  // node4 has no node daemon: a warning in the job log, not a refusal
  assert.match(ok.stdout, / - WARNING: Communication failure to node node4\.example\.org: .*node4\.example\.org/);
});

test('a failing post hook is only a warning; skipped names (foo.sh, not executable) never run', async () => {
  await hook(0, 'group-remove-post.d', '10-fail', 'echo "post hook unhappy"; exit 1');
  await hook(0, 'group-remove-pre.d', 'foo.sh', `touch ${out}/foo-ran; exit 1`);
  await hook(0, 'group-remove-pre.d', '20-noexec', `touch ${out}/noexec-ran; exit 1`, 0o644);
  const r = await group('remove', 'web');
  assert.equal(r.code, 0, JSON.stringify(r));
  assert.match(r.stdout, / - WARNING: On node1\.example\.org script group-remove-post\.d\/10-fail failed, output: post hook unhappy$/m);
  assert.deepEqual(await groupNames(), ['main']);
  assert.equal(existsSync(join(out, 'foo-ran')), false);
  assert.equal(existsSync(join(out, 'noexec-ran')), false);
});

test('global hooks: around every opcode, on the master and the opcode\'s nodes, with GANETI_JOB_ID, GANETI_IS_MASTER and GANETI_POST_STATUS', async () => {
  for (const i of [0, 1, 2]) {
    await hook(i, 'global-pre.d', '10-record', recorder(`global-pre-${i}`));
    await hook(i, 'global-post.d', '10-record', recorder(`global-post-${i}`));
  }
  const r = await group('rename', 'main', 'default');
  assert.equal(r.code, 0, JSON.stringify(r));
  const master = await recorded('global-post-0');
  const other = await recorded('global-post-2');
  assert.match(master['GANETI_JOB_ID']!, /^\d+$/);
  assert.deepEqual(master, {
    ...common('post', 'global', 'OP_GROUP_RENAME'),
    GANETI_OLD_NAME: 'main',
    GANETI_NEW_NAME: 'default',
    GANETI_POST_OLD_NAME: 'main',
    GANETI_POST_NEW_NAME: 'default',
    GANETI_JOB_ID: master['GANETI_JOB_ID']!,
    GANETI_IS_MASTER: 'master',
    GANETI_POST_STATUS: 'success',
  });
  assert.deepEqual(other, { ...master, GANETI_IS_MASTER: 'not_master' });
  assert.equal((await recorded('global-pre-1'))['GANETI_HOOKS_PHASE'], 'pre');
  // an opcode without hooks of its own: on the master only, OBJECT_TYPE NOT_APPLICABLE
  for (const i of [0, 1, 2]) await rm(join(out, `global-post-${i}`));
  const a = await group('assign-nodes', 'default', 'node2.example.org');
  assert.equal(a.code, 0, JSON.stringify(a));
  const g = await recorded('global-post-0');
  assert.equal(g['GANETI_OBJECT_TYPE'], 'NOT_APPLICABLE');
  assert.equal(g['GANETI_OP_CODE'], 'OP_GROUP_ASSIGN_NODES');
  assert.equal(existsSync(join(out, 'global-post-1')), false);
  // a checkPrereq failure comes before any hook; after a failed pre hook or exec: the
  // master only, status error, without the unit's variables and the object type
  await rm(join(out, 'global-post-0'));
  const f = await group('remove', 'default');
  assert.equal(f.code, 1);
  assert.equal(existsSync(join(out, 'global-post-0')), false);
  await hook(0, 'group-add-pre.d', '60-deny', 'exit 1');
  assert.equal((await group('add', 'x')).code, 1);
  const err = await recorded('global-post-0');
  assert.equal(err['GANETI_POST_STATUS'], 'error');
  assert.equal(err['GANETI_OBJECT_TYPE'], undefined);
  assert.equal(err['GANETI_GROUP_NAME'], undefined);
  assert.equal(err['GANETI_IS_MASTER'], 'master');
});
