import { createConnection, type Socket } from 'node:net';
import { GanetiError, describeError } from '../errors/index.js';
import { CONFIG_VERSION } from '../config/upgrade.js';
import type { OpCodeInput } from '../contracts/hooks.js';
import type { LogEntry } from '../jobs/types.js';
import type { FieldDefinition, FieldResult } from '../query/fields.js';
import { DEFAULT_MAX_MESSAGE_BYTES, FrameDecoder, encodeMessage } from './framing.js';
import { LuxiRemoteError } from './errors.js';
import { WFJC_TIMEOUT_S } from './schemas.js';

/** The `version` a ganeti-ts client sends, as Ganeti's does: its config version (3.1.0). */
export const LUXI_VERSION = CONFIG_VERSION;

/** Ganeti's defaults: connect 30 s, read/write 180 s. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
export const DEFAULT_READ_TIMEOUT_MS = 180_000;

/** What WaitForJobChange answers: no change before the timeout, or `[job info, new log entries]`. */
export type JobChange = 'nochange' | [jobInfo: unknown[], logEntries: LogEntry[]];

/** Query's answer: field definitions and, per item, `[status, value]` per field. */
export interface QueryResponse {
  fields: FieldDefinition[];
  data: FieldResult[][];
}

export interface QueryFieldsResponse {
  fields: FieldDefinition[];
}

export interface LuxiClientOptions {
  /** The master daemon's socket (`ganetiPaths().luxiSocket`). */
  readonly socketPath: string;
  readonly connectTimeoutMs?: number;
  /** How long to wait for each answer; the connection is dropped when it runs out. */
  readonly readTimeoutMs?: number;
  /** Sent with every request; null sends none. Default LUXI_VERSION. */
  readonly version?: number | null;
  readonly maxMessageBytes?: number;
  /**
   * Keep retrying (every second, within the connect timeout) while the socket is missing or
   * refuses connections, as Ganeti's client does on the master node. Default: fail at once.
   */
  readonly waitForServer?: boolean;
}

interface Pending {
  method: string;
  resolve(text: string): void;
  reject(e: unknown): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A LUXI client: connects on the first call, keeps the connection for later calls, and runs
 * one call at a time (later calls wait their turn). A call resolves with the answer's result
 * or rejects with a GanetiError: LuxiRemoteError (GNT_LUXI_REMOTE) for an error answer,
 * carrying Ganeti's error class, message and ECODE; GNT_LUXI_CONNECT, GNT_LUXI_TIMEOUT or
 * GNT_LUXI_PROTOCOL for transport trouble (after which the connection is dropped, and the
 * next call connects again).
 */
export class LuxiClient {
  readonly socketPath: string;
  readonly connectTimeoutMs: number;
  readonly readTimeoutMs: number;
  readonly version: number | null;
  readonly #maxBytes: number;
  readonly #waitForServer: boolean;
  #socket: Socket | null = null;
  #pending: Pending | null = null;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(opts: LuxiClientOptions) {
    this.socketPath = opts.socketPath;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.readTimeoutMs = opts.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
    this.version = opts.version === undefined ? LUXI_VERSION : opts.version;
    this.#maxBytes = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.#waitForServer = opts.waitForServer ?? false;
  }

  /** Whether a connection is open now. */
  get connected(): boolean {
    return this.#socket !== null && !this.#socket.destroyed;
  }

  /** Calls `method` with positional `args`; queued behind earlier calls of this client. */
  call(method: string, args: readonly unknown[]): Promise<unknown> {
    const run = this.#tail.then(
      () => this.#call(method, args),
      () => this.#call(method, args),
    );
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /** Closes the connection; later calls reconnect. */
  close(): void {
    this.#drop(new GanetiError('GNT_LUXI_PROTOCOL', { reason: 'the client was closed' }));
  }

