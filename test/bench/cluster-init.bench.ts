import { join } from 'node:path';
import { run } from '../../core/exec/index.js';
import { REPO_ROOT, removeDir, tempDir } from '../helpers/tmp.js';
import { stopInitDaemons } from '../helpers/cluster.js';
import { report } from './stats.js';

// Issue 4 figure: `gnt-cluster init` as an admin runs it (certificates made by openssl,
// config.data and ssconf written, ganeti-noded and ganeti-masterd started and answering),
// on a fresh root each round (node 127.0.6.100). Target: under 2 s wall.
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);


const samples: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  const root = await tempDir('gnt-bench-init-');
  try {
    const env = { GANETI_ROOT: root, GANETI_HOSTNAME: 'node1.example.org', GANETI_NODE_IP: '127.0.6.100' };
    const t0 = performance.now();
    const r = await run([process.execPath, join(REPO_ROOT, 'dist/cli/gnt-cluster.js'), 'init', 'cluster.example.org'], { env, timeoutMs: 120_000 });
    samples.push(performance.now() - t0);
    if (r.exitCode !== 0) throw new Error(`gnt-cluster init failed: ${r.stderr}`);
  } finally {
    await stopInitDaemons(root);
    await removeDir(root);
  }
}
report('gnt-cluster init (daemons started)', samples, '< 2 s');
