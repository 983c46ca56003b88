import { GanetiError, describeError } from '../errors/index.js';
import type { Logger } from '../contracts/context.js';
import type { PluginHost } from '../plugin-host/host.js';
import { Job } from './job.js';
import { Heap } from './heap.js';
import type { Processor } from './processor.js';
import type { QueueStore } from './queue-store.js';
import { encodeError } from '../errors/index.js';
import { validateOpcode } from './opcodes/validate.js';
import type { OpCode } from './opcodes/definitions.js';
import { isFinalized, type JobData, type JobStatus } from './types.js';
import { timestampSeconds } from './timestamp.js';

export interface JobQueueOptions {
  readonly store: QueueStore;
  readonly processor: Processor;
  readonly host: PluginHost;
  readonly log: Logger;
  /** Jobs running (or waiting for locks) at once; Ganeti's max_running_jobs, default 20. */
  readonly maxRunning?: number;
  /** Live (not archived) jobs at most; Ganeti's hard limit is 5000. */
  readonly maxJobs?: number;
}

type SubmitResult = [true, number] | [false, string];
interface Entry {
  readonly job: Job;
  readonly priority: number;
  readonly version: number;
}

/** Longest WaitForJobChange, as in Ganeti (its client asks for at most 89 s). */
const MAX_WAIT_S = 89;

/**
 * The job queue (interfaces §11): a job is persisted before its id is returned; jobs run in
 * priority order (−20 first, then by id), at most `maxRunning` at once, each opcode through
 * the Processor; dependencies on other jobs' final statuses; cancel; archive; wait for
 * change. After a restart, queued jobs run and jobs that were running are failed
 * (GNT_JOB_LOST): the process that ran them is gone, and with it their locks.
 */
export class JobQueue {
  readonly #jobs = new Map<number, Job>();
  readonly #ready = new Heap<Entry>((a, b) => a.priority < b.priority || (a.priority === b.priority && a.job.id < b.job.id));
  readonly #dependents = new Map<number, Set<Job>>();
  readonly #idleWaiters: (() => void)[] = [];
  #running = 0;
  #closed = false;
  #maxRunning: number;
  readonly #maxJobs: number;

  constructor(private readonly o: JobQueueOptions) {
    this.#maxRunning = o.maxRunning ?? 20;
    this.#maxJobs = o.maxJobs ?? 5000;
  }

  /** Loads the queue from disk and recovers it; returns what it found. */
  async open(): Promise<{ jobs: number; requeued: number; lost: number }> {
    await this.o.store.open();
    const all = await this.o.store.loadAll();
    let requeued = 0;
    let lost = 0;
    for (const data of all) {
      const job = new Job(data);
      this.#jobs.set(job.id, job);
      const status = job.status;
      if (status === 'running' || status === 'canceling') {
        job.finishRemaining(job.currentOp, 'error', encodeError(new GanetiError('GNT_JOB_LOST', { job: String(job.id) })));
        lost++;
        this.#persist(job);
      } else if (status === 'queued' || status === 'waiting') {
        for (const op of job.data.ops) if (op.status === 'waiting') op.status = 'queued';
        const bad = this.#invalidInput(job);
        if (bad) {
          job.finishRemaining(job.currentOp, 'error', encodeError(bad));
          this.#persist(job);
          continue;
        }
        requeued++;
        this.#persist(job);
        this.#enqueue(job);
      }
    }
    this.o.store.flush();
    if (all.length) {
      await this.o.store.allocate(0, Math.max(...all.map((j) => j.id)));
      await this.o.store.syncSerial();
    }
    this.#pump();
    return { jobs: all.length, requeued, lost };
  }

