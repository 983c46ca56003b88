/**
 * The one process runner of ganeti-ts. This is the only module that spawns child processes
 * (and the only one that imports execa).
 *
 * Rules, all of them deliberate:
 * - argv[0] is the program, looked up in the child's PATH; there is never a shell.
 * - stdin is /dev/null unless `input` (or `stdinFile`) is given; `stdoutFile` sends stdout to a file.
 * - The child's environment is only the inherited allow-list plus `env` (no silent leaks of
 *   this process's variables into OS/ExtStorage scripts).
 * - The child is the leader of its own process group (`detached`), so a timeout or an abort
 *   kills everything it started: SIGTERM to the group, SIGKILL to the group `killGraceMs`
 *   later. The promise settles as soon as the child has exited and its output pipes are
 *   closed; if members of the group are still alive then, the SIGKILL timer stays armed.
 * - `run` never throws for a failing command: every outcome is a `RunResult` (see `check`).
 *   Problems found before the program could start (an unopenable `logFile`, a bad `cwd`,
 *   an empty argv, spawn errors other than ENOENT/EACCES) give `ok: false`, `exitCode: null`,
 *   `signal: null`, `pid: undefined` and a `ganeti-ts: ...` line in `stderr` and `all`; the
 *   program is then not run at all.
 */
import { open, stat, access, type FileHandle } from 'node:fs/promises';
import { constants as fsConstants } from 'node:fs';
import { finished } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import type { Readable, Writable } from 'node:stream';
import type { RunOptions, RunResult } from './types.js';
import { quoteArgv } from './quote.js';

/** Variables inherited from this process unless `inheritEnv` says otherwise. */
export const DEFAULT_INHERIT_ENV: readonly string[] = Object.freeze(['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR']);
export const DEFAULT_KILL_GRACE_MS = 2000;
export const DEFAULT_MAX_BUFFER = 16 * 1024 * 1024;

type ExecaModule = typeof import('execa');
let execaModule: Promise<ExecaModule> | undefined;

/** execa is imported on the first spawn only: processes that never spawn don't pay for it. */
const loadExeca = (): Promise<ExecaModule> => {
  execaModule ??= import('execa').catch((e: unknown) => {
    execaModule = undefined;
    throw e;
  });
  return execaModule;
};

/** Keeps the last `max` bytes of a text stream (in UTF-8 bytes, cut on a character boundary). */
class TailText {
  private parts: string[] = [];
  private sizes: number[] = [];
  private head = 0;
  private bytes = 0;

  constructor(private readonly max: number) {}

  push(text: string): void {
    if (this.max <= 0 || text === '') return;
    const size = Buffer.byteLength(text);
    this.parts.push(text);
    this.sizes.push(size);
    this.bytes += size;
    // Drop whole chunks that are entirely older than the last `max` bytes.
    while (this.parts.length - this.head > 1 && this.bytes - this.sizes[this.head]! >= this.max) {
      this.bytes -= this.sizes[this.head]!;
      this.parts[this.head] = '';
      this.head++;
    }
    // Many small chunks, or one chunk far over the limit: collapse to bound memory.
    if (this.head > 1024 || this.bytes > 2 * this.max) this.collapse();
  }

  text(): string {
    const joined = this.parts.slice(this.head).join('');
    if (this.bytes <= this.max) return joined;
    const buf = Buffer.from(joined, 'utf8');
    let cut = buf.length - this.max;
    // Don't start in the middle of a multi-byte character.
    while (cut < buf.length && (buf[cut]! & 0xc0) === 0x80) cut++;
    return buf.subarray(cut).toString('utf8');
  }

  private collapse(): void {
    const text = this.text();
    this.parts = [text];
    this.sizes = [Buffer.byteLength(text)];
    this.head = 0;
    this.bytes = this.sizes[0]!;
  }
}

function childEnv(options: RunOptions): Record<string, string> {
  const env: Record<string, string> = {};
  const inherit = options.inheritEnv ?? DEFAULT_INHERIT_ENV;
  if (inherit === 'all') {
    for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
  } else {
    for (const name of inherit) {
      const value = process.env[name];
      if (value !== undefined) env[name] = value;
    }
  }
  if (options.env) Object.assign(env, options.env);
  return env;
}

