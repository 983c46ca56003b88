import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { GanetiError } from '../../../core/errors/index.js';
import { hostWith as hostWithPlugins } from '../../helpers/plugins.js';
import { run } from '../../../core/exec/index.js';
import { PLUGIN_API_VERSION, type GanetiPlugin } from '../../../core/contracts/index.js';
import type { JobData } from '../../../core/jobs/types.js';
import { jobChange } from '../../../core/query/job-fields.js';
import { removeDir, tempDir } from '../../helpers/tmp.js';
import { delay, queueHarness, waitFor, type QueueHarness } from './harness.js';

let root: string;
let h: QueueHarness;
beforeEach(async () => {
  root = await tempDir('gnt-queue-');
});
afterEach(async () => {
  await h?.queue.close();
  await removeDir(root);
});

const jobFile = (id: number) => join(root, 'var/lib/ganeti/queue', `job-${id}`);
const onDisk = (id: number) => JSON.parse(readFileSync(jobFile(id), 'utf8')) as JobData;

const hostWith = (p: GanetiPlugin) => hostWithPlugins(root, p);

describe('job queue', () => {
  test('a job is on disk before its id is returned, and runs to success', async () => {
    h = await queueHarness(root);
    const id = await h.queue.submit([delay(0.05)]);
    const first = onDisk(id); // read right after the id came back
    assert.equal(first.id, id);
    assert.equal(first.ops[0]!.input.OP_ID, 'OP_TEST_DELAY');
    assert.deepEqual(first.ops[0]!.input, { OP_ID: 'OP_TEST_DELAY', duration: 0.05, on_master: true, on_nodes: [], on_node_uuids: null, repeat: 0, interruptible: false, no_locks: true, dry_run: false, debug_level: 0, priority: 0, reason: [] });
    assert.equal(readFileSync(join(root, 'var/lib/ganeti/queue/serial'), 'utf8'), `${id}\n`);
    await h.queue.idle();
    await h.queue.close();
    const done = onDisk(id);
    assert.equal(done.ops[0]!.status, 'success');
    assert.equal(done.ops[0]!.result, null);
    for (const k of ['start_timestamp', 'exec_timestamp', 'end_timestamp'] as const) assert.equal(done.ops[0]![k]!.length, 2);
    assert.ok(done.received_timestamp && done.start_timestamp && done.end_timestamp);
  });

  test('unknown opcodes and invalid fields are refused, naming the field, and nothing is written', async () => {
    h = await queueHarness(root);
    await assert.rejects(h.queue.submit([{ OP_ID: 'OP_NO_SUCH' }]), (e: GanetiError) => e.code === 'GNT_OPCODE_UNKNOWN');
    await assert.rejects(h.queue.submit([delay(1, { colour: 'red' })]), (e: GanetiError) => e.code === 'GNT_OPCODE_INVALID' && /field 'colour' is not a field/.test(e.message));
    await assert.rejects(h.queue.submit([{ OP_ID: 'OP_TEST_DELAY', duration: 'long' }]), (e: GanetiError) => /field 'duration' must be number/.test(e.message));
    await assert.rejects(h.queue.submit([delay(-1)]), (e: GanetiError) => e.ecode === 'wrong_input');
    const r = await h.queue.submitMany([[delay(0)], 'nonsense', [delay(0, { priority: 99 })]]);
    assert.equal(r[0]![0], true);
    assert.deepEqual([r[1]![0], r[2]![0]], [false, false]);
    assert.match(String(r[2]![1]), /field 'priority' must be <= 19/);
    assert.equal(h.queue.size, 1);
  });

  test('higher priority runs first, then lower ids', async () => {
    h = await queueHarness(root, { maxRunning: 1 });
    const order: number[] = [];
    h.host.hooks.beforeOpcode.tap('probe', (_op, job) => void order.push(job.jobId));
    const blocker = await h.queue.submit([delay(0.15)]);
    const low = await h.queue.submit([delay(0, { priority: 10 })]);
    const normal = await h.queue.submit([delay(0)]);
    const high = await h.queue.submit([delay(0, { priority: -10 })]);
    const normal2 = await h.queue.submit([delay(0)]);
    await h.queue.idle();
    assert.deepEqual(order, [blocker, high, normal, normal2, low]);
  });

  test('at most maxRunning jobs run at once', async () => {
    h = await queueHarness(root, { maxRunning: 2 });
    let running = 0;
    let peak = 0;
    h.host.hooks.beforeOpcode.tap('probe', () => {
      peak = Math.max(peak, ++running);
      return undefined;
    });
    h.host.hooks.afterOpcode.tap('probe', () => void running--);
    await h.queue.submitMany(Array.from({ length: 6 }, () => [delay(0.05)]));
    await h.queue.idle();
    assert.equal(peak, 2);
  });

  test('dependencies on final statuses, relative ids, canceled and failed dependencies', async () => {
    h = await queueHarness(root);
    const r = await h.queue.submitMany([
      [delay(0.05)],
      [delay(0, { depends: [[-1, ['success']]] })],
      [delay(0, { depends: [[-2, ['error']]] })],
      [delay(0, { depends: [[-3, []]] })],
    ]);
    const [a, b, c, d] = r.map((x) => x[1] as number);
    assert.deepEqual(h.queue.job(b!)!.data.ops[0]!.input.depends, [[a, ['success']]]);
    await h.queue.idle();
    assert.equal(h.queue.job(b!)!.status, 'success');
    // b waits (status waiting, start_timestamp set) while a runs; it executes only after a ended
    const secs = (t: readonly [number, number] | null | undefined) => t![0] + t![1] / 1e6;
    assert.ok(secs(h.queue.job(b!)!.data.ops[0]!.exec_timestamp) >= secs(h.queue.job(a!)!.data.end_timestamp));
    assert.equal(h.queue.job(c!)!.status, 'error');
    assert.match(JSON.stringify(h.queue.job(c!)!.data.ops[0]!.result), /GNT_JOB_DEPENDENCY: job \d+ depends on job \d+, which ended in status 'success', not in \[error\]/);
    assert.equal(h.queue.job(d!)!.status, 'success');
    const slow = await h.queue.submit([delay(5)]);
    const dependent = await h.queue.submit([delay(0, { depends: [[slow, ['success']]] })]);
    await waitFor(() => h.queue.job(dependent)!.status === 'waiting');
    assert.deepEqual(await h.queue.cancel(slow, true), [true, `Job ${slow} will be killed`]);
    await h.queue.idle();
    assert.equal(h.queue.job(slow)!.status, 'canceled');
    assert.equal(h.queue.job(dependent)!.status, 'canceled');
    const unknown = await h.queue.submit([delay(0, { depends: [[9999, []]] })]);
    await h.queue.idle();
    assert.match(JSON.stringify(h.queue.job(unknown)!.data.ops[0]!.result), /depends on job 9999, which does not exist/);
  });

  test('cancel: a queued job at once; a running one only with kill, which reaches its child processes', async () => {
    const pidFile = join(root, 'child.pid');
    const host = await hostWith({
      name: 'runs-a-child',
      apiVersion: PLUGIN_API_VERSION,
      apply(api) {
        api.hooks.beforeOpcode.tapPromise('runs-a-child', async (op, job) => {
          if (op['comment'] !== 'spawn') return undefined;
          await run(['sh', '-c', `echo $$ > ${pidFile}; exec sleep 60`], { signal: job.signal });
          return undefined;
        });
      },
    });
    h = await queueHarness(root, { maxRunning: 1, host });
    const busy = await h.queue.submit([delay(0, { comment: 'spawn' })]);
    const queued = await h.queue.submit([delay(0)]);
    assert.deepEqual(await h.queue.cancel(queued), [true, `Job ${queued} canceled`]);
    assert.equal(h.queue.job(queued)!.status, 'canceled');
    await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await waitFor(() => h.queue.job(busy)!.status === 'running');
    assert.deepEqual(await h.queue.cancel(busy), [false, "Job no longer waiting, can't cancel (informed it anyway)"]);
    assert.deepEqual(await h.queue.cancel(busy, true), [true, `Job ${busy} will be killed`]);
    await h.queue.idle();
    assert.equal(h.queue.job(busy)!.status, 'canceled');
    await waitFor(() => !alive(pid));
    assert.deepEqual(await h.queue.cancel(busy), [false, `Job ${busy} is no longer waiting in the queue`]);
  });

  test('per-opcode log messages, and wait-for-change with a timeout', async () => {
    h = await queueHarness(root);
    const id = await h.queue.submit([delay(0.02, { repeat: 2 })]);
    const changed = (prev: unknown[] | null) => (job: JobData) => jobChange(job, ['status'], prev, 0);
    const first = await h.queue.waitForChange(id, changed(null), 5);
    assert.notEqual(first, 'nochange');
    await h.queue.idle();
    const all = await h.queue.waitForChange(id, changed(['success']), 5);
    assert.ok(all !== 'nochange');
    assert.deepEqual(all[1].map((l) => [l[0], l[2], l[3]]), [
      [1, 'message', 'Test delay iteration 1/3 starting'],
      [2, 'message', 'Test delay iteration 2/3 starting'],
      [3, 'message', 'Test delay iteration 3/3 starting'],
    ]);
    const long = await h.queue.submit([delay(5)]);
    await waitFor(() => h.queue.job(long)!.status === 'running');
    const t0 = Date.now();
    assert.equal(await h.queue.waitForChange(long, changed(['running']), 0.2), 'nochange');
    assert.ok(Date.now() - t0 >= 190);
    await h.queue.cancel(long, true);
  });

  test('archive and auto-archive by age', async () => {
    h = await queueHarness(root);
    const r = await h.queue.submitMany([[delay(0)], [delay(0)], [delay(0)]]);
    await h.queue.idle();
    await h.queue.close();
    const [a, b, c] = r.map((x) => x[1] as number);
    assert.equal(await h.queue.archive(a!), true);
    assert.ok(existsSync(join(root, 'var/lib/ganeti/queue/archive/0', `job-${a}`)));
    assert.ok(!existsSync(jobFile(a!)));
    assert.deepEqual(await h.queue.autoArchive(3600, 10), [0, 0]);
    assert.deepEqual(await h.queue.autoArchive(-1, 10), [2, 0]);
    assert.ok(!existsSync(jobFile(b!)) && !existsSync(jobFile(c!)));
    assert.equal((await h.queue.jobData(c!))!.ops[0]!.status, 'success');
  });

  test('a job starving for locks waits, raises its priority, and runs once they are free', async () => {
    h = await queueHarness(root);
    assert.equal(await h.locks.acquire('admin', 'cluster', ['BGL'], 'exclusive'), true);
    const id = await h.queue.submit([delay(0)]);
    await waitFor(() => h.queue.job(id)!.status === 'waiting');
    await waitFor(() => h.queue.job(id)!.data.ops[0]!.priority < 0, 8000);
    h.locks.releaseAll('admin');
    await h.queue.idle();
    assert.equal(h.queue.job(id)!.status, 'success');
    assert.ok(h.queue.job(id)!.data.ops[0]!.priority < 0);
  });

  test('after a crash: running jobs fail, queued jobs run, the serial continues', async () => {
    const dir = join(root, 'var/lib/ganeti/queue');
    await mkdir(dir, { recursive: true });
    const op = (status: string) => ({ input: delay(0), status, result: null, log: [], priority: 0, start_timestamp: null, exec_timestamp: null, end_timestamp: null });
    await writeFile(join(dir, 'job-7'), JSON.stringify({ id: 7, ops: [op('running')], received_timestamp: [1, 0], start_timestamp: [1, 0], end_timestamp: null }));
    await writeFile(join(dir, 'job-8'), JSON.stringify({ id: 8, ops: [op('queued')], received_timestamp: [1, 0], start_timestamp: null, end_timestamp: null }));
    await writeFile(join(dir, 'job-9'), JSON.stringify({ id: 9, ops: [op('waiting')], received_timestamp: [1, 0], start_timestamp: null, end_timestamp: null }));
    await writeFile(join(dir, 'serial'), '5\n');
    h = await queueHarness(root);
    await h.queue.idle();
    await h.queue.close();
    assert.equal(onDisk(7).ops[0]!.status, 'error');
    assert.match(JSON.stringify(onDisk(7).ops[0]!.result), /GNT_JOB_LOST: detected death of job 7/);
    assert.equal(onDisk(8).ops[0]!.status, 'success');
    assert.equal(onDisk(9).ops[0]!.status, 'success');
    assert.equal(await readFile(join(dir, 'serial'), 'utf8'), '9\n');
  });

  test('change priority of a queued job', async () => {
    h = await queueHarness(root, { maxRunning: 1 });
    await h.queue.submit([delay(0.1)]);
    const id = await h.queue.submit([delay(0)]);
    assert.deepEqual(await h.queue.changePriority(id, -5), [true, `Priorities of pending opcodes for job ${id} have been changed to -5`]);
    assert.equal(h.queue.job(id)!.data.ops[0]!.priority, -5);
    assert.equal((await h.queue.changePriority(id, 40))[0], false);
    await h.queue.idle();
    assert.equal((await h.queue.changePriority(id, 1))[0], false);
  });

  test('a plugin veto fails the opcode with the plugin and the reason', async () => {
    const host = await hostWith({ name: 'change-freeze', apiVersion: PLUGIN_API_VERSION, apply: (api) => api.hooks.beforeOpcode.tap('change-freeze', () => ({ veto: 'change freeze until Monday' })) });
    h = await queueHarness(root, { host });
    const id = await h.queue.submit([delay(0)]);
    await h.queue.idle();
    assert.equal(h.queue.job(id)!.status, 'error');
    assert.deepEqual(h.queue.job(id)!.data.ops[0]!.result, ['OpPrereqError', ["GNT_OPCODE_VETOED: OP_TEST_DELAY was vetoed by plugin 'change-freeze': change freeze until Monday", 'wrong_state']]);
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  let stat = '';
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  return !/^\d+ \(.*\) Z/.test(stat); // a zombie nobody reaped is dead too
}
