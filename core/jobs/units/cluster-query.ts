import { GanetiError } from '../../errors/index.js';
import { LogicalUnit } from '../logical-unit.js';
import type { OpClusterQuery } from '../opcodes/definitions.js';
import { clusterInfo } from '../cluster-info.js';

/** OP_CLUSTER_QUERY: the cluster's information (RAPI /2/info, QueryClusterInfo). */
export class ClusterQueryUnit extends LogicalUnit<OpClusterQuery> {
  override readonly requiresBgl = false;

  async exec(): Promise<Record<string, unknown>> {
    if (!this.ctx.config) throw new GanetiError('GNT_CLUSTER_NOT_INITIALIZED', {});
    return clusterInfo(this.ctx.config.data);
  }
}
