import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { run, runChecked } from '../../core/exec/index.js';
import { REPO_ROOT } from '../helpers/tmp.js';
import { loopbackNodes, startLoopbackCluster } from '../helpers/cluster.js';
import { report, timeRuns } from './stats.js';

// Issue 5 figure: `gnt-storage diagnose` on 10 real node daemons (127.0.7.41-50) with 20
// ExtStorage providers each (copies of the loop fixture, every file checked on every call),
// run as a user runs it: a new node process each time, start-up included. Target: < 1 s.
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 20);
const PROVIDERS = 20;

const cluster = await startLoopbackCluster({ prefix: 'gnt-bench-es-', masterd: true, keyType: 'ec', nodes: loopbackNodes(10, '127.0.7.', 41) });
try {
  const fixture = join(REPO_ROOT, 'test/fixtures/extstorage/loop');
  for (const paths of cluster.paths) {
    const dir = paths.under('/srv/ganeti/extstorage');
    await mkdir(dir, { recursive: true });
    for (let i = 1; i <= PROVIDERS; i++) await runChecked(['cp', '-a', fixture, join(dir, `provider${i}`)]);
  }
  const diagnose = async () => {
    const r = await run([process.execPath, join(REPO_ROOT, 'dist/cli/gnt-storage.js'), 'diagnose'], { env: { GANETI_ROOT: cluster.roots[0]! }, timeoutMs: 60_000 });
    if (r.exitCode !== 0) throw new Error(`gnt-storage diagnose failed: ${r.stderr}`);
    return r.stdout;
  };
  const out = await diagnose();
  const valid = out.split('\n').filter((l) => l.includes(', status: valid (')).length;
  if (valid !== 10 * PROVIDERS) throw new Error(`expected ${10 * PROVIDERS} valid node lines, got ${valid}:\n${out}`);
  report(`gnt-storage diagnose, 10 nodes x ${PROVIDERS} providers`, await timeRuns(ROUNDS, diagnose), '< 1 s');
  report('node -e 0 (bare runtime start, the floor)', await timeRuns(ROUNDS, () => run([process.execPath, '-e', '0'])));
} finally {
  await cluster.destroy();
}
