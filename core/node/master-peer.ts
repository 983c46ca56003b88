import { readFile } from 'node:fs/promises';
import { GanetiError } from '../errors/index.js';
import { normalizeDigest } from '../crypto/x509.js';
import type { GanetiPaths } from '../paths.js';

/**
 * The SHA1 digest of the master node's client certificate, from this node's ssconf; null when
 * ssconf cannot tell.
 *
 * Every master candidate's certificate is accepted by noded, but some calls (run_command,
 * copyfile uploads) are for the master alone. ssconf names the master but keys certificates
 * by node UUID (`master_candidates_certs`: `uuid=digest`), and holds no name-to-UUID map.
 * Both `master_candidates` (names) and `master_candidates_certs` are written from the same
 * config, each ordered by node UUID (core/config/ssconf.ts), so when they list the same
 * number of nodes, entry i of one is entry i of the other. When they differ (a candidate
 * without a certificate entry) the answer is null and such calls are refused: fail closed.
 */
export async function masterDigest(paths: Pick<GanetiPaths, 'ssconf'>): Promise<string | null> {
  const read = (key: string) => readFile(paths.ssconf(key), 'utf8').then((t) => t.split('\n').map((l) => l.trim()).filter(Boolean), () => null);
  const [master, names, certs] = await Promise.all([read('master_node'), read('master_candidates'), read('master_candidates_certs')]);
  if (!master?.[0] || !names || !certs || names.length !== certs.length) return null;
  const i = names.indexOf(master[0]);
  const line = i < 0 ? undefined : certs[i];
  if (line === undefined || !line.includes('=')) return null;
  try {
    return normalizeDigest(line.slice(line.indexOf('=') + 1));
  } catch {
    return null;
  }
}

/** Throws GNT_NODED_NOT_MASTER unless `digest` (the caller's certificate) is the master's. */
export async function requireMasterPeer(paths: Pick<GanetiPaths, 'ssconf'>, procedure: string, digest: string | undefined): Promise<void> {
  const expected = await masterDigest(paths);
  if (digest === undefined || expected === null || normalizeDigest(digest) !== expected) throw new GanetiError('GNT_NODED_NOT_MASTER', { procedure });
}
