import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../core/exec/index.js';
import { REPO_ROOT } from '../helpers/tmp.js';
import { startLoopbackCluster, type LoopbackCluster } from '../helpers/cluster.js';

// gnt-backup on two nodes (127.0.30.41-42, fake hypervisor, file disks): export streams each
// disk through the OS export script into /srv/ganeti/export/INSTANCE on a node (moved there
// when it is another node), import creates an instance and fills its disks through the OS
// import script, list and remove; a failing export script leaves no export behind.
let cluster: LoopbackCluster;
const cli = async (tool: string, ...args: string[]) => {
  const r = await run([process.execPath, join(REPO_ROOT, `dist/cli/${tool}.js`), ...args], { env: { GANETI_ROOT: cluster.roots[0]! }, timeoutMs: 60_000 });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr, all: r.all };
};
const inst = (...args: string[]) => cli('gnt-instance', ...args);
const backup = (...args: string[]) => cli('gnt-backup', ...args);
interface Cfg { instances: Record<string, { name: string; disks: string[]; os: string; nics: { mac: string }[] }>; disks: Record<string, { uuid: string; logical_id: string[] }> }
const config = () => JSON.parse(readFileSync(cluster.paths[0]!.configData, 'utf8')) as Cfg;
const instanceNamed = (name: string) => Object.values(config().instances).find((i) => i.name === name);
const diskFile = (name: string) => config().disks[instanceNamed(name)!.disks[0]!]!.logical_id[1]!;
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const running = (node: number) => {
  const dir = join(cluster.paths[node]!.runDir, 'fake-hv');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)) : [];
};
const exportDir = (node: number, name: string) => join(cluster.paths[node]!.exportDir, name);

function makeOs(name: string, exportScript: string): void {
  for (const p of cluster.paths) {
    const dir = join(p.osSearchPath[0]!, name);
    mkdirSync(dir, { recursive: true });
    const files: Record<string, string> = {
      ganeti_api_version: '20\n', 'parameters.list': '',
      create: '#!/bin/sh\nprintf "HELLO %s\\n" "$INSTANCE_NAME" | dd of="$DISK_0_PATH" conv=notrunc status=none\n',
      export: exportScript,
      import: '#!/bin/sh\necho "importing disk $IMPORT_INDEX" >&2\ndd of="$IMPORT_DISK_PATH" bs=1M conv=notrunc status=none\n',
      rename: '#!/bin/sh\nexit 0\n', verify: '#!/bin/sh\nexit 0\n',
    };
    for (const [f, text] of Object.entries(files)) {
      writeFileSync(join(dir, f), text);
      if (!f.includes('.') && f !== 'ganeti_api_version') chmodSync(join(dir, f), 0o755);
    }
  }
}

before(async () => {
  cluster = await startLoopbackCluster({
    prefix: 'gnt-backup-', masterd: true, keyType: 'ec', enabledDiskTemplates: ['file'],
    nodes: [1, 2].map((n) => ({ name: `node${n}.example.org`, ip: `127.0.30.${40 + n}` })),
  });
  makeOs('rawcopy', '#!/bin/sh\ndd if="$EXPORT_DISK_PATH" bs=1M status=none\n');
  makeOs('badexport', '#!/bin/sh\necho "cannot read the disk" >&2\nexit 4\n');
});
after(async () => {
  await cluster?.destroy();
});

