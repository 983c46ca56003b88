/**
 * SharedLock: one lock with shared and exclusive owners and a single fair queue of waiters
 * (Ganeti's design-2.1 redesign).
 *
 * - One queue, ordered by priority (−20 first) and FIFO within a priority. A request joins
 *   the queue whenever anyone waits, even if the lock could be shared right now: a shared
 *   request behind an exclusive one waits for it, so writers are never starved.
 * - Consecutive shared requests of one priority form one queue entry and are granted
 *   together; after a shared batch is granted, the next entries are granted too as long as
 *   they are shared (they are compatible), and the first exclusive entry stops the walk.
 * - Ownership is handed over at release time, synchronously: the woken waiter already owns
 *   the lock when its promise settles, so nobody can barge in between.
 * - The uncontended path is synchronous (`tryAcquire`), and `acquire` returns a shared,
 *   already-resolved promise then, so the common case costs no allocation.
 * - A timeout resolves `false` (Ganeti's "not acquired"); deletion and abort reject.
 */
import { GanetiError } from '../errors/index.js';
import { OwnerSet } from './owner-set.js';
import {
  EXCLUSIVE, PRIORITY_DEFAULT, SHARED, abortedError, checkMode, checkPriority, ownerLabel,
  type AcquireOptions, type LockMode, type Owner,
} from './request.js';

const NONE: unique symbol = Symbol('no owner');
const ACQUIRED: Promise<boolean> = Promise.resolve(true);
const NOT_ACQUIRED: Promise<boolean> = Promise.resolve(false);
/** setTimeout fires at once above this (2^31−1 ms, ~24.8 days); longer waits are clamped. */
const MAX_TIMER_MS = 0x7fffffff;

interface Waiter {
  readonly owner: Owner;
  readonly entry: Entry;
  readonly resolve: (acquired: boolean) => void;
  readonly reject: (error: unknown) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  done: boolean;
}

/** One place in the queue: a single exclusive request, or a batch of shared requests. */
interface Entry {
  readonly mode: LockMode;
  readonly priority: number;
  readonly waiters: Waiter[];
  live: number;
  prev: Entry | null;
  next: Entry | null;
}

export interface LockOwnerInfo {
  owner: Owner;
  mode: LockMode;
}

export interface LockPendingInfo {
  mode: LockMode;
  priority: number;
  owners: Owner[];
}

/** What `gnt-debug locks` shows for one lock. */
export interface LockInfo {
  name: string;
  /** Current mode, null when free. */
  mode: LockMode | null;
  owners: LockOwnerInfo[];
  /** Queue entries in the order they will be served. */
  pending: LockPendingInfo[];
}

export class SharedLock {
  private exclusive: Owner | typeof NONE = NONE;
  private readonly sharers = new OwnerSet();
  private head: Entry | null = null;
  private tail: Entry | null = null;
  private waiting = 0;
  private isDeleted = false;

  constructor(readonly name: string) {}

  get deleted(): boolean {
    return this.isDeleted;
  }

  /** Number of requests waiting in the queue. */
  get pendingCount(): number {
    return this.waiting;
  }

  /** The current mode, or null when nobody holds the lock. */
  get mode(): LockMode | null {
    return this.exclusive !== NONE ? EXCLUSIVE : this.sharers.size > 0 ? SHARED : null;
  }

  /**
   * Takes the lock now if that is fair: it is free for this mode and nobody is queued.
   * Throws GNT_LOCK_DELETED on a deleted lock and GNT_LOCK_ALREADY_OWNED on a second hold.
   */
  tryAcquire(owner: Owner, mode: LockMode): boolean {
    if (this.isDeleted) throw new GanetiError('GNT_LOCK_DELETED', { lock: this.name });
    if (this.exclusive === owner || this.sharers.has(owner)) {
      throw new GanetiError('GNT_LOCK_ALREADY_OWNED', { owner: ownerLabel(owner), lock: this.name });
    }
    if (this.head !== null) return false;
    if (mode === EXCLUSIVE) {
      if (this.exclusive !== NONE || this.sharers.size !== 0) return false;
      this.exclusive = owner;
      return true;
    }
    if (mode !== SHARED) checkMode(mode);
    if (this.exclusive !== NONE) return false;
    this.sharers.add(owner);
    return true;
  }

