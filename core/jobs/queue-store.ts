import { closeSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GanetiPaths } from '../paths.js';
import type { Logger } from '../contracts/context.js';
import type { JobData } from './types.js';

const JOB_FILE = /^job-(\d+)$/;
const QUEUE_VERSION = '1\n';

/**
 * The job queue on disk (interfaces §11): `queue/serial`, `queue/version`, `queue/drain`,
 * `queue/job-<id>`, `queue/archive/<id div 10000>/job-<id>`. Files are written whole to a
 * temp file and renamed. New jobs and the serial are fsynced before an id is handed out;
 * later updates are written (page cache) without fsync, coalesced per job, so a crashed
 * master process loses nothing and a busy queue does not wait on the disk for every step.
 * A new job file is created in place (O_EXCL) and fsynced: its id is not yet known to anyone,
 * so a torn file can only belong to a job nobody was told about. An update rewrites the file
 * in place with one write() from offset 0, padded with spaces to the previous length (JSON
 * allows trailing white space): a killed master leaves either the old or the new content,
 * and no directory entry changes, which keeps the file system journal out of the hot path.
 * Updates are synchronous: a job file is small, and a write on the event loop beats several
 * round trips through libuv's thread pool.
 */
export class QueueStore {
  #serial = 0;
  /** The latest durable write of `serial` (see allocate). */
  #serialWrite: Promise<void> = Promise.resolve();
  #dirty = new Map<number, () => JobData>();
  /** Bytes in each job file, so an update can pad over a longer old content. */
  #sizes = new Map<number, number>();
  #scheduled = false;

  constructor(
    readonly paths: GanetiPaths,
    private readonly log: Logger,
  ) {}

  get dir(): string {
    return this.paths.queueDir;
  }

  async open(): Promise<void> {
    await mkdir(this.paths.queueArchiveDir, { recursive: true, mode: 0o750 });
    const version = await readFile(join(this.dir, 'version'), 'utf8').catch(() => null);
    if (version === null) await writeFile(join(this.dir, 'version'), QUEUE_VERSION, { mode: 0o640 });
    const serial = await readFile(join(this.dir, 'serial'), 'utf8').catch(() => '0');
    this.#serial = Number.parseInt(serial.trim(), 10) || 0;
  }

