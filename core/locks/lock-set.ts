/**
 * LockSet: the named SharedLocks of one level plus the level's set lock (`<level>/[lockset]`).
 *
 * Rules (Ganeti's, §12 of the interface digest):
 * - Elements are always taken in sorted order (plain code-unit order), so two owners asking
 *   for overlapping sets can never deadlock.
 * - Owning an element implies a shared hold on the set lock; the set lock is really taken,
 *   so an exclusive request for the whole set queues fairly against element requests.
 * - The whole set (`ALL`) in mode m = the set lock in m plus every element in m. While an
 *   owner holds the whole set (either mode) `add` waits (one exception, see blockedByAll),
 *   and `remove` waits on the elements; an owner holding part of the set removes only
 *   locks it holds exclusively, so removal never waits out of order.
 * - An attempt with a timeout covers the whole set; when it runs out, everything taken in
 *   this attempt is released again and the attempt resolves `false` (design-2.1: a waiting
 *   operation must not sit on half of its locks and block others).
 * - While the locks are free everything happens synchronously; only contention awaits.
 * - An owner makes one acquisition per set (no second acquire while holding or waiting).
 */
import { GanetiError, isGanetiError } from '../errors/index.js';
import { SharedLock, type LockInfo } from './shared-lock.js';
import {
  EXCLUSIVE, PRIORITY_DEFAULT, SHARED, abortedError, checkMode, checkPriority, ownerLabel,
  type AcquireOptions, type LockMode, type Owner,
} from './request.js';

/** Ask for every lock of the set (Ganeti's ALL_SET). */
export const ALL: unique symbol = Symbol('ALL');
export type LockNames = readonly string[] | typeof ALL;
/** Name of the set lock within its level, as in Ganeti (`instance/[lockset]`). */
export const LOCKSET_NAME = '[lockset]';

const ACQUIRED: Promise<boolean> = Promise.resolve(true);
const NOT_ACQUIRED: Promise<boolean> = Promise.resolve(false);

interface Holding {
  /** Non-null when the owner holds the whole set, in this mode. */
  all: LockMode | null;
  /** Elements held, in acquisition order; replaced, never mutated (it may be shared). */
  locks: readonly SharedLock[];
}

/** An acquisition in progress, kept for `pending()` (locks.data) and the one-attempt rule. */
interface Attempt {
  readonly owner: Owner;
  readonly priority: number;
  readonly mode: LockMode;
  readonly all: boolean;
  setPending: boolean;
  locks: readonly SharedLock[] | null;
  index: number;
  /** Elements taken so far: really held, so they show in `owned()` and locks.data. */
  readonly held: SharedLock[];
  readonly stop: AbortController;
  abandoned: boolean;
}

export interface PendingRequest {
  owner: Owner;
  priority: number;
  /** Full lock names still to be granted, with the mode asked for. */
  requests: Array<[string, LockMode]>;
}

export interface AddOptions {
  /** Give the new locks to this owner right away (Ganeti's `add(acquired=1)`). */
  owner?: Owner;
  /** Mode for `owner`; default exclusive. */
  mode?: LockMode;
  priority?: number;
  signal?: AbortSignal;
}

export interface RemoveOptions {
  /** Who removes: its exclusively held elements go at once, others are acquired first. */
  owner?: Owner;
  priority?: number;
  signal?: AbortSignal;
}

const isDeletedError = (e: unknown) => isGanetiError(e) && e.code === 'GNT_LOCK_DELETED';

export class LockSet {
  /** The set lock: held shared by every element owner, or in the ALL mode by whole-set owners. */
  readonly setLock: SharedLock;
  private readonly prefix: string;
  private readonly locks = new Map<string, SharedLock>();
  private sortedCache: readonly SharedLock[] | null = null;
  private readonly holdings = new Map<Owner, Holding>();
  private readonly attempts = new Map<Owner, Attempt>();
  /** Owners holding the set lock for ALL (granted, possibly still taking elements). */
  private readonly allOwners = new Set<Owner>();
  private addWaiters: Array<() => void> = [];

  constructor(readonly level: string, names: Iterable<string> = []) {
    this.prefix = `${level}/`;
    this.setLock = new SharedLock(this.prefix + LOCKSET_NAME);
    for (const name of names) {
      checkName(name);
      if (this.locks.has(name)) throw new GanetiError('GNT_LOCK_EXISTS', { lock: this.prefix + name });
      this.locks.set(name, new SharedLock(this.prefix + name));
    }
  }

