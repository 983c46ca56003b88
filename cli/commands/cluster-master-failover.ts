import { ganetiPaths } from '../../core/paths.js';
import { GanetiError } from '../../core/errors/index.js';
import { RpcClient } from '../../core/rpc/index.js';
import { masterFailover } from '../../core/cluster/failover.js';
import { askUser } from '../common/confirm.js';
import { CliExit } from '../common/program.js';
import { EXIT } from '../common/exit-codes.js';
import { startDaemon, thisNode } from './cluster-init.js';

const NO_VOTING_WARNING =
  'This will perform the failover even if most other nodes are down, or if this node is outdated.' +
  ' This is dangerous as it can lead to a non-consistent cluster. Check the gnt-cluster(8) man page before proceeding. Continue?';

/** `gnt-cluster master-failover [--no-voting] [--yes-do-it]`, run on the candidate that takes over. */
export async function clusterMasterFailover(opts: { voting: boolean; yesDoIt?: boolean }): Promise<void> {
  const noVoting = !opts.voting;
  // As Ganeti: declining the confirmation is exit code 1.
  if (noVoting && !opts.yesDoIt && !(await askUser(NO_VOTING_WARNING))) throw new CliExit(EXIT.FAILURE);
  const paths = ganetiPaths();
  const rpc = await RpcClient.fromPaths(paths).catch((e: unknown) => {
    throw notCluster(e);
  });
  try {
    const r = await masterFailover({
      paths,
      nodeName: (await thisNode()).name,
      noVoting,
      rpc,
      startMaster: () => startDaemon('ganeti-masterd'),
      log: (line) => process.stderr.write(`${line}\n`),
    }).catch((e: unknown) => {
      throw notCluster(e);
    });
    process.stdout.write(`Master failed over from ${r.oldMaster} to ${r.newMaster}\n`);
  } finally {
    rpc.close();
  }
}

/** No ssconf or certificates here: "not part of a cluster" (exit 5), as getmaster says it. */
function notCluster(e: unknown): unknown {
  if (e instanceof GanetiError && (e.code === 'GNT_CLUSTER_NOT_INITIALIZED' || e.code === 'GNT_CRYPTO_BAD_CERT')) {
    process.stderr.write(`This node is not part of a cluster: ${e.message}\n`);
    return new CliExit(EXIT.NOTCLUSTER);
  }
  return e;
}
