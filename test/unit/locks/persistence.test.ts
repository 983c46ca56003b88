import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ALL, BGL, LockManager, formatLocksData, locksDataOf, parseLockName, parseLocksData, restoreLocks, type ClientId, type Owner,
} from '../../../core/locks/index.js';
import { GanetiError } from '../../../core/errors/index.js';
import { tick } from './helpers.js';

const build = () => new LockManager({ instance: ['i1', 'i2'], node: ['n1', 'n2', 'n3'] });
const livelock = (id: string) => `/var/lib/ganeti/livelocks/job_${id}`;
const clientOf = (owner: Owner): ClientId => [String(owner), livelock(String(owner)), 4242];

describe('locks.data', () => {
  test('round trip: allocation written in Ganeti\'s shape and restored into a fresh manager', async () => {
    const m = build();
    m.tryAcquire('17', 'cluster', [BGL], 'shared');
    m.tryAcquire('17', 'instance', ['i2'], 'exclusive');
    m.tryAcquire('17', 'node', ALL, 'shared');
    m.tryAcquire('18', 'cluster', [BGL], 'shared');
    void m.acquire('18', 'instance', ['i1', 'i2'], 'exclusive', { priority: -2 });
    await tick();

    const data = locksDataOf(m, clientOf);
    const text = formatLocksData(data);
    assert.deepEqual(JSON.parse(text), [
      [
        [['17', livelock('17'), 4242], [
          ['cluster/BGL', 'shared'], ['instance/i2', 'exclusive'],
          ['node/[lockset]', 'shared'], ['node/n1', 'shared'], ['node/n2', 'shared'], ['node/n3', 'shared'],
        ]],
        [['18', livelock('18'), 4242], [['cluster/BGL', 'shared'], ['instance/i1', 'exclusive']]],
      ],
      [[-2, ['18', livelock('18'), 4242], [['instance/i2', 'exclusive']]]],
    ]);

    const parsed = parseLocksData(text);
    assert.deepEqual(parsed, data);
    const restarted = build();
    const r = restoreLocks(restarted, parsed);
    assert.deepEqual(r, { owners: ['17', '18'], missing: [] });
    for (const owner of ['17', '18']) assert.deepEqual(restarted.owned(owner), m.owned(owner), owner);
    assert.equal(restarted.level('node').holdsAll('17', 'shared'), true);
    assert.deepEqual(locksDataOf(restarted, clientOf)[0], data[0]);

    // The job queue finds job 17 dead and frees its locks.
    assert.deepEqual(restarted.releaseOwners((o) => o === '17'), ['17']);
    assert.equal(restarted.tryAcquire('19', 'instance', ['i2'], 'exclusive'), true);
  });

  test("a job owner is its id as a JSON number, another owner a name (Ganeti's ClientJob / ClientOther)", () => {
    const text = JSON.stringify([[[[17, livelock('17'), 99], [['cluster/BGL', 'shared']]], [['watcher', '', 98], [['node/n1', 'exclusive']]]], [[0, [18, '', 99], [['cluster/BGL', 'shared']]]]]);
    const parsed = parseLocksData(text);
    assert.equal(formatLocksData(parsed), text);
    const m = build();
    assert.deepEqual(restoreLocks(m, parsed), { owners: [17, 'watcher'], missing: [] });
    assert.equal(m.isOwned(17, 'cluster', BGL, 'shared'), true);
    assert.throws(() => parseLocksData('[[[[-1, "", 1], []]], []]'), /owner must be/);
    assert.throws(() => parseLocksData('[[[[1.5, "", 1], []]], []]'), /owner must be/);
  });

  test('locks of objects that are gone are skipped and reported', () => {
    const text = JSON.stringify([[[['5', '', 1], [['cluster/BGL', 'shared'], ['instance/gone', 'exclusive']]]], []]);
    const m = build();
    assert.deepEqual(restoreLocks(m, parseLocksData(text)), { owners: ['5'], missing: ['instance/gone'] });
    assert.deepEqual(m.owned('5'), [{ name: 'cluster/BGL', level: 'cluster', mode: 'shared' }]);
  });

  test('conflicting allocations are refused and nothing is restored', () => {
    const text = JSON.stringify([[
      [['1', '', 1], [['cluster/BGL', 'shared'], ['node/n1', 'exclusive']]],
      [['2', '', 1], [['node/n1', 'shared']]],
    ], []]);
    const m = build();
    assert.throws(() => restoreLocks(m, parseLocksData(text)), (e: unknown) =>
      e instanceof GanetiError && e.code === 'GNT_LOCKS_DATA_INVALID' && /node\/n1/.test(e.message));
    assert.deepEqual(m.owners(), []);
  });

  test('malformed files are refused with the place of the problem', () => {
    const bad: Array<[string, RegExp]> = [
      ['not json', /top level.*not JSON/],
      ['{}', /top level/],
      ['[[], {}]', /pending: expected a list/],
      ['[[["x", []]], []]', /allocation\[0\]\[0\]: owner must be/],
      ['[[[["1", "", 1], [["node/n1", "mine"]]]], []]', /allocation\[0\]\[1\]\[0\]: mode must be/],
      ['[[], [[99, ["1", "", 1], []]]]', /pending\[0\]\[0\]: priority/],
      ['[[], [[0, ["1", "", 1], [["node/n1", "release"], ["node/n2", "grab"]]]]]', /pending\[0\]\[2\]\[1\]: request must be/],
    ];
    for (const [text, re] of bad) {
      assert.throws(() => parseLocksData(text), (e: unknown) => e instanceof GanetiError && e.code === 'GNT_LOCKS_DATA_INVALID' && re.test(e.message), text);
    }
    assert.throws(() => parseLockName('disk/x'), { code: 'GNT_LOCKS_DATA_INVALID' });
    assert.deepEqual(parseLockName('node-res/ab/c'), { level: 'node-res', name: 'ab/c' });
  });
});
