import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { FrozenConfig } from '../../../core/config/objects.js';
import { GanetiError } from '../../../core/errors/index.js';
import { NODATA, OFFLINE, RESULT_STATUS } from '../../../core/query/fields.js';
import { NODE_LIVE_FIELD_NAMES, NODE_QUERY_FIELDS, instanceSecondaryNodes, lookupItem, nodeRole, queryNodes } from '../../../core/query/node-fields.js';
import { GROUP_QUERY_FIELDS, fillIPolicy, queryGroups } from '../../../core/query/group-fields.js';
import { CONFIG_FIXTURE_30 } from '../../helpers/masterd.js';

const config = JSON.parse(readFileSync(CONFIG_FIXTURE_30, 'utf8')) as FrozenConfig;
const U = {
  node1: '5b0f2a3e-7d41-4c8e-9a16-2f3c4d5e6a71',
  groupAnnex: 'e1f2a3b4-c5d6-47e8-99a0-b1c2d3e4f506',
  web10: '3e4d5c6b-7a89-4b0c-9d1e-2f3a4b5c6d7e',
  db1: 'a7b6c5d4-e3f2-4a1b-8c9d-0e1f2a3b4c5d',
};

/** Query answer as {name: [values]} with non-normal values as their status. */
function byName(result: { data: [number, unknown][][] }): Record<string, unknown[]> {
  return Object.fromEntries(result.data.map((row) => [row[0]![1] as string, row.slice(1).map(([s, v]) => (s === 0 ? v : `status ${s}`))]));
}

