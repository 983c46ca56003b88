/**
 * A test double of the master daemon's job side, for CLI output tests only: an in-memory job
 * table answering the job LUXI methods the way Ganeti's queue does (messages, WaitForJobChange
 * semantics, Query with unavailable rows for missing ids). The real master is tested on its
 * own; this one just has to be faithful enough for the CLI to be checked against it.
 */
import { GanetiError } from '../../../core/errors/index.js';
import type { LuxiHandlers } from '../../../core/luxi/methods.js';
import type { JobData, LogEntry, LogType, OpStatus, QueuedOpcodeData, Timestamp } from '../../../core/jobs/types.js';
import { isFinalized } from '../../../core/jobs/types.js';
import {
  JOB_QUERY_FIELDS,
  jobChange,
  jobDataStatus,
  jobFieldValues,
  queryJobs,
  requestedJobIds,
  type JobRow,
} from '../../../core/query/job-fields.js';

export type OpInput = { OP_ID: string; [k: string]: unknown };

/** Builds a job as the queue would have written it. */
export function makeJob(
  id: number,
  ops: { input: OpInput; status: OpStatus; result?: unknown; log?: [LogType, unknown][]; priority?: number }[],
  times: { received?: Timestamp | null; start?: Timestamp | null; end?: Timestamp | null } = {},
): JobData {
  let serial = 0;
  const base = times.received?.[0] ?? 1700000000;
  return {
    id,
    ops: ops.map(
      (o, i): QueuedOpcodeData => ({
        input: o.input,
        status: o.status,
        result: o.result ?? null,
        log: (o.log ?? []).map(([type, message]): LogEntry => [++serial, [base + 1 + i, 500000 + serial], type, message]),
        priority: o.priority ?? 0,
        start_timestamp: o.status === 'queued' ? null : [base + 1 + i, 0],
        exec_timestamp: o.status === 'queued' || o.status === 'waiting' ? null : [base + 1 + i, 250000],
        end_timestamp: isFinalized(o.status) ? [base + 2 + i, 0] : null,
      }),
    ),
    received_timestamp: times.received === undefined ? [base, 123456] : times.received,
    start_timestamp: times.start === undefined ? (ops.every((o) => o.status === 'queued') ? null : [base + 1, 0]) : times.start,
    end_timestamp: times.end === undefined ? (ops.every((o) => isFinalized(o.status)) ? [base + 3, 0] : null) : times.end,
  };
}

/** What the double does with a submitted job; by default nothing (it stays queued). */
export type Runner = (job: JobData, master: FakeMaster) => void | Promise<void>;

export class FakeMaster {
  readonly jobs = new Map<number, JobData>();
  readonly archived = new Map<number, JobData>();
  /** Every request's method and args, in order. */
  readonly calls: { method: string; args: readonly unknown[] }[] = [];
  runner: Runner | null = null;
  #next = 1;
  #waiters = new Map<number, Set<() => void>>();

  /** Forgets every job and call. */
  reset(): void {
    this.jobs.clear();
    this.archived.clear();
    this.calls.length = 0;
    this.runner = null;
    this.#next = 1;
  }

  add(job: JobData): void {
    this.jobs.set(job.id, job);
    this.#next = Math.max(this.#next, job.id + 1);
  }

  /** Tells WaitForJobChange waiters that `id` changed. */
  changed(id: number): void {
    const ws = this.#waiters.get(id);
    this.#waiters.delete(id);
    for (const w of ws ?? []) w();
  }

  log(job: JobData, op: number, message: string, type: LogType = 'message'): void {
    const serial = Math.max(0, ...job.ops.flatMap((o) => o.log.map((l) => l[0]))) + 1;
    job.ops[op]!.log.push([serial, [1700000100 + serial, 0], type, message]);
    this.changed(job.id);
  }

  setStatus(job: JobData, op: number, status: OpStatus, result: unknown = null): void {
    const o = job.ops[op]!;
    o.status = status;
    if (isFinalized(status)) {
      o.result = result;
      o.end_timestamp = [1700000200, 0];
    } else {
      o.start_timestamp ??= [1700000100, 0];
    }
    if (job.ops.every((x) => isFinalized(x.status))) job.end_timestamp ??= [1700000300, 0];
    this.changed(job.id);
  }

