import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LockManager } from '../../../core/locks/index.js';
import { lockingService } from '../../../core/jobs/locking.js';

const opts = (signal = new AbortController().signal) => ({ priority: 0, signal, onWaiting: () => undefined });

test('a named lock is made on first use, and two owners of one new name take turns', async () => {
  const manager = new LockManager();
  const locks = lockingService(manager);
  assert.equal(manager.level('instance').has('new.example.org'), false);
  await locks.acquire(1, 'cluster', ['BGL'], true, opts());
  await locks.acquire(1, 'instance', ['new.example.org'], false, opts());
  assert.equal(manager.level('instance').has('new.example.org'), true);

  let second = false;
  const p = (async () => {
    await locks.acquire(2, 'cluster', ['BGL'], true, opts());
    await locks.acquire(2, 'instance', ['new.example.org', 'other.example.org'], false, opts());
    second = true;
  })();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(second, false, 'the second owner waits for the first');
  locks.releaseAll(1);
  await p;
  assert.equal(second, true);
  assert.deepEqual(manager.level('instance').names(), ['new.example.org', 'other.example.org']);
  locks.releaseAll(2);
});
