import { readFile, rename, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import type { Logger } from '../contracts/context.js';
import type { PluginHost } from '../plugin-host/host.js';
import type { GanetiPaths } from '../paths.js';
import { GanetiError } from '../errors/index.js';
import { ConfigStore } from '../config/index.js';
import { LockManager, formatLocksData, locksDataOf, parseLocksData, type ClientId, type RetryTiming } from '../locks/index.js';
import { JobQueue } from '../jobs/queue.js';
import { QueueStore } from '../jobs/queue-store.js';
import { Processor } from '../jobs/processor.js';
import { lockingService } from '../jobs/locking.js';
import { clusterInfo } from '../jobs/cluster-info.js';
import type { LuxiHandlers } from '../luxi/methods.js';
import { luxiHandlers } from './masterd-luxi.js';
import { RpcClient } from '../rpc/index.js';
import { callTableFor } from '../rpc/plugin-calls.js';
import { distributeConfig, distributor } from '../cluster/distribute.js';

export interface MasterdOptions {
  readonly paths: GanetiPaths;
  readonly host: PluginHost;
  readonly log: Logger;
  /** Lock retry timing (tests shorten Ganeti's 5..75 s attempts). */
  readonly lockTiming?: RetryTiming;
  readonly maxRunning?: number;
  /** How often locks.data is refreshed while locks change (ms). */
  readonly locksDataIntervalMs?: number;
}

export interface Masterd {
  readonly queue: JobQueue;
  readonly locks: LockManager;
  readonly config: ConfigStore | null;
  readonly handlers: LuxiHandlers;
  /** What recovery found: jobs on disk, re-queued, lost; lock owners of the dead master freed. */
  readonly recovery: { jobs: number; requeued: number; lost: number; staleLockOwners: number };
  /** Sends ssconf and config.data to the nodes now (`gnt-cluster redist-conf`). */
  redistribute(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Builds the master daemon's state without listening (the CLI entry point listens): the
 * config store (if the cluster exists), the lock manager, the job queue with its processor,
 * and the LUXI handler table. Recovers after a crash: jobs that were running fail, queued
 * ones run, and the lock owners recorded in locks.data (all of the dead process) are freed.
 */
export async function buildMasterd(o: MasterdOptions): Promise<Masterd> {
  const config = existsSync(o.paths.configData) ? await ConfigStore.open(o.paths) : null;
  if (config) config.onWritten((snap) => o.host.hooks.configWritten.call(snap));
  // Every durable write reaches the other nodes: ssconf to all, config.data to candidates.
  // One node RPC client, created on first use, for config distribution and the jobs.
  let rpc: RpcClient | undefined;
  let rpcOpening: Promise<RpcClient> | undefined;
  const getRpc = (): Promise<RpcClient> =>
    (rpcOpening ??= RpcClient.fromPaths(o.paths, { calls: callTableFor(o.host) }).then(
      (c) => (rpc = c),
      (e: unknown) => {
        rpcOpening = undefined;
        throw e;
      },
    ));
  const distribution = config ? distributor(async () => distributeConfig(o.paths, await getRpc(), config.data), o.log) : null;
  if (config && distribution) config.onWritten(() => distribution.schedule());
  // An upgraded (2.16/3.0) file has no serialised form yet: build it before serving, so the
  // first job that writes the config does not pay for serialising all of it.
  await config?.whenPrewarmed();
  const locks = new LockManager();
  const staleLockOwners = await freeDeadOwners(o.paths, o.log);
  const processor = new Processor(o.host, lockingService(locks, o.lockTiming), () => (config ? { get data() { return config.data; }, update: (m) => config.update(m) } : null), getRpc);
  const queue = new JobQueue({
    store: new QueueStore(o.paths, o.log),
    processor,
    host: o.host,
    log: o.log,
    maxRunning: o.maxRunning ?? (config ? Number((config.data.cluster as { max_running_jobs?: number }).max_running_jobs ?? 20) : 20),
  });
  processor.submitJobs = async (jobs) => (await queue.submitMany(jobs as unknown[])).map((r) => [r[0], r[1]] as [true, number] | [false, string]);
  const found = await queue.open();
  // gnt-cluster modify --max-running-jobs takes effect at once
  config?.onWritten((snap) => queue.setMaxRunning(Number((snap.data.cluster as { max_running_jobs?: number }).max_running_jobs ?? 20)));
  const stopLocksData = persistLocksData(o.paths, locks, o.log, o.locksDataIntervalMs ?? 250);
  const handlers = luxiHandlers({
    queue,
    locks,
    config,
    clusterInfo: () => {
      if (!config) throw new GanetiError('GNT_CLUSTER_NOT_INITIALIZED', {});
      return clusterInfo(config.data);
    },
    nodeLive: { rpc: getRpc, host: o.host, paths: o.paths },
    host: o.host,
  });
  return {
    queue,
    locks,
    config,
    handlers,
    recovery: { ...found, staleLockOwners },
    redistribute() {
      distribution?.schedule();
      return distribution?.idle() ?? Promise.resolve();
    },
    async stop() {
      await queue.close();
      await stopLocksData();
      await distribution?.idle();
      rpc?.close();
      await config?.close();
    },
  };
}

/** Reads the previous master's locks.data: every owner in it belonged to the dead process. */
async function freeDeadOwners(paths: GanetiPaths, log: Logger): Promise<number> {
  let text: string;
  try {
    text = await readFile(paths.locksData, 'utf8');
  } catch {
    return 0;
  }
  try {
    const [allocation] = parseLocksData(text);
    for (const [client, held] of allocation) log.warn(`freed ${held.length} lock(s) of dead owner ${JSON.stringify(client)}`);
    return allocation.length;
  } catch (e) {
    log.error(`ignoring unreadable ${paths.locksData}: ${(e as Error).message}`);
    return 0;
  }
}

/** Keeps locks.data (Ganeti's `[allocation, pending]`) current, written atomically when it changes. */
function persistLocksData(paths: GanetiPaths, locks: LockManager, log: Logger, intervalMs: number): () => Promise<void> {
  let last = '';
  let writing = Promise.resolve();
  // Owners are job ids; Ganeti writes a job's ClientId as [job id (a number), livelock, pid].
  const clientId = (owner: unknown): ClientId => [typeof owner === 'number' ? owner : String(owner), `${paths.runDir}/livelocks/masterd`, process.pid];
  const write = () => {
    const text = formatLocksData(locksDataOf(locks, clientId));
    if (text === last) return writing;
    last = text;
    writing = writing
      .then(async () => {
        await writeFile(`${paths.locksData}.tmp`, text, { mode: 0o640 });
        await rename(`${paths.locksData}.tmp`, paths.locksData);
      })
      .catch((e: unknown) => log.error(`cannot write ${paths.locksData}: ${(e as Error).message}`));
    return writing;
  };
  void write();
  const timer = setInterval(() => void write(), intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await write();
  };
}
