import { chown, mkdir, open, readdir, rename, rm, lstat, utimes } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, relative, isAbsolute } from 'node:path';

/** Whether `file` lies strictly below `dir` (Ganeti's utils.IsBelowDir). */
export function isBelowDir(dir: string, file: string): boolean {
  const rel = relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

export interface WriteOptions {
  readonly mode: number;
  readonly uid?: number;
  readonly gid?: number;
  /** Seconds since the epoch. */
  readonly atime?: number | null;
  readonly mtime?: number | null;
}

/**
 * Replaces `target` atomically (Ganeti's utils.SafeWriteFile): a temp file in the same
 * folder gets the data, mode, owner and times, is fsync'd and renamed over the target, and
 * the folder is fsync'd. On failure the target is untouched and the temp file removed.
 */
export async function writeFileSafely(target: string, data: Uint8Array, o: WriteOptions): Promise<void> {
  const dir = dirname(target);
  const tmp = join(dir, `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fh = await open(tmp, 'wx', o.mode);
    try {
      await fh.chmod(o.mode);
      if (o.uid !== undefined || o.gid !== undefined) await fh.chown(o.uid ?? -1, o.gid ?? -1);
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    if ((o.atime ?? null) !== null || (o.mtime ?? null) !== null) {
      const st = await lstat(tmp);
      await utimes(tmp, o.atime ?? st.atimeMs / 1000, o.mtime ?? st.mtimeMs / 1000);
    }
    await rename(tmp, target);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
  const dh = await open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}

/** Creates `dir` (and parents) with `mode` when missing; optionally owned by uid/gid. */
export async function ensureDir(dir: string, mode: number, uid?: number, gid?: number): Promise<void> {
  const made = await mkdir(dir, { recursive: true, mode });
  if (made !== undefined && (uid !== undefined || gid !== undefined)) await chown(dir, uid ?? -1, gid ?? -1);
}

/**
 * Removes the regular files directly in `dir` (not folders, not symlinks, not hidden files),
 * except `exclude` (Ganeti's _CleanDirectory). A missing folder is fine. Returns the names removed.
 */
export async function cleanDirectory(dir: string, exclude: readonly string[] = []): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw e;
  }
  const removed: string[] = [];
  for (const name of names.sort()) {
    if (name.startsWith('.')) continue;
    const full = join(dir, name);
    if (exclude.includes(full)) continue;
    const st = await lstat(full).catch(() => null);
    if (!st || !st.isFile()) continue;
    await rm(full, { force: true });
    removed.push(name);
  }
  return removed;
}
