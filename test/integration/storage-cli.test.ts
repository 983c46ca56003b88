import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run, runChecked } from '../../core/exec/index.js';
import { REPO_ROOT } from '../helpers/tmp.js';
import { startLoopbackCluster, type LoopbackCluster } from '../helpers/cluster.js';
import { luxiClient, pollJob, silentReporter } from '../../cli/common/luxi.js';

// gnt-storage diagnose/info on a real cluster (127.0.7.1-6): four node daemons with their
// own roots and ExtStorage folders, an offline node and an online node whose daemon never
// answers (both ignored), nodes in two groups plus an empty one.
//   loop:    valid everywhere; node4's parameters.list has one more parameter
//   envdump: valid on node1 and node4, missing on node2, scripts not executable on node3
//   only4:   on node4 only
const FIXTURES = join(REPO_ROOT, 'test/fixtures/extstorage');
const ES = '/srv/ganeti/extstorage';
let c: LoopbackCluster;

const gnt = async (binary: string, ...args: string[]) => {
  const r = await run([process.execPath, join(REPO_ROOT, 'dist/cli', `${binary}.js`), ...args], { env: { GANETI_ROOT: c.roots[0]! }, timeoutMs: 60_000 });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
};
const ok = async (binary: string, ...args: string[]) => {
  const r = await gnt(binary, ...args);
  assert.equal(r.code, 0, `${binary} ${args.join(' ')}: ${r.stdout}${r.stderr}`);
  return r;
};

const install = async (node: number, provider: string, as = provider) => {
  const dir = c.paths[node]!.under(ES);
  await mkdir(dir, { recursive: true });
  await runChecked(['cp', '-a', join(FIXTURES, provider), join(dir, as)]);
  return join(dir, as);
};

