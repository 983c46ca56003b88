import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { GanetiError, describeError } from '../errors/index.js';
import { nodeConfigFs, writeFileAtomic } from '../config/fs.js';
import { openssl } from './openssl.js';

/**
 * X509 certificates of a cluster, made by the `openssl` CLI (Ganeti's lib/utils/x509.py and
 * lib/utils/security.py do the same with pyOpenSSL):
 * - the cluster certificate `server.pem`: a key and a self-signed certificate in one PEM file,
 *   CN `ganeti.example.com`, serial 1, five years; noded serves it and both ends trust it as CA;
 * - per-node client certificates `client.pem`: a key and a certificate signed by the cluster
 *   certificate, CN the node's name, serial the current time in seconds;
 * - the RAPI certificate `rapi.pem`: self-signed, like the cluster certificate.
 * Keys are RSA 2048 (Ganeti's RSA_KEY_BITS) unless EC is asked for; signatures SHA-256.
 * Files are written atomically with mode 0440 (Ganeti's NODED_CERT_MODE).
 */

/** Ganeti's X509_CERT_CN. */
export const X509_CERT_CN = 'ganeti.example.com';
/** Ganeti's X509_CERT_DEFAULT_VALIDITY, in days (five years). */
export const X509_CERT_DEFAULT_VALIDITY_DAYS = 365 * 5;
/** Ganeti's RSA_KEY_BITS. */
export const RSA_KEY_BITS = 2048;
/** Mode of server.pem, client.pem and rapi.pem (Ganeti's NODED_CERT_MODE). */
export const CERT_FILE_MODE = 0o440;

export type KeyType = 'rsa' | 'ec';

export interface CertOptions {
  /** Subject CN (default ganeti.example.com; a node's name for client certificates). */
  readonly commonName?: string;
  readonly validityDays?: number;
  /** Serial number (default 1 for self-signed, the current time in seconds for signed ones). */
  readonly serial?: number;
  /** RSA 2048 (default, as Ganeti) or EC P-256. */
  readonly keyType?: KeyType;
  /**
   * Where the new key waits, for a moment, in a private (0700) folder while openssl signs
   * with it (openssl 3.0 reads keys only from files). Default: the system's temp folder;
   * the write functions use the target's folder.
   */
  readonly workDir?: string;
  /** A private key made beforehand (PEM), e.g. while the signing certificate was being made. */
  readonly keyPem?: string | Promise<string>;
}

export interface KeyAndCert {
  /** The private key, PEM (PKCS#8). */
  readonly keyPem: string;
  /** The certificate, PEM. */
  readonly certPem: string;
}

export interface CertificateInfo {
  readonly subject: string;
  readonly issuer: string;
  readonly commonName: string;
  readonly serial: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n[\s\S]*?-----END \1-----\r?\n?/g;

/** The PEM blocks of a text, with their labels (`CERTIFICATE`, `PRIVATE KEY`, ...). */
export function pemBlocks(text: string): { label: string; pem: string }[] {
  return [...text.matchAll(PEM_BLOCK)].map((m) => ({ label: m[1]!, pem: m[0].endsWith('\n') ? m[0] : `${m[0]}\n` }));
}

/** Splits a combined PEM file (Ganeti keeps the key and the certificate in one) into its key and certificate. */
export function splitKeyAndCert(text: string, file = 'PEM data'): KeyAndCert {
  const blocks = pemBlocks(text);
  const cert = blocks.find((b) => b.label === 'CERTIFICATE');
  const key = blocks.find((b) => /PRIVATE KEY$/.test(b.label));
  if (!cert) throw new GanetiError('GNT_CRYPTO_BAD_CERT', { file, reason: 'it holds no PEM certificate' });
  if (!key) throw new GanetiError('GNT_CRYPTO_BAD_CERT', { file, reason: 'it holds no PEM private key' });
  return { keyPem: key.pem, certPem: cert.pem };
}

/** Reads a combined key + certificate PEM file. */
export async function readKeyAndCert(file: string): Promise<KeyAndCert> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new GanetiError('GNT_CRYPTO_BAD_CERT', { file, reason: describeError(e) }, { cause: e });
  }
  return splitKeyAndCert(text, file);
}

/** `-subj` value for a CN; `/` and `\` are escaped as openssl wants. */
function subject(cn: string): string {
  if (cn === '' || /[\0-\x1f]/.test(cn)) throw new GanetiError('GNT_CRYPTO_FAILED', { what: 'build a certificate subject', reason: `invalid common name ${JSON.stringify(cn)}` });
  return `/CN=${cn.replace(/[\\/]/g, (c) => `\\${c}`)}`;
}

