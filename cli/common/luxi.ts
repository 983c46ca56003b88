import { Option, type Command } from 'commander';
import { ganetiPaths, type GanetiPaths } from '../../core/paths.js';
import { GanetiError } from '../../core/errors/index.js';
import { LuxiClient } from '../../core/luxi/client.js';
import { LuxiRemoteError } from '../../core/luxi/errors.js';
import { PRIORITY_NAMES, type LogEntry, type Timestamp } from '../../core/jobs/types.js';
import type { OpCodeInput } from '../../core/contracts/hooks.js';
import { safeEncode } from '../../core/safe-encode.js';
import { CliExit } from './program.js';
import { EXIT } from './exit-codes.js';

/**
 * What the gnt-* commands share for talking to the master daemon over LUXI: the client,
 * Ganeti's opcode options (--submit, --print-jobid, --priority, --dry-run, --reason), the
 * poll loop that follows a job and prints its log (Ganeti's cli.PollJob), and the printing of
 * errors in Ganeti's words (cli.FormatError).
 */

/** A LUXI client for the master daemon of this node (GANETI_ROOT decides the socket). */
export function luxiClient(paths: GanetiPaths = ganetiPaths()): LuxiClient {
  return new LuxiClient({ socketPath: paths.luxiSocket });
}

/** Ganeti's DEFAULT_WFJC_TIMEOUT: how long each WaitForJobChange of the poll loop waits (s). */
export const POLL_UPDATE_FREQ_S = 60;

// --- time and message formatting (Ganeti's utils.FormatTime, cli.FormatTimestamp) ---

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `YYYY-MM-DD HH:MM:SS[.uuuuuu]` in local time (utils.FormatTime); `N/A` for no number. */
export function formatTime(seconds: unknown, usecs?: number): string {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return 'N/A';
  const d = new Date(Math.floor(seconds) * 1000);
  const text = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return usecs === undefined ? text : `${text}.${pad(Math.trunc(usecs), 6)}`;
}

/** A `[seconds, microseconds]` timestamp as `formatTime` shows it; `?` for anything else. */
export function formatTimestamp(ts: unknown): string {
  if (!Array.isArray(ts) || ts.length !== 2) return '?';
  const [sec, usec] = ts as [unknown, unknown];
  return typeof usec === 'number' ? formatTime(sec, usec) : formatTime(sec);
}

/** `[seconds, microseconds]` as seconds (utils.MergeTime). */
export const mergeTime = (ts: Timestamp): number => ts[0] + ts[1] / 1e6;

