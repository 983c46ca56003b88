/**
 * Ganeti's lock retry strategy (LockAttemptTimeoutStrategy, design-2.1 "retry acquiring
 * locks"): a job asks for its locks with growing timeouts and lets go of everything between
 * attempts, so that it never sits on half of its locks while others could run. When the
 * timeouts are used up, the job's priority rises by one and the sequence starts again; at
 * the highest priority (−20) the next attempt blocks.
 *
 * Timeouts: t0 = 5 s, t(n+1) = max(5, min(75, (1.05·t(n))^1.25)) until their sum reaches
 * 1800 s (= 36000 s over the 20 priority steps) ⇒ 28 attempts; each attempt ±5 % jitter.
 * The recurrence is not scale-free, so it is computed in seconds and then scaled by
 * `unitMs` (1000 in production; tests use 1 to run the same sequence in milliseconds).
 */
import type { LockManager, LockLevel } from './manager.js';
import type { LockNames } from './lock-set.js';
import { PRIORITY_DEFAULT, PRIORITY_HIGHEST, checkPriority, type LockMode, type Owner } from './request.js';

export const LOCK_ATTEMPTS_MINWAIT = 5;
export const LOCK_ATTEMPTS_MAXWAIT = 75;
export const LOCK_ATTEMPTS_TIMEOUT = 1800;
export const LOCK_ATTEMPTS_JITTER = 0.05;

export interface RetryTiming {
  /** Seconds (in `unitMs` units): first and smallest timeout. */
  minWait?: number;
  /** Largest timeout. */
  maxWait?: number;
  /** Attempts continue until the timeouts add up to this. */
  total?: number;
  /** Relative jitter: each timeout is drawn uniformly from t·(1 ± jitter). */
  jitter?: number;
  /** Milliseconds per unit; default 1000. */
  unitMs?: number;
  /** Random source in [0, 1) for the jitter; default Math.random. */
  random?: () => number;
}

/** The timeout sequence in units (seconds), without jitter: 5, 7.95, 14.18, 29.25, 72.31, 75, ... */
export function lockAttemptTimeouts(timing: Pick<RetryTiming, 'minWait' | 'maxWait' | 'total'> = {}): number[] {
  const min = timing.minWait ?? LOCK_ATTEMPTS_MINWAIT;
  const max = timing.maxWait ?? LOCK_ATTEMPTS_MAXWAIT;
  const total = timing.total ?? LOCK_ATTEMPTS_TIMEOUT;
  const out = [min];
  let sum = min;
  while (sum < total) {
    const t = Math.max(min, Math.min(max, (out[out.length - 1]! * 1.05) ** 1.25));
    out.push(t);
    sum += t;
  }
  return out;
}

const DEFAULT_SEQUENCE = lockAttemptTimeouts();

/**
 * One pass over the sequence: `next()` gives the next timeout in milliseconds with jitter,
 * or `undefined` once the sequence is used up (a blocking attempt, if nothing else is done).
 */
export class LockAttemptTimeoutStrategy implements Iterator<number | undefined> {
  private readonly sequence: readonly number[];
  private readonly unitMs: number;
  private readonly jitter: number;
  private readonly random: () => number;
  private index = 0;

  constructor(timing: RetryTiming = {}) {
    const custom = timing.minWait !== undefined || timing.maxWait !== undefined || timing.total !== undefined;
    this.sequence = custom ? lockAttemptTimeouts(timing) : DEFAULT_SEQUENCE;
    this.unitMs = timing.unitMs ?? 1000;
    this.jitter = timing.jitter ?? LOCK_ATTEMPTS_JITTER;
    this.random = timing.random ?? Math.random;
  }

  /** True once every timed attempt has been handed out (Ganeti's `Peek() is None`). */
  get exhausted(): boolean {
    return this.index >= this.sequence.length;
  }

  /** Timed attempts handed out so far. */
  get attempts(): number {
    return this.index;
  }

  next(): IteratorResult<number | undefined> & { value: number | undefined } {
    if (this.exhausted) return { done: false, value: undefined };
    const t = this.sequence[this.index++]! * this.unitMs;
    return { done: false, value: t + (this.random() * 2 - 1) * this.jitter * t };
  }

  /** The next timeout in milliseconds, or undefined for a blocking attempt. */
  nextTimeout(): number | undefined {
    return this.next().value;
  }
}

/** The priority after a used-up sequence: one step higher, at most −20. */
export const raisedPriority = (priority: number): number => Math.max(PRIORITY_HIGHEST, priority - 1);

export interface RetryOptions {
  /** The job's priority to start with; default 0. */
  priority?: number;
  /**
   * Called after every failed (timed-out) attempt, before the next one, with the priority
   * the next attempt will use: the job queue marks the job "waiting" and records a raised
   * priority here. May return a promise, which is awaited.
   */
  onAttemptFailed?: (priority: number, info: { attempts: number; timeoutMs: number }) => void | Promise<void>;
  /** Cancels the whole loop (GNT_LOCK_ABORTED); nothing is held afterwards. */
  signal?: AbortSignal;
  timing?: RetryTiming;
}

export interface RetryResult {
  /** The priority the locks were finally acquired at. */
  priority: number;
  /** Attempts made, the successful one included. */
  attempts: number;
}

/**
 * Acquires locks the way Ganeti's job processor does: timed attempts following the strategy,
 * everything released between attempts; when a sequence is used up the priority rises one
 * step and a new sequence starts; at −20, after its sequence, the attempt blocks.
 */
export async function acquireWithRetry(
  manager: LockManager, owner: Owner, level: LockLevel, names: LockNames, mode: LockMode, options: RetryOptions = {},
): Promise<RetryResult> {
  let priority = checkPriority(options.priority ?? PRIORITY_DEFAULT);
  let strategy = new LockAttemptTimeoutStrategy(options.timing);
  let attempts = 0;
  for (;;) {
    const timeout = strategy.nextTimeout();
    attempts++;
    if (await manager.acquire(owner, level, names, mode, { timeout, priority, signal: options.signal })) {
      return { priority, attempts };
    }
    if (strategy.exhausted && priority > PRIORITY_HIGHEST) {
      priority = raisedPriority(priority);
      strategy = new LockAttemptTimeoutStrategy(options.timing);
    }
    await options.onAttemptFailed?.(priority, { attempts, timeoutMs: timeout ?? 0 });
  }
}
