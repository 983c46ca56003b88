import { constants as C } from 'node:fs';
import * as fsp from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/**
 * The few file operations the configuration store and ssconf use, behind one small interface
 * so that tests can inject failures (a rename or fsync that fails, as a crash would leave
 * things) without touching the real file system layer.
 */
export interface ConfigFs {
  readFile(path: string): Promise<Buffer>;
  /** Creates `path` exclusively (O_CREAT|O_EXCL) for writing. */
  create(path: string, mode: number): Promise<FileHandle>;
  write(fh: FileHandle, chunks: readonly Buffer[]): Promise<void>;
  fsync(fh: FileHandle): Promise<void>;
  fchmod(fh: FileHandle, mode: number): Promise<void>;
  fstat(fh: FileHandle): Promise<FileIdentity>;
  close(fh: FileHandle): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** fsync of a folder, so that a rename in it is durable. */
  fsyncDir(dir: string): Promise<void>;
  /** Identity of a file, or null if it does not exist. */
  stat(path: string): Promise<FileIdentity | null>;
  readdir(dir: string): Promise<string[]>;
  mkdir(dir: string, mode: number): Promise<void>;
}

/** What tells one version of a file from another: inode, size, modification time, mode. */
export interface FileIdentity {
  readonly ino: number;
  readonly size: number;
  readonly mtimeNs: bigint;
  readonly mode: number;
}

const identity = (s: import('node:fs').BigIntStats): FileIdentity => ({
  ino: Number(s.ino),
  size: Number(s.size),
  mtimeNs: s.mtimeNs,
  mode: Number(s.mode) & 0o7777,
});

export const sameFile = (a: FileIdentity | null, b: FileIdentity | null): boolean =>
  a !== null && b !== null && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs;

/** The real file system. */
export const nodeConfigFs: ConfigFs = Object.freeze({
  readFile: (path: string) => fsp.readFile(path),
  create: (path: string, mode: number) => fsp.open(path, C.O_WRONLY | C.O_CREAT | C.O_EXCL, mode),
  async write(fh: FileHandle, chunks: readonly Buffer[]) {
    // One buffer is one write(2); many go out as writev(2) in IOV_MAX batches (libuv loops).
    let total = 0;
    for (const c of chunks) total += c.length;
    let done = 0;
    let rest: Buffer[] = chunks as Buffer[];
    while (done < total) {
      const { bytesWritten } = rest.length === 1 ? await fh.write(rest[0]!) : await fh.writev(rest);
      done += bytesWritten;
      if (done < total) rest = remainder(rest, bytesWritten);
    }
  },
  fsync: (fh: FileHandle) => fh.sync(),
  fchmod: (fh: FileHandle, mode: number) => fh.chmod(mode),
  fstat: async (fh: FileHandle) => identity(await fh.stat({ bigint: true })),
  close: (fh: FileHandle) => fh.close(),
  rename: (from: string, to: string) => fsp.rename(from, to),
  unlink: (path: string) => fsp.unlink(path),
  async fsyncDir(dir: string) {
    const fh = await fsp.open(dir, C.O_RDONLY | C.O_DIRECTORY);
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  },
  async stat(path: string) {
    try {
      return identity(await fsp.stat(path, { bigint: true }));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  },
  readdir: (dir: string) => fsp.readdir(dir),
  async mkdir(dir: string, mode: number) {
    await fsp.mkdir(dir, { recursive: true, mode });
  },
});

function remainder(chunks: Buffer[], written: number): Buffer[] {
  let i = 0;
  while (i < chunks.length && written >= chunks[i]!.length) written -= chunks[i++]!.length;
  const rest = chunks.slice(i);
  if (written > 0 && rest.length > 0) rest[0] = rest[0]!.subarray(written);
  return rest;
}

/** Temp files of an atomic write of `target`: `.<name>.<random>.tmp` in the same folder. */
export const tempPathFor = (target: string): string =>
  join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);

export const isTempFor = (target: string, name: string): boolean =>
  name.startsWith(`.${basename(target)}.`) && name.endsWith('.tmp');

export interface AtomicWriteOptions {
  mode: number;
  /** fsync the folder after the rename (skip when the caller syncs it once for many files). */
  syncDir?: boolean;
}

/** Where an atomic write failed: before the rename nothing changed, after it the file did. */
export class AtomicWriteError extends Error {
  constructor(
    message: string,
    readonly renamed: boolean,
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Replaces `target` with `chunks`, atomically and durably: a temp file in the same folder,
 * written, fsync'd, renamed over the target, then the folder fsync'd. A failure before the
 * rename removes the temp file and leaves the target as it was. Returns the new file's identity.
 */
export async function writeFileAtomic(fs: ConfigFs, target: string, chunks: readonly Buffer[], options: AtomicWriteOptions): Promise<FileIdentity> {
  const tmp = tempPathFor(target);
  let id: FileIdentity;
  try {
    const fh = await fs.create(tmp, options.mode);
    try {
      await fs.fchmod(fh, options.mode); // whatever the umask
      await fs.write(fh, chunks);
      await fs.fsync(fh);
      id = await fs.fstat(fh);
    } finally {
      await fs.close(fh);
    }
    await fs.rename(tmp, target);
  } catch (e) {
    await fs.unlink(tmp).catch(() => undefined);
    throw new AtomicWriteError(describe(e), false, { cause: e });
  }
  if (options.syncDir !== false) {
    try {
      await fs.fsyncDir(dirname(target));
    } catch (e) {
      throw new AtomicWriteError(`renamed into place, but syncing folder ${dirname(target)} failed: ${describe(e)}`, true, { cause: e });
    }
  }
  return id;
}

const describe = (e: unknown): string => (e instanceof Error ? e.message : String(e));
