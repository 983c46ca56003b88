import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedLock } from '../../../core/locks/index.js';
import { rejectsWithCode, sleep, throwsCode, tick, track } from './helpers.js';

describe('SharedLock modes', () => {
  test('shared owners coexist, exclusive excludes everyone', () => {
    const l = new SharedLock('instance/a');
    assert.equal(l.tryAcquire('j1', 'shared'), true);
    assert.equal(l.tryAcquire('j2', 'shared'), true);
    assert.equal(l.mode, 'shared');
    assert.equal(l.tryAcquire('j3', 'exclusive'), false);
    l.release('j1');
    l.release('j2');
    assert.equal(l.mode, null);
    assert.equal(l.tryAcquire('j3', 'exclusive'), true);
    assert.equal(l.tryAcquire('j1', 'shared'), false);
    assert.deepEqual(l.owners(), [{ owner: 'j3', mode: 'exclusive' }]);
    assert.equal(l.isOwned('j3', 'exclusive'), true);
    assert.equal(l.isOwned('j3', 'shared'), false);
  });

  test('an uncontended acquire resolves at once with true', async () => {
    const l = new SharedLock('x');
    assert.equal(await l.acquire(1, 'exclusive'), true);
    l.release(1);
  });

  test('locks are not recursive; releasing what one does not hold is an error', () => {
    const l = new SharedLock('x');
    l.tryAcquire('a', 'shared');
    throwsCode(() => l.tryAcquire('a', 'shared'), 'GNT_LOCK_ALREADY_OWNED');
    throwsCode(() => l.release('b'), 'GNT_LOCK_NOT_OWNED');
    throwsCode(() => l.tryAcquire('c', 'both' as never), 'GNT_LOCK_REQUEST_INVALID');
  });

  test('downgrade lets queued shared requests in, not exclusive ones', async () => {
    const l = new SharedLock('x');
    l.tryAcquire('w', 'exclusive');
    const s = track(l.acquire('r', 'shared'));
    const e = track(l.acquire('e', 'exclusive'));
    await tick();
    assert.equal(s.settled, false);
    l.downgrade('w');
    await tick();
    assert.equal(s.value, true);
    assert.equal(e.settled, false);
    assert.deepEqual(l.owners().map((o) => o.owner).sort(), ['r', 'w']);
  });
});

describe('SharedLock queue', () => {
  test('exclusive waiters are served first come, first served', async () => {
    const l = new SharedLock('x');
    l.tryAcquire('holder', 'exclusive');
    const order: string[] = [];
    const waits = ['a', 'b', 'c', 'd'].map((o) => l.acquire(o, 'exclusive').then(() => { order.push(o); l.release(o); }));
    assert.equal(l.pendingCount, 4);
    l.release('holder');
    await Promise.all(waits);
    assert.deepEqual(order, ['a', 'b', 'c', 'd']);
    assert.equal(l.mode, null);
  });

  test('a shared request behind a queued exclusive one waits for it (no writer starvation)', async () => {
    const l = new SharedLock('x');
    l.tryAcquire('r0', 'shared');
    const w = track(l.acquire('w', 'exclusive'));
    assert.equal(l.tryAcquire('r1', 'shared'), false, 'lock is shared, but a writer is queued');
    const r1 = track(l.acquire('r1', 'shared'));
    await tick();
    assert.equal(r1.settled, false);
    l.release('r0');
    await tick();
    assert.equal(w.value, true);
    assert.equal(r1.settled, false);
    l.release('w');
    await tick();
    assert.equal(r1.value, true);
  });

  test('consecutive shared waiters are granted together as one batch', async () => {
    const l = new SharedLock('x');
    l.tryAcquire('w0', 'exclusive');
    const s1 = track(l.acquire('s1', 'shared'));
    const s2 = track(l.acquire('s2', 'shared'));
    const s3 = track(l.acquire('s3', 'shared'));
    const e = track(l.acquire('e', 'exclusive'));
    const s4 = track(l.acquire('s4', 'shared'));
    const s5 = track(l.acquire('s5', 'shared'));
    assert.deepEqual(l.info().pending.map((p) => [p.mode, p.owners]), [
      ['shared', ['s1', 's2', 's3']], ['exclusive', ['e']], ['shared', ['s4', 's5']],
    ]);
    l.release('w0');
    // Granted synchronously on release: the batch owns the lock before anyone else runs.
    assert.deepEqual(l.owners().map((o) => o.owner), ['s1', 's2', 's3']);
    await tick();
    assert.deepEqual([s1.value, s2.value, s3.value, e.settled, s4.settled], [true, true, true, false, false]);
    for (const o of ['s1', 's2', 's3']) l.release(o);
    await tick();
    assert.equal(e.value, true);
    assert.equal(s4.settled, false);
    l.release('e');
    await tick();
    assert.deepEqual([s4.value, s5.value], [true, true]);
    assert.equal(l.pendingCount, 0);
  });

  test('waiters are ordered by priority (lower first), FIFO within a priority', async () => {
    const l = new SharedLock('x');
    l.tryAcquire('holder', 'exclusive');
    const order: string[] = [];
    const ask = (o: string, priority: number) => l.acquire(o, 'exclusive', { priority }).then(() => { order.push(o); l.release(o); });
    const waits = [ask('p5', 5), ask('p0a', 0), ask('m3', -3), ask('p0b', 0), ask('m20', -20), ask('p19', 19)];
    l.release('holder');
    await Promise.all(waits);
    assert.deepEqual(order, ['m20', 'm3', 'p0a', 'p0b', 'p5', 'p19']);
  });

  test('a high-priority shared request is served at once if it fits the current holders', async () => {
    const l = new SharedLock('x');
    l.tryAcquire('r0', 'shared');
    const w = track(l.acquire('w', 'exclusive', { priority: 0 }));
    const r = track(l.acquire('r', 'shared', { priority: -5 }));
    await tick();
    assert.equal(r.value, true);
    assert.equal(w.settled, false);
  });

  test('priorities outside -20..19 are refused', async () => {
    const l = new SharedLock('x');
    await rejectsWithCode(l.acquire('a', 'shared', { priority: -21 }), 'GNT_LOCK_REQUEST_INVALID');
    await rejectsWithCode(l.acquire('a', 'shared', { priority: 1.5 }), 'GNT_LOCK_REQUEST_INVALID');
  });
});

