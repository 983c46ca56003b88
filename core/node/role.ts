import { readFile, rename } from 'node:fs/promises';
import { GanetiError, describeError } from '../errors/index.js';
import { certificateDigest } from '../crypto/x509.js';
import type { RpcHandler } from '../rpc/server.js';
import type { NodeEnv } from './context.js';

/** Ganeti's CRYPTO_TYPE_SSL_DIGEST and CRYPTO_ACTION_GET. */
export const CRYPTO_TYPE_SSL_DIGEST = 'ssl';
export const CRYPTO_ACTION_GET = 'get';

/**
 * The node's side of its role changes:
 * - node_crypto_tokens: the SHA1 digest of this node's client certificate, which the master
 *   puts in `candidate_certs` when the node becomes a master candidate (only `get` is served:
 *   new client certificates come with the join, see core/cluster/join-client.ts);
 * - node_demote_from_mc: a node that stopped being a candidate moves its config.data aside
 *   (`config.data.backup-<time>`, as Ganeti keeps a backup); the master refuses to.
 */
export function roleHandlers(env: NodeEnv): Record<string, RpcHandler> {
  return {
    async node_crypto_tokens(args) {
      const [requests] = args as [[string, string, unknown][]];
      const out: [string, string][] = [];
      for (const [type, action] of requests) {
        if (type !== CRYPTO_TYPE_SSL_DIGEST || action !== CRYPTO_ACTION_GET)
          throw new GanetiError('GNT_NODED_FAILED', { procedure: 'node_crypto_tokens', reason: `unsupported token request (${type}, ${action}); only (ssl, get) is served` });
        out.push([type, await certificateDigest(env.paths.clientPem)]);
      }
      return out;
    },

    async node_demote_from_mc() {
      const master = (await readFile(env.paths.ssconf('master_node'), 'utf8').catch(() => '')).trim();
      if (master === env.nodeName) throw new GanetiError('GNT_NODED_FAILED', { procedure: 'node_demote_from_mc', reason: 'This is the master node, will not demote itself' });
      const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
      try {
        await rename(env.paths.configData, `${env.paths.configData}.backup-${stamp}`);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw new GanetiError('GNT_NODED_FAILED', { procedure: 'node_demote_from_mc', reason: describeError(e) }, { cause: e });
      }
      env.log.info('demoted from master candidate: config.data moved aside');
      return null;
    },
  };
}
