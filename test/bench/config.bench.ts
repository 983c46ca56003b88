import { open, readFile, stat } from 'node:fs/promises';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { randomBytes, randomUUID } from 'node:crypto';
import { ConfigStore, upgradeConfig, type ConfigData, type Disk, type Instance } from '../../core/config/index.js';
import { ganetiPaths } from '../../core/paths.js';
import { removeDir, tempDir } from '../helpers/tmp.js';
import { FIXTURE_30 } from '../unit/config/fixtures.js';
import { report } from './stats.js';

// Issue figures: a durable write (fsync of file and folder included) of a config with 1,000
// nodes and 20,000 instances (with their disks and NICs) in under 150 ms on a 2-core machine.
// Every write below is durable: temp file, fsync, rename, fsync of the folder.
// The benchmark opens many stores of ~100 MB each; a full GC runs before each open so that
// collecting the previous round's store is not billed to the next one (in masterd there is
// only one store). What a round allocates itself (parsing, the write) stays in its figures.
const NODES = Number(process.env['BENCH_NODES'] ?? 1000);
const INSTANCES = Number(process.env['BENCH_INSTANCES'] ?? 20000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 15);
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** The 3.0 fixture's cluster, groups and network, with generated nodes, instances and disks. */
function bigConfig(fixtureText: string): ConfigData {
  const base = upgradeConfig(JSON.parse(fixtureText)).data;
  const groups = Object.keys(base.nodegroups);
  const t0 = 1700000000;
  const nodes: ConfigData['nodes'] = {};
  const nodeIds: string[] = [];
  for (let i = 0; i < NODES; i++) {
    const uuid = randomUUID();
    nodeIds.push(uuid);
    nodes[uuid] = {
      uuid, name: `node${i + 1}.example.org`, primary_ip: `10.${(i >> 8) & 255}.${i & 255}.1`, secondary_ip: `10.128.${(i >> 8) & 255}.${i & 255}`,
      master_candidate: i < 10, offline: false, drained: false, group: groups[i % groups.length]!, master_capable: true,
      vm_capable: true, ndparams: i % 50 === 0 ? { ssh_port: 2222 } : {}, powered: true, hv_state_static: {}, disk_state_static: {},
      tags: i % 7 === 0 ? ['rack:a', `row:${i % 13}`] : [], serial_no: 3 + (i % 17), ctime: t0 + i, mtime: t0 + 1000 + i,
    };
  }
  const instances: ConfigData['instances'] = {};
  const disks: ConfigData['disks'] = {};
  const stamp = (i: number) => ({ serial_no: 1 + (i % 9), ctime: t0 + 5000 + i + 0.123456, mtime: t0 + 9000 + i + 0.654321 });
  for (let i = 0; i < INSTANCES; i++) {
    const uuid = randomUUID();
    const p = nodeIds[i % NODES]!;
    const s = nodeIds[(i + 1) % NODES]!;
    const kind = i % 5 < 2 ? 'drbd' : i % 5 < 4 ? 'plain' : 'file';
    const diskIds: string[] = [];
    for (let d = 0; d < (i % 4 === 0 ? 2 : 1); d++) {
      const id = randomUUID();
      diskIds.push(id);
      const size = 10240 * (1 + (i % 8));
      const common = { uuid: id, iv_name: `disk/${d}`, size, mode: 'rw' as const, params: {}, spindles: 1, ...stamp(i) };
      let disk: Disk;
      if (kind === 'drbd') {
        const child = (suffix: string, sz: number): Disk => ({
          uuid: randomUUID(), dev_type: 'plain', logical_id: ['ganeti', `${id}.disk${d}_${suffix}`], nodes: [p, s], params: {}, size: sz, ...stamp(i),
        });
        disk = {
          ...common, dev_type: 'drbd', nodes: [p, s], children: [child('data', size), child('meta', 128)],
          logical_id: [p, s, 11000 + (i % 20000), i % 100, (i + 1) % 100, randomBytes(20).toString('hex')],
        };
      } else if (kind === 'plain') {
        disk = { ...common, dev_type: 'plain', nodes: [p], logical_id: ['ganeti', `${id}.disk${d}`] };
      } else {
        disk = { ...common, dev_type: 'file', nodes: [p], logical_id: ['loop', `/srv/ganeti/file-storage/inst${i}.example.org/${id}.file.disk${d}`] };
      }
      disks[id] = disk;
    }
    const nics = Array.from({ length: i % 3 === 0 ? 2 : 1 }, (_, n) => ({
      uuid: randomUUID(), mac: `aa:00:01:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}:0${n}`,
      ip: n === 0 ? `172.16.${(i >> 8) & 255}.${i & 255}` : null, network: null, name: `eth${n}`,
      nicparams: n === 0 ? {} : { mode: 'bridged', link: 'br1', vlan: '' },
    }));
    const inst: Instance = {
      uuid, name: `inst${i + 1}.example.org`, primary_node: p, os: 'debootstrap+default', hypervisor: 'kvm',
      hvparams: i % 10 === 0 ? { kernel_path: '', serial_console: true, boot_order: 'disk' } : {},
      beparams: { maxmem: 1024 * (1 + (i % 4)), minmem: 512, vcpus: 1 + (i % 4) },
      osparams: i % 3 === 0 ? { dhcp: 'yes' } : {}, osparams_private: {}, admin_state: i % 20 === 0 ? 'down' : 'up',
      admin_state_source: 'admin', nics, disks: diskIds, disks_active: i % 20 !== 0, network_port: 12000 + (i % 20000),
      tags: i % 5 === 0 ? ['backup:nightly'] : [], ...stamp(i),
    };
    instances[uuid] = inst;
  }
  return {
    ...base,
    cluster: { ...base.cluster, master_node: nodeIds[0]!, candidate_certs: {} },
    nodes,
    instances,
    disks,
    networks: base.networks,
    filters: {},
  } as ConfigData;
}

