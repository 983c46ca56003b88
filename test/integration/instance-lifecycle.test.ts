import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../core/exec/index.js';
import { REPO_ROOT } from '../helpers/tmp.js';
import { startLoopbackCluster, type LoopbackCluster } from '../helpers/cluster.js';

// The instance lifecycle through the whole path with the fake hypervisor and file disks:
// gnt-instance → LUXI → masterd job → instance_*/blockdev_* RPCs → node daemons → providers.
// Two node daemons at 127.0.20.1-2.
let cluster: LoopbackCluster;

const cli = async (tool: string, ...args: string[]) => {
  const r = await run([process.execPath, join(REPO_ROOT, `dist/cli/${tool}.js`), ...args], { env: { GANETI_ROOT: cluster.roots[0]! }, timeoutMs: 60_000 });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr, all: r.all };
};
const inst = (...args: string[]) => cli('gnt-instance', ...args);
type Cfg = { serial_no: number; instances: Record<string, { name: string; admin_state: string; disks: string[]; nics: { mac: string }[]; primary_node: string; hvparams: object; beparams: object }>; disks: Record<string, { logical_id: string[]; size: number }> };
const configData = () => JSON.parse(readFileSync(cluster.paths[0]!.configData, 'utf8')) as Cfg;
const instanceNamed = (name: string) => Object.values(configData().instances).find((i) => i.name === name);
/** The fake hypervisor's state files of node `i` (0-based): the instances that run there. */
const runningOn = (i: number) => {
  const dir = join(cluster.paths[i]!.runDir, 'fake-hv');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort() : [];
};

before(async () => {
  cluster = await startLoopbackCluster({
    prefix: 'gnt-instance-lifecycle-',
    masterd: true,
    keyType: 'ec',
    enabledDiskTemplates: ['file', 'diskless'],
    nodes: [
      { name: 'node1.example.org', ip: '127.0.20.1' },
      { name: 'node2.example.org', ip: '127.0.20.2' },
    ],
  });
});
after(() => cluster?.destroy());

