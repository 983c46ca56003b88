import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  LockAttemptTimeoutStrategy, LockManager, acquireWithRetry, lockAttemptTimeouts, raisedPriority,
} from '../../../core/locks/index.js';
import { rejectsWithCode, sleep } from './helpers.js';

describe('lock attempt timeouts', () => {
  test('the sequence is Ganeti\'s: 28 attempts, 5, 7.95, 14.18, 29.25, 72.31, then 75', () => {
    const t = lockAttemptTimeouts();
    assert.equal(t.length, 28);
    assert.deepEqual(t.slice(0, 5).map((x) => Number(x.toFixed(2))), [5, 7.95, 14.18, 29.25, 72.31]);
    assert.ok(t.slice(5).every((x) => x === 75));
    const sum = t.reduce((a, b) => a + b, 0);
    assert.ok(sum >= 1800 && sum - t[t.length - 1]! < 1800, `sum ${sum}`);
  });

  test('each timeout gets up to ±5 % jitter, in injectable units', () => {
    const low = new LockAttemptTimeoutStrategy({ random: () => 0, unitMs: 1 });
    const high = new LockAttemptTimeoutStrategy({ random: () => 0.999999, unitMs: 1000 });
    assert.equal(low.nextTimeout(), 4.75);
    assert.ok(Math.abs(high.nextTimeout()! - 5250) < 0.01);
    const s = new LockAttemptTimeoutStrategy({ unitMs: 1 });
    for (let i = 0; i < 28; i++) assert.equal(typeof s.nextTimeout(), 'number');
    assert.equal(s.exhausted, true);
    assert.equal(s.nextTimeout(), undefined, 'blocking after the sequence');
  });

  test('priority rises one step at a time, never past -20', () => {
    assert.equal(raisedPriority(0), -1);
    assert.equal(raisedPriority(-20), -20);
  });
});

describe('acquireWithRetry', () => {
  const timing = { minWait: 1, maxWait: 1, total: 3, unitMs: 1 }; // 3 attempts of ~1 ms per priority

  test('raises the priority when a sequence is used up, and blocks at -20', async () => {
    const m = new LockManager({ node: ['n1'] });
    m.tryAcquire('holder', 'node', ['n1'], 'exclusive');
    const seen: number[] = [];
    const result = await acquireWithRetry(m, 'job', 'node', ['n1'], 'exclusive', {
      priority: -18,
      timing,
      onAttemptFailed: (priority) => {
        seen.push(priority);
        assert.deepEqual(m.owned('job'), [], 'nothing is held between attempts');
        // After the -20 sequence the next attempt blocks: free the lock well after its 1 ms.
        if (seen.length === 9) setTimeout(() => m.release('holder', 'node'), 30);
      },
    });
    assert.deepEqual(seen, [-18, -18, -19, -19, -19, -20, -20, -20, -20]);
    assert.deepEqual(result, { priority: -20, attempts: 10 });
    assert.deepEqual(m.ownedNames('job', 'node'), ['n1']);
  });

  test('the raised priority is what the waiting request uses', async () => {
    const m = new LockManager({ node: ['n1'] });
    m.tryAcquire('holder', 'node', ['n1'], 'exclusive');
    const p = acquireWithRetry(m, 'job', 'node', ['n1'], 'shared', { priority: 3, timing });
    await sleep(20);
    assert.ok(m.pending()[0]!.priority < 3);
    m.release('holder', 'node');
    assert.ok((await p).priority < 3);
  });

  test('an abort ends the loop with GNT_LOCK_ABORTED and nothing held', async () => {
    const m = new LockManager({ node: ['n1', 'n2'] });
    m.tryAcquire('holder', 'node', ['n2'], 'exclusive');
    const ac = new AbortController();
    const p = acquireWithRetry(m, 'job', 'node', ['n1', 'n2'], 'exclusive', { timing: { unitMs: 1 }, signal: ac.signal });
    setTimeout(() => ac.abort(), 15);
    await rejectsWithCode(p, 'GNT_LOCK_ABORTED');
    assert.deepEqual(m.owned('job'), []);
    assert.equal(m.level('node').lock('n1')!.mode, null);
  });
});
