import { request } from 'node:http';
import { connect, type TLSSocket } from 'node:tls';
import { GanetiError, describeError } from '../errors/index.js';
import { joinProof, newNonce, proofMatches, sha256Fingerprint, type JoinFiles, type JoinHelloAnswer, type JoinToken } from './join-token.js';

/**
 * The master's side of the join protocol (see join-token.ts and core/daemons/noded-join.ts).
 * Every request opens its own TLS connection, checks the node's certificate against the
 * token's fingerprint (or, for a bare secret, against the one the hello proof covered) before
 * a byte is sent, and closes it afterwards.
 */

export interface JoinTarget {
  readonly name: string;
  readonly address: string;
  readonly port: number;
}

/** What the hello established: the node's certificate and nonces, for the accept. */
export interface JoinSession {
  readonly target: JoinTarget;
  readonly token: JoinToken;
  readonly fingerprint: string;
  readonly masterNonce: string;
  readonly hello: JoinHelloAnswer;
}

const TIMEOUT_MS = 30_000;

/** Opens TLS to the node and returns the socket once its certificate matches `pin` (if given). */
function pinnedSocket(t: JoinTarget, pin: string | null): Promise<{ socket: TLSSocket; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: t.address, port: t.port, rejectUnauthorized: false, minVersion: 'TLSv1.2', timeout: TIMEOUT_MS });
    const fail = (e: GanetiError) => {
      socket.destroy();
      reject(e);
    };
    socket.once('error', (e) => fail(new GanetiError('GNT_JOIN_FAILED', { node: t.name, reason: `cannot connect to ${t.address}:${t.port}: ${describeError(e)}` }, { cause: e })));
    socket.once('timeout', () => fail(new GanetiError('GNT_JOIN_FAILED', { node: t.name, reason: `no TLS handshake with ${t.address}:${t.port} within ${TIMEOUT_MS / 1000} s` })));
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      if (!cert?.raw) return fail(new GanetiError('GNT_JOIN_FAILED', { node: t.name, reason: 'the node presented no certificate' }));
      const fingerprint = sha256Fingerprint(cert.raw);
      if (pin !== null && fingerprint !== pin) return fail(new GanetiError('GNT_JOIN_FINGERPRINT', { node: t.name, expected: pin, found: fingerprint }));
      socket.setTimeout(0);
      resolve({ socket, fingerprint });
    });
  });
}

/** One JSON POST over a pinned connection. */
async function post(t: JoinTarget, pin: string | null, path: string, body: unknown): Promise<{ fingerprint: string; answer: Record<string, unknown> }> {
  const { socket, fingerprint } = await pinnedSocket(t, pin);
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: t.address,
        port: t.port,
        method: 'POST',
        path,
        // HTTP over the TLS socket checked above (no agent: it would open its own, unpinned)
        createConnection: () => socket,
        headers: { 'content-type': 'application/json', 'content-length': payload.length },
        timeout: TIMEOUT_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          socket.destroy();
          let answer: Record<string, unknown> = {};
          try {
            answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
          } catch {
            // handled below by the status
          }
          if (res.statusCode === 200) return resolve({ fingerprint, answer });
          const reason = typeof answer['error'] === 'string' ? answer['error'] : `HTTP ${res.statusCode}`;
          if (res.statusCode === 403) return reject(new GanetiError('GNT_JOIN_REFUSED', { node: t.name, reason }));
          if (res.statusCode === 404) return reject(new GanetiError('GNT_JOIN_FAILED', { node: t.name, reason: 'the node daemon is not in join mode (start it with ganeti-noded --join)' }));
          reject(new GanetiError('GNT_JOIN_FAILED', { node: t.name, reason }));
        });
        res.on('error', (e) => reject(new GanetiError('GNT_JOIN_FAILED', { node: t.name, reason: describeError(e) }, { cause: e })));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    req.on('error', (e) => {
      socket.destroy();
      reject(new GanetiError('GNT_JOIN_FAILED', { node: t.name, reason: describeError(e) }, { cause: e }));
    });
    req.end(payload);
  });
}

/** Step 1: the node proves it holds the secret for the certificate this side sees. */
export async function joinHello(target: JoinTarget, token: JoinToken): Promise<JoinSession> {
  const masterNonce = newNonce();
  const { fingerprint, answer } = await post(target, token.fingerprint, '/join/hello', { nonce: masterNonce });
  const hello = answer as unknown as JoinHelloAnswer;
  if (typeof hello.nonce !== 'string' || typeof hello.protocol !== 'number' || typeof hello.name !== 'string')
    throw new GanetiError('GNT_JOIN_FAILED', { node: target.name, reason: 'malformed hello answer' });
  if (!proofMatches(joinProof(token.secret, 'node', fingerprint, masterNonce, hello.nonce), hello.proof))
    throw new GanetiError('GNT_JOIN_REFUSED', { node: target.name, reason: 'the node could not prove it knows the join secret (wrong token, or someone else answered)' });
  return { target, token, fingerprint, masterNonce, hello };
}

/** Step 2: the master proves it holds the secret and hands over the cluster files. */
export async function joinAccept(s: JoinSession, files: JoinFiles, ssconf: Readonly<Record<string, string>>): Promise<void> {
  const auth = joinProof(s.token.secret, 'master', s.fingerprint, s.masterNonce, s.hello.nonce);
  await post(s.target, s.fingerprint, '/join/accept', { master_nonce: s.masterNonce, nonce: s.hello.nonce, auth, files, ssconf });
}
