/**
 * Runs an OS script as Ganeti does (interfaces §1.5-1.6): in the definition's folder, with the
 * reset environment, output to a log file under the OS log folder. A failure quotes the last
 * 20 lines of the log in the error.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GanetiError, type ProviderContext } from '../../core/index.js';
import type { OsFolder, OsScript } from './definition.js';

const TAIL = 20;
export const tail = (text: string): string => text.replace(/\n$/, '').split('\n').slice(-TAIL).join('\n');

const pad = (n: number) => String(n).padStart(2, '0');
/** Local time as Ganeti's file-name timestamps: `YYYY-MM-DD_HH_MM_SS`. */
export function logTimestamp(d = new Date()): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}_${pad(d.getHours())}_${pad(d.getMinutes())}_${pad(d.getSeconds())}`;
}

/** `<kind>-<os>-<what>-<timestamp>.log`, e.g. `add-debootstrap+default-vm1-2026-11-22_10_00_00.log`. */
export const logName = (kind: string, os: string, what: string, d?: Date): string => `${kind}-${os}-${what}-${logTimestamp(d)}.log`;

/** Runs `script` of the definition; resolves with the log file, or throws GNT_OS_SCRIPT_FAILED. */
export async function runOsScript(
  def: OsFolder,
  script: OsScript,
  instance: string,
  logFile: string,
  env: Record<string, string>,
  ctx: ProviderContext,
  timeoutMs: number,
): Promise<string> {
  const path = def.scripts[script];
  if (!path) throw new GanetiError('GNT_OS_INVALID', { os: def.name, node: ctx.nodeName, reason: `it has no ${script} script` });
  await mkdir(ctx.paths.osLogDir, { recursive: true, mode: 0o750 });
  const log = join(ctx.paths.osLogDir, logFile);
  const r = await ctx.run([path], { cwd: def.path, env, inheritEnv: [], logFile: log, timeoutMs });
  if (r.ok) return log;
  if (r.aborted) throw new GanetiError('GNT_EXEC_ABORTED', { command: r.command });
  const output = await readFile(log, 'utf8').catch(() => r.all);
  const status = r.timedOut ? `ran past ${Math.round(timeoutMs / 1000)} s and was killed` : r.exitCode !== null ? `exited with code ${r.exitCode}` : r.signal ? `killed by ${r.signal}` : 'could not be started';
  throw new GanetiError('GNT_OS_SCRIPT_FAILED', { os: def.name, script, instance, status: `${status}, log ${log}`, tail: tail(output) });
}
