import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fastify, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger } from '../contracts/context.js';
import type { GanetiPaths } from '../paths.js';
import { GanetiError, describeError } from '../errors/index.js';
import { SSCONF_KEYS, writeSsconfFiles } from '../config/ssconf.js';
import { splitKeyAndCert, writeSecretFile, type KeyAndCert } from '../crypto/x509.js';
import { PROTOCOL_VERSION } from '../jobs/cluster-info.js';
import { JOIN_FILE_MODES, joinProof, newNonce, pemFingerprint, proofMatches, type JoinFiles, type JoinHelloAnswer } from '../cluster/join-token.js';

/**
 * The node daemon in join mode (`ganeti-noded --join`): HTTPS with a temporary self-signed
 * certificate, no client certificate asked, two procedures only.
 * - `POST /join/hello` `{nonce}` → `{protocol, name, nonce, proof}`: the node's protocol
 *   version and name, a fresh node nonce and its proof of the secret over its certificate's
 *   fingerprint and both nonces. Reveals nothing that helps guess the secret.
 * - `POST /join/accept` `{master_nonce, nonce, auth, files, ssconf}`: `auth` is the master's
 *   proof over the same values; the node nonce is single-use. The node writes the ssconf
 *   files, then the given files (config.data, hmac.key, ... and last client.pem and server.pem)
 *   and answers `{joined: true}`; then `onJoined` lets the caller restart as a cluster node.
 * Any refusal is logged with the peer's address and answered 403 `{error}`.
 */
export interface JoinModeOptions {
  readonly paths: GanetiPaths;
  readonly log: Logger;
  readonly nodeName: string;
  readonly secret: string;
  /** The temporary key and self-signed certificate this daemon serves. */
  readonly tls: KeyAndCert;
  /** Called once the cluster files are written and the answer was sent. */
  readonly onJoined: () => void;
}

/** How long a hello's node nonce stays usable, and how many may be outstanding. */
const NONCE_TTL_MS = 5 * 60_000;
const MAX_NONCES = 32;
/** config.data of a big cluster travels in the accept request. */
const JOIN_BODY_LIMIT = 64 * 1024 * 1024;

const HEX32 = /^[0-9a-f]{32}$/;
const VALID_SSCONF = new Set<string>(SSCONF_KEYS);

export async function buildJoinNoded(o: JoinModeOptions): Promise<FastifyInstance> {
  const fingerprint = pemFingerprint(o.tls.certPem);
  const nonces = new Map<string, { master: string; expires: number }>();
  let joined = false;
  const app = fastify({
    logger: false,
    bodyLimit: JOIN_BODY_LIMIT,
    https: { key: o.tls.keyPem, cert: o.tls.certPem, minVersion: 'TLSv1.2' },
  }) as unknown as FastifyInstance;

  const refuse = (reply: FastifyReply, ip: string, reason: string) => {
    o.log.warn(`refused join request from ${ip}: ${reason}`);
    return reply.code(403).send({ error: reason });
  };

  app.post('/join/hello', async (request, reply) => {
    const body = request.body as { nonce?: unknown } | null;
    if (joined) return refuse(reply, request.ip, 'this node has joined a cluster already');
    if (!body || typeof body.nonce !== 'string' || !HEX32.test(body.nonce)) return refuse(reply, request.ip, 'malformed hello');
    const now = Date.now();
    for (const [k, v] of nonces) if (v.expires < now) nonces.delete(k);
    while (nonces.size >= MAX_NONCES) nonces.delete(nonces.keys().next().value as string);
    const nonce = newNonce();
    nonces.set(nonce, { master: body.nonce, expires: now + NONCE_TTL_MS });
    o.log.info(`join hello from ${request.ip}`);
    const answer: JoinHelloAnswer = { protocol: PROTOCOL_VERSION, name: o.nodeName, nonce, proof: joinProof(o.secret, 'node', fingerprint, body.nonce, nonce) };
    return answer;
  });

  app.post('/join/accept', async (request, reply) => {
    const body = request.body as { master_nonce?: unknown; nonce?: unknown; auth?: unknown; files?: unknown; ssconf?: unknown } | null;
    if (joined) return refuse(reply, request.ip, 'this node has joined a cluster already');
    if (!body || typeof body.nonce !== 'string' || typeof body.master_nonce !== 'string') return refuse(reply, request.ip, 'malformed join request');
    const pending = nonces.get(body.nonce);
    nonces.delete(body.nonce); // single use, whatever the outcome
    if (!pending || pending.master !== body.master_nonce || pending.expires < Date.now()) return refuse(reply, request.ip, 'unknown or expired nonce');
    if (!proofMatches(joinProof(o.secret, 'master', fingerprint, body.master_nonce, body.nonce), body.auth)) return refuse(reply, request.ip, 'wrong join secret');
    let files: JoinFiles;
    let ssconf: Record<string, string>;
    try {
      ({ files, ssconf } = checkPayload(body.files, body.ssconf));
    } catch (e) {
      return refuse(reply, request.ip, describeError(e));
    }
    try {
      await writeSsconfFiles(o.paths, ssconf);
      const order = (Object.keys(files) as (keyof JoinFiles)[]).sort((a, b) => rank(a) - rank(b));
      for (const name of order) await writeSecretFile(join(o.paths.dataDir, name), files[name]!, JOIN_FILE_MODES[name], 'write');
    } catch (e) {
      o.log.error(`join from ${request.ip} failed while writing the cluster files: ${describeError(e)}`);
      return reply.code(500).send({ error: describeError(e) });
    }
    joined = true;
    o.log.info(`joined the cluster '${ssconf['cluster_name'] ?? '?'}' as ${o.nodeName} (request from ${request.ip})`);
    reply.raw.once('finish', () => o.onJoined());
    return { joined: true };
  });

  return app;
}

/** server.pem and client.pem are written last: their presence means "joined". */
const rank = (name: keyof JoinFiles) => (name === 'server.pem' ? 2 : name === 'client.pem' ? 1 : 0);

function checkPayload(files: unknown, ssconf: unknown): { files: JoinFiles; ssconf: Record<string, string> } {
  const bad = (reason: string) => new GanetiError('GNT_JOIN_FAILED', { node: 'this node', reason });
  if (!files || typeof files !== 'object') throw bad('no files in the join request');
  for (const [k, v] of Object.entries(files)) {
    if (!Object.hasOwn(JOIN_FILE_MODES, k)) throw bad(`unexpected file '${k}'`);
    if (typeof v !== 'string') throw bad(`file '${k}' is not text`);
  }
  const f = files as JoinFiles;
  if (typeof f['server.pem'] !== 'string' || typeof f['client.pem'] !== 'string') throw bad('server.pem and client.pem are required');
  splitKeyAndCert(f['server.pem'], 'server.pem');
  splitKeyAndCert(f['client.pem'], 'client.pem');
  if (!ssconf || typeof ssconf !== 'object') throw bad('no ssconf values in the join request');
  for (const [k, v] of Object.entries(ssconf)) {
    if (!VALID_SSCONF.has(k)) throw bad(`unknown ssconf key '${k}'`);
    if (typeof v !== 'string') throw bad(`ssconf value '${k}' is not text`);
  }
  return { files: f, ssconf: ssconf as Record<string, string> };
}

/** Where a join-mode daemon keeps its token (0600) for the admin and for automation. */
export const joinTokenFile = (paths: GanetiPaths): string => join(paths.dataDir, 'join-token');

export const removeJoinTokenFile = (paths: GanetiPaths): Promise<void> => rm(joinTokenFile(paths), { force: true });
