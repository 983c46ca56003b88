import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPluginHost, type PluginHost } from '../../../core/plugin-host/index.js';
import { ganetiPaths } from '../../../core/paths.js';
import { memoryLogger } from '../../../core/log.js';
import { ConfigStore } from '../../../core/config/index.js';
import { initialConfig } from '../../../core/cluster/init.js';
import { Processor, type LockingService, type OpcodeRun } from '../../../core/jobs/processor.js';
import { validateOpcode } from '../../../core/jobs/opcodes/validate.js';
import { GanetiError } from '../../../core/errors/index.js';
import type { OpcodeHooksContext, OpCodeInput } from '../../../core/contracts/index.js';
import { removeDir, tempDir } from '../../helpers/tmp.js';

// The processor's hook phases as the host hooks see them: when each runs, the environment
// and nodes core computes, and what a tap's failure does to the opcode.
let root: string;
let host: PluginHost;
let store: ConfigStore;
let seen: OpcodeHooksContext[] = [];
let failPre: Error | null = null;
let failPost: Error | null = null;

const noLocks: LockingService = { acquire: async () => undefined, releaseAll: () => undefined };
const processor = () => new Processor(host, noLocks, () => ({ get data() { return store.data; }, update: (m) => store.update(m) }), () => Promise.reject(new Error('no RPC in this test')));

function opRun(log: string[]): OpcodeRun {
  return { jobId: 7, opIndex: 0, priority: 0, signal: new AbortController().signal, waiting: () => undefined, running: async () => undefined, feedback: (m) => log.push(m) };
}
const add = (name: string, extra: Record<string, unknown> = {}) => validateOpcode({ OP_ID: 'OP_GROUP_ADD', group_name: name, ...extra }) as unknown as OpCodeInput;
const groups = () => Object.values(store.data.nodegroups).map((g) => g.name).sort();

before(async () => {
  root = await tempDir('gnt-hook-phases-');
  host = await createPluginHost({ paths: ganetiPaths(root), cwd: root, builtins: ['hypervisors/fake', 'storage/file'], logFor: () => memoryLogger() });
  store = await ConfigStore.initialize(host.paths, initialConfig(host, { clusterName: 'cluster.example.org', masterName: 'node1.example.org', masterIp: '127.0.2.99', enabledHypervisors: ['fake'], enabledDiskTemplates: ['file'] }));
  host.hooks.opcodeHooksPre.tapPromise('test', async (ctx) => {
    seen.push(ctx);
    if (failPre) throw failPre;
  });
  host.hooks.opcodeHooksPost.tapPromise('test', async (ctx) => {
    seen.push(ctx);
    if (failPost) throw failPost;
  });
});
after(async () => {
  await store?.close();
  await removeDir(root);
});

test('dry run: the pre phase only, with the common and the unit\'s variables; nothing written', async () => {
  seen = [];
  assert.equal(await processor().run(add('web', { dry_run: true }), opRun([])), null);
  assert.deepEqual(seen.map((c) => c.phase), ['pre']);
  const pre = seen[0]!;
  assert.equal(pre.hpath, 'group-add');
  assert.equal(pre.htype, 'GROUP');
  assert.deepEqual(pre.env, {
    PATH: '/sbin:/bin:/usr/sbin:/usr/bin',
    GANETI_HOOKS_VERSION: '2',
    GANETI_OP_CODE: 'OP_GROUP_ADD',
    GANETI_DATA_DIR: host.paths.dataDir,
    GANETI_HOOKS_PHASE: 'pre',
    GANETI_HOOKS_PATH: 'group-add',
    GANETI_OBJECT_TYPE: 'GROUP',
    GANETI_CLUSTER: 'cluster.example.org',
    GANETI_MASTER: 'node1.example.org',
    GANETI_GROUP_NAME: 'web',
  });
  assert.deepEqual(pre.nodes.map((n) => [n.name, n.address, n.master, n.offline]), [['node1.example.org', '127.0.2.99', true, false]]);
  assert.deepEqual(pre.global.map((t) => [t.hpath, t.env['GANETI_IS_MASTER'], t.env['GANETI_JOB_ID'], t.nodes.length]), [['global', 'master', '7', 1]]);
  assert.deepEqual(groups(), ['default']);
});

test('success: post recomputes the unit\'s variables as GANETI_POST_*; config-update because the config was written', async () => {
  seen = [];
  await processor().run(add('web'), opRun([]));
  assert.deepEqual(seen.map((c) => c.phase), ['pre', 'post']);
  const post = seen[1]!;
  assert.equal(post.status, 'success');
  assert.equal(post.env['GANETI_HOOKS_PHASE'], 'post');
  assert.equal(post.env['GANETI_GROUP_NAME'], 'web');
  assert.equal(post.env['GANETI_POST_GROUP_NAME'], 'web');
  assert.equal(post.configUpdate?.hpath, 'config-update');
  assert.equal(post.configUpdate?.env['GANETI_HOOKS_PATH'], 'config-update');
  assert.equal(post.configUpdate?.env['GANETI_POST_GROUP_NAME'], undefined);
  assert.equal(post.global[0]?.env['GANETI_POST_STATUS'], 'success');
  assert.deepEqual(groups(), ['default', 'web']);
});

test('a pre tap that throws aborts the opcode with its error; post then runs with status error', async () => {
  seen = [];
  failPre = new GanetiError('GNT_HOOKS_ABORT', { opcode: 'OP_GROUP_ADD', failures: [['node1.example.org', 'group-add-pre.d/10-no', 'no']] });
  try {
    await assert.rejects(processor().run(add('db'), opRun([])), (e: GanetiError) => e.code === 'GNT_HOOKS_ABORT' && /node node1\.example\.org, script group-add-pre\.d\/10-no, output: no/.test(e.message));
  } finally {
    failPre = null;
  }
  assert.deepEqual(seen.map((c) => [c.phase, c.status]), [['pre', null], ['post', 'error']]);
  const post = seen[1]!;
  assert.deepEqual(post.nodes, []);
  assert.equal(post.configUpdate, null);
  assert.equal(post.global[0]?.env['GANETI_OBJECT_TYPE'], undefined);
  assert.deepEqual(groups(), ['default', 'web']);
});

test('a post tap that throws is a warning in the job log; the opcode succeeds', async () => {
  const log: string[] = [];
  failPost = new Error('post went wrong');
  try {
    await processor().run(add('db'), opRun(log));
  } finally {
    failPost = null;
  }
  assert.deepEqual(groups(), ['db', 'default', 'web']);
  assert.equal(log.length, 1);
  assert.match(log[0]!, /^ - WARNING: post hooks failed: .*post went wrong/);
});
