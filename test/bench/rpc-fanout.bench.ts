import { performance } from 'node:perf_hooks';
import { loopbackNodes, startLoopbackCluster } from '../helpers/cluster.js';
import { report } from './stats.js';

// Issue 4 figure: node_info fanned out to 5, 10 and 20 real ganeti-noded processes on
// loopback (127.0.6.1-20), with the storage unit and hypervisor `gnt-node list` sends;
// p50 under 50 ms at 20 nodes. Warm: one client, connections kept alive as in masterd.
// Cold: a new client per call (TLS handshakes included), for comparison.
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 200);
const SIZES = [5, 10, 20];

const cluster = await startLoopbackCluster({ prefix: 'gnt-bench-fanout-', nodes: loopbackNodes(20, '127.0.6.') });
try {
  const args = [[['file', '/srv/ganeti/file-storage', []]], [['fake', {}]]];
  const rpc = await cluster.rpc();
  try {
    for (const n of SIZES) {
      const nodes = cluster.rpcNodes().slice(0, n);
      const once = async () => {
        const results = await rpc.call('node_info', nodes, args);
        const bad = results.find((r) => !r.success);
        if (bad) throw new Error(`node_info failed: ${JSON.stringify(bad)}`);
      };
      for (let i = 0; i < 10; i++) await once();
      const samples: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const t0 = performance.now();
        await once();
        samples.push(performance.now() - t0);
      }
      report(`node_info fan-out, ${n} nodes (warm)`, samples, n === 20 ? 'p50 < 50 ms' : undefined);
    }
  } finally {
    rpc.close();
  }
  const cold: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    const c = await cluster.rpc();
    try {
      await c.call('node_info', cluster.rpcNodes(), args);
    } finally {
      c.close();
    }
    cold.push(performance.now() - t0);
  }
  report('node_info fan-out, 20 nodes (new client)', cold);
} finally {
  await cluster.destroy();
}
