import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../../core/exec/index.js';
import { LuxiClient } from '../../core/luxi/client.js';
import { ganetiPaths } from '../../core/paths.js';
import { CONFIG_FIXTURE_30, alive, startMasterd, type RunningMasterd } from '../helpers/masterd.js';
import { ETX, RawLuxi, pythonRequest } from '../helpers/luxi-wire.js';
import { REPO_ROOT, removeDir, tempDir } from '../helpers/tmp.js';
import { FINALIZED, jobFields, readLocksData, until, untilStatus } from './support.js';

// The real `ganeti-masterd -f`, each in its own process on a temp root, seen from outside:
// raw bytes on its LUXI socket as Ganeti 3.0's Python client writes them, its files
// (queue/serial, locks.data, the pid file), and its exit status.

/** `gnt-debug delay 0` as Ganeti 3.0's CLI builds the opcode (cli.SetGenericOpcodeOpts), in Python's JSON. */
const PY_DELAY_0 =
  '{"OP_ID": "OP_TEST_DELAY", "duration": 0.0, "on_master": true, "on_nodes": [], "repeat": 0, "interruptible": false, ' +
  '"no_locks": false, "debug_level": 0, "dry_run": false, "reason": [["gnt:client:gnt-debug", "delay", 1732252800123456789]]}';

/** Checks a raw answer frame: JSON, then exactly one 0x03 at the end. */
function frame(raw: Buffer): { success: unknown; result: unknown } {
  assert.equal(raw.at(-1), ETX, 'an answer ends with 0x03');
  assert.equal(raw.indexOf(ETX), raw.length - 1, 'and contains no other 0x03');
  const reply = JSON.parse(raw.subarray(0, -1).toString('utf8')) as Record<string, unknown>;
  assert.deepEqual(Object.keys(reply).filter((k) => k !== 'version').sort(), ['result', 'success']);
  return reply as { success: unknown; result: unknown };
}

/** An error answer: `[class, [message, ecode?]]` (interfaces §6). */
function encodedError(reply: { success: unknown; result: unknown }): { cls: string; message: string; args: unknown[] } {
  assert.equal(reply.success, false, `expected an error answer, got ${JSON.stringify(reply)}`);
  const r = reply.result as [string, unknown[]];
  assert.ok(Array.isArray(r) && r.length === 2 && typeof r[0] === 'string' && Array.isArray(r[1]), `encoded error: ${JSON.stringify(r)}`);
  assert.equal(typeof r[1][0], 'string');
  return { cls: r[0], message: r[1][0] as string, args: r[1] };
}

const JOB_FIELDS = ['id', 'status', 'priority', 'ops', 'opresult', 'opstatus', 'oplog', 'opstart', 'opexec', 'opend', 'received_ts', 'start_ts', 'end_ts', 'summary'];

