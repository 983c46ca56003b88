/**
 * Runs one ExtStorage action (interfaces §2.3): the provider's script in the provider's
 * folder, inherited environment plus the action's variables. Every action but attach writes
 * stdout and stderr to `<extstorageLogDir>/<action>-<provider>-<volume>-<timestamp>.log`
 * (the folder is made when missing, where Ganeti would fail); attach's stdout is its answer.
 * A failure quotes the last 20 lines of the log (attach: of its output).
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GanetiError, type ProviderContext, type RunResult } from '../../core/index.js';
import type { ExtAction, ExtProvider } from './scripts.js';
import type { ExtId } from './logical-id.js';
import type { ExtTimeouts } from './timeouts.js';

const TAIL = 20;

const tail = (text: string): string => text.replace(/\n$/, '').split('\n').slice(-TAIL).join('\n');

const pad = (n: number) => String(n).padStart(2, '0');
/** Local time as Ganeti's TimestampForFilename: `YYYY-MM-DD_HH_MM_SS` (no colons). */
export function logTimestamp(d = new Date()): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}_${pad(d.getHours())}_${pad(d.getMinutes())}_${pad(d.getSeconds())}`;
}

export const logFileName = (action: ExtAction, id: ExtId, d?: Date): string => `${action}-${id.provider}-${id.volume}-${logTimestamp(d)}.log`;

export interface ActionRun {
  readonly result: RunResult;
  /** The log file written (absent for attach). */
  readonly logFile?: string;
}

/** Runs `action`'s script, which must exist; throws the coded error when it does not succeed. */
export async function runAction(
  provider: ExtProvider,
  action: ExtAction,
  id: ExtId,
  env: Record<string, string>,
  timeouts: ExtTimeouts,
  ctx: ProviderContext,
): Promise<ActionRun> {
  const script = provider.scripts[action];
  if (!script) throw new GanetiError('GNT_EXT_ACTION_UNSUPPORTED', { provider: provider.name, action, node: ctx.nodeName });
  let logFile: string | undefined;
  if (action !== 'attach') {
    await mkdir(ctx.paths.extstorageLogDir, { recursive: true, mode: 0o750 });
    logFile = join(ctx.paths.extstorageLogDir, logFileName(action, id));
  }
  const result = await ctx.run([script], {
    cwd: provider.path,
    env,
    inheritEnv: 'all',
    timeoutMs: timeouts[action] * 1000,
    ...(logFile ? { logFile } : {}),
  });
  if (result.ok) return { result, ...(logFile ? { logFile } : {}) };
  if (result.aborted) throw new GanetiError('GNT_EXEC_ABORTED', { command: result.command });
  const output = logFile ? await readFile(logFile, 'utf8').catch(() => result.all) : result.all;
  const base = { provider: provider.name, action, volume: id.volume, tail: tail(output) };
  if (result.timedOut) throw new GanetiError('GNT_EXT_SCRIPT_TIMEOUT', { ...base, seconds: String(timeouts[action]) });
  if (result.notFound) throw new GanetiError('GNT_EXT_PROVIDER_INVALID', { provider: provider.name, node: ctx.nodeName, reason: `script '${script}' could not be run` });
  const status = result.exitCode !== null ? `exited with code ${result.exitCode}` : result.signal ? `killed by ${result.signal}` : 'could not be started';
  throw new GanetiError('GNT_EXT_SCRIPT_FAILED', { ...base, status: logFile ? `${status}, log ${logFile}` : status });
}
