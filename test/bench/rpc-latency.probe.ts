import { performance } from 'node:perf_hooks';
import { startLoopbackCluster } from '../helpers/cluster.js';

// Probe (not a figure): the round trip of one RPC to one node daemon, by procedure.
const cluster = await startLoopbackCluster({ prefix: 'gnt-probe-rpc-', keyType: 'ec', nodes: [{ name: 'node1.example.org', ip: '127.0.23.21' }] });
try {
  const rpc = await cluster.rpc();
  const node = cluster.rpcNodes()[0]!;
  for (const [proc, args] of [['version', []], ['test_delay', [0]], ['instance_list', [['fake'], { fake: {} }]]] as const) {
    const xs: number[] = [];
    for (let i = 0; i < 300; i++) {
      const t = performance.now();
      const r = await rpc.callNode(proc, node, [...args]);
      if (!r.success) throw new Error(`${proc}: ${r.error}`);
      xs.push(performance.now() - t);
    }
    xs.sort((a, b) => a - b);
    console.log(proc.padEnd(16), 'median', xs[150]!.toFixed(3), 'ms  p10', xs[30]!.toFixed(3));
  }
  rpc.close();
} finally {
  await cluster.destroy();
}