test('export to another node, list, export again locally, import elsewhere, remove', async () => {
  const add = await inst('add', '-t', 'file', '--disk', '0:size=8M', '-n', 'node1.example.org', '-o', 'rawcopy', 'vm1.example.org');
  assert.equal(add.code, 0, add.all);
  // data the export must carry: the OS's stamp at the start, a pattern at 5 MiB
  const fd = openSync(diskFile('vm1.example.org'), 'r+');
  writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, 5 * 1024 * 1024);
  closeSync(fd);
  const original = sha(diskFile('vm1.example.org'));
  const mac = instanceNamed('vm1.example.org')!.nics[0]!.mac;

  const exp = await backup('export', '-n', 'node2.example.org', 'vm1.example.org');
  assert.equal(exp.code, 0, exp.all);
  assert.match(exp.stdout, /Shutting down instance vm1\.example\.org[\s\S]*Exporting disk\/0 from node1\.example\.org to node2\.example\.org[\s\S]*Starting instance vm1\.example\.org/);
  assert.deepEqual(running(0), ['vm1.example.org'], 'running again after the export');
  const dir = exportDir(1, 'vm1.example.org');
  const uuid = instanceNamed('vm1.example.org')!.disks[0]!;
  assert.deepEqual(readdirSync(dir).sort(), ['config.ini', uuid].sort());
  assert.equal(sha(join(dir, uuid)), original, 'the dump is the disk, byte for byte');
  const ini = readFileSync(join(dir, 'config.ini'), 'utf8');
  assert.match(ini, /^\[export\]\nversion = 0\ntimestamp = \d+\nsource = [0-9a-f-]+\nos = rawcopy\ncompression = none\n\n\[instance\]\nname = vm1\.example\.org\n/);
  assert.match(ini, new RegExp(`^disk0_dump = ${uuid}$`, 'm'));
  assert.match(ini, /^disk0_size = 8$/m);
  assert.match(ini, new RegExp(`^nic0_mac = ${mac}$`, 'm'));
  assert.deepEqual(readdirSync(cluster.paths[0]!.exportDir), [], 'no staging left on the source');

  const list = await backup('list');
  assert.equal(list.stdout, 'Node              Export\nnode2.example.org vm1.example.org\n');

  // a new export of the same instance replaces the one on the other node
  const local = await backup('export', '-n', 'node1.example.org', 'vm1.example.org');
  assert.equal(local.code, 0, local.all);
  assert.equal((await backup('list', '--no-headers', '--separator=|')).stdout, 'node1.example.org|vm1.example.org\n');

  // import on node2 from node1's export, after the original is gone
  assert.equal((await inst('remove', '-f', 'vm1.example.org')).code, 0);
  const imp = await backup('import', '-t', 'file', '-n', 'node2.example.org', '--src-node', 'node1.example.org', 'vm1.example.org');
  assert.equal(imp.code, 0, imp.all);
  assert.match(imp.stdout, /importing disk\/0 from node1\.example\.org:vm1\.example\.org\//);
  const imported = instanceNamed('vm1.example.org')!;
  assert.equal(imported.os, 'rawcopy');
  assert.equal(imported.nics[0]!.mac, mac, 'the export\'s NIC comes back');
  assert.equal(sha(diskFile('vm1.example.org')), original, 'the imported disk is the exported one');
  assert.deepEqual(running(1), ['vm1.example.org']);
  assert.deepEqual(readdirSync(cluster.paths[1]!.exportDir), [], 'the staged dump was removed');

  assert.equal((await backup('remove', 'vm1.example.org')).code, 0);
  assert.equal((await backup('list', '--no-headers')).stdout, '');
  const again = await backup('remove', 'vm1.example.org');
  assert.notEqual(again.code, 0);
  assert.match(again.stderr, /No export 'vm1\.example\.org' on node any node/);
  assert.equal((await inst('remove', '-f', 'vm1.example.org')).code, 0);
});

test('export --remove-instance; a failing export script leaves no export and the instance running', async () => {
  assert.equal((await inst('add', '-t', 'file', '--disk', '0:size=4M', '-n', 'node1.example.org', '-o', 'rawcopy', 'vm2.example.org')).code, 0);
  const gone = await backup('export', '-n', 'node2.example.org', '--remove-instance', 'vm2.example.org');
  assert.equal(gone.code, 0, gone.all);
  assert.equal(instanceNamed('vm2.example.org'), undefined);
  assert.ok(existsSync(join(exportDir(1, 'vm2.example.org'), 'config.ini')));
  assert.equal((await backup('remove', 'vm2.example.org')).code, 0);

  assert.equal((await inst('add', '-t', 'file', '--disk', '0:size=4M', '-n', 'node1.example.org', '-o', 'badexport', 'vm3.example.org')).code, 0);
  const bad = await backup('export', '-n', 'node2.example.org', 'vm3.example.org');
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /the export script for instance vm3\.example\.org failed \(exited with code 4\); last lines of its log:\ncannot read the disk/);
  assert.equal((await backup('list', '--no-headers')).stdout, '');
  assert.deepEqual([readdirSync(cluster.paths[0]!.exportDir), readdirSync(cluster.paths[1]!.exportDir)], [[], []]);
  assert.deepEqual(running(0), ['vm3.example.org'], 'started again');
  assert.equal((await inst('remove', '-f', 'vm3.example.org')).code, 0);
});
