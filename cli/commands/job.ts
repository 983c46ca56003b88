import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { GanetiError } from '../../core/errors/index.js';
import { makeSimpleFilter } from '../../core/query/filter.js';
import type { LuxiClient } from '../../core/luxi/client.js';
import { CliExit } from '../common/program.js';
import { EXIT } from '../common/exit-codes.js';
import {
  formatLogMessage,
  formatLuxiFailure,
  formatTimestamp,
  luxiClient,
  parseJobId,
  parseJobIds,
  pollJob,
  priorityValue,
  pyStr,
  silentReporter,
  stdioReporter,
} from '../common/luxi.js';
import { formatQueryResult, genericList, genericListFields, parseFields, type ColumnFormat } from './query-output.js';
import { InfoMap, InlineTuple, formatGenericInfo } from './generic-info.js';

/** The actions of gnt-job (Ganeti's lib/client/gnt_job.py); gnt-job.ts declares the options. */

export const LIST_DEFAULT_FIELDS = Object.freeze(['id', 'status', 'summary']);

/** Status selectors (`--pending` ...), in Ganeti's sets. */
export const STATUS_SELECTORS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  pending: ['queued', 'waiting', 'canceling'],
  running: ['running'],
  error: ['error'],
  finished: ['canceled', 'success', 'error'],
  queued: ['queued'],
  waiting: ['waiting'],
});

/** Ganeti's _JOB_LIST_FORMAT. */
export const JOB_LIST_FORMAT: Readonly<Record<string, ColumnFormat>> = Object.freeze({
  status: { format: (v) => pyStr(v) },
  summary: { format: (v) => (Array.isArray(v) ? v.map(pyStr).join(',') : pyStr(v)) },
  opstart: { format: (v) => pyStr(Array.isArray(v) ? v.map(formatTimestamp) : v) },
  opexec: { format: (v) => pyStr(Array.isArray(v) ? v.map(formatTimestamp) : v) },
  opend: { format: (v) => pyStr(Array.isArray(v) ? v.map(formatTimestamp) : v) },
});

const prereq = (reason: string) => new GanetiError('GNT_CLI_INVALID_ARGUMENT', { reason });

/** Ends the command with `code` unless it is 0. */
function exitWith(code: number): void {
  if (code !== EXIT.SUCCESS) throw new CliExit(code);
}

