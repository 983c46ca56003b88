import { GanetiError } from '../errors/index.js';
import { jobStatus, jobSummary } from '../jobs/status.js';
import { PRIORITY, isFinalized, type JobData, type JobStatus, type LogEntry, type QueuedOpcodeData } from '../jobs/types.js';
import { FieldTable, UNAVAIL, jsonEqual, type QueryField, type QueryResult } from './fields.js';
import { requestedNames } from './filter.js';

/**
 * The `job` query resource (Ganeti's _BuildJobFields in lib/query.py): names, titles, kinds
 * and descriptions as Ganeti has them. An item is a job id with its data, or with null when
 * the job was asked for by id and does not exist (every field but `id` is then unavailable).
 */
export interface JobRow {
  readonly id: number;
  readonly job: JobData | null;
  /** Whether the job was read from the archive. */
  readonly archived?: boolean;
}

/**
 * The job's priority (Ganeti's CalcPriority): the highest (lowest number) among its
 * unfinished opcodes; 19, the lowest, once every opcode is finished.
 */
export function jobPriority(ops: readonly Pick<QueuedOpcodeData, 'status' | 'priority'>[]): number {
  const open = ops.filter((o) => !isFinalized(o.status)).map((o) => o.priority);
  return open.length ? Math.min(...open) : PRIORITY.LOWEST;
}

/** The job's status, derived from its opcodes (interfaces §11). */
export const jobDataStatus = (job: JobData): JobStatus => jobStatus(job.ops.map((o) => o.status));

const withJob =
  (fn: (job: JobData) => unknown) =>
  (row: JobRow): unknown =>
    row.job === null ? UNAVAIL : fn(row.job);
const perOp = (fn: (op: QueuedOpcodeData) => unknown) => withJob((job) => job.ops.map(fn));
const timestamp = (fn: (job: JobData) => unknown) => withJob((job) => fn(job) ?? UNAVAIL);

/** Job ids in filters may be numbers or digit strings (Ganeti's QFF_JOB_ID). */
export function parseJobId(value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && /^[0-9]+$/.test(value)) return Number.parseInt(value, 10);
  throw new GanetiError('GNT_QUERY_FILTER', { reason: `invalid job id ${JSON.stringify(value)}` });
}

const FIELDS: QueryField<JobRow>[] = [
  { name: 'id', title: 'ID', kind: 'number', doc: 'Job ID', get: (r) => r.id, filterValue: parseJobId },
  { name: 'status', title: 'Status', kind: 'text', doc: 'Job status', get: withJob(jobDataStatus) },
  {
    name: 'priority',
    title: 'Priority',
    kind: 'number',
    doc: `Current job priority (${PRIORITY.LOWEST} to ${PRIORITY.HIGHEST})`,
    get: withJob((job) => jobPriority(job.ops)),
  },
  { name: 'archived', title: 'Archived', kind: 'bool', doc: 'Whether job is archived', get: (r) => (r.job === null ? UNAVAIL : (r.archived ?? false)) },
  { name: 'ops', title: 'OpCodes', kind: 'other', doc: 'List of all opcodes', get: perOp((o) => o.input) },
  { name: 'opresult', title: 'OpCode_result', kind: 'other', doc: 'List of opcodes results', get: perOp((o) => o.result) },
  { name: 'opstatus', title: 'OpCode_status', kind: 'other', doc: 'List of opcodes status', get: perOp((o) => o.status) },
  { name: 'oplog', title: 'OpCode_log', kind: 'other', doc: 'List of opcode output logs', get: perOp((o) => o.log) },
  {
    name: 'opstart',
    title: 'OpCode_start',
    kind: 'other',
    doc: 'Per opcode: when it started, before waiting for locks',
    get: perOp((o) => o.start_timestamp),
  },
  {
    name: 'opexec',
    title: 'OpCode_exec',
    kind: 'other',
    doc: 'Per opcode: when it started executing, locks held',
    get: perOp((o) => o.exec_timestamp),
  },
  { name: 'opend', title: 'OpCode_end', kind: 'other', doc: 'List of opcode execution end timestamps', get: perOp((o) => o.end_timestamp) },
  { name: 'oppriority', title: 'OpCode_prio', kind: 'other', doc: 'List of opcode priorities', get: perOp((o) => o.priority) },
  { name: 'summary', title: 'Summary', kind: 'other', doc: 'List of per-opcode summaries', get: withJob((job) => jobSummary(job.ops)) },
  {
    name: 'received_ts',
    title: 'Received',
    kind: 'other',
    doc: 'When the job was submitted, as [seconds, microseconds]',
    splitTimestamp: true,
    get: timestamp((j) => j.received_timestamp),
  },
  {
    name: 'start_ts',
    title: 'Start',
    kind: 'other',
    doc: 'When the job started, as [seconds, microseconds]',
    splitTimestamp: true,
    get: timestamp((j) => j.start_timestamp),
  },
  {
    name: 'end_ts',
    title: 'End',
    kind: 'other',
    doc: 'When the job ended, as [seconds, microseconds]',
    splitTimestamp: true,
    get: timestamp((j) => j.end_timestamp),
  },
];

