import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { startLoopbackCluster, type LoopbackCluster } from '../helpers/cluster.js';
import { alive } from '../helpers/masterd.js';

// A node daemon killed (SIGKILL) in the middle of a call: that node's result is a failure at
// once, the other nodes' calls carry on and succeed, nothing waits for the call's timeout.
// Three real daemons on 127.0.5.10-12.
let cluster: LoopbackCluster;

before(async () => {
  cluster = await startLoopbackCluster({
    prefix: 'gnt-rpc-kill-',
    keyType: 'ec',
    nodes: [
      { name: 'node1.example.org', ip: '127.0.5.10' },
      { name: 'node2.example.org', ip: '127.0.5.11' },
      { name: 'node3.example.org', ip: '127.0.5.12' },
    ],
  });
});

after(async () => {
  await cluster?.destroy();
});

test('SIGKILL during test_delay: a prompt per-node failure, the others succeed', async () => {
  const rpc = await cluster.rpc();
  try {
    const nodes = cluster.rpcNodes();
    // connections are warm, as in a running master (the retry of a reused socket is exercised)
    assert.ok((await rpc.call('version', nodes)).every((r) => r.success));
    const victim = cluster.nodedPid(1)!;
    const t0 = performance.now();
    let killedAt = 0;
    let victimDoneAt = 0;
    const call = rpc.call('test_delay', nodes, [2]);
    // the victim's own result, timed separately from the fan-out's end
    const single = rpc.callNode('test_delay', nodes[1]!, [2]).then((r) => {
      victimDoneAt = performance.now();
      return r;
    });
    await new Promise((r) => setTimeout(r, 300));
    process.kill(victim, 'SIGKILL');
    killedAt = performance.now();
    const [results, own] = await Promise.all([call, single]);
    const total = performance.now() - t0;

    assert.equal(results[0]!.success, true, JSON.stringify(results[0]));
    assert.equal(results[2]!.success, true, JSON.stringify(results[2]));
    const failed = results[1]!;
    assert.equal(failed.success, false);
    assert.ok(!failed.success && failed.code === 'GNT_RPC_CONNECT', JSON.stringify(failed));
    assert.match(failed.success ? '' : failed.error, /node2\.example\.org/);
    assert.equal(own.success, false);
    // prompt: well under a second after the kill, nowhere near test_delay's 7 s timeout
    assert.ok(victimDoneAt - killedAt < 1000, `the failure came ${(victimDoneAt - killedAt).toFixed(0)} ms after the kill`);
    // the whole call ends when the healthy nodes finish their 2 s
    assert.ok(total >= 1900 && total < 4000, `the call took ${total.toFixed(0)} ms`);
    assert.equal(alive(victim), false);

    // the client stays usable: the dead node fails at once, the others answer
    const again = await rpc.call('version', nodes);
    assert.deepEqual(again.map((r) => r.success), [true, false, true]);
  } finally {
    rpc.close();
  }
  await cluster.startNoded(1);
});