  #rows(qfilter: unknown): JobRow[] {
    const wanted = requestedJobIds(qfilter);
    if (wanted === null) return [...this.jobs.values()].map((job) => ({ id: job.id, job }));
    return wanted.map((id) => {
      const job = this.jobs.get(id) ?? this.archived.get(id) ?? null;
      return { id, job, archived: !this.jobs.has(id) && job !== null };
    });
  }

  handlers(): LuxiHandlers {
    const record = (method: string, args: readonly unknown[]) => this.calls.push({ method, args });
    const find = (id: number) => {
      const job = this.jobs.get(id);
      if (!job) throw new GanetiError('GNT_JOB_NOT_FOUND', { job: String(id) });
      return job;
    };
    return {
      SubmitJob: async (args) => {
        record('SubmitJob', args);
        const ops = args[0] as OpInput[];
        const id = this.#next++;
        const job = makeJob(
          id,
          ops.map((input) => ({ input, status: 'queued' as const, priority: typeof input['priority'] === 'number' ? input['priority'] : 0 })),
          { received: [1700000000 + id, 0], start: null, end: null },
        );
        this.jobs.set(id, job);
        if (this.runner) void Promise.resolve(this.runner(job, this));
        return id;
      },
      WaitForJobChange: async (args, ctx) => {
        record('WaitForJobChange', args);
        const [id, fields, prevInfo, prevSerial, timeout] = args as [number, string[], unknown[] | null, number | null, number];
        const job = find(id);
        const deadline = Date.now() + timeout * 1000;
        for (;;) {
          const change = jobChange(job, fields, prevInfo, prevSerial);
          if (change) return change;
          const left = deadline - Date.now();
          if (left <= 0 || ctx.signal.aborted) return 'nochange';
          await new Promise<void>((resolve) => {
            const set = this.#waiters.get(id) ?? new Set();
            this.#waiters.set(id, set);
            const done = () => {
              clearTimeout(t);
              set.delete(done);
              ctx.signal.removeEventListener('abort', done);
              resolve();
            };
            const t = setTimeout(done, left);
            set.add(done);
            ctx.signal.addEventListener('abort', done);
          });
        }
      },
      QueryJobs: (args) => {
        record('QueryJobs', args);
        const [ids, fields] = args as [number[] | null, string[]];
        JOB_QUERY_FIELDS.assertKnown(fields);
        const list = ids ?? [...this.jobs.keys()];
        return list.map((id) => {
          const job = this.jobs.get(id) ?? this.archived.get(id);
          return job ? jobFieldValues(job, fields) : null;
        });
      },
      Query: (args) => {
        record('Query', args);
        const [what, fields, qfilter] = args as [string, string[], unknown];
        if (what !== 'job') throw new GanetiError('GNT_QUERY_RESOURCE', { resource: what, known: 'job' });
        return queryJobs(fields, qfilter, this.#rows(qfilter));
      },
      QueryFields: (args) => {
        record('QueryFields', args);
        const [what, fields] = args as [string, string[] | null];
        if (what !== 'job') throw new GanetiError('GNT_QUERY_RESOURCE', { resource: what, known: 'job' });
        return { fields: JOB_QUERY_FIELDS.definitions(fields) };
      },
      CancelJob: (args) => {
        record('CancelJob', args);
        const [id] = args as [number, boolean];
        const job = this.jobs.get(id);
        if (!job) return [false, `Job ${id} not found`];
        const status = jobDataStatus(job);
        if (status === 'queued') {
          job.ops.forEach((_, i) => this.setStatus(job, i, 'canceled', 'Job canceled by request'));
          return [true, `Job ${id} canceled`];
        }
        if (status === 'waiting') {
          job.ops.forEach((o) => (o.status = isFinalized(o.status) ? o.status : 'canceling'));
          this.changed(id);
          return [true, `Job ${id} will be canceled`];
        }
        return [false, `Job ${id} is no longer waiting in the queue`];
      },
      ArchiveJob: (args) => {
        record('ArchiveJob', args);
        const [id] = args as [number];
        const job = this.jobs.get(id);
        if (!job || !isFinalized(jobDataStatus(job))) return false;
        this.jobs.delete(id);
        this.archived.set(id, job);
        return true;
      },
      AutoArchiveJobs: (args) => {
        record('AutoArchiveJobs', args);
        const [age] = args as [number, number];
        const cutoff = Date.now() / 1000 - age;
        let n = 0;
        for (const [id, job] of [...this.jobs]) {
          const end = job.end_timestamp ?? job.start_timestamp;
          if (!isFinalized(jobDataStatus(job))) continue;
          if (age >= 0 && (!end || end[0] > cutoff)) continue;
          this.jobs.delete(id);
          this.archived.set(id, job);
          n++;
        }
        return [n, 0];
      },
      ChangeJobPriority: (args) => {
        record('ChangeJobPriority', args);
        const [id, priority] = args as [number, number];
        const job = this.jobs.get(id);
        if (!job) return [false, `Job ${id} not found`];
        const status = jobDataStatus(job);
        if (isFinalized(status)) return [false, `Job ${id} is finished`];
        if (status === 'canceling') return [false, `Job ${id} is cancelling`];
        for (const o of job.ops) if (o.status === 'queued' || o.status === 'waiting') o.priority = priority;
        this.changed(id);
        return [true, `Priorities of pending opcodes for job ${id} have been changed to ${priority}`];
      },
    };
  }
}
