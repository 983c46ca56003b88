import { ALL, EXCLUSIVE, SHARED, acquireWithRetry, type LockManager, type RetryTiming } from '../locks/index.js';
import { ALL_SET, type LockLevelName } from './logical-unit.js';
import { GanetiError } from '../errors/index.js';
import type { LockingService } from './processor.js';

/**
 * The processor's view of the lock manager: Ganeti's acquisition loop (timed attempts,
 * rising priority, blocking at −20), with each failed attempt reported so the job shows
 * `waiting` and records its raised priority.
 */
export function lockingService(manager: LockManager, timing?: RetryTiming): LockingService {
  return {
    async acquire(owner, level, names, shared, { priority, signal, onWaiting }) {
      if (names !== ALL_SET) await ensureNames(manager, level, names, signal);
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

/**
 * Lock names are made on first use: an instance's lock exists from the first job that
 * names it (its create), so a create and anything else naming the same instance
 * serialize on one lock (Ganeti's add_locks), and no list has to follow the config.
 */
async function ensureNames(manager: LockManager, level: LockLevelName, names: readonly string[], signal: AbortSignal): Promise<void> {
  const set = manager.level(level as Exclude<LockLevelName, 'cluster'>);
  for (;;) {
    const missing = names.filter((n) => !set.has(n));
    if (missing.length === 0) return;
    try {
      await manager.add(level as Exclude<LockLevelName, 'cluster'>, [...new Set(missing)], { signal });
      return;
    } catch (e) {
      // another job added one of them while this one waited: look again
      if (!(e instanceof GanetiError && e.code === 'GNT_LOCK_EXISTS')) throw e;
    }
  }
}