describe('masterd without a cluster configuration', () => {
  let root: string;
  let m: RunningMasterd;
  let client: LuxiClient;
  let wire: RawLuxi;

  before(async () => {
    root = await tempDir('gnt-masterd-');
    m = await startMasterd(root);
    client = m.client();
    wire = await RawLuxi.connect(m.paths.luxiSocket);
  });
  after(async () => {
    wire?.close();
    client?.close();
    await m?.stop();
    await removeDir(root);
  });

  test('SubmitJob, WaitForJobChange and QueryJobs as a Ganeti 3.0 Python client sends them', async () => {
    // SubmitJob: the job id, as an integer
    const submit = await wire.request(pythonRequest('SubmitJob', `[[${PY_DELAY_0}]]`));
    const submitted = frame(submit.raw);
    assert.equal(submitted.success, true);
    assert.ok(Number.isInteger(submitted.result) && (submitted.result as number) > 0, `job id: ${JSON.stringify(submitted.result)}`);
    const id = submitted.result as number;

    // WaitForJobChange until the job is finished, as cli.GenericPollJob does
    let prevInfo = 'null';
    let status = '';
    for (let round = 0; !FINALIZED.has(status); round++) {
      assert.ok(round < 50, 'the job finishes');
      const { raw } = await wire.request(pythonRequest('WaitForJobChange', `[${id}, ["status"], ${prevInfo}, null, 60]`));
      const change = frame(raw);
      assert.equal(change.success, true);
      if (change.result === 'nochange') continue;
      const [info, log] = change.result as [unknown[], unknown[]];
      assert.ok(Array.isArray(info) && info.length === 1 && typeof info[0] === 'string');
      assert.deepEqual(log, []);
      status = info[0] as string;
      prevInfo = JSON.stringify(info);
    }
    assert.equal(status, 'success');
    // asked again with the final state, it answers at once (a poller must be able to end)
    const again = frame((await wire.request(pythonRequest('WaitForJobChange', `[${id}, ["status"], ["success"], null, 60]`), 2000)).raw);
    assert.deepEqual(again, { success: true, result: [['success'], []] });

    // QueryJobs, with the id as the digit string Python's CLI passes on
    const q = frame((await wire.request(pythonRequest('QueryJobs', `[["${id}"], ["id", "status", "opstatus", "opresult", "summary"]]`))).raw);
    assert.equal(q.success, true);
    const [row] = q.result as unknown[][];
    assert.equal(row![0], id);
    assert.equal(row![1], 'success');
    assert.deepEqual(row![2], ['success']);
    assert.deepEqual(row![3], [null]);
    // the summary prints the float as Ganeti 3.0 does
    assert.equal((row![4] as string[])[0], 'TEST_DELAY(0.0)');
    // an id nobody knows is null, not an error
    const unknown = frame((await wire.request(pythonRequest('QueryJobs', `[[${id + 1000}], ["id", "status"]]`))).raw);
    assert.deepEqual(unknown, { success: true, result: [null] });
  });

  test('SubmitManyJobs resolves a relative dependency (-1 = the previous job of the batch)', async () => {
    const first = PY_DELAY_0.replace('"duration": 0.0', '"duration": 0.2').replace('"reason"', '"comment": "caf\\u00e9 \\u2615", "reason"');
    const second = PY_DELAY_0.replace('"reason"', '"depends": [[-1, ["success"]]], "reason"');
    const { raw } = await wire.request(pythonRequest('SubmitManyJobs', `[[[${first}], [${second}]]]`));
    const reply = frame(raw);
    assert.equal(reply.success, true);
    const results = reply.result as [boolean, number][];
    assert.equal(results.length, 2);
    assert.equal(results[0]![0], true);
    assert.equal(results[1]![0], true);
    const [a, b] = [results[0]![1], results[1]![1]];
    assert.equal(b, a + 1, 'ids are handed out in order');

    // the dependent job waits for the first one, then runs
    assert.equal(await untilStatus(client, b, FINALIZED), 'success');
    const rows = (await client.call('QueryJobs', [[a, b], ['id', 'status', 'ops', 'start_ts', 'end_ts', 'opexec']])) as unknown[][];
    const [ra, rb] = rows as [unknown[], unknown[]];
    assert.equal(ra[1], 'success');
    const opsA = ra[2] as Record<string, unknown>[];
    const opsB = rb[2] as Record<string, unknown>[];
    assert.equal(opsA[0]!['comment'], 'caf\u00e9 \u2615', 'Python\'s \\u escapes arrive as the characters');
    assert.deepEqual(opsB[0]!['depends'], [[a, ['success']]], 'the relative id became the absolute one');
    const secs = (t: unknown) => (t as [number, number])[0] + (t as [number, number])[1] / 1e6;
    assert.ok(secs((rb[5] as unknown[])[0]) >= secs(ra[4]), 'the dependent job executed after the first one ended');

    // QueryJobs answers in the order asked, null in the place of an unknown job
    const ordered = frame((await wire.request(pythonRequest('QueryJobs', `[[${b}, ${b + 100000}, ${a}], ["id", "status"]]`))).raw);
    assert.deepEqual(ordered, { success: true, result: [[b, 'success'], null, [a, 'success']] });
  });

  test('bad input gets an error naming the problem, the connection stays usable, and the queue is unchanged', async () => {
    // something in the queue, finished, so that nothing moves while we look
    const done = (await client.call('SubmitJob', [[{ OP_ID: 'OP_TEST_DELAY', duration: 0 }]])) as number;
    await untilStatus(client, done);
    const snapshot = async () => ({
      jobs: await client.call('QueryJobs', [null, JOB_FIELDS]),
      serial: await readFile(join(m.paths.queueDir, 'serial'), 'utf8'),
      files: (await readdir(m.paths.queueDir)).sort(),
      archive: (await readdir(m.paths.queueArchiveDir)).sort(),
    });
    const beforeBad = await snapshot();

    const delay = (extra: string) => `[[{"OP_ID": "OP_TEST_DELAY", "duration": 1.0${extra}}]]`;
    const cases: { what: string; bytes: string; cls: string; names: (string | RegExp)[] }[] = [
      { what: 'malformed JSON', bytes: '{"method": "SubmitJob", "args": [[{"OP_ID": "OP_TEST_DELAY", "duration": 1.0}]\n\u0003', cls: 'ProtocolError', names: [/not JSON/] },
      { what: 'a request that is not an object', bytes: '["SubmitJob", [[{"OP_ID": "OP_TEST_DELAY"}]]]\n\u0003', cls: 'ProtocolError', names: [/not a JSON object/] },
      { what: 'a request without a method', bytes: '{"args": []}\n\u0003', cls: 'ProtocolError', names: [/method/] },
      { what: 'an unknown method', bytes: pythonRequest('SubmitJobz', delay('')), cls: 'OpPrereqError', names: ["'SubmitJobz'", 'GNT_LUXI_UNKNOWN_METHOD'] },
      { what: 'args that are not a list', bytes: pythonRequest('QueryJobs', '{"job_ids": null, "fields": ["id"]}'), cls: 'OpPrereqError', names: ['QueryJobs', 'args must be a JSON array'] },
      { what: 'a job id of the wrong type', bytes: pythonRequest('QueryJobs', '[17, ["id"]]'), cls: 'OpPrereqError', names: ['QueryJobs', 'argument 0 (job_ids)'] },
      { what: 'a kill flag of the wrong type', bytes: pythonRequest('CancelJob', `[${done}, "yes"]`), cls: 'OpPrereqError', names: ['CancelJob', 'argument 1 (kill)'] },
      { what: 'a job id that is not one', bytes: pythonRequest('WaitForJobChange', '["abc", ["status"], null, null, 1]'), cls: 'OpPrereqError', names: ['WaitForJobChange', 'argument 0 (job_id)'] },
      { what: 'too many args', bytes: pythonRequest('ArchiveJob', `[${done}, true]`), cls: 'OpPrereqError', names: ['ArchiveJob', /expects 1 argument/] },
      { what: 'opcodes that are not objects', bytes: pythonRequest('SubmitJob', '[["OP_TEST_DELAY"]]'), cls: 'OpPrereqError', names: ['SubmitJob', 'argument 0 (ops)'] },
      { what: 'an empty job', bytes: pythonRequest('SubmitJob', '[[]]'), cls: 'OpPrereqError', names: ['SubmitJob', 'argument 0 (ops)'] },
      { what: 'an unknown opcode', bytes: pythonRequest('SubmitJob', '[[{"OP_ID": "OP_INSTANCE_FROBNICATE", "instance_name": "x"}]]'), cls: 'OpPrereqError', names: ['GNT_OPCODE_UNKNOWN', "'OP_INSTANCE_FROBNICATE'"] },
      { what: 'an unknown opcode field', bytes: pythonRequest('SubmitJob', delay(', "frobnicate": true')), cls: 'OpPrereqError', names: ['GNT_OPCODE_INVALID', "'frobnicate'"] },
      { what: 'a field of the wrong type', bytes: pythonRequest('SubmitJob', '[[{"OP_ID": "OP_TEST_DELAY", "duration": "10"}]]'), cls: 'OpPrereqError', names: ['GNT_OPCODE_INVALID', "'duration'"] },
      { what: 'a missing required field', bytes: pythonRequest('SubmitJob', '[[{"OP_ID": "OP_TEST_DELAY"}]]'), cls: 'OpPrereqError', names: ['GNT_OPCODE_INVALID', "'duration'", 'required'] },
      { what: 'a priority out of range', bytes: pythonRequest('SubmitJob', delay(', "priority": 42')), cls: 'OpPrereqError', names: ['GNT_OPCODE_INVALID', "'priority'"] },
      { what: 'a dependency on a non-final status', bytes: pythonRequest('SubmitJob', delay(`, "depends": [[${done}, ["running"]]]`)), cls: 'OpPrereqError', names: ['GNT_OPCODE_INVALID', 'depends'] },
      { what: 'a negative repeat, even to a drained queue', bytes: pythonRequest('SubmitJobToDrainedQueue', delay(', "repeat": -1')), cls: 'OpPrereqError', names: ["'repeat'"] },
    ];
    for (const c of cases) {
      const { raw } = await wire.request(c.bytes);
      const e = encodedError(frame(raw));
      assert.equal(e.cls, c.cls, `${c.what}: class (${e.message})`);
      for (const n of c.names) {
        if (typeof n === 'string') assert.ok(e.message.includes(n), `${c.what}: ${JSON.stringify(e.message)} names ${n}`);
        else assert.match(e.message, n, c.what);
      }
      if (c.cls === 'OpPrereqError') assert.equal(e.args[1], 'wrong_input', `${c.what}: ECODE_INVAL`);
      // the same connection still answers
      const ok = frame((await wire.request(pythonRequest('QueryConfigValues', '[["drain_flag"]]'))).raw);
      assert.deepEqual(ok, { success: true, result: [false] }, `after ${c.what}`);
    }

    // SubmitManyJobs answers per job: the bad ones are [false, reason], and none is created
    const many = frame((await wire.request(pythonRequest('SubmitManyJobs', `[[${delay(', "frobnicate": 1').slice(1, -1)}, [{"OP_ID": "OP_NOPE"}]]]`))).raw);
    assert.equal(many.success, true);
    const per = many.result as [boolean, string][];
    assert.equal(per.length, 2);
    assert.equal(per[0]![0], false);
    assert.match(per[0]![1], /'frobnicate'/);
    assert.equal(per[1]![0], false);
    assert.match(per[1]![1], /'OP_NOPE'/);

    assert.deepEqual(await snapshot(), beforeBad, 'QueryJobs of all jobs, queue/serial and the queue files are as before');
    assert.equal(alive(m.pid), true);
  });

  test('QueryClusterInfo fails with GNT_CLUSTER_NOT_INITIALIZED', async () => {
    const e = encodedError(frame((await wire.request(pythonRequest('QueryClusterInfo', '[]'))).raw));
    assert.ok(e.message.includes('GNT_CLUSTER_NOT_INITIALIZED'), e.message);
  });

  test('locks.data lists a running job holding cluster/BGL shared, and nothing once it ended', async () => {
    // long enough that a loaded machine still sees locks.data (refreshed every 250 ms) while it runs
    const id = (await client.call('SubmitJob', [[{ OP_ID: 'OP_TEST_DELAY', duration: 3 }]])) as number;
    await untilStatus(client, id, ['running']);
    // locks.data is refreshed every 250 ms: wait for a snapshot that shows this job
    type Entry = [[unknown, string, number], [string, string][]];
    const held = (await until('locks.data to list the job', async () => {
      const d = (await readLocksData(m.paths)) as [Entry[], unknown[]];
      return d[0].some(([o]) => o[0] === id) ? d : undefined;
    }, 5000)) as [Entry[], unknown[]];
    // Ganeti's shape: [[[owner, [["cluster/BGL", "shared"]]], ...], []], owner = [job id, livelock file, pid]
    assert.equal(held.length, 2);
    assert.deepEqual(held[1], [], 'nothing pending');
    const [owner, locks] = held[0].find(([o]) => o[0] === id)!;
    assert.deepEqual(locks, [['cluster/BGL', 'shared']]);
    assert.equal(owner.length, 3);
    assert.equal(owner[0], id, 'a job owner is its job id, a number (Ganeti\'s ClientJob)');
    assert.equal(typeof owner[1], 'string');
    assert.ok(owner[1].startsWith(m.paths.runDir), `livelock path under the run dir: ${owner[1]}`);
    assert.equal(owner[2], m.pid, 'the pid of the process holding the lock');

    assert.equal(await untilStatus(client, id, FINALIZED, 10000), 'success');
    await until('locks.data to be empty', async () => JSON.stringify(await readLocksData(m.paths)) === '[[],[]]', 3000);
  });
});

