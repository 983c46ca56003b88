import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL, BGL, LEVELS, LockManager, acquireWithRetry } from '../../../core/locks/index.js';
import { rejectsWithCode, throwsCode, tick, track } from './helpers.js';

const fresh = () => new LockManager({ instance: ['i1', 'i2'], nodegroup: ['g1'], network: ['net1'], node: ['n1', 'n2'], 'node-res': ['n1', 'n2'] });

describe('LockManager levels', () => {
  test('levels in the order of the design, cluster level holding BGL', () => {
    assert.deepEqual([...LEVELS], ['cluster', 'instance', 'nodegroup', 'network', 'node', 'node-res']);
    const m = fresh();
    assert.deepEqual(m.level('cluster').names(), [BGL]);
    assert.deepEqual(m.info().map((i) => i.name).slice(0, 4), ['cluster/[lockset]', 'cluster/BGL', 'instance/[lockset]', 'instance/i1']);
  });

  test('an owner goes down the levels; same level or above is refused, releasing is free', async () => {
    const m = fresh();
    assert.equal(await m.acquire('job1', 'cluster', [BGL], 'shared'), true);
    assert.equal(await m.acquire('job1', 'instance', ['i1'], 'exclusive'), true);
    assert.equal(await m.acquire('job1', 'node', ['n1', 'n2'], 'shared'), true);
    await rejectsWithCode(m.acquire('job1', 'instance', ['i2'], 'exclusive'), 'GNT_LOCK_LEVEL_ORDER');
    await rejectsWithCode(m.acquire('job1', 'node', ['n2'], 'exclusive'), 'GNT_LOCK_LEVEL_ORDER');
    throwsCode(() => m.tryAcquire('job1', 'network', ['net1'], 'shared'), 'GNT_LOCK_LEVEL_ORDER');
    assert.equal(m.tryAcquire('job1', 'node-res', ['n1'], 'exclusive'), true);
    m.release('job1', 'instance'); // out of order: fine
    m.release('job1', 'node', ['n2']);
    assert.deepEqual(m.owned('job1'), [
      { name: 'cluster/BGL', level: 'cluster', mode: 'shared' },
      { name: 'node/n1', level: 'node', mode: 'shared' },
      { name: 'node-res/n1', level: 'node-res', mode: 'exclusive' },
    ]);
    assert.deepEqual(m.ownedNames('job1', 'node'), ['n1']);
    assert.equal(m.isOwned('job1', 'node-res', 'n1', 'exclusive'), true);
    assert.equal(m.releaseAll('job1'), true);
    assert.deepEqual(m.owned('job1'), []);
    assert.equal(await m.acquire('job1', 'instance', ALL, 'shared'), true, 'after releasing everything any level is open');
  });

  test('unknown levels are refused', async () => {
    await rejectsWithCode(fresh().acquire('j', 'disk' as never, ['x'], 'shared'), 'GNT_LOCK_REQUEST_INVALID');
  });

  test('adding a lock while holding the same level grants it; below that level it is refused', async () => {
    const m = fresh();
    m.tryAcquire('j', 'instance', ['i1'], 'exclusive');
    await m.add('instance', ['i3'], { owner: 'j' });
    assert.deepEqual(m.ownedNames('j', 'instance'), ['i1', 'i3']);
    m.tryAcquire('j', 'node', ['n1'], 'exclusive');
    await rejectsWithCode(m.add('instance', ['i4'], { owner: 'j' }), 'GNT_LOCK_LEVEL_ORDER');
    assert.deepEqual(await m.remove('instance', ['i3'], { owner: 'j' }), ['i3']);
    assert.deepEqual(m.ownedNames('j', 'instance'), ['i1']);
  });

  test('owners, pending requests and releaseOwners', async () => {
    const m = fresh();
    m.tryAcquire(1, 'cluster', [BGL], 'shared');
    m.tryAcquire(1, 'node', ['n1'], 'exclusive');
    m.tryAcquire(2, 'cluster', [BGL], 'shared');
    const w = track(m.acquire(2, 'node', ['n1', 'n2'], 'exclusive', { priority: -3 }));
    await tick();
    assert.deepEqual(m.owners(), [1, 2]);
    assert.deepEqual(m.pending(), [{ owner: 2, priority: -3, level: 'node', requests: [['node/n1', 'exclusive'], ['node/n2', 'exclusive']] }]);
    assert.deepEqual(m.releaseOwners((o) => o === 1), [1]);
    await tick();
    assert.equal(w.value, true);
    assert.deepEqual(m.owners(), [2]);
  });
});