describe('node query fields', () => {
  test('definitions carry Ganeti names, titles and kinds', () => {
    const defs = Object.fromEntries(NODE_QUERY_FIELDS.definitions(null).map((d) => [d.name, [d.title, d.kind]]));
    assert.deepEqual(defs['name'], ['Node', 'text']);
    assert.deepEqual(defs['pinst_cnt'], ['Pinst', 'number']);
    assert.deepEqual(defs['sinst_list'], ['SecInstances', 'other']);
    assert.deepEqual(defs['master_candidate'], ['MasterC', 'bool']);
    assert.deepEqual(defs['group.uuid'], ['GroupUUID', 'text']);
    assert.deepEqual(defs['mtotal'], ['MTotal', 'unit']);
    assert.deepEqual(defs['ctotal'], ['CTotal', 'number']);
    assert.deepEqual(defs['ctime'], ['CTime', 'timestamp']);
    assert.deepEqual(defs['custom_ndparams'], ['CustomNodeParameters', 'other']);
    // sorted by name, as QueryFields without names answers
    const names = NODE_QUERY_FIELDS.definitions(null).map((d) => d.name);
    assert.equal(names[0], 'bootid');
    assert.deepEqual(NODE_QUERY_FIELDS.definitions(['name', 'nope']).map((d) => d.kind), ['text', 'unknown']);
  });

  test('roles, groups and flags from the config, nodes sorted by name', () => {
    const r = queryNodes(config, ['name', 'role', 'group', 'master', 'master_candidate', 'offline', 'vm_capable', 'pip', 'sip', 'group.uuid'], null);
    assert.deepEqual(r.data.map((row) => row[0]![1]), ['node1.example.org', 'node2.example.org', 'node10.example.org']);
    assert.deepEqual(byName(r), {
      'node1.example.org': ['M', 'default', true, true, false, true, '192.0.2.11', '198.51.100.11', '0f9e8d7c-6b5a-4938-8271-605f4e3d2c1b'],
      'node2.example.org': ['C', 'default', false, true, false, true, '192.0.2.12', '198.51.100.12', '0f9e8d7c-6b5a-4938-8271-605f4e3d2c1b'],
      'node10.example.org': ['O', 'annex', false, false, true, false, '192.0.2.13', '198.51.100.13', U.groupAnnex],
    });
  });

  test('role letters follow Ganeti precedence', () => {
    const n = { uuid: 'x', master_candidate: false, drained: false, offline: false };
    assert.equal(nodeRole(n, 'x'), 'M');
    assert.equal(nodeRole({ ...n, master_candidate: true, drained: true }, 'y'), 'C');
    assert.equal(nodeRole({ ...n, drained: true, offline: true }, 'y'), 'D');
    assert.equal(nodeRole({ ...n, offline: true }, 'y'), 'O');
    assert.equal(nodeRole(n, 'y'), 'R');
  });

  test('primary and secondary instances (secondaries from DRBD logical ids)', () => {
    assert.deepEqual(instanceSecondaryNodes(config, config.instances[U.web10]!), [U.node1]);
    assert.deepEqual(instanceSecondaryNodes(config, config.instances[U.db1]!), []);
    const r = queryNodes(config, ['name', 'pinst_cnt', 'sinst_cnt', 'pinst_list', 'sinst_list'], null);
    assert.deepEqual(byName(r), {
      'node1.example.org': [1, 1, ['db1.example.org'], ['web10.example.org']],
      'node2.example.org': [2, 0, ['web3.example.org', 'web10.example.org'], []],
      'node10.example.org': [0, 0, [], []],
    });
  });

  test('live fields: no data until the node daemon is asked, offline nodes are offline', () => {
    const r = queryNodes(config, ['name', ...NODE_LIVE_FIELD_NAMES], null);
    for (const row of r.data) {
      const want = row[0]![1] === 'node10.example.org' ? RESULT_STATUS.OFFLINE : RESULT_STATUS.NODATA;
      assert.deepEqual(row.slice(1), NODE_LIVE_FIELD_NAMES.map(() => [want, null]));
    }
    // the seam: a provider's values show, missing ones are "no data"
    const live = queryNodes(config, ['name', 'mtotal', 'dfree'], null, (node) => (node.offline ? OFFLINE : node.name === 'node1.example.org' ? { mtotal: 4096 } : NODATA));
    assert.deepEqual(live.data[0], [[0, 'node1.example.org'], [0, 4096], [2, null]]);
    assert.deepEqual(live.data[2], [[0, 'node10.example.org'], [4, null], [4, null]]);
  });

  test('node parameters merged cluster < group < node; powered needs an OOB program', () => {
    const r = queryNodes(config, ['name', 'ndparams', 'custom_ndparams', 'powered', 'tags', 'serial_no', 'ctime'], null);
    const rows = byName(r);
    const nd = (name: string) => rows[name]![0] as Record<string, unknown>;
    assert.equal(nd('node1.example.org')['ssh_port'], 22);
    assert.equal(nd('node2.example.org')['ssh_port'], 2222);
    assert.equal(nd('node10.example.org')['ssh_port'], 2022);
    assert.equal(nd('node1.example.org')['ovs_name'], 'switch1');
    assert.deepEqual(rows['node2.example.org']![1], { ssh_port: 2222 });
    assert.equal(rows['node1.example.org']![2], `status ${RESULT_STATUS.UNAVAIL}`);
    assert.deepEqual(rows['node1.example.org']!.slice(3), [[], 7, 1600000107]);
  });

  test('names: full, short, UUID, in the order asked; unknown ones are an error', () => {
    const r = queryNodes(config, ['name'], ['|', ['==', 'name', 'node10'], ['==', 'name', 'node1.example.org'], ['==', 'name', U.node1]]);
    assert.deepEqual(r.data.map((row) => row[0]![1]), ['node10.example.org', 'node1.example.org']);
    assert.throws(
      () => queryNodes(config, ['name'], ['|', ['==', 'name', 'nosuch']]),
      (e: unknown) => e instanceof GanetiError && e.code === 'GNT_QUERY_UNKNOWN_NAME' && e.message.includes('Node name nosuch not found'),
    );
    // `node` is no host name component of any node, so it does not match them all
    assert.throws(() => lookupItem('Node', config.nodes, 'node'), /not found/);
    // filters on other fields work as usual
    const mc = queryNodes(config, ['name'], ['==', 'master_candidate', true]);
    assert.deepEqual(mc.data.map((row) => row[0]![1]), ['node1.example.org', 'node2.example.org']);
  });

  test('unknown fields answer status 1 in every row', () => {
    const r = queryNodes(config, ['name', 'bogus'], null);
    assert.equal(r.fields[1]!.kind, 'unknown');
    assert.ok(r.data.every((row) => row[1]![0] === RESULT_STATUS.UNKNOWN));
    assert.equal(NODATA, NODATA);
  });
});

