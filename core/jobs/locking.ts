import { ALL, EXCLUSIVE, SHARED, acquireWithRetry, type LockManager, type RetryTiming } from '../locks/index.js';
import { ALL_SET } from './logical-unit.js';
import type { LockingService } from './processor.js';

/**
 * The processor's view of the lock manager: Ganeti's acquisition loop (timed attempts,
 * rising priority, blocking at −20), with each failed attempt reported so the job shows
 * `waiting` and records its raised priority.
 */
export function lockingService(manager: LockManager, timing?: RetryTiming): LockingService {
  return {
    async acquire(owner, level, names, shared, { priority, signal, onWaiting }) {
      await acquireWithRetry(manager, owner, level, names === ALL_SET ? ALL : names, shared ? SHARED : EXCLUSIVE, {
        priority,
        signal,
        ...(timing ? { timing } : {}),
        onAttemptFailed: (p) => onWaiting(p),
      });
    },
    releaseAll(owner) {
      manager.releaseAll(owner);
    },
  };
}
