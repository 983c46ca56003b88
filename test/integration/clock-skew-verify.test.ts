import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { startLoopbackCluster, type LoopbackCluster } from '../helpers/cluster.js';
import { gnt } from './support.js';

// `gnt-cluster verify` flags a node whose clock is 10 minutes ahead (ENODETIME, Ganeti's
// NODE_MAX_CLOCK_SKEW is 150 s): that node's real ganeti-noded runs under libfaketime
// (Debian package `faketime`). Master 127.0.5.40, skewed node 127.0.5.41, sound node .42.
const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
const missing = existsSync(LIBFAKETIME) ? false : `${LIBFAKETIME} is missing (apt-get install faketime)`;
if (missing) process.stdout.write(`# skipping the clock skew test: ${missing}\n`);
let cluster: LoopbackCluster | undefined;

before(async () => {
  if (missing) return;
  cluster = await startLoopbackCluster({
    prefix: 'gnt-clock-skew-',
    keyType: 'ec',
    masterd: true,
    nodes: [
      { name: 'node1.example.org', ip: '127.0.5.40' },
      { name: 'node2.example.org', ip: '127.0.5.41', candidate: true },
      { name: 'node3.example.org', ip: '127.0.5.42' },
    ],
    // ahead, not behind: a clock behind would see the fresh certificates as not yet valid
    nodedLaunch: (i) => (i === 1 ? { env: { LD_PRELOAD: LIBFAKETIME, FAKETIME: '+600', FAKETIME_DONT_FAKE_MONOTONIC: '1' } } : undefined),
  });
});

after(async () => {
  await cluster?.destroy();
});

test('a node 10 minutes ahead is ERROR ENODETIME; the others verify clean', { skip: missing }, async () => {
  const r = await gnt(cluster!.roots[0]!, 'gnt-cluster', 'verify', '--error-codes');
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const problems = r.stdout.split('\n').filter((l) => / {2}- (ERROR|WARNING)/.test(l));
  assert.equal(problems.length, 1, r.stdout);
  assert.match(problems[0]!, /^.* {2}- ERROR:ENODETIME:node:node2\.example\.org:Node time diverges by at least (\d+\.\d)s from master node time$/);
  const seconds = Number(/at least (\d+\.\d)s/.exec(problems[0]!)![1]);
  // 600 s ahead, measured against the end of the call
  assert.ok(seconds > 590 && seconds <= 601, `diverges by ${seconds}s`);
  const ignored = await gnt(cluster!.roots[0]!, 'gnt-cluster', 'verify', '--ignore-errors', 'ENODETIME');
  assert.equal(ignored.code, 0, ignored.stdout + ignored.stderr);
  assert.match(ignored.stdout, / {2}- WARNING: node node2\.example\.org: Node time diverges/);
});