describe('LockManager releaseAll', () => {
  test('stops an acquisition in progress and frees what it had taken, at once', async () => {
    const m = fresh();
    m.tryAcquire('A', 'node', ['n2'], 'exclusive');
    m.tryAcquire('J', 'cluster', [BGL], 'shared');
    const j = m.acquire('J', 'node', ['n1', 'n2'], 'exclusive');
    await tick();
    assert.deepEqual(m.owned('J').map((l) => l.name), ['cluster/BGL', 'node/n1'], 'partial holdings are visible');
    assert.equal(m.releaseAll('J'), true);
    assert.deepEqual(m.owned('J'), []);
    assert.equal(m.level('node').lock('n1')!.mode, null);
    await rejectsWithCode(j, 'GNT_LOCK_ABORTED');
    assert.equal(m.level('node').setLock.isOwned('J'), false);
    m.release('A', 'node');
    assert.equal(m.tryAcquire('K', 'node', ['n1', 'n2'], 'exclusive'), true, 'nothing was left behind');
    assert.equal(m.releaseAll('nobody'), false);
  });

  test('a grant that lands just before releaseAll is given back too', async () => {
    const m = fresh();
    m.tryAcquire('A', 'node', ['n1'], 'exclusive');
    const j = m.acquire('J', 'node', ['n1', 'n2'], 'exclusive');
    await tick();
    m.release('A', 'node'); // n1 is handed to J synchronously; J's code has not run yet
    m.releaseAll('J');
    await rejectsWithCode(j, 'GNT_LOCK_ABORTED');
    assert.equal(m.level('node').lock('n1')!.mode, null);
    assert.equal(m.level('node').setLock.mode, null);
  });
});

describe('design-2.1: operation C must not wait for A and B', () => {
  test('with the retry strategy, C gets inst1 while A still holds inst4 and B is still trying', async () => {
    const m = new LockManager({ instance: ['inst1', 'inst2', 'inst3', 'inst4'] });
    const insts = ['inst1', 'inst2', 'inst3', 'inst4'];

    // 1. Operation A grabs the lock for inst4.
    assert.equal(await m.acquire('A', 'instance', ['inst4'], 'exclusive'), true);

    // 2. Operation B wants all instance locks in alphabetic order, but has to wait for inst4.
    //    It acquires the way jobs do: Ganeti's timeouts (here 5 s -> 10 ms), released between attempts.
    let bFailed = 0;
    const b = track(acquireWithRetry(m, 'B', 'instance', insts, 'exclusive', {
      timing: { unitMs: 2 },
      onAttemptFailed: () => { bFailed++; },
    }));
    await tick();
    assert.deepEqual(m.ownedNames('B', 'instance'), [], 'B is still acquiring');
    assert.equal(m.level('instance').lock('inst1')!.isOwned('B'), true, 'B sits on inst1..inst3 while it waits');

    // 3. Operation C tries to lock inst1, but has to wait (B holds it).
    const c = track(m.acquire('C', 'instance', ['inst1'], 'exclusive'));
    await tick();
    assert.equal(c.settled, false, 'C waits behind B');

    // B's attempt times out and releases inst1..inst3: C proceeds without waiting for A or B.
    assert.equal(await c.promise, true);
    assert.equal(m.isOwned('A', 'instance', 'inst4', 'exclusive'), true, 'A has not finished');
    assert.equal(b.settled, false, 'B has not finished');
    assert.ok(bFailed >= 1);
    m.release('C', 'instance'); // C finishes

    // 4. A finishes and releases inst4; B continues and eventually gets everything.
    m.release('A', 'instance');
    const result = await b.promise;
    assert.deepEqual(m.ownedNames('B', 'instance'), insts);
    assert.equal(result.priority, 0);
    assert.equal(result.attempts, bFailed + 1);
  });
});
