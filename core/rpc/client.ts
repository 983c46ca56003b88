import { Agent, request, type RequestOptions } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { access, readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { GanetiError, describeError, type ErrorCode } from '../errors/index.js';
import type { Logger } from '../contracts/context.js';
import type { GanetiPaths } from '../paths.js';
import { splitKeyAndCert } from '../crypto/x509.js';
import type { RpcCall, RpcCallTable } from './calls.js';
import { createRpcCallTable } from './builtin-calls.js';
import { compressData, isCompressedData } from './encoding.js';
import { prepareFileUpload } from './upload.js';
import { formatTimeout } from './timeouts.js';

/** Ganeti's node daemon port. */
export const NODED_PORT = 1811;

/** A node as the client reaches it. */
export interface RpcNode {
  readonly name: string;
  /** Its primary IP address (or a host name). */
  readonly address: string;
  /** Default 1811 (or the client's `defaultPort`). */
  readonly port?: number;
  /** An offline node is not contacted; its result says so at once. */
  readonly offline?: boolean;
}

export interface RpcSuccess<T = unknown> {
  readonly node: string;
  readonly success: true;
  readonly payload: T;
}

export interface RpcFailure {
  readonly node: string;
  readonly success: false;
  /** One line for people, naming the node (Ganeti's fail_msg). */
  readonly error: string;
  /** What kind of failure: GNT_RPC_NODE_OFFLINE, GNT_RPC_CONNECT, GNT_RPC_TIMEOUT, GNT_RPC_HTTP, GNT_RPC_BAD_RESPONSE, GNT_RPC_REMOTE. */
  readonly code: ErrorCode;
  /** The node is marked offline and was not contacted. */
  readonly offline?: boolean;
}

export type RpcResult<T = unknown> = RpcSuccess<T> | RpcFailure;

/** The client's TLS identity and trust: its client certificate and the cluster certificate. */
export interface RpcTlsMaterial {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  /** The cluster certificate (server.pem's certificate): the only CA trusted. */
  readonly ca: string | Buffer;
}

export interface RpcClientOptions {
  readonly tls: RpcTlsMaterial;
  /** The call table (default: a fresh one with the built-in procedures). */
  readonly calls?: RpcCallTable;
  /** This node's root, to make local paths virtual for `fileDetails` arguments. */
  readonly paths?: Pick<GanetiPaths, 'root'>;
  readonly defaultPort?: number;
  /** Parallel connections per node (default 8). */
  readonly maxSocketsPerNode?: number;
  readonly log?: Logger;
}

export interface RpcCallOptions {
  /** Overrides the call's timeout (milliseconds). */
  readonly timeoutMs?: number;
  /** Aborting ends every pending request of the call with a failure. */
  readonly signal?: AbortSignal;
}

/**
 * The master's side of the node RPC (interfaces §9): POST /<procedure> with the JSON array of
 * the (encoded) arguments, over HTTPS with this node's client certificate, trusting only the
 * cluster certificate (host names are not checked: every node serves the cluster certificate).
 * A call goes to many nodes in parallel and resolves with one result per node, in the order
 * given; it never rejects for a node's failure. Offline nodes are not contacted (unless the
 * call accepts them); a node that does not answer within the call's timeout gives a failure
 * naming it and the timeout. Connections are kept alive between calls.
 */
export class RpcClient {
  readonly calls: RpcCallTable;
  readonly #agent: Agent;
  readonly #paths: Pick<GanetiPaths, 'root'> | undefined;
  readonly #port: number;
  readonly #log: Logger | undefined;
  #closed = false;

  constructor(o: RpcClientOptions) {
    this.calls = o.calls ?? createRpcCallTable();
    this.#paths = o.paths;
    this.#port = o.defaultPort ?? NODED_PORT;
    this.#log = o.log;
    this.#agent = new Agent({
      keepAlive: true,
      // idle sockets are closed before the daemon's keep-alive timeout would close them
      timeout: 30_000,
      maxSockets: o.maxSocketsPerNode ?? 8,
      cert: o.tls.cert,
      key: o.tls.key,
      ca: o.tls.ca,
      minVersion: 'TLSv1.2',
      rejectUnauthorized: true,
      checkServerIdentity: () => undefined,
    });
  }

  /**
   * A client with this node's credentials: `client.pem` (or `server.pem` when there is no
   * client certificate, as Ganeti falls back) and the cluster certificate `server.pem` as CA.
   */
  static async fromPaths(paths: GanetiPaths, o: Omit<RpcClientOptions, 'tls'> = {}): Promise<RpcClient> {
    const own = (await access(paths.clientPem).then(() => true, () => false)) ? paths.clientPem : paths.serverPem;
    const read = async (file: string) => {
      try {
        return splitKeyAndCert(await readFile(file, 'utf8'), file);
      } catch (e) {
        if (e instanceof GanetiError) throw e;
        throw new GanetiError('GNT_CRYPTO_BAD_CERT', { file, reason: describeError(e) }, { cause: e });
      }
    };
    const mine = await read(own);
    const cluster = own === paths.serverPem ? mine : await read(paths.serverPem);
    return new RpcClient({ paths, ...o, tls: { cert: mine.certPem, key: mine.keyPem, ca: cluster.certPem } });
  }

  /**
   * Calls `procedure` on every node of `nodes` in parallel. The arguments are checked against
   * the call table (GNT_RPC_UNKNOWN_CALL / GNT_RPC_ARGS are thrown before anything is sent),
   * encoded once, and sent to each node.
   */
  async call<T = unknown>(procedure: string, nodes: readonly RpcNode[], args: readonly unknown[] = [], o: RpcCallOptions = {}): Promise<RpcResult<T>[]> {
    if (this.#closed) throw new GanetiError('GNT_INTERNAL', { reason: 'the RPC client is closed' });
    const call = this.calls.get(procedure);
    const encoded = await this.#encode(call, args);
    this.calls.validate(procedure, encoded);
    const timeoutMs = o.timeoutMs ?? this.calls.timeoutMs(procedure, args);
    const body = Buffer.from(JSON.stringify(encoded));
    return Promise.all(
      nodes.map((node) =>
        node.offline && !call.acceptOffline
          ? Promise.resolve(failure(node.name, new GanetiError('GNT_RPC_NODE_OFFLINE', { node: node.name }), true))
          : this.#send<T>(node, procedure, body, timeoutMs, o.signal),
      ),
    );
  }

  /** Calls `procedure` on one node. */
  async callNode<T = unknown>(procedure: string, node: RpcNode, args: readonly unknown[] = [], o: RpcCallOptions = {}): Promise<RpcResult<T>> {
    const [r] = await this.call<T>(procedure, [node], args, o);
    return r!;
  }

  /** Closes the kept-alive connections; the client cannot be used afterwards. */
  close(): void {
    this.#closed = true;
    this.#agent.destroy();
  }

  async #encode(call: RpcCall, args: readonly unknown[]): Promise<unknown[]> {
    const out = [...args];
    for (let i = 0; i < Math.min(out.length, call.args.length); i++) {
      const a = call.args[i]!;
      const v = out[i];
      if (a.encoding === 'compress' && (typeof v === 'string' || v instanceof Uint8Array)) out[i] = compressData(v);
      else if (a.encoding === 'compress' && !isCompressedData(v))
        throw new GanetiError('GNT_RPC_ARGS', { procedure: call.name, problem: `argument ${i} (${a.name}) must be a string, bytes or already compressed data` });
      else if (a.encoding === 'fileDetails' && typeof v === 'string') {
        if (!this.#paths) throw new GanetiError('GNT_RPC_ARGS', { procedure: call.name, problem: `argument ${i} (${a.name}) is a local path, but the client has no paths to make it virtual` });
        out[i] = await prepareFileUpload(this.#paths, v);
      }
    }
    return out;
  }

  #send<T>(node: RpcNode, procedure: string, body: Buffer, timeoutMs: number, signal: AbortSignal | undefined): Promise<RpcResult<T>> {
    const port = node.port ?? this.#port;
    const where = `${isIP(node.address) === 6 ? `[${node.address}]` : node.address}:${port}`;
    return new Promise<RpcResult<T>>((resolve) => {
      let settled = false;
      let current: ReturnType<typeof request> | undefined;
      const settle = (r: RpcResult<T>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (!r.success) this.#log?.debug(`RPC ${procedure} to ${node.name}: ${r.error}`);
        resolve(r);
      };
      const fail = (e: GanetiError) => settle(failure(node.name, e));
      const timer = setTimeout(() => {
        fail(new GanetiError('GNT_RPC_TIMEOUT', { node: node.name, address: where, procedure, timeout: formatTimeout(timeoutMs) }));
        current?.destroy();
      }, timeoutMs);
      const onAbort = () => {
        fail(new GanetiError('GNT_RPC_CONNECT', { node: node.name, address: where, procedure, reason: 'the call was aborted' }));
        current?.destroy();
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });

      const attempt = (retry: boolean) => {
        const options: RequestOptions = {
          agent: this.#agent,
          host: node.address,
          port,
          method: 'POST',
          path: `/${procedure}`,
          headers: { 'content-type': 'application/json', 'content-length': body.length },
        };
        const req = request(options);
        current = req;
        req.on('response', (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (e) => fail(new GanetiError('GNT_RPC_CONNECT', { node: node.name, address: where, procedure, reason: describeError(e) }, { cause: e })));
          res.on('aborted', () => fail(new GanetiError('GNT_RPC_CONNECT', { node: node.name, address: where, procedure, reason: 'the connection closed in the middle of the answer' })));
          res.on('end', () => settle(parseAnswer<T>(node.name, procedure, res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
        });
        req.on('error', (e: NodeJS.ErrnoException) => {
          if (settled) return;
          // A kept-alive socket the daemon closed meanwhile: the request never reached it.
          if (retry && req.reusedSocket && e.code === 'ECONNRESET') return attempt(false);
          fail(new GanetiError('GNT_RPC_CONNECT', { node: node.name, address: where, procedure, reason: transportReason(e) }, { cause: e }));
        });
        req.end(body);
      };
      attempt(true);
    });
  }
}

/** TLS verification failures of the node's certificate (Node's error codes). */
const UNTRUSTED = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_SIGNATURE_FAILURE', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/** A connection error in words that point at the likely cause. */
function transportReason(e: NodeJS.ErrnoException): string {
  const text = describeError(e);
  if (e.code && UNTRUSTED.has(e.code)) return `the node's certificate is not trusted (${text}); is it this cluster's certificate?`;
  if (e.code === 'ECONNRESET' && text === 'socket hang up') return 'the node closed the connection without answering (socket hang up); it may have refused this client\'s certificate';
  return text;
}

/** The GanetiError behind each failure, for `rpcPayload` (results themselves stay plain data). */
const causes = new WeakMap<RpcFailure, GanetiError>();

function failure(node: string, e: GanetiError, offline = false): RpcFailure {
  const r: RpcFailure = Object.freeze({ node, success: false, error: e.message, code: e.code, ...(offline ? { offline: true } : {}) });
  causes.set(r, e);
  return r;
}

/** The message of an HTTP error page (Ganeti's DEFAULT_ERROR_MESSAGE), or the body's start. */
function httpMessage(status: number, body: string): string {
  const m = /<p>Message: ([\s\S]*?)\.\s*(?:<p>|$)/.exec(body);
  const text = (m ? m[1]! : body.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
  return text ? (text.length > 200 ? `${text.slice(0, 197)}...` : text) : `status ${status}`;
}

/** Turns a daemon's answer into a result (Ganeti's RpcResult rules). */
export function parseAnswer<T>(node: string, procedure: string, status: number, body: string): RpcResult<T> {
  if (status !== 200) return failure(node, new GanetiError('GNT_RPC_HTTP', { node, procedure, status: String(status), message: httpMessage(status, body) }));
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (e) {
    return failure(node, new GanetiError('GNT_RPC_BAD_RESPONSE', { node, procedure, problem: `not JSON (${describeError(e)})` }));
  }
  if (!Array.isArray(data)) return failure(node, new GanetiError('GNT_RPC_BAD_RESPONSE', { node, procedure, problem: `invalid result type (${data === null ? 'null' : typeof data})` }));
  if (data.length !== 2) return failure(node, new GanetiError('GNT_RPC_BAD_RESPONSE', { node, procedure, problem: `invalid result length (${data.length}), expected 2` }));
  if (!data[0]) {
    const msg = data[1] ? (typeof data[1] === 'string' ? data[1] : JSON.stringify(data[1])) : 'No error information';
    return failure(node, new GanetiError('GNT_RPC_REMOTE', { node, procedure, message: msg }));
  }
  return Object.freeze({ node, success: true, payload: data[1] as T });
}

/**
 * The payload of a successful result; a failure is thrown as its GanetiError (Ganeti's
 * RpcResult.Raise): the code says what went wrong, the message names the node.
 */
export function rpcPayload<T>(r: RpcResult<T>): T {
  if (r.success) return r.payload;
  throw causes.get(r) ?? new GanetiError('GNT_RPC_REMOTE', { node: r.node, procedure: '?', message: r.error });
}
