import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, stat } from 'node:fs/promises';
import { SSCONF_KEYS, computeSsconf, niceSort, upgradeConfig, writeSsconfFiles } from '../../../core/config/index.js';
import { removeDir } from '../../helpers/tmp.js';
import { FIXTURE_30, U, readJson, rootWith } from './fixtures.js';

const roots: string[] = [];
after(async () => {
  for (const r of roots) await removeDir(r);
});

describe('ssconf', () => {
  test('nice sort orders digit runs as numbers', () => {
    assert.deepEqual(niceSort(['node10', 'node2', 'node1', 'a', 'node02b', 'node2a']), ['a', 'node1', 'node2', 'node2a', 'node02b', 'node10']);
  });

  test('values of the 3.0 fixture, in Ganeti\'s formats', async () => {
    const { data } = upgradeConfig(await readJson(FIXTURE_30));
    const v = computeSsconf(data);
    assert.deepEqual(Object.keys(v).sort(), [...SSCONF_KEYS].sort());
    const expected: Record<string, string> = {
      cluster_name: 'cluster.example.org',
      cluster_tags: 'env:test\nsite:lab',
      file_storage_dir: '/srv/ganeti/file-storage',
      shared_file_storage_dir: '',
      gluster_storage_dir: '',
      // master and candidates, by UUID like Ganeti's config
      master_candidates: 'node1.example.org\nnode2.example.org',
      master_candidates_ips: '192.0.2.11\n192.0.2.12',
      master_candidates_certs: `${U.node1}=3f0a9c1d2e4b5a6978c0d1e2f3a4b5c6d7e8f901\n${U.node2}=9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d`,
      master_ip: '192.0.2.10',
      master_netdev: 'eth0',
      master_netmask: '24',
      master_node: 'node1.example.org',
      node_list: 'node1.example.org\nnode2.example.org\nnode10.example.org',
      node_primary_ips: 'node1.example.org 192.0.2.11\nnode2.example.org 192.0.2.12\nnode10.example.org 192.0.2.13',
      node_secondary_ips: 'node1.example.org 198.51.100.11\nnode2.example.org 198.51.100.12\nnode10.example.org 198.51.100.13',
      node_vm_capable: 'node1.example.org=True\nnode2.example.org=True\nnode10.example.org=False',
      offline_nodes: 'node10.example.org',
      online_nodes: 'node1.example.org\nnode2.example.org',
      primary_ip_family: '2',
      instance_list: 'db1.example.org\nweb3.example.org\nweb10.example.org',
      release_version: '3.1.0',
      hypervisor_list: 'kvm\nfake',
      maintain_node_health: 'False',
      uid_pool: '4000-4009\n4100',
      nodegroups: `${U.groupAnnex} annex\n${U.groupDefault} default`,
      networks: `${U.network} public`,
      enabled_user_shutdown: 'False',
      // cluster 22, node2's own 2222, node10's group 2022
      ssh_ports: 'node1.example.org=22\nnode2.example.org=2222\nnode10.example.org=2022',
      hvparams_fake: 'migration_mode=live',
      hvparams_chroot: '',
      'hvparams_xen-pvm':
        'bootloader_path=\nkernel_path=/boot/vmlinuz-3-xenU\nmigration_mode=live\nmigration_port=8002\nroot_path=/dev/xvda1\nuse_bootloader=False',
    };
    for (const [k, want] of Object.entries(expected)) assert.equal(v[k as keyof typeof v], want, k);
    assert.match(v.hvparams_kvm, /^acpi=True\nboot_order=disk\n/);
    assert.match(v.hvparams_kvm, /\nmigration_bandwidth=32\n/);
  });

  test('files are written mode 0444 with a final newline, and only when changed', async () => {
    const { root, paths } = await rootWith(null);
    roots.push(root);
    const { data } = upgradeConfig(await readJson(FIXTURE_30));
    const values = computeSsconf(data);
    const first = await writeSsconfFiles(paths, values);
    assert.equal(first.written.length, SSCONF_KEYS.length);
    assert.equal(await readFile(paths.ssconf('node_list'), 'utf8'), 'node1.example.org\nnode2.example.org\nnode10.example.org\n');
    assert.equal(await readFile(paths.ssconf('hvparams_chroot'), 'utf8'), '');
    assert.equal((await stat(paths.ssconf('cluster_name'))).mode & 0o777, 0o444);
    const mtime = (await stat(paths.ssconf('cluster_name'))).mtimeMs;

    const second = await writeSsconfFiles(paths, { ...values, master_ip: '192.0.2.99' });
    assert.deepEqual(second.written, ['master_ip']);
    assert.equal(second.unchanged.length, SSCONF_KEYS.length - 1);
    assert.equal(await readFile(paths.ssconf('master_ip'), 'utf8'), '192.0.2.99\n');
    assert.equal((await stat(paths.ssconf('cluster_name'))).mtimeMs, mtime);
    const leftovers = (await readdir(paths.dataDir)).filter((f) => !f.startsWith('ssconf_'));
    assert.deepEqual(leftovers, []);
  });
});