  async #call(method: string, args: readonly unknown[]): Promise<unknown> {
    if (!Array.isArray(args)) throw new GanetiError('GNT_LUXI_ARGS', { method, problem: 'args must be a list' });
    const request = this.version === null ? { method, args } : { method, args, version: this.version };
    const frame = encodeMessage(request);
    const socket = await this.#connect();
    const text = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#drop(new GanetiError('GNT_LUXI_TIMEOUT', { socket: this.socketPath, what: `waiting for the answer to ${method}`, timeoutMs: String(this.readTimeoutMs) }));
      }, this.readTimeoutMs);
      const done = <T>(fn: (v: T) => void) => (v: T) => {
        clearTimeout(timer);
        this.#pending = null;
        if (!socket.destroyed) socket.unref();
        fn(v);
      };
      this.#pending = { method, resolve: done(resolve), reject: done(reject) };
      socket.ref();
      socket.write(frame);
    });
    return this.#parse(method, text);
  }

  #parse(method: string, text: string): unknown {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new GanetiError('GNT_LUXI_PROTOCOL', { reason: `invalid answer to ${method} (not JSON): ${describeError(e)}` });
    }
    if (data === null || typeof data !== 'object' || Array.isArray(data) || !('success' in data) || !('result' in data))
      throw new GanetiError('GNT_LUXI_PROTOCOL', { reason: `invalid answer to ${method}: ${text.slice(0, 200)}` });
    const r = data as { success: unknown; result: unknown; version?: unknown };
    if (r.version !== undefined && r.version !== null && r.version !== this.version)
      throw new GanetiError('GNT_LUXI_PROTOCOL', { reason: `version mismatch: client ${this.version}, server ${String(r.version)}` });
    if (r.success === true) return r.result;
    throw new LuxiRemoteError(r.result);
  }

  async #connect(): Promise<Socket> {
    if (this.#socket && !this.#socket.destroyed && this.#socket.writable) return this.#socket;
    this.#socket = null;
    const deadline = Date.now() + this.connectTimeoutMs;
    // a daemon that is starting usually answers within a few hundred ms: poll often at first
    let pause = 10;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) throw this.#connectTimeout();
      try {
        const socket = await this.#connectOnce(left);
        this.#attach(socket);
        return socket;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        const retry = code === 'EAGAIN' || (this.#waitForServer && (code === 'ENOENT' || code === 'ECONNREFUSED'));
        if (retry && deadline - Date.now() > 0) {
          await sleep(Math.min(pause, deadline - Date.now()));
          pause = Math.min(1000, pause * 2);
          continue;
        }
        if (e instanceof GanetiError) throw e;
        throw new GanetiError('GNT_LUXI_CONNECT', { socket: this.socketPath, reason: connectReason(e) }, { cause: e });
      }
    }
  }

  #connectTimeout(): GanetiError {
    return new GanetiError('GNT_LUXI_TIMEOUT', { socket: this.socketPath, what: 'connecting', timeoutMs: String(this.connectTimeoutMs) });
  }

  #connectOnce(timeoutMs: number): Promise<Socket> {
    return new Promise<Socket>((resolve, reject) => {
      const socket = createConnection(this.socketPath);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(this.#connectTimeout());
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(socket);
      });
      socket.once('error', (e) => {
        clearTimeout(timer);
        socket.destroy();
        reject(e);
      });
    });
  }

  #attach(socket: Socket): void {
    this.#socket = socket;
    const decoder = new FrameDecoder(this.#maxBytes);
    socket.unref();
    socket.on('data', (chunk: Buffer) => {
      try {
        decoder.feed(chunk, (text) => {
          const p = this.#pending;
          if (!p) throw new GanetiError('GNT_LUXI_PROTOCOL', { reason: 'the server sent a message nobody asked for' });
          p.resolve(text);
        });
      } catch (e) {
        this.#drop(e, socket);
      }
    });
    socket.on('error', (e) => {
      this.#drop(new GanetiError('GNT_LUXI_PROTOCOL', { reason: `connection error: ${describeError(e)}` }, { cause: e }), socket);
    });
    socket.on('close', () => {
      const method = this.#pending?.method;
      this.#drop(new GanetiError('GNT_LUXI_PROTOCOL', { reason: `connection closed by the server${method ? ` while waiting for the answer to ${method}` : ''}` }), socket);
    });
  }

  /** Drops the connection (only `socket`'s, when given) and fails the pending call with `e`. */
  #drop(e: unknown, socket: Socket | null = this.#socket): void {
    if (socket === null) return;
    if (socket === this.#socket) {
      this.#socket = null;
      const p = this.#pending;
      if (p) p.reject(e);
    }
    socket.destroy();
  }

  // --- Ganeti's client methods (lib/luxi.py), positional args as on the wire ---

  /** SubmitJob: the new job's id. */
  async submitJob(ops: readonly OpCodeInput[]): Promise<number> {
    return (await this.call('SubmitJob', [ops])) as number;
  }

  async submitJobToDrainedQueue(ops: readonly OpCodeInput[]): Promise<number> {
    return (await this.call('SubmitJobToDrainedQueue', [ops])) as number;
  }

  /** SubmitManyJobs: per job `[true, id]` or `[false, error message]`. */
  async submitManyJobs(jobs: readonly (readonly OpCodeInput[])[]): Promise<([true, number] | [false, string])[]> {
    return (await this.call('SubmitManyJobs', [jobs])) as ([true, number] | [false, string])[];
  }

  /**
   * WaitForJobChange once: `'nochange'` when nothing changed within `timeoutS` (capped at
   * 89 s), else the job info (values of `fields`) and the log entries newer than
   * `prevLogSerial`. The read timeout must exceed `timeoutS`.
   */
  async waitForJobChange(
    jobId: number,
    fields: readonly string[],
    prevJobInfo: readonly unknown[] | null,
    prevLogSerial: number | null,
    timeoutS: number = WFJC_TIMEOUT_S,
  ): Promise<JobChange> {
    return (await this.call('WaitForJobChange', [jobId, fields, prevJobInfo, prevLogSerial, Math.min(WFJC_TIMEOUT_S, Math.max(0, timeoutS))])) as JobChange;
  }

  /** QueryJobs: per id, the values of `fields`, or null for an unknown job. */
  async queryJobs(jobIds: readonly number[] | null, fields: readonly string[]): Promise<(unknown[] | null)[]> {
    return (await this.call('QueryJobs', [jobIds, fields])) as (unknown[] | null)[];
  }

  /** CancelJob: `[success, message]`. */
  async cancelJob(jobId: number, kill = false): Promise<[boolean, string]> {
    return (await this.call('CancelJob', [jobId, kill])) as [boolean, string];
  }

  async archiveJob(jobId: number): Promise<boolean> {
    return (await this.call('ArchiveJob', [jobId])) as boolean;
  }

  /** AutoArchiveJobs with Ganeti's timeout, (180 - 1) // 2 s: `[archived, left unchecked]`. */
  async autoArchiveJobs(ageS: number, timeoutS: number = WFJC_TIMEOUT_S): Promise<[number, number]> {
    return (await this.call('AutoArchiveJobs', [ageS, timeoutS])) as [number, number];
  }

  async changeJobPriority(jobId: number, priority: number): Promise<[boolean, string]> {
    return (await this.call('ChangeJobPriority', [jobId, priority])) as [boolean, string];
  }

  async query(what: string, fields: readonly string[], qfilter: readonly unknown[] | null = null): Promise<QueryResponse> {
    return (await this.call('Query', [what, fields, qfilter])) as QueryResponse;
  }

  async queryFields(what: string, fields: readonly string[] | null = null): Promise<QueryFieldsResponse> {
    return (await this.call('QueryFields', [what, fields])) as QueryFieldsResponse;
  }

  async queryClusterInfo(): Promise<Record<string, unknown>> {
    return (await this.call('QueryClusterInfo', [])) as Record<string, unknown>;
  }

  async queryConfigValues(fields: readonly string[]): Promise<unknown[]> {
    return (await this.call('QueryConfigValues', [fields])) as unknown[];
  }

  async queryTags(kind: string, name: string | null): Promise<string[]> {
    return (await this.call('QueryTags', [kind, name])) as string[];
  }

  async setDrainFlag(flag: boolean): Promise<boolean> {
    return (await this.call('SetDrainFlag', [flag])) as boolean;
  }
}

function connectReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'the socket does not exist (is the master daemon running on this node?)';
  if (code === 'ECONNREFUSED') return 'connection refused (is the master daemon running on this node?)';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return describeError(e);
}
