import { performance } from 'node:perf_hooks';
import { luxiClient } from '../../cli/common/luxi.js';
import { startLoopbackCluster } from '../helpers/cluster.js';

// Probe (not a figure): where the time of an instance query goes, in-process LUXI client.
const cluster = await startLoopbackCluster({ prefix: 'gnt-probe-inst-', masterd: true, keyType: 'ec', enabledDiskTemplates: ['diskless'], nodes: [{ name: 'node1.example.org', ip: '127.0.23.11' }, { name: 'node2.example.org', ip: '127.0.23.12' }] });
try {
  const client = luxiClient(cluster.paths[0]!);
  const jobs = Array.from({ length: 200 }, (_, i) => [{ OP_ID: 'OP_INSTANCE_CREATE', instance_name: `p${i}.example.org`, disk_template: 'diskless', os_type: 'noop', pnode: `node${(i % 2) + 1}.example.org`, nics: [{}] }]);
  const ids = (await client.submitManyJobs(jobs)).map((r) => r[1] as number);
  for (;;) {
    const st = (await client.queryJobs(ids, ['status'])).map((r) => r?.[0]);
    if (st.every((s) => s === 'success' || s === 'error')) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  for (const fields of [['name', 'pnode'], ['name', 'hypervisor', 'os', 'pnode', 'status', 'oper_ram']]) {
    const xs: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t = performance.now();
      await client.query('instance', fields, null);
      xs.push(performance.now() - t);
    }
    xs.sort((a, b) => a - b);
    console.log(fields.join(','), 'median', xs[15]!.toFixed(1), 'ms');
  }
  client.close();
  // the CLI, profiled: GANETI_PROBE_PROF=dir writes a .cpuprofile per run
  const { run } = await import('../../core/exec/index.js');
  const { join } = await import('node:path');
  const { REPO_ROOT } = await import('../helpers/tmp.js');
  for (const args of [['list', '-o', 'name,pnode'], ['list']]) {
    const xs: number[] = [];
    for (let i = 0; i < 15; i++) {
      const t = performance.now();
      const prof = process.env['GANETI_PROBE_PROF'];
      await run([process.execPath, ...(prof && i === 14 ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : []), join(REPO_ROOT, 'dist/cli/gnt-instance.js'), ...args], { env: { GANETI_ROOT: cluster.roots[0]! } });
      xs.push(performance.now() - t);
    }
    xs.sort((a, b) => a - b);
    console.log('cli', args.join(' '), 'median', xs[7]!.toFixed(1), 'ms');
  }
} finally {
  await cluster.destroy();
}
