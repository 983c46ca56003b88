import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { run, runChecked } from '../../core/exec/index.js';
import { REPO_ROOT } from '../helpers/tmp.js';
import { loopbackNodes, startLoopbackCluster } from '../helpers/cluster.js';
import { report, timeRuns } from './stats.js';

// Issue 7 figure: `gnt-os diagnose` on 10 real node daemons (127.0.30.21-30) with 20 OS
// definitions each (copies of the noop OS with API 20: every file checked on every call), run
// as a user runs it: a new node process each time, start-up included. Target: < 1 s.
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 20);
const DEFINITIONS = 20;

const cluster = await startLoopbackCluster({ prefix: 'gnt-bench-os-', masterd: true, keyType: 'ec', nodes: loopbackNodes(10, '127.0.30.', 21) });
try {
  for (const paths of cluster.paths) {
    const dir = paths.osSearchPath[0]!;
    await mkdir(dir, { recursive: true });
    // the noop OS the cluster already has makes 21
    for (let i = 1; i < DEFINITIONS; i++) await runChecked(['cp', '-a', join(REPO_ROOT, 'plugins/os/noop'), join(dir, `os${i}`)]);
  }
  const diagnose = async () => {
    const r = await run([process.execPath, join(REPO_ROOT, 'dist/cli/gnt-os.js'), 'diagnose'], { env: { GANETI_ROOT: cluster.roots[0]! }, timeoutMs: 60_000 });
    if (r.exitCode !== 0) throw new Error(`gnt-os diagnose failed: ${r.stderr}`);
    return r.stdout;
  };
  const out = await diagnose();
  const valid = out.split('\n').filter((l) => l.includes(', status: valid (')).length;
  if (valid !== 10 * DEFINITIONS) throw new Error(`expected ${10 * DEFINITIONS} valid node lines, got ${valid}:\n${out}`);
  report(`gnt-os diagnose, 10 nodes x ${DEFINITIONS} OS definitions`, await timeRuns(ROUNDS, diagnose), '< 1 s');
  report('node -e 0 (bare runtime start, the floor)', await timeRuns(ROUNDS, () => run([process.execPath, '-e', '0'])));
} finally {
  await cluster.destroy();
}
