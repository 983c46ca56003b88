import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, statfs, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../../core/exec/index.js';
import { toVirtualPath } from '../../core/rpc/encoding.js';
import { LuxiRemoteError } from '../../core/luxi/errors.js';
import { pollJob, silentReporter } from '../../cli/common/luxi.js';
import { REPO_ROOT, removeDir, tempDir } from '../helpers/tmp.js';
import { startLoopbackCluster, type LoopbackCluster } from '../helpers/cluster.js';

// gnt-node list-storage, modify-storage and repair-storage through the real masterd and three
// real node daemons (127.0.9.1-3) plus an offline node (127.0.9.4, no daemon). `file` units
// are each node's real folder (sizes from statfs, used from the files put there); lvm-pv and
// lvm-vg units come from the unitstore fixture plugin (JSON files under each node's root),
// which the daemons load through GANETI_CONFIG, so modify and repair really change a node.
const MIB = 1048576;
const VG = 'xenvg';
let cluster: LoopbackCluster;
let work: string;
let fileDir: string;

const gntNode = async (...args: string[]) => {
  const r = await run([process.execPath, join(REPO_ROOT, 'dist/cli/gnt-node.js'), ...args], { env: { GANETI_ROOT: cluster.roots[0]! }, timeoutMs: 90_000 });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr, all: `exit ${r.exitCode}\n${r.stdout}${r.stderr}` };
};
const gntCluster = async (...args: string[]) => {
  const r = await run([process.execPath, join(REPO_ROOT, 'dist/cli/gnt-cluster.js'), ...args], { env: { GANETI_ROOT: cluster.roots[0]! }, timeoutMs: 90_000 });
  assert.equal(r.exitCode, 0, r.stdout + r.stderr);
};