async function withClient<T>(fn: (client: LuxiClient) => Promise<T>): Promise<T> {
  const client = luxiClient();
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

export interface ListOptions {
  output?: string;
  headers: boolean;
  separator?: string;
  verbose?: boolean;
  archived?: boolean;
  /** The last status selector given (--pending, --running, --error, --finished). */
  status?: string;
}

/** `gnt-job list [ids]` */
export async function listJobs(args: readonly string[], opts: ListOptions): Promise<void> {
  const fields = parseFields(opts.output, LIST_DEFAULT_FIELDS);
  if (opts.archived && !fields.includes('archived')) fields.push('archived');
  const statusFilter = makeSimpleFilter('status', opts.status ? STATUS_SELECTORS[opts.status] : null);
  const nameFilter = makeSimpleFilter('id', parseJobIds(args));
  const qfilter = statusFilter && nameFilter ? ['&', nameFilter, statusFilter] : (statusFilter ?? nameFilter);
  const code = await withClient((client) =>
    genericList(client, 'job', fields, qfilter, {
      header: opts.headers,
      separator: opts.separator,
      verbose: opts.verbose ?? false,
      overrides: JOB_LIST_FORMAT,
    }),
  );
  exitWith(code);
}

/** `gnt-job list-fields [fields]` */
export async function listJobFields(args: readonly string[], opts: { headers: boolean; separator?: string }): Promise<void> {
  exitWith(await withClient((client) => genericListFields(client, 'job', args, { header: opts.headers, separator: opts.separator })));
}

type Ts = [number, number] | null;
const delta = (from: [number, number], to: [number, number]) => to[0] - from[0] + (to[1] - from[1]) / 1e6;
const isTs = (v: unknown): v is [number, number] => Array.isArray(v) && v.length === 2;

function jobTimestamp(name: string, ts: Ts, prior: Ts = null): [string, string, string] {
  if (ts === null || ts === undefined) return [name, 'unknown (None)', 'job_timestamp'];
  const d = prior !== null && prior !== undefined ? ` (delta ${delta(prior, ts).toFixed(6)}s)` : '';
  return [name, `${formatTimestamp(ts)}${d}`, 'job_timestamp'];
}

const opTimestamp = (name: string, ts: unknown): [string, string, string] => [name, isTs(ts) ? formatTimestamp(ts) : 'N/A', 'opcode_timestamp'];

const INFO_FIELDS = ['id', 'status', 'ops', 'opresult', 'opstatus', 'oplog', 'opstart', 'opexec', 'opend', 'received_ts', 'start_ts', 'end_ts'];

/** `gnt-job info <ids>`: Ganeti's ShowJobs layout. */
export async function showJobs(args: readonly string[]): Promise<void> {
  const ids = parseJobIds(args);
  const response = await withClient((client) => client.query('job', INFO_FIELDS, makeSimpleFilter('id', ids)));
  const container: unknown[] = [];
  for (const entry of response.data) {
    const v = entry.map(([, value]) => value);
    const [jobId, status, ops, opresult, opstatus, oplog, opstart, opexec, opend, recv, start, end] = v as [
      number, string, Record<string, unknown>[], unknown[], string[], [number, [number, number], string, unknown][][], unknown[], unknown[], unknown[], Ts, Ts, Ts,
    ];
    if (entry[1]![0] !== 0) {
      container.push(`Job ID ${jobId} not found`);
      continue;
    }
    const info: [string, unknown, string?][] = [['Job ID', jobId], ['Status', status]];
    info.push(jobTimestamp('Received', recv));
    info.push(jobTimestamp('Processing start', start, recv));
    info.push(jobTimestamp('Processing end', end, start));
    info.push(['Total processing time', end && recv ? `${delta(recv, end).toFixed(6)} seconds` : 'N/A']);
    const opcodes = (ops ?? []).map((op, i) => {
      const log = (oplog?.[i] ?? []).map(
        ([serial, ts, type, message]) =>
          new InfoMap([
            ['Time', formatTimestamp(ts)],
            ['Content', new InlineTuple([serial, type, formatLogMessage(type, message)])],
          ]),
      );
      return new InfoMap([
        ['Opcode', op['OP_ID']],
        ['Status', opstatus?.[i]],
        opTimestamp('Processing start', opstart?.[i]),
        opTimestamp('Execution start', opexec?.[i]),
        opTimestamp('Processing end', opend?.[i]),
        ['Input fields', op],
        ['Result', opresult?.[i]],
        ['Execution log', log],
      ]);
    });
    info.push(['Opcodes', opcodes]);
    container.push(new InfoMap(info));
  }
  process.stdout.write(`${formatGenericInfo(container)}\n`);
}

/** `gnt-job watch <id>`: follows the job's log until it ends. */
export async function watchJob(arg: string, quiet = false): Promise<void> {
  const jobId = parseJobId(arg);
  if (!quiet) {
    const msg = `Output from job ${arg} follows`;
    process.stdout.write(`${msg}\n${'-'.repeat(msg.length)}\n`);
  }
  try {
    await withClient((client) => pollJob(client, jobId, quiet ? silentReporter : stdioReporter()));
  } catch (e) {
    const f = formatLuxiFailure(e);
    if (!f) throw e;
    process.stderr.write(`Job ${arg} failed: ${f.text}\n`);
    throw new CliExit(f.code);
  }
}

/** Ganeti's AskUser for a yes/no question on the terminal; no terminal means no. */
export function askUser(text: string): boolean {
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r+');
  } catch {
    return false;
  }
  try {
    const buf = Buffer.alloc(256);
    for (;;) {
      writeSync(fd, `${text}\ny/[n]/?: `);
      const n = readSync(fd, buf, 0, buf.length, null);
      const answer = buf.subarray(0, n).toString().trim().toLowerCase().slice(0, 1);
      if (answer === 'y') return true;
      if (answer === 'n' || n === 0) return false;
      if (answer === '?') writeSync(fd, ' y - Perform the operation\n n - Do not perform the operation\n\n');
    }
  } finally {
    closeSync(fd);
  }
}

export interface MultiJobOptions {
  force?: boolean;
  /** The last selector given (--pending, --queued, --waiting). */
  status?: string;
}

/**
 * Ganeti's _MultiJobAction: job ids or a status selector (never both); with a selector the
 * matching jobs are listed and confirmed (unless --force); then `action` runs per job and
 * its message is printed; any failure makes the exit code 1.
 */
