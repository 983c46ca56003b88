import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../../core/exec/index.js';
import type { LuxiClient } from '../../core/luxi/client.js';
import type { GanetiPaths } from '../../core/paths.js';
import { REPO_ROOT } from '../helpers/tmp.js';

/** What the integration tests of the master daemon share. */

export const FINALIZED = new Set(['success', 'error', 'canceled']);

/** Polls `probe` until it returns something other than undefined/false, or fails after `timeoutMs`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000, everyMs = 20): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** One job's fields through QueryJobs (null when the daemon does not know the job). */
export async function jobFields(client: LuxiClient, id: number, fields: string[]): Promise<unknown[] | null> {
  const [row] = (await client.call('QueryJobs', [[id], fields])) as (unknown[] | null)[];
  return row ?? null;
}

export async function jobStatus(client: LuxiClient, id: number): Promise<string | null> {
  const row = await jobFields(client, id, ['status']);
  return row ? (row[0] as string) : null;
}

/** Waits until the job is in one of `statuses` (default: finalized) and returns its status. */
export function untilStatus(client: LuxiClient, id: number, statuses: ReadonlySet<string> | readonly string[] = FINALIZED, timeoutMs = 10_000): Promise<string> {
  const want = new Set(statuses);
  return until(`job ${id} to reach ${[...want].join('/')}`, async () => {
    const s = await jobStatus(client, id);
    return s !== null && want.has(s) ? s : undefined;
  }, timeoutMs);
}

/** locks.data as the daemon last wrote it (Ganeti's `[allocation, pending]`). */
export async function readLocksData(paths: GanetiPaths): Promise<unknown> {
  return JSON.parse(await readFile(paths.locksData, 'utf8')) as unknown;
}

/**
 * The job files of the live queue, parsed: what a restarted master will find. Files that do
 * not parse (a job torn by a crash while it was being created) are listed apart.
 */
export async function jobFilesOnDisk(paths: GanetiPaths): Promise<{ jobs: Map<number, { ops: { status: string }[] }>; unreadable: number[] }> {
  const jobs = new Map<number, { ops: { status: string }[] }>();
  const unreadable: number[] = [];
  for (const name of await readdir(paths.queueDir)) {
    const m = /^job-(\d+)$/.exec(name);
    if (!m) continue;
    try {
      jobs.set(Number(m[1]), JSON.parse(await readFile(join(paths.queueDir, name), 'utf8')) as { ops: { status: string }[] });
    } catch {
      unreadable.push(Number(m[1]));
    }
  }
  return { jobs, unreadable };
}

/** A job's status from its opcodes (the rule of interfaces §11), for job files read off disk. */
export function statusOf(opStatuses: readonly string[]): string {
  for (const s of opStatuses) if (s === 'error' || s === 'canceling' || s === 'canceled') return s;
  if (opStatuses.every((s) => s === 'success')) return 'success';
  return opStatuses.find((s) => s === 'waiting' || s === 'running') ?? 'queued';
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a gnt-* command of this checkout against the daemon on `root` (no shell). */
export async function gnt(root: string, binary: 'gnt-job' | 'gnt-debug' | 'gnt-cluster', ...args: string[]): Promise<CliResult> {
  const r = await run([process.execPath, join(REPO_ROOT, 'dist', 'cli', `${binary}.js`), ...args], {
    env: { GANETI_ROOT: root, TZ: 'UTC' },
    timeoutMs: 30_000,
  });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

/** `JobID: N` as --submit prints it (on stderr, as Ganeti's JobSubmittedException). */
export function submittedId(r: CliResult): number {
  const m = /^JobID: (\d+)$/m.exec(r.stderr + r.stdout);
  if (!m) throw new Error(`no "JobID: N" in the output: ${JSON.stringify(r)}`);
  return Number(m[1]);
}
