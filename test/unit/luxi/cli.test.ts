/**
 * gnt-job and gnt-debug delay as a user runs them: the compiled commands run as child
 * processes with GANETI_ROOT pointing at a temp root, against a LUXI server started here with
 * an in-memory job table (a test double of the master, for output formatting only).
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createLuxiServer, type LuxiServer } from '../../../core/luxi/server.js';
import { ganetiPaths } from '../../../core/paths.js';
import { run } from '../../../core/exec/index.js';
import { jobDataStatus } from '../../../core/query/job-fields.js';
import { REPO_ROOT, removeDir, tempDir } from '../../helpers/tmp.js';
import { FakeMaster, makeJob, type OpInput } from './fake-master.js';

const GNT_JOB = join(REPO_ROOT, 'dist', 'cli', 'gnt-job.js');
const GNT_DEBUG = join(REPO_ROOT, 'dist', 'cli', 'gnt-debug.js');

let root: string;
let server: LuxiServer;
const master = new FakeMaster();

const delay = (duration: number): OpInput => ({ OP_ID: 'OP_TEST_DELAY', duration, on_master: true, on_nodes: [], repeat: 0, interruptible: false, no_locks: true });

/** Jobs 1 (success), 2 (error), 3 (running), 4 (queued). */
function fixtures(): void {
  master.reset();
  master.add(makeJob(1, [{ input: delay(1), status: 'success', log: [['message', 'Test delay iteration 1/1 starting']] }]));
  master.add(
    makeJob(2, [
      { input: delay(2), status: 'success' },
      { input: { OP_ID: 'OP_CLUSTER_QUERY' }, status: 'error', result: ['OpExecError', ['GNT_INTERNAL: internal error: broke']] },
    ]),
  );
  master.add(makeJob(3, [{ input: delay(30), status: 'running', log: [['message', 'sleeping']] }]));
  master.add(makeJob(4, [{ input: delay(5), status: 'queued' }]));
}

async function gnt(bin: string, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const r = await run([process.execPath, bin, ...args], { env: { GANETI_ROOT: root, TZ: 'UTC' }, timeoutMs: 30_000 });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}
const job = (...args: string[]) => gnt(GNT_JOB, ...args);
const debug = (...args: string[]) => gnt(GNT_DEBUG, ...args);

before(async () => {
  root = await tempDir('gnt-cli-');
  server = createLuxiServer(master.handlers(), { socketPath: ganetiPaths(root).luxiSocket });
  await server.listen();
});

after(async () => {
  await server.close();
  await removeDir(root);
});

beforeEach(fixtures);

describe('gnt-job list', () => {
  test('default fields: id, status, summary, aligned', async () => {
    const r = await job('list');
    assert.equal(r.code, 0);
    assert.equal(
      r.stdout,
      ['ID Status  Summary', ' 1 success TEST_DELAY(1.0)', ' 2 error   TEST_DELAY(2.0),CLUSTER_QUERY', ' 3 running TEST_DELAY(30.0)', ' 4 queued  TEST_DELAY(5.0)', ''].join('\n'),
    );
    assert.equal(r.stderr, '');
    assert.deepEqual(master.calls.at(-1), { method: 'Query', args: ['job', ['id', 'status', 'summary'], null] });
  });

  test('-o with --separator', async () => {
    const r = await job('list', '-o', 'id,status,priority,received_ts', '--separator=|');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, ['ID|Status|Priority|Received', '1|success|19|[1700000000, 123456]', '2|error|19|[1700000000, 123456]', '3|running|0|[1700000000, 123456]', '4|queued|0|[1700000000, 123456]', ''].join('\n'));
  });

  test('-o +field appends to the defaults; --no-headers; status selectors', async () => {
    const r = await job('list', '--no-headers', '-o', '+opstatus', '--finished');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, ["1 success TEST_DELAY(1.0)               ['success']", "2 error   TEST_DELAY(2.0),CLUSTER_QUERY ['success', 'error']", ''].join('\n'));
    assert.deepEqual(master.calls.at(-1)!.args[2], ['|', ['==', 'status', 'canceled'], ['==', 'status', 'success'], ['==', 'status', 'error']]);
    const running = await job('list', '--no-headers', '--pending', '--running');
    assert.equal(running.stdout, '3 running TEST_DELAY(30.0)\n', 'the last selector wins');
  });

  test('job ids select rows; an unknown id shows as unavailable', async () => {
    const r = await job('list', '3', '9');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, ['ID Status  Summary', ' 3 running TEST_DELAY(30.0)', ' 9 -       -', ''].join('\n'));
    assert.deepEqual(master.calls.at(-1)!.args[2], ['|', ['==', 'id', 3], ['==', 'id', 9]]);
  });

  test('an unknown field: warning, ?? values, exit 14', async () => {
    const r = await job('list', '-o', 'id,foo');
    assert.equal(r.code, 14);
    assert.equal(r.stderr, 'Warning: Queried for unknown fields foo\n');
    assert.equal(r.stdout, ['ID foo', ' 1 ??', ' 2 ??', ' 3 ??', ' 4 ??', ''].join('\n'));
  });

  test('list-fields, and an unknown field there', async () => {
    const all = await job('list-fields');
    assert.equal(all.code, 0);
    const lines = all.stdout.split('\n');
    assert.equal(lines[0], 'Name        Type    Title         Description');
    assert.ok(lines.includes('id          Number  ID            Job ID'));
    assert.ok(lines.includes('priority    Number  Priority      Current job priority (19 to -20)'));
    const some = await job('list-fields', '--separator', ',', '--no-headers', 'status', 'bogus');
    assert.equal(some.code, 14);
    assert.equal(some.stdout, "status,Text,Status,Job status\nbogus,Unknown,bogus,Unknown field 'bogus'\n");
    assert.equal(some.stderr, 'Warning: Queried for unknown fields bogus\n');
  });

  test('no master daemon: Ganeti\'s message and exit 1', async () => {
    const r = await run([process.execPath, GNT_JOB, 'list'], { env: { GANETI_ROOT: join(root, 'nowhere') } });
    assert.equal(r.exitCode, 1);
    assert.equal(r.stderr, 'Cannot communicate with the master daemon.\nIs the process running and listening for connections?\n');
  });
});

