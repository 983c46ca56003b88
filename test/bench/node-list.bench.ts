import { join } from 'node:path';
import { run } from '../../core/exec/index.js';
import { REPO_ROOT } from '../helpers/tmp.js';
import { loopbackNodes, startLoopbackCluster } from '../helpers/cluster.js';
import { report, timeRuns } from './stats.js';

// Issue 4 figure: `gnt-node list` (default fields: live memory and disk from every node) on
// a cluster of 20 real node daemons (127.0.6.21-40) and a master daemon, run as a user runs
// it: a new node process each time, start-up included. Target: under 200 ms wall.
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 20);

const cluster = await startLoopbackCluster({ prefix: 'gnt-bench-list-', masterd: true, nodes: loopbackNodes(20, '127.0.6.', 21) });
try {
  const gntNode = async (...args: string[]) => {
    const r = await run([process.execPath, join(REPO_ROOT, 'dist/cli/gnt-node.js'), ...args], { env: { GANETI_ROOT: cluster.roots[0]! }, timeoutMs: 60_000 });
    if (r.exitCode !== 0) throw new Error(`gnt-node ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  };
  const first = await timeRuns(1, () => gntNode('list'));
  const out = await gntNode('list');
  if (out.trimEnd().split('\n').length !== 21 || out.includes('?')) throw new Error(`unexpected output:\n${out}`);
  report('gnt-node list, 20 nodes (first, master just started)', first);
  report('gnt-node list, 20 nodes', await timeRuns(ROUNDS, () => gntNode('list')), '< 200 ms');
  report('gnt-node list -o name,pinst_cnt (no RPC)', await timeRuns(ROUNDS, () => gntNode('list', '-o', 'name,pinst_cnt')));
  report('node -e 0 (bare runtime start, the floor)', await timeRuns(ROUNDS, () => run([process.execPath, '-e', '0'])));
} finally {
  await cluster.destroy();
}
