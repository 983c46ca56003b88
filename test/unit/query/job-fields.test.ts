import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { jobStatus, jobSummary } from '../../../core/jobs/status.js';
import type { JobData, OpStatus } from '../../../core/jobs/types.js';
import {
  JOB_QUERY_FIELDS,
  jobChange,
  jobFieldValues,
  jobPriority,
  logEntriesSince,
  queryJobs,
  requestedJobIds,
} from '../../../core/query/job-fields.js';
import { GanetiError } from '../../../core/errors/index.js';

const delay = (duration: number) => ({ OP_ID: 'OP_TEST_DELAY', duration, on_master: true, on_nodes: [], repeat: 0, interruptible: false, no_locks: true });

function job(id: number, statuses: OpStatus[], extra: Partial<JobData> = {}): JobData {
  return {
    id,
    ops: statuses.map((status, i) => ({
      input: i === 1 ? { OP_ID: 'OP_CLUSTER_QUERY' } : delay(i + 0.5),
      status,
      result: status === 'error' ? ['OpExecError', ['GNT_X: broke']] : status === 'success' ? null : null,
      log: i === 0 ? [[1, [1700000001, 5], 'message', 'hello'], [2, [1700000002, 0], 'message', 'world']] : [],
      priority: i === 0 ? 5 : -3,
      start_timestamp: status === 'queued' ? null : [1700000001, 0],
      exec_timestamp: status === 'running' || status === 'success' || status === 'error' ? [1700000001, 100] : null,
      end_timestamp: status === 'success' || status === 'error' || status === 'canceled' ? [1700000002, 0] : null,
    })),
    received_timestamp: [1700000000, 123456],
    start_timestamp: statuses.every((s) => s === 'queued') ? null : [1700000001, 0],
    end_timestamp: statuses.every((s) => s === 'success' || s === 'error' || s === 'canceled') ? [1700000003, 0] : null,
    ...extra,
  };
}

describe('job status derivation (interfaces §11)', () => {
  const cases: [OpStatus[], string][] = [
    [[], 'success'],
    [['queued'], 'queued'],
    [['queued', 'queued'], 'queued'],
    [['success', 'success'], 'success'],
    [['success', 'queued'], 'queued'],
    [['waiting', 'queued'], 'waiting'],
    [['success', 'running', 'queued'], 'running'],
    [['success', 'error', 'queued'], 'error'],
    [['error', 'canceled'], 'error'],
    [['success', 'canceling', 'canceling'], 'canceling'],
    [['canceled', 'canceled'], 'canceled'],
    [['running', 'error'], 'error'],
  ];
  for (const [ops, expected] of cases) {
    test(`[${ops.join(', ')}] is ${expected}`, () => {
      assert.equal(jobStatus(ops), expected);
    });
  }
});

