import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../core/exec/index.js';
import { REPO_ROOT } from '../helpers/tmp.js';
import { NOOP_OS, installOs } from '../helpers/os.js';
import { startLoopbackCluster, type LoopbackCluster } from '../helpers/cluster.js';

// gnt-instance modify / rename / reinstall / grow-disk / recreate-disks on a 2-node loopback
// cluster (127.0.22.1-2) with the fake hypervisor and file disks.
let cluster: LoopbackCluster;
const MIB = 1024 * 1024;

const cli = async (tool: string, ...args: string[]) => {
  const r = await run([process.execPath, join(REPO_ROOT, `dist/cli/${tool}.js`), ...args], { env: { GANETI_ROOT: cluster.roots[0]! }, timeoutMs: 60_000 });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr, all: r.all };
};
const inst = (...args: string[]) => cli('gnt-instance', ...args);
type Inst = { name: string; os: string; admin_state: string; disks: string[]; nics: { mac: string; ip: string | null; nicparams: Record<string, string> }[]; hvparams: Record<string, unknown>; beparams: Record<string, unknown> };
type Cfg = { instances: Record<string, Inst>; disks: Record<string, { logical_id: string[]; size: number; mode: string; name: string | null }> };
const cfg = () => JSON.parse(readFileSync(cluster.paths[0]!.configData, 'utf8')) as Cfg;
const named = (name: string) => Object.values(cfg().instances).find((i) => i.name === name);
const diskFiles = (name: string) => named(name)!.disks.map((u) => cfg().disks[u]!.logical_id[1]!);
const fakeState = (node: number, name: string) => join(cluster.paths[node]!.runDir, 'fake-hv', `${name}.json`);
const running = (node: number) => {
  const dir = join(cluster.paths[node]!.runDir, 'fake-hv');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort() : [];
};

before(async () => {
  cluster = await startLoopbackCluster({
    prefix: 'gnt-instance-modify-', masterd: true, keyType: 'ec', enabledDiskTemplates: ['file', 'diskless'],
    nodes: [{ name: 'node1.example.org', ip: '127.0.22.1' }, { name: 'node2.example.org', ip: '127.0.22.2' }],
  });
  for (const root of cluster.roots) await installOs(root, NOOP_OS, 'other'); // the OS reinstall switches to
  const add = await inst('add', '-t', 'file', '--disk', '0:size=8M', '-n', 'node2.example.org', '-o', 'noop', 'vm1.example.org');
  assert.equal(add.code, 0, add.all);
});
after(() => cluster?.destroy());

