import { isFinalized, type JobData, type JobStatus, type LogEntry, type LogType, type OpStatus, type QueuedOpcodeData } from './types.js';
import { jobStatus } from './status.js';
import { nowTimestamp } from './timestamp.js';
import type { OpCode } from './opcodes/definitions.js';

/**
 * A job in memory: its persistent data (exactly the `job-<id>` JSON), the AbortController
 * that cancels it, and change notification for WaitForJobChange.
 */
export class Job {
  readonly controller = new AbortController();
  #waiters = new Set<() => void>();
  #logSerial: number;
  /** Bumped on every change; lets waiters see that something changed. */
  version = 0;

  constructor(readonly data: JobData) {
    this.#logSerial = Math.max(0, ...data.ops.flatMap((o) => o.log.map((l) => l[0])));
  }

  static create(id: number, ops: readonly OpCode[]): Job {
    return new Job({
      id,
      ops: ops.map(
        (input): QueuedOpcodeData => ({
          input: input as QueuedOpcodeData['input'],
          status: 'queued',
          result: null,
          log: [],
          priority: typeof input.priority === 'number' ? input.priority : 0,
          start_timestamp: null,
          exec_timestamp: null,
          end_timestamp: null,
        }),
      ),
      received_timestamp: nowTimestamp(),
      start_timestamp: null,
      end_timestamp: null,
    });
  }

  get id(): number {
    return this.data.id;
  }

  get status(): JobStatus {
    return jobStatus(this.data.ops.map((o) => o.status));
  }

  get finalized(): boolean {
    return isFinalized(this.status);
  }

  /** Index of the first opcode not yet finished, or -1. */
  get currentOp(): number {
    return this.data.ops.findIndex((o) => !isFinalized(o.status));
  }

  /** The job's priority: the highest (lowest number) of its unfinished opcodes (Ganeti's rule). */
  get priority(): number {
    const open = this.data.ops.filter((o) => !isFinalized(o.status));
    return open.length ? Math.min(...open.map((o) => o.priority)) : (this.data.ops.at(-1)?.priority ?? 0);
  }

  get logSerial(): number {
    return this.#logSerial;
  }

  setOpStatus(i: number, status: OpStatus, result?: unknown): void {
    const op = this.data.ops[i]!;
    op.status = status;
    const now = nowTimestamp();
    if (status === 'waiting' || status === 'running') op.start_timestamp ??= now;
    if (status === 'running') op.exec_timestamp = now;
    if (isFinalized(status)) {
      op.end_timestamp = now;
      op.result = result ?? null;
    }
    if ((status === 'waiting' || status === 'running') && !this.data.start_timestamp) this.data.start_timestamp = now;
    if (this.finalized) this.data.end_timestamp ??= now;
    this.changed();
  }

  /** Marks the opcodes from `from` on as finished with `status` (after a failure or cancel). */
  finishRemaining(from: number, status: 'error' | 'canceled', result: unknown): void {
    for (let i = from; i < this.data.ops.length; i++) {
      if (!isFinalized(this.data.ops[i]!.status)) this.setOpStatus(i, status, result);
    }
  }

  setPriority(priority: number): void {
    for (const o of this.data.ops) if (!isFinalized(o.status)) o.priority = priority;
    this.changed();
  }

  log(i: number, type: LogType, message: unknown): void {
    const entry: LogEntry = [++this.#logSerial, nowTimestamp(), type, message];
    this.data.ops[i]!.log.push(entry);
    this.changed();
  }

  changed(): void {
    this.version++;
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const w of waiters) w();
  }

  /** Resolves at the next change, or after `timeoutMs`. */
  nextChange(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.#waiters.add(done);
    });
  }
}
