import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL, LockSet, type LockMode } from '../../../core/locks/index.js';
import { rejectsWithCode, sleep, throwsCode, tick, track } from './helpers.js';

const names = (n: number) => Array.from({ length: n }, (_, i) => `n${String(i).padStart(3, '0')}`);

describe('LockSet acquisition', () => {
  test('acquires a list of names, sorted and deduplicated, and releases some or all', async () => {
    const s = new LockSet('node', ['c', 'a', 'b', 'd']);
    assert.deepEqual(s.names(), ['a', 'b', 'c', 'd']);
    assert.equal(await s.acquire('j', ['d', 'b', 'b'], 'exclusive'), true);
    assert.deepEqual(s.ownedNames('j'), ['b', 'd']);
    assert.deepEqual(s.owned('j'), [['node/b', 'exclusive'], ['node/d', 'exclusive']]);
    assert.equal(s.setLock.isOwned('j', 'shared'), true, 'an element owner holds the set lock shared');
    s.release('j', ['b']);
    assert.deepEqual(s.ownedNames('j'), ['d']);
    s.release('j');
    assert.equal(s.holds('j'), false);
    assert.equal(s.setLock.mode, null);
    throwsCode(() => s.release('j'), 'GNT_LOCK_NOT_OWNED');
  });

  test('unknown names are refused before anything is taken', async () => {
    const s = new LockSet('node', ['a']);
    await rejectsWithCode(s.acquire('j', ['a', 'zz'], 'shared'), 'GNT_LOCK_DELETED');
    assert.equal(s.holds('j'), false);
    assert.equal(s.setLock.mode, null);
  });

  test('one acquisition per owner and set', async () => {
    const s = new LockSet('node', ['a', 'b']);
    s.tryAcquire('j', ['a'], 'shared');
    await rejectsWithCode(s.acquire('j', ['b'], 'shared'), 'GNT_LOCK_ALREADY_OWNED');
  });

  test('ALL exclusive owns every element and keeps element requests out', async () => {
    const s = new LockSet('instance', ['i1', 'i2']);
    assert.equal(s.tryAcquire('big', ALL, 'exclusive'), true);
    assert.equal(s.holdsAll('big', 'exclusive'), true);
    assert.deepEqual(s.owned('big'), [['instance/[lockset]', 'exclusive'], ['instance/i1', 'exclusive'], ['instance/i2', 'exclusive']]);
    const small = track(s.acquire('small', ['i2'], 'shared'));
    await tick();
    assert.equal(small.settled, false);
    s.release('big');
    assert.equal(await small.promise, true);
  });

  test('ALL exclusive queues behind element holders and is not overtaken by later ones', async () => {
    const s = new LockSet('instance', ['i1', 'i2']);
    s.tryAcquire('a', ['i1'], 'shared');
    const big = track(s.acquire('big', ALL, 'exclusive'));
    const late = track(s.acquire('late', ['i2'], 'shared'));
    await tick();
    assert.deepEqual([big.settled, late.settled], [false, false]);
    s.release('a');
    await tick();
    assert.equal(big.value, true);
    assert.equal(late.settled, false);
    s.release('big');
    await tick();
    assert.equal(late.value, true);
  });

  test('ALL shared coexists with element sharers', async () => {
    const s = new LockSet('node', ['a', 'b']);
    assert.equal(await s.acquire('all', ALL, 'shared'), true);
    assert.equal(await s.acquire('one', ['b'], 'shared', { timeout: 0 }), true);
    assert.equal(await s.acquire('x', ['a'], 'exclusive', { timeout: 0 }), false);
  });

  test('a timed-out attempt releases whatever it took', async () => {
    const s = new LockSet('instance', ['inst1', 'inst2', 'inst3', 'inst4']);
    s.tryAcquire('A', ['inst4'], 'exclusive');
    assert.equal(await s.acquire('B', ['inst1', 'inst2', 'inst3', 'inst4'], 'exclusive', { timeout: 20 }), false);
    assert.equal(s.engaged('B'), false);
    for (const n of ['inst1', 'inst2', 'inst3']) assert.equal(s.lock(n)!.mode, null, n);
    assert.deepEqual(s.setLock.owners(), [{ owner: 'A', mode: 'shared' }]);
    assert.equal(await s.acquire('B', ALL, 'exclusive', { timeout: 10 }), false);
    assert.deepEqual(s.setLock.owners(), [{ owner: 'A', mode: 'shared' }]);
  });

  test('timeout 0 takes all or nothing without waiting', async () => {
    const s = new LockSet('node', ['a', 'b']);
    s.tryAcquire('A', ['b'], 'exclusive');
    assert.equal(await s.acquire('B', ['a', 'b'], 'exclusive', { timeout: 0 }), false);
    assert.equal(s.lock('a')!.mode, null);
  });

  test('an abort while waiting releases what the attempt took', async () => {
    const s = new LockSet('node', ['a', 'b']);
    s.tryAcquire('A', ['b'], 'exclusive');
    const ac = new AbortController();
    const p = s.acquire('B', ['a', 'b'], 'exclusive', { signal: ac.signal });
    await tick();
    assert.equal(s.lock('a')!.isOwned('B'), true);
    ac.abort();
    await rejectsWithCode(p, 'GNT_LOCK_ABORTED');
    assert.equal(s.lock('a')!.mode, null);
    assert.equal(s.engaged('B'), false);
  });

  test('opportunistic acquisition takes the free subset', () => {
    const s = new LockSet('node', ['a', 'b', 'c']);
    s.tryAcquire('A', ['b'], 'exclusive');
    assert.deepEqual(s.acquireOpportunistic('B', ['c', 'b', 'a'], 'exclusive'), ['a', 'c']);
  });

  test('downgrade of a whole-set holding lets sharers in', async () => {
    const s = new LockSet('node', ['a', 'b']);
    s.tryAcquire('A', ALL, 'exclusive');
    const r = track(s.acquire('R', ['a'], 'shared'));
    s.downgrade('A');
    await tick();
    assert.equal(r.value, true);
    assert.equal(s.holdsAll('A', 'shared'), true);
  });
});

