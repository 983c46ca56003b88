/**
 * locks.data: the lock state in Ganeti's (wconfd's) JSON shape, so that a restarted master
 * knows who held what and can release the locks of jobs that died with it.
 *
 *   [allocation, pending]
 *   allocation = [[owner, [[lockname, "shared"|"exclusive"], ...]], ...]
 *   pending    = [[priority, owner, [[lockname, "shared"|"exclusive"|"release"], ...]], ...]
 *   owner      = [client-identifier, livelock-file-path, pid]
 *   client-identifier = a job's id (a number) or another task's name (a string)
 *
 * As in Ganeti, only direct holdings are written: an element owner's shared hold on its
 * level's set lock is implied and not listed; `<level>/[lockset]` appears for whole-level
 * holdings only. Writing the file is the caller's job (the config store's atomic writer).
 */
import { GanetiError } from '../errors/index.js';
import { LOCKSET_NAME } from './lock-set.js';
import { LEVELS, type LockLevel, type LockManager } from './manager.js';
import { PRIORITY_HIGHEST, PRIORITY_LOWEST, type LockMode, type Owner } from './request.js';

/**
 * Ganeti's ClientId: who owns locks, as wconfd knows it. The identifier is Ganeti's
 * ClientType: a job's id as a JSON number (ClientJob), or a name as a string (ClientOther).
 */
export type ClientId = [identifier: number | string, livelockFile: string, pid: number];
export type LockRequestMode = LockMode | 'release';
export type LockAllocationEntry = [owner: ClientId, locks: Array<[lock: string, mode: LockMode]>];
export type LockPendingEntry = [priority: number, owner: ClientId, requests: Array<[lock: string, mode: LockRequestMode]>];
export type LocksData = [allocation: LockAllocationEntry[], pending: LockPendingEntry[]];

/** Owners that are ClientIds already stay as they are; anything else becomes `[String(owner), '', this pid]`. */
export function defaultClientId(owner: Owner): ClientId {
  if (isClientId(owner)) return owner;
  return [String(owner), '', process.pid];
}

/** The manager's state as locks.data's value. */
export function locksDataOf(manager: LockManager, clientIdOf: (owner: Owner) => ClientId = defaultClientId): LocksData {
  const allocation: LockAllocationEntry[] = manager.owners().map((owner) => [
    clientIdOf(owner),
    manager.owned(owner).map((l): [string, LockMode] => [l.name, l.mode]),
  ]);
  const pending: LockPendingEntry[] = manager.pending().map((p) => [p.priority, clientIdOf(p.owner), p.requests]);
  return [allocation, pending];
}

/** locks.data's text. */
export function formatLocksData(data: LocksData): string {
  return JSON.stringify(data);
}

/** Parses and validates locks.data; GNT_LOCKS_DATA_INVALID names the first bad place. */
export function parseLocksData(input: string | unknown): LocksData {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (e) {
      throw invalid('top level', `not JSON (${(e as Error).message})`);
    }
  }
  if (!Array.isArray(value) || value.length !== 2) throw invalid('top level', 'expected a pair [allocation, pending]');
  const [allocation, pending] = value as [unknown, unknown];
  if (!Array.isArray(allocation)) throw invalid('allocation', 'expected a list');
  if (!Array.isArray(pending)) throw invalid('pending', 'expected a list');

  const outAllocation = allocation.map((entry: unknown, i): LockAllocationEntry => {
    const where = `allocation[${i}]`;
    if (!Array.isArray(entry) || entry.length !== 2) throw invalid(where, 'expected [owner, [[lock, mode], ...]]');
    const owner = checkClientId(entry[0], `${where}[0]`);
    const locks = checkList(entry[1], `${where}[1]`, (req, w): [string, LockMode] => {
      const [lock, mode] = checkPair(req, w);
      if (mode !== 'shared' && mode !== 'exclusive') throw invalid(w, `mode must be "shared" or "exclusive", not ${JSON.stringify(mode)}`);
      return [lock, mode];
    });
    return [owner, locks];
  });

  const outPending = pending.map((entry: unknown, i): LockPendingEntry => {
    const where = `pending[${i}]`;
    if (!Array.isArray(entry) || entry.length !== 3) throw invalid(where, 'expected [priority, owner, [[lock, request], ...]]');
    const priority: unknown = entry[0];
    if (typeof priority !== 'number' || !Number.isInteger(priority) || priority < PRIORITY_HIGHEST || priority > PRIORITY_LOWEST) {
      throw invalid(`${where}[0]`, `priority must be an integer from ${PRIORITY_HIGHEST} to ${PRIORITY_LOWEST}`);
    }
    const owner = checkClientId(entry[1], `${where}[1]`);
    const requests = checkList(entry[2], `${where}[2]`, (req, w): [string, LockRequestMode] => {
      const [lock, mode] = checkPair(req, w);
      if (mode !== 'shared' && mode !== 'exclusive' && mode !== 'release') {
        throw invalid(w, `request must be "shared", "exclusive" or "release", not ${JSON.stringify(mode)}`);
      }
      return [lock, mode];
    });
    return [priority, owner, requests];
  });
  return [outAllocation, outPending];
}