/** The job resource's fields, in Ganeti's order. */
export const JOB_QUERY_FIELDS = new FieldTable<JobRow>('job', FIELDS);

/**
 * The job ids a filter names (so only those jobs need loading, archived ones included), or
 * null when every job has to be looked at. Throws GNT_QUERY_FILTER for a malformed id.
 */
export function requestedJobIds(qfilter: unknown): number[] | null {
  const names = requestedNames(qfilter, 'id');
  return names === null ? null : names.map(parseJobId);
}

/**
 * Answers Query('job', fields, qfilter) over `rows`, sorted by id. Rows for ids the filter
 * names that are not found should be given with `job: null`: they show as unavailable.
 */
export function queryJobs(fields: readonly string[], qfilter: unknown, rows: Iterable<JobRow>): QueryResult {
  return JOB_QUERY_FIELDS.query(fields, qfilter, rows, { sortBy: (r) => r.id });
}

/**
 * One job's values for old-style calls (QueryJobs, WaitForJobChange's job info): a list of
 * plain values. Throws GNT_QUERY_UNKNOWN_FIELD for a field the job resource does not have.
 */
export function jobFieldValues(job: JobData, fields: readonly string[], archived = false): unknown[] {
  return JOB_QUERY_FIELDS.values({ id: job.id, job, archived }, fields);
}

/** Log entries of all opcodes with a serial above `prevLogSerial` (null: all), in order. */
export function logEntriesSince(job: JobData, prevLogSerial: number | null): LogEntry[] {
  const after = prevLogSerial ?? -1;
  return job.ops.flatMap((o) => o.log.filter((l) => l[0] > after)).sort((a, b) => a[0] - b[0]);
}

/**
 * WaitForJobChange's test (Ganeti's _JobChangesChecker): null while the job is queued,
 * waiting or running and neither the values of `fields` nor the log changed since
 * `prevJobInfo` / `prevLogSerial`; else `[job info, new log entries]`. A job in any other
 * status (canceling or finished) always answers at once, so a poller ends.
 */
export function jobChange(
  job: JobData,
  fields: readonly string[],
  prevJobInfo: readonly unknown[] | null,
  prevLogSerial: number | null,
): [unknown[], LogEntry[]] | null {
  const status = jobDataStatus(job);
  // Through JSON, as the client will see it, so the comparison is like for like.
  const info = JSON.parse(JSON.stringify(jobFieldValues(job, fields))) as unknown[];
  const log = logEntriesSince(job, prevLogSerial);
  const active = status === 'queued' || status === 'waiting' || status === 'running';
  if (!active || !jsonEqual(info, prevJobInfo) || log.length > 0) return [info, log];
  return null;
}