function days(o: CertOptions): string {
  const d = o.validityDays ?? X509_CERT_DEFAULT_VALIDITY_DAYS;
  if (!Number.isInteger(d) || d < 1) throw new GanetiError('GNT_CRYPTO_FAILED', { what: 'build a certificate', reason: `validity must be a whole number of days >= 1, got ${d}` });
  return String(d);
}

function serial(o: CertOptions, fallback: number): string {
  const s = o.serial ?? fallback;
  if (!Number.isSafeInteger(s) || s < 0) throw new GanetiError('GNT_CRYPTO_FAILED', { what: 'build a certificate', reason: `serial must be a non-negative integer, got ${s}` });
  return String(s);
}

/** A new private key (PEM): RSA 2048 or EC P-256. */
export function generatePrivateKey(keyType: KeyType = 'rsa'): Promise<string> {
  const args =
    keyType === 'ec'
      ? ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']
      : ['genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${RSA_KEY_BITS}`];
  return openssl(args, `generate a ${keyType.toUpperCase()} private key`);
}

/** Runs `fn` with the key in a file of a private temp folder, removed afterwards. */
async function withKeyFile<T>(keyPem: string, workDir: string | undefined, fn: (keyFile: string) => Promise<T>): Promise<T> {
  let dir: string;
  try {
    await mkdir(workDir ?? tmpdir(), { recursive: true, mode: 0o755 });
    dir = await mkdtemp(join(workDir ?? tmpdir(), '.gnt-crypto-'));
  } catch (e) {
    throw new GanetiError('GNT_CRYPTO_FAILED', { what: 'create a private work folder', reason: describeError(e) }, { cause: e });
  }
  try {
    const keyFile = join(dir, 'key.pem');
    await writeFile(keyFile, keyPem, { mode: 0o600, flag: 'wx' });
    return await fn(keyFile);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A key and a self-signed certificate (a CA: the cluster certificate signs client certificates). */
export async function generateSelfSignedCert(o: CertOptions = {}): Promise<KeyAndCert> {
  const cn = o.commonName ?? X509_CERT_CN;
  const args = ['-subj', subject(cn), '-days', days(o), '-set_serial', serial(o, 1)];
  const keyPem = await (o.keyPem ?? generatePrivateKey(o.keyType));
  const certPem = await withKeyFile(keyPem, o.workDir, (keyFile) =>
    openssl(
      ['req', '-new', '-x509', '-key', keyFile, ...args, '-sha256', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'subjectKeyIdentifier=hash'],
      `create a self-signed certificate for ${cn}`,
    ),
  );
  return { keyPem, certPem };
}

/** A key and a certificate signed by the key + certificate in `signingFile` (the cluster certificate). */
export async function generateSignedCert(signingFile: string, o: CertOptions = {}): Promise<KeyAndCert> {
  const cn = o.commonName ?? X509_CERT_CN;
  const args = ['-set_serial', serial(o, Math.floor(Date.now() / 1000)), '-days', days(o)];
  await readKeyAndCert(signingFile); // a clear error when the signer lacks its key or certificate
  const keyPem = await (o.keyPem ?? generatePrivateKey(o.keyType));
  const csr = await withKeyFile(keyPem, o.workDir, (keyFile) =>
    openssl(['req', '-new', '-key', keyFile, '-subj', subject(cn), '-sha256'], `create a certificate request for ${cn}`),
  );
  // x509 reads the request from its stdin
  const certPem = await openssl(['x509', '-req', '-CA', signingFile, '-CAkey', signingFile, ...args, '-sha256'], `sign the certificate of ${cn} with ${signingFile}`, csr);
  return { keyPem, certPem };
}

/** Writes key + certificate into one file, atomically, with `mode` (default 0440). */
export async function writeKeyAndCert(file: string, material: KeyAndCert, mode = CERT_FILE_MODE): Promise<void> {
  await writeSecretFile(file, material.keyPem + material.certPem, mode, 'write the certificate');
}

/** Atomic write of key material (temp file in the same folder, fsync, rename); the folder is created 0755. */
export async function writeSecretFile(file: string, content: string, mode: number, what: string): Promise<void> {
  try {
    await mkdir(dirname(file), { recursive: true, mode: 0o755 });
    await writeFileAtomic(nodeConfigFs, file, [Buffer.from(content)], { mode });
  } catch (e) {
    throw new GanetiError('GNT_CRYPTO_FAILED', { what: `${what} ${file}`, reason: describeError(e) }, { cause: e });
  }
}

/** Generates and writes a self-signed key + certificate (server.pem, rapi.pem). */
export async function writeSelfSignedCert(file: string, o: CertOptions & { mode?: number } = {}): Promise<KeyAndCert> {
  const material = await generateSelfSignedCert({ workDir: dirname(file), ...o });
  await writeKeyAndCert(file, material, o.mode);
  return material;
}

/** Generates and writes a key + certificate signed by `signingFile` (client.pem). */
export async function writeSignedCert(file: string, signingFile: string, o: CertOptions & { mode?: number } = {}): Promise<KeyAndCert> {
  const material = await generateSignedCert(signingFile, { workDir: dirname(file), ...o });
  await writeKeyAndCert(file, material, o.mode);
  return material;
}

const DIGEST_RE = /^(?:[0-9A-F]{2}:){19}[0-9A-F]{2}$/;

/**
 * A SHA1 digest as Ganeti prints it (pyOpenSSL's `X509.digest("sha1")`, the values of ssconf
 * `master_candidates_certs` and of `candidate_certs` in config.data): 20 upper-case hex bytes
 * joined by colons. Accepts `openssl x509 -fingerprint` output (`sha1 Fingerprint=...`), Node's
 * `fingerprint`, or bare hex.
 */
export function normalizeDigest(text: string): string {
  let s = text.trim();
  const eq = s.lastIndexOf('=');
  if (eq >= 0) s = s.slice(eq + 1);
  s = s.trim().toUpperCase();
  if (/^[0-9A-F]{40}$/.test(s)) s = s.match(/../g)!.join(':');
  if (!DIGEST_RE.test(s)) throw new GanetiError('GNT_CRYPTO_FAILED', { what: 'read a certificate digest', reason: `not a SHA1 digest: ${JSON.stringify(text.trim())}` });
  return s;
}

export const isDigest = (s: string): boolean => DIGEST_RE.test(s);

/** The SHA1 digest of the (first) certificate in `file`, in Ganeti's form (`AB:CD:...`). */
export async function certificateDigest(file: string): Promise<string> {
  const out = await openssl(['x509', '-noout', '-fingerprint', '-sha1', '-in', file], `compute the SHA1 digest of ${file}`);
  return normalizeDigest(out);
}

/** The SHA1 digest of a PEM certificate given as text. */
export async function certificateDigestOfPem(pem: string): Promise<string> {
  // x509 reads the certificate from its stdin
  const out = await openssl(['x509', '-noout', '-fingerprint', '-sha1'], 'compute the SHA1 digest of a certificate', pem);
  return normalizeDigest(out);
}

/** Subject, issuer, serial and validity of the (first) certificate in `file`. */
export async function certificateInfo(file: string): Promise<CertificateInfo> {
  const out = await openssl(['x509', '-noout', '-nameopt', 'RFC2253', '-subject', '-issuer', '-serial', '-startdate', '-enddate', '-in', file], `read certificate ${file}`);
  const fields = new Map<string, string>();
  for (const line of out.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) fields.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  const date = (k: string) => {
    const d = new Date(fields.get(k) ?? '');
    if (Number.isNaN(d.getTime())) throw new GanetiError('GNT_CRYPTO_BAD_CERT', { file, reason: `unreadable ${k}` });
    return d;
  };
  const subjectText = fields.get('subject') ?? '';
  return {
    subject: subjectText,
    issuer: fields.get('issuer') ?? '',
    commonName: /(?:^|,)CN=((?:[^,\\]|\\.)*)/.exec(subjectText)?.[1]?.replace(/\\(.)/g, '$1') ?? '',
    serial: fields.get('serial') ?? '',
    notBefore: date('notBefore'),
    notAfter: date('notAfter'),
  };
}

/**
 * Checks that the certificate in `file` is signed by the certificate in `caFile` and valid now
 * (`openssl verify`). Throws GNT_CRYPTO_BAD_CERT with openssl's reason otherwise.
 */
export async function verifyCertificate(file: string, caFile: string): Promise<void> {
  try {
    await openssl(['verify', '-CAfile', caFile, file], `verify ${file}`);
  } catch (e) {
    const detail = describeError(e).split('\n').find((l) => /error \d+ at/.test(l)) ?? describeError(e);
    throw new GanetiError('GNT_CRYPTO_BAD_CERT', { file, reason: `not verified by ${caFile}: ${detail.trim()}` }, { cause: e });
  }
}
