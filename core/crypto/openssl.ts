import { runChecked } from '../exec/index.js';
import { GanetiError, describeError } from '../errors/index.js';

/** How long one `openssl` invocation may take (key generation is the slow one). */
export const OPENSSL_TIMEOUT_MS = 120_000;

/**
 * Runs the `openssl` CLI through core/exec and returns its stdout. `input` goes to its stdin
 * (openssl 3.0 reads certificates and requests from stdin, not keys).
 * OPENSSL_CONF points at /dev/null: what a certificate holds depends on our arguments only,
 * never on the machine's openssl.cnf. A failure becomes GNT_CRYPTO_FAILED naming `what`.
 */
export async function openssl(args: readonly string[], what: string, input?: string): Promise<string> {
  try {
    const r = await runChecked(['openssl', ...args], {
      ...(input !== undefined ? { input } : {}),
      env: { OPENSSL_CONF: '/dev/null' },
      timeoutMs: OPENSSL_TIMEOUT_MS,
    });
    return r.stdout;
  } catch (e) {
    throw new GanetiError('GNT_CRYPTO_FAILED', { what, reason: describeError(e) }, { cause: e });
  }
}
