import type { OpCodeInput } from '../contracts/hooks.js';

/** Job and opcode statuses (interfaces §11); the same seven strings for both. */
export const JOB_STATUSES = Object.freeze(['queued', 'waiting', 'canceling', 'running', 'canceled', 'success', 'error'] as const);
export type JobStatus = (typeof JOB_STATUSES)[number];
export type OpStatus = JobStatus;
export const FINALIZED_STATUSES: readonly JobStatus[] = Object.freeze(['canceled', 'success', 'error']);
export const isFinalized = (s: JobStatus) => s === 'canceled' || s === 'success' || s === 'error';

/** Priorities: −20 (highest) … 19 (lowest); CLI names high/normal/low. */
export const PRIORITY = Object.freeze({ HIGHEST: -20, HIGH: -10, NORMAL: 0, LOW: 10, LOWEST: 19 });
export const PRIORITY_NAMES: Readonly<Record<string, number>> = Object.freeze({ high: -10, normal: 0, low: 10 });

/** Ganeti's timestamps: `[seconds, microseconds]`. */
export type Timestamp = readonly [number, number];

/** Log entry types (§11). */
export type LogType = 'message' | 'message-list' | 'remote-import' | 'jqueue-test' | 'delay-test';

/** One opcode log line: `[serial, [sec, usec], type, message]`; serials grow per job. */
export type LogEntry = readonly [number, Timestamp, LogType, unknown];

/** An opcode inside a job, as stored in `job-<id>` (§11). */
export interface QueuedOpcodeData {
  input: OpCodeInput;
  status: OpStatus;
  /** The LU's return value on success; `[errorClass, [message, ecode?]]` on error. */
  result: unknown;
  log: LogEntry[];
  priority: number;
  start_timestamp: Timestamp | null;
  exec_timestamp: Timestamp | null;
  end_timestamp: Timestamp | null;
}

/** The job file `queue/job-<id>` (§11), JSON. */
export interface JobData {
  id: number;
  ops: QueuedOpcodeData[];
  received_timestamp: Timestamp | null;
  start_timestamp: Timestamp | null;
  end_timestamp: Timestamp | null;
}

/**
 * Fields of the `job` query resource (QueryJobs, Query, `gnt-job list -o`), Ganeti's names:
 * id, status, priority, ops, opresult, opstatus, oplog, opstart, opexec, opend, oppriority,
 * received_ts, start_ts, end_ts, summary.
 */
export const JOB_FIELDS = Object.freeze([
  'id', 'status', 'priority', 'ops', 'opresult', 'opstatus', 'oplog', 'opstart', 'opexec', 'opend', 'oppriority',
  'received_ts', 'start_ts', 'end_ts', 'summary',
] as const);
export type JobField = (typeof JOB_FIELDS)[number];
