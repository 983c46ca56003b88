import { performance } from 'node:perf_hooks';
import { removeDir, tempDir } from '../helpers/tmp.js';
import { startMasterd } from '../helpers/masterd.js';

// Issue 3 figure: 2,000 OP_TEST_DELAY jobs (duration 0, the shortest allowed) submitted over
// LUXI in one SubmitManyJobs and run to success, every job persisted before its id is
// returned: at least 1,000 jobs/s end to end (real Ganeti 3.0 here: about 4 jobs/s).
const JOBS = Number(process.env['BENCH_JOBS'] ?? 2000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);

const root = await tempDir('gnt-bench-jobs-');
const m = await startMasterd(root, { env: process.env['UV_THREADPOOL_SIZE'] ? { UV_THREADPOOL_SIZE: process.env['UV_THREADPOOL_SIZE'] } : {} });
const client = m.client();
try {
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const batch = Array.from({ length: JOBS }, () => [{ OP_ID: 'OP_TEST_DELAY', duration: 0 }]);
    const t0 = performance.now();
    const submitted = (await client.call('SubmitManyJobs', [batch])) as [boolean, number][];
    const tSubmit = performance.now() - t0;
    const ids = submitted.map(([ok, id]) => {
      if (!ok) throw new Error(`submit failed: ${id}`);
      return id;
    });
    // Wait for the last job, then check every job's final status.
    for (;;) {
      const statuses = (await client.call('QueryJobs', [[ids.at(-1)], ['status']])) as [string][];
      if (['success', 'error', 'canceled'].includes(statuses[0]![0])) break;
      await client.call('WaitForJobChange', [ids.at(-1), ['status'], statuses[0], null, 5]);
    }
    let pending = ids;
    while (pending.length) {
      const rows = (await client.call('QueryJobs', [pending, ['id', 'status']])) as [number, string][];
      const bad = rows.filter((r) => r[1] === 'error' || r[1] === 'canceled');
      if (bad.length) throw new Error(`${bad.length} jobs failed, e.g. ${JSON.stringify(bad[0])}`);
      pending = rows.filter((r) => r[1] !== 'success').map((r) => r[0]);
      if (pending.length) await new Promise((r) => setTimeout(r, 5));
    }
    const total = performance.now() - t0;
    const rate = (JOBS / total) * 1000;
    rates.push(rate);
    process.stdout.write(`round ${round + 1}: ${JOBS} jobs, SubmitManyJobs answered in ${tSubmit.toFixed(0)} ms, all succeeded after ${total.toFixed(0)} ms: ${rate.toFixed(0)} jobs/s\n`);
    await client.call('AutoArchiveJobs', [-1, 60]);
  }
  rates.sort((a, b) => a - b);
  process.stdout.write(`jobs end to end (2,000 OP_TEST_DELAY over LUXI)        median ${rates[Math.floor(rates.length / 2)]!.toFixed(0)} jobs/s  (target >= 1000 jobs/s; Ganeti 3.0: ~4)\n`);
} finally {
  client.close();
  await m.stop();
  await removeDir(root);
}