/** Splits `instance/<uuid>` into level and name; `[lockset]` is the level's set lock. */
export function parseLockName(full: string): { level: LockLevel; name: string } {
  const slash = full.indexOf('/');
  const level = full.slice(0, slash) as LockLevel;
  const name = full.slice(slash + 1);
  if (slash <= 0 || name === '' || !LEVELS.includes(level)) {
    throw invalid(JSON.stringify(full), `not a lock name <level>/<name> with a level of ${LEVELS.join(', ')}`);
  }
  return { level, name };
}

export interface RestoreResult {
  /** Owners whose holdings were re-created. */
  owners: Owner[];
  /** Full names of locks that no longer exist and were skipped. */
  missing: string[];
}

/**
 * Re-creates the allocation of locks.data in a freshly built manager (pending requests are
 * not re-queued: their jobs ask again). `ownerOf` maps a ClientId back to the owner identity
 * the job queue uses (default: the client identifier string). All or nothing: on a conflict
 * (two owners of one exclusive lock) nothing is restored and GNT_LOCKS_DATA_INVALID is thrown.
 * Afterwards `manager.releaseOwners(...)` frees the locks of owners that are gone.
 */
export function restoreLocks(manager: LockManager, data: LocksData, ownerOf: (client: ClientId) => Owner = (c) => c[0]): RestoreResult {
  const owners: Owner[] = [];
  const missing: string[] = [];
  try {
    for (const [client, locks] of data[0]) {
      const owner = ownerOf(client);
      const byLevel = new Map<LockLevel, { all: LockMode | null; elements: Array<[string, LockMode]> }>();
      for (const [full, mode] of locks) {
        const { level, name } = parseLockName(full);
        let entry = byLevel.get(level);
        if (entry === undefined) byLevel.set(level, (entry = { all: null, elements: [] }));
        if (name === LOCKSET_NAME) entry.all = mode;
        else entry.elements.push([name, mode]);
      }
      owners.push(owner);
      for (const level of LEVELS) {
        const entry = byLevel.get(level);
        if (entry === undefined) continue;
        try {
          const gone = manager.level(level).restoreHolding(owner, entry.all, entry.elements);
          missing.push(...gone.map((n) => `${level}/${n}`));
        } catch (e) {
          if (e instanceof GanetiError && e.code === 'GNT_LOCKS_DATA_INVALID') throw e;
          throw invalid(`allocation of ${JSON.stringify(client)}`, (e as Error).message);
        }
      }
    }
  } catch (e) {
    for (const owner of owners) manager.releaseAll(owner);
    throw e;
  }
  return { owners, missing };
}

// --- validation helpers ----------------------------------------------------------------------

function invalid(where: string, reason: string): GanetiError {
  return new GanetiError('GNT_LOCKS_DATA_INVALID', { where, reason });
}

function isClientId(v: unknown): v is ClientId {
  const id: unknown = Array.isArray(v) ? v[0] : undefined;
  const identifier = typeof id === 'string' || (typeof id === 'number' && Number.isInteger(id) && id >= 0);
  return Array.isArray(v) && v.length === 3 && identifier && typeof v[1] === 'string'
    && typeof v[2] === 'number' && Number.isInteger(v[2]);
}

function checkClientId(v: unknown, where: string): ClientId {
  if (!isClientId(v)) throw invalid(where, 'owner must be [client-identifier, livelock-file-path, pid] (job id or name, string, integer)');
  return [v[0], v[1], v[2]];
}

function checkPair(v: unknown, where: string): [string, unknown] {
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'string') throw invalid(where, 'expected [lockname, mode]');
  return [v[0], v[1]];
}

function checkList<T>(v: unknown, where: string, item: (x: unknown, where: string) => T): T[] {
  if (!Array.isArray(v)) throw invalid(where, 'expected a list');
  return v.map((x, i) => item(x, `${where}[${i}]`));
}
