import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPluginHost, type PluginHost } from '../../../core/plugin-host/index.js';
import { ganetiPaths } from '../../../core/paths.js';
import { memoryLogger } from '../../../core/log.js';
import { GanetiError } from '../../../core/errors/index.js';
import { deepFreeze, type FrozenConfig } from '../../../core/config/index.js';
import { initialConfig } from '../../../core/cluster/init.js';
import { tallyVotes } from '../../../core/cluster/failover.js';
import { validateOpcode } from '../../../core/jobs/opcodes/validate.js';
import { ClusterSetParamsUnit } from '../../../core/jobs/units/cluster-set-params.js';
import { ClusterDestroyUnit } from '../../../core/jobs/units/cluster-destroy.js';
import type { UnitContext } from '../../../core/jobs/logical-unit.js';
import type { OpClusterDestroy, OpClusterSetParams } from '../../../core/jobs/opcodes/definitions.js';
import { removeDir, tempDir } from '../../helpers/tmp.js';

// The hook descriptions and checks of OP_CLUSTER_SET_PARAMS / OP_CLUSTER_DESTROY, and the
// vote ranking of master failover, without daemons.
let root: string;
let host: PluginHost;
let data: FrozenConfig;

before(async () => {
  root = await tempDir('gnt-cluster-units-');
  host = await createPluginHost({ paths: ganetiPaths(root), cwd: root, logFor: () => memoryLogger() });
  data = deepFreeze(initialConfig(host, { clusterName: 'cluster.example.org', masterName: 'node1.example.org', masterIp: '127.0.4.1', enabledHypervisors: ['fake'], enabledDiskTemplates: ['file'] })) as unknown as FrozenConfig;
});
after(() => removeDir(root));

const ctx = (): UnitContext => ({
  jobId: 1, opIndex: 0, signal: new AbortController().signal, host,
  config: { data, update: () => Promise.reject(new Error('not in this test')) },
  rpc: () => Promise.reject(new Error('no rpc')), feedback: () => undefined,
});

describe('OP_CLUSTER_SET_PARAMS', () => {
  test('hooks: cluster-modify on the master, OP_TARGET and NEW_VG_NAME', () => {
    const op = validateOpcode({ OP_ID: 'OP_CLUSTER_SET_PARAMS', vg_name: 'vg9' }) as OpClusterSetParams;
    const u = new ClusterSetParamsUnit(op, ctx());
    u.checkPrereq();
    assert.equal(u.hookPath, 'cluster-modify');
    assert.equal(u.hookType, 'CLUSTER');
    assert.deepEqual(u.hooksEnv(), { OP_TARGET: 'cluster.example.org', NEW_VG_NAME: 'vg9' });
    assert.deepEqual(u.hooksNodes(), { pre: [data.cluster.master_node], post: [data.cluster.master_node] });
  });

  test('every field defaults to null; an unknown field is refused', () => {
    const op = validateOpcode({ OP_ID: 'OP_CLUSTER_SET_PARAMS' }) as unknown as Record<string, unknown>;
    assert.equal(op['candidate_pool_size'], null);
    assert.equal(op['enabled_hypervisors'], null);
    assert.throws(() => validateOpcode({ OP_ID: 'OP_CLUSTER_SET_PARAMS', colour: 'red' }), (e: unknown) => e instanceof GanetiError && /colour/.test(e.message));
  });

  test('a hypervisor still used by an instance cannot be disabled', () => {
    const withInstance = { ...data, instances: { i1: { uuid: 'i1', name: 'inst1.example.org', hypervisor: 'fake' } } } as unknown as FrozenConfig;
    const op = validateOpcode({ OP_ID: 'OP_CLUSTER_SET_PARAMS', enabled_hypervisors: [] }) as OpClusterSetParams;
    const c = { ...ctx(), config: { data: withInstance, update: ctx().config!.update } };
    assert.throws(() => new ClusterSetParamsUnit(op, c).checkPrereq(), (e: unknown) => e instanceof GanetiError && /at least one hypervisor/.test(e.message));
  });
});

describe('OP_CLUSTER_DESTROY', () => {
  test('hooks: cluster-destroy, post phase on the master only; a lone master may go', async () => {
    const u = new ClusterDestroyUnit(validateOpcode({ OP_ID: 'OP_CLUSTER_DESTROY' }) as OpClusterDestroy, ctx());
    u.checkPrereq();
    assert.equal(u.hookPath, 'cluster-destroy');
    assert.deepEqual(u.hooksEnv(), { OP_TARGET: 'cluster.example.org' });
    assert.deepEqual(u.hooksNodes(), { pre: [], post: [data.cluster.master_node] });
    assert.equal(await u.exec(), data.cluster.master_node);
  });
});

describe('master failover votes', () => {
  test('most votes first; on a tie a name beats "no answer"', () => {
    assert.deepEqual(tallyVotes(['a', null, 'a']), [['a', 2], [null, 1]]);
    assert.deepEqual(tallyVotes([null, 'a']), [['a', 1], [null, 1]]);
    assert.deepEqual(tallyVotes([null, null, 'a']), [[null, 2], ['a', 1]]);
  });
});