describe('LockSet adding and removing', () => {
  test('removal deletes the locks and wakes their waiters with GNT_LOCK_DELETED', async () => {
    const s = new LockSet('instance', ['x', 'y']);
    s.tryAcquire('A', ['x'], 'exclusive');
    const b = s.acquire('B', ['x', 'y'], 'shared');
    await tick();
    assert.deepEqual(await s.remove(['x', 'nope'], { owner: 'A' }), ['x']);
    await rejectsWithCode(b, 'GNT_LOCK_DELETED');
    assert.equal(s.engaged('B'), false, 'B keeps nothing, not even the set lock');
    assert.equal(s.has('x'), false);
    assert.equal(s.holds('A'), false, 'A held only x');
    assert.equal(s.setLock.mode, null);
  });

  test('removal waits for the holders of the locks it removes', async () => {
    const s = new LockSet('instance', ['x']);
    s.tryAcquire('A', ['x'], 'shared');
    const r = track(s.remove(['x']));
    await tick();
    assert.equal(r.settled, false);
    s.release('A');
    assert.deepEqual(await r.promise, ['x']);
  });

  test('a whole-set acquisition skips locks removed while it waits', async () => {
    const s = new LockSet('instance', ['a', 'b', 'c']);
    s.tryAcquire('A', ['b'], 'exclusive');
    const all2 = s.acquire('ALL', ALL, 'shared');
    await tick();
    assert.deepEqual(await s.remove(['b'], { owner: 'A' }), ['b']);
    assert.equal(await all2, true);
    assert.deepEqual(s.ownedNames('ALL'), ['a', 'c']);
  });

  test('add waits while another owner holds the whole set, and can grant the new locks', async () => {
    const s = new LockSet('instance', ['a']);
    s.tryAcquire('big', ALL, 'shared');
    const added = track(s.add(['new'], { owner: 'creator', mode: 'exclusive' }));
    await tick();
    assert.equal(added.settled, false);
    assert.equal(s.has('new'), false);
    s.release('big');
    await added.promise;
    assert.equal(s.lock('new')!.isOwned('creator', 'exclusive'), true);
    assert.deepEqual(s.owned('creator'), [['instance/new', 'exclusive']]);
    await assert.rejects(s.add(['new']), { code: 'GNT_LOCK_EXISTS' });
    await assert.rejects(s.add(['[lockset]']), { code: 'GNT_LOCK_REQUEST_INVALID' });
  });
});

