/**
 * What every lock request is made of: an owner, a mode, a priority and the options of a wait.
 * Shared by SharedLock, LockSet and LockManager so that the three speak the same words.
 */
import { GanetiError } from '../errors/index.js';

/**
 * Who holds or waits for a lock: any value compared by identity (a job id, a string, an
 * object). An owner has at most one request outstanding per lock; locks are not recursive.
 */
export type Owner = unknown;

/** Ganeti's two ownership modes, spelled as in locks.data and `gnt-debug locks`. */
export type LockMode = 'shared' | 'exclusive';
export const SHARED: LockMode = 'shared';
export const EXCLUSIVE: LockMode = 'exclusive';

/** Opcode priorities (Ganeti's OP_PRIO_*): lower numbers are served first. */
export const PRIORITY_HIGHEST = -20;
export const PRIORITY_LOWEST = 19;
export const PRIORITY_DEFAULT = 0;

export interface AcquireOptions {
  /**
   * Milliseconds to wait before giving up; the promise then resolves `false` and nothing of
   * the attempt is held (Ganeti returns "not acquired" rather than raising). Omitted: wait
   * until acquired. Zero or less: acquire only if it can be done at once.
   */
  timeout?: number | undefined;
  /** −20 (first) .. 19 (last), default 0; FIFO among waiters of the same priority. */
  priority?: number | undefined;
  /** Aborting rejects the wait with GNT_LOCK_ABORTED and drops the queued request. */
  signal?: AbortSignal | undefined;
}

export function checkMode(mode: unknown): asserts mode is LockMode {
  if (mode !== SHARED && mode !== EXCLUSIVE) {
    throw new GanetiError('GNT_LOCK_REQUEST_INVALID', { reason: `mode must be 'shared' or 'exclusive', not ${String(mode)}` });
  }
}

export function checkPriority(priority: number): number {
  if (!Number.isInteger(priority) || priority < PRIORITY_HIGHEST || priority > PRIORITY_LOWEST) {
    throw new GanetiError('GNT_LOCK_REQUEST_INVALID', {
      reason: `priority must be an integer from ${PRIORITY_HIGHEST} to ${PRIORITY_LOWEST}, not ${String(priority)}`,
    });
  }
  return priority;
}

/** A readable name for an owner in error messages (owners can be anything). */
export function ownerLabel(owner: Owner): string {
  if (typeof owner === 'string') return `owner '${owner}'`;
  if (typeof owner === 'object' && owner !== null) {
    try {
      const json = JSON.stringify(owner);
      if (json !== undefined && json !== '{}') return `owner ${json}`;
    } catch {
      // cyclic or otherwise unprintable: fall through
    }
  }
  return `owner ${String(owner)}`;
}

export const abortedError = (lock: string, signal: AbortSignal) =>
  new GanetiError('GNT_LOCK_ABORTED', { lock }, { cause: signal.reason });