describe('masterd with the Ganeti 3.0 fixture config', () => {
  let root: string;
  let m: RunningMasterd;
  before(async () => {
    root = await tempDir('gnt-masterd-cfg-');
    m = await startMasterd(root, { config: CONFIG_FIXTURE_30 });
  });
  after(async () => {
    await m?.stop();
    await removeDir(root);
  });

  test('QueryClusterInfo and QueryConfigValues give the fixture\'s cluster and master node names', async () => {
    const fixture = JSON.parse(await readFile(CONFIG_FIXTURE_30, 'utf8')) as { cluster: { cluster_name: string; master_node: string }; nodes: Record<string, { name: string }> };
    const master = fixture.nodes[fixture.cluster.master_node]!.name;
    assert.equal(fixture.cluster.cluster_name, 'cluster.example.org');
    assert.equal(master, 'node1.example.org');
    const wire = await RawLuxi.connect(m.paths.luxiSocket);
    try {
      const info = frame((await wire.request(pythonRequest('QueryClusterInfo', '[]'))).raw);
      assert.equal(info.success, true);
      const r = info.result as Record<string, unknown>;
      assert.equal(r['name'], 'cluster.example.org');
      assert.equal(r['master'], 'node1.example.org');
      const values = frame((await wire.request(pythonRequest('QueryConfigValues', '[["cluster_name", "master_node"]]'))).raw);
      assert.deepEqual(values, { success: true, result: ['cluster.example.org', 'node1.example.org'] });
    } finally {
      wire.close();
    }
  });
});