describe('gnt-job info and watch', () => {
  test('info: Ganeti\'s layout, and a missing job', async () => {
    master.jobs.get(1)!.ops[0]!.result = { nodes: ['node1'] };
    const r = await job('info', '1', '9');
    assert.equal(r.code, 0);
    assert.equal(
      r.stdout,
      [
        '- Job ID: 1',
        '  Status: success',
        '  Received:         2023-11-14 22:13:20.123456',
        '  Processing start: 2023-11-14 22:13:21.000000 (delta 0.876544s)',
        '  Processing end:   2023-11-14 22:13:23.000000 (delta 2.000000s)',
        '  Total processing time: 2.876544 seconds',
        '  Opcodes: ',
        '    - Opcode: OP_TEST_DELAY',
        '      Status: success',
        '      Processing start: 2023-11-14 22:13:21.000000',
        '      Execution start:  2023-11-14 22:13:21.250000',
        '      Processing end:   2023-11-14 22:13:22.000000',
        '      Input fields: ',
        '        OP_ID: OP_TEST_DELAY',
        '        duration: 1',
        '        interruptible: False',
        '        no_locks: True',
        '        on_master: True',
        '        on_nodes: ',
        '        repeat: 0',
        '      Result: ',
        '        nodes: ',
        '          - node1',
        '      Execution log: ',
        '        - Time: 2023-11-14 22:13:21.500001',
        '          Content: [1, message, Test delay iteration 1/1 starting]',
        '- Job ID 9 not found',
        '',
      ].join('\n'),
    );
  });

  test('info of a queued job: unknown timestamps', async () => {
    const r = await job('show', '4');
    assert.equal(r.code, 0);
    assert.match(r.stdout, /\n {2}Processing start: unknown \(None\)\n {2}Processing end: {3}unknown \(None\)\n {2}Total processing time: N\/A\n/);
    assert.match(r.stdout, /\n {6}Processing start: N\/A\n {6}Execution start: {2}N\/A\n/);
  });

  test('info with a bad job id', async () => {
    const r = await job('info', 'x');
    assert.equal(r.code, 1);
    assert.equal(r.stderr, "Failure: prerequisites not met for this operation:\nerror type: wrong_input, error details:\nGNT_CLI_INVALID_ARGUMENT: Invalid job ID passed: 'x'\n");
  });

  test('watch prints the log with ctime stamps; a failed job exits 1 with its error', async () => {
    const ok = await job('watch', '1');
    assert.equal(ok.code, 0);
    assert.equal(ok.stdout, 'Output from job 1 follows\n-------------------------\nTue Nov 14 22:13:21 2023 Test delay iteration 1/1 starting\n');
    const failed = await job('watch', '2');
    assert.equal(failed.code, 1);
    assert.equal(failed.stderr, 'Job 2 failed: Failure: command execution error:\nGNT_INTERNAL: internal error: broke\n');
    const lost = await job('watch', '77');
    assert.equal(lost.code, 1);
    assert.equal(lost.stderr, 'Job 77 failed: Error checking job status: Job with id 77 lost\n');
  });

  test('watch follows a running job until it ends', async () => {
    const running = master.jobs.get(3)!;
    setTimeout(() => {
      master.log(running, 0, 'almost there');
      setTimeout(() => master.setStatus(running, 0, 'success'), 100);
    }, 300);
    const r = await job('watch', '3');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'Output from job 3 follows\n-------------------------\nTue Nov 14 22:13:21 2023 sleeping\nTue Nov 14 22:15:02 2023 almost there\n');
  });
});

