import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { run, runChecked } from '../../core/exec/index.js';
import { REPO_ROOT } from '../helpers/tmp.js';
import { startLoopbackCluster } from '../helpers/cluster.js';
import { guestHvparams, testGuest, type Guest } from '../helpers/guest.js';
import { QmpClient } from '../../hypervisors/kvm/qmp.js';
import { median, report } from './stats.js';

// Issue 6 figure: live migration of a 128 MB guest (TCG) on loopback through
// `gnt-instance migrate` (CLI wall time, process start included) against the same migration
// driven by hand over QMP (start the target with -incoming, migrate-set-parameters, migrate,
// poll query-migrate, cont on the target, quit the source). Target: at most 1.5 times.
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 6);
// MiB/s: Ganeti's default migration_bandwidth is 32, where the transfer (about 4 s for 128 MB)
// hides every other cost; 1000 shows the overhead of the cluster path
const BANDWIDTH = Number(process.env['BENCH_BANDWIDTH'] ?? 1000);
const guest = await testGuest();
if (typeof guest === 'string') throw new Error(guest);
const g = guest as Guest;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function qmpWait(path: string): Promise<QmpClient> {
  for (let i = 0; ; i++) {
    try {
      return await QmpClient.connect(path, 2000);
    } catch (e) {
      if (i > 200) throw e;
      await sleep(20);
    }
  }
}

/** The same qemu command line the kvm plugin builds, minus what the cluster adds. */
const qemuArgv = (dir: string, tag: string, incoming?: string) => [
  g.qemu, '-name', `bench-${tag}`, '-machine', 'q35', '-accel', 'tcg', '-smp', '1', '-m', '128', '-pidfile', join(dir, `${tag}.pid`), '-daemonize',
  '-qmp', `unix:${join(dir, `${tag}.qmp`)},server=on,wait=off`, '-serial', 'none', '-display', 'none', '-kernel', g.kernel, '-initrd', g.initrd,
  '-append', 'quiet gmode=wait console=ttyS0,38400', ...(incoming ? ['-incoming', incoming] : []), '-S',
];

async function byHand(round: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'gnt-bench-qmp-'));
  try {
    await runChecked(qemuArgv(dir, 'src'));
    const src = await qmpWait(join(dir, 'src.qmp'));
    await src.execute('cont');
    await sleep(6000); // booted and ticking, as the cluster's guest is when it migrates
    const port = 30000 + (process.pid % 10000) + round;
    const t0 = performance.now();
    await runChecked(qemuArgv(dir, 'dst', `tcp:127.0.0.1:${port}`));
    const dst = await qmpWait(join(dir, 'dst.qmp'));
    await src.execute('migrate-set-parameters', { 'max-bandwidth': BANDWIDTH * 1024 * 1024, 'downtime-limit': 30 });
    await src.execute('migrate', { uri: `tcp:127.0.0.1:${port}` });
    for (;;) {
      const q = await src.execute<{ status: string }>('query-migrate');
      if (q.status === 'completed') break;
      if (q.status === 'failed' || q.status === 'cancelled') throw new Error(`migration ${q.status}`);
      await sleep(20);
    }
    await dst.execute('cont');
    await src.execute('quit').catch(() => undefined);
    const ms = performance.now() - t0;
    await dst.execute('quit').catch(() => undefined);
    src.close();
    dst.close();
    return ms;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const cluster = await startLoopbackCluster({
  prefix: 'gnt-bench-kvm-',
  masterd: true,
  keyType: 'ec',
  enabledHypervisors: ['kvm', 'fake'],
  enabledDiskTemplates: ['diskless', 'sharedfile'],
  nodes: [1, 2].map((n) => ({ name: `node${n}.example.org`, ip: `127.0.13.${40 + n}` })),
});
try {
  const gnt = async (...args: string[]) => {
    const r = await run([process.execPath, join(REPO_ROOT, 'dist/cli/gnt-instance.js'), ...args], { env: { GANETI_ROOT: cluster.roots[0]! }, timeoutMs: 120_000 });
    if (r.exitCode !== 0) throw new Error(`gnt-instance ${args.join(' ')}: ${r.all}`);
  };
  const hv = `kvm:${Object.entries(guestHvparams(g, 'wait', { migration_port: 31000 + (process.pid % 10000), serial_console: false, migration_bandwidth: BANDWIDTH })).map(([k, v]) => `${k}=${String(v)}`).join(',')}`;
  await gnt('add', '-t', 'diskless', '--no-nics', '-n', 'node1.example.org', '-o', 'noop', '-H', hv, 'bench.example.org');
  await sleep(4000);
  const hand: number[] = [];
  const cli: number[] = [];
  let at = 1;
  for (let i = 0; i < ROUNDS; i++) {
    hand.push(await byHand(i));
    const to = at === 1 ? 2 : 1;
    const t0 = performance.now();
    await gnt('migrate', '-f', '-n', `node${to}.example.org`, 'bench.example.org');
    cli.push(performance.now() - t0);
    at = to;
  }
  await gnt('remove', '-f', '--shutdown-timeout', '0', 'bench.example.org');
  report(`live migration by hand over QMP (128 MB TCG guest, ${BANDWIDTH} MiB/s)`, hand);
  report('gnt-instance migrate (CLI wall, same guest)', cli, '<= 1.5 x by hand');
  process.stdout.write(`ratio (median gnt-instance migrate / median by hand): ${(median(cli) / median(hand)).toFixed(2)}\n`);
} finally {
  await cluster.destroy();
}