  /**
   * Acquires the lock, waiting in the queue if needed. Resolves `true` once held, `false`
   * if `timeout` ran out first (nothing held then); rejects with GNT_LOCK_DELETED if the
   * lock is or gets deleted, GNT_LOCK_ABORTED if `signal` aborts.
   */
  acquire(owner: Owner, mode: LockMode, options?: AcquireOptions): Promise<boolean> {
    let priority = PRIORITY_DEFAULT;
    const signal = options?.signal;
    try {
      if (options?.priority !== undefined) priority = checkPriority(options.priority);
      if (signal?.aborted) throw abortedError(this.name, signal);
      if (this.tryAcquire(owner, mode)) return ACQUIRED;
    } catch (e) {
      return Promise.reject(e);
    }
    const timeout = options?.timeout;
    if (timeout !== undefined && !(timeout > 0)) return NOT_ACQUIRED;
    return new Promise<boolean>((resolve, reject) => {
      const w = this.enqueue(owner, mode, priority, resolve, reject);
      if (timeout !== undefined) w.timer = setTimeout(this.expire, Math.min(timeout, MAX_TIMER_MS), w);
      if (signal !== undefined) {
        w.signal = signal;
        w.onAbort = () => this.cancel(w, abortedError(this.name, signal));
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
      // A higher priority than every waiter puts us first: we may be compatible already.
      if (this.head === w.entry) this.dispatch();
    });
  }

  release(owner: Owner): void {
    if (this.exclusive === owner) this.exclusive = NONE;
    else if (!this.sharers.delete(owner)) {
      throw new GanetiError('GNT_LOCK_NOT_OWNED', { owner: ownerLabel(owner), lock: this.name, how: '' });
    }
    if (this.head !== null) this.dispatch();
  }

  /** Exclusive to shared, without letting anyone in between; queued shared batches follow. */
  downgrade(owner: Owner): void {
    if (this.exclusive !== owner) {
      throw new GanetiError('GNT_LOCK_NOT_OWNED', { owner: ownerLabel(owner), lock: this.name, how: ' exclusively' });
    }
    this.exclusive = NONE;
    this.sharers.add(owner);
    if (this.head !== null) this.dispatch();
  }

  /**
   * Makes the lock unusable: every waiter is rejected with GNT_LOCK_DELETED, and so is every
   * later acquire. Only the exclusive holder may delete a held lock (`owner`), or anyone a
   * free one; a lock held shared cannot be deleted (Ganeti's rule).
   */
  delete(owner?: Owner): void {
    if (this.isDeleted) throw new GanetiError('GNT_LOCK_DELETED', { lock: this.name });
    const held = this.exclusive !== NONE || this.sharers.size !== 0;
    if (held && (this.exclusive === NONE || this.exclusive !== owner)) {
      throw new GanetiError('GNT_LOCK_NOT_OWNED', {
        owner: ownerLabel(owner), lock: this.name, how: ' exclusively, which deleting a held lock needs',
      });
    }
    this.isDeleted = true;
    this.exclusive = NONE;
    for (let e = this.head; e !== null; e = e.next) {
      for (const w of e.waiters) {
        if (w.done) continue;
        this.settle(w);
        w.reject(new GanetiError('GNT_LOCK_DELETED', { lock: this.name }));
      }
    }
    this.head = this.tail = null;
    this.waiting = 0;
  }

  /** The mode `owner` holds the lock in, or null. */
  ownerMode(owner: Owner): LockMode | null {
    return this.exclusive === owner ? EXCLUSIVE : this.sharers.has(owner) ? SHARED : null;
  }

  /** Whether `owner` holds the lock (in `mode`, if given). */
  isOwned(owner: Owner, mode?: LockMode): boolean {
    const m = this.ownerMode(owner);
    return m !== null && (mode === undefined || m === mode);
  }

  owners(): LockOwnerInfo[] {
    if (this.exclusive !== NONE) return [{ owner: this.exclusive, mode: EXCLUSIVE }];
    return [...this.sharers].map((owner) => ({ owner, mode: SHARED }));
  }

  info(): LockInfo {
    const pending: LockPendingInfo[] = [];
    for (let e = this.head; e !== null; e = e.next) {
      pending.push({ mode: e.mode, priority: e.priority, owners: e.waiters.filter((w) => !w.done).map((w) => w.owner) });
    }
    return { name: this.name, mode: this.mode, owners: this.owners(), pending };
  }

  // --- queue ---------------------------------------------------------------------------------

  private enqueue(owner: Owner, mode: LockMode, priority: number, resolve: Waiter['resolve'], reject: Waiter['reject']): Waiter {
    // Insert after the last entry that is served before us (same or higher priority).
    let after = this.tail;
    while (after !== null && after.priority > priority) after = after.prev;
    let entry: Entry;
    if (mode === SHARED && after !== null && after.mode === SHARED && after.priority === priority) {
      entry = after; // consecutive shared requests are one batch
    } else {
      entry = { mode, priority, waiters: [], live: 0, prev: after, next: after === null ? this.head : after.next };
      if (entry.next !== null) entry.next.prev = entry;
      else this.tail = entry;
      if (after !== null) after.next = entry;
      else this.head = entry;
    }
    const w: Waiter = { owner, entry, resolve, reject, timer: undefined, signal: undefined, onAbort: undefined, done: false };
    entry.waiters.push(w);
    entry.live++;
    this.waiting++;
    return w;
  }

  private unlink(e: Entry): void {
    if (e.prev !== null) e.prev.next = e.next;
    else this.head = e.next;
    if (e.next !== null) e.next.prev = e.prev;
    else this.tail = e.prev;
    e.prev = e.next = null;
  }

  /** Grants from the head of the queue for as long as the head is compatible. */
  private dispatch(): void {
    let e = this.head;
    while (e !== null) {
      if (e.mode === EXCLUSIVE) {
        if (this.exclusive !== NONE || this.sharers.size !== 0) return;
        this.unlink(e);
        const w = e.waiters[0]!;
        this.settle(w);
        this.exclusive = w.owner;
        w.resolve(true);
        return;
      }
      if (this.exclusive !== NONE) return;
      this.unlink(e);
      for (const w of e.waiters) {
        if (w.done) continue;
        this.settle(w);
        if (!this.sharers.has(w.owner)) this.sharers.add(w.owner);
        w.resolve(true);
      }
      e = this.head;
    }
  }

  /** Marks a waiter as served (granted, expired, aborted or rejected) and drops its hooks. */
  private settle(w: Waiter): void {
    w.done = true;
    this.waiting--;
    if (w.timer !== undefined) clearTimeout(w.timer);
    if (w.onAbort !== undefined) w.signal!.removeEventListener('abort', w.onAbort);
  }

  private cancel(w: Waiter, error: unknown): void {
    if (w.done) return;
    this.settle(w);
    if (--w.entry.live === 0) this.unlink(w.entry);
    if (error === undefined) w.resolve(false);
    else w.reject(error);
    // If the cancelled entry was at the head, the ones behind it may fit now.
    if (this.head !== null) this.dispatch();
  }

  private readonly expire = (w: Waiter): void => this.cancel(w, undefined);
}