const errorCode = (e: unknown): string | undefined => {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Whether `cwd` (when given) is a directory we can enter; a reason when it is not. */
async function cwdProblem(cwd: string | undefined): Promise<string | undefined> {
  if (cwd === undefined) return undefined;
  try {
    if (!(await stat(cwd)).isDirectory()) return `working directory ${cwd} is not a directory`;
    await access(cwd, fsConstants.X_OK);
    return undefined;
  } catch (e) {
    return `cannot use working directory ${cwd}: ${errorMessage(e)}`;
  }
}

/**
 * Runs `argv` (no shell) and reports what happened. Never throws for a failing command, a
 * missing program, a timeout or an abort; pass the result to `check` to turn failure into a
 * `GanetiError`.
 */
export async function run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  // Reset just before the spawn: durationMs is how long the command itself took.
  let start = performance.now();
  const args = Object.freeze([...argv]);
  const command = quoteArgv(args);
  const timeoutMs = options.timeoutMs;

  const finish = (r: Omit<RunResult, 'argv' | 'command' | 'durationMs' | 'ok' | 'timeoutMs'>): RunResult =>
    Object.freeze({
      argv: args,
      command,
      ...r,
      ok: r.exitCode === 0 && r.signal === null && !r.timedOut && !r.aborted && !r.notFound,
      durationMs: performance.now() - start,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    });

  /** The program was not run (or could not be): `ok: false` with the reason in stderr. */
  const notStarted = (reason: string, flags: { notFound?: boolean; aborted?: boolean } = {}): RunResult => {
    const text = reason ? `ganeti-ts: ${reason}\n` : '';
    return finish({
      pid: undefined,
      exitCode: null,
      signal: null,
      stdout: '',
      stderr: text,
      all: text,
      timedOut: false,
      aborted: flags.aborted ?? false,
      notFound: flags.notFound ?? false,
    });
  };

  const program = args[0];
  if (program === undefined || program === '') return notStarted('cannot run an empty command');
  const signal = options.signal;
  if (signal?.aborted) return notStarted('', { aborted: true });

  let log: FileHandle | undefined;
  if (options.logFile !== undefined) {
    try {
      log = await open(options.logFile, 'a');
    } catch (e) {
      return notStarted(`cannot open log file ${options.logFile}: ${errorMessage(e)}; ${command} was not run`);
    }
  }

  let execa: ExecaModule['execa'];
  try {
    ({ execa } = await loadExeca());
  } catch (e) {
    await log?.close().catch(() => undefined);
    return notStarted(`cannot load execa: ${errorMessage(e)}`);
  }
  if (signal?.aborted) {
    await log?.close().catch(() => undefined);
    return notStarted('', { aborted: true });
  }

  const maxBuffer = options.maxBuffer ?? DEFAULT_MAX_BUFFER;
  const killGraceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  const stdout = new TailText(maxBuffer);
  const stderr = new TailText(maxBuffer);
  const all = new TailText(maxBuffer);

  let subprocess: ReturnType<typeof execa>;
  start = performance.now();
  try {
    subprocess = execa(program, args.slice(1), {
      ...(options.input !== undefined
        ? { input: options.input }
        : options.stdinFile !== undefined
          ? { stdin: { file: options.stdinFile } }
          : { stdin: options.interactive ? ('inherit' as const) : ('ignore' as const) }),
      stdout: options.interactive ? 'inherit' : options.stdoutFile !== undefined ? { file: options.stdoutFile } : 'pipe',
      stderr: options.interactive ? 'inherit' : 'pipe',
      buffer: false,
      reject: false,
      shell: false,
      // an interactive child stays in the terminal's foreground process group
      detached: !options.interactive,
      cleanup: false,
      extendEnv: false,
      env: childEnv(options),
      forceKillAfterDelay: killGraceMs,
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    });
  } catch (e) {
    await log?.close().catch(() => undefined);
    return notStarted(`cannot run ${command}: ${errorMessage(e)}`);
  }
  const pid = subprocess.pid;

  // The log gets the raw bytes, in arrival order.
  let logStream: Writable | undefined;
  let logError: unknown;
  if (log) {
    logStream = log.createWriteStream();
    logStream.on('error', (e) => {
      logError ??= e;
    });
  }

  const collect = (stream: Readable | null | undefined, tail: TailText) => {
    if (!stream) return { flush: () => undefined };
    const decoder = new StringDecoder('utf8');
    stream.on('data', (chunk: Buffer | string) => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (logStream && logError === undefined) logStream.write(buf);
      const text = decoder.write(buf);
      tail.push(text);
      all.push(text);
    });
    return {
      flush: () => {
        const rest = decoder.end();
        tail.push(rest);
        all.push(rest);
      },
    };
  };
  const outCollector = collect(subprocess.stdout as Readable | null, stdout);
  const errCollector = collect(subprocess.stderr as Readable | null, stderr);

  // Killing: the whole process group, SIGTERM then SIGKILL.
  let killedFor: 'timeout' | 'abort' | undefined;
  let settled = false;
  let killTimer: NodeJS.Timeout | undefined;
  const killGroup = (sig: NodeJS.Signals | 0): boolean => {
    if (pid === undefined) return false;
    try {
      process.kill(-pid, sig);
      return true;
    } catch {
      return false; // ESRCH: the group is gone (signal 0 only probes)
    }
  };
  const terminate = (reason: 'timeout' | 'abort') => {
    if (settled || killedFor !== undefined || pid === undefined) return;
    killedFor = reason;
    killGroup('SIGTERM');
    killTimer = setTimeout(() => killGroup('SIGKILL'), killGraceMs);
  };
  const timeoutTimer =
    timeoutMs !== undefined && Number.isFinite(timeoutMs) && timeoutMs >= 0
      ? setTimeout(() => terminate('timeout'), timeoutMs)
      : undefined;
  const onAbort = () => terminate('abort');
  signal?.addEventListener('abort', onAbort, { once: true });

  let outcome: { exitCode?: number; signal?: string; failed?: boolean; cause?: unknown };
  try {
    outcome = (await subprocess) as typeof outcome;
  } catch (e) {
    // reject: false should make this unreachable; treat it as a failure to run.
    outcome = { failed: true, cause: e };
  } finally {
    settled = true;
    if (timeoutTimer) clearTimeout(timeoutTimer);
    signal?.removeEventListener('abort', onAbort);
  }
  // After a kill, leave the SIGKILL timer armed only while members of the group survive.
  if (killTimer && !killGroup(0)) clearTimeout(killTimer);

  outCollector.flush();
  errCollector.flush();

  const note = (text: string) => {
    stderr.push(text);
    all.push(text);
  };

  if (logStream) {
    logStream.end();
    await finished(logStream).catch((e: unknown) => {
      logError ??= e;
    });
    await log?.close().catch(() => undefined); // already closed by autoClose in the usual case
    if (logError !== undefined) note(`ganeti-ts: writing log file ${options.logFile} failed: ${errorMessage(logError)}\n`);
  }

  const exitCode = typeof outcome.exitCode === 'number' ? outcome.exitCode : null;
  const exitSignal = typeof outcome.signal === 'string' ? outcome.signal : null;

  if (pid === undefined || (outcome.failed && exitCode === null && exitSignal === null && killedFor === undefined)) {
    // The program never ran (spawn error) or execa failed around it.
    const cause = outcome.cause ?? outcome;
    const code = errorCode(cause);
    if (code === 'ENOENT' || code === 'EACCES') {
      const cwdReason = await cwdProblem(options.cwd);
      if (cwdReason !== undefined) return notStarted(`${cwdReason}; ${command} was not run`);
      if (pid === undefined) return notStarted(`cannot run ${program}: ${errorMessage(cause)}`, { notFound: true });
    }
    if (pid === undefined) return notStarted(`cannot run ${command}: ${errorMessage(cause)}`);
    note(`ganeti-ts: ${errorMessage(cause)}\n`);
  }

  return finish({
    pid,
    exitCode,
    signal: exitSignal,
    stdout: stdout.text(),
    stderr: stderr.text(),
    all: all.text(),
    timedOut: killedFor === 'timeout',
    aborted: killedFor === 'abort',
    notFound: false,
  });
}
