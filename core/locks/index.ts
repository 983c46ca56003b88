/**
 * The lock manager: SharedLock (one fair queue, shared batches), LockSet (named locks of one
 * level, sorted acquisition, whole-set locking), LockManager (Ganeti's levels and their
 * order), the retry strategy with rising priority, and locks.data persistence.
 */
export {
  SHARED, EXCLUSIVE, PRIORITY_HIGHEST, PRIORITY_LOWEST, PRIORITY_DEFAULT, ownerLabel,
  type Owner, type LockMode, type AcquireOptions,
} from './request.js';
export { SharedLock, type LockInfo, type LockOwnerInfo, type LockPendingInfo } from './shared-lock.js';
export { LockSet, ALL, LOCKSET_NAME, type LockNames, type PendingRequest, type AddOptions, type RemoveOptions } from './lock-set.js';
export { LockManager, LEVELS, BGL, levelIndex, type LockLevel, type OwnedLock, type PendingAcquire } from './manager.js';
export {
  lockAttemptTimeouts, LockAttemptTimeoutStrategy, acquireWithRetry, raisedPriority,
  LOCK_ATTEMPTS_MINWAIT, LOCK_ATTEMPTS_MAXWAIT, LOCK_ATTEMPTS_TIMEOUT, LOCK_ATTEMPTS_JITTER,
  type RetryTiming, type RetryOptions, type RetryResult,
} from './retry.js';
export {
  locksDataOf, formatLocksData, parseLocksData, restoreLocks, parseLockName, defaultClientId,
  type ClientId, type LocksData, type LockAllocationEntry, type LockPendingEntry, type LockRequestMode, type RestoreResult,
} from './persistence.js';