describe('masterd on SIGTERM', () => {
  let root: string;
  let pid = 0;
  let restarted: RunningMasterd | undefined;
  before(async () => {
    root = await tempDir('gnt-masterd-term-');
  });
  after(async () => {
    if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
    await restarted?.stop();
    await removeDir(root);
  });

  test('exits 0, removes its pid file; a restart finds the jobs and runs the waiting one', async () => {
    const paths = ganetiPaths(root);
    // started through the process runner so that its exit status is seen
    const exited = run([process.execPath, join(REPO_ROOT, 'dist', 'cli', 'ganeti-masterd.js'), '-f'], { env: { GANETI_ROOT: root }, timeoutMs: 30_000 });
    const client = new LuxiClient({ socketPath: paths.luxiSocket, connectTimeoutMs: 20_000, waitForServer: true });
    const pidFile = join(paths.runDir, 'ganeti-masterd.pid');
    let done: number, long: number, waiting: number;
    try {
      await client.call('QueryConfigValues', [['drain_flag']]);
      pid = Number((await readFile(pidFile, 'utf8')).trim());
      assert.ok(alive(pid), `pid file names a live process: ${pid}`);
      done = (await client.call('SubmitJob', [[{ OP_ID: 'OP_TEST_DELAY', duration: 0 }]])) as number;
      long = (await client.call('SubmitJob', [[{ OP_ID: 'OP_TEST_DELAY', duration: 30 }]])) as number;
      waiting = (await client.call('SubmitJob', [[{ OP_ID: 'OP_TEST_DELAY', duration: 0, depends: [[long, ['success', 'error', 'canceled']]] }]])) as number;
      await untilStatus(client, done);
      await untilStatus(client, long, ['running']);
      await untilStatus(client, waiting, ['waiting']);
    } finally {
      client.close();
    }

    process.kill(pid, 'SIGTERM');
    const r = await exited;
    assert.equal(r.signal, null, r.all);
    assert.equal(r.exitCode, 0, r.all);
    assert.match(r.stderr, /shutting down/);
    assert.equal(existsSync(pidFile), false, 'the pid file is removed');
    assert.equal(existsSync(paths.luxiSocket), false, 'the socket is removed');

    restarted = await startMasterd(root);
    const c = restarted.client();
    try {
      const rows = (await c.call('QueryJobs', [[done, long, waiting], ['id', 'status']])) as unknown[][];
      assert.deepEqual(rows.map((row) => row?.[0]), [done, long, waiting], 'every job is found after the restart');
      assert.equal(rows[0]![1], 'success');
      assert.ok(FINALIZED.has(rows[1]![1] as string), `the job running at shutdown is not left running: ${String(rows[1]![1])}`);
      const [longResult] = (await jobFields(c, long, ['opresult']))![0] as unknown[];
      assert.doesNotMatch(JSON.stringify(longResult), /GNT_JOB_LOST/, 'a clean shutdown is no crash');
      assert.equal(await untilStatus(c, waiting), 'success', 'the job that waited for it runs after the restart');
      assert.match(restarted.log(), /job queue: 3 job\(s\) on disk, 1 re-queued, 0 lost/);
    } finally {
      c.close();
    }
  });
});