/** Python's time.ctime in local time: `Thu Nov  7 04:05:06 2024`. */
export function ctime(seconds: number): string {
  const d = new Date(Math.floor(seconds) * 1000);
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${d.getFullYear()}`;
}

/** Python's str() of a decoded JSON value (repr inside containers). */
export function pyStr(v: unknown): string {
  return typeof v === 'string' ? v : pyRepr(v);
}

/** Python's repr() of a decoded JSON value. */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') {
    const quote = v.includes("'") && !v.includes('"') ? '"' : "'";
    let out = '';
    for (const ch of v) {
      const c = ch.codePointAt(0)!;
      if (ch === '\\') out += '\\\\';
      else if (ch === quote) out += `\\${quote}`;
      else if (ch === '\n') out += '\\n';
      else if (ch === '\r') out += '\\r';
      else if (ch === '\t') out += '\\t';
      else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
      else out += ch;
    }
    return `${quote}${out}${quote}`;
  }
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (typeof v === 'object') return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
  return String(v);
}


/** cli.FormatLogMessage: a log entry's message as printed (non-`message` types via str()). */
export const formatLogMessage = (type: string, message: unknown): string =>
  safeEncode(type === 'message' && typeof message === 'string' ? message : pyStr(message));

// --- errors, as Ganeti's cli.FormatError prints them ---

/** An error with one of Ganeti's classes, raised by the CLI itself (e.g. JobLost, JobCanceled). */
export const ganetiClassError = (errorClass: string, message: string, ...rest: unknown[]): LuxiRemoteError =>
  new LuxiRemoteError([errorClass, [message, ...rest]]);

const PROTOCOL_CLASSES = new Set(['ProtocolError', 'RequestError', 'ConnectionClosedError', 'TimeoutError', 'NoMasterError', 'PermissionError']);

/**
 * The text and exit code Ganeti prints for an error (cli.FormatError), or null when the error
 * is none of LUXI's (the caller lets the program's generic handler print it).
 */
export function formatLuxiFailure(e: unknown): { code: number; text: string } | null {
  const fail = (text: string, code: number = EXIT.FAILURE) => ({ code, text });
  if (e instanceof LuxiRemoteError) {
    // str(err) in Ganeti: the message (a ganeti-ts server's starts with its code)
    const msg = e.remoteMessage;
    switch (e.errorClass) {
      case 'OpPrereqError':
        return e.errorArgs.length >= 2
          ? fail(`Failure: prerequisites not met for this operation:\nerror type: ${pyStr(e.errorArgs[1])}, error details:\n${msg}`)
          : fail(`Failure: prerequisites not met for this operation:\n${msg}`);
      case 'OpExecError':
        return fail(`Failure: command execution error:\n${msg}`);
      case 'JobQueueDrainError':
        return fail("Failure: the job queue is marked for drain and doesn't accept new requests");
      case 'JobQueueFull':
        return fail("Failure: the job queue is full and doesn't accept new job submissions until old jobs are archived");
      case 'ConfigurationError':
        return fail(`Corrupt configuration file: ${msg}\nAborting.`, 2);
      case 'TagError':
        return fail(`Failure: invalid tag(s) given:\n${msg}`);
      case 'HooksAbort': {
        // Ganeti's args: [[[node, script, output], ...]]
        const failures = Array.isArray(e.errorArgs[0]) ? (e.errorArgs[0] as unknown[]) : [];
        const lines = failures.map((f) => {
          const [node, script, out] = Array.isArray(f) ? f.map((x) => pyStr(x)) : [pyStr(f), '?', ''];
          return out ? `  node: ${node}, script: ${script}, output: ${out}` : `  node: ${node}, script: ${script} (no output)`;
        });
        return fail(['Failure: hooks execution failed:', ...lines].join('\n'));
      }
      case 'HooksFailure':
        return fail(`Failure: hooks general failure: ${msg}`);
      case 'TypeEnforcementError':
        return fail(`Parameter Error: ${msg}`);
      case 'ParameterError':
        return fail(`Failure: unknown/wrong parameter name '${msg}'`);
      case 'JobLost':
        return fail(`Error checking job status: ${msg}`);
      case 'QueryFilterParseError':
        return fail(`Error while parsing query filter: ${msg}`);
      default:
        if (PROTOCOL_CLASSES.has(e.errorClass)) return fail(`Unhandled protocol error while talking to the master daemon:\n${msg}`);
        return fail(`Unhandled Ganeti error: ${msg}`);
    }
  }
  if (e instanceof GanetiError) {
    switch (e.code) {
      case 'GNT_LUXI_CONNECT': {
        const cause = (e.cause as NodeJS.ErrnoException | undefined)?.code;
        if (cause === 'EACCES' || cause === 'EPERM') return fail("It seems you don't have permissions to connect to the master daemon.\nPlease retry as a different user.");
        return fail('Cannot communicate with the master daemon.\nIs the process running and listening for connections?');
      }
      case 'GNT_LUXI_TIMEOUT':
        return fail(
          'Timeout while talking to the master daemon. Jobs might have been submitted and will continue to run even if the call timed out.' +
            ' Useful commands in this situation are "gnt-job list", "gnt-job cancel" and "gnt-job watch". Error:\n' +
            e.toLine(),
        );
      case 'GNT_LUXI_PROTOCOL':
        return fail(`Unhandled protocol error while talking to the master daemon:\n${e.toLine()}`);
      default:
        return null;
    }
  }
  return null;
}

/**
 * Wraps a command action: LUXI errors are printed as Ganeti prints them and end the command
 * with Ganeti's exit code; other errors go to the program's handler.
 */
export function luxiAction<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      const f = formatLuxiFailure(e);
      if (!f) throw e;
      process.stderr.write(`${f.text}\n`);
      throw new CliExit(f.code);
    }
  };
}

/** A job id from the command line (cli._ParseJobIds); GNT_CLI_INVALID_ARGUMENT otherwise. */
export function parseJobId(arg: string): number {
  if (!/^\s*[0-9]+\s*$/.test(arg)) throw new GanetiError('GNT_CLI_INVALID_ARGUMENT', { reason: `Invalid job ID passed: '${arg}'` });
  return Number.parseInt(arg, 10);
}

export const parseJobIds = (args: readonly string[]): number[] => args.map(parseJobId);

// --- opcode options and submission ---

/** Ganeti's generic opcode options as commander parses them. */
export interface OpcodeOptions {
  /** `--submit`: print `JobID: N` and return without waiting. */
  submit?: boolean;
  /** `--print-jobid`: print the bare job id on stdout first. */
  printJobid?: boolean;
  /** `--priority low|normal|high` */
  priority?: string;
  /** `--dry-run` */
  dryRun?: boolean;
  /** `--reason` */
  reason?: string;
}

/** Adds `--dry-run`, `--priority`, `--submit`, `--print-jobid` and `--reason` (Ganeti's help texts). */
export function addOpcodeOptions(cmd: Command, which: { dryRun?: boolean; submit?: boolean } = {}): Command {
  if (which.dryRun !== false) cmd.option('--dry-run', 'run the checks only, change nothing');
  cmd.addOption(new Option('--priority <priority>', 'job priority').choices(['low', 'normal', 'high']));
  if (which.submit !== false) {
    cmd.option('--submit', 'print the job id and return without waiting');
    cmd.option('--print-jobid', 'also print the bare job id on stdout (for scripts)');
  }
  cmd.option('--reason <reason>', 'reason recorded in the job\'s reason trail');
  return cmd;
}

/** `--priority` as Ganeti's number (low 10, normal 0, high -10), or undefined. */
export function priorityValue(name: string | undefined): number | undefined {
  if (name === undefined) return undefined;
  const v = PRIORITY_NAMES[name];
  if (v === undefined) throw new GanetiError('GNT_CLI_INVALID_ARGUMENT', { reason: `Unknown priority '${name}' (known: ${Object.keys(PRIORITY_NAMES).join(', ')})` });
  return v;
}

/** Who runs the opcode, for the reason trail: `gnt:client:<binary>` and the sub-command. */
export interface CommandSource {
  readonly binary: string;
  readonly command: string;
}

/**
 * Ganeti's SetGenericOpcodeOpts: debug level, dry run, priority (when given) and the reason
 * trail (`gnt:user` with --reason, then `gnt:client:<binary>` with the command), each with
 * a timestamp in nanoseconds.
 */
export function applyOpcodeOptions(op: OpCodeInput, opts: OpcodeOptions, source: CommandSource): OpCodeInput {
  const now = Date.now() * 1e6;
  const reason: [string, string, number][] = [];
  if (opts.reason) reason.push(['gnt:user', opts.reason, now]);
  reason.push([`gnt:client:${source.binary}`, source.command, now]);
  const priority = priorityValue(opts.priority);
  return {
    ...op,
    debug_level: 0,
    dry_run: opts.dryRun ?? false,
    ...(priority !== undefined ? { priority } : {}),
    reason,
  };
}

/** How a poll loop reports progress (Ganeti's JobPollReportCbBase). */
export interface PollReporter {
  logMessage(jobId: number, serial: number, timestamp: Timestamp, type: string, message: unknown): void;
  notChanged(jobId: number, status: string | null): void;
}

/** Ganeti's StdioJobPollReportCb: log lines on stdout, a note on stderr when a job waits long. */
export function stdioReporter(out: (line: string) => void = (l) => process.stdout.write(`${l}\n`), err: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): PollReporter {
  let queuedNoted = false;
  let waitingNoted = false;
  return {
    logMessage(_jobId, _serial, timestamp, type, message) {
      out(`${ctime(mergeTime(timestamp))} ${formatLogMessage(type, message)}`);
    },
    notChanged(jobId, status) {
      if (status === 'queued' && !queuedNoted) {
        err(`Job ${jobId} is waiting in queue`);
        queuedNoted = true;
      } else if (status === 'waiting' && !waitingNoted) {
        err(`Job ${jobId} is trying to acquire all necessary locks`);
        waitingNoted = true;
      }
    },
  };
}

/** A reporter that prints nothing (`gnt-job wait`). */
export const silentReporter: PollReporter = { logMessage: () => undefined, notChanged: () => undefined };

const FINAL_OR_CANCELING = new Set(['success', 'error', 'canceling', 'canceled']);

/**
 * Ganeti's GenericPollJob: WaitForJobChange on `status` with the previous job info and the
 * highest log serial seen, reporting each new log entry, until the job ends; then QueryJobs
 * for its opcode statuses and results. Returns the opcodes' results when the job succeeded;
 * otherwise throws the failing opcode's error with its Ganeti class (OpPrereqError,
 * OpExecError, ...), `JobCanceled` or `JobLost`.
 */
export async function pollJob(client: LuxiClient, jobId: number, reporter: PollReporter = stdioReporter(), updateFreqS = POLL_UPDATE_FREQ_S): Promise<unknown[]> {
  let prevInfo: unknown[] | null = null;
  let prevSerial: number | null = null;
  let status: string | null = null;
  const lost = () => ganetiClassError('JobLost', `Job with id ${jobId} lost`);
  for (;;) {
    let result;
    try {
      result = await client.waitForJobChange(jobId, ['status'], prevInfo, prevSerial, updateFreqS);
    } catch (e) {
      if (e instanceof LuxiRemoteError && (e.errorClass === 'JobLost' || e.remoteCode === 'GNT_JOB_NOT_FOUND')) throw lost();
      throw e;
    }
    if (!result) throw lost();
    if (result === 'nochange') {
      reporter.notChanged(jobId, status);
      continue;
    }
    const [info, entries] = result;
    status = typeof info[0] === 'string' ? info[0] : null;
    if (entries.length) {
      for (const [serial, timestamp, type, message] of entries as LogEntry[]) {
        reporter.logMessage(jobId, serial, timestamp, type, message);
        prevSerial = prevSerial === null ? serial : Math.max(prevSerial, serial);
      }
    } else if (status !== null && FINAL_OR_CANCELING.has(status)) {
      break;
    }
    prevInfo = info;
  }
  const [row] = await client.queryJobs([jobId], ['status', 'opstatus', 'opresult']);
  if (!row) throw lost();
  const [final, opStatus, opResult] = row as [string, string[], unknown[]];
  if (final === 'success') return opResult;
  if (final === 'canceling' || final === 'canceled') throw ganetiClassError('JobCanceled', 'Job was canceled');
  let hasOk = false;
  for (let i = 0; i < opStatus.length; i++) {
    const msg = opResult[i];
    if (opStatus[i] === 'success') hasOk = true;
    else if (opStatus[i] === 'error') {
      if (Array.isArray(msg) && msg.length === 2 && typeof msg[0] === 'string' && Array.isArray(msg[1])) throw new LuxiRemoteError(msg);
      if (hasOk) throw ganetiClassError('OpExecError', `partial failure (opcode ${i}): ${pyStr(msg)}`);
      throw ganetiClassError('OpExecError', pyStr(msg));
    }
  }
  throw ganetiClassError('OpExecError', pyStr(opResult));
}

export interface SubmitOptions extends OpcodeOptions {
  /** Defaults to `luxiClient()`, closed afterwards. */
  readonly client?: LuxiClient;
  readonly reporter?: PollReporter;
}

/**
 * Ganeti's SubmitOrSend for one job: applies the opcode options, submits, and either prints
 * `JobID: N` on stderr and returns null (`--submit`, as Ganeti's JobSubmittedException is
 * printed), or follows the job, printing its log, and returns the opcodes' results. A failed
 * job throws the opcode's error (see `pollJob`); `luxiAction` prints it and exits 1.
 */
export async function submitAndWait(ops: readonly OpCodeInput[], opts: SubmitOptions, source: CommandSource): Promise<unknown[] | null> {
  const client = opts.client ?? luxiClient();
  try {
    const jobId = await client.submitJob(ops.map((op) => applyOpcodeOptions(op, opts, source)));
    if (opts.printJobid) process.stdout.write(`${jobId}\n`);
    if (opts.submit) {
      process.stderr.write(`JobID: ${jobId}\n`);
      return null;
    }
    return await pollJob(client, jobId, opts.reporter ?? stdioReporter());
  } finally {
    if (!opts.client) client.close();
  }
}