describe('group query fields', () => {
  test('definitions carry Ganeti names, titles and kinds', () => {
    const defs = Object.fromEntries(GROUP_QUERY_FIELDS.definitions(null).map((d) => [d.name, [d.title, d.kind]]));
    assert.deepEqual(defs['name'], ['Group', 'text']);
    assert.deepEqual(defs['node_cnt'], ['Nodes', 'number']);
    assert.deepEqual(defs['pinst_cnt'], ['Instances', 'number']);
    assert.deepEqual(defs['alloc_policy'], ['AllocPolicy', 'text']);
    assert.deepEqual(defs['ndparams'], ['NDParams', 'other']);
    assert.deepEqual(defs['custom_ipolicy'], ['CustomInstancePolicy', 'other']);
    assert.deepEqual(defs['diskparams'], ['DiskParameters', 'other']);
  });

  test('members, counts and policies from the config', () => {
    const r = queryGroups(config, ['name', 'node_cnt', 'node_list', 'pinst_cnt', 'pinst_list', 'alloc_policy', 'tags', 'networks', 'uuid'], null);
    assert.deepEqual(byName(r), {
      annex: [1, ['node10.example.org'], 0, [], 'last_resort', ['rack:b'], {}, U.groupAnnex],
      default: [
        2,
        ['node1.example.org', 'node2.example.org'],
        3,
        ['db1.example.org', 'web3.example.org', 'web10.example.org'],
        'preferred',
        [],
        { public: { link: 'br100', mode: 'bridged', vlan: '' } },
        '0f9e8d7c-6b5a-4938-8271-605f4e3d2c1b',
      ],
    });
  });

  test('merged parameters and instance policy', () => {
    const r = byName(queryGroups(config, ['name', 'ndparams', 'ipolicy', 'custom_ipolicy', 'diskparams'], ['==', 'name', 'annex']));
    const [nd, ipolicy, custom, dp] = r['annex']! as Record<string, unknown>[];
    assert.equal(nd!['ssh_port'], 2022);
    assert.equal(nd!['ovs_name'], 'switch1');
    assert.equal(ipolicy!['vcpu-ratio'], 4);
    assert.equal(ipolicy!['spindle-ratio'], 16);
    assert.deepEqual(ipolicy!['disk-templates'], ['drbd', 'plain', 'file']);
    assert.deepEqual(custom, { 'vcpu-ratio': 4 });
    assert.equal((dp!['drbd'] as Record<string, unknown>)['protocol'], 'C');
    assert.deepEqual(fillIPolicy({ std: { a: 1, b: 2 }, minmax: [1] }, { std: { b: 3 }, minmax: [2] }), { std: { a: 1, b: 3 }, minmax: [2] });
  });

  test('groups by name or UUID; unknown ones are an error', () => {
    const r = queryGroups(config, ['name'], ['|', ['==', 'name', U.groupAnnex], ['==', 'name', 'default']]);
    assert.deepEqual(r.data.map((row) => row[0]![1]), ['annex', 'default']);
    assert.throws(() => queryGroups(config, ['name'], ['==', 'name', 'nosuch']), /NodeGroup name nosuch not found/);
  });
});
