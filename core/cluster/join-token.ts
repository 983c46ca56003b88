import { createHash, createHmac, randomBytes, timingSafeEqual, X509Certificate } from 'node:crypto';
import { GanetiError } from '../errors/index.js';

/**
 * The join token and the proofs of the join protocol (see core/cluster/join-client.ts for the
 * master's side, core/daemons/noded-join.ts for the node's).
 *
 * A node waiting to join (`ganeti-noded --join`) serves HTTPS with a temporary self-signed
 * certificate and holds a secret. Its token is `gntjoin1_<secret>_<fingerprint>`: the secret
 * (at least 32 hex digits) and the SHA-256 fingerprint (64 hex digits) of its certificate.
 * The master pins that fingerprint, so it talks to no one else. An admin may also choose the
 * secret (`--join-token`); then `gnt-node add` may be given the bare secret, and the node's
 * HMAC proof (which covers the certificate the master sees) is what keeps a man in the middle
 * out. The secret itself never travels: both sides prove they know it with HMAC-SHA256.
 */

export const JOIN_TOKEN_PREFIX = 'gntjoin1';
/** Length of a generated secret, bytes (256 bits). */
export const JOIN_SECRET_BYTES = 32;

const SECRET_RE = /^[0-9a-f]{32,128}$/;
const FP_RE = /^[0-9a-f]{64}$/;

export interface JoinToken {
  readonly secret: string;
  /** SHA-256 of the node's temporary certificate (DER), lower-case hex; null for a bare secret. */
  readonly fingerprint: string | null;
}

export const newJoinSecret = (): string => randomBytes(JOIN_SECRET_BYTES).toString('hex');

export const formatJoinToken = (t: { secret: string; fingerprint: string }): string => `${JOIN_TOKEN_PREFIX}_${t.secret}_${t.fingerprint}`;

/** Parses a full token or a bare secret; GNT_JOIN_TOKEN_INVALID names what is wrong. */
export function parseJoinToken(text: string): JoinToken {
  const s = text.trim().toLowerCase();
  const parts = s.split('_');
  if (parts.length === 3 && parts[0] === JOIN_TOKEN_PREFIX) {
    const [, secret, fp] = parts as [string, string, string];
    if (!SECRET_RE.test(secret)) throw new GanetiError('GNT_JOIN_TOKEN_INVALID', { reason: 'its secret is not 32 to 128 hex digits' });
    if (!FP_RE.test(fp)) throw new GanetiError('GNT_JOIN_TOKEN_INVALID', { reason: 'its fingerprint is not 64 hex digits (SHA-256)' });
    return { secret, fingerprint: fp };
  }
  if (SECRET_RE.test(s)) return { secret: s, fingerprint: null };
  throw new GanetiError('GNT_JOIN_TOKEN_INVALID', { reason: `expected ${JOIN_TOKEN_PREFIX}_<secret>_<fingerprint> or a secret of 32 to 128 hex digits` });
}

/** A secret an admin chose for `ganeti-noded --join-token` (no fingerprint part). */
export function parseJoinSecret(text: string): string {
  const t = parseJoinToken(text);
  if (t.fingerprint !== null) throw new GanetiError('GNT_JOIN_TOKEN_INVALID', { reason: 'give the node the secret only; the fingerprint comes from its certificate' });
  return t.secret;
}

/** SHA-256 of a certificate's DER bytes, lower-case hex. */
export const sha256Fingerprint = (der: Uint8Array): string => createHash('sha256').update(der).digest('hex');

/** SHA-256 fingerprint of a PEM certificate. */
export const pemFingerprint = (pem: string): string => sha256Fingerprint(new X509Certificate(pem).raw);

export const newNonce = (): string => randomBytes(16).toString('hex');

/** Who proves: the node (answering hello) or the master (sending the cluster files). */
export type ProofRole = 'node' | 'master';

/** HMAC-SHA256 over the role, the certificate fingerprint and both nonces. */
export function joinProof(secret: string, role: ProofRole, fingerprint: string, masterNonce: string, nodeNonce: string): string {
  return createHmac('sha256', Buffer.from(secret, 'hex')).update(['ganeti-ts join v1', role, fingerprint, masterNonce, nodeNonce].join('\0')).digest('hex');
}

/** Constant-time comparison of two hex proofs. */
export function proofMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string' || !/^[0-9a-f]{64}$/.test(given)) return false;
  return timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(given, 'hex'));
}

/** What the master sends with `/join/accept`: file contents by name, and the ssconf values. */
export interface JoinFiles {
  readonly 'server.pem': string;
  readonly 'client.pem': string;
  readonly 'config.data'?: string;
  readonly 'hmac.key'?: string;
  readonly 'cluster-domain-secret'?: string;
  readonly 'rapi.pem'?: string;
}

export const JOIN_FILE_MODES: Readonly<Record<keyof JoinFiles, number>> = Object.freeze({
  'server.pem': 0o440,
  'client.pem': 0o440,
  'config.data': 0o640,
  'hmac.key': 0o400,
  'cluster-domain-secret': 0o400,
  'rapi.pem': 0o440,
});

export interface JoinHelloAnswer {
  readonly protocol: number;
  readonly name: string;
  readonly nonce: string;
  readonly proof: string;
}
