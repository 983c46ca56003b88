import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createPluginHost, type PluginHost } from '../../../core/plugin-host/index.js';
import { ganetiPaths } from '../../../core/paths.js';
import { memoryLogger } from '../../../core/log.js';
import { GanetiError } from '../../../core/errors/index.js';
import { ConfigStore } from '../../../core/config/index.js';
import { initCluster, initialConfig, type InitOptions } from '../../../core/cluster/init.js';
import { removeDir, tempDir } from '../../helpers/tmp.js';

let root: string;
let host: PluginHost;
const base: InitOptions = { clusterName: 'cluster.example.org', masterName: 'node1.example.org', masterIp: '127.0.1.1', enabledHypervisors: ['fake'], enabledDiskTemplates: ['file', 'diskless'] };

before(async () => {
  root = await tempDir('gnt-init-');
  host = await createPluginHost({ paths: ganetiPaths(root), cwd: root, logFor: () => memoryLogger() });
});
after(() => removeDir(root));

const refused = (code: string, re: RegExp) => (e: unknown) => e instanceof GanetiError && e.code === code && re.test(e.message);

describe('cluster init', () => {
  test('builds Ganeti defaults, with hypervisor defaults from the provider schemas', () => {
    const c = initialConfig(host, { ...base, beparams: { maxmem: '512' } });
    assert.equal(c.cluster.cluster_name, 'cluster.example.org');
    assert.deepEqual(c.cluster.beparams['default'], { minmem: 128, maxmem: 512, vcpus: 1, auto_balance: true, always_failover: false, spindle_use: 1 });
    assert.deepEqual(c.cluster.nicparams['default'], { mode: 'bridged', link: 'xen-br0', vlan: '' });
    assert.equal(c.cluster.hvparams['fake']!['migration_mode'], 'live');
    assert.equal(c.cluster.candidate_pool_size, 10);
    assert.deepEqual(c.cluster.enabled_disk_templates, ['file', 'diskless']);
    const [node] = Object.values(c.nodes);
    assert.equal(node!.name, 'node1.example.org');
    assert.equal(node!.master_candidate, true);
    assert.equal(c.cluster.master_node, node!.uuid);
    assert.equal(Object.values(c.nodegroups)[0]!.name, 'default');
  });

  test('refuses bad options naming them, before anything is written', async () => {
    assert.throws(() => initialConfig(host, { ...base, enabledHypervisors: ['kvm2'] }), refused('GNT_PROVIDER_UNKNOWN', /unknown hypervisor 'kvm2' \(known: chroot, fake, kvm, lxc, xen-hvm, xen-pvm\)/));
    assert.throws(() => initialConfig(host, { ...base, enabledDiskTemplates: ['drbd9'] }), refused('GNT_PROVIDER_UNKNOWN', /unknown storage 'drbd9'/));
    assert.throws(() => initialConfig(host, { ...base, beparams: { vcpus: 'many' } }), refused('GNT_PARAM_INVALID', /parameter 'vcpus' for backend parameters must be integer/));
    assert.throws(() => initialConfig(host, { ...base, beparams: { memory: 1 } }), refused('GNT_PARAM_UNKNOWN', /unknown parameter 'memory'/));
    assert.throws(() => initialConfig(host, { ...base, hvparams: { fake: { migration_mode: 'teleport' } } }), refused('GNT_PARAM_INVALID', /migration_mode/));
    assert.throws(() => initialConfig(host, { ...base, beparams: { minmem: 256, maxmem: 128 } }), refused('GNT_OPCODE_INVALID', /minmem must not be larger than maxmem/));
    assert.throws(() => initialConfig(host, { ...base, clusterName: 'bad name!' }), refused('GNT_OPCODE_INVALID', /not a valid host name/));
    assert.throws(() => initialConfig(host, { ...base, macPrefix: 'zz:00:00' }), refused('GNT_OPCODE_INVALID', /mac prefix/));
  });

  test('writes a config.data the store opens, and ssconf files; a second init is refused', async () => {
    const paths = ganetiPaths(root);
    const r = await initCluster(paths, host, base);
    const store = await ConfigStore.open(paths);
    assert.equal(store.data.cluster.uuid, r.clusterUuid);
    assert.match(store.data.cluster.candidate_certs[r.masterUuid]!, /^([0-9A-F]{2}:){19}[0-9A-F]{2}$/);
    assert.equal(store.serial, 1);
    await store.close();
    assert.equal(await readFile(paths.ssconf('cluster_name'), 'utf8'), 'cluster.example.org\n');
    assert.equal(await readFile(paths.ssconf('master_node'), 'utf8'), 'node1.example.org\n');
    const before = await readFile(paths.configData);
    await assert.rejects(initCluster(paths, host, { ...base, clusterName: 'other.example.org' }), (e: GanetiError) => e.code === 'GNT_CONFIG_EXISTS');
    assert.deepEqual(await readFile(paths.configData), before);
  });
});