describe('gnt-storage', () => {
  before(async () => {
    c = await startLoopbackCluster({
      prefix: 'gnt-storage-cli-',
      masterd: true,
      keyType: 'ec',
      enabledDiskTemplates: ['file', 'ext'],
      nodes: [
        { name: 'node1.example.org', ip: '127.0.7.1' },
        { name: 'node2.example.org', ip: '127.0.7.2' },
        { name: 'node3.example.org', ip: '127.0.7.3' },
        { name: 'node4.example.org', ip: '127.0.7.4' },
        { name: 'node5.example.org', ip: '127.0.7.5', offline: true },
        { name: 'node6.example.org', ip: '127.0.7.6', noded: false },
      ],
    });
    for (const n of [0, 1, 2, 3]) await install(n, 'loop');
    await writeFile(join(c.paths[3]!.under(ES), 'loop', 'parameters.list'), 'dir folder holding the volume files\nextra only node4 has it\n');
    await install(0, 'envdump');
    await chmod(join(await install(2, 'envdump'), 'dump'), 0o644);
    await install(3, 'envdump');
    await install(3, 'loop', 'only4');
    for (const n of [4, 5]) await install(n, 'loop'); // never asked: offline / no daemon
    await ok('gnt-group', 'add', 'rack2');
    await ok('gnt-group', 'add', 'empty');
    await ok('gnt-group', 'assign-nodes', 'rack2', 'node3.example.org', 'node4.example.org');
  });

  after(async () => {
    await c?.destroy();
  });

  test('diagnose: each node\'s status, valid nodes first, then each group\'s', async () => {
    const r = await ok('gnt-storage', 'diagnose');
    const valid = (params: string) => `valid (path: ${ES}/%s) [${params}]`;
    const line = (node: number, status: string) => `  Node: node${node}.example.org, status: ${status}`;
    assert.equal(r.stdout, [
      'Provider: envdump',
      '---',
      line(1, valid('parameters: dump, foo-bar').replace('%s', 'envdump')),
      line(4, valid('parameters: dump, foo-bar').replace('%s', 'envdump')),
      line(2, 'ExtStorage provider not found'),
      line(3, `invalid - File 'create' under path '${ES}/envdump' is not executable (path: ${ES}/envdump) [no parameters]`),
      '  --',
      '  For nodegroup: empty --> valid',
      '  For nodegroup: default --> invalid',
      '  For nodegroup: rack2 --> invalid',
      '',
      'Provider: loop',
      '---',
      line(1, valid('parameters: dir').replace('%s', 'loop')),
      line(2, valid('parameters: dir').replace('%s', 'loop')),
      line(3, valid('parameters: dir').replace('%s', 'loop')),
      line(4, valid('parameters: dir, extra').replace('%s', 'loop')),
      '  --',
      '  For nodegroup: default --> valid',
      '  For nodegroup: empty --> valid',
      '  For nodegroup: rack2 --> valid',
      '',
      'Provider: only4',
      '---',
      line(4, valid('parameters: dir').replace('%s', 'only4')),
      line(1, 'ExtStorage provider not found'),
      line(2, 'ExtStorage provider not found'),
      line(3, 'ExtStorage provider not found'),
      '  --',
      '  For nodegroup: empty --> valid',
      '  For nodegroup: default --> invalid',
      '  For nodegroup: rack2 --> invalid',
      '',
      '',
    ].join('\n'));
    assert.equal(r.stderr, '');
  });

  test('info: valid groups and the parameters all nodes share; Not Found for unknown names', async () => {
    const all = await ok('gnt-storage', 'info');
    assert.equal(all.stdout, [
      'envdump:',
      '  - Valid for nodegroups:',
      '      empty',
      '  - Supported parameters:',
      '      dump: folder where the scripts write what they saw',
      '      foo-bar: a parameter with a dash',
      '',
      'loop:',
      '  - Valid for nodegroups:',
      '      default',
      '      empty',
      '      rack2',
      '  - Supported parameters:',
      '      dir: folder holding the volume files',
      '',
      'only4:',
      '  - Valid for nodegroups:',
      '      empty',
      '  - Supported parameters:',
      '',
      '',
    ].join('\n'));
    const some = await ok('gnt-storage', 'info', 'nosuch', 'loop');
    assert.equal(some.stdout, ['loop:', '  - Valid for nodegroups:', '      default', '      empty', '      rack2', '  - Supported parameters:', '      dir: folder holding the volume files', '', 'nosuch: Not Found', '', ''].join('\n'));
  });

  test('without the empty group, a provider missing somewhere in each group is invalid for all', async () => {
    await ok('gnt-group', 'remove', 'empty');
    const r = await ok('gnt-storage', 'info', 'only4', 'envdump');
    assert.equal(r.stdout, 'envdump:\n  - Invalid for all nodegroups\n\nonly4:\n  - Invalid for all nodegroups\n\n');
  });

  test('no provider on any node: a message on stderr and exit code 1', async () => {
    const live = [0, 1, 2, 3];
    for (const n of live) await rename(c.paths[n]!.under(ES), c.paths[n]!.under(`${ES}.off`));
    try {
      for (const [cmd, message] of [['diagnose', "Can't get the list of ExtStorage providers\n"], ['info', "Can't get the ExtStorage providers list\n"]] as const) {
        const r = await gnt('gnt-storage', cmd);
        assert.deepEqual([r.code, r.stdout, r.stderr], [1, '', message], cmd);
      }
    } finally {
      for (const n of live) await rename(c.paths[n]!.under(`${ES}.off`), c.paths[n]!.under(ES));
    }
  });

  test('the opcode: names and output_fields as asked; unknown ones are refused', async () => {
    const client = luxiClient(c.paths[0]!);
    const diag = async (op: Record<string, unknown>) => pollJob(client, await client.submitJob([{ OP_ID: 'OP_EXT_STORAGE_DIAGNOSE', ...op }]), silentReporter);
    try {
      assert.deepEqual(await diag({ output_fields: ['parameters', 'name'], names: ['only4', 'loop'] }), [[
        [[], 'only4'],
        [[['dir', 'folder holding the volume files']], 'loop'],
      ]]);
      const [[[status]]] = (await diag({ output_fields: ['node_status'], names: ['envdump'] })) as [[[Record<string, unknown[]>]]];
      assert.deepEqual(Object.keys(status).sort(), ['node1.example.org', 'node2.example.org', 'node3.example.org', 'node4.example.org'], 'offline and unreachable nodes are left out');
      assert.deepEqual(status['node2.example.org'], []);
      assert.deepEqual(status['node1.example.org'], [['/srv/ganeti/extstorage/envdump', true, '', [['dump', 'folder where the scripts write what they saw'], ['foo-bar', 'a parameter with a dash']]]]);
      await assert.rejects(diag({ output_fields: ['name'], names: ['nosuch'] }), /GNT_EXT_QUERY_UNKNOWN: ExtStorage providers not found on any node: nosuch/);
      await assert.rejects(diag({ output_fields: ['name', 'bogus'] }), /GNT_OPCODE_INVALID: .*'output_fields' has unknown fields: bogus/);
    } finally {
      client.close();
    }
  });

  test('a node that is not vm_capable is not asked: its group may become valid', async () => {
    await ok('gnt-node', 'modify', '--vm-capable', 'no', 'node2.example.org');
    try {
      const r = await ok('gnt-storage', 'info', 'envdump');
      assert.equal(r.stdout, 'envdump:\n  - Valid for nodegroups:\n      default\n  - Supported parameters:\n      dump: folder where the scripts write what they saw\n      foo-bar: a parameter with a dash\n\n');
      assert.doesNotMatch((await ok('gnt-storage', 'diagnose')).stdout, /node2/);
    } finally {
      await ok('gnt-node', 'modify', '--vm-capable', 'yes', 'node2.example.org');
    }
  });

  test('an ext disk end to end: created, mapped on a loop device, unmapped and removed by the loop provider on its node', async () => {
    const vols = join(c.roots[1]!, 'volumes');
    await mkdir(vols);
    const client = luxiClient(c.paths[0]!);
    const job = async (op: { OP_ID: string } & Record<string, unknown>) => pollJob(client, await client.submitJob([op]), silentReporter);
    try {
      await job({ OP_ID: 'OP_DISK_CREATE', disk_name: 'es1', disk_template: 'ext', node_name: 'node2.example.org', disk: { size: 8, provider: 'loop', dir: vols } });
      const [[[node, , dev]]] = (await job({ OP_ID: 'OP_DISK_ACTIVATE', disk_name: 'es1' })) as [[[string, string, string]]];
      assert.equal(node, 'node2.example.org');
      const [file] = await readdir(vols);
      assert.match(file!, /\.ext\.disk0$/);
      assert.deepEqual((await runChecked(['losetup', '-j', join(vols, file!)])).stdout.split(':')[0], dev);
      await job({ OP_ID: 'OP_DISK_DEACTIVATE', disk_name: 'es1' });
      assert.equal((await runChecked(['losetup', '-j', join(vols, file!)])).stdout, '');
      await job({ OP_ID: 'OP_DISK_REMOVE', disk_name: 'es1' });
      assert.deepEqual(await readdir(vols), []);
      const logs = (await readdir(c.paths[1]!.extstorageLogDir)).map((f) => f.split('-loop-')[0]).sort();
      // activate opens the volume on its node (attach, then open); attach keeps no log
      assert.deepEqual(logs, ['create', 'detach', 'open', 'remove']);
      // a parameter the provider does not list is refused on the node, before any script runs
      await assert.rejects(job({ OP_ID: 'OP_DISK_CREATE', disk_name: 'es2', disk_template: 'ext', node_name: 'node2.example.org', disk: { size: 8, provider: 'loop', dir: vols, pool: 'x' } }),
        /blockdev_create' to node 'node2\.example\.org' has failed: ExtStorage provider 'loop' does not take parameter 'pool' \(its parameters\.list has: dir\)/);
      assert.deepEqual(await readdir(vols), [], 'no volume was made');
      assert.match((await gnt('gnt-storage', 'disk-list', '--no-headers', '-o', 'name')).stdout, /^$/, 'and no disk entered the config');
      // a create script that fails: the job fails quoting the end of its log; nothing is recorded
      const failing = await install(1, 'failing');
      try {
        const serial = (JSON.parse(await readFile(c.paths[0]!.configData, 'utf8')) as { serial_no: number }).serial_no;
        await assert.rejects(job({ OP_ID: 'OP_DISK_CREATE', disk_name: 'es3', disk_template: 'ext', node_name: 'node2.example.org', disk: { size: 8, provider: 'failing' } }),
          /create error 6\ncreate error 7[^]*create error 25/);
        assert.equal((JSON.parse(await readFile(c.paths[0]!.configData, 'utf8')) as { serial_no: number }).serial_no, serial, 'no config write');
        assert.match((await gnt('gnt-storage', 'disk-list', '--no-headers', '-o', 'name')).stdout, /^$/);
        assert.ok((await readdir(c.paths[1]!.extstorageLogDir)).some((f) => f.startsWith('create-failing-')), 'the full log is on the node');
      } finally {
        await rm(failing, { recursive: true, force: true });
      }
    } finally {
      client.close();
      for (const f of await readdir(vols).catch(() => [] as string[])) {
        const r = await run(['losetup', '-j', join(vols, f)]);
        for (const d of r.stdout.split('\n').map((l) => l.split(':')[0]!).filter(Boolean)) await run(['losetup', '-d', d]);
      }
    }
  });

  test('usage errors exit 1 (Ganeti: wrong arguments)', async () => {
    const r = await gnt('gnt-storage', 'diagnose', 'extra');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /too many arguments for 'diagnose'/);
  });
});
