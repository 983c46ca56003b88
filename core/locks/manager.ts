/**
 * LockManager: one LockSet per Ganeti locking level, and the rule that an owner climbs down
 * the levels only (cluster > instance > nodegroup > network > node > node-res). Taking locks
 * in one global order (level, then name) is what makes the whole manager deadlock-free, so
 * asking for a level at or above one already held is refused (GNT_LOCK_LEVEL_ORDER);
 * releasing is free. Lock names are Ganeti's: `cluster/BGL`, `instance/<uuid>`, ...
 */
import { GanetiError } from '../errors/index.js';
import { LockSet, type AddOptions, type LockNames, type PendingRequest, type RemoveOptions } from './lock-set.js';
import type { LockInfo } from './shared-lock.js';
import { ownerLabel, type AcquireOptions, type LockMode, type Owner } from './request.js';

/** The levels in acquisition order (the order of the design; Ganeti 2.16 has network last). */
export const LEVELS = ['cluster', 'instance', 'nodegroup', 'network', 'node', 'node-res'] as const;
export type LockLevel = (typeof LEVELS)[number];
/** The Big Ganeti Lock, the only lock of the cluster level. */
export const BGL = 'BGL';

export interface OwnedLock {
  /** Full name, e.g. `instance/6c1d...` or `node/[lockset]`. */
  name: string;
  level: LockLevel;
  mode: LockMode;
}

export interface PendingAcquire extends PendingRequest {
  level: LockLevel;
}

const LEVEL_INDEX: ReadonlyMap<string, number> = new Map(LEVELS.map((l, i) => [l, i]));

export function levelIndex(level: string): number {
  const i = LEVEL_INDEX.get(level);
  if (i === undefined) throw new GanetiError('GNT_LOCK_REQUEST_INVALID', { reason: `unknown level '${level}' (levels: ${LEVELS.join(', ')})` });
  return i;
}

export class LockManager {
  private readonly sets: readonly LockSet[];

  /** `names` gives each level's initial lock names (the cluster level always has just BGL). */
  constructor(names: Partial<Record<Exclude<LockLevel, 'cluster'>, Iterable<string>>> = {}) {
    this.sets = LEVELS.map((level) => new LockSet(level, level === 'cluster' ? [BGL] : (names[level] ?? [])));
  }

  /** The LockSet of a level. */
  level(level: LockLevel): LockSet {
    return this.sets[levelIndex(level)]!;
  }

  /**
   * Acquires `names` (or ALL) at `level`; see LockSet.acquire. Resolves `false` on timeout
   * with nothing of this attempt held.
   */
  acquire(owner: Owner, level: LockLevel, names: LockNames, mode: LockMode, options?: AcquireOptions): Promise<boolean> {
    let set: LockSet;
    try {
      set = this.checked(owner, level, false);
    } catch (e) {
      return Promise.reject(e);
    }
    return set.acquire(owner, names, mode, options);
  }

  /** All or nothing, without waiting. */
  tryAcquire(owner: Owner, level: LockLevel, names: LockNames, mode: LockMode): boolean {
    return this.checked(owner, level, false).tryAcquire(owner, names, mode);
  }

  /** Whichever of `names` are free now; see LockSet.acquireOpportunistic. */
  acquireOpportunistic(owner: Owner, level: LockLevel, names: readonly string[], mode: LockMode): string[] {
    return this.checked(owner, level, false).acquireOpportunistic(owner, names, mode);
  }

  /** Releases `names` at `level`, or all the owner holds there. */
  release(owner: Owner, level: LockLevel, names?: LockNames): void {
    this.level(level).release(owner, names);
  }

  /**
   * Releases everything the owner holds, lowest level first, and stops an acquisition it has
   * in progress (that one rejects with GNT_LOCK_ABORTED); returns whether there was anything.
   */
  releaseAll(owner: Owner): boolean {
    let any = false;
    for (let i = this.sets.length - 1; i >= 0; i--) if (this.sets[i]!.abandon(owner)) any = true;
    return any;
  }

  /** Releases all locks of the owners `predicate` picks (e.g. jobs found dead after a restart). */
  releaseOwners(predicate: (owner: Owner) => boolean): Owner[] {
    const released = this.owners().filter((o) => predicate(o));
    for (const owner of released) this.releaseAll(owner);
    return released;
  }

  downgrade(owner: Owner, level: LockLevel, names?: readonly string[]): void {
    this.level(level).downgrade(owner, names);
  }

  /**
   * Adds lock names at a level (e.g. a new instance). With `options.owner` the locks are
   * granted to it: allowed while it holds that same level, not below it.
   */
  add(level: LockLevel, names: readonly string[], options: AddOptions = {}): Promise<void> {
    let set: LockSet;
    try {
      set = options.owner !== undefined ? this.checked(options.owner, level, true) : this.level(level);
    } catch (e) {
      return Promise.reject(e);
    }
    return set.add(names, options);
  }

  /**
   * Removes lock names at a level; see LockSet.remove. An owner that holds nothing at the
   * level has to wait for the locks, so the level order applies to it as to an acquire.
   */
  remove(level: LockLevel, names: readonly string[], options: RemoveOptions = {}): Promise<string[]> {
    let set: LockSet;
    try {
      set = this.level(level);
      if (options.owner !== undefined && !set.engaged(options.owner)) this.checked(options.owner, level, true);
    } catch (e) {
      return Promise.reject(e);
    }
    return set.remove(names, options);
  }

  // --- introspection -------------------------------------------------------------------------

  /** Everything the owner holds, level by level (locks.data's view: implied set locks omitted). */
  owned(owner: Owner): OwnedLock[] {
    const out: OwnedLock[] = [];
    this.sets.forEach((set, i) => {
      for (const [name, mode] of set.owned(owner)) out.push({ name, level: LEVELS[i]!, mode });
    });
    return out;
  }

  /** Short names the owner holds at a level (Ganeti's `owned_locks(level)`). */
  ownedNames(owner: Owner, level: LockLevel): string[] {
    return this.level(level).ownedNames(owner);
  }

  /** Whether the owner holds anything at `level`, or `name` there (in `mode`, if given). */
  isOwned(owner: Owner, level: LockLevel, name?: string, mode?: LockMode): boolean {
    const set = this.level(level);
    if (name === undefined) return set.holds(owner);
    return set.lock(name)?.isOwned(owner, mode) ?? false;
  }

  /** Owners holding at least one lock. */
  owners(): Owner[] {
    const seen = new Set<Owner>();
    for (const set of this.sets) for (const o of set.owners()) seen.add(o);
    return [...seen];
  }

  /** Every lock with its owners and queue, level by level: the data of `gnt-debug locks`. */
  info(): LockInfo[] {
    return this.sets.flatMap((s) => s.info());
  }

  /** Acquisitions in progress, level by level. */
  pending(): PendingAcquire[] {
    return this.sets.flatMap((s, i) => s.pending().map((p) => ({ ...p, level: LEVELS[i]! })));
  }

  /** The level's set after checking the order rule (`sameLevel`: may already hold this level). */
  private checked(owner: Owner, level: LockLevel, sameLevel: boolean): LockSet {
    const idx = levelIndex(level);
    for (let i = sameLevel ? idx + 1 : idx; i < this.sets.length; i++) {
      if (this.sets[i]!.engaged(owner)) {
        throw new GanetiError('GNT_LOCK_LEVEL_ORDER', { owner: ownerLabel(owner), level, held: LEVELS[i]! });
      }
    }
    return this.sets[idx]!;
  }
}
