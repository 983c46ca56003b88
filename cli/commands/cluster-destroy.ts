import { readFile } from 'node:fs/promises';
import { ganetiPaths } from '../../core/paths.js';
import { RpcClient, type RpcNode } from '../../core/rpc/index.js';
import { submitAndWait, type OpcodeOptions } from '../common/luxi.js';
import { CliExit } from '../common/program.js';
import { EXIT } from '../common/exit-codes.js';

/**
 * `gnt-cluster destroy --yes-do-it`: OP_CLUSTER_DESTROY (refused while other nodes or
 * instances exist), then, as Ganeti's FinalizeClusterDestroy, the master's node daemon stops
 * the master daemon (node_stop_master) and leaves the cluster (node_leave_cluster: the
 * cluster's files are removed and the node daemon exits). Failures of these last steps are
 * warnings, as in Ganeti.
 */
export async function clusterDestroy(o: OpcodeOptions & { yesDoIt?: boolean }): Promise<void> {
  if (!o.yesDoIt) {
    process.stderr.write('Destroying a cluster is irreversible. If you really want destroy this cluster, supply the --yes-do-it option.\n');
    throw new CliExit(EXIT.FAILURE);
  }
  const paths = ganetiPaths();
  await submitAndWait([{ OP_ID: 'OP_CLUSTER_DESTROY' }], o, { binary: 'gnt-cluster', command: 'destroy' });
  // The master is this node: its name and address from ssconf, read before they are removed.
  const ssconf = async (key: string) => (await readFile(paths.ssconf(key), 'utf8')).trim();
  const name = await ssconf('master_node');
  const ip = (await ssconf('node_primary_ips')).split('\n').map((l) => l.split(/\s+/)).find(([n]) => n === name)?.[1] ?? name;
  const master: RpcNode = { name, address: ip };
  const rpc = await RpcClient.fromPaths(paths);
  try {
    const stop = await rpc.callNode('node_stop_master', master, []);
    if (!stop.success) process.stderr.write(`WARNING: Could not disable the master role: ${stop.error}\n`);
    const leave = await rpc.callNode('node_leave_cluster', master, [false]);
    if (!leave.success) process.stderr.write(`WARNING: Could not shutdown the node daemon and cleanup the node: ${leave.error}\n`);
  } finally {
    rpc.close();
  }
}
