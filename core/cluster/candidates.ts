import type { ConfigTxn, DeepReadonly, FrozenConfig, Node } from '../config/index.js';
import { niceSortBy } from '../config/index.js';

/**
 * The master candidate pool (Ganeti's GetMasterCandidateStats, _DecideSelfPromotion and
 * MaintainCandidatePool). Candidates hold config.data and may become master; the cluster
 * keeps `candidate_pool_size` of them when enough nodes can be. A node can be a candidate
 * when it is master_capable and neither offline nor drained. `cluster.candidate_certs`
 * (node UUID → SHA1 digest of its client certificate) lists exactly the candidates and the
 * master: node daemons accept RPC only from those certificates (ssconf master_candidates_certs).
 */

type NodeView = DeepReadonly<Node>;

export interface CandidateStats {
  /** Candidates now (the master counts: it is always one). */
  readonly now: number;
  /** How many there should be: min(pool size, nodes that could be candidates). */
  readonly should: number;
  /** Nodes that could be candidates. */
  readonly max: number;
}

/** Whether a node may be a master candidate at all. */
export const canBeCandidate = (n: Pick<NodeView, 'master_capable' | 'offline' | 'drained'>): boolean => n.master_capable && !n.offline && !n.drained;

/** The pool as it stands, leaving out the nodes in `except` (as if they were gone). */
export function candidateStats(data: FrozenConfig, except: readonly string[] = []): CandidateStats {
  let now = 0;
  let max = 0;
  for (const n of Object.values(data.nodes)) {
    if (except.includes(n.uuid)) continue;
    if (n.master_candidate) now++;
    if (canBeCandidate(n)) max++;
  }
  return { now, should: Math.min(max, data.cluster.candidate_pool_size), max };
}

/**
 * Whether a node that is (re)joining the pool's possible members should promote itself:
 * with it, the pool may hold one more (Ganeti's _DecideSelfPromotion).
 */
export function shouldSelfPromote(data: FrozenConfig, except: readonly string[] = []): boolean {
  const s = candidateStats(data, except);
  return s.now < Math.min(s.should + 1, data.cluster.candidate_pool_size);
}

/**
 * The nodes that would fill the pool once the nodes in `except` are gone or demoted, with
 * `changed` applied to the nodes first (a change not committed yet): nice-sorted by name, as
 * many as the pool lacks. The caller promotes them and records their certificate digests.
 */
export function nodesToPromote(data: FrozenConfig, except: readonly string[] = [], changed: Readonly<Record<string, Partial<Node>>> = {}): NodeView[] {
  const nodes = Object.values(data.nodes).map((n) => ({ ...n, ...(changed[n.uuid] ?? {}) }) as NodeView);
  const view = { ...data, nodes: Object.fromEntries(nodes.map((n) => [n.uuid, n])) } as FrozenConfig;
  const stats = candidateStats(view, except);
  const spare = niceSortBy(nodes.filter((n) => !except.includes(n.uuid) && !n.master_candidate && canBeCandidate(n)), (n) => n.name);
  return spare.slice(0, Math.max(0, stats.should - stats.now));
}

/** Makes a node a candidate (or not) and keeps candidate_certs in step. */
export function setCandidate(txn: ConfigTxn, nodeUuid: string, digest: string | null): void {
  const n = txn.edit('nodes', nodeUuid);
  n.master_candidate = digest !== null;
  setCandidateCert(txn, nodeUuid, digest);
}

/** Grants (digest) or revokes (null) a node's RPC privileges of a candidate. */
export function setCandidateCert(txn: ConfigTxn, nodeUuid: string, digest: string | null): void {
  const current = txn.data.cluster.candidate_certs[nodeUuid];
  if ((current ?? null) === digest) return;
  const c = txn.cluster();
  if (digest === null) delete c.candidate_certs[nodeUuid];
  else c.candidate_certs[nodeUuid] = digest;
}
