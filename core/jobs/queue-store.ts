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
 */
export class QueueStore {
  #serial = 0;
  #pending = new Map<number, { job: () => JobData; writing: Promise<void> | null; dirty: boolean }>();

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

  /** Reserves `n` new job ids; the serial is durable before they are returned. */
  async allocate(n: number, atLeast = 0): Promise<number[]> {
    const first = Math.max(this.#serial, atLeast) + 1;
    this.#serial = first + n - 1;
    await this.#durableWrite(join(this.dir, 'serial'), `${this.#serial}\n`);
    await this.#syncDir();
    return Array.from({ length: n }, (_, i) => first + i);
  }

  /** Writes new jobs durably (data and directory entry fsynced), in parallel. */
  async writeNew(jobs: readonly JobData[]): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const job = jobs[next++]!;
        await this.#durableWrite(this.#jobPath(job.id), JSON.stringify(job));
      }
    };
    await Promise.all(Array.from({ length: Math.min(32, jobs.length) }, worker));
    await this.#syncDir();
  }

  /** Schedules a write of the job's current state; several changes coalesce into one write. */
  update(id: number, snapshot: () => JobData): Promise<void> {
    let p = this.#pending.get(id);
    if (!p) {
      p = { job: snapshot, writing: null, dirty: false };
      this.#pending.set(id, p);
    }
    p.job = snapshot;
    p.dirty = true;
    return (p.writing ??= this.#drain(id, p));
  }

  async #drain(id: number, p: { job: () => JobData; writing: Promise<void> | null; dirty: boolean }): Promise<void> {
    await Promise.resolve(); // let changes made in the same tick coalesce
    try {
      while (p.dirty) {
        p.dirty = false;
        await this.#atomicWrite(this.#jobPath(id), JSON.stringify(p.job()));
      }
    } catch (e) {
      this.log.error(`cannot write job ${id}: ${(e as Error).message}`);
    } finally {
      p.writing = null;
      if (!p.dirty) this.#pending.delete(id);
    }
  }

  /** Waits for every scheduled write. */
  async flush(): Promise<void> {
    await Promise.all([...this.#pending.values()].map((p) => p.writing));
  }

  async loadAll(): Promise<JobData[]> {
    const names = (await readdir(this.dir)).filter((n) => JOB_FILE.test(n));
    const jobs: JobData[] = [];
    for (const name of names) {
      try {
        jobs.push(JSON.parse(await readFile(join(this.dir, name), 'utf8')) as JobData);
      } catch (e) {
        // a job file we cannot read is set aside, never silently dropped
        this.log.error(`unreadable job file ${name} moved to ${name}.corrupt: ${(e as Error).message}`);
        await rename(join(this.dir, name), join(this.dir, `${name}.corrupt`)).catch(() => undefined);
      }
    }
    return jobs.sort((a, b) => a.id - b.id);
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
    await this.#pending.get(id)?.writing;
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

  async #atomicWrite(path: string, text: string): Promise<void> {
    const tmp = `${path}.tmp`;
    await writeFile(tmp, text, { mode: 0o640 });
    await rename(tmp, path);
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