const root = await tempDir('gnt-config-bench-');
try {
  const paths = ganetiPaths(root);
  const data = bigConfig(await readFile(FIXTURE_30, 'utf8'));
  const instIds = Object.keys(data.instances);

  let t = performance.now();
  const init = await ConfigStore.initialize(paths, data);
  const initMs = performance.now() - t;
  await init.close();
  const size = (await stat(paths.configData)).size;
  process.stdout.write(`config.data: ${NODES} nodes, ${INSTANCES} instances, ${Object.keys(data.disks).length} disks, ${(size / 1048576).toFixed(1)} MiB; initialize ${initMs.toFixed(0)} ms\n`);

  // Reference: one JSON.stringify of the whole config (no I/O).
  const fileText = await readFile(paths.configData, 'utf8');
  const plain = JSON.parse(fileText) as ConfigData;
  const stringify: number[] = [];
  for (let i = 0; i < 5; i++) {
    t = performance.now();
    JSON.stringify(plain);
    stringify.push(performance.now() - t);
  }
  report('JSON.stringify of it all (reference, no I/O)', stringify);

  const ROUNDS = Math.max(3, Math.floor(RUNS / 3));
  // A: a file from Ganeti 3.0, upgraded in memory, so its bytes cannot be reused.
  const ganeti30 = fileText.replace(/"version":3010000/, '"version":3000000');
  // Written and synced, so that its dirty pages are not flushed by the timed write's fsync.
  const put30 = async () => {
    const fh = await open(paths.configData, 'w');
    await fh.writeFile(ganeti30);
    await fh.sync();
    await fh.close();
  };
  const opensA: number[] = [];
  const coldA: number[] = [];
  const prewarms: number[] = [];
  const loopDelay: number[] = [];
  const prewarmedA: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    await put30();
    gc();
    t = performance.now();
    const cold = await ConfigStore.open(paths, { prewarm: false });
    opensA.push(performance.now() - t);
    t = performance.now();
    await cold.update((txn) => void (txn.edit('instances', instIds[r]!).admin_state = 'down'));
    coldA.push(performance.now() - t);
    await cold.close();
    // as a daemon runs: open serialises in the background; the first write comes later
    await put30();
    gc();
    const store = await ConfigStore.open(paths);
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    t = performance.now();
    await store.whenPrewarmed();
    prewarms.push(performance.now() - t);
    h.disable();
    loopDelay.push(h.max / 1e6);
    t = performance.now();
    await store.update((txn) => void (txn.edit('instances', instIds[r]!).admin_state = 'up'));
    prewarmedA.push(performance.now() - t);
    await store.close();
  }
  report('3.0 file: open (parse, check, upgrade, freeze)', opensA);
  report('3.0 file: first write right after open', coldA);
  report('3.0 file: background serialisation', prewarms);
  report('3.0 file:   longest event-loop stall in it', loopDelay);
  report('3.0 file: first write after that', prewarmedA, '< 150 ms');

  // B: a file ganeti-ts wrote: its bytes are the cache from the start.
  const opensB: number[] = [];
  const firstB: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    gc();
    t = performance.now();
    const store = await ConfigStore.open(paths, { prewarm: false });
    opensB.push(performance.now() - t);
    t = performance.now();
    await store.update((txn) => void (txn.edit('instances', instIds[r]!).admin_state = 'down'));
    firstB.push(performance.now() - t);
    await store.close();
  }
  report('3.1 file: open', opensB);
  report('3.1 file: first write right after open', firstB, '< 150 ms');

  gc();
  const store = await ConfigStore.open(paths);
  await store.whenPrewarmed();
  const warm: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const id = instIds[(r * 7919) % instIds.length]!;
    t = performance.now();
    await store.update((txn) => {
      const inst = txn.edit('instances', id);
      inst.beparams['vcpus'] = Number(inst.beparams['vcpus'] ?? 1) + 1;
    });
    warm.push(performance.now() - t);
  }
  report('write after changing one instance', warm, '< 150 ms');
  const burst: number[] = [];
  t = performance.now();
  await Promise.all(instIds.slice(0, RUNS).map((id) => store.update((txn) => void (txn.edit('instances', id).admin_state = 'down'))));
  burst.push((performance.now() - t) / RUNS);
  report(`${RUNS} queued changes, per change`, burst, '< 150 ms');
  await store.close();
} finally {
  await removeDir(root);
}
