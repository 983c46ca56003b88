import { STATUS_CODES } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GanetiError, describeError } from '../errors/index.js';
import type { Logger } from '../contracts/context.js';
import type { RpcCallTable } from './calls.js';

/**
 * The fastify side of the node RPC (interfaces §9.1, Ganeti's lib/server/noded.py and
 * lib/http/server.py), used by the node daemon:
 * - only POST: any other method is answered 400 "Only the POST method is supported";
 * - `POST /<procedure>` for a procedure that is not declared: 404;
 * - otherwise HTTP 200 with the JSON pair `[true, result]`, or `[false, message]` when the body
 *   is not a JSON array matching the procedure's argument schema (the message names the
 *   argument), when no handler serves the procedure on this node, or when the handler fails
 *   (a GanetiError's own message, anything else as "Error while executing backend function: ...").
 * HTTP errors carry Ganeti's HTML error page.
 */

export interface RpcRequestContext {
  readonly procedure: string;
  /** Aborted when the client goes away before the answer or the daemon closes. */
  readonly signal: AbortSignal;
  /** The caller: its address and the SHA1 digest of its client certificate (with TLS). */
  readonly peer: { readonly address: string | undefined; readonly digest: string | undefined };
}

export type RpcHandler = (args: unknown[], ctx: RpcRequestContext) => unknown;

/**
 * Thrown by a handler whose answer must be sent before the daemon stops (Ganeti's
 * QuitGanetiException, used by node_leave_cluster): `answer` is sent as the response body,
 * then the route options' `onQuit` is called.
 */
export class RpcQuit extends Error {
  constructor(readonly answer: readonly [boolean, unknown]) {
    super(`quit requested: ${JSON.stringify(answer)}`);
  }
}

export interface RpcRoutesOptions {
  readonly calls: RpcCallTable;
  /** The handler of a procedure on this node, or undefined. */
  readonly handler: (procedure: string) => RpcHandler | undefined;
  readonly log?: Logger;
  /** Aborted when the daemon shuts down (handlers see it in ctx.signal). */
  readonly shutdown?: AbortSignal;
  /** Called after the answer of a handler that threw RpcQuit was sent. */
  readonly onQuit?: (answer: readonly [boolean, unknown]) => void;
}

/** Python's BaseHTTPRequestHandler.responses for the statuses noded sends. */
const EXPLAIN: Record<number, string> = {
  400: 'Bad request syntax or unsupported method',
  403: 'Request forbidden -- authorization will not help',
  404: 'Nothing matches the given URI',
  413: 'Entity is too large.',
  415: 'Entity body in unsupported format.',
  500: 'Server got itself in trouble',
};

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;');

/** Ganeti's HTTP error page (lib/http/server.py DEFAULT_ERROR_MESSAGE). */
export function errorPage(code: number, message?: string): string {
  const short = STATUS_CODES[code] ?? 'Unknown';
  return `<html>
<head>
<title>Error response</title>
</head>
<body>
<h1>Error response</h1>
<p>Error code ${code}.
<p>Message: ${escapeHtml(message || short)}.
<p>Error code explanation: ${code} = ${EXPLAIN[code] ?? short}.
</body>
</html>
`;
}

/** Sends an HTTP error with Ganeti's page. */
export function sendHttpError(reply: FastifyReply, code: number, message?: string): FastifyReply {
  return reply.code(code).header('content-type', 'text/html').send(errorPage(code, message));
}

/** The SHA1 digest (`AB:CD:...`) of the TLS client certificate of a request, if any. */
export function peerDigest(request: FastifyRequest): string | undefined {
  const socket = request.raw.socket as TLSSocket;
  if (!socket || typeof socket.getPeerCertificate !== 'function') return undefined;
  const cert = socket.getPeerCertificate();
  return cert && typeof cert.fingerprint === 'string' && cert.fingerprint !== '' ? cert.fingerprint.toUpperCase() : undefined;
}

const ALL_METHODS = ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT', 'OPTIONS'];

/** Registers the catch-all RPC route, the body parser and the error pages on `app`. */
export function registerRpcRoutes(app: FastifyInstance, o: RpcRoutesOptions): void {
  const log = o.log;
  // Ganeti reads the body as JSON whatever the content type says.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.setNotFoundHandler((_request, reply) => sendHttpError(reply, 404));
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) log?.error(`RPC request failed: ${error.stack ?? error.message}`);
    return sendHttpError(reply, status, status >= 500 ? describeError(error) : error.message);
  });

  const answer = (reply: FastifyReply, pair: readonly [boolean, unknown]) => {
    let text: string;
    try {
      text = JSON.stringify(pair[1] === undefined ? [pair[0], null] : pair);
    } catch (e) {
      text = JSON.stringify([false, `Error while executing backend function: the result cannot be sent as JSON: ${describeError(e)}`]);
    }
    return reply.code(200).header('content-type', 'application/json').send(text);
  };

  app.route({
    method: ALL_METHODS,
    url: '/*',
    handler: async (request, reply) => {
      if (request.method !== 'POST') return sendHttpError(reply, 400, 'Only the POST method is supported');
      const procedure = (request.params as { '*'?: string })['*'] ?? '';
      if (!o.calls.has(procedure)) return sendHttpError(reply, 404);
      let args: unknown[];
      try {
        let parsed: unknown;
        const body = typeof request.body === 'string' ? request.body : '';
        try {
          parsed = JSON.parse(body);
        } catch (e) {
          throw new GanetiError('GNT_RPC_ARGS', { procedure, problem: `the request body is not JSON (${describeError(e)})` });
        }
        args = o.calls.validate(procedure, parsed);
      } catch (e) {
        log?.warn(`refused RPC ${procedure} from ${request.ip}: ${describeError(e)}`);
        return answer(reply, [false, describeError(e)]);
      }
      const handler = o.handler(procedure);
      if (!handler) return answer(reply, [false, new GanetiError('GNT_NODED_NOT_IMPLEMENTED', { procedure }).message]);

      const gone = new AbortController();
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) gone.abort();
      });
      const signal = o.shutdown ? AbortSignal.any([gone.signal, o.shutdown]) : gone.signal;
      const ctx: RpcRequestContext = { procedure, signal, peer: { address: request.ip, digest: peerDigest(request) } };
      log?.debug(`RPC ${procedure} from ${ctx.peer.address ?? '?'}`);
      try {
        const result = await handler(args, ctx);
        return answer(reply, [true, result]);
      } catch (e) {
        if (e instanceof RpcQuit) {
          reply.raw.once('finish', () => o.onQuit?.(e.answer));
          return answer(reply, e.answer);
        }
        if (e instanceof GanetiError) {
          log?.debug(`RPC ${procedure} failed: ${e.toLine()}`);
          return answer(reply, [false, e.message]);
        }
        log?.error(`error in RPC call ${procedure}: ${e instanceof Error ? (e.stack ?? e.message) : describeError(e)}`);
        return answer(reply, [false, `Error while executing backend function: ${describeError(e)}`]);
      }
    },
  });
}