describe('job query fields', () => {
  test("names, titles and kinds are Ganeti's", () => {
    assert.deepEqual(
      JOB_QUERY_FIELDS.fields.map((f) => [f.name, f.title, f.kind]),
      [
        ['id', 'ID', 'number'],
        ['status', 'Status', 'text'],
        ['priority', 'Priority', 'number'],
        ['archived', 'Archived', 'bool'],
        ['ops', 'OpCodes', 'other'],
        ['opresult', 'OpCode_result', 'other'],
        ['opstatus', 'OpCode_status', 'other'],
        ['oplog', 'OpCode_log', 'other'],
        ['opstart', 'OpCode_start', 'other'],
        ['opexec', 'OpCode_exec', 'other'],
        ['opend', 'OpCode_end', 'other'],
        ['oppriority', 'OpCode_prio', 'other'],
        ['summary', 'Summary', 'other'],
        ['received_ts', 'Received', 'other'],
        ['start_ts', 'Start', 'other'],
        ['end_ts', 'End', 'other'],
      ],
    );
    assert.equal(JOB_QUERY_FIELDS.get('priority')!.doc, 'Current job priority (19 to -20)');
    assert.equal(JOB_QUERY_FIELDS.get('received_ts')!.doc, 'When the job was submitted, as [seconds, microseconds]');
  });

  test('getters over JobData', () => {
    const j = job(7, ['success', 'running']);
    const names = ['id', 'status', 'priority', 'archived', 'opstatus', 'opresult', 'opstart', 'opexec', 'opend', 'oppriority', 'summary', 'received_ts', 'start_ts', 'end_ts'];
    assert.deepEqual(jobFieldValues(j, names), [
      7,
      'running',
      -3,
      false,
      ['success', 'running'],
      [null, null],
      [[1700000001, 0], [1700000001, 0]],
      [[1700000001, 100], [1700000001, 100]],
      [[1700000002, 0], null],
      [5, -3],
      ['TEST_DELAY(0.5)', 'CLUSTER_QUERY'],
      [1700000000, 123456],
      [1700000001, 0],
      null,
    ]);
    assert.deepEqual(jobFieldValues(j, ['ops'])[0], [delay(0.5), { OP_ID: 'OP_CLUSTER_QUERY' }]);
    assert.deepEqual(jobFieldValues(j, ['oplog'])[0], [j.ops[0]!.log, []]);
    assert.deepEqual(jobSummary([{ input: delay(10) }]), ['TEST_DELAY(10.0)']);
  });

  test("priority: the best of the unfinished opcodes, 19 when all are done (Ganeti's CalcPriority)", () => {
    assert.equal(jobPriority([{ status: 'queued', priority: 5 }, { status: 'queued', priority: -3 }]), -3);
    assert.equal(jobPriority([{ status: 'success', priority: -10 }, { status: 'queued', priority: 3 }]), 3);
    assert.equal(jobPriority([{ status: 'success', priority: -10 }]), 19);
  });

  test('Query over jobs: sorted by id, missing ids unavailable, filters on status and id (also as strings)', () => {
    const rows = [
      { id: 3, job: job(3, ['queued']) },
      { id: 1, job: job(1, ['success', 'success']) },
      { id: 2, job: job(2, ['success', 'error']) },
      { id: 9, job: null },
    ];
    const r = queryJobs(['id', 'status', 'summary'], null, rows);
    assert.deepEqual(r.data, [
      [[0, 1], [0, 'success'], [0, ['TEST_DELAY(0.5)', 'CLUSTER_QUERY']]],
      [[0, 2], [0, 'error'], [0, ['TEST_DELAY(0.5)', 'CLUSTER_QUERY']]],
      [[0, 3], [0, 'queued'], [0, ['TEST_DELAY(0.5)']]],
      [[0, 9], [3, null], [3, null]],
    ]);
    const finished = queryJobs(['id'], ['|', ['==', 'status', 'success'], ['==', 'status', 'error']], rows);
    assert.deepEqual(finished.data.map((row) => row[0]![1]), [1, 2, 9], 'an unavailable status lets the row pass');
    assert.deepEqual(queryJobs(['id'], ['==', 'id', '2'], rows).data, [[[0, 2]]]);
    assert.deepEqual(queryJobs(['id'], ['>', 'received_ts', 1700000000], rows).data.map((row) => row[0]![1]), [1, 2, 3, 9]);
    assert.throws(() => queryJobs(['id'], ['==', 'id', 'two'], rows), (e: unknown) => e instanceof GanetiError && e.code === 'GNT_QUERY_FILTER');
  });

  test('requestedJobIds: the ids a filter names, as numbers', () => {
    assert.deepEqual(requestedJobIds(['|', ['==', 'id', 4], ['==', 'id', '5']]), [4, 5]);
    assert.equal(requestedJobIds(['==', 'status', 'error']), null);
    assert.equal(requestedJobIds(null), null);
  });

  test('unknown fields in old-style queries are refused', () => {
    assert.throws(
      () => jobFieldValues(job(1, ['queued']), ['id', 'bogus']),
      (e: unknown) => e instanceof GanetiError && e.code === 'GNT_QUERY_UNKNOWN_FIELD' && e.message === 'unknown job field(s): bogus',
    );
  });
});

describe('WaitForJobChange test (jobChange)', () => {
  test('an active job with no change answers null; a new log entry or status is a change', () => {
    const j = job(1, ['running', 'queued']);
    assert.deepEqual(jobChange(j, ['status'], null, null), [['running'], j.ops[0]!.log]);
    assert.equal(jobChange(j, ['status'], ['running'], 2), null);
    assert.deepEqual(jobChange(j, ['status'], ['running'], 1), [['running'], [j.ops[0]!.log[1]]]);
    j.ops[0]!.status = 'success';
    assert.deepEqual(jobChange(j, ['status'], ['running'], 2), [['queued'], []]);
  });

  test('a finished or canceling job always answers, so pollers end', () => {
    assert.deepEqual(jobChange(job(1, ['success']), ['status'], ['success'], 2), [['success'], []]);
    assert.deepEqual(jobChange(job(1, ['canceling']), ['status'], ['canceling'], 2), [['canceling'], []]);
  });

  test('log entries since a serial, across opcodes, in serial order', () => {
    const j = job(1, ['success', 'running']);
    j.ops[1]!.log.push([3, [1700000005, 0], 'message', 'third']);
    assert.deepEqual(logEntriesSince(j, 1).map((l) => l[0]), [2, 3]);
    assert.deepEqual(logEntriesSince(j, null).map((l) => l[0]), [1, 2, 3]);
  });
});