describe('gnt-instance modify', () => {
  test('-B and -H change the parameters and print the changes as Ganeti does', async () => {
    const r = await inst('modify', '-B', 'maxmem=256,minmem=64', '-H', 'migration_mode=non-live', 'vm1.example.org');
    assert.equal(r.code, 0, r.all);
    assert.match(r.stdout, /^Modified instance vm1\.example\.org\n - hv\/migration_mode -> non-live\n - be\/maxmem -> 256\n - be\/minmem -> 64\nPlease don't forget that most parameters take effect only at the next \(re\)start/m);
    const i = named('vm1.example.org')!;
    assert.equal(i.hvparams['migration_mode'], 'non-live');
    assert.equal(i.beparams['maxmem'], 256);
    const reset = await inst('modify', '-H', 'migration_mode=default', 'vm1.example.org');
    assert.equal(reset.code, 0, reset.all);
    assert.equal(named('vm1.example.org')!.hvparams['migration_mode'], undefined, 'default drops the own value');
    const bad = await inst('modify', '-B', 'minmem=512', 'vm1.example.org');
    assert.notEqual(bad.code, 0);
    assert.match(bad.all, /minmem must not be larger than maxmem/);
    const badHv = await inst('modify', '-H', 'colour=blue', 'vm1.example.org');
    assert.notEqual(badHv.code, 0);
    assert.match(badHv.all, /colour/);
    assert.equal(named('vm1.example.org')!.beparams['minmem'], 64, 'nothing written on refusal');
  });

  test('-m balloons the running instance within minmem..maxmem', async () => {
    const r = await inst('modify', '-m', '100', 'vm1.example.org');
    assert.equal(r.code, 0, r.all);
    assert.match(r.stdout, / - runtime_memory -> 100/);
    assert.equal(JSON.parse(readFileSync(fakeState(1, 'vm1.example.org'), 'utf8')).memory, 100);
    const out = await inst('modify', '-m', '1000', 'vm1.example.org');
    assert.notEqual(out.code, 0);
    assert.match(out.all, /between 64 and 256/);
  });

  test('disks: add works on the running instance, remove is refused while it runs', async () => {
    const add = await inst('modify', '--disk', 'add:size=4M,mode=ro', 'vm1.example.org');
    assert.equal(add.code, 0, add.all);
    assert.match(add.stdout, / - disk\/1 -> add:size=4,mode=ro/);
    const files = diskFiles('vm1.example.org');
    assert.equal(files.length, 2);
    assert.equal(statSync(files[1]!).size, 4 * MIB);
    const rm = await inst('modify', '--disk', '1:remove', 'vm1.example.org');
    assert.notEqual(rm.code, 0);
    assert.match(rm.all, /can't remove a disk from a running instance without hotplug/);
    const badIdx = await inst('modify', '--disk', '7:modify,mode=ro', 'vm1.example.org');
    assert.notEqual(badIdx.code, 0);
    assert.match(badIdx.all, /has no disk 7/);
    const mod = await inst('modify', '--disk', '1:modify,name=data', 'vm1.example.org');
    assert.equal(mod.code, 0, mod.all);
    assert.match(mod.stdout, / - disk\.name\/1 -> data/);
    assert.equal(cfg().disks[named('vm1.example.org')!.disks[1]!]!.name, 'data');
  });

  test('NICs: add, modify and remove', async () => {
    const add = await inst('modify', '--net', 'add:ip=192.0.2.10', 'vm1.example.org');
    assert.equal(add.code, 0, add.all);
    assert.match(add.stdout, / - nic\.1 -> add:mac=aa:00:00:[0-9a-f:]+,ip=192\.0\.2\.10,mode=/);
    const mod = await inst('modify', '--net', '1:modify,ip=192.0.2.11', 'vm1.example.org');
    assert.equal(mod.code, 0, mod.all);
    assert.equal(named('vm1.example.org')!.nics[1]!.ip, '192.0.2.11');
    const rm = await inst('modify', '--net', '1:remove', 'vm1.example.org');
    assert.equal(rm.code, 0, rm.all);
    assert.equal(named('vm1.example.org')!.nics.length, 1);
  });

  test('--offline is refused while running; after a stop, offline and online switch the admin state', async () => {
    const r = await inst('modify', '--offline', 'vm1.example.org');
    assert.notEqual(r.code, 0);
    assert.match(r.all, /can't change to offline without being down first/);
    assert.equal((await inst('shutdown', 'vm1.example.org')).code, 0);
    const off = await inst('modify', '--offline', 'vm1.example.org');
    assert.equal(off.code, 0, off.all);
    assert.match(off.stdout, / - admin_state -> offline/);
    assert.equal(named('vm1.example.org')!.admin_state, 'offline');
    const on = await inst('modify', '--online', 'vm1.example.org');
    assert.equal(on.code, 0, on.all);
    assert.equal(named('vm1.example.org')!.admin_state, 'down');
    const rm = await inst('modify', '--disk', '1:remove', 'vm1.example.org');
    assert.equal(rm.code, 0, rm.all);
    assert.equal(diskFiles('vm1.example.org').length, 1);
  });
});

describe('grow-disk, recreate-disks, reinstall, rename', () => {
  test('grow-disk grows the file and records the size; shrinking and bad indices are refused', async () => {
    const [file] = diskFiles('vm1.example.org');
    const r = await inst('grow-disk', 'vm1.example.org', '0', '4M');
    assert.equal(r.code, 0, r.all);
    assert.equal(statSync(file!).size, 12 * MIB);
    assert.equal(cfg().disks[named('vm1.example.org')!.disks[0]!]!.size, 12);
    const abs = await inst('grow-disk', '--absolute', 'vm1.example.org', '0', '16M');
    assert.equal(abs.code, 0, abs.all);
    assert.equal(statSync(file!).size, 16 * MIB);
    const shrink = await inst('grow-disk', '--absolute', 'vm1.example.org', '0', '8M');
    assert.notEqual(shrink.code, 0);
    assert.match(shrink.all, /smaller than its current size 16 MiB/);
    const idx = await inst('grow-disk', 'vm1.example.org', '3', '1M');
    assert.notEqual(idx.code, 0);
    assert.match(idx.all, /has no disk 3/);
    assert.equal(statSync(file!).size, 16 * MIB);
  });

  test('recreate-disks brings back a lost disk file; refused while running', async () => {
    const [file] = diskFiles('vm1.example.org');
    rmSync(file!);
    const r = await inst('recreate-disks', 'vm1.example.org');
    assert.equal(r.code, 0, r.all);
    assert.equal(statSync(file!).size, 16 * MIB);
    const moved = await inst('recreate-disks', '-n', 'node1.example.org', 'vm1.example.org');
    assert.equal(moved.code, 0, moved.all);
    const i = named('vm1.example.org')!;
    assert.equal(Object.values(JSON.parse(readFileSync(cluster.paths[0]!.configData, 'utf8')).nodes as Record<string, { uuid: string; name: string }>).find((n) => n.uuid === (i as unknown as { primary_node: string }).primary_node)!.name, 'node1.example.org');
    assert.equal((await inst('startup', 'vm1.example.org')).code, 0);
    assert.deepEqual(running(0), ['vm1.example.org']);
    const busy = await inst('recreate-disks', 'vm1.example.org');
    assert.notEqual(busy.code, 0);
    assert.match(busy.all, /cannot recreate disks/);
  });

  test('reinstall and rename are refused while running, then work on the stopped instance', async () => {
    const re = await inst('reinstall', '-f', '-o', 'other', 'vm1.example.org');
    assert.notEqual(re.code, 0);
    assert.match(re.all, /cannot reinstall/);
    const rn = await inst('rename', 'vm1.example.org', 'vm2.example.org');
    assert.notEqual(rn.code, 0);
    assert.match(rn.all, /cannot rename/);
    assert.equal((await inst('shutdown', 'vm1.example.org')).code, 0);
    const re2 = await inst('reinstall', '-f', '-o', 'other', 'vm1.example.org');
    assert.equal(re2.code, 0, re2.all);
    assert.equal(named('vm1.example.org')!.os, 'other');
    const add = await inst('add', '-t', 'diskless', '--no-start', '--no-install', '-n', 'node1.example.org', 'taken.example.org');
    assert.equal(add.code, 0, add.all);
    const taken = await inst('rename', 'vm1.example.org', 'taken.example.org');
    assert.notEqual(taken.code, 0);
    assert.match(taken.all, /already in the cluster/);
    const files = diskFiles('vm1.example.org');
    const ok = await inst('rename', 'vm1.example.org', 'vm2.example.org');
    assert.equal(ok.code, 0, ok.all);
    assert.equal(named('vm1.example.org'), undefined);
    assert.deepEqual(diskFiles('vm2.example.org'), files, 'file disks keep their path');
    assert.equal((await inst('startup', 'vm2.example.org')).code, 0);
    assert.deepEqual(running(0), ['vm2.example.org']);
  });
});
