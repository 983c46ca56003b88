import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { chmod, lstat, mkdir, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { GanetiError, describeError } from '../errors/index.js';
import type { Logger } from '../contracts/context.js';
import { LUXI_METHODS, type LuxiCallContext, type LuxiHandlers, type LuxiMethod } from './methods.js';
import { DEFAULT_MAX_MESSAGE_BYTES, FrameDecoder, encodeMessage } from './framing.js';
import { validateLuxiArgs } from './schemas.js';
import { encodeLuxiError } from './errors.js';

/** A LUXI answer (interfaces §6). */
export interface LuxiResponse {
  success: boolean;
  result: unknown;
}

export interface LuxiServerOptions {
  /** The unix socket to listen on (`ganetiPaths().luxiSocket`). */
  readonly socketPath: string;
  /** Largest request accepted, in bytes (default 64 MiB); a larger one closes the connection. */
  readonly maxMessageBytes?: number;
  readonly log?: Logger;
}

export interface LuxiServer {
  readonly socketPath: string;
  /** Open connections. */
  readonly connections: number;
  /**
   * Creates the socket folder (0700) when missing, removes a stale socket file (one nobody
   * answers on), listens, and makes the socket 0600. Refuses (GNT_LUXI_LISTEN) when a live
   * server answers on the path or the path is not a socket.
   */
  listen(): Promise<void>;
  /** Stops listening, ends every connection (pending handlers see their signal abort). */
  close(): Promise<void>;
  /** Answers one raw request text as a connection would, without a socket (tests, in-process use). */
  inject(request: string | { method: string; args: unknown; version?: number }): Promise<LuxiResponse>;
}

const KNOWN = new Set<string>(LUXI_METHODS);

/**
 * A LUXI server for the master daemon: many connections, each answered strictly in order,
 * one request at a time. Requests are `{method, args, version?}`; every answer is
 * `{success, result}`. A malformed message, an unknown method or arguments that fail the
 * method's schema get `success: false` with Ganeti's encoded error and the connection stays
 * usable; a handler's failure is encoded the same way (see `encodeLuxiError`). Nothing a
 * client sends can stop the server.
 */
export function createLuxiServer(handlers: LuxiHandlers, opts: LuxiServerOptions): LuxiServer {
  const socketPath = opts.socketPath;
  const maxBytes = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const log = opts.log;
  const sockets = new Set<Socket>();
  const shutdown = new AbortController();
  let server: Server | undefined;

  async function answer(text: string, signal: AbortSignal): Promise<LuxiResponse> {
    let method: LuxiMethod;
    let args: unknown[];
    let version: number | null = null;
    try {
      let request: unknown;
      try {
        request = JSON.parse(text);
      } catch (e) {
        throw new GanetiError('GNT_LUXI_PROTOCOL', { reason: `invalid request (not JSON): ${describeError(e)}` });
      }
      if (request === null || typeof request !== 'object' || Array.isArray(request))
        throw new GanetiError('GNT_LUXI_PROTOCOL', { reason: 'invalid request (not a JSON object with method and args)' });
      const r = request as { method?: unknown; args?: unknown; version?: unknown };
      if (typeof r.method !== 'string') throw new GanetiError('GNT_LUXI_PROTOCOL', { reason: 'invalid request (no method name)' });
      if (r.args === undefined || r.args === null) throw new GanetiError('GNT_LUXI_PROTOCOL', { reason: `invalid request (no args for ${r.method})` });
      if (r.version !== undefined && r.version !== null) {
        if (typeof r.version !== 'number' || !Number.isInteger(r.version))
          throw new GanetiError('GNT_LUXI_PROTOCOL', { reason: 'invalid request (version is not an integer)' });
        version = r.version;
      }
      if (!KNOWN.has(r.method))
        throw new GanetiError('GNT_LUXI_UNKNOWN_METHOD', { method: r.method, problem: `does not exist (known: ${LUXI_METHODS.join(', ')})` });
      method = r.method as LuxiMethod;
      if (!handlers[method]) throw new GanetiError('GNT_LUXI_UNKNOWN_METHOD', { method, problem: 'is not served by this daemon' });
      args = validateLuxiArgs(method, r.args);
    } catch (e) {
      log?.warn(`refused LUXI request: ${describeError(e)}`);
      return { success: false, result: encodeLuxiError(e) };
    }
    const ctx: LuxiCallContext = { method, version, signal };
    try {
      const result = await handlers[method]!(args, ctx);
      return { success: true, result: result === undefined ? null : result };
    } catch (e) {
      if (!(e instanceof GanetiError)) log?.error(`LUXI ${method} failed: ${e instanceof Error ? (e.stack ?? e.message) : describeError(e)}`);
      else log?.debug(`LUXI ${method} failed: ${e.toLine()}`);
      return { success: false, result: encodeLuxiError(e) };
    }
  }

  /** Serializes an answer; a result that cannot be sent becomes an error answer. */
  function frame(response: LuxiResponse): Buffer {
    try {
      return encodeMessage(response);
    } catch (e) {
      log?.error(`cannot send LUXI answer: ${describeError(e)}`);
      return encodeMessage({ success: false, result: encodeLuxiError(new GanetiError('GNT_INTERNAL', { reason: `answer not serializable: ${describeError(e)}` })) });
    }
  }

  function serve(socket: Socket): void {
    sockets.add(socket);
    const decoder = new FrameDecoder(maxBytes);
    const closed = new AbortController();
    const signal = AbortSignal.any([closed.signal, shutdown.signal]);
    const queue: string[] = [];
    let running: Promise<void> | null = null;
    let ending = false;

    /** Answers the queued requests in order; resolves when the queue is empty. */
    const pump = (): Promise<void> => {
      if (running) return running;
      running = (async () => {
        await Promise.resolve(); // `running` is set before the loop can finish
        try {
          while (queue.length && !socket.destroyed) {
            const text = queue.shift()!;
            if (queue.length < 8 && socket.isPaused() && !ending) socket.resume();
            const response = await answer(text, signal);
            if (socket.destroyed || !socket.writable) break;
            socket.write(frame(response));
          }
        } finally {
          running = null;
        }
      })();
      return running;
    };

    socket.on('data', (chunk: Buffer) => {
      if (ending) return;
      try {
        decoder.feed(chunk, (text) => queue.push(text));
      } catch (e) {
        // The stream has lost its framing: answer once, then hang up.
        ending = true;
        log?.warn(`closing LUXI connection: ${describeError(e)}`);
        const reply = frame({ success: false, result: encodeLuxiError(e) });
        void pump().then(() => {
          if (!socket.destroyed) socket.end(reply);
        });
        return;
      }
      if (queue.length >= 8) socket.pause();
      void pump();
    });
    socket.on('error', (e) => log?.debug(`LUXI connection error: ${describeError(e)}`));
    socket.on('close', () => {
      sockets.delete(socket);
      closed.abort();
    });
    // A client that half-closes after its last request still gets its answers.
    socket.on('end', () => {
      void pump().then(() => {
        if (!socket.destroyed) socket.end();
      });
    });
  }

  async function removeStale(): Promise<void> {
    let st;
    try {
      st = await lstat(socketPath);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new GanetiError('GNT_LUXI_LISTEN', { socket: socketPath, reason: describeError(e) });
    }
    if (!st.isSocket()) throw new GanetiError('GNT_LUXI_LISTEN', { socket: socketPath, reason: 'the path exists and is not a socket; it is left alone' });
    const live = await new Promise<boolean>((resolve) => {
      const probe = createConnection(socketPath);
      probe.once('connect', () => {
        probe.destroy();
        resolve(true);
      });
      probe.once('error', () => resolve(false));
    });
    if (live) throw new GanetiError('GNT_LUXI_LISTEN', { socket: socketPath, reason: 'another server is listening on it' });
    await unlink(socketPath).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw new GanetiError('GNT_LUXI_LISTEN', { socket: socketPath, reason: `cannot remove the stale socket: ${e.message}` });
    });
  }

  return {
    socketPath,
    get connections() {
      return sockets.size;
    },
    async listen() {
      if (server) throw new GanetiError('GNT_LUXI_LISTEN', { socket: socketPath, reason: 'this server is already listening' });
      await mkdir(dirname(socketPath), { recursive: true, mode: 0o700 });
      await removeStale();
      const s = createServer({ allowHalfOpen: true }, serve);
      await new Promise<void>((resolve, reject) => {
        s.once('error', (e) => reject(new GanetiError('GNT_LUXI_LISTEN', { socket: socketPath, reason: describeError(e) }, { cause: e })));
        s.listen(socketPath, () => resolve());
      });
      s.on('error', (e) => log?.error(`LUXI server error: ${describeError(e)}`));
      server = s;
      await chmod(socketPath, 0o600);
    },
    async close() {
      shutdown.abort();
      const s = server;
      server = undefined;
      const ending = [...sockets].map((socket) => new Promise<void>((resolve) => (socket.closed ? resolve() : socket.once('close', () => resolve()))));
      for (const socket of sockets) socket.destroy();
      await Promise.all(ending);
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    inject(request) {
      return answer(typeof request === 'string' ? request : JSON.stringify(request), shutdown.signal);
    },
  };
}