  /** A job read back from disk is checked again (and its defaults filled) before it runs. */
  #invalidInput(job: Job): GanetiError | undefined {
    try {
      for (const op of job.data.ops) if (!isFinalized(op.status)) op.input = validateOpcode(op.input) as unknown as typeof op.input;
      return undefined;
    } catch (e) {
      return e instanceof GanetiError ? e : new GanetiError('GNT_INTERNAL', { reason: describeError(e) });
    }
  }

  /** Stops starting jobs; running ones are aborted; every write is flushed. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#jobs.values()) if (!job.finalized && this.#isActive(job)) job.controller.abort();
    await this.idle();
    this.o.store.flush();
  }

  get size(): number {
    return this.#jobs.size;
  }

  job(id: number): Job | undefined {
    return this.#jobs.get(id);
  }

  jobs(): Job[] {
    return [...this.#jobs.values()];
  }

  /** Ids of the archived jobs, ascending (read from the archive folders). */
  archivedIds(): Promise<number[]> {
    return this.o.store.archivedIds();
  }

  /** Live or archived job data, or null. */
  async jobData(id: number): Promise<JobData | null> {
    return this.#jobs.get(id)?.data ?? (await this.o.store.loadArchived(id));
  }

  /** SubmitJob: the job id once the job is on disk. */
  async submit(ops: unknown, options: { ignoreDrain?: boolean } = {}): Promise<number> {
    const [result] = await this.submitMany([ops], options);
    if (!result![0]) throw result![2]!;
    return result![1];
  }

  /** SubmitManyJobs: per job `[true, id]` or `[false, reason]`; relative dependencies resolved. */
  async submitMany(batch: readonly unknown[], options: { ignoreDrain?: boolean } = {}): Promise<(SubmitResult & { 2?: GanetiError })[]> {
    if (!options.ignoreDrain && (await this.o.store.isDrained())) {
      const e = new GanetiError('GNT_JOB_QUEUE_DRAINED', {});
      return batch.map(() => Object.assign([false, e.toLine()] as SubmitResult, { 2: e }));
    }
    const checked = batch.map((ops): OpCode[] | GanetiError => {
      try {
        if (!Array.isArray(ops) || ops.length === 0)
          throw new GanetiError('GNT_OPCODE_INVALID', { opcode: '(job)', field: 'ops', problem: 'must be a non-empty list of opcodes' });
        return ops.map(validateOpcode);
      } catch (e) {
        return e instanceof GanetiError ? e : new GanetiError('GNT_INTERNAL', { reason: describeError(e) });
      }
    });
    const valid = checked.filter((c) => !(c instanceof GanetiError)).length;
    const room = this.#maxJobs - this.#jobs.size;
    const ids = await this.o.store.allocate(Math.min(valid, Math.max(0, room)));
    const results: (SubmitResult & { 2?: GanetiError })[] = [];
    const created: Job[] = [];
    let next = 0;
    checked.forEach((c, i) => {
      let error: GanetiError | undefined = c instanceof GanetiError ? c : undefined;
      if (!error && next >= ids.length) error = new GanetiError('GNT_JOB_QUEUE_FULL', { limit: String(this.#maxJobs) });
      const ops = c as OpCode[];
      if (!error) {
        const id = ids[next++]!;
        try {
          const resolved = ops.map((op) => this.#resolveRelative(op, i, results));
          const job = Job.create(id, resolved);
          created.push(job);
          results.push([true, id]);
          return;
        } catch (e) {
          error = e as GanetiError;
        }
      }
      results.push(Object.assign([false, error!.toLine()] as SubmitResult, { 2: error }));
    });
    await this.o.store.writeNew(created.map((j) => j.data));
    for (const job of created) {
      this.#jobs.set(job.id, job);
      this.#enqueue(job);
    }
    this.#pump();
    return results;
  }

  /** Relative dependencies (negative ids) point at earlier jobs of the same submission. */
  #resolveRelative(op: OpCode, index: number, earlier: readonly SubmitResult[]): OpCode {
    if (!op.depends?.some(([id]) => id < 0)) return op;
    const depends = op.depends.map(([id, statuses]) => {
      if (id >= 0) return [id, statuses] as const;
      const target = earlier[index + id];
      if (!target || !target[0])
        throw new GanetiError('GNT_JOB_DEPENDENCY', { job: `#${index}`, dependency: String(id), problem: 'was not submitted in this batch' });
      return [target[1], statuses] as const;
    });
    return { ...op, depends };
  }

  /** CancelJob: `[success, message]` as Ganeti answers. */
  async cancel(id: number, kill = false): Promise<[boolean, string]> {
    const job = this.#jobs.get(id);
    if (!job) return [false, `Job ${id} not found`];
    const status = job.status;
    if (isFinalized(status)) return [false, `Job ${id} is no longer waiting in the queue`];
    if (status === 'running' && !kill) return [false, "Job no longer waiting, can't cancel (informed it anyway)"];
    const canceled = encodeError(new GanetiError('GNT_JOB_CANCELED', { job: String(id) }));
    job.controller.abort();
    if (!this.#isActive(job)) {
      // queued or waiting for another job: nothing runs, finish it here
      job.finishRemaining(0, 'canceled', canceled);
      this.#persist(job);
      this.#finished(job);
      return [true, `Job ${id} canceled`];
    }
    const i = job.currentOp;
    if (i >= 0 && job.data.ops[i]!.status === 'waiting') job.setOpStatus(i, 'canceling');
    this.#persist(job);
    return [true, kill ? `Job ${id} will be killed` : `Job ${id} will be canceled`];
  }

  /** ChangeJobPriority for a job that has not started running. */
  async changePriority(id: number, priority: number): Promise<[boolean, string]> {
    const job = this.#jobs.get(id);
    if (!job) return [false, `Job ${id} not found`];
    if (!Number.isInteger(priority) || priority < -20 || priority > 19) return [false, `Invalid priority ${priority}, must be between -20 and 19`];
    const status = job.status;
    if (status !== 'queued' && status !== 'waiting') return [false, `Job ${id} is ${status}, its priority can no longer change`];
    job.setPriority(priority);
    this.#persist(job);
    if (!this.#isActive(job) && status === 'queued') this.#enqueue(job);
    this.#pump();
    return [true, `Priorities of pending opcodes for job ${id} have been changed to ${priority}`];
  }

  /** ArchiveJob: moves a finished job to the archive. */
  async archive(id: number): Promise<boolean> {
    const job = this.#jobs.get(id);
    if (!job || !job.finalized) return false;
    this.#jobs.delete(id);
    await this.o.store.archive(id);
    return true;
  }

  /** AutoArchiveJobs: archives finished jobs that ended more than `ageS` ago (negative: all). */
  async autoArchive(ageS: number, timeoutS: number): Promise<[number, number]> {
    const deadline = Date.now() + Math.max(0, timeoutS) * 1000;
    const cutoff = Date.now() / 1000 - ageS;
    const done = [...this.#jobs.values()].filter((j) => j.finalized).sort((a, b) => a.id - b.id);
    let archived = 0;
    let i = 0;
    for (; i < done.length && Date.now() < deadline; i++) {
      const j = done[i]!;
      const ended = timestampSeconds(j.data.end_timestamp) ?? timestampSeconds(j.data.start_timestamp) ?? timestampSeconds(j.data.received_timestamp) ?? 0;
      if (ageS < 0 || ended < cutoff) {
        if (await this.archive(j.id)) archived++;
      }
    }
    return [archived, done.length - i];
  }

  /**
   * WaitForJobChange: calls `check` on the job now and after each change until it returns
   * something (the caller decides what counts as a change, e.g. core/query's jobChange), or
   * answers 'nochange' after `timeoutS` (at most 89 s, as in Ganeti).
   */
  async waitForChange<T>(id: number, check: (job: JobData) => T | null, timeoutS: number): Promise<T | 'nochange'> {
    const job = this.#jobs.get(id);
    if (!job) throw new GanetiError('GNT_JOB_NOT_FOUND', { job: String(id) });
    const deadline = Date.now() + Math.min(Math.max(0, timeoutS), MAX_WAIT_S) * 1000;
    for (;;) {
      const answer = check(job.data);
      if (answer !== null) return answer;
      const left = deadline - Date.now();
      if (left <= 0) return 'nochange';
      await job.nextChange(left);
    }
  }

  isDrained(): Promise<boolean> {
    return this.o.store.isDrained();
  }

  setDrained(flag: boolean): Promise<void> {
    return this.o.store.setDrained(flag);
  }

  /** Resolves when nothing is queued or running (tests, benchmarks, shutdown). */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((r) => this.#idleWaiters.push(r));
  }

  /** Nothing runs and nothing will start: the ready jobs of a closed queue wait for the next master. */
  #isIdle(): boolean {
    return this.#running === 0 && (this.#closed || this.#ready.size === 0);
  }

  /** Changes max_running_jobs (gnt-cluster modify --max-running-jobs). */
  setMaxRunning(n: number): void {
    this.#maxRunning = n;
    this.#pump();
  }

  // ---- scheduling ----

  #active = new Set<Job>();
  #isActive(job: Job): boolean {
    return this.#active.has(job);
  }

  #enqueue(job: Job): void {
    this.#ready.push({ job, priority: job.priority, version: job.version });
  }

  #pump(): void {
    while (!this.#closed && this.#running < this.#maxRunning) {
      const e = this.#ready.pop();
      if (!e) break;
      const { job } = e;
      if (job.finalized || this.#active.has(job) || e.priority !== job.priority) continue; // stale entry
      this.#running++;
      this.#active.add(job);
      void this.#runJob(job).finally(() => {
        this.#running--;
        this.#active.delete(job);
        if (job.finalized) this.#finished(job);
        this.#pump();
        if (this.#isIdle()) this.#idleWaiters.splice(0).forEach((r) => r());
      });
    }
    if (this.#isIdle()) this.#idleWaiters.splice(0).forEach((r) => r());
  }

  #persist(job: Job): void {
    this.o.store.update(job.id, () => job.data);
  }

  /** A job ended: wake the jobs that wait for it. */
  #finished(job: Job): void {
    const waiting = this.#dependents.get(job.id);
    if (!waiting) return;
    this.#dependents.delete(job.id);
    for (const j of waiting) if (!j.finalized) this.#enqueue(j);
    this.#pump();
  }

  async #runJob(job: Job): Promise<void> {
    const signal = job.controller.signal;
    for (let i = job.currentOp; i >= 0; i = job.currentOp) {
      const op = job.data.ops[i]!;
      const dep = await this.#checkDependencies(job, op.input.depends as [number, JobStatus[]][] | null | undefined);
      if (dep === 'wait') {
        if (op.status !== 'waiting') job.setOpStatus(i, 'waiting');
        this.#persist(job);
        return;
      }
      if (dep) {
        job.finishRemaining(i, dep.status, encodeError(dep.error));
        this.#persist(job);
        return;
      }
      if (signal.aborted) {
        job.finishRemaining(i, 'canceled', encodeError(new GanetiError('GNT_JOB_CANCELED', { job: String(job.id) })));
        this.#persist(job);
        return;
      }
      job.setOpStatus(i, 'waiting');
      this.#persist(job);
      try {
        const result = await this.o.processor.run(op.input, {
          jobId: job.id,
          opIndex: i,
          priority: job.priority,
          signal,
          waiting: (p) => {
            if (p !== op.priority) job.setPriority(p);
            if (op.status !== 'waiting') job.setOpStatus(i, 'waiting');
            this.#persist(job);
          },
          running: async () => {
            job.setOpStatus(i, 'running');
            this.o.store.writeNow(job.id, job.data); // on disk before exec: a restart must not run it again
          },
          feedback: (m) => {
            job.log(i, 'message', m);
            this.#persist(job);
          },
        });
        job.setOpStatus(i, 'success', result);
        this.#persist(job);
        await this.#afterOpcode(op.input, { status: 'success', result });
      } catch (e) {
        const canceled = signal.aborted;
        const error = canceled ? new GanetiError('GNT_JOB_CANCELED', { job: String(job.id) }, { cause: e }) : e;
        job.setOpStatus(i, canceled ? 'canceled' : 'error', encodeError(error));
        job.finishRemaining(i + 1, canceled ? 'canceled' : 'error', encodeError(new GanetiError('GNT_INTERNAL', { reason: 'Error in previous opcode' })));
        this.#persist(job);
        await this.#afterOpcode(op.input, { status: canceled ? 'canceled' : 'error', error: error as Error });
        return;
      }
    }
  }

  async #afterOpcode(input: JobData['ops'][number]['input'], outcome: { status: 'success' | 'error' | 'canceled'; result?: unknown; error?: Error }): Promise<void> {
    try {
      await this.o.host.hooks.afterOpcode.promise(input, outcome);
    } catch (e) {
      this.o.log.warn(describeError(e)); // observers cannot change the outcome
    }
  }

  /** 'wait', a failure for the job, or undefined to go on (interfaces §11 dependency rules). */
  async #checkDependencies(job: Job, depends: [number, JobStatus[]][] | null | undefined): Promise<'wait' | { status: 'error' | 'canceled'; error: GanetiError } | undefined> {
    for (const [depId, statuses] of depends ?? []) {
      const dep = this.#jobs.get(depId);
      const data = dep?.data ?? (await this.o.store.loadArchived(depId));
      const fail = (status: 'error' | 'canceled', problem: string) => ({
        status,
        error: new GanetiError('GNT_JOB_DEPENDENCY', { job: String(job.id), dependency: String(depId), problem }),
      });
      if (!data) return fail('error', 'does not exist');
      const depStatus = dep ? dep.status : new Job(data).status;
      if (!isFinalized(depStatus)) {
        let set = this.#dependents.get(depId);
        if (!set) this.#dependents.set(depId, (set = new Set()));
        set.add(job);
        return 'wait';
      }
      const allowed: readonly JobStatus[] = statuses.length ? statuses : ['success', 'error'];
      if (allowed.includes(depStatus)) continue;
      if (depStatus === 'canceled') return fail('canceled', 'was canceled');
      return fail('error', `ended in status '${depStatus}', not in [${allowed.join(', ')}]`);
    }
    return undefined;
  }
}
