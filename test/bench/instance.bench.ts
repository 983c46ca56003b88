import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { run } from '../../core/exec/index.js';
import { luxiClient } from '../../cli/common/luxi.js';
import { REPO_ROOT } from '../helpers/tmp.js';
import { startLoopbackCluster } from '../helpers/cluster.js';
import { report, timeRuns } from './stats.js';

// Issue 6 figures, fake hypervisor, two node daemons (127.0.23.1-2) and a master daemon:
// - `gnt-instance add` with a file disk, wall time from the CLI, process start included:
//   under 400 ms;
// - 200 fake diskless instances created in one SubmitManyJobs, all running: under 5 s
//   (real Ganeti 3.0 here: about 0.65 s an instance, 143 s for 200);
// - `gnt-instance list` with those 200 instances (default fields, live status from the
//   nodes): under 150 ms (Ganeti 3.0 here: 340 ms).
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 20);
const MANY = Number(process.env['BENCH_INSTANCES'] ?? 200);

const cluster = await startLoopbackCluster({
  prefix: 'gnt-bench-inst-',
  masterd: true,
  keyType: 'ec',
  enabledDiskTemplates: ['file', 'diskless'],
  nodes: [
    { name: 'node1.example.org', ip: '127.0.23.1' },
    { name: 'node2.example.org', ip: '127.0.23.2' },
  ],
});
try {
  const gnt = async (...args: string[]) => {
    const r = await run([process.execPath, join(REPO_ROOT, 'dist/cli/gnt-instance.js'), ...args], { env: { GANETI_ROOT: cluster.roots[0]! }, timeoutMs: 120_000 });
    if (r.exitCode !== 0) throw new Error(`gnt-instance ${args.join(' ')} failed: ${r.all}`);
    return r.stdout;
  };
  let n = 0;
  const add = () => gnt('add', '-t', 'file', '--disk', '0:size=4M', '-n', 'node2.example.org', '-o', 'noop', `file${++n}.example.org`);
  await add(); // warm: connections, compiled schemas
  report('gnt-instance add -t file (CLI wall, process start included)', await timeRuns(ROUNDS, add), '< 400 ms');
  for (let i = 1; i <= n; i++) await gnt('remove', '-f', `file${i}.example.org`);

  // 200 diskless instances in one SubmitManyJobs, alternating the two nodes
  const client = luxiClient(cluster.paths[0]!);
  const jobs = Array.from({ length: MANY }, (_, i) => [{
    OP_ID: 'OP_INSTANCE_CREATE', instance_name: `many${i}.example.org`, disk_template: 'diskless', disks: [], nics: [{}],
    os_type: 'noop', pnode: `node${(i % 2) + 1}.example.org`, start: true,
  }]);
  const t0 = performance.now();
  const submitted = await client.submitManyJobs(jobs);
  const ids = submitted.map((r) => {
    if (!r[0]) throw new Error(`submit refused: ${String(r[1])}`);
    return r[1];
  });
  for (;;) {
    const rows = await client.queryJobs(ids, ['status']);
    const st = rows.map((r) => r?.[0]);
    if (st.every((s) => s === 'success' || s === 'error' || s === 'canceled')) {
      const bad = st.filter((s) => s !== 'success').length;
      if (bad) throw new Error(`${bad} jobs did not succeed`);
      break;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const manyMs = performance.now() - t0;
  client.close();
  const running = (await gnt('list', '--no-headers', '-o', 'status')).trim().split('\n').filter((s) => s === 'running').length;
  process.stdout.write(`${MANY} diskless instances in one SubmitManyJobs, all running: ${manyMs.toFixed(0)} ms (${running} running; target < 5000 ms)\n`);

  report(`gnt-instance list, ${MANY} instances (live status)`, await timeRuns(ROUNDS, () => gnt('list')), '< 150 ms');
  report(`gnt-instance list -o name,pnode, ${MANY} instances (config only)`, await timeRuns(ROUNDS, () => gnt('list', '-o', 'name,pnode')));
  report('node -e 0 (bare runtime start, the floor)', await timeRuns(ROUNDS, () => run([process.execPath, '-e', '0'])));
} finally {
  await cluster.destroy();
}
