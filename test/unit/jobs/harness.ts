import { PluginHost } from '../../../core/plugin-host/index.js';
import { ganetiPaths, type GanetiPaths } from '../../../core/paths.js';
import { memoryLogger } from '../../../core/log.js';
import { LockManager, type RetryTiming } from '../../../core/locks/index.js';
import { JobQueue } from '../../../core/jobs/queue.js';
import { QueueStore } from '../../../core/jobs/queue-store.js';
import { Processor } from '../../../core/jobs/processor.js';
import { lockingService } from '../../../core/jobs/locking.js';

/** Lock attempts in milliseconds instead of seconds: 5, 7.95, ... ms, 1.8 s per priority step. */
export const FAST_LOCKS: RetryTiming = { unitMs: 1 };

export interface QueueHarness {
  readonly paths: GanetiPaths;
  readonly host: PluginHost;
  readonly locks: LockManager;
  readonly queue: JobQueue;
  readonly log: ReturnType<typeof memoryLogger>;
}

/** A real queue (files under `root`), real locks, real processor; no daemon around it. */
export async function queueHarness(root: string, o: { maxRunning?: number; host?: PluginHost; timing?: RetryTiming } = {}): Promise<QueueHarness> {
  const paths = ganetiPaths(root);
  const log = memoryLogger();
  const host = o.host ?? new PluginHost({ paths, logFor: () => log });
  const locks = new LockManager();
  const processor = new Processor(host, lockingService(locks, o.timing ?? FAST_LOCKS), () => null);
  const queue = new JobQueue({ store: new QueueStore(paths, log), processor, host, log, maxRunning: o.maxRunning ?? 20 });
  await queue.open();
  return { paths, host, locks, queue, log };
}

export const delay = (duration: number, extra: Record<string, unknown> = {}) => ({ OP_ID: 'OP_TEST_DELAY', duration, ...extra });

export const waitFor = async (cond: () => boolean, timeoutMs = 5000): Promise<void> => {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};