describe('gnt-job cancel, archive, autoarchive, change-priority', () => {
  test('cancel by id: one message per job, exit 1 if any failed', async () => {
    const r = await job('cancel', '4');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'Job 4 canceled\n');
    assert.equal(jobDataStatus(master.jobs.get(4)!), 'canceled');
    const bad = await job('cancel', '3', '77');
    assert.equal(bad.code, 1);
    assert.equal(bad.stdout, 'Job 3 is no longer waiting in the queue\nJob 77 not found\n');
    assert.deepEqual(master.calls.filter((c) => c.method === 'CancelJob').map((c) => c.args), [[4, false], [3, false], [77, false]]);
  });

  test('cancel --kill needs --yes-do-it; ids and selectors never together', async () => {
    const kill = await job('cancel', '--kill', '4');
    assert.equal(kill.code, 1);
    assert.match(kill.stderr, /The --kill option must be confirmed with --yes-do-it\n$/);
    const both = await job('cancel', '--pending', '4');
    assert.equal(both.code, 1);
    assert.match(both.stderr, /Either a status filter or job ID\(s\) must be specified and never both\n$/);
    const killed = await job('cancel', '--kill', '--yes-do-it', '4');
    assert.equal(killed.code, 0);
    assert.deepEqual(master.calls.at(-1), { method: 'CancelJob', args: [4, true] });
  });

  test('cancel --pending lists the jobs and asks; without a terminal the answer is no (exit 13); --force cancels', async () => {
    const asked = await job('cancel', '--pending');
    assert.equal(asked.code, 13);
    assert.equal(asked.stdout, 'ID Status Summary\n 4 queued TEST_DELAY(5.0)\n');
    assert.equal(jobDataStatus(master.jobs.get(4)!), 'queued');
    const forced = await job('cancel', '--pending', '-f');
    assert.equal(forced.code, 0);
    assert.equal(forced.stdout, 'Job 4 canceled\n');
    const none = await job('cancel', '--queued', '-f');
    assert.equal(none.code, 1);
    assert.match(none.stderr, /No jobs with the requested status have been found\n$/);
  });

  test('archive: finished jobs go, others are reported', async () => {
    const r = await job('archive', '1', '3');
    assert.equal(r.code, 1);
    assert.equal(r.stderr, "Failed to archive job with ID '3'\n");
    assert.ok(master.archived.has(1) && !master.jobs.has(1));
    const list = await job('list', '--no-headers', '-o', 'id');
    assert.equal(list.stdout, '2\n3\n4\n');
  });

  test('autoarchive: an age or all', async () => {
    const r = await job('autoarchive', '1d');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'Archived 2 jobs, 0 unchecked left\n');
    assert.deepEqual(master.calls.at(-1), { method: 'AutoArchiveJobs', args: [86400, 89] });
    const all = await job('autoarchive', 'all');
    assert.equal(all.stdout, 'Archived 0 jobs, 0 unchecked left\n');
    assert.deepEqual(master.calls.at(-1)!.args, [-1, 89]);
    const mins = await job('autoarchive', '30m');
    assert.deepEqual(master.calls.at(-1)!.args, [1800, 89]);
    assert.equal(mins.code, 0);
    const bad = await job('autoarchive', '5x');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Invalid time specification '5x'\n$/);
  });

  test('change-priority', async () => {
    const r = await job('change-priority', '--priority', 'high', '4', '1');
    assert.equal(r.code, 1);
    assert.equal(r.stdout, 'Priorities of pending opcodes for job 4 have been changed to -10\nJob 1 is finished\n');
    assert.equal(master.jobs.get(4)!.ops[0]!.priority, -10);
    const missing = await job('change-priority', '4');
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, '--priority option must be given.\n');
    const badName = await job('change-priority', '--priority', 'urgent', '4');
    assert.equal(badName.code, 1);
    assert.match(badName.stderr, /Allowed choices are low, normal, high/);
  });

  test('--help for each command', async () => {
    for (const cmd of ['list', 'list-fields', 'info', 'watch', 'cancel', 'archive', 'autoarchive', 'change-priority']) {
      const r = await job(cmd, '--help');
      assert.equal(r.code, 0, cmd);
      assert.match(r.stdout, new RegExp(`^Usage: gnt-job ${cmd}(\\|show)? `), cmd);
    }
  });
});

