import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { run } from '../../core/exec/index.js';
import { removeDir } from '../helpers/tmp.js';
import { scratchProject } from '../helpers/scratch-project.js';
import { report } from './stats.js';

// Issue 2 figures: `gnt-debug plugins` with the built-ins and the two npm plugins under 250 ms
// wall (process start included); `gnt-cluster --version` under 120 ms.
const RUNS = Number(process.env['BENCH_RUNS'] ?? 30);

const project = await scratchProject();
try {
  await writeFile(join(project.dir, 'ganeti.config.json'), JSON.stringify({ plugins: ['ganeti-plugin-examplehv', 'ganeti-plugin-qemuimg'] }));
  const time = async (argv: string[]) => {
    const samples: number[] = [];
    for (let i = 0; i < RUNS + 2; i++) {
      const t0 = performance.now();
      const r = await run(argv, { cwd: project.dir });
      const dt = performance.now() - t0;
      if (!r.ok) throw new Error(`${r.command} failed: ${r.all}`);
      if (i >= 2) samples.push(dt); // two warm-up runs fill the page cache
    }
    return samples;
  };
  const bare = await time(['node', '-e', '0']);
  report('node -e 0 (process start alone)', bare);
  report('gnt-debug plugins (3 built-ins + 2 npm plugins)', await time([project.bin('gnt-debug'), 'plugins']), '< 250 ms');
  report('gnt-cluster --version', await time([project.bin('gnt-cluster'), '--version']), '< 120 ms');
} finally {
  await removeDir(project.root);
}
