import { join } from 'node:path';
import { run } from '../../core/exec/index.js';
import { REPO_ROOT, removeDir, tempDir } from '../helpers/tmp.js';
import { stopInitDaemons } from '../helpers/cluster.js';
import { report, timeRuns } from './stats.js';

// Issue 4 figure: `gnt-cluster verify` on a one-node cluster made by `gnt-cluster init`
// (node 127.0.6.101), run as a user runs it: a new process each time, the job submitted,
// followed and its log printed. Target: under 300 ms wall.
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 20);

const root = await tempDir('gnt-bench-verify-');
const env = { GANETI_ROOT: root, GANETI_HOSTNAME: 'node1.example.org', GANETI_NODE_IP: '127.0.6.101' };
const cli = (...args: string[]) => run([process.execPath, join(REPO_ROOT, 'dist/cli/gnt-cluster.js'), ...args], { env, timeoutMs: 120_000 });
try {
  const init = await cli('init', 'cluster.example.org');
  if (init.exitCode !== 0) throw new Error(`gnt-cluster init failed: ${init.stderr}`);
  const verify = async () => {
    const r = await cli('verify');
    if (r.exitCode !== 0) throw new Error(`gnt-cluster verify failed:\n${r.stdout}${r.stderr}`);
  };
  report('gnt-cluster verify, 1 node (first)', await timeRuns(1, verify));
  report('gnt-cluster verify, 1 node', await timeRuns(ROUNDS, verify), '< 300 ms');
} finally {
  await stopInitDaemons(root);
  await removeDir(root);
}