describe('gnt-debug delay', () => {
  test('--submit prints JobID: N (on stderr, as Ganeti does) and does not wait', async () => {
    const r = await debug('delay', '--submit', '2.5');
    assert.equal(r.code, 0);
    assert.equal(r.stderr, 'JobID: 5\n');
    assert.equal(r.stdout, '');
    const [op] = master.calls.at(-1)!.args[0] as Record<string, unknown>[];
    const { reason, ...fields } = op!;
    assert.deepEqual(fields, {
      OP_ID: 'OP_TEST_DELAY',
      duration: 2.5,
      on_master: true,
      on_nodes: [],
      repeat: 0,
      interruptible: false,
      no_locks: false,
      debug_level: 0,
      dry_run: false,
    });
    assert.deepEqual((reason as unknown[][]).map((r) => r.slice(0, 2)), [['gnt:client:gnt-debug', 'delay']]);
    assert.equal(jobDataStatus(master.jobs.get(5)!), 'queued');
  });

  test("every option maps to Ganeti's opcode fields; --print-jobid prints the id on stdout", async () => {
    const r = await debug('delay', '-r', '2', '-n', 'node1', '-n', 'node2', '--no-master', '-i', '-l', '--priority', 'low', '--dry-run', '--reason', 'testing', '--submit', '--print-jobid', '0.1');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '5\n');
    assert.equal(r.stderr, 'JobID: 5\n');
    const [op] = master.calls.at(-1)!.args[0] as Record<string, unknown>[];
    assert.deepEqual(
      { ...op, reason: (op!['reason'] as unknown[][]).map((x) => x.slice(0, 2)) },
      {
        OP_ID: 'OP_TEST_DELAY',
        duration: 0.1,
        on_master: false,
        on_nodes: ['node1', 'node2'],
        repeat: 2,
        interruptible: true,
        no_locks: true,
        debug_level: 0,
        dry_run: true,
        priority: 10,
        reason: [['gnt:user', 'testing'], ['gnt:client:gnt-debug', 'delay']],
      },
    );
  });

  test('without --submit the job is followed and its log printed', async () => {
    master.runner = async (j, m) => {
      await new Promise((r) => setTimeout(r, 50));
      m.setStatus(j, 0, 'running');
      m.log(j, 0, 'Test delay iteration 1/2 starting');
      m.log(j, 0, 'Grüße\tnext');
      m.setStatus(j, 0, 'success');
    };
    const r = await debug('delay', '0.1');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'Tue Nov 14 22:15:01 2023 Test delay iteration 1/2 starting\nTue Nov 14 22:15:02 2023 Gr\\xfc\\xdfe\\tnext\n');
    assert.equal(r.stderr, '');
    // Ganeti's poll loop: WaitForJobChange on status with the previous answer and log serial
    const waits = master.calls.filter((c) => c.method === 'WaitForJobChange').map((c) => c.args);
    assert.deepEqual(waits[0], [5, ['status'], null, null, 60]);
    assert.deepEqual(waits.at(-1), [5, ['status'], ['success'], 2, 60]);
    assert.deepEqual(master.calls.at(-1), { method: 'QueryJobs', args: [[5], ['status', 'opstatus', 'opresult']] });
  });

  test('a failing opcode: its error is printed as Ganeti does, exit 1', async () => {
    master.runner = (j, m) => {
      m.setStatus(j, 0, 'error', ['OpPrereqError', ["GNT_OPCODE_INVALID: OP_TEST_DELAY: field 'on_nodes' is empty", 'wrong_input']]);
    };
    const r = await debug('delay', '--no-master', '1');
    assert.equal(r.code, 1);
    assert.equal(r.stderr, "Failure: prerequisites not met for this operation:\nerror type: wrong_input, error details:\nGNT_OPCODE_INVALID: OP_TEST_DELAY: field 'on_nodes' is empty\n");
  });

  test('a canceled job, and a bad duration', async () => {
    master.runner = (j, m) => m.setStatus(j, 0, 'canceled', 'Job canceled by request');
    const r = await debug('delay', '1');
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Unhandled Ganeti error: Job was canceled\n');
    const bad = await debug('delay', 'soon');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /could not convert string to float: 'soon'\n$/);
  });
});
