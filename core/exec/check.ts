import { GanetiError } from '../errors/index.js';
import { quoteArg } from './quote.js';
import { run } from './run.js';
import type { RunOptions, RunResult } from './types.js';

/** Lines of output quoted in a failure message (Ganeti reports the last 20 lines of a script's log). */
export const TAIL_LINES = 20;

/** The last `lines` lines of `text`, without the final newline. */
export function tailLines(text: string, lines = TAIL_LINES): string {
  const trimmed = text.replace(/\r?\n$/, '');
  if (trimmed === '') return '';
  return trimmed.split(/\r?\n/).slice(-lines).join('\n');
}

/** How a failed command ended, e.g. `exited with code 3` or `was killed by SIGKILL`. */
export function describeStatus(result: RunResult): string {
  if (result.exitCode !== null) return `exited with code ${result.exitCode}`;
  if (result.signal !== null) return `was killed by ${result.signal}`;
  return 'could not be started';
}

/**
 * Returns `result` when it is ok, otherwise throws the fitting `GanetiError`:
 * GNT_EXEC_NOT_FOUND, GNT_EXEC_TIMEOUT, GNT_EXEC_ABORTED, else GNT_EXEC_FAILED with the exit
 * status and the last 20 lines of the interleaved output.
 */
export function check(result: RunResult): RunResult {
  if (result.ok) return result;
  if (result.notFound) throw new GanetiError('GNT_EXEC_NOT_FOUND', { command: quoteArg(result.argv[0] ?? '') });
  if (result.timedOut) {
    const timeoutMs = result.timeoutMs ?? Math.round(result.durationMs);
    throw new GanetiError('GNT_EXEC_TIMEOUT', { command: result.command, timeoutMs: String(timeoutMs) });
  }
  if (result.aborted) throw new GanetiError('GNT_EXEC_ABORTED', { command: result.command });
  throw new GanetiError('GNT_EXEC_FAILED', {
    command: result.command,
    status: describeStatus(result),
    tail: tailLines(result.all || result.stderr),
  });
}

/** `run` then `check`: resolves with the result of a successful command, rejects otherwise. */
export const runChecked = async (argv: readonly string[], opts?: RunOptions): Promise<RunResult> =>
  check(await run(argv, opts));
