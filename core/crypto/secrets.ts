import { GanetiError } from '../errors/index.js';
import { openssl } from './openssl.js';
import { writeSecretFile } from './x509.js';

/** Mode of hmac.key and cluster-domain-secret as Ganeti's bootstrap writes them. */
export const SECRET_FILE_MODE = 0o400;

/**
 * A random secret as Ganeti's utils.GenerateSecret makes it: `numBytes` random bytes in
 * lower-case hex (20 bytes: 40 characters), from `openssl rand`.
 */
export async function generateSecret(numBytes = 20): Promise<string> {
  if (!Number.isInteger(numBytes) || numBytes < 1 || numBytes > 4096)
    throw new GanetiError('GNT_CRYPTO_FAILED', { what: 'generate a secret', reason: `byte count must be 1..4096, got ${numBytes}` });
  const hex = (await openssl(['rand', '-hex', String(numBytes)], 'generate a random secret')).trim().toLowerCase();
  if (!new RegExp(`^[0-9a-f]{${numBytes * 2}}$`).test(hex))
    throw new GanetiError('GNT_CRYPTO_FAILED', { what: 'generate a random secret', reason: `openssl rand printed ${JSON.stringify(hex.slice(0, 80))}` });
  return hex;
}

/**
 * Writes a new secret file as Ganeti's GenerateHmacKey: 40 hex characters and a newline,
 * mode 0400, atomically. Used for the confd HMAC key (hmac.key) and the cluster domain secret.
 */
export async function writeHmacKey(file: string, mode = SECRET_FILE_MODE): Promise<string> {
  const secret = await generateSecret();
  await writeSecretFile(file, `${secret}\n`, mode, 'write the secret');
  return secret;
}
