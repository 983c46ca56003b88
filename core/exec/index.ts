/** The one process runner: every child process of ganeti-ts goes through `run`. */
export { run, DEFAULT_INHERIT_ENV, DEFAULT_KILL_GRACE_MS, DEFAULT_MAX_BUFFER } from './run.js';
export { check, runChecked, describeStatus, tailLines, TAIL_LINES } from './check.js';
export { boundRunner } from './bound.js';
export { quoteArgv } from './quote.js';
export type { RunOptions, RunResult, Runner } from './types.js';
export { spawnDetached } from './daemon.js';
