import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { run } from '../../core/exec/index.js';
import { REPO_ROOT } from '../helpers/tmp.js';
import { startCluster, type TestCluster } from '../helpers/cluster.js';

// gnt-group add/rename/modify/assign-nodes/remove of this checkout against a real masterd
// and two real node daemons (the master runs the group hooks, none are installed here).

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const ok = (r: CliResult, what: string) => assert.equal(r.code, 0, `${what}: ${JSON.stringify(r)}`);

describe('gnt-group against a real cluster', () => {
  let c: TestCluster | undefined;
  const group = async (...args: string[]): Promise<CliResult> => {
    const r = await run([process.execPath, join(REPO_ROOT, 'dist', 'cli', 'gnt-group.js'), ...args], { env: { GANETI_ROOT: c!.roots[0]!, TZ: 'UTC' }, timeoutMs: 60_000 });
    return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
  };
  const list = async () => {
    const r = await group('list', '-o', 'name,node_cnt,alloc_policy,custom_ndparams', '--separator=|', '--no-headers');
    ok(r, 'list');
    return r.stdout;
  };
  const failsWith = (r: CliResult, ecode: string, details: RegExp) => {
    assert.equal(r.code, 1, JSON.stringify(r));
    assert.match(r.stderr, new RegExp(`^Failure: prerequisites not met for this operation:\\nerror type: ${ecode}, error details:\\n`));
    assert.match(r.stderr, details);
  };

  before(async () => {
    c = await startCluster('gnt-group-cli-', [
      { name: 'node1.example.org', ip: '127.0.2.1' },
      { name: 'node2.example.org', ip: '127.0.2.2' },
    ]);
  });
  after(async () => {
    await c?.destroy();
  });

  test('add: a new empty group with its policy and node parameters; list shows it', async () => {
    assert.equal(await list(), 'default|2|preferred|{}\n');
    const r = await group('add', '--alloc-policy', 'last_resort', '--node-parameters', 'spindle_count=2', 'web');
    ok(r, 'add');
    assert.equal(await list(), "default|2|preferred|{}\nweb|0|last_resort|{'spindle_count': 2}\n");
    const table = await group('list', '-o', 'name,node_cnt,pinst_cnt,alloc_policy');
    ok(table, 'list');
    assert.equal(table.stdout, ['Group   Nodes Instances AllocPolicy', 'default     2         0 preferred', 'web         0         0 last_resort', ''].join('\n'));
  });

  test('add refuses a taken name, a bad policy, an unknown parameter; nothing changes', async () => {
    const before = await list();
    failsWith(await group('add', 'web'), 'already_exists', /GNT_GROUP_EXISTS: group_name: node group 'web' already exists \(UUID [0-9a-f-]{36}\)/);
    failsWith(await group('add', '--alloc-policy', 'sometimes', 'db'), 'wrong_input', /field 'alloc_policy' must be equal to one of the allowed values: preferred, last_resort, unallocable/);
    failsWith(await group('add', '--node-parameters', 'spindles=2', 'db'), 'wrong_input', /GNT_PARAM_UNKNOWN: unknown parameter 'spindles' for node group ndparams/);
    failsWith(await group('add', '--node-parameters', 'spindle_count=many', 'db'), 'wrong_input', /parameter 'spindle_count' for node group ndparams must be integer/);
    failsWith(await group('add', '-D', 'plain:stripes=2,colour=red', 'db'), 'wrong_input', /unknown parameter 'colour' for storage 'plain' \(known: stripes\)/);
    assert.equal(await list(), before);
  });

  test('--dry-run runs the checks and changes nothing; --submit prints the job id', async () => {
    const before = await list();
    ok(await group('add', '--dry-run', 'db'), 'add --dry-run');
    ok(await group('rename', '--dry-run', 'web', 'www'), 'rename --dry-run');
    ok(await group('modify', '--dry-run', '--alloc-policy', 'unallocable', 'web'), 'modify --dry-run');
    assert.equal(await list(), before);
    failsWith(await group('add', '--dry-run', 'web'), 'already_exists', /GNT_GROUP_EXISTS/);
    const s = await group('add', '--submit', '--priority', 'high', 'db');
    ok(s, 'add --submit');
    assert.match(s.stderr, /^JobID: \d+$/m);
    const id = /JobID: (\d+)/.exec(s.stderr)![1]!;
    const wait = await run([process.execPath, join(REPO_ROOT, 'dist', 'cli', 'gnt-job.js'), 'wait', id], { env: { GANETI_ROOT: c!.roots[0]! }, timeoutMs: 60_000 });
    assert.equal(wait.exitCode, 0, wait.stderr);
    ok(await group('remove', 'db'), 'remove db');
    assert.equal(await list(), before);
  });

  test('rename changes the name only: same UUID; a taken name is refused', async () => {
    const uuid = async (name: string) => (await group('list', '-o', 'uuid', '--no-headers', name)).stdout.trim();
    const was = await uuid('web');
    ok(await group('rename', 'web', 'www'), 'rename');
    assert.equal(await uuid('www'), was);
    assert.equal(await list(), "default|2|preferred|{}\nwww|0|last_resort|{'spindle_count': 2}\n");
    failsWith(await group('rename', 'www', 'default'), 'already_exists', /GNT_GROUP_EXISTS: new_name: node group 'default' already exists/);
    failsWith(await group('rename', 'nosuch', 'other'), 'unknown_entity', /GNT_GROUP_NOT_FOUND: group_name: node group 'nosuch' not found/);
  });

  test("modify: policy and parameters, Ganeti's report; resets with default; nothing to do is an error", async () => {
    const r = await group('modify', '--alloc-policy', 'unallocable', '--node-parameters', 'spindle_count=4,ssh_port=2222', 'www');
    ok(r, 'modify');
    assert.equal(r.stdout, "Modified node group www\n - ndparams -> {'spindle_count': 4, 'ssh_port': 2222}\n");
    assert.equal(await list(), "default|2|preferred|{}\nwww|0|unallocable|{'spindle_count': 4, 'ssh_port': 2222}\n");
    const reset = await group('modify', '--node-parameters', 'ssh_port=default', 'www');
    ok(reset, 'modify reset');
    assert.equal(await list(), "default|2|preferred|{}\nwww|0|unallocable|{'spindle_count': 4}\n");
    const none = await group('modify', 'www');
    assert.equal(none.code, 1);
    assert.equal(none.stderr, 'Please give at least one of the parameters.\n');
    failsWith(await group('modify', '--alloc-policy', 'never', 'www'), 'wrong_input', /alloc_policy/);
  });

  test('assign-nodes moves nodes; a group with nodes cannot be removed; an empty one can', async () => {
    ok(await group('assign-nodes', 'www', 'node2.example.org'), 'assign-nodes');
    assert.equal(await list(), "default|1|preferred|{}\nwww|1|unallocable|{'spindle_count': 4}\n");
    const members = await group('list', '-o', 'name,node_list', '--separator=|', '--no-headers');
    assert.equal(members.stdout, 'default|node1.example.org\nwww|node2.example.org\n');
    failsWith(await group('remove', 'www'), 'wrong_state', /GNT_GROUP_NOT_EMPTY: node group 'www' cannot be removed: it still has node\(s\) node2\.example\.org/);
    failsWith(await group('assign-nodes', 'www', 'node9.example.org'), 'unknown_entity', /GNT_NODE_UNKNOWN: nodes: node node9\.example\.org is not in the configuration/);
    ok(await group('assign-nodes', '--dry-run', 'default', 'node2.example.org'), 'assign-nodes --dry-run');
    assert.equal(await list(), "default|1|preferred|{}\nwww|1|unallocable|{'spindle_count': 4}\n");
    ok(await group('assign-nodes', '-f', 'default', 'node2.example.org'), 'assign-nodes back');
    ok(await group('remove', 'www'), 'remove');
    assert.equal(await list(), 'default|2|preferred|{}\n');
    failsWith(await group('remove', 'www'), 'unknown_entity', /GNT_GROUP_NOT_FOUND: group_name: node group 'www' not found/);
  });

  test('every command has --help', async () => {
    for (const cmd of ['add', 'remove', 'rename', 'modify', 'assign-nodes']) {
      const r = await group(cmd, '--help');
      ok(r, `${cmd} --help`);
      assert.match(r.stdout, new RegExp(`^Usage: gnt-group ${cmd} \\[options\\]`));
      assert.match(r.stdout, /--dry-run/);
      assert.match(r.stdout, /--submit/);
      assert.match(r.stdout, /--priority/);
    }
    assert.match((await group('add', '--help')).stdout, /--alloc-policy <policy>[\s\S]*--node-parameters[\s\S]*-D, --disk-parameters/);
    assert.match((await group('assign-nodes', '--help')).stdout, /-f, --force/);
  });
});
