import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Logger } from '../../core/contracts/context.js';
import type { GanetiPaths } from '../../core/paths.js';
import { GanetiError, describeError } from '../../core/errors/index.js';
import { generateSelfSignedCert, writeSecretFile } from '../../core/crypto/index.js';
import { formatJoinToken, newJoinSecret, pemFingerprint } from '../../core/cluster/join-token.js';
import { buildJoinNoded, joinTokenFile, removeJoinTokenFile } from '../../core/daemons/noded-join.js';

export interface JoinModeRun {
  readonly paths: GanetiPaths;
  readonly log: Logger;
  readonly bind: string;
  readonly port: number;
  /** The admin's secret, or undefined for a new one. */
  readonly secret: string | undefined;
  /** Resolves when the daemon is asked to stop. */
  readonly stopped: Promise<void>;
}

/** Refuses join mode on a node that is a cluster member already. */
export function checkJoinable(paths: GanetiPaths): void {
  if (existsSync(paths.serverPem))
    throw new GanetiError('GNT_JOIN_STATE', { reason: `${paths.serverPem} exists: this node is a cluster member already; start ganeti-noded without --join` });
}

/**
 * `ganeti-noded --join`: makes a temporary EC certificate, writes the join token (0600) and
 * serves the join protocol until the master has sent the cluster files (true) or the daemon
 * is stopped (false). The caller then starts the node daemon proper with server.pem.
 */
export async function waitToJoin(o: JoinModeRun): Promise<boolean> {
  checkJoinable(o.paths);
  const nodeName = process.env['GANETI_HOSTNAME'] || hostname();
  const secret = o.secret ?? newJoinSecret();
  const tls = await generateSelfSignedCert({ keyType: 'ec', commonName: nodeName, validityDays: 7 });
  const token = formatJoinToken({ secret, fingerprint: pemFingerprint(tls.certPem) });
  await writeSecretFile(joinTokenFile(o.paths), `${token}\n`, 0o600, 'write the join token');
  let joined: () => void = () => undefined;
  const done = new Promise<boolean>((resolve) => {
    joined = () => resolve(true);
  });
  const app = await buildJoinNoded({ paths: o.paths, log: o.log, nodeName, secret, tls, onJoined: () => joined() });
  try {
    await app.listen({ host: o.bind, port: o.port });
  } catch (e) {
    throw new GanetiError('GNT_NODED_LISTEN', { address: `${o.bind}:${o.port}`, reason: describeError(e) }, { cause: e });
  }
  o.log.info(`waiting to join a cluster on ${o.bind}:${o.port} as ${nodeName}; the join token is in ${joinTokenFile(o.paths)}`);
  const ok = await Promise.race([done, o.stopped.then(() => false)]);
  await app.close();
  if (ok) {
    await removeJoinTokenFile(o.paths);
    o.log.info('joined: restarting with the cluster certificate');
  }
  return ok;
}