  /** Element names, sorted. */
  names(): string[] {
    return this.sorted.map((l) => this.key(l));
  }

  has(name: string): boolean {
    return this.locks.has(name);
  }

  get size(): number {
    return this.locks.size;
  }

  /** The element lock called `name` (for introspection and tests). */
  lock(name: string): SharedLock | undefined {
    return this.locks.get(name);
  }

  // --- acquiring -----------------------------------------------------------------------------

  /**
   * Acquires `names` (or `ALL`) in `mode`. Resolves `true` when everything is held, `false`
   * if `timeout` (for the whole attempt) ran out, in which case nothing of it is held.
   * Rejects with GNT_LOCK_DELETED if a named lock does not exist or is removed meanwhile
   * (for ALL, removed locks are simply skipped), with GNT_LOCK_ABORTED on abort.
   */
  acquire(owner: Owner, names: LockNames, mode: LockMode, options?: AcquireOptions): Promise<boolean> {
    const all = names === ALL;
    try {
      checkMode(mode);
      if (options?.priority !== undefined) checkPriority(options.priority);
      this.checkNotEngaged(owner);
      if (options?.signal?.aborted) throw abortedError(this.setLock.name, options.signal);
      let locks: readonly SharedLock[] | null = all ? null : this.resolve(names);
      const immediate = options?.timeout !== undefined && !(options.timeout > 0);
      if (!this.setLock.tryAcquire(owner, all ? mode : SHARED)) {
        return immediate ? NOT_ACQUIRED : this.acquireSlow(owner, all, mode, null, locks, options);
      }
      if (all) {
        this.allOwners.add(owner);
        locks = this.sorted;
      }
      const taken = this.takeFree(owner, locks!, mode);
      if (taken === locks!.length) {
        this.holdings.set(owner, { all: all ? mode : null, locks: locks! });
        return ACQUIRED;
      }
      if (immediate) {
        this.rollback(owner, locks!.slice(0, taken), true);
        return NOT_ACQUIRED;
      }
      return this.acquireSlow(owner, all, mode, taken, locks, options);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** All or nothing, now: `true` if everything was free and is now held. */
  tryAcquire(owner: Owner, names: LockNames, mode: LockMode): boolean {
    checkMode(mode);
    this.checkNotEngaged(owner);
    const all = names === ALL;
    let locks: readonly SharedLock[] | null = all ? null : this.resolve(names);
    if (!this.setLock.tryAcquire(owner, all ? mode : SHARED)) return false;
    if (all) locks = this.sorted;
    const taken = this.takeFree(owner, locks!, mode);
    if (taken < locks!.length) {
      this.rollback(owner, locks!.slice(0, taken), true);
      return false;
    }
    if (all) this.allOwners.add(owner);
    this.holdings.set(owner, { all: all ? mode : null, locks: locks! });
    return true;
  }

  /**
   * Opportunistic locking (Ganeti's `opportunistic_locking`): takes, now, whichever of
   * `names` are free and returns their names; never waits.
   */
  acquireOpportunistic(owner: Owner, names: readonly string[], mode: LockMode): string[] {
    checkMode(mode);
    this.checkNotEngaged(owner);
    const locks = this.resolve(names);
    if (!this.setLock.tryAcquire(owner, SHARED)) return [];
    const got: SharedLock[] = [];
    for (const lock of locks) if (lock.tryAcquire(owner, mode)) got.push(lock);
    if (got.length === 0) this.setLock.release(owner);
    else this.holdings.set(owner, { all: null, locks: got });
    return got.map((l) => this.key(l));
  }

  /** Takes elements while they are free; returns how many were taken. */
  private takeFree(owner: Owner, locks: readonly SharedLock[], mode: LockMode): number {
    const n = locks.length;
    let i = 0;
    try {
      while (i < n && locks[i]!.tryAcquire(owner, mode)) i++;
    } catch (e) {
      this.rollback(owner, locks.slice(0, i), true);
      throw e;
    }
    return i;
  }

  private async acquireSlow(
    owner: Owner, all: boolean, mode: LockMode, taken: number | null,
    locks: readonly SharedLock[] | null, options: AcquireOptions | undefined,
  ): Promise<boolean> {
    const priority = options?.priority ?? PRIORITY_DEFAULT;
    const deadline = options?.timeout === undefined ? undefined : performance.now() + options.timeout;
    const remaining = () => (deadline === undefined ? undefined : deadline - performance.now());
    // Our own controller: the caller's signal or abandon() (releaseAll of this owner) stops the wait.
    const stop = new AbortController();
    const userSignal = options?.signal;
    const onUserAbort = () => stop.abort(userSignal!.reason);
    userSignal?.addEventListener('abort', onUserAbort, { once: true });
    const signal = stop.signal;
    const held: SharedLock[] = taken === null ? [] : locks!.slice(0, taken);
    const attempt: Attempt = {
      owner, priority, mode, all, setPending: taken === null, locks, index: taken ?? 0, held, stop, abandoned: false,
    };
    this.attempts.set(owner, attempt);
    let haveSet = taken !== null;
    let done = false;
    try {
      if (!haveSet) {
        const ok = await this.setLock.acquire(owner, all ? mode : SHARED, { timeout: remaining(), priority, signal });
        haveSet = ok;
        if (attempt.abandoned) throw abortedError(this.setLock.name, signal);
        if (!ok) return false;
        attempt.setPending = false;
        if (all) {
          // The list is fixed only now: adds wait from here on, until we let go.
          this.allOwners.add(owner);
          attempt.locks = this.sorted;
        }
      }
      const list = attempt.locks!;
      for (let i = attempt.index; i < list.length; i++) {
        attempt.index = i;
        const lock = list[i]!;
        if (lock.deleted) {
          if (all) continue;
          throw new GanetiError('GNT_LOCK_DELETED', { lock: lock.name });
        }
        let ok: boolean;
        try {
          ok = await lock.acquire(owner, mode, { timeout: remaining(), priority, signal });
        } catch (e) {
          if (all && isDeletedError(e)) continue; // removed while we waited: no longer part of ALL
          throw e;
        }
        if (ok) held.push(lock);
        if (attempt.abandoned) throw abortedError(lock.name, signal);
        if (!ok) return false;
      }
      this.holdings.set(owner, { all: all ? mode : null, locks: held });
      done = true;
      return true;
    } finally {
      userSignal?.removeEventListener('abort', onUserAbort);
      if (this.attempts.get(owner) === attempt) this.attempts.delete(owner);
      // After abandon() the set lock is already back; `held` has only what came in since.
      if (!done) this.rollback(owner, held, haveSet && !attempt.abandoned);
    }
  }

  /** Undoes a failed attempt: its elements, and the set lock if it got that far. */
  private rollback(owner: Owner, held: readonly SharedLock[], haveSet: boolean): void {
    for (let i = held.length - 1; i >= 0; i--) held[i]!.release(owner);
    if (haveSet) {
      this.setLock.release(owner);
      this.dropAllOwner(owner);
    }
  }

  // --- releasing -----------------------------------------------------------------------------

  /**
   * Releases `names`, or everything the owner holds in this set. Releasing part of a whole-set
   * holding leaves an ordinary element holding (adds can proceed again).
   */
  release(owner: Owner, names?: LockNames): void {
    const h = this.holdings.get(owner);
    if (h === undefined) {
      const first = names !== undefined && names !== ALL && names.length > 0 ? this.prefix + names[0] : this.setLock.name;
      throw new GanetiError('GNT_LOCK_NOT_OWNED', { owner: ownerLabel(owner), lock: first, how: '' });
    }
    if (names === undefined || names === ALL) {
      this.holdings.delete(owner);
      const locks = h.locks;
      for (let i = 0; i < locks.length; i++) locks[i]!.release(owner);
      this.setLock.release(owner);
      this.dropAllOwner(owner);
      return;
    }
    if (names.length === 0) return;
    const drop = this.ownedLocks(owner, names);
    const keep = h.locks.filter((l) => !drop.has(l));
    for (const lock of drop) lock.release(owner);
    this.shrink(owner, h, keep);
  }

  /**
   * Lets go of everything of the owner here: its holding, and an acquisition in progress,
   * which is stopped (it rejects with GNT_LOCK_ABORTED) and whose locks are released now (a
   * grant already on its way is given back as soon as that acquisition resumes). Returns
   * whether there was anything. For jobs that end or die.
   */
  abandon(owner: Owner): boolean {
    let any = false;
    const a = this.attempts.get(owner);
    if (a !== undefined) {
      any = true;
      a.abandoned = true;
      this.attempts.delete(owner);
      a.stop.abort(new GanetiError('GNT_LOCK_ABORTED', { lock: this.setLock.name }));
      const held = a.held.splice(0);
      for (let i = held.length - 1; i >= 0; i--) held[i]!.release(owner);
      if (this.setLock.isOwned(owner)) {
        this.setLock.release(owner);
        this.dropAllOwner(owner);
      }
    }
    if (this.holdings.has(owner)) {
      any = true;
      this.release(owner);
    }
    return any;
  }

  /** Exclusive to shared for `names` (default: all held); the set lock follows. */
  downgrade(owner: Owner, names?: readonly string[]): void {
    const h = this.holdings.get(owner);
    if (h === undefined) throw new GanetiError('GNT_LOCK_NOT_OWNED', { owner: ownerLabel(owner), lock: this.setLock.name, how: '' });
    const targets = names === undefined ? h.locks : [...this.ownedLocks(owner, names)];
    for (const lock of targets) if (lock.ownerMode(owner) === EXCLUSIVE) lock.downgrade(owner);
    if (h.all === EXCLUSIVE && targets.length > 0) {
      this.setLock.downgrade(owner);
      h.all = SHARED;
    }
  }

  /** After part of a holding went away: keep the rest, or let go of the set lock. */
  private shrink(owner: Owner, h: Holding, keep: readonly SharedLock[]): void {
    h.locks = keep;
    if (h.all !== null) {
      // No longer the whole set: an ordinary element holder keeps only a shared set lock.
      if (h.all === EXCLUSIVE) this.setLock.downgrade(owner);
      h.all = null;
      this.dropAllOwner(owner);
    }
    if (keep.length === 0) {
      this.holdings.delete(owner);
      this.setLock.release(owner);
    }
  }

  /** The held locks called `names`; GNT_LOCK_NOT_OWNED (and nothing done) if one is not held. */
  private ownedLocks(owner: Owner, names: readonly string[]): Set<SharedLock> {
    const out = new Set<SharedLock>();
    for (const name of names) {
      const lock = this.locks.get(name);
      if (lock === undefined || !lock.isOwned(owner)) {
        throw new GanetiError('GNT_LOCK_NOT_OWNED', { owner: ownerLabel(owner), lock: this.prefix + name, how: '' });
      }
      out.add(lock);
    }
    return out;
  }

  private dropAllOwner(owner: Owner): void {
    if (!this.allOwners.delete(owner) || this.addWaiters.length === 0) return;
    const waiters = this.addWaiters;
    this.addWaiters = [];
    for (const wake of waiters) wake();
  }

  // --- adding and removing names -------------------------------------------------------------

  /**
   * Adds lock names. Waits while another owner holds the whole set (it must keep owning
   * "all"). With `owner`, the new locks are granted to it at once (in `mode`, default
   * exclusive), together with the shared set lock it needs.
   */
  async add(names: readonly string[], options: AddOptions = {}): Promise<void> {
    this.checkNew(names);
    const { owner, signal } = options;
    const acquiring = owner !== undefined;
    const mode = options.mode ?? EXCLUSIVE;
    checkMode(mode);
    let tookSet = false;
    if (acquiring) {
      if (this.attempts.has(owner)) throw new GanetiError('GNT_LOCK_ALREADY_OWNED', { owner: ownerLabel(owner), lock: this.setLock.name });
      if (!this.setLock.isOwned(owner)) {
        await this.setLock.acquire(owner, SHARED, { priority: options.priority, signal });
        tookSet = true;
      }
    }
    try {
      while (this.blockedByAll(owner)) await this.waitForAdd(signal);
      const fresh = this.checkNew(names);
      for (const name of fresh) this.locks.set(name, new SharedLock(this.prefix + name));
      this.sortedCache = null;
      if (acquiring) {
        const got = fresh.map((n) => this.locks.get(n)!);
        for (const lock of got) lock.tryAcquire(owner, mode); // brand new: always free
        const h = this.holdings.get(owner);
        if (h === undefined) this.holdings.set(owner, { all: null, locks: got });
        else h.locks = [...h.locks, ...got];
        tookSet = false;
      }
    } finally {
      if (tookSet) this.setLock.release(owner);
    }
  }

  /**
   * Removes lock names (deleting their locks: waiters get GNT_LOCK_DELETED). Locks the
   * remover holds exclusively go at once; the others are first acquired exclusively, in
   * sorted order, so removal waits for their holders. Returns the names actually removed
   * (unknown names are skipped, as in Ganeti).
   */
  async remove(names: readonly string[], options: RemoveOptions = {}): Promise<string[]> {
    const owner = options.owner;
    const actor: Owner = owner !== undefined ? owner : {};
    const list = [...new Set(names)].sort();
    if (owner !== undefined && this.engaged(owner)) {
      // Waiting for an element while holding others here would break the sorted order
      // (Ganeti's rule: hold nothing of the set, or hold what you remove exclusively).
      for (const name of list) {
        const lock = this.locks.get(name);
        if (lock !== undefined && !lock.isOwned(owner, EXCLUSIVE)) {
          throw new GanetiError('GNT_LOCK_NOT_OWNED', {
            owner: ownerLabel(owner), lock: lock.name, how: ' exclusively (an owner holding locks of a level removes only locks it holds exclusively)',
          });
        }
      }
    }
    const removed: string[] = [];
    for (const name of list) {
      const lock = this.locks.get(name);
      if (lock === undefined) continue;
      const held = owner !== undefined ? lock.ownerMode(owner) : null;
      if (held === SHARED) {
        throw new GanetiError('GNT_LOCK_NOT_OWNED', {
          owner: ownerLabel(owner), lock: lock.name, how: ' exclusively (a lock held shared cannot be removed)',
        });
      }
      if (held === null) {
        try {
          await lock.acquire(actor, EXCLUSIVE, { priority: options.priority, signal: options.signal });
        } catch (e) {
          if (isDeletedError(e)) continue; // someone else removed it meanwhile
          throw e;
        }
      }
      lock.delete(actor);
      this.locks.delete(name);
      this.sortedCache = null;
      const h = held !== null ? this.holdings.get(owner) : undefined;
      if (h !== undefined) {
        if (h.all !== null) h.locks = h.locks.filter((l) => l !== lock);
        else this.shrink(owner, h, h.locks.filter((l) => l !== lock));
      }
      removed.push(name);
    }
    return removed;
  }

  /**
   * Whether an add must wait for a whole-set owner. A finished whole-set holding always
   * blocks. One still in progress blocks only an adder holding nothing here: it may be
   * waiting for an element the adder holds, and waiting for it would deadlock; its list was
   * fixed when it got the set lock, so the new names are simply not part of its "all".
   */
  private blockedByAll(owner: Owner): boolean {
    const holdsHere = owner !== undefined && this.holdings.has(owner);
    for (const o of this.allOwners) {
      if (o !== owner && (!holdsHere || this.holdings.has(o))) return true;
    }
    return false;
  }

  private waitForAdd(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal === undefined) {
        this.addWaiters.push(resolve);
        return;
      }
      if (signal.aborted) return reject(abortedError(this.setLock.name, signal));
      const onAbort = () => reject(abortedError(this.setLock.name, signal));
      signal.addEventListener('abort', onAbort, { once: true });
      this.addWaiters.push(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  /** Validates new names; returns them deduplicated. */
  private checkNew(names: readonly string[]): string[] {
    const fresh = [...new Set(names)];
    for (const name of fresh) {
      checkName(name);
      if (this.locks.has(name)) throw new GanetiError('GNT_LOCK_EXISTS', { lock: this.prefix + name });
    }
    return fresh;
  }

  // --- restoring (persistence) ---------------------------------------------------------------

  /**
   * Re-creates a holding read back from locks.data, synchronously, on a set nobody else is
   * waiting on. Names no longer in the set are skipped and returned. Throws (and takes
   * nothing) if the owner is already engaged here or a lock is held in a conflicting way.
   */
  restoreHolding(owner: Owner, all: LockMode | null, elements: ReadonlyArray<readonly [string, LockMode]>): string[] {
    this.checkNotEngaged(owner);
    const missing: string[] = [];
    const wanted: Array<[SharedLock, LockMode]> = [];
    for (const [name, mode] of [...elements].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
      checkMode(mode);
      const lock = this.locks.get(name);
      if (lock === undefined) missing.push(name);
      else wanted.push([lock, mode]);
    }
    if (all === null && wanted.length === 0) return missing;
    const conflict = (lock: string) =>
      new GanetiError('GNT_LOCKS_DATA_INVALID', { where: lock, reason: `${ownerLabel(owner)} cannot hold it: it is taken by another owner` });
    if (!this.setLock.tryAcquire(owner, all ?? SHARED)) throw conflict(this.setLock.name);
    const got: SharedLock[] = [];
    for (const [lock, mode] of wanted) {
      if (!lock.tryAcquire(owner, mode)) {
        this.rollback(owner, got, true);
        throw conflict(lock.name);
      }
      got.push(lock);
    }
    if (all !== null) this.allOwners.add(owner);
    this.holdings.set(owner, { all, locks: got });
    return missing;
  }

  // --- introspection -------------------------------------------------------------------------

  /** Whether the owner holds anything here or is acquiring here. */
  engaged(owner: Owner): boolean {
    return this.holdings.has(owner) || this.attempts.has(owner);
  }

  holds(owner: Owner): boolean {
    return this.holdings.has(owner);
  }

  /** Whether the owner holds the whole set (in `mode`, if given). */
  holdsAll(owner: Owner, mode?: LockMode): boolean {
    const all = this.holdings.get(owner)?.all ?? null;
    return all !== null && (mode === undefined || all === mode);
  }

  /** Element names the owner holds, sorted. */
  ownedNames(owner: Owner): string[] {
    const h = this.holdings.get(owner);
    return h === undefined ? [] : h.locks.map((l) => this.key(l)).sort();
  }

  /**
   * Full lock names with modes, as in locks.data: the set lock only for a whole-set holding
   * (an element holder's shared set lock is implied, as in Ganeti), then the elements.
   */
  owned(owner: Owner): Array<[string, LockMode]> {
    let all: LockMode | null;
    let locks: readonly SharedLock[];
    const h = this.holdings.get(owner);
    const a = h === undefined ? this.attempts.get(owner) : undefined;
    if (h !== undefined) ({ all, locks } = h);
    else if (a !== undefined) {
      // Half-way through an acquisition: what it has taken so far is held all the same.
      all = a.all && !a.setPending ? a.mode : null;
      locks = a.held;
    } else return [];
    const out: Array<[string, LockMode]> = all !== null ? [[this.setLock.name, all]] : [];
    const elements = locks.map((l): [string, LockMode] => [l.name, l.ownerMode(owner)!]);
    elements.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return out.concat(elements);
  }

  /** Owners holding something here, including acquisitions that have taken part of their locks. */
  owners(): Owner[] {
    const out = [...this.holdings.keys()];
    for (const a of this.attempts.values()) if (a.held.length > 0 || (a.all && !a.setPending)) out.push(a.owner);
    return out;
  }

  /** Acquisitions in progress, with what each still waits for. */
  pending(): PendingRequest[] {
    const out: PendingRequest[] = [];
    for (const a of this.attempts.values()) {
      const requests: Array<[string, LockMode]> = [];
      if (a.setPending && a.all) requests.push([this.setLock.name, a.mode]); // an element's set lock is implied
      const locks = a.locks ?? [];
      for (let i = a.index; i < locks.length; i++) if (!locks[i]!.deleted) requests.push([locks[i]!.name, a.mode]);
      out.push({ owner: a.owner, priority: a.priority, requests });
    }
    return out;
  }

  /** The set lock, then every element, sorted: what `gnt-debug locks` lists. */
  info(): LockInfo[] {
    return [this.setLock.info(), ...this.sorted.map((l) => l.info())];
  }

  // --- helpers -------------------------------------------------------------------------------

  private get sorted(): readonly SharedLock[] {
    if (this.sortedCache === null) {
      const keys = [...this.locks.keys()].sort();
      this.sortedCache = keys.map((k) => this.locks.get(k)!);
    }
    return this.sortedCache;
  }

  private key(lock: SharedLock): string {
    return lock.name.slice(this.prefix.length);
  }

  /** Names to locks, sorted and deduplicated; a list that is already sorted is not copied. */
  private resolve(names: readonly string[]): SharedLock[] {
    let list = names;
    for (let i = 1; i < names.length; i++) {
      if (!(names[i - 1]! < names[i]!)) {
        list = [...new Set(names)].sort();
        break;
      }
    }
    const out = new Array<SharedLock>(list.length);
    for (let i = 0; i < list.length; i++) {
      const lock = this.locks.get(list[i]!);
      if (lock === undefined) throw new GanetiError('GNT_LOCK_DELETED', { lock: this.prefix + String(list[i]) });
      out[i] = lock;
    }
    return out;
  }

  private checkNotEngaged(owner: Owner): void {
    if (this.holdings.has(owner) || this.attempts.has(owner)) {
      throw new GanetiError('GNT_LOCK_ALREADY_OWNED', { owner: ownerLabel(owner), lock: this.setLock.name });
    }
  }
}

function checkName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name === '' || name === LOCKSET_NAME) {
    throw new GanetiError('GNT_LOCK_REQUEST_INVALID', { reason: `lock name must be a non-empty string other than ${LOCKSET_NAME}, not ${JSON.stringify(name)}` });
  }
}