describe('SharedLock timeouts, aborts and deletion', () => {
  test('a timeout resolves false and leaves nothing queued or held', async () => {
    const l = new SharedLock('x');
    l.tryAcquire('holder', 'exclusive');
    const t0 = performance.now();
    assert.equal(await l.acquire('late', 'exclusive', { timeout: 20 }), false);
    assert.ok(performance.now() - t0 >= 15);
    assert.equal(l.pendingCount, 0);
    assert.equal(l.isOwned('late'), false);
    assert.equal(await l.acquire('now', 'shared', { timeout: 0 }), false);
  });

  test('when the head of the queue times out, the shared batch behind it goes in', async () => {
    const l = new SharedLock('x');
    l.tryAcquire('r0', 'shared');
    const w = l.acquire('w', 'exclusive', { timeout: 10 });
    const r = track(l.acquire('r', 'shared'));
    assert.equal(await w, false);
    await tick();
    assert.equal(r.value, true);
  });

  test('an abort rejects with GNT_LOCK_ABORTED and removes the request', async () => {
    const l = new SharedLock('x');
    l.tryAcquire('holder', 'exclusive');
    const ac = new AbortController();
    const p = l.acquire('j', 'exclusive', { signal: ac.signal });
    const next = track(l.acquire('k', 'exclusive'));
    ac.abort(new Error('job cancelled'));
    await rejectsWithCode(p, 'GNT_LOCK_ABORTED');
    assert.equal(l.pendingCount, 1);
    l.release('holder');
    await tick();
    assert.equal(next.value, true, 'the next waiter is not blocked by the aborted one');
    await rejectsWithCode(l.acquire('z', 'shared', { signal: AbortSignal.abort() }), 'GNT_LOCK_ABORTED');
  });

  test('delete wakes every waiter with GNT_LOCK_DELETED and refuses later acquires', async () => {
    const l = new SharedLock('instance/gone');
    l.tryAcquire('owner', 'exclusive');
    const waits = [l.acquire('a', 'shared'), l.acquire('b', 'exclusive', { timeout: 5000 }), l.acquire('c', 'shared', { priority: -3 })];
    l.delete('owner');
    assert.equal(l.deleted, true);
    for (const w of waits) await rejectsWithCode(w, 'GNT_LOCK_DELETED');
    assert.equal(l.pendingCount, 0);
    await rejectsWithCode(l.acquire('d', 'shared'), 'GNT_LOCK_DELETED');
    throwsCode(() => l.tryAcquire('d', 'shared'), 'GNT_LOCK_DELETED');
  });

  test('a lock held shared, or by someone else, cannot be deleted', () => {
    const l = new SharedLock('x');
    l.tryAcquire('a', 'shared');
    throwsCode(() => l.delete('a'), 'GNT_LOCK_NOT_OWNED');
    l.release('a');
    l.tryAcquire('b', 'exclusive');
    throwsCode(() => l.delete('a'), 'GNT_LOCK_NOT_OWNED');
    l.release('b');
    l.delete(); // free: anyone may
    assert.equal(l.deleted, true);
  });

  test('info lists owners and the queue for gnt-debug locks', async () => {
    const l = new SharedLock('node/n1');
    l.tryAcquire('j1', 'exclusive');
    const w = l.acquire('j2', 'shared', { timeout: 50 });
    assert.deepEqual(l.info(), {
      name: 'node/n1', mode: 'exclusive', owners: [{ owner: 'j1', mode: 'exclusive' }],
      pending: [{ mode: 'shared', priority: 0, owners: ['j2'] }],
    });
    await sleep(1);
    l.release('j1');
    assert.equal(await w, true);
  });
});