  /** Reserves `n` new job ids; the serial is durable once writeNew returns. */
  async allocate(n: number, atLeast = 0): Promise<number[]> {
    const first = Math.max(this.#serial, atLeast) + 1;
    this.#serial = first + n - 1;
    // Written in the background, one write at a time, the newest value each time; writeNew
    // waits for it beside the job files and syncs the folder once for both, so a submission
    // costs one round of fsyncs instead of two. No id is handed out before writeNew returns.
    const write = this.#serialWrite.catch(() => undefined).then(() => this.#durableWrite(join(this.dir, 'serial'), `${this.#serial}\n`));
    write.catch(() => undefined); // awaited by writeNew; never an unhandled rejection
    this.#serialWrite = write;
    return Array.from({ length: n }, (_, i) => first + i);
  }

  /** Makes the serial durable now (after recovery raised it past the jobs found on disk). */
  async syncSerial(): Promise<void> {
    await this.#serialWrite;
    await this.#syncDir();
  }

  /** Writes new jobs durably (data and directory entry fsynced), in parallel. */
  async writeNew(jobs: readonly JobData[]): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const job = jobs[next++]!;
        const bytes = Buffer.from(JSON.stringify(job));
        const fh = await open(this.#jobPath(job.id), 'wx', 0o640);
        try {
          await fh.writeFile(bytes);
          await fh.sync();
        } finally {
          await fh.close();
        }
        this.#sizes.set(job.id, bytes.length);
      }
    };
    await Promise.all([this.#serialWrite, ...Array.from({ length: Math.min(32, jobs.length) }, worker)]);
    await this.#syncDir();
  }

  /** Schedules a write of the job's current state; changes before the write coalesce. */
  update(id: number, snapshot: () => JobData): void {
    this.#dirty.set(id, snapshot);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes the job's current state now (before an opcode executes, so a restart never reruns it). */
  writeNow(id: number, data: JobData): void {
    this.#dirty.delete(id);
    this.#writeSync(id, data);
  }

  /** Writes every scheduled update. */
  flush(): void {
    this.#scheduled = false;
    const dirty = [...this.#dirty];
    this.#dirty.clear();
    for (const [id, snapshot] of dirty) this.#writeSync(id, snapshot());
  }

  #writeSync(id: number, data: JobData): void {
    const path = this.#jobPath(id);
    try {
      const text = JSON.stringify(data);
      const old = this.#sizes.get(id);
      if (old === undefined) {
        writeFileSync(`${path}.tmp`, text, { mode: 0o640 });
        renameSync(`${path}.tmp`, path);
        this.#sizes.set(id, Buffer.byteLength(text));
        return;
      }
      let bytes = Buffer.from(text);
      if (bytes.length < old) bytes = Buffer.concat([bytes, Buffer.alloc(old - bytes.length, 0x20)]);
      const fd = openSync(path, 'r+');
      try {
        writeSync(fd, bytes, 0, bytes.length, 0);
      } finally {
        closeSync(fd);
      }
      this.#sizes.set(id, bytes.length);
    } catch (e) {
      this.log.error(`cannot write job ${id}: ${(e as Error).message}`);
    }
  }

  async loadAll(): Promise<JobData[]> {
    const names = (await readdir(this.dir)).filter((n) => JOB_FILE.test(n));
    const jobs: JobData[] = [];
    for (const name of names) {
      try {
        const text = await readFile(join(this.dir, name), 'utf8');
        const job = JSON.parse(text) as JobData;
        this.#sizes.set(job.id, Buffer.byteLength(text));
        jobs.push(job);
      } catch (e) {
        // a job file we cannot read is set aside, never silently dropped
        this.log.error(`unreadable job file ${name} moved to ${name}.corrupt: ${(e as Error).message}`);
        await rename(join(this.dir, name), join(this.dir, `${name}.corrupt`)).catch(() => undefined);
      }
    }
    return jobs.sort((a, b) => a.id - b.id);
  }

  /** Ids of the archived jobs (`archive/<id div 10000>/job-<id>`), ascending. */
  async archivedIds(): Promise<number[]> {
    const ids: number[] = [];
    for (const sub of await readdir(this.paths.queueArchiveDir).catch(() => [] as string[])) {
      if (!/^\d+$/.test(sub)) continue;
      const names = await readdir(join(this.paths.queueArchiveDir, sub)).catch(() => [] as string[]);
      for (const name of names) {
        const m = JOB_FILE.exec(name);
        if (m) ids.push(Number(m[1]));
      }
    }
    return ids.sort((x, y) => x - y);
  }

  async loadArchived(id: number): Promise<JobData | null> {
    try {
      return JSON.parse(await readFile(this.#archivePath(id), 'utf8')) as JobData;
    } catch {
      return null;
    }
  }

  /** Moves a finished job into the archive. */
  async archive(id: number): Promise<void> {
    if (this.#dirty.has(id)) this.flush();
    this.#sizes.delete(id);
    const to = this.#archivePath(id);
    await mkdir(join(to, '..'), { recursive: true });
    await rename(this.#jobPath(id), to);
  }

  async isDrained(): Promise<boolean> {
    return stat(join(this.dir, 'drain')).then(
      () => true,
      () => false,
    );
  }

  async setDrained(flag: boolean): Promise<void> {
    const p = join(this.dir, 'drain');
    if (flag) await writeFile(p, '', { mode: 0o640 });
    else await rm(p, { force: true });
  }

  #jobPath(id: number): string {
    return join(this.dir, `job-${id}`);
  }

  #archivePath(id: number): string {
    return join(this.paths.queueArchiveDir, String(Math.floor(id / 10000)), `job-${id}`);
  }

  async #durableWrite(path: string, text: string): Promise<void> {
    const tmp = `${path}.tmp`;
    const fh = await open(tmp, 'w', 0o640);
    try {
      await fh.writeFile(text);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  }

  async #syncDir(): Promise<void> {
    const fh = await open(this.dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
}
