import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { run } from '../../core/exec/index.js';
import { CONFIG_FIXTURE_30, startMasterd, type RunningMasterd } from '../helpers/masterd.js';
import { REPO_ROOT, removeDir, tempDir } from '../helpers/tmp.js';

// gnt-node and gnt-group of this checkout against the real master daemon on the 3.0 fixture
// config: node1 (master, default group, db1 primary, web10 secondary), node2 (candidate,
// web3 and web10 primary), node10 (offline, not vm-capable, group annex).

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function cli(root: string, binary: 'gnt-node' | 'gnt-group', ...args: string[]): Promise<CliResult> {
  const r = await run([process.execPath, join(REPO_ROOT, 'dist', 'cli', `${binary}.js`), ...args], { env: { GANETI_ROOT: root, TZ: 'UTC' }, timeoutMs: 30_000 });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

const ok = (r: CliResult, what: string) => assert.equal(r.code, 0, `${what}: ${JSON.stringify(r)}`);

describe('gnt-node and gnt-group against the real masterd', () => {
  let root: string;
  let m: RunningMasterd | undefined;
  const node = (...args: string[]) => cli(root, 'gnt-node', ...args);
  const group = (...args: string[]) => cli(root, 'gnt-group', ...args);

  before(async () => {
    root = await tempDir('gnt-node-group-cli-');
    m = await startMasterd(root, { config: CONFIG_FIXTURE_30 });
  });
  after(async () => {
    await m?.stop();
    await removeDir(root);
  });

  test('gnt-node list: default fields, aligned, live values marked as missing', async () => {
    const r = await node('list');
    ok(r, 'gnt-node list');
    assert.equal(
      r.stdout,
      [
        'Node               DTotal DFree MTotal MNode MFree Pinst Sinst',
        'node1.example.org       ?     ?      ?     ?     ?     1     1',
        'node2.example.org       ?     ?      ?     ?     ?     2     0',
        'node10.example.org      *     *      *     *     *     0     0',
        '',
      ].join('\n'),
    );
    assert.equal(r.stderr, '');
  });

  test('gnt-node list -o, --separator, --no-headers, names, +fields', async () => {
    const sep = await node('list', '-o', 'name,role,group', '--separator=:');
    ok(sep, 'list -o --separator');
    assert.equal(sep.stdout, 'Node:Role:Group\nnode1.example.org:M:default\nnode2.example.org:C:default\nnode10.example.org:O:annex\n');

    const bare = await node('list', '--no-headers', '-o', 'name,master_candidate,offline,pinst_list,sinst_list', '--separator=|', 'node2', 'node1.example.org');
    ok(bare, 'list --no-headers with names');
    assert.equal(bare.stdout, 'node2.example.org|Y|N|web3.example.org,web10.example.org|-\nnode1.example.org|Y|N|db1.example.org|web10.example.org\n');

    const plus = await node('list', '-o', '+role', '--no-headers', 'node10');
    ok(plus, 'list -o +role');
    assert.deepEqual(plus.stdout.trim().split(/\s+/), ['node10.example.org', '*', '*', '*', '*', '*', '0', '0', 'O']);

    const verbose = await node('list', '-v', '-o', 'name,mfree', '--separator=,', 'node1');
    assert.equal(verbose.stdout, 'Node,MFree\nnode1.example.org,(nodata)\n');
  });

  test('gnt-node list: unknown fields exit 14, unknown nodes fail as in Ganeti', async () => {
    const r = await node('list', '-o', 'name,nosuchfield');
    assert.equal(r.code, 14);
    assert.match(r.stderr, /Warning: Queried for unknown fields nosuchfield/);
    assert.match(r.stdout, /^node1\.example\.org +\?\?$/m);

    const missing = await node('list', 'nosuch.example.org');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^Failure: prerequisites not met for this operation:\nerror type: unknown_entity, error details:\n.*Node name nosuch\.example\.org not found\n$/);
    assert.equal(missing.stdout, '');

    const info = await node('info', 'nosuch');
    assert.equal(info.code, 1);
    assert.match(info.stderr, /Node name nosuch not found/);
  });

  test('gnt-node list-fields', async () => {
    const r = await node('list-fields');
    ok(r, 'list-fields');
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^Name +Type +Title +Description$/);
    assert.ok(lines.some((l) => /^role +Text +Role +Role letter: M master/.test(l)));
    assert.ok(lines.some((l) => /^mtotal +Storage size +MTotal +Memory of the machine/.test(l)));
    assert.ok(lines.some((l) => /^sinst_cnt +Number +Sinst +Number of instances with this node as secondary$/.test(l)));

    const some = await node('list-fields', '--no-headers', '--separator=|', 'pip', 'bogus');
    assert.equal(some.code, 14);
    assert.equal(some.stdout, "pip|Text|PrimaryIP|Primary IP address\nbogus|Unknown|bogus|Unknown field 'bogus'\n");
  });

  test('gnt-node info', async () => {
    const r = await node('info', 'node1');
    ok(r, 'info node1');
    assert.equal(
      r.stdout,
      [
        '- Node name: node1.example.org',
        '  primary ip: 192.0.2.11',
        '  secondary ip: 198.51.100.11',
        '  master candidate: True',
        '  drained: False',
        '  offline: False',
        '  master_capable: True',
        '  vm_capable: True',
        '  primary for instances: ',
        '    - db1.example.org',
        '  secondary for instances: ',
        '    - web10.example.org',
        '  node parameters: ',
        '    cpu_speed: default (1.0)',
        '    exclusive_storage: default (False)',
        '    oob_program: default ()',
        '    ovs: default (False)',
        '    ovs_link: default ()',
        '    ovs_name: default (switch1)',
        '    spindle_count: default (1)',
        '    ssh_port: default (22)',
        '',
      ].join('\n'),
    );
    // a node that cannot host instances has no instance lists; own parameters show bare
    const all = await node('info');
    ok(all, 'info');
    assert.deepEqual([...all.stdout.matchAll(/^- Node name: (\S+)$/gm)].map((x) => x[1]), ['node1.example.org', 'node2.example.org', 'node10.example.org']);
    const n10 = all.stdout.slice(all.stdout.indexOf('- Node name: node10'));
    assert.doesNotMatch(n10, /primary for instances/);
    assert.match(n10, /ssh_port: default \(2022\)/);
    assert.match(all.stdout, /ssh_port: 2222\n/);
  });

  test('gnt-group list and list-fields', async () => {
    const r = await group('list', '-o', 'name,node_cnt,pinst_cnt,alloc_policy');
    ok(r, 'gnt-group list -o');
    assert.equal(r.stdout, 'Group   Nodes Instances AllocPolicy\nannex       1         0 last_resort\ndefault     2         3 preferred\n');

    const def = await group('list', '--no-headers', '--separator=;', 'default');
    ok(def, 'gnt-group list default');
    const [name, nodes, insts, policy, nd] = def.stdout.trimEnd().split(';');
    assert.deepEqual([name, nodes, insts, policy], ['default', '2', '3', 'preferred']);
    assert.match(nd!, /^cpu_speed=1\.0, exclusive_storage=False, .*ssh_port=22$/);

    const lists = await group('list', '-o', 'name,node_list,pinst_list', '--separator=|', '--no-headers');
    assert.equal(lists.stdout, 'annex|node10.example.org|-\ndefault|node1.example.org,node2.example.org|db1.example.org,web3.example.org,web10.example.org\n');

    const bad = await group('list', '-o', 'name,bogus');
    assert.equal(bad.code, 14);
    const fields = await group('list-fields', 'alloc_policy');
    ok(fields, 'gnt-group list-fields');
    assert.match(fields.stdout, /^alloc_policy +Text +AllocPolicy +Allocation policy for group$/m);

    const missing = await group('list', 'nosuch');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /NodeGroup name nosuch not found/);
  });

  test('gnt-group info', async () => {
    const r = await group('info', 'annex');
    ok(r, 'gnt-group info annex');
    const out = r.stdout;
    assert.match(out, /^- Node group: annex\n  Node parameters: \n    cpu_speed: default \(1\.0\)\n/);
    assert.match(out, /\n    ssh_port: 2022\n  Disk parameters: \n/);
    assert.match(out, /\n    drbd: \n      c-delay-target: default \(1\)\n/);
    assert.match(out, /\n  Instance policy: \n    bounds specs: \n      - max\/0: \n          cpu-count: default \(16\)\n/);
    assert.match(out, /\n        min\/0: \n          cpu-count: default \(1\)\n/);
    assert.match(out, /\n    allowed disk templates: default \(drbd, plain, file\)\n    vcpu-ratio: 4\.0\n    spindle-ratio: default \(16\.0\)\n$/);

    const all = await group('info');
    ok(all, 'gnt-group info');
    assert.deepEqual([...all.stdout.matchAll(/^- Node group: (\S+)$/gm)].map((x) => x[1]), ['annex', 'default']);
  });

  test('--help describes every command', async () => {
    for (const [bin, cmds] of [
      ['gnt-node', ['list', 'list-fields', 'info']],
      ['gnt-group', ['list', 'list-fields', 'info']],
    ] as const) {
      for (const c of cmds) {
        const r = await cli(root, bin, c, '--help');
        ok(r, `${bin} ${c} --help`);
        assert.match(r.stdout, new RegExp(`^Usage: ${bin} ${c}[ |]`));
      }
    }
    const units = await node('list', '--help');
    assert.match(units.stdout, /--units <unit>/);
  });
});
