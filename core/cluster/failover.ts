import { readFile } from 'node:fs/promises';
import { GanetiError, describeError } from '../errors/index.js';
import type { GanetiPaths } from '../paths.js';
import { ConfigStore, niceSort } from '../config/index.js';
import type { RpcClient, RpcNode } from '../rpc/index.js';
import { runningMasterd } from '../node/master-role.js';
import { distributeConfig, NODED_PORT } from './distribute.js';

/**
 * `gnt-cluster master-failover` (Ganeti's bootstrap.MasterFailover), run on the master
 * candidate that is to become the master, without a master daemon: it works from this node's
 * ssconf and config.data replica and talks to the other node daemons with this node's client
 * certificate (every candidate's certificate is accepted by every node).
 *
 * 1. This node must not be the master and must be a master candidate.
 * 2. Voting (unless `noVoting`): every other online node answers master_node_name; the name
 *    with most votes (unreachable nodes vote "none") must be the master this node believes
 *    in, and it needs at least half of the votes (Ganeti's masterd agreement rule). Offline
 *    nodes do not vote.
 * 3. No other reachable master candidate may have a newer config.data (a higher serial than
 *    this node's): failing over would lose its changes.
 * 4. The old master's daemon is stopped (node_stop_master), if its node answers.
 * 5. This node's config.data gets `master_node` = this node, is written and distributed
 *    (ssconf to every node, config.data to the candidates).
 * 6. ganeti-masterd is started here (`startMaster`).
 */

export interface FailoverOptions {
  readonly paths: GanetiPaths;
  /** This node's name (GANETI_HOSTNAME or the host name). */
  readonly nodeName: string;
  readonly noVoting: boolean;
  readonly rpc: RpcClient;
  /** Starts ganeti-masterd on this node; resolves once it answers. */
  readonly startMaster: () => Promise<void>;
  /** Warnings and progress, one line each. */
  readonly log?: (line: string) => void;
  readonly port?: number;
}

export interface FailoverResult {
  readonly oldMaster: string;
  readonly newMaster: string;
  /** Problems that did not stop the failover (an unreachable old master, a node not updated). */
  readonly warnings: readonly string[];
}

interface SsconfView {
  readonly master: string;
  readonly nodes: readonly string[];
  readonly candidates: readonly string[];
  readonly offline: ReadonlySet<string>;
  readonly ips: ReadonlyMap<string, string>;
  readonly clusterName: string;
}

async function readSsconf(paths: GanetiPaths): Promise<SsconfView> {
  const read = async (key: string) => {
    try {
      return (await readFile(paths.ssconf(key), 'utf8')).split('\n').map((l) => l.trim()).filter(Boolean);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new GanetiError('GNT_CLUSTER_NOT_INITIALIZED', {}, { cause: e });
      throw e;
    }
  };
  const [master, nodes, candidates, offline, ips, name] = await Promise.all(
    ['master_node', 'node_list', 'master_candidates', 'offline_nodes', 'node_primary_ips', 'cluster_name'].map(read),
  );
  if (!master?.[0]) throw new GanetiError('GNT_CLUSTER_NOT_INITIALIZED', {});
  return {
    master: master[0],
    nodes: nodes!,
    candidates: candidates!,
    offline: new Set(offline),
    ips: new Map(ips!.map((l) => l.split(/\s+/) as [string, string])),
    clusterName: name![0] ?? '',
  };
}

/** Votes per name (null: no answer), best first: most votes, then by name with "none" last. */
export function tallyVotes(votes: readonly (string | null)[]): [string | null, number][] {
  const counts = new Map<string | null, number>();
  for (const v of votes) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] === null ? 1 : b[0] === null ? -1 : b[0].localeCompare(a[0])));
}

const configSerial = async (file: string): Promise<number> => {
  const data = JSON.parse(await readFile(file, 'utf8')) as { serial_no?: unknown };
  if (typeof data.serial_no !== 'number') throw new GanetiError('GNT_CONFIG_CORRUPT', { file, problem: 'it has no serial_no' });
  return data.serial_no;
};

