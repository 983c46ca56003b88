/** Options of the one process runner (`core/exec`). Every child process goes through it. */
export interface RunOptions {
  /** Working directory (Ganeti runs OS and ExtStorage scripts in their own folder). */
  cwd?: string;
  /** Variables set for the child, on top of the inherited allow-list. */
  env?: Readonly<Record<string, string>>;
  /**
   * Names copied from this process's environment. Default: PATH, HOME, LANG, LC_ALL, TZ,
   * TMPDIR. `'all'` inherits everything (Ganeti does so for ExtStorage scripts).
   */
  inheritEnv?: readonly string[] | 'all';
  /** Written to the child's stdin, which is otherwise /dev/null. */
  input?: string | Uint8Array;
  /** Kill the child (and its process group) after this long; the result says `timedOut`. */
  timeoutMs?: number;
  /** Aborting kills the child's whole process group; the result says `aborted`. */
  signal?: AbortSignal;
  /** Delay between SIGTERM and SIGKILL when killing. Default 2000 ms. */
  killGraceMs?: number;
  /** Bytes kept of stdout and of stderr each; older output is dropped. Default 16 MiB. */
  maxBuffer?: number;
  /** Also append stdout and stderr, interleaved, to this file (per-action script logs). */
  logFile?: string;
  /** stdin is this file (e.g. a disk dump for an OS import script) instead of /dev/null. */
  stdinFile?: string;
  /** stdout goes to this file, raw and not kept (a data channel, e.g. an OS export); stderr is kept as usual. */
  stdoutFile?: string;
  /** The child shares this process's terminal (stdin, stdout, stderr; no output kept), e.g. a console. */
  interactive?: boolean;
}

/** What a finished child did. The runner never throws for a failing command; see `check`. */
export interface RunResult {
  readonly argv: readonly string[];
  /** argv quoted for display in messages and logs. */
  readonly command: string;
  readonly pid: number | undefined;
  /** null when the child was killed by a signal or never started. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr interleaved in arrival order. */
  readonly all: string;
  /** exit code 0, not killed, not timed out, not aborted. */
  readonly ok: boolean;
  readonly timedOut: boolean;
  readonly aborted: boolean;
  /** The executable was not found or not executable (ENOENT/EACCES). */
  readonly notFound: boolean;
  readonly durationMs: number;
  /** The `timeoutMs` option the command ran with, when one was given (for messages). */
  readonly timeoutMs?: number;
}

export type Runner = (argv: readonly string[], options?: RunOptions) => Promise<RunResult>;
