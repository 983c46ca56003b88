import { readFile, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { TLSSocket } from 'node:tls';
import { fastify, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Logger } from '../contracts/context.js';
import type { PluginHost } from '../plugin-host/host.js';
import type { GanetiPaths } from '../paths.js';
import { GanetiError, describeError } from '../errors/index.js';
import { certificateDigestOfPem, normalizeDigest } from '../crypto/x509.js';
import { callTableFor, pluginHandlers } from '../rpc/plugin-calls.js';
import type { RpcCallDef, RpcCallTable } from '../rpc/calls.js';
import { peerDigest, registerRpcRoutes, sendHttpError, type RpcHandler } from '../rpc/server.js';
import { builtinNodeHandlers, type BuiltinNodeHandlerOptions } from '../node/index.js';
import type { NodeEnv } from '../node/context.js';

/** TLS material of the node daemon: the cluster certificate, which is also the only CA. */
export interface NodedTls {
  readonly key: string | Buffer;
  readonly cert: string | Buffer;
  /** Client certificates must be signed by this (the cluster certificate). */
  readonly ca: string | Buffer;
}

export interface NodedOptions extends BuiltinNodeHandlerOptions {
  readonly paths: GanetiPaths;
  readonly host: PluginHost;
  readonly log: Logger;
  /** This node's name (default: GANETI_HOSTNAME, else the host name). */
  readonly nodeName?: string;
  /** The call table (default: the built-in procedures). */
  readonly calls?: RpcCallTable;
  /** More handlers, by procedure (each must be declared in the call table). */
  readonly handlers?: Readonly<Record<string, RpcHandler>>;
  /**
   * Serve HTTPS: the server presents `cert`, requests a client certificate and refuses at the
   * TLS handshake any peer whose certificate is not signed by `ca`. Without it the instance
   * serves plain HTTP, for `inject()` in tests.
   */
  readonly tls?: NodedTls;
  /**
   * Check the client certificate's SHA1 digest against ssconf `master_candidates_certs`, or,
   * while that list is empty (bootstrap), against the digest of this node's own certificate
   * (Ganeti's SSLVerifyPeer). Default: on when `tls` is given.
   */
  readonly checkPeerDigest?: boolean;
  /** Largest request body, bytes (default 10 MiB, Ganeti's MAX_REQUEST_BODY_SIZE). */
  readonly bodyLimit?: number;
  /** Called once the answer of node_leave_cluster was sent: the daemon should stop. */
  readonly onQuit?: () => void;
}

/** What the node daemon adds to its fastify instance, as `app.noded`. */
export interface NodedControl {
  readonly calls: RpcCallTable;
  readonly env: NodeEnv;
  /** Procedures this daemon serves (declared and with a handler). */
  served(): string[];
  /**
   * Serves another procedure: `def` is added to the call table first when given as a
   * definition (a plugin's own call), then `handler` answers it. Works on a running daemon.
   */
  register(procedure: string | RpcCallDef, handler: RpcHandler, owner?: string): void;
  /** The client certificate digests accepted right now. */
  acceptedDigests(): Promise<string[]>;
}

export type NodedInstance = FastifyInstance & { readonly noded: NodedControl };

/** Ganeti's MAX_REQUEST_BODY_SIZE. */
export const NODED_BODY_LIMIT = 10 * 1024 * 1024;

/**
 * Builds the node daemon (interfaces §9) as a fastify instance that is not listening: the CLI
 * entry point listens, tests use `inject()` or listen on a loopback address. It serves every
 * procedure of the call table that has a handler: core's (core/node), the `handlers` given, and
 * those registered later through `app.noded.register`.
 */
export async function buildNoded(o: NodedOptions): Promise<NodedInstance> {
  const calls = o.calls ?? callTableFor(o.host);
  const env: NodeEnv = { paths: o.paths, host: o.host, log: o.log, nodeName: o.nodeName ?? (process.env['GANETI_HOSTNAME'] || hostname()) };
  const handlers = new Map<string, RpcHandler>();
  const add = (name: string, handler: RpcHandler) => {
    if (!calls.has(name)) throw new GanetiError('GNT_RPC_CALL_INVALID', { procedure: name, reason: 'a handler is registered for it, but the call table does not declare it' });
    if (typeof handler !== 'function') throw new GanetiError('GNT_RPC_CALL_INVALID', { procedure: name, reason: 'the handler is not a function' });
    handlers.set(name, handler);
  };
  for (const [name, h] of Object.entries(builtinNodeHandlers(env, o))) add(name, h);
  for (const [name, h] of Object.entries(pluginHandlers(o.host, env))) add(name, h);
  for (const [name, h] of Object.entries(o.handlers ?? {})) add(name, h);

  const options: FastifyServerOptions & { https?: object } = {
    logger: false,
    bodyLimit: o.bodyLimit ?? NODED_BODY_LIMIT,
    ...(o.tls
      ? // rejectUnauthorized is ours to apply (below), so that each refusal can be logged
        { https: { key: o.tls.key, cert: o.tls.cert, ca: o.tls.ca, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2' } }
      : {}),
  };
  const app = fastify(options) as unknown as FastifyInstance;
  const shutdown = new AbortController();
  app.addHook('preClose', (done) => {
    shutdown.abort();
    done();
  });

  const accepted = acceptedDigests(o);
  if (o.tls) {
    // A peer without a certificate signed by the cluster's is cut off right after the TLS
    // handshake, before a byte of its request is read (what rejectUnauthorized would do, but
    // silently): the log is the only place that shows who knocked and why.
    // prepended: the HTTP server's own listener must never see such a socket's bytes
    app.server.prependListener('secureConnection', (socket: TLSSocket) => {
      if (socket.authorized) return;
      const presented = Object.keys(socket.getPeerCertificate() ?? {}).length > 0;
      const why = presented ? `its certificate is not signed by the cluster certificate (${String(socket.authorizationError)})` : 'no client certificate';
      o.log.warn(`refused TLS connection from ${socket.remoteAddress ?? '?'}: ${why}`);
      socket.destroy();
    });
    app.server.on('tlsClientError', (e: NodeJS.ErrnoException, socket: { remoteAddress?: string }) => {
      const line = `refused TLS connection from ${socket.remoteAddress ?? '?'}: ${describeError(e)}`;
      // a peer that hangs up before any TLS (a port probe, a daemon launcher's wait) is no intruder
      if (e.code === 'ECONNRESET') o.log.debug(line);
      else o.log.warn(line);
    });
  }
  if (o.tls && o.checkPeerDigest !== false) {
    app.addHook('onRequest', async (request, reply) => {
      const digest = peerDigest(request);
      if (digest === undefined) {
        o.log.warn(`refused request ${request.method} ${request.url} from ${request.ip}: no client certificate`);
        return sendHttpError(reply, 403, 'No client certificate provided');
      }
      const ok = await accepted().then((list) => list.includes(digest), (e: unknown) => {
        o.log.error(`cannot read the accepted client certificates: ${describeError(e)}`);
        return false;
      });
      if (!ok) {
        o.log.warn(`refused request ${request.method} ${request.url} from ${request.ip}: client certificate ${digest} is not a master candidate's`);
        return sendHttpError(reply, 403, 'Client certificate verification failed');
      }
    });
  }

  registerRpcRoutes(app, {
    calls,
    handler: (name) => handlers.get(name),
    log: o.log,
    shutdown: shutdown.signal,
    onQuit: () => o.onQuit?.(),
  });

  const control: NodedControl = {
    calls,
    env,
    served: () => [...handlers.keys()].filter((n) => calls.has(n)).sort(),
    register(procedure, handler, owner = 'core') {
      const name = typeof procedure === 'string' ? procedure : calls.define(procedure, owner).name;
      add(name, handler);
    },
    acceptedDigests: accepted,
  };
  app.decorate('noded', control);
  return app as NodedInstance;
}

/**
 * The digests noded accepts: those of ssconf `master_candidates_certs` (`uuid=digest` lines),
 * re-read when the file changes; while it is missing or empty, the digest of the daemon's own
 * certificate (bootstrap, as Ganeti).
 */
function acceptedDigests(o: NodedOptions): () => Promise<string[]> {
  const file = o.paths.ssconf('master_candidates_certs');
  let cached: { key: string; digests: string[] } | undefined;
  let own: Promise<string> | undefined;
  return async () => {
    const st = await stat(file).catch(() => null);
    const key = st ? `${st.ino}:${st.size}:${st.mtimeMs}` : 'missing';
    if (cached?.key !== key) {
      const text = st ? await readFile(file, 'utf8').catch(() => '') : '';
      const digests: string[] = [];
      for (const line of text.split('\n')) {
        const value = line.slice(line.indexOf('=') + 1).trim();
        if (!line.includes('=') || value === '') continue;
        try {
          digests.push(normalizeDigest(value));
        } catch {
          o.log.warn(`ignoring malformed line in ${file}: ${line}`);
        }
      }
      cached = { key, digests };
    }
    if (cached.digests.length > 0) return cached.digests;
    if (!o.tls) return [];
    own ??= certificateDigestOfPem(o.tls.cert.toString()).catch((e: unknown) => {
      own = undefined;
      throw e;
    });
    return [await own];
  };
}