/** The fixture's unit file on node `i`. */
const unitFile = (i: number, kind: 'pv' | 'vg', name: string) => join(cluster.roots[i]!, 'unitstore', kind, `${name}.json`);
const readUnit = async (i: number, kind: 'pv' | 'vg', name: string) => JSON.parse(await readFile(unitFile(i, kind, name), 'utf8')) as Record<string, unknown>;
const writeUnit = async (i: number, kind: 'pv' | 'vg', name: string, state: object) => {
  await mkdir(join(cluster.roots[i]!, 'unitstore', kind), { recursive: true });
  await writeFile(unitFile(i, kind, name), JSON.stringify(state));
};
const calls = async (i: number) => (await readFile(join(cluster.roots[i]!, 'unitstore', 'calls.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

/** statfs of a folder in MiB, as the file unit reports it. */
const fsMiB = async (dir: string) => {
  const s = await statfs(dir);
  return { size: Math.ceil((s.blocks * s.bsize) / MIB), free: Math.ceil((s.bavail * s.bsize) / MIB) };
};
/** Ganeti's FormatUnit(h). */
const human = (mib: number) => (mib < 1024 ? `${mib}M` : mib < 1024 * 1024 ? `${(mib / 1024).toFixed(1)}G` : `${(mib / 1024 / 1024).toFixed(1)}T`);

before(async () => {
  work = await tempDir(`gnt-storage-units-${process.pid}-`);
  const pluginConfig = join(work, 'ganeti.config.json');
  await writeFile(pluginConfig, JSON.stringify({ plugins: [join(REPO_ROOT, 'test/fixtures/plugins/ganeti-plugin-unitstore/index.js')] }));
  cluster = await startLoopbackCluster({
    prefix: `gnt-storage-units-${process.pid}-c-`,
    masterd: true,
    keyType: 'ec',
    pluginConfig,
    volumeGroupName: VG,
    enabledDiskTemplates: ['file', 'unitstore'],
    nodes: [
      { name: 'node1.example.org', ip: '127.0.9.1' },
      { name: 'node2.example.org', ip: '127.0.9.2', candidate: true },
      { name: 'node3.example.org', ip: '127.0.9.3' },
      { name: 'node4.example.org', ip: '127.0.9.4', offline: true },
    ],
  });
  fileDir = toVirtualPath(cluster.paths[0]!, cluster.paths[0]!.fileStorageDir);
  // apparent sizes: node1 3 MiB + 1 byte (4 MiB rounded up), node2 a sparse 10 MiB file in a
  // subfolder, node3 nothing
  await writeFile(join(cluster.paths[0]!.fileStorageDir, 'disk0'), Buffer.alloc(3 * MIB + 1));
  await mkdir(join(cluster.paths[1]!.fileStorageDir, 'inst1'));
  await writeFile(join(cluster.paths[1]!.fileStorageDir, 'inst1', 'disk0'), '');
  await truncate(join(cluster.paths[1]!.fileStorageDir, 'inst1', 'disk0'), 10 * MIB);
  await writeUnit(0, 'pv', 'sda1', { size: 2048, used: 512, allocatable: true });
  await writeUnit(1, 'pv', 'sdb1', { size: 1024, used: 0, allocatable: true });
  await writeUnit(1, 'pv', 'sdb10', { size: 4096, used: 100, allocatable: true });
  await writeUnit(1, 'pv', 'sdb2', { size: 1024, used: 1024, allocatable: false });
  await writeUnit(2, 'vg', VG, { size: 8192, used: 1000, allocatable: true, consistent: false });
});

after(async () => {
  await cluster?.destroy();
  if (work) await removeDir(work);
});

test('list-storage: the default type is the first template\'s (file), with Ganeti\'s titles and each node\'s real folder', async () => {
  const r = await gntNode('list-storage');
  assert.equal(r.code, 0, r.all);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^Node {14}Type Name {2,}Size +Used +Free Allocatable$/);
  // node4 is offline: left out without a word, as Ganeti does
  assert.equal(lines.length, 4, r.all);
  assert.equal(r.stderr, '');
  const { size } = await fsMiB(cluster.paths[0]!.fileStorageDir);
  const used = ['4M', '10M', '0M'];
  lines.slice(1).forEach((line, i) => {
    const cols = line.split(/ +/);
    assert.deepEqual([cols[0], cols[1], cols[2], cols[3], cols[4], cols[6]], [`node${i + 1}.example.org`, 'file', fileDir, human(size), used[i], 'Y'], line);
    assert.match(cols[5]!, /^\d+(\.\d)?[MGT]$/);
  });
  // sizes are right-aligned under their titles: every line has the same length up to Free
  const freeEnd = lines[0]!.indexOf('Free') + 4;
  for (const line of lines) assert.match(line.slice(0, freeEnd), /\S$/, line);
});

test('list-storage -o/--separator/--units m/--no-headers: MiB as statfs and the files say, nodes in order', async () => {
  const r = await gntNode('list-storage', '-t', 'file', '-o', 'name,size,used,free,node,type,allocatable', '--no-headers', '--separator=|', '--units=m', 'node3', 'node1.example.org');
  assert.equal(r.code, 0, r.all);
  const rows = r.stdout.trimEnd().split('\n').map((l) => l.split('|'));
  const fs = await fsMiB(cluster.paths[0]!.fileStorageDir);
  assert.deepEqual(rows.map((row) => [row[0], row[1], row[2], row[4], row[5], row[6]]), [
    [fileDir, String(fs.size), '4', 'node1.example.org', 'file', 'Y'],
    [fileDir, String(fs.size), '0', 'node3.example.org', 'file', 'Y'],
  ]);
  // free space moves while other tests write: close is enough
  for (const row of rows) assert.ok(Math.abs(Number(row[3]) - fs.free) < 512, row.join('|'));
});

test('list-storage --units g and a leading + adds to the default fields; a separator means MiB', async () => {
  const fs = await fsMiB(cluster.paths[0]!.fileStorageDir);
  const g = await gntNode('list-storage', '-o', 'node,size', '--units', 'g', '--no-headers', 'node2');
  assert.equal(g.code, 0, g.all);
  assert.equal(g.stdout, `node2.example.org ${(fs.size / 1024).toFixed(1)}\n`);
  const plus = await gntNode('list-storage', '-o', '+node', '--separator', ',', 'node2');
  assert.equal(plus.code, 0, plus.all);
  const [head, row] = plus.stdout.trimEnd().split('\n');
  assert.equal(head, 'Node,Type,Name,Size,Used,Free,Allocatable,Node');
  assert.match(row!, new RegExp(`^node2\\.example\\.org,file,${fileDir},${fs.size},10,\\d+,Y,node2\\.example\\.org$`));
});

test('list-storage -t lvm-pv: units from the fixture plugin, named units sorted nicely, the cluster VG as the key', async () => {
  const r = await gntNode('list-storage', '-t', 'lvm-pv');
  assert.equal(r.code, 0, r.all);
  assert.equal(
    r.stdout,
    [
      'Node              Type   Name  Size Used Free Allocatable',
      'node1.example.org lvm-pv sda1  2.0G 512M 1.5G Y',
      'node2.example.org lvm-pv sdb1  1.0G   0M 1.0G Y',
      'node2.example.org lvm-pv sdb2  1.0G 1.0G   0M N',
      'node2.example.org lvm-pv sdb10 4.0G 100M 3.9G Y',
      '',
    ].join('\n'),
  );
  const seen = (await calls(1)).filter((c) => c['method'] === 'list');
  assert.deepEqual(seen.at(-1), { method: 'list', type: 'lvm-pv', key: VG, params: { exclusive_storage: false }, name: null });
});

test('a node whose daemon is down is skipped with a warning in the job log; the command still succeeds', async () => {
  await cluster.stopNoded(1);
  try {
    const r = await gntNode('list-storage', '-o', 'node,name', '--no-headers');
    assert.equal(r.code, 0, r.all);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}  - WARNING: Can't get storage data from node node2\.example\.org: .+/);
    assert.deepEqual(lines.slice(1), [`node1.example.org ${fileDir}`, `node3.example.org ${fileDir}`]);
  } finally {
    await cluster.startNoded(1);
  }
});

test('modify-storage --allocatable no changes the lvm-pv unit on that node only', async () => {
  const r = await gntNode('modify-storage', '--allocatable', 'no', 'node2', 'lvm-pv', 'sdb1');
  assert.equal(r.code, 0, r.all);
  assert.equal(r.stderr, '');
  assert.deepEqual(await readUnit(1, 'pv', 'sdb1'), { size: 1024, used: 0, allocatable: false });
  assert.deepEqual(await readUnit(0, 'pv', 'sda1'), { size: 2048, used: 512, allocatable: true });
  const modify = (await calls(1)).filter((c) => c['method'] === 'modify');
  assert.deepEqual(modify, [{ method: 'modify', type: 'lvm-pv', key: VG, params: { exclusive_storage: false }, name: 'sdb1' }]);
  const list = await gntNode('list-storage', '-t', 'lvm-pv', '-o', 'name,allocatable', '--no-headers', 'node2');
  assert.equal(list.stdout, 'sdb1  N\nsdb2  N\nsdb10 Y\n');
  const back = await gntNode('modify-storage', '--allocatable=yes', 'node2.example.org', 'lvm-pv', 'sdb1');
  assert.equal(back.code, 0, back.all);
  assert.equal((await readUnit(1, 'pv', 'sdb1'))['allocatable'], true);
});

test('modify-storage without a change does nothing and says so', async () => {
  const before = await calls(1);
  const r = await gntNode('modify-storage', 'node2', 'lvm-pv', 'sdb1');
  assert.equal(r.code, 0, r.all);
  assert.equal(r.stderr, 'No changes to perform, exiting.\n');
  assert.equal((await calls(1)).length, before.length);
});

test('repair-storage runs fix-consistency on the lvm-vg unit of that node', async () => {
  const r = await gntNode('repair-storage', 'node3', 'lvm-vg', VG);
  assert.equal(r.code, 0, r.all);
  assert.match(r.stdout, new RegExp(`^\\w{3} \\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4} Repairing storage unit '${VG}' on node3\\.example\\.org \\.\\.\\.\\n$`));
  assert.deepEqual(await readUnit(2, 'vg', VG), { size: 8192, used: 1000, allocatable: true, consistent: true, repairs: 1 });
  const repair = (await calls(2)).filter((c) => c['method'] === 'repair');
  assert.deepEqual(repair, [{ method: 'repair', type: 'lvm-vg', key: VG, params: { exclusive_storage: false }, name: VG }]);
  const again = await gntNode('repair-storage', '--ignore-consistency', 'node3', 'lvm-vg', VG);
  assert.equal(again.code, 0, again.all);
  assert.equal((await readUnit(2, 'vg', VG))['repairs'], 2);
});

const PREREQ = 'Failure: prerequisites not met for this operation:\nerror type: wrong_input, error details:\n';

test('errors: unknown field (exit 14), unknown type, type not enabled, not modifiable, not repairable', async () => {
  const cases: [string[], number, string][] = [
    [['list-storage', '-o', 'name,bogus,frobs'], 14, `${PREREQ}GNT_STORAGE_FIELD_UNKNOWN: Unknown output fields selected: bogus,frobs\n`],
    [['list-storage', '-t', 'zfs'], 1, `${PREREQ}GNT_STORAGE_TYPE_UNKNOWN: -t/--storage-type: unknown storage type: zfs (known: file, lvm-pv, lvm-vg, sharedfile, gluster)\n`],
    [['list-storage', '-t', 'sharedfile'], 1,
      'Failure: prerequisites not met for this operation:\nerror type: wrong_state, error details:\n' +
      "GNT_STORAGE_TYPE_NOT_ENABLED: No disk template of storage type 'sharedfile' is enabled in this cluster. Enabled disk templates are: file,unitstore\n"],
    [['modify-storage', '--allocatable', 'no', 'node1', 'file', fileDir], 1, `${PREREQ}GNT_STORAGE_NOT_MODIFIABLE: Storage units of type 'file' can not be modified\n`],
    [['modify-storage', '--allocatable', 'no', 'node1', 'lvm-vg', VG], 1, `${PREREQ}GNT_STORAGE_NOT_MODIFIABLE: Storage units of type 'lvm-vg' can not be modified\n`],
    [['modify-storage', '--allocatable', 'maybe', 'node1', 'lvm-pv', 'sda1'], 1, `${PREREQ}GNT_CLI_INVALID_ARGUMENT: --allocatable: 'maybe' is not yes or no\n`],
    [['modify-storage', '--allocatable', 'no', 'node9', 'lvm-pv', 'sda1'], 1,
      'Failure: prerequisites not met for this operation:\nerror type: unknown_entity, error details:\nGNT_NODE_UNKNOWN: node_name: node node9 is not in the configuration\n'],
    [['modify-storage', '--allocatable', 'no', 'node1', 'rados', 'x'], 1, `${PREREQ}GNT_STORAGE_TYPE_UNKNOWN: storage type: unknown storage type: rados (known: file, lvm-pv, lvm-vg, sharedfile, gluster)\n`],
    [['repair-storage', 'node1', 'lvm-pv', 'sda1'], 1, `${PREREQ}GNT_STORAGE_NOT_REPAIRABLE: Storage units of type 'lvm-pv' can not be repaired\n`],
    [['repair-storage', 'node1', 'file', fileDir], 1, `${PREREQ}GNT_STORAGE_NOT_REPAIRABLE: Storage units of type 'file' can not be repaired\n`],
  ];
  for (const [args, code, stderr] of cases) {
    const r = await gntNode(...args);
    assert.equal(r.code, code, `${args.join(' ')}\n${r.all}`);
    assert.equal(r.stderr, stderr, args.join(' '));
  }
});

test('errors from the node: a unit that does not exist fails the job, naming the node and the unit', async () => {
  const m = await gntNode('modify-storage', '--allocatable', 'no', 'node1', 'lvm-pv', 'nosuch');
  assert.equal(m.code, 1, m.all);
  assert.equal(
    m.stderr,
    "Failure: command execution error:\nGNT_STORAGE_UNIT_FAILED: Failed to modify storage unit 'nosuch' on node1.example.org: " +
      "call 'storage_modify' to node 'node1.example.org' has failed: lvm-pv storage unit 'nosuch' does not exist on node node1.example.org\n",
  );
  const rep = await gntNode('repair-storage', 'node1', 'lvm-vg', VG);
  assert.equal(rep.code, 1, rep.all);
  assert.match(rep.stderr, new RegExp(`GNT_STORAGE_UNIT_FAILED: Failed to repair storage unit '${VG}' on node1\\.example\\.org: .*lvm-vg storage unit '${VG}' does not exist on node node1\\.example\\.org\\n$`));
  // the offline node is not contacted
  const off = await gntNode('repair-storage', 'node4', 'lvm-vg', VG);
  assert.equal(off.code, 1, off.all);
  assert.match(off.stderr, /GNT_STORAGE_UNIT_FAILED: Failed to repair storage unit 'xenvg' on node4\.example\.org: .*offline/);
});

test('opcodes over LUXI: fields other than allocatable, unknown types and wrong values are refused with their codes', async () => {
  const client = cluster.masterd!.client();
  const fails = async (op: { OP_ID: string } & Record<string, unknown>) => {
    const id = await client.submitJob([op]);
    const e = await pollJob(client, id, silentReporter).then(() => null, (x: unknown) => x);
    assert.ok(e instanceof LuxiRemoteError, `job ${id} should fail`);
    return e;
  };
  try {
    const modify = { OP_ID: 'OP_NODE_MODIFY_STORAGE', node_name: 'node1.example.org', storage_type: 'lvm-pv', name: 'sda1' };
    const size = await fails({ ...modify, changes: { size: 5, allocatable: false } });
    assert.equal(size.remoteMessage, "GNT_STORAGE_FIELD_NOT_MODIFIABLE: The following fields can not be modified for storage units of type 'lvm-pv': ['size']");
    assert.equal(size.errorClass, 'OpPrereqError');
    const value = await fails({ ...modify, changes: { allocatable: 'no' } });
    assert.equal(value.remoteMessage, 'GNT_OPCODE_INVALID: OP_NODE_MODIFY_STORAGE: field \'changes.allocatable\' must be a boolean, got "no"');
    const type = await fails({ OP_ID: 'OP_NODE_QUERY_STORAGE', storage_type: 'zfs', output_fields: ['name'] });
    assert.match(type.remoteMessage, /^GNT_STORAGE_TYPE_UNKNOWN: storage_type: unknown storage type: zfs \(known: file, sharedfile, gluster, lvm-pv, lvm-vg, diskless, blockdev, rados, ext\)$/);
    const rados = await fails({ OP_ID: 'OP_NODE_QUERY_STORAGE', storage_type: 'rados', output_fields: ['name'] });
    assert.equal(rados.remoteCode, 'GNT_STORAGE_TYPE_NOT_ENABLED');
    // the opcode answers rows of the fields asked for, node and type filled in by the master
    const id = await client.submitJob([{ OP_ID: 'OP_NODE_QUERY_STORAGE', nodes: ['node2.example.org'], storage_type: 'lvm-pv', name: 'sdb2', output_fields: ['type', 'free', 'node', 'size'] }]);
    assert.deepEqual(await pollJob(client, id, silentReporter), [[['lvm-pv', 0, 'node2.example.org', 1024]]]);
    // unchanged by the refused modifications
    assert.deepEqual(await readUnit(0, 'pv', 'sda1'), { size: 2048, used: 512, allocatable: true });
  } finally {
    client.close();
  }
});

test('the default type follows the first enabled template: lvm-vg from unitstore; none for diskless', async () => {
  await gntCluster('modify', '--enabled-disk-templates', 'unitstore,file');
  const vg = await gntNode('list-storage', '--no-headers', '--separator=|');
  assert.equal(vg.code, 0, vg.all);
  assert.equal(vg.stdout, `node3.example.org|lvm-vg|${VG}|8192|1000|7192|Y\n`);
  await gntCluster('modify', '--enabled-disk-templates', 'diskless,file,unitstore');
  const none = await gntNode('list-storage');
  assert.equal(none.code, 1, none.all);
  assert.equal(
    none.stderr,
    `${PREREQ}GNT_STORAGE_NO_REPORTING: Storage reporting for storage type 'diskless' is not supported. Please use the --storage-type option to specify one of the supported storage types (file, lvm-pv, lvm-vg, sharedfile, gluster) or set the default disk template to one that supports storage reporting.\n`,
  );
  await gntCluster('modify', '--enabled-disk-templates', 'file,unitstore');
});

test('storage_list on the node: folder names travel as cluster paths; unknown fields and types are refused there too', async () => {
  const rpc = await cluster.rpc();
  try {
    const [n2, n3] = cluster.rpcNodes().slice(1, 3);
    const suArgs = [fileDir, {}, 'file'];
    const [ok] = await rpc.call('storage_list', [n2!], ['file', suArgs, fileDir, ['name', 'used', 'allocatable']]);
    assert.deepEqual(ok, { node: 'node2.example.org', success: true, payload: [[fileDir, 10, true]] });
    const [other] = await rpc.call('storage_list', [n2!], ['file', suArgs, '/elsewhere', ['name']]);
    assert.deepEqual(other, { node: 'node2.example.org', success: true, payload: [] });
    const [field] = await rpc.call('storage_list', [n3!], ['file', suArgs, null, ['name', 'node']]);
    assert.equal(field!.success, false);
    assert.match((field as { error: string }).error, /Unknown output fields selected: node$/);
    const [rados] = await rpc.call('storage_list', [n3!], ['rados', [null, {}, null], null, ['name']]);
    assert.match((rados as { error: string }).error, /no loaded storage plugin declares storage units of type 'rados' on node3\.example\.org$/);
  } finally {
    rpc.close();
  }
});
