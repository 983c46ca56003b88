import { constants as C, readFileSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * An exclusive lock between processes: a lock file created with O_CREAT|O_EXCL that holds the
 * owner's pid (first line) and, on Linux, the owner's start time (second line, from
 * /proc/<pid>/stat) so that a pid reused by an unrelated process is not taken for the owner.
 *
 * A lock whose owner is dead is stale and taken over: it is first renamed to a unique name,
 * re-read, and only removed if it still names the dead owner, so two processes racing for a
 * stale lock cannot both win. A lock held by a live process (this one included: a second
 * store in the same process is refused too) is not taken.
 */
export interface LockHolder {
  readonly pid: number;
  readonly startTime: string | null;
}

export type AcquireResult = { acquired: true; release: () => Promise<void> } | { acquired: false; holder: LockHolder };

export interface AcquireOptions {
  /** Keep trying this long while a live process holds the lock (default 0: fail at once). */
  waitMs?: number;
}

export async function acquireLock(path: string, options: AcquireOptions = {}): Promise<AcquireResult> {
  const deadline = Date.now() + (options.waitMs ?? 0);
  const content = `${process.pid}\n${processStartTime(process.pid) ?? ''}\n`;
  for (let attempt = 0; ; attempt++) {
    try {
      const fh = await fsp.open(path, C.O_WRONLY | C.O_CREAT | C.O_EXCL, 0o600);
      try {
        await fh.writeFile(content);
        await fh.sync();
      } finally {
        await fh.close();
      }
      return { acquired: true, release: () => releaseLock(path, content) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = await readHolder(path);
    if (holder === null) continue; // removed meanwhile: try again
    if (!isAlive(holder)) {
      await takeOverStale(path, holder);
      continue;
    }
    if (Date.now() >= deadline) return { acquired: false, holder };
    await sleep(Math.min(50 * (attempt + 1), 500));
  }
}

async function releaseLock(path: string, content: string): Promise<void> {
  // Only remove the lock if it is still ours.
  const now = await fsp.readFile(path, 'utf8').catch(() => null);
  if (now === content) await fsp.unlink(path).catch(() => undefined);
}

async function readHolder(path: string): Promise<LockHolder | null> {
  let text: string;
  try {
    text = await fsp.readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const [pidLine = '', startLine = ''] = text.split('\n');
  const pid = /^\d+$/.test(pidLine.trim()) ? Number(pidLine.trim()) : 0; // unreadable ⇒ pid 0 ⇒ stale
  return { pid, startTime: startLine.trim() || null };
}

export function isAlive(holder: LockHolder): boolean {
  if (!Number.isInteger(holder.pid) || holder.pid <= 0) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
    // EPERM: a process of another user has this pid; alive
  }
  if (holder.startTime !== null) {
    const current = processStartTime(holder.pid);
    if (current !== null && current !== holder.startTime) return false; // pid reused
  }
  return true;
}

async function takeOverStale(path: string, holder: LockHolder): Promise<void> {
  const aside = `${path}.stale-${process.pid}-${Date.now()}`;
  try {
    await fsp.rename(path, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else took it over
    throw e;
  }
  const moved = await readHolder(aside);
  if (moved && moved.pid !== holder.pid && isAlive(moved)) {
    // We moved a fresh lock another process had just created: put it back if nothing took
    // its place (link fails if a new lock exists), then let the caller retry.
    await fsp.link(aside, path).catch(() => undefined);
  }
  await fsp.unlink(aside).catch(() => undefined);
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks), or null off Linux. */
function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}
