import type { OpId, OpOf } from './opcodes/definitions.js';
import type { UnitClass } from './logical-unit.js';
import { TestDelayUnit } from './units/test-delay.js';
import { ClusterQueryUnit } from './units/cluster-query.js';
import { ClusterVerifyUnit } from './units/cluster-verify.js';
import { ClusterRedistConfUnit } from './units/cluster-redist-conf.js';
import { ClusterSetParamsUnit } from './units/cluster-set-params.js';
import { ClusterDestroyUnit } from './units/cluster-destroy.js';

/** Every opcode's logical unit; the compiler refuses an opcode without one. */
export const UNIT_TABLE: { readonly [K in OpId]: UnitClass<OpOf<K>> } = Object.freeze({
  OP_TEST_DELAY: TestDelayUnit,
  OP_CLUSTER_QUERY: ClusterQueryUnit,
  OP_CLUSTER_VERIFY: ClusterVerifyUnit,
  OP_CLUSTER_REDIST_CONF: ClusterRedistConfUnit,
  OP_CLUSTER_SET_PARAMS: ClusterSetParamsUnit,
  OP_CLUSTER_DESTROY: ClusterDestroyUnit,
});
