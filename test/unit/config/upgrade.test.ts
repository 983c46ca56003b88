import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CONFIG_VERSION,
  configProblem,
  isUuid,
  upgradeConfig,
  type ConfigData,
} from '../../../core/config/index.js';
import { GanetiError } from '../../../core/errors/index.js';
import { FIXTURE_216, FIXTURE_30, U, readJson } from './fixtures.js';

const versionRefused = (found: string) => (e: unknown) => {
  assert.ok(e instanceof GanetiError);
  assert.equal(e.code, 'GNT_CONFIG_VERSION');
  assert.equal(e.ecode, 'environment_error');
  assert.match(e.message, new RegExp(found.replace(/[.()]/g, '\\$&')));
  assert.match(e.message, /2\.16, 3\.0 and 3\.1 \(2160000, 3000000, 3010000\)/);
  return true;
};

describe('config schema and upgrade', () => {
  test('the 2.16 and 3.0 fixtures match the schema of loaded files unchanged', async () => {
    for (const f of [FIXTURE_216, FIXTURE_30]) assert.equal(configProblem(await readJson(f), 'loaded'), null, f);
  });

  test('the 2.16 fixture is upgraded in memory: UUIDs, stamps, new fields, version', async () => {
    const raw = await readJson(FIXTURE_216);
    assert.notEqual(configProblem(raw, 'current'), null, 'the 2.16 file lacks what 3.1 requires');
    const { data, from, to, changes } = upgradeConfig(raw, { now: 1700000000 });
    assert.equal(from, 2160000);
    assert.equal(to, CONFIG_VERSION);
    assert.equal(data.version, 3010000);
    assert.equal(configProblem(data, 'current'), null);
    // a group without uuid takes its key; a NIC and DRBD children get new UUIDs
    assert.equal(data.nodegroups[U.groupAnnex]!.uuid, U.groupAnnex);
    const nic = data.instances[U.web3]!.nics[0]!;
    assert.ok(isUuid(nic.uuid));
    for (const child of data.disks[U.diskDrbd]!.children!) assert.ok(isUuid(child.uuid));
    // keys stay the UUIDs
    for (const kind of ['nodes', 'nodegroups', 'instances', 'disks', 'networks'] as const) {
      for (const [k, o] of Object.entries(data[kind])) assert.equal(o.uuid, k);
    }
    // missing stamps: serial 1, ctime unknown (0), mtime the upgrade time
    assert.deepEqual([data.networks[U.network]!.ctime, data.networks[U.network]!.mtime, data.networks[U.network]!.tags], [0, 1700000000, []]);
    assert.equal(data.nodegroups[U.groupDefault]!.ctime, 0);
    // fields added since 2.16, and 3.1's value changes
    assert.equal(data.cluster.ssh_key_type, 'dsa');
    assert.equal(data.cluster.ssh_key_bits, 1024);
    assert.equal(data.cluster.hvparams['xen-pvm']!['xen_cmd'], undefined);
    assert.equal(data.cluster.hvparams['kvm']!['disk_discard'], 'ignore');
    assert.equal(data.instances[U.web10]!.hvparams['disk_discard'], 'ignore');
    assert.equal(data.cluster.diskparams['rbd']!['user-id'], '');
    assert.equal(data.instances[U.web3]!.disks_active, false);
    // unknown fields are left alone
    assert.deepEqual((data.cluster as unknown as Record<string, unknown>)['x_site_note'], { owner: 'lab team', since: 2020 });
    assert.deepEqual((data as unknown as Record<string, unknown>)['x_tool_state'], { last_rebalance: '2022-04-15' });
    assert.ok(changes.some((c) => c.includes('version 2.16.0 (2160000) → 3.1.0 (3010000)')));
  });

  test('the 3.0 fixture keeps its SSH key settings and loses xen_cmd', async () => {
    const { data, changes } = upgradeConfig(await readJson(FIXTURE_30), { now: 1700000000 });
    assert.equal(data.version, 3010000);
    assert.equal(data.cluster.ssh_key_type, 'rsa');
    assert.equal(data.cluster.ssh_key_bits, 2048);
    assert.equal(data.cluster.hvparams['xen-hvm']!['xen_cmd'], undefined);
    assert.equal(data.filters[U.filter]!.watermark, 120);
    assert.equal(configProblem(data, 'current'), null);
    assert.ok(!changes.some((c) => c.includes('uuid')), changes.join('\n'));
  });

  test('the upgrade is idempotent: a 3.1 config comes out unchanged', async () => {
    const once = upgradeConfig(await readJson(FIXTURE_216), { now: 1700000000 }).data;
    const copy = structuredClone(once);
    const again = upgradeConfig(copy, { now: 1800000000 });
    assert.deepEqual(again.changes, []);
    assert.deepEqual(again.data, once);
  });

  test('a collection keyed by name is re-keyed by UUID and references follow', async () => {
    const raw = (await readJson(FIXTURE_30)) as unknown as ConfigData;
    const node2 = raw.nodes[U.node2]!;
    delete raw.nodes[U.node2];
    raw.nodes['node2.example.org'] = node2;
    delete (node2 as Partial<typeof node2>).uuid;
    raw.instances[U.web10]!.primary_node = 'node2.example.org';
    raw.disks[U.diskDrbd]!.logical_id[0] = 'node2.example.org';
    raw.disks[U.diskDrbd]!.nodes = ['node2.example.org', U.node1];
    const { data } = upgradeConfig(raw);
    const [id] = Object.entries(data.nodes).find(([, n]) => n.name === 'node2.example.org')!;
    assert.ok(isUuid(id));
    assert.equal(data.nodes[id]!.uuid, id);
    assert.equal(data.instances[U.web10]!.primary_node, id);
    assert.equal(data.disks[U.diskDrbd]!.logical_id[0], id);
    assert.deepEqual(data.disks[U.diskDrbd]!.nodes, [id, U.node1]);
  });

  test('versions before 2.16 and after 3.1 are refused, naming both', async () => {
    const raw = await readJson(FIXTURE_30);
    assert.throws(() => upgradeConfig({ ...raw, version: 2150000 }), versionRefused('2.15.0 (2150000)'));
    assert.throws(() => upgradeConfig({ ...raw, version: 3020000 }), versionRefused('3.2.0 (3020000)'));
    assert.throws(() => upgradeConfig({ ...raw, version: 2170000 }), versionRefused('2.17.0 (2170000)'));
    assert.throws(() => upgradeConfig({ ...raw, version: '3.0' }), versionRefused('"3.0"'));
  });

  test('the schema names the first problem with its path', async () => {
    const raw = (await readJson(FIXTURE_30)) as unknown as ConfigData;
    (raw.instances[U.db1] as unknown as Record<string, unknown>)['disks'] = 'disk0';
    assert.equal(configProblem(raw, 'loaded'), `/instances/${U.db1}/disks must be array`);
    const raw2 = (await readJson(FIXTURE_30)) as unknown as ConfigData;
    (raw2.instances[U.db1] as unknown as Record<string, unknown>)['admin_state'] = 'running';
    assert.match(configProblem(raw2, 'loaded')!, /admin_state must be equal to one of the allowed values \("up", "down", "offline"\)/);
  });
});