export async function masterFailover(o: FailoverOptions): Promise<FailoverResult> {
  const log = o.log ?? (() => undefined);
  const warnings: string[] = [];
  const warn = (line: string) => {
    warnings.push(line);
    log(`WARNING: ${line}`);
  };
  const ss = await readSsconf(o.paths);
  const me = o.nodeName;
  const old = ss.master;
  if (me === old) throw new GanetiError('GNT_FAILOVER_ALREADY_MASTER', { node: old });
  if (!ss.candidates.includes(me)) throw new GanetiError('GNT_FAILOVER_NOT_CANDIDATE', { node: me, candidates: ss.candidates.filter((n) => n !== old).join('\n') });
  // Two master daemons on one node would fight over config.data: refuse before touching anything.
  const local = await runningMasterd(o.paths);
  if (local !== null) throw new GanetiError('GNT_FAILOVER_FAILED', { step: 'checking this node', reason: `a master daemon already runs here (pid ${local}); stop it first` });
  const rpcNode = (name: string): RpcNode => ({ name, address: ss.ips.get(name) ?? name, port: o.port ?? NODED_PORT, offline: ss.offline.has(name) });

  if (!o.noVoting) {
    const voters = niceSort(ss.nodes.filter((n) => n !== me && !ss.offline.has(n)));
    if (voters.length > 0) {
      const results = await o.rpc.call<string>('master_node_name', voters.map(rpcNode), []);
      for (const r of results) if (!r.success) warn(`error contacting node ${r.node}: ${r.error}`);
      const ranked = tallyVotes(results.map((r) => (r.success && typeof r.payload === 'string' ? r.payload : null)));
      const [top, count] = ranked[0]!;
      const detail = ranked.map(([n, c]) => `${n ?? 'no answer'}: ${c}`).join(', ');
      if (top === null || count * 2 < voters.length) throw new GanetiError('GNT_FAILOVER_NO_QUORUM', { detail });
      if (top !== old) throw new GanetiError('GNT_FAILOVER_WRONG_MASTER', { mine: old, voted: top });
    }
  }

  // Another candidate with a newer config.data would lose its changes: refuse.
  const mine = await configSerial(o.paths.configData);
  const newerCandidate = async (names: readonly string[]): Promise<{ name: string; serial: number } | null> => {
    if (names.length === 0) return null;
    const results = await o.rpc.call<Record<string, unknown>>('node_verify', names.map(rpcNode), [{ config_serial: null }, ss.clusterName, {}]);
    for (const r of results) {
      if (!r.success) {
        warn(`cannot compare the configuration of master candidate ${r.node}: ${r.error}`);
        continue;
      }
      const serial = r.payload?.['config_serial'];
      if (typeof serial === 'number' && serial > mine) return { name: r.node, serial };
    }
    return null;
  };
  const otherCandidates = niceSort(ss.candidates.filter((n) => n !== me && !ss.offline.has(n)));
  const newer = await newerCandidate(otherCandidates);
  if (newer) throw new GanetiError('GNT_FAILOVER_STALE_CONFIG', { node: me, candidate: newer.name, mine: String(mine), theirs: String(newer.serial) });

  log(`Stopping the master daemon on node ${old}`);
  if (!ss.offline.has(old)) {
    const stop = await o.rpc.callNode('node_stop_master', rpcNode(old), []);
    if (!stop.success) warn(`could not disable the master role on the old master ${old}, please disable it manually: ${stop.error}`);
    else {
      // The old master may have written the config between our check and its stop.
      const late = await newerCandidate([old]);
      if (late) {
        const restart = await o.rpc.callNode('node_start_master_daemons', rpcNode(old), [false]);
        if (!restart.success) warn(`could not restart the master daemon on ${old}: ${restart.error}`);
        throw new GanetiError('GNT_FAILOVER_STALE_CONFIG', { node: me, candidate: old, mine: String(mine), theirs: String(late.serial) });
      }
    }
  }

  log(`Setting master to ${me}, old master: ${old}`);
  let store: ConfigStore | undefined;
  try {
    store = await ConfigStore.open(o.paths);
    const meNode = Object.values(store.data.nodes).find((n) => n.name === me);
    if (!meNode) throw new GanetiError('GNT_CONFIG_UNKNOWN_OBJECT', { kind: 'node', id: me });
    await store.update((txn) => {
      txn.cluster().master_node = meNode.uuid;
    });
    const r = await distributeConfig(o.paths, o.rpc, store.data, o.port ?? NODED_PORT);
    for (const f of [...r.ssconf, ...r.config]) if (!f.success && !f.offline) warn(`configuration not sent to ${f.node}: ${f.error}`);
  } catch (e) {
    throw e instanceof GanetiError && e.code !== 'GNT_CONFIG_LOCKED' ? e : new GanetiError('GNT_FAILOVER_FAILED', { step: 'writing the configuration', reason: describeError(e) }, { cause: e });
  } finally {
    await store?.close();
  }

  log(`Starting the master daemon on ${me}`);
  try {
    await o.startMaster();
  } catch (e) {
    throw new GanetiError('GNT_FAILOVER_FAILED', { step: `starting the master daemon on ${me}`, reason: describeError(e) }, { cause: e });
  }
  return { oldMaster: old, newMaster: me, warnings };
}
