import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../../core/exec/index.js';
import { REPO_ROOT } from '../helpers/tmp.js';
import { startLoopbackCluster, type LoopbackCluster } from '../helpers/cluster.js';

// Detached disks through the whole path: gnt-storage → LUXI → masterd job → blockdev_* RPC →
// the node daemon of node2 → the file storage provider. Two real node daemons at 127.0.10.1-2.
let cluster: LoopbackCluster;

const cli = async (tool: string, ...args: string[]) => {
  const r = await run([process.execPath, join(REPO_ROOT, `dist/cli/${tool}.js`), ...args], { env: { GANETI_ROOT: cluster.roots[0]! }, timeoutMs: 60_000 });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr, all: r.all };
};
const storage = (...args: string[]) => cli('gnt-storage', ...args);
const configData = () => JSON.parse(readFileSync(cluster.paths[0]!.configData, 'utf8')) as { serial_no: number; disks: Record<string, { name: string; dev_type: string; logical_id: unknown[]; size: number; nodes: string[]; params: object }>; cluster: { diskparams: Record<string, Record<string, unknown>> } };
async function eventually(check: () => void, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return check();
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
const diskNamed = (name: string) => Object.values(configData().disks).find((d) => d.name === name);

before(async () => {
  cluster = await startLoopbackCluster({
    prefix: 'gnt-detached-disks-',
    masterd: true,
    keyType: 'ec',
    enabledDiskTemplates: ['file', 'diskless'],
    nodes: [
      { name: 'node1.example.org', ip: '127.0.10.1' },
      { name: 'node2.example.org', ip: '127.0.10.2' },
    ],
  });
});
after(() => cluster?.destroy());

describe('gnt-storage disk-add|disk-activate|disk-deactivate|disk-remove', () => {
  test('a file disk is made on the node asked for, recorded, activated, deactivated and removed', async () => {
    const add = await storage('disk-add', '-t', 'file', '-n', 'node2.example.org', '--disk', 'size=6M', 'data1');
    assert.equal(add.code, 0, add.all);
    const disk = diskNamed('data1');
    assert.ok(disk, 'the disk is in the config');
    assert.equal(disk.size, 8, 'sizes are rounded up to 4 MiB, as Ganeti does');
    assert.equal(disk.nodes.length, 1);
    // the cluster's file storage dir is an absolute path (the master's root here), as in Ganeti
    const path = disk.logical_id[1] as string;
    assert.equal(disk.logical_id[0], 'loop');
    assert.equal(path, join(cluster.paths[0]!.fileStorageDir, `${Object.keys(configData().disks).find((u) => configData().disks[u]!.name === 'data1')}.file.disk0`));
    const file = path;
    assert.equal((await stat(file)).size, 8 * 1024 * 1024);

    const list = await storage('disk-list');
    assert.equal(list.code, 0, list.all);
    assert.deepEqual(list.stdout.trimEnd().split('\n').map((l) => l.split(/ +/)), [
      ['Disk', 'Template', 'Size', 'Node', 'Instance'],
      ['data1', 'file', '8M', 'node2.example.org', '-'],
    ]);
    const sep = await storage('disk-list', '--no-headers', '--separator=|', '-o', 'name,size,provider,logical_id,uuid', 'data1');
    assert.equal(sep.stdout, `data1|8|-|loop,${path}|${Object.keys(configData().disks)[0]}\n`);
    const unknown = await storage('disk-list', '-o', 'name,colour');
    assert.equal(unknown.code, 14);
    const fields = await storage('disk-list-fields', 'provider');
    assert.match(fields.stdout, /^Name +Type +Title +Description\nprovider +Text +Provider +ExtStorage provider \(ext disks\)\n$/);

    const act = await storage('disk-activate', 'data1');
    assert.equal(act.code, 0, act.all);
    assert.equal(act.stdout, `node2.example.org:data1:${path}\n`);
    const deact = await storage('disk-deactivate', 'data1');
    assert.equal(deact.code, 0, deact.all);

    const rm = await storage('disk-remove', 'data1');
    assert.equal(rm.code, 0, rm.all);
    assert.equal(diskNamed('data1'), undefined);
    assert.equal(existsSync(file), false, 'the file is gone');
  });

  test('bad requests are refused with coded errors, and the config is not written', async () => {
    const serial = configData().serial_no;
    const cases: [string[], RegExp][] = [
      [['disk-add', '-t', 'plain', '-n', 'node1.example.org', '--disk', 'size=4', 'x'], /GNT_PROVIDER_UNKNOWN|GNT_DISK_TEMPLATE_DISABLED/],
      [['disk-add', '-t', 'file', '-n', 'node9.example.org', '--disk', 'size=4', 'x'], /GNT_NODE_UNKNOWN: node_name: node node9\.example\.org/],
      [['disk-add', '-t', 'file', '-n', 'node1.example.org', '--disk', 'size=4,colour=blue', 'x'], /GNT_PARAM_UNKNOWN.*colour/],
      [['disk-add', '-t', 'file', '-n', 'node1.example.org', '--disk', 'size=lots', 'x'], /size.*'lots' is not a size/],
      [['disk-add', '-t', 'file', '-n', 'node1.example.org', '--disk', 'mode=rw', 'x'], /size=SIZE is required/],
      [['disk-activate', 'nosuchdisk'], /GNT_DISK_UNKNOWN: disk_name: disk 'nosuchdisk' is not in the configuration/],
      [['disk-remove', 'nosuchdisk'], /GNT_DISK_UNKNOWN/],
    ];
    for (const [args, re] of cases) {
      const r = await storage(...args);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.stderr, re, args.join(' '));
    }
    assert.equal(configData().serial_no, serial, 'no config write');
  });

  test('a disk the node fails to create is not recorded; a taken name is refused', async () => {
    const ok = await storage('disk-add', '-t', 'file', '-n', 'node1.example.org', '--disk', 'size=4', 'taken');
    assert.equal(ok.code, 0, ok.all);
    const again = await storage('disk-add', '-t', 'file', '-n', 'node1.example.org', '--disk', 'size=4', 'taken');
    assert.equal(again.code, 1);
    assert.match(again.stderr, /GNT_DISK_NAME_TAKEN: disk_name: disk name 'taken' is already used by disk [0-9a-f-]{36}/);

    // the file storage folder becomes a plain file: nothing can be created below it
    const dir = cluster.paths[0]!.fileStorageDir;
    const keep = join(cluster.top, 'file-storage-kept');
    await run(['mv', dir, keep]);
    await writeFile(dir, 'not a folder\n');
    try {
      const serial = configData().serial_no;
      const bad = await storage('disk-add', '-t', 'file', '-n', 'node2.example.org', '--disk', 'size=4', 'doomed');
      assert.equal(bad.code, 1, bad.all);
      assert.match(bad.stderr, /GNT_DISK_FAILED: could not create file disk 'doomed': call 'blockdev_create' to node 'node2\.example\.org' has failed: could not create file disk '.*': .*file-storage is not a folder/);
      assert.equal(diskNamed('doomed'), undefined);
      assert.equal(configData().serial_no, serial, 'no config write');
    } finally {
      await run(['rm', '-f', dir]);
      await run(['mv', keep, dir]);
    }
    assert.equal((await storage('disk-remove', 'taken')).code, 0);
  });

  test('-D sets cluster disk parameters, checked against the template schema', async () => {
    const ok = await cli('gnt-cluster', 'modify', '-D', 'plain:stripes=2');
    assert.equal(ok.code, 0, ok.all);
    assert.equal(configData().cluster.diskparams['plain']!['stripes'], 2);
    const bad = await cli('gnt-cluster', 'modify', '-D', 'plain:stripes=many');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /GNT_PARAM_INVALID.*stripes/);
    const unknown = await cli('gnt-cluster', 'modify', '-D', 'plain:colour=red');
    assert.match(unknown.stderr, /GNT_PARAM_UNKNOWN.*colour/);
    const template = await cli('gnt-cluster', 'modify', '-D', 'floppy:x=1');
    assert.match(template.stderr, /GNT_PARAM_UNKNOWN.*floppy/);
  });

  test('--extstorage-search-path reaches every node as ssconf_extstorage_search_path', async () => {
    const r = await cli('gnt-cluster', 'modify', '--extstorage-search-path', '/srv/es-a,/srv/es-b');
    assert.equal(r.code, 0, r.all);
    // ssconf reaches the nodes just after the job ends (the master distributes in the background)
    for (const p of cluster.paths) await eventually(() => assert.equal(readFileSync(p.ssconf('extstorage_search_path'), 'utf8'), '/srv/es-a\n/srv/es-b\n'));
    const info = await cli('gnt-cluster', 'info');
    assert.match(info.stdout, /ExtStorage Providers search path: .*\/srv\/ganeti\/extstorage, \/srv\/es-a, \/srv\/es-b\n/);
    const bad = await cli('gnt-cluster', 'modify', '--extstorage-search-path', 'relative/dir');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /extstorage_search_path/);
    assert.equal((await cli('gnt-cluster', 'modify', '--extstorage-search-path', '')).code, 0);
    await eventually(() => assert.equal(readFileSync(cluster.paths[1]!.ssconf('extstorage_search_path'), 'utf8'), ''));
  });
});
