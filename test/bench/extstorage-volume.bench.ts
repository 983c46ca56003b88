import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { run } from '../../core/exec/index.js';
import { luxiClient, pollJob, type PollReporter } from '../../cli/common/luxi.js';
import { startLoopbackCluster } from '../helpers/cluster.js';
import { median, report, timeRuns } from './stats.js';

// Issue 5 figure: create, attach, detach and remove of an ExtStorage volume through the
// cluster (four jobs: OP_DISK_CREATE, OP_DISK_ACTIVATE, OP_DISK_DEACTIVATE, OP_DISK_REMOVE,
// each going LUXI → masterd → RPC → noded → the provider's script) against running the same
// four scripts directly with the same environment. The provider is a real one: a sparse
// image file per volume, attached as a loop device. Target: at most 1.3 times direct.
// Two node daemons at 127.0.13.1-2; the volume is made on node2.
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 20);
const SIZE_MIB = 64;

const SCRIPTS: Record<string, string> = {
  create: 'truncate -s "${VOL_SIZE}M" "volumes/$VOL_NAME"',
  attach: 'f="volumes/$VOL_NAME"; d=$(losetup -j "$f" | cut -d: -f1 | head -n1); [ -n "$d" ] || d=$(losetup -f --show "$f"); echo "$d"',
  detach: 'for d in $(losetup -j "volumes/$VOL_NAME" | cut -d: -f1); do losetup -d "$d"; done',
  // Ganeti runs attach before remove (to find the volume), so remove unmaps first
  remove: 'for d in $(losetup -j "volumes/$VOL_NAME" | cut -d: -f1); do losetup -d "$d"; done; rm -f "volumes/$VOL_NAME"',
  grow: 'truncate -s "${VOL_NEW_SIZE}M" "volumes/$VOL_NAME"',
  setinfo: 'exit 0',
  verify: 'exit 0',
};

async function writeProvider(dir: string): Promise<void> {
  await mkdir(join(dir, 'volumes'), { recursive: true });
  for (const [name, body] of Object.entries(SCRIPTS)) {
    await writeFile(join(dir, name), `#!/bin/sh\nset -e\n${body}\n`);
    await chmod(join(dir, name), 0o755);
  }
  await writeFile(join(dir, 'parameters.list'), '');
}

const quiet: PollReporter = { logMessage: () => undefined, notChanged: () => undefined };

const cluster = await startLoopbackCluster({
  prefix: 'gnt-bench-es-',
  masterd: true,
  keyType: 'ec',
  enabledDiskTemplates: ['file', 'ext'],
  nodes: [
    { name: 'node1.example.org', ip: '127.0.13.1' },
    { name: 'node2.example.org', ip: '127.0.13.2' },
  ],
});
try {
  const providerDir = join(cluster.paths[1]!.extstorageSearchPath[0]!, 'loopvol');
  await writeProvider(providerDir);

  // direct: the four scripts as the node runs them (cwd = provider folder, Ganeti's env)
  const direct = async (i: number) => {
    const env = { VOL_NAME: `direct-${process.pid}-${i}.ext.disk0`, VOL_SIZE: String(SIZE_MIB) };
    for (const s of ['create', 'attach', 'detach', 'remove']) {
      const r = await run([join(providerDir, s)], { cwd: providerDir, env, inheritEnv: 'all' });
      if (r.exitCode !== 0) throw new Error(`${s}: ${r.all}`);
    }
  };

  const client = luxiClient(cluster.paths[0]!);
  const job = async (op: { OP_ID: string } & Record<string, unknown>) => {
    const id = await client.submitJob([op]);
    return pollJob(client, id, quiet);
  };
  const perOp: Record<string, number[]> = { create: [], activate: [], deactivate: [], remove: [] };
  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const r = await fn();
    perOp[name]!.push(performance.now() - t0);
    return r;
  };
  const through = async (i: number) => {
    const disk_name = `bench-${i}`;
    await timed('create', () => job({ OP_ID: 'OP_DISK_CREATE', disk_name, disk_template: 'ext', node_name: 'node2.example.org', disk: { size: SIZE_MIB, provider: 'loopvol' } }));
    const [act] = (await timed('activate', () => job({ OP_ID: 'OP_DISK_ACTIVATE', disk_name }))) as [[string, string, string, string[]][]];
    if (!act?.[0]?.[2]?.startsWith('/dev/loop')) throw new Error(`activate gave ${JSON.stringify(act)}`);
    await timed('deactivate', () => job({ OP_ID: 'OP_DISK_DEACTIVATE', disk_name }));
    await timed('remove', () => job({ OP_ID: 'OP_DISK_REMOVE', disk_name }));
  };

  // the node path alone: the master's RPC client → node2's daemon → the ext provider → scripts
  const rpc = await cluster.rpc();
  const node2 = cluster.rpcNodes()[1]!;
  const call = async (proc: string, args: unknown[]) => {
    const r = await rpc.callNode(proc, node2, args);
    if (!r.success) throw new Error(`${proc}: ${r.error}`);
    return r.payload;
  };
  const viaRpc = async (i: number) => {
    const uuid = `rpc-${process.pid}-${i}`;
    const disk = { uuid, dev_type: 'ext', logical_id: ['loopvol', `${uuid}.ext.disk0`], size: SIZE_MIB, params: { access: 'kernelspace' }, iv_name: 'disk/0' };
    await call('blockdev_create', [disk, SIZE_MIB, null, false, '', false]);
    await call('blockdev_assemble', [disk, null, false, 0]);
    await call('blockdev_shutdown', [disk]);
    await call('blockdev_remove', [disk]);
  };

  await direct(-1);
  await viaRpc(-1);
  await through(-1); // warm: connections, compiled schemas
  // interleaved, round by round, so that drift on a shared machine hits the three alike
  const d: number[] = [];
  const c: number[] = [];
  const r: number[] = [];
  // and each measured after a pause, so that none pays for the background work of the one
  // before (the master distributes the config after a disk is added or removed)
  const settle = () => new Promise((res) => setTimeout(res, 150));
  for (let i = 0; i < ROUNDS; i++) {
    await settle();
    d.push(...(await timeRuns(1, () => direct(i))));
    await settle();
    r.push(...(await timeRuns(1, () => viaRpc(i))));
    await settle();
    c.push(...(await timeRuns(1, () => through(i))));
  }
  rpc.close();
  report('4 ExtStorage scripts run directly', d);
  report('the same through the node RPC (blockdev_*)', r, '<= 1.3 x direct');
  process.stdout.write(`ratio (median node RPC / median direct): ${(median(r) / median(d)).toFixed(2)}\n`);
  report('create+attach+detach+remove as jobs', c);
  for (const [name, xs] of Object.entries(perOp)) report(`  ${name} job`, xs.slice(1));
  process.stdout.write(`ratio (median jobs / median direct): ${(median(c) / median(d)).toFixed(2)}\n`);
  client.close();
} finally {
  await cluster.destroy();
}