async function multiJobAction(
  args: readonly string[],
  opts: MultiJobOptions,
  question: string,
  action: (client: LuxiClient, jobId: number) => Promise<[boolean, string]>,
): Promise<void> {
  if ((args.length > 0) === (opts.status !== undefined)) throw prereq('Either a status filter or job ID(s) must be specified and never both');
  const code = await withClient(async (client) => {
    let ids: number[];
    if (opts.status !== undefined) {
      const response = await client.query('job', ['id', 'status', 'summary'], makeSimpleFilter('status', STATUS_SELECTORS[opts.status]));
      ids = response.data.map((row) => row[0]![1] as number);
      if (ids.length === 0) throw prereq('No jobs with the requested status have been found');
      if (!opts.force) {
        const { lines } = formatQueryResult(response, { header: true, overrides: JOB_LIST_FORMAT });
        for (const line of lines) process.stdout.write(`${line}\n`);
        if (!askUser(question)) return EXIT.CONFIRMATION;
      }
    } else {
      ids = parseJobIds(args);
    }
    let result: number = EXIT.SUCCESS;
    for (const id of ids) {
      const [success, msg] = await action(client, id);
      if (!success) result = EXIT.FAILURE;
      process.stdout.write(`${msg}\n`);
    }
    return result;
  });
  exitWith(code);
}

export interface CancelOptions extends MultiJobOptions {
  kill?: boolean;
  yesDoIt?: boolean;
}

/** `gnt-job cancel <ids> | --pending | --queued | --waiting [--kill --yes-do-it]` */
export async function cancelJobs(args: readonly string[], opts: CancelOptions): Promise<void> {
  let actionName = 'Cancel';
  if (opts.kill) {
    actionName = 'KILL';
    if (!opts.yesDoIt) throw prereq('The --kill option must be confirmed with --yes-do-it');
  }
  await multiJobAction(args, opts, `${actionName} job(s) listed above?`, (client, id) => client.cancelJob(id, opts.kill ?? false));
}

/** `gnt-job change-priority --priority P <ids> | --pending | --queued | --waiting` */
export async function changePriority(args: readonly string[], opts: MultiJobOptions & { priority?: string }): Promise<void> {
  if (opts.priority === undefined) {
    process.stderr.write('--priority option must be given.\n');
    throw new CliExit(EXIT.FAILURE);
  }
  const priority = priorityValue(opts.priority)!;
  await multiJobAction(args, opts, 'Change priority of job(s) listed above?', (client, id) => client.changeJobPriority(id, priority));
}

/** `gnt-job archive <ids>` */
export async function archiveJobs(args: readonly string[]): Promise<void> {
  const ids = args.map((a) => [a, parseJobId(a)] as const);
  const code = await withClient(async (client) => {
    let rc: number = EXIT.SUCCESS;
    for (const [arg, id] of ids) {
      if (!(await client.archiveJob(id))) {
        process.stderr.write(`Failed to archive job with ID '${arg}'\n`);
        rc = EXIT.FAILURE;
      }
    }
    return rc;
  });
  exitWith(code);
}

const TIMESPEC_SUFFIX: Readonly<Record<string, number>> = Object.freeze({ s: 1, m: 60, h: 3600, d: 86400, w: 604800 });

/** cli.ParseTimespec: `30`, `30s`, `5m`, `2h`, `1d`, `1w` as seconds. */
export function parseTimespec(value: string): number {
  if (value === '') throw prereq('Empty time specification passed');
  const multiplier = TIMESPEC_SUFFIX[value.at(-1)!];
  const digits = multiplier === undefined ? value : value.slice(0, -1);
  if (multiplier !== undefined && digits === '') throw prereq('Invalid time specification (only suffix passed)');
  if (!/^\s*[+-]?[0-9]+\s*$/.test(digits)) throw prereq(`Invalid time specification '${multiplier === undefined ? value : digits}'`);
  return Number.parseInt(digits, 10) * (multiplier ?? 1);
}

/** `gnt-job autoarchive <age>|all` */
export async function autoArchiveJobs(age: string): Promise<void> {
  const seconds = age === 'all' ? -1 : parseTimespec(age);
  const [archived, left] = await withClient((client) => client.autoArchiveJobs(seconds));
  process.stdout.write(`Archived ${archived} jobs, ${left} unchecked left\n`);
}