describe('gnt-instance add, list, info, shutdown, startup, reboot, remove (fake hypervisor, file disks)', () => {
  test('add creates the disk on the node, records the instance and starts it there', async () => {
    const add = await inst('add', '-t', 'file', '--disk', '0:size=8M', '-n', 'node2.example.org', '-o', 'noop', 'web1.example.org');
    assert.equal(add.code, 0, add.all);
    const i = instanceNamed('web1.example.org');
    assert.ok(i, 'the instance is in the config');
    assert.equal(i.admin_state, 'up');
    assert.equal(i.nics.length, 1, 'one NIC by default');
    assert.match(i.nics[0]!.mac, /^aa:00:00:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$/);
    const disk = configData().disks[i.disks[0]!]!;
    assert.equal(disk.size, 8);
    assert.ok(existsSync(disk.logical_id[1]!), 'the disk file exists');
    assert.deepEqual(runningOn(1), ['web1.example.org']);
    assert.deepEqual(runningOn(0), []);
  });

  test('list shows Ganeti\'s default fields and the live status', async () => {
    const list = await inst('list');
    assert.equal(list.code, 0, list.all);
    assert.deepEqual(list.stdout.trimEnd().split('\n').map((l) => l.split(/ +/)), [
      ['Instance', 'Hypervisor', 'OS', 'Primary_node', 'Status', 'Memory'],
      ['web1.example.org', 'fake', 'noop', 'node2.example.org', 'running', '128M'],
    ]);
    const sep = await inst('list', '--no-headers', '--separator=|', '-o', 'name,admin_state,disk_template,disk.sizes,nic.count,be/maxmem,oper_state');
    assert.equal(sep.stdout, 'web1.example.org|up|file|8|1|128|Y\n');
    const unknown = await inst('list', '-o', 'name,colour');
    assert.equal(unknown.code, 14, unknown.all);
    // Ganeti's query language and name patterns
    const f = await inst('list', '--no-headers', '-o', 'name', '-F', 'status == "running" and be/maxmem >= 128 and pnode =~ /node2/');
    assert.equal(f.stdout, 'web1.example.org\n', f.all);
    assert.equal((await inst('list', '--no-headers', '-o', 'name', '-F', 'not admin_up')).stdout, '');
    assert.equal((await inst('list', '--no-headers', '-o', 'name', 'web*')).stdout, 'web1.example.org\n');
    assert.equal((await inst('list', '--no-headers', '-o', 'name', 'db*')).stdout, '');
    const badF = await inst('list', '-F', 'status ==');
    assert.equal(badF.code, 1);
    assert.match(badF.stderr, /GNT_QUERY_FILTER: invalid query filter: a missing value in 'status =='/);
  });

  test('info prints the configuration and the run state', async () => {
    const info = await inst('info', 'web1.example.org');
    assert.equal(info.code, 0, info.all);
    assert.match(info.stdout, /^Instance name: web1\.example\.org$/m);
    assert.match(info.stdout, /^State: configured to be up, actual state is up$/m);
    assert.match(info.stdout, /^ {4}- primary: node2\.example\.org$/m);
    assert.match(info.stdout, /^ {4}maxmem: default \(128\)$/m);
    assert.match(info.stdout, /^ {4}- disk\/0: file, size 8M$/m);
  });

  test('shutdown stops it and records it down; list says ADMIN_down', async () => {
    const r = await inst('shutdown', '--timeout', '5', 'web1.example.org');
    assert.equal(r.code, 0, r.all);
    assert.deepEqual(runningOn(1), []);
    assert.equal(instanceNamed('web1.example.org')!.admin_state, 'down');
    const list = await inst('list', '--no-headers', '-o', 'status');
    assert.equal(list.stdout.trim(), 'ADMIN_down');
  });

  test('an instance that should run but does not is ERROR_down; startup brings it back', async () => {
    // the admin state says up while nothing runs: Ganeti's ERROR_down
    const up = await inst('startup', '--no-remember', 'web1.example.org');
    assert.equal(up.code, 0, up.all);
    assert.deepEqual(runningOn(1), ['web1.example.org']);
    assert.equal((await inst('list', '--no-headers', '-o', 'status')).stdout.trim(), 'ERROR_up');
    const start = await inst('startup', 'web1.example.org');
    assert.equal(start.code, 0, start.all);
    assert.equal((await inst('list', '--no-headers', '-o', 'status')).stdout.trim(), 'running');
  });

  test('reboot (soft, hard, full) keeps it running', async () => {
    for (const t of ['soft', 'hard', 'full']) {
      const r = await inst('reboot', '-t', t, 'web1.example.org');
      assert.equal(r.code, 0, `${t}: ${r.all}`);
      assert.deepEqual(runningOn(1), ['web1.example.org'], t);
    }
  });

  test('console of a fake instance says there is none (exit 1)', async () => {
    const c = await inst('console', 'web1.example.org');
    assert.equal(c.code, 1, c.all);
    assert.match(c.stderr, /Console not available for fake hypervisor/);
  });

  test('bad input is refused before anything is made', async () => {
    const serial = configData().serial_no;
    const cases: [string[], RegExp][] = [
      [['add', '-t', 'file', '--disk', '0:size=8M', '-n', 'node1.example.org', '-o', 'noop', 'web1.example.org'], /GNT_INSTANCE_EXISTS/],
      [['add', '-t', 'file', '-n', 'node1.example.org', '-o', 'noop', 'x1.example.org'], /GNT_INSTANCE_SPEC_INVALID: disks: a file instance needs at least one disk/],
      [['add', '-t', 'file', '--disk', '0:size=8M', '-n', 'nonode', '-o', 'noop', 'x1.example.org'], /nonode/],
      [['add', '-t', 'file', '--disk', '0:size=8M', '-n', 'node1.example.org', '-o', 'noop', '-H', 'fake:migration_mode=teleport', 'x1.example.org'], /GNT_PARAM_INVALID.*migration_mode/],
      [['add', '-t', 'file', '--disk', '0:size=8M', '-n', 'node1.example.org', '-o', 'noop', '-H', 'fake:kernel_path=/x', 'x1.example.org'], /GNT_PARAM_UNKNOWN.*kernel_path/],
      [['add', '-t', 'file', '--disk', '0:size=8M', '-n', 'node1.example.org', '-o', 'noop', '-B', 'maxmem=lots', 'x1.example.org'], /maxmem/],
      [['add', '-t', 'file', '--disk', '0:size=8M', '-n', 'node1.example.org', '-o', 'noop', '--net', '0:mac=zz', 'x1.example.org'], /nics\[0\]\.mac/],
      [['add', '-t', 'plain', '--disk', '0:size=8M', '-n', 'node1.example.org', '-o', 'noop', 'x1.example.org'], /GNT_DISK_TEMPLATE_DISABLED/],
      [['add', '-t', 'file', '--disk', '0:size=8M', '-n', 'node1.example.org', '-o', 'noop', '-B', 'maxmem=999999999,minmem=999999999', 'x1.example.org'], /GNT_INSTANCE_NO_MEMORY/],
    ];
    for (const [args, re] of cases) {
      const r = await inst(...args);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.all}`);
      assert.match(r.all, re, args.join(' '));
    }
    assert.equal(configData().serial_no, serial, 'nothing was written');
    assert.equal(Object.keys(configData().instances).length, 1);
    assert.deepEqual(readdirSync(cluster.paths[0]!.fileStorageDir).length, 1, 'no disk was left behind');
  });

  test('remove stops it and removes its disk and config entry', async () => {
    const disk = configData().disks[instanceNamed('web1.example.org')!.disks[0]!]!;
    const r = await inst('remove', '-f', 'web1.example.org');
    assert.equal(r.code, 0, r.all);
    assert.equal(instanceNamed('web1.example.org'), undefined);
    assert.deepEqual(Object.keys(configData().disks), []);
    assert.equal(existsSync(disk.logical_id[1]!), false);
    assert.deepEqual(runningOn(1), []);
    const gone = await inst('info', 'web1.example.org');
    assert.equal(gone.code, 1);
    assert.match(gone.all, /GNT_INSTANCE_UNKNOWN/);
  });

  test('a diskless instance with --no-start and two NICs', async () => {
    const add = await inst('add', '-t', 'diskless', '--no-start', '--net', '0:mac=aa:00:00:11:22:33', '--net', '1', '-n', 'node1.example.org', '-o', 'noop', 'db1.example.org');
    assert.equal(add.code, 0, add.all);
    const i = instanceNamed('db1.example.org')!;
    assert.equal(i.admin_state, 'down');
    assert.equal(i.nics[0]!.mac, 'aa:00:00:11:22:33');
    assert.deepEqual(runningOn(0), []);
    assert.equal((await inst('list', '--no-headers', '-o', 'status,nic.count', 'db1.example.org')).stdout.trim().split(/ +/).join(' '), 'ADMIN_down 2');
    assert.equal((await inst('remove', '-f', 'db1.example.org')).code, 0);
  });
});

describe('instance hooks and user shutdown', () => {
  test('instance-add and instance-stop hooks get Ganeti\'s instance environment on the master and the primary', async () => {
    const out = await mkdtemp(join(tmpdir(), 'gnt-inst-hooks-'));
    const made: string[] = [];
    try {
      for (const [node, dir] of [[0, 'instance-add-post.d'], [1, 'instance-add-post.d'], [1, 'instance-stop-pre.d']] as const) {
        const d = join(cluster.paths[node]!.hooksDir, dir);
        await mkdir(d, { recursive: true });
        const f = join(d, 'record');
        await writeFile(f, `#!/bin/sh\ntr '\\0' '\\n' < /proc/$$/environ | sort > ${out}/${node}-${dir}\n`);
        await chmod(f, 0o755);
        made.push(f);
      }
      const add = await inst('add', '-t', 'file', '--disk', '0:size=4M,name=root', '--net', '0:mac=aa:00:00:00:aa:01,ip=192.0.2.10', '-n', 'node2.example.org', '-o', 'noop', '-B', 'maxmem=96,minmem=64', 'hooked.example.org');
      assert.equal(add.code, 0, add.all);
      assert.equal((await inst('shutdown', '--timeout', '7', 'hooked.example.org')).code, 0);
      const env = async (tag: string) => Object.fromEntries((await readFile(join(out, tag), 'utf8')).split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
      const master = await env('0-instance-add-post.d');
      const primary = await env('1-instance-add-post.d');
      for (const e of [master, primary]) {
        assert.equal(e['GANETI_HOOKS_PATH'], 'instance-add');
        assert.equal(e['GANETI_OBJECT_TYPE'], 'INSTANCE');
        assert.equal(e['GANETI_INSTANCE_NAME'], 'hooked.example.org');
        assert.equal(e['GANETI_POST_INSTANCE_PRIMARY'], 'node2.example.org');
        assert.equal(e['GANETI_POST_INSTANCE_DISK_TEMPLATE'], 'file');
        assert.equal(e['GANETI_POST_INSTANCE_NIC0_MAC'], 'aa:00:00:00:aa:01');
        assert.equal(e['GANETI_POST_INSTANCE_NIC0_IP'], '192.0.2.10');
        assert.equal(e['GANETI_POST_INSTANCE_NIC0_MODE'], 'bridged');
        assert.equal(e['GANETI_POST_INSTANCE_DISK0_SIZE'], '4');
        assert.equal(e['GANETI_POST_INSTANCE_DISK0_NAME'], 'root');
        assert.equal(e['GANETI_POST_INSTANCE_MAXMEM'], '96');
        assert.equal(e['GANETI_POST_INSTANCE_BE_minmem'], '64');
        assert.equal(e['GANETI_ADD_MODE'], 'create');
      }
      const stop = await env('1-instance-stop-pre.d');
      assert.equal(stop['GANETI_TIMEOUT'], '7');
      assert.equal(stop['GANETI_INSTANCE_STATUS'], 'up', 'pre hooks see the state before the change');
    } finally {
      for (const f of made) await rm(f, { force: true });
      await rm(out, { recursive: true, force: true });
      await inst('remove', '-f', 'hooked.example.org');
    }
  });

  test('a guest that powered itself off is USER_down', async () => {
    assert.equal((await inst('add', '-t', 'diskless', '--no-nics', '-n', 'node1.example.org', '-o', 'noop', 'selfoff.example.org')).code, 0);
    const file = join(cluster.paths[0]!.runDir, 'fake-hv', 'selfoff.example.org.json');
    const state = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    await writeFile(file, JSON.stringify({ ...state, state: 'shutdown' }));
    assert.equal((await inst('list', '--no-headers', '-o', 'status', 'selfoff.example.org')).stdout.trim(), 'USER_down');
    assert.equal((await inst('remove', '-f', 'selfoff.example.org')).code, 0);
    assert.equal(existsSync(file), false);
  });
});

