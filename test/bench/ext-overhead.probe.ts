import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { run } from '../../core/exec/index.js';
import { startLoopbackCluster } from '../helpers/cluster.js';

// Probe (not a figure): what one ExtStorage call costs through the node RPC beyond its
// script, with scripts that do nothing (attach prints a block device that exists).
const cluster = await startLoopbackCluster({ prefix: 'gnt-probe-ext-', keyType: 'ec', enabledDiskTemplates: ['ext'], nodes: [{ name: 'node1.example.org', ip: '127.0.23.31' }] });
try {
  const dir = join(cluster.paths[0]!.extstorageSearchPath[0]!, 'noop');
  await mkdir(dir, { recursive: true });
  for (const s of ['create', 'attach', 'detach', 'remove', 'grow', 'setinfo', 'verify']) {
    await writeFile(join(dir, s), s === 'attach' ? '#!/bin/sh\necho /dev/loop0\n' : '#!/bin/sh\nexit 0\n');
    await chmod(join(dir, s), 0o755);
  }
  await writeFile(join(dir, 'parameters.list'), '');
  const rpc = await cluster.rpc();
  const node = cluster.rpcNodes()[0]!;
  const stat = (label: string, xs: number[]) => {
    xs.sort((a, b) => a - b);
    console.log(label.padEnd(28), 'median', xs[Math.floor(xs.length / 2)]!.toFixed(2), 'ms');
  };
  const direct: number[] = [];
  for (let i = 0; i < 100; i++) {
    const t = performance.now();
    await run([join(dir, 'create')], { cwd: dir, env: { VOL_NAME: 'x', VOL_SIZE: '4' }, inheritEnv: 'all' });
    direct.push(performance.now() - t);
  }
  stat('script run directly', direct);
  const per: Record<string, number[]> = { blockdev_create: [], blockdev_assemble: [], blockdev_shutdown: [], blockdev_remove: [] };
  for (let i = 0; i < 100; i++) {
    const disk = { uuid: `p${i}`, dev_type: 'ext', logical_id: ['noop', `p${i}.ext.disk0`], size: 4, params: { access: 'kernelspace' }, iv_name: 'disk/0' };
    for (const [proc, args] of [['blockdev_create', [disk, 4, null, false, '', false]], ['blockdev_assemble', [disk, null, false, 0]], ['blockdev_shutdown', [disk]], ['blockdev_remove', [disk]]] as const) {
      const t = performance.now();
      const r = await rpc.callNode(proc, node, [...args]);
      if (!r.success) throw new Error(`${proc}: ${r.error}`);
      per[proc]!.push(performance.now() - t);
    }
  }
  for (const [k, xs] of Object.entries(per)) stat(k, xs);
  rpc.close();
} finally {
  await cluster.destroy();
}

// the same calls in this process, without RPC: the node-side work alone
{
  const { PluginHost, builtinSpecs } = await import('../../core/plugin-host/index.js');
  const { blockdevHandlers } = await import('../../core/node/index.js');
  const { memoryLogger } = await import('../../core/log.js');
  const { ganetiPaths } = await import('../../core/paths.js');
  const { mkdtemp } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const root = await mkdtemp(join(tmpdir(), 'gnt-probe-ext-inproc-'));
  const paths = ganetiPaths(root);
  const dir = join(paths.extstorageSearchPath[0]!, 'noop');
  await mkdir(dir, { recursive: true });
  for (const s of ['create', 'attach', 'detach', 'remove', 'grow', 'setinfo', 'verify']) {
    await writeFile(join(dir, s), s === 'attach' ? '#!/bin/sh\necho /dev/loop0\n' : '#!/bin/sh\nexit 0\n');
    await chmod(join(dir, s), 0o755);
  }
  await writeFile(join(dir, 'parameters.list'), '');
  const host = new PluginHost({ paths, logFor: () => memoryLogger() });
  await host.load(builtinSpecs(['storage/ext']));
  const h = blockdevHandlers({ paths, host, log: memoryLogger(), nodeName: 'n1' });
  const per: Record<string, number[]> = { blockdev_create: [], blockdev_assemble: [], blockdev_shutdown: [], blockdev_remove: [] };
  const signal = new AbortController().signal;
  for (let i = 0; i < 100; i++) {
    const disk = { uuid: `q${i}`, dev_type: 'ext', logical_id: ['noop', `q${i}.ext.disk0`], size: 4, params: { access: 'kernelspace' }, iv_name: 'disk/0' };
    for (const [proc, args] of [['blockdev_create', [disk, 4, null, false, '', false]], ['blockdev_assemble', [disk, null, false, 0]], ['blockdev_shutdown', [disk]], ['blockdev_remove', [disk]]] as const) {
      const t = performance.now();
      await h[proc]!([...args], { signal } as never);
      per[proc]!.push(performance.now() - t);
    }
  }
  for (const [k, xs] of Object.entries(per)) {
    xs.sort((a, b) => a - b);
    console.log(`in-process ${k}`.padEnd(28), 'median', xs[50]!.toFixed(2), 'ms');
  }
}