describe('LockSet add/remove without deadlocks', () => {
  test('an owner holding locks of the set removes only locks it holds exclusively', async () => {
    const s = new LockSet('instance', ['a', 'b']);
    s.tryAcquire('R', ['b'], 'exclusive');
    await rejectsWithCode(s.remove(['a'], { owner: 'R' }), 'GNT_LOCK_NOT_OWNED');
    assert.equal(s.has('a'), true);
  });

  test('an element holder adding names is not held up by a whole-set attempt waiting for it', async () => {
    const s = new LockSet('instance', ['a', 'b']);
    s.tryAcquire('R', ['b'], 'exclusive');
    const all = track(s.acquire('X', ALL, 'shared')); // gets a and the set lock, waits for b (R)
    await tick();
    await s.add(['c'], { owner: 'R' }); // waiting for X here would deadlock
    assert.deepEqual(s.ownedNames('R'), ['b', 'c']);
    s.release('R');
    assert.equal(await all.promise, true);
    assert.deepEqual(s.ownedNames('X'), ['a', 'b']);
  });
});

describe('LockSet deadlock freedom', () => {
  test('two owners asking for overlapping sets in opposite orders both finish', async () => {
    const s = new LockSet('node', ['x', 'y', 'z']);
    for (let i = 0; i < 200; i++) {
      const a = s.acquire('A', ['x', 'y', 'z'], 'exclusive').then(async () => { await tick(); s.release('A'); });
      const b = s.acquire('B', ['z', 'y', 'x'], 'exclusive').then(async () => { await tick(); s.release('B'); });
      await Promise.all([a, b]);
    }
  });

  test('randomized stress: overlapping random sets, random orders and modes, ~1 s, no deadlock', async () => {
    const pool = names(10);
    const s = new LockSet('node', pool);
    const exclusive = new Map<string, number>();
    const shared = new Map<string, number>();
    let rounds = 0;
    const until = performance.now() + 1000;
    const worker = async (id: number) => {
      const me = `w${id}`;
      while (performance.now() < until) {
        const want = pool.filter(() => Math.random() < 0.35).sort(() => Math.random() - 0.5);
        if (want.length === 0) continue;
        const mode: LockMode = Math.random() < 0.3 ? 'shared' : 'exclusive';
        // A generous timeout turns a deadlock into a failed assertion instead of a hung test.
        assert.equal(await s.acquire(me, want, mode, { timeout: 2000 }), true, `${me} stuck`);
        for (const n of want) {
          const m = mode === 'exclusive' ? exclusive : shared;
          m.set(n, (m.get(n) ?? 0) + 1);
          assert.equal(exclusive.get(n) ?? 0, mode === 'exclusive' ? 1 : 0, `exclusive ${n}`);
          if (mode === 'exclusive') assert.equal(shared.get(n) ?? 0, 0, `shared beside exclusive on ${n}`);
        }
        if (Math.random() < 0.5) await tick();
        else await sleep(0);
        for (const n of want) {
          const m = mode === 'exclusive' ? exclusive : shared;
          m.set(n, m.get(n)! - 1);
        }
        s.release(me);
        rounds++;
      }
    };
    await Promise.all([0, 1, 2, 3, 4, 5].map(worker));
    assert.ok(rounds > 100, `only ${rounds} rounds`);
    assert.equal(s.setLock.mode, null);
    assert.deepEqual(s.names().filter((n) => s.lock(n)!.mode !== null), []);
  });
});