describe('a create that fails half way', () => {
  test('the disk was made and the start fails: the disk and the config entry are removed again', async () => {
    // something already runs under the new instance's name on node1, so the start is refused
    const dir = join(cluster.paths[0]!.runDir, 'fake-hv');
    await mkdir(dir, { recursive: true });
    const squatter = join(dir, 'half.example.org.json');
    await writeFile(squatter, JSON.stringify({ name: 'half.example.org', uuid: 'x', memory: 1, vcpus: 1, state: 'running', paused: false, started: new Date().toISOString(), reboots: 0, disks: [], nics: [] }));
    const filesBefore = readdirSync(cluster.paths[0]!.fileStorageDir).sort();
    const add = await inst('add', '-t', 'file', '--disk', '0:size=4M', '-n', 'node1.example.org', '-o', 'noop', 'half.example.org');
    assert.equal(add.code, 1, add.all);
    assert.match(add.stdout, /creating disk 0/, 'the disk was made first');
    assert.match(add.all, /the start failed .*already running.*removing the instance/);
    assert.match(add.stderr, /GNT_INSTANCE_FAILED: could not start instance 'half.example.org' on node node1.example.org: .*already running/);
    assert.equal(instanceNamed('half.example.org'), undefined, 'not in the config');
    assert.deepEqual(Object.values(configData().disks).filter((d) => String(d.logical_id[1]).includes('file.disk')).length, Object.keys(configData().disks).length, 'no stray disk objects');
    assert.deepEqual(readdirSync(cluster.paths[0]!.fileStorageDir).sort(), filesBefore, 'the disk file is gone');
    await rm(squatter, { force: true });
  });
});
