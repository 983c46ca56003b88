import { performance } from 'node:perf_hooks';
import { ALL, BGL, LockManager, LockSet, SharedLock } from '../../core/locks/index.js';
import { median, report } from './stats.js';

// Lock manager figures (this 2-core machine; Ganeti's Python in parentheses):
// - uncontended acquire+release of one SharedLock: >= 1,000,000/s (Ganeti ~200,000/s)
// - 8 owners handing one exclusive lock over to each other: >= 200,000 handovers/s
// - a LockSet of 1,000 names acquired and released uncontended: >= 5,000/s (Ganeti ~250/s)
const RUNS = Number(process.env['BENCH_RUNS'] ?? 15);

/** Times `RUNS` batches (after two warm-up batches) and prints ms per batch and ops/s. */
async function bench(name: string, opsPerBatch: number, target: string, batch: () => void | Promise<void>): Promise<void> {
  const samples: number[] = [];
  for (let i = 0; i < RUNS + 2; i++) {
    const t0 = performance.now();
    await batch();
    const dt = performance.now() - t0;
    if (i >= 2) samples.push(dt);
  }
  report(`${name} (${opsPerBatch.toLocaleString('en')} per batch)`, samples, target);
  const rate = (opsPerBatch / median(samples)) * 1000;
  process.stdout.write(`${''.padEnd(4)}=> ${Math.round(rate).toLocaleString('en')}/s (median)\n`);
}

// 1. Uncontended, synchronous fast path and the promise-returning acquire.
{
  const lock = new SharedLock('cluster/BGL');
  const N = 2_000_000;
  const owner = { job: 1 };
  await bench('SharedLock tryAcquire+release, exclusive', N, '>= 1,000,000/s', () => {
    for (let i = 0; i < N; i++) {
      lock.tryAcquire(owner, 'exclusive');
      lock.release(owner);
    }
  });
  await bench('SharedLock tryAcquire+release, shared', N, '>= 1,000,000/s', () => {
    for (let i = 0; i < N; i++) {
      lock.tryAcquire(owner, 'shared');
      lock.release(owner);
    }
  });
  // The path a job takes for the BGL: level-order check, set lock, element lock.
  const manager = new LockManager();
  const K = 1_000_000;
  await bench('LockManager tryAcquire+release of cluster/BGL', K, '>= 1,000,000/s', () => {
    for (let i = 0; i < K; i++) {
      manager.tryAcquire(owner, 'cluster', [BGL], 'shared');
      manager.release(owner, 'cluster');
    }
  });
  const M = 500_000;
  await bench('SharedLock await acquire()+release', M, '>= 1,000,000/s', async () => {
    for (let i = 0; i < M; i++) {
      await lock.acquire(owner, 'exclusive');
      lock.release(owner);
    }
  });
}

// 2. Eight owners contending: every grant is a handover through the queue.
{
  const OWNERS = 8;
  const PER_OWNER = 25_000;
  const lock = new SharedLock('instance/contended');
  await bench(`SharedLock handovers, ${OWNERS} owners`, OWNERS * PER_OWNER, '>= 200,000/s', async () => {
    const worker = async (me: number) => {
      for (let i = 0; i < PER_OWNER; i++) {
        await lock.acquire(me, 'exclusive');
        lock.release(me);
      }
    };
    await Promise.all(Array.from({ length: OWNERS }, (_, i) => worker(i)));
  });
}

// 3. A set of 1,000 names, uncontended.
{
  const names = Array.from({ length: 1000 }, (_, i) => `node-${String(i).padStart(4, '0')}-uuid`);
  const set = new LockSet('node', names);
  const K = 2000;
  await bench('LockSet 1,000 names: ALL exclusive', K, '>= 5,000/s', () => {
    for (let i = 0; i < K; i++) {
      set.tryAcquire('job', ALL, 'exclusive');
      set.release('job');
    }
  });
  await bench('LockSet 1,000 names: await acquire(list), exclusive', K, '>= 5,000/s', async () => {
    for (let i = 0; i < K; i++) {
      await set.acquire('job', names, 'exclusive');
      set.release('job');
    }
  });
  await bench('LockSet 1,000 names: await acquire(list), shared', K, '>= 5,000/s', async () => {
    for (let i = 0; i < K; i++) {
      await set.acquire('job', names, 'shared');
      set.release('job');
    }
  });
  const shuffled = [...names].reverse();
  await bench('LockSet 1,000 names: unsorted list, exclusive', K, '>= 5,000/s', async () => {
    for (let i = 0; i < K; i++) {
      await set.acquire('job', shuffled, 'exclusive');
      set.release('job');
    }
  });
}
