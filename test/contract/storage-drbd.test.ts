/**
 * The drbd provider against the DRBD 8.4 shim (test/fixtures/bin/drbdsetup, drbdmeta): two
 * nodes (two roots sharing the shim's state) with real loop devices as the data and meta
 * children. Each test checks the exact commands issued, that the shim accepted them (its
 * syntax table is drbdsetup-84's own, compared below when drbd-utils is installed), and the
 * state the provider then reads back from each node's /proc/drbd.
 */
import { describe, test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GanetiError } from '../../core/errors/index.js';
import { boundRunner, run } from '../../core/exec/index.js';
import { ganetiPaths } from '../../core/paths.js';
import { memoryLogger } from '../../core/log.js';
import { DEFAULT_DISKPARAMS } from '../../core/cluster/defaults.js';
import { PluginHost, builtinSpecs } from '../../core/plugin-host/index.js';
import type { ProviderContext } from '../../core/contracts/context.js';
import type { DeviceAccess, DiskSpec, StorageProvider } from '../../core/contracts/storage.js';
import { drbdDynParams } from '../../storage/drbd/index.js';
import { parseProcDrbd } from '../../storage/drbd/proc-drbd.js';
import { LoopPool, loopUnavailable, type LoopDevice } from '../helpers/loop.js';
import { REPO_ROOT } from '../helpers/tmp.js';

const SHIM_BIN = join(REPO_ROOT, 'test', 'fixtures', 'bin');
const REAL_DRBDSETUP_84 = '/usr/lib/drbd/drbdsetup-84';
const MIB = 1024 * 1024;
const SECRET = 'a3f1c2e4b5d6978812345678';
const hasCode = (code: string) => (e: unknown) => e instanceof GanetiError && e.code === code;
type Argv = readonly string[];

interface TestNode {
  readonly uuid: string;
  readonly ip: string;
  readonly root: string;
  readonly ctx: ProviderContext;
  /** Every command the provider ran on this node, in order. */
  readonly calls: Argv[];
  data: LoopDevice;
  meta: LoopDevice;
}

const unavailable = await loopUnavailable();

let host: PluginHost;
let sp: StorageProvider;
let dir: string;
let shimLog: string;
const pool = new LoopPool();
const abort = new AbortController();
const nodes: TestNode[] = [];
let serial = 0;

async function makeNode(i: number): Promise<TestNode> {
  const root = join(dir, `node${i}`);
  const calls: Argv[] = [];
  const env = { PATH: `${SHIM_BIN}:${process.env['PATH']}`, DRBD_SHIM_STATE: join(dir, 'shim-state.json'), DRBD_SHIM_ROOT: root, DRBD_SHIM_LOG: shimLog };
  const inner = boundRunner(abort.signal, { env });
  const ctx: ProviderContext = {
    signal: abort.signal,
    run: (argv, opts) => {
      calls.push([...argv]);
      return inner(argv, opts);
    },
    log: memoryLogger(),
    paths: ganetiPaths(root),
    nodeName: `node${i}.example.com`,
  };
  // The "loaded module": a /proc/drbd with no minors yet (the shim rewrites it on each call).
  await mkdir(join(root, 'proc'), { recursive: true });
  await writeFile(join(root, 'proc', 'drbd'), 'version: 8.4.11 (api:1/proto:86-101)\n');
  return { uuid: `uuid-node${i}`, ip: `127.0.11.${i}`, root, ctx, calls, data: await pool.create(96), meta: await pool.create(128) };
}

/** A drbd disk between node1 and node2 as each node receives it (dyn_params computed as the master does). */
function pairSpecs(opts: { size?: number; params?: Record<string, unknown>; minors?: [number, number]; noNet?: boolean } = {}): [DiskSpec, DiskSpec] {
  const k = ++serial;
  const [minorA, minorB] = opts.minors ?? [k, 20 + k];
  const logicalId = [nodes[0]!.uuid, nodes[1]!.uuid, 11000 + k, minorA, minorB, SECRET];
  const ipOf = (uuid: string) => (opts.noNet ? null : nodes.find((n) => n.uuid === uuid)!.ip);
  const base = { uuid: `d${process.pid}-${k}`, dev_type: 'drbd', size: opts.size ?? 64, mode: 'rw' as const, params: { ...DEFAULT_DISKPARAMS.drbd, ...opts.params }, logicalId, iv_name: 'disk/0' };
  return [
    { ...base, dyn_params: { ...drbdDynParams(logicalId, nodes[0]!.uuid, ipOf) } },
    { ...base, dyn_params: { ...drbdDynParams(logicalId, nodes[1]!.uuid, ipOf) } },
  ];
}

const children = (n: TestNode): DeviceAccess[] => [{ devPath: n.data.path, uris: [] }, { devPath: n.meta.path, uris: [] }];
const minorOf = (spec: DiskSpec): number => spec.dyn_params!['local-minor'] as number;
const port = (spec: DiskSpec): number => spec.logicalId[2] as number;
const clear = () => nodes.forEach((n) => (n.calls.length = 0));
const drbdCalls = (n: TestNode): Argv[] => n.calls.filter((c) => c[0] === 'drbdsetup' || c[0] === 'drbdmeta');

async function procOf(n: TestNode, minor: number) {
  return parseProcDrbd(await readFile(join(n.root, 'proc', 'drbd'), 'utf8')).minors.get(minor);
}

/** The shim's record of every drbd call: all were accepted (exit 0) unless `allowFailures`. */
async function shimCalls(): Promise<{ node: string; argv: string[]; exit: number }[]> {
  const text = existsSync(shimLog) ? await readFile(shimLog, 'utf8') : '';
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { node: string; argv: string[]; exit: number });
}

/** What assembling from zero must run on `n` (DRBD 8.4 as Ganeti issues it). */
function assembleArgv(n: TestNode, peer: TestNode, spec: DiskSpec, attachExtra: string[] = ['--md-flushes=no'], connectExtra: string[] = []): Argv[] {
  const m = String(minorOf(spec));
  return [
    ['drbdsetup', 'new-resource', `resource${m}`],
    ['drbdsetup', 'new-minor', `resource${m}`, m, '0'],
    ['drbdmeta', `/dev/drbd${m}`, 'v08', n.meta.path, 'flex-external', 'apply-al'],
    ['drbdsetup', 'attach', m, n.data.path, n.meta.path, 'flexible', '--on-io-error=detach', '--size', `${spec.size}m`, ...attachExtra],
    ['drbdsetup', 'disk-options', m, '--resync-rate', '61440'],
    ['drbdsetup', 'new-resource', `resource${m}`],
    ['drbdsetup', 'new-minor', `resource${m}`, m, '0'],
    ['drbdsetup', 'connect', `resource${m}`, `ipv4:${n.ip}:${port(spec)}`, `ipv4:${peer.ip}:${port(spec)}`,
      '--protocol', String(spec.params['protocol']), '--after-sb-0pri', 'discard-zero-changes', '--after-sb-1pri', 'consensus',
      '--cram-hmac-alg', 'md5', '--shared-secret', SECRET, ...connectExtra],
    ['drbdsetup', 'show', m],
  ];
}

/** Creates the disk on both nodes, then assembles the secondary (node2) and the primary (node1). */
async function upPair(specs: [DiskSpec, DiskSpec]): Promise<void> {
  const [a, b] = nodes as [TestNode, TestNode];
  await sp.create(specs[1], { children: children(b), exclusiveStorage: false }, b.ctx);
  await sp.create(specs[0], { children: children(a), exclusiveStorage: false }, a.ctx);
  await sp.assemble(specs[1], { children: children(b), primary: false }, b.ctx);
  await sp.assemble(specs[0], { children: children(a), primary: true }, a.ctx);
}

if (unavailable) test('drbd storage', (t) => t.skip(unavailable));
else
  describe('drbd storage (DRBD 8.4 shim, loop devices as children)', () => {
    let live: [DiskSpec, DiskSpec][] = [];
    const track = (specs: [DiskSpec, DiskSpec]) => (live.push(specs), specs);

    before(async () => {
      dir = await mkdtemp(join(tmpdir(), `gnt-drbd-${process.pid}-`));
      shimLog = join(dir, 'shim-calls.jsonl');
      nodes.push(await makeNode(1), await makeNode(2));
      host = new PluginHost({ paths: ganetiPaths(dir), logFor: () => memoryLogger() });
      await host.load(builtinSpecs(['storage/drbd']));
      sp = host.storage.get('drbd');
    });

    afterEach(async () => {
      for (const specs of live) for (const [i, n] of nodes.entries()) await sp.shutdown(specs[i]!, n.ctx).catch(() => undefined);
      live = [];
      clear();
    });

    after(async () => {
      abort.abort();
      await pool.cleanup();
      await rm(dir, { recursive: true, force: true });
    });

    test('the built-in plugin registers `drbd`: internally mirrored, on lvm-vg, with the drbd disk parameters', () => {
      assert.deepEqual(host.errors, []);
      assert.equal(sp.mirrored, 'internal');
      assert.equal(sp.storageType, 'lvm-vg');
      assert.ok(sp.mirror?.setSyncParams && sp.mirror.pauseResumeSync);
      assert.deepEqual([...host.storage.entry('drbd').paramNames].sort(), Object.keys(DEFAULT_DISKPARAMS["drbd"]!).sort());
    });

    test('drbdDynParams gives each node its own end of the mirror', () => {
      const id = ['nA', 'nB', 11005, 3, 7, 's'];
      const ips: Record<string, string> = { nA: '192.0.2.1', nB: '192.0.2.2' };
      assert.deepEqual(drbdDynParams(id, 'nA', (u) => ips[u]!), { 'local-ip': '192.0.2.1', 'remote-ip': '192.0.2.2', 'local-minor': 3, 'remote-minor': 7 });
      assert.deepEqual(drbdDynParams(id, 'nB', (u) => ips[u]!), { 'local-ip': '192.0.2.2', 'remote-ip': '192.0.2.1', 'local-minor': 7, 'remote-minor': 3 });
      assert.throws(() => drbdDynParams(id, 'nC', (u) => ips[u]!), hasCode('GNT_DISK_SPEC_INVALID'));
    });

    test('create checks the meta device, zeroes it and writes DRBD meta data; no device is configured yet', async () => {
      const [a] = nodes as [TestNode];
      const [spec] = track(pairSpecs());
      const m = minorOf(spec);
      assert.deepEqual(await sp.create(spec, { children: children(a), exclusiveStorage: false }, a.ctx), spec.logicalId);
      assert.deepEqual(a.calls, [
        ['blockdev', '--getsize64', a.meta.path],
        ['dd', 'if=/dev/zero', `of=${a.meta.path}`, 'bs=1048576', 'count=128', 'oflag=direct'],
        ['drbdmeta', '--force', `/dev/drbd${m}`, 'v08', a.meta.path, 'flex-external', 'create-md'],
      ]);
      assert.equal(await sp.attach(spec, a.ctx), null);
    });

    test('assemble on the secondary, then the primary: local disk, resync rate, network; the pair connects', async () => {
      const [a, b] = nodes as [TestNode, TestNode];
      const specs = track(pairSpecs());
      await upPair(specs);
      // create ran first on each node; the rest is the assembly.
      assert.deepEqual(drbdCalls(b).slice(1), assembleArgv(b, a, specs[1]));
      assert.deepEqual(drbdCalls(a).slice(1), assembleArgv(a, b, specs[0]));
      assert.ok((await shimCalls()).every((c) => c.exit === 0), 'the shim accepted every call');
      for (const [i, n] of nodes.entries()) {
        const s = await procOf(n, minorOf(specs[i]!));
        assert.deepEqual([s?.cstate, s?.localRole, s?.peerRole, s?.localDisk, s?.peerDisk], ['Connected', 'Secondary', 'Secondary', 'Inconsistent', 'Inconsistent']);
        const access = { devPath: `/dev/drbd${minorOf(specs[i]!)}`, uris: [], major: 147, minor: minorOf(specs[i]!) };
        assert.deepEqual(await sp.attach(specs[i]!, n.ctx), access);
      }
      // Assembling a device that is already as asked only looks at it.
      clear();
      const again = await sp.assemble(specs[0], { children: children(a), primary: true }, a.ctx);
      assert.equal(again.devPath, `/dev/drbd${minorOf(specs[0])}`);
      assert.deepEqual(a.calls, [['drbdsetup', 'show', String(minorOf(specs[0]))]]);
      assert.equal((await sp.actualSize(specs[0], a.ctx)).size, 64 * MIB);
    });

    test('open forces a new pair primary once, close demotes; the mirror is then healthy', async () => {
      const [a, b] = nodes as [TestNode, TestNode];
      const specs = track(pairSpecs());
      await upPair(specs);
      const m = String(minorOf(specs[0]));
      clear();
      await sp.open!(specs[0], true, a.ctx);
      assert.deepEqual(a.calls, [['drbdsetup', 'primary', m, '--force']]);
      const s = await procOf(a, minorOf(specs[0]));
      assert.deepEqual([s?.cstate, s?.localRole, s?.peerRole, s?.localDisk, s?.peerDisk], ['Connected', 'Primary', 'Secondary', 'UpToDate', 'UpToDate']);
      assert.deepEqual(await sp.syncStatus(specs[0], a.ctx), { dev_path: `/dev/drbd${m}`, major: 147, minor: Number(m), sync_percent: null, estimated_time: null, is_degraded: false, ldisk_status: 1 });
      assert.equal((await sp.syncStatus(specs[1], b.ctx)).is_degraded, false);
      clear();
      await sp.close!(specs[0], a.ctx);
      await sp.open!(specs[0], true, a.ctx);
      assert.deepEqual(a.calls, [['drbdsetup', 'secondary', m], ['drbdsetup', 'primary', m]]);
      // The secondary may not become primary too without a dual-primary connection.
      await assert.rejects(sp.open!(specs[1], false, b.ctx), (e: unknown) => hasCode('GNT_EXEC_FAILED')(e) && /Multiple primaries not allowed/.test((e as Error).message));
    });

    test('disconnectNet leaves both ends StandAlone (degraded); attachNet(multimaster) allows two primaries', async () => {
      const [a, b] = nodes as [TestNode, TestNode];
      const specs = track(pairSpecs());
      await upPair(specs);
      await sp.open!(specs[0], true, a.ctx);
      clear();
      for (const [i, n] of nodes.entries()) await sp.mirror!.disconnectNet(specs[i]!, n.ctx);
      const P = port(specs[0]);
      assert.deepEqual(a.calls, [['drbdsetup', 'disconnect', `ipv4:127.0.11.1:${P}`, `ipv4:127.0.11.2:${P}`]]);
      assert.deepEqual(b.calls, [['drbdsetup', 'disconnect', `ipv4:127.0.11.2:${P}`, `ipv4:127.0.11.1:${P}`]]);
      const st = await sp.syncStatus(specs[0], a.ctx);
      assert.deepEqual([st.is_degraded, st.ldisk_status], [true, 4]);
      clear();
      for (const [i, n] of nodes.entries()) await sp.mirror!.attachNet(specs[i]!, true, n.ctx);
      const m = String(minorOf(specs[0]));
      assert.deepEqual(a.calls, [
        ['drbdsetup', 'new-resource', `resource${m}`],
        ['drbdsetup', 'new-minor', `resource${m}`, m, '0'],
        ['drbdsetup', 'connect', `resource${m}`, `ipv4:127.0.11.1:${P}`, `ipv4:127.0.11.2:${P}`, '--protocol', 'C', '--after-sb-0pri', 'discard-zero-changes',
          '--after-sb-1pri', 'consensus', '--allow-two-primaries', '--cram-hmac-alg', 'md5', '--shared-secret', SECRET],
        ['drbdsetup', 'show', m],
      ]);
      await sp.open!(specs[1], false, b.ctx);
      assert.deepEqual([(await procOf(b, minorOf(specs[1])))?.localRole, (await procOf(b, minorOf(specs[1])))?.peerRole], ['Primary', 'Primary']);
      await assert.rejects(sp.mirror!.attachNet(specs[0], false, a.ctx), hasCode('GNT_DRBD_STATE'));
    });

    test('setSyncParams maps each resync parameter to its drbdsetup flag; pauseResumeSync pauses', async () => {
      const [a] = nodes as [TestNode];
      const specs = track(pairSpecs());
      await upPair(specs);
      const m = String(minorOf(specs[0]));
      clear();
      assert.deepEqual(await sp.mirror!.setSyncParams!(specs[0], { 'resync-rate': 1024 }, a.ctx), []);
      assert.deepEqual(
        await sp.mirror!.setSyncParams!(specs[0], { 'dynamic-resync': true, 'c-plan-ahead': 30, 'c-fill-target': 100, 'c-delay-target': 5, 'c-max-rate': 8000, 'c-min-rate': 250 }, a.ctx),
        [],
      );
      assert.deepEqual(a.calls, [
        ['drbdsetup', 'disk-options', m, '--resync-rate', '1024'],
        ['drbdsetup', 'disk-options', m, '--c-plan-ahead', '30', '--c-fill-target', '100', '--c-delay-target', '5', '--c-max-rate', '8000', '--c-min-rate', '250'],
      ]);
      const shown = (await run(['drbdsetup', 'show', m], { env: { PATH: `${SHIM_BIN}:${process.env['PATH']}`, DRBD_SHIM_STATE: join(dir, 'shim-state.json'), DRBD_SHIM_ROOT: a.root } })).stdout;
      assert.match(shown, /resync-rate\s+1024;/);
      assert.match(shown, /c-plan-ahead\s+30;/);
      clear();
      const [msg, ...more] = await sp.mirror!.setSyncParams!(specs[0], { 'dynamic-resync': true, 'c-plan-ahead': 0 }, a.ctx);
      assert.match(msg!, /c-plan-ahead 0/);
      assert.deepEqual(more, []);
      assert.deepEqual(a.calls, [], 'nothing is run for parameters DRBD would misread');
      await sp.mirror!.pauseResumeSync!(specs[0], true, a.ctx);
      await sp.mirror!.pauseResumeSync!(specs[0], false, a.ctx);
      assert.deepEqual(a.calls, [['drbdsetup', 'pause-sync', m], ['drbdsetup', 'resume-sync', m]]);
      const idle = pairSpecs()[0];
      assert.match((await sp.mirror!.setSyncParams!(idle, {}, a.ctx))[0]!, /not assembled/);
    });

    test('barriers, protocol and custom options reach attach and connect; an option drbdsetup lacks fails', async () => {
      const [a, b] = nodes as [TestNode, TestNode];
      const params = { 'disk-barriers': 'bfd', 'meta-barriers': true, 'protocol': 'B', 'disk-custom': '--al-extents 3389', 'net-custom': "--max-buffers 8000 --verify-alg 'sha1'" };
      const specs = track(pairSpecs({ params }));
      await upPair(specs);
      assert.deepEqual(
        drbdCalls(a).slice(1),
        assembleArgv(a, b, specs[0], ['--md-flushes=no', '--disk-flushes=no', '--disk-drain=no', '--disk-barrier=no', '--al-extents', '3389'], ['--max-buffers', '8000', '--verify-alg', 'sha1']),
      );
      const flushesOnly = track(pairSpecs({ params: { 'disk-barriers': 'f', 'meta-barriers': false } }));
      await sp.create(flushesOnly[0], { children: children(a), exclusiveStorage: false }, a.ctx).catch(() => undefined);
      clear();
      await sp.shutdown(specs[0], a.ctx);
      await sp.create(flushesOnly[0], { children: children(a), exclusiveStorage: false }, a.ctx);
      await sp.assemble(flushesOnly[0], { children: children(a), primary: true }, a.ctx);
      assert.deepEqual(drbdCalls(a).find((c) => c[1] === 'attach')?.slice(9), ['--disk-flushes=no']);
      await sp.shutdown(flushesOnly[0], a.ctx);
      const bogus = track(pairSpecs({ params: { 'disk-custom': '--no-such-option=1' } }));
      await sp.create(bogus[0], { children: children(a), exclusiveStorage: false }, a.ctx);
      await assert.rejects(sp.assemble(bogus[0], { children: children(a), primary: true }, a.ctx), (e: unknown) => {
        assert.ok(hasCode('GNT_EXEC_FAILED')(e));
        assert.match((e as Error).message, /exited with code 10/);
        assert.match((e as Error).message, /unrecognized option '--no-such-option'/);
        return true;
      });
      await assert.rejects(sp.assemble(pairSpecs({ params: { 'disk-barriers': 'bx' } })[0], { children: children(a), primary: true }, a.ctx), hasCode('GNT_PARAM_INVALID'));
    });

    test('grow resizes DRBD only once the backing store has grown, never in a dry run, never down', async () => {
      const [a] = nodes as [TestNode];
      const specs = track(pairSpecs());
      await upPair(specs);
      const m = String(minorOf(specs[0]));
      clear();
      await sp.grow!(specs[0], 32, { dryRun: true, backingStore: false, exclusiveStorage: false }, a.ctx);
      await sp.grow!(specs[0], 32, { dryRun: false, backingStore: true, exclusiveStorage: false }, a.ctx);
      await sp.grow!(specs[0], 32, { dryRun: false, backingStore: false, exclusiveStorage: false }, a.ctx);
      assert.deepEqual(drbdCalls(a).filter((c) => c[1] !== 'show'), [['drbdsetup', 'resize', m, '--size', '96m']]);
      assert.equal((await sp.actualSize(specs[0], a.ctx)).size, 96 * MIB);
      await assert.rejects(sp.grow!(specs[0], -8, { dryRun: false, backingStore: false, exclusiveStorage: false }, a.ctx), hasCode('GNT_DISK_SHRINK'));
    });

    test('removeChildren detaches the local disk (ldisk faulty); addChildren gives it fresh meta data and attaches it', async () => {
      const [a] = nodes as [TestNode];
      const specs = track(pairSpecs());
      await upPair(specs);
      await sp.open!(specs[0], true, a.ctx);
      const m = String(minorOf(specs[0]));
      clear();
      await sp.mirror!.removeChildren(specs[0], [], a.ctx);
      assert.deepEqual(a.calls, [['drbdsetup', 'show', m], ['drbdsetup', 'detach', m]]);
      const st = await sp.syncStatus(specs[0], a.ctx);
      assert.deepEqual([st.is_degraded, st.ldisk_status], [true, 4]);
      clear();
      await sp.mirror!.removeChildren(specs[0], [], a.ctx);
      assert.deepEqual(a.calls, [['drbdsetup', 'show', m]], 'a diskless device has nothing to detach');
      clear();
      await sp.mirror!.addChildren(specs[0], children(a), a.ctx);
      const calls = drbdCalls(a);
      assert.deepEqual(calls[0], ['drbdsetup', 'show', m]);
      const meta = calls[1]!;
      assert.deepEqual([meta[0], meta[1], meta[3], meta[4], meta[5], meta[6]], ['drbdmeta', '--force', 'v08', a.meta.path, 'flex-external', 'create-md']);
      assert.notEqual(meta[2], `/dev/drbd${m}`, 'meta data is written under a minor not in use');
      assert.deepEqual(calls.slice(2), assembleArgv(a, nodes[1]!, specs[0]).slice(0, 5));
      assert.equal((await procOf(a, Number(m)))?.localDisk, 'UpToDate');
      await assert.rejects(sp.mirror!.addChildren(specs[0], children(a), a.ctx), hasCode('GNT_DRBD_STATE'));
    });

    test('shutdown and remove take the resource down; again they do nothing', async () => {
      const [a] = nodes as [TestNode];
      const specs = track(pairSpecs());
      await upPair(specs);
      await sp.open!(specs[0], true, a.ctx);
      const m = minorOf(specs[0]);
      clear();
      await sp.shutdown(specs[0], a.ctx);
      assert.deepEqual(a.calls, [['drbdsetup', 'down', `resource${m}`]]);
      assert.equal(await procOf(a, m), undefined);
      assert.equal(await sp.attach(specs[0], a.ctx), null);
      assert.equal((await procOf(nodes[1]!, minorOf(specs[1])))?.cstate, 'WFConnection', 'the peer waits for us');
      clear();
      await sp.shutdown(specs[0], a.ctx);
      await sp.remove(specs[0], a.ctx);
      assert.deepEqual(a.calls, []);
      await sp.remove(specs[1], nodes[1]!.ctx);
      assert.equal(await sp.attach(specs[1], nodes[1]!.ctx), null);
      await assert.rejects(sp.open!(specs[0], true, a.ctx), hasCode('GNT_DISK_NOT_ASSEMBLED'));
      await assert.rejects(sp.syncStatus(specs[0], a.ctx), hasCode('GNT_DISK_NOT_ASSEMBLED'));
    });

    test('create refuses a minor in use, exclusive storage, and bad ids, before running anything', async () => {
      const [a] = nodes as [TestNode];
      const specs = track(pairSpecs());
      await upPair(specs);
      clear();
      const opts = { children: children(a), exclusiveStorage: false };
      await assert.rejects(sp.create(specs[0], opts, a.ctx), hasCode('GNT_DRBD_MINOR_IN_USE'));
      await assert.rejects(sp.create(pairSpecs()[0], { ...opts, exclusiveStorage: true }, a.ctx), hasCode('GNT_DISK_UNSUPPORTED'));
      await assert.rejects(sp.create(pairSpecs()[0], { children: [], exclusiveStorage: false }, a.ctx), hasCode('GNT_DISK_SPEC_INVALID'));
      const good = pairSpecs()[0];
      const badIds = [good.logicalId.slice(0, 5), ['n', 'n', 11000, 1, 2, 's'], ['a', 'b', 0, 1, 2, 's'], ['a', 'b', 11000, -1, 2, 's'], ['a', 'b', 11000, 1, 2, 'has space']];
      for (const logicalId of badIds) await assert.rejects(sp.create({ ...good, logicalId }, opts, a.ctx), hasCode('GNT_DISK_SPEC_INVALID'), JSON.stringify(logicalId));
      const badDyn = [{ ...good.dyn_params, 'local-minor': 99 }, { ...good.dyn_params, 'remote-ip': '::1' }, { ...good.dyn_params, 'remote-ip': good.dyn_params!['local-ip'] }, {}];
      for (const dyn_params of badDyn) await assert.rejects(sp.create({ ...good, dyn_params }, opts, a.ctx), hasCode('GNT_DISK_SPEC_INVALID'), JSON.stringify(dyn_params));
      assert.deepEqual(a.calls, []);
    });

    test('assembling a configured minor reconnects a lost network, and refuses a minor holding other disks', async () => {
      const [a, b] = nodes as [TestNode, TestNode];
      const specs = track(pairSpecs());
      await upPair(specs);
      await sp.mirror!.disconnectNet(specs[0], a.ctx);
      clear();
      await sp.assemble(specs[0], { children: children(a), primary: true }, a.ctx);
      const full = assembleArgv(a, b, specs[0]);
      assert.deepEqual(a.calls, [full[8], ...full.slice(5)], 'show, then the network part only');
      assert.equal((await procOf(a, minorOf(specs[0])))?.cstate, 'Connected');
      const swapped = [children(a)[1]!, children(a)[0]!];
      await assert.rejects(sp.assemble(specs[0], { children: swapped, primary: true }, a.ctx), (e: unknown) => hasCode('GNT_DRBD_STATE')(e) && /configured for other devices/.test((e as Error).message));
    });

    test('a disk without network (no IPs in dyn_params) assembles standalone', async () => {
      const [a] = nodes as [TestNode];
      const specs = track(pairSpecs({ noNet: true }));
      await sp.create(specs[0], { children: children(a), exclusiveStorage: false }, a.ctx);
      clear();
      await sp.assemble(specs[0], { children: children(a), primary: true }, a.ctx);
      assert.deepEqual(drbdCalls(a), assembleArgv(a, nodes[1]!, specs[0]).slice(0, 5));
      assert.equal((await procOf(a, minorOf(specs[0])))?.cstate, 'StandAlone');
    });

    test('the shim knows exactly the options of the real drbdsetup 8.4', async (t) => {
      if (!existsSync(REAL_DRBDSETUP_84)) return t.skip(`${REAL_DRBDSETUP_84} is absent (install drbd-utils)`);
      const shim = (await import(pathToFileURL(join(SHIM_BIN, 'drbd-shim.mjs')).href)) as { DRBDSETUP_84: Record<string, { args: string[]; options: Record<string, unknown> }> };
      for (const [cmd, spec] of Object.entries(shim.DRBDSETUP_84)) {
        const usage = (await run([REAL_DRBDSETUP_84, 'help', cmd])).stdout;
        const options = [...usage.matchAll(/\[--([\w-]+)/g)].map((x) => x[1]).sort();
        assert.deepEqual(Object.keys(spec.options).sort(), options, cmd);
        assert.match(usage, new RegExp(`drbdsetup-84 ${cmd} `), cmd);
      }
    });
  });

describe('drbd sync status from /proc/drbd', () => {
  let root: string;
  let provider: StorageProvider;
  let ctx: ProviderContext;
  const spec: DiskSpec = {
    uuid: 'golden', dev_type: 'drbd', size: 1024, mode: 'rw', params: {}, logicalId: ['nA', 'nB', 11000, 0, 5, 's'], iv_name: 'disk/0',
    dyn_params: { 'local-ip': '192.0.2.1', 'remote-ip': '192.0.2.2', 'local-minor': 5, 'remote-minor': 0 },
  };
  const HEAD = 'version: 8.4.11 (api:1/proto:86-101)\nGIT-hash: 66145a308421e9c124ec391a7848ac20203bb03c build by buildd@example, 2023-01-01 00:00:00\n';
  const status = async (entry: string) => {
    await writeFile(join(root, 'proc', 'drbd'), `${HEAD} 0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----\n    ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0\n${entry}`);
    return provider.syncStatus(spec, ctx);
  };
  const base = { dev_path: '/dev/drbd5', major: 147, minor: 5 };

  before(async () => {
    root = await mkdtemp(join(tmpdir(), `gnt-drbd-proc-${process.pid}-`));
    await mkdir(join(root, 'proc'));
    const h = new PluginHost({ paths: ganetiPaths(root), logFor: () => memoryLogger() });
    await h.load(builtinSpecs(['storage/drbd']));
    provider = h.storage.get('drbd');
    const ac = new AbortController();
    ctx = { signal: ac.signal, run: boundRunner(ac.signal), log: memoryLogger(), paths: ganetiPaths(root), nodeName: 'node1' };
  });
  after(() => rm(root, { recursive: true, force: true }));

  test('synced and connected: healthy', async () => {
    assert.deepEqual(await status(' 5: cs:Connected ro:Secondary/Primary ds:UpToDate/UpToDate C r-----\n    ns:0 nr:1048576 dw:1048576 dr:0 al:0 bm:64 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0\n'),
      { ...base, sync_percent: null, estimated_time: null, is_degraded: false, ldisk_status: 1 });
  });

  test('resyncing at 37.5% with a finish time: degraded, syncing, seconds left', async () => {
    const entry = ' 5: cs:SyncTarget ro:Secondary/Primary ds:Inconsistent/UpToDate C r-----\n    ns:0 nr:393216 dw:393216 dr:0 al:0 bm:24 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:655360\n' +
      "\t[======>.............] sync'ed: 37.5% (655360/1048576)K\n\tfinish: 0:01:05 speed: 10,080 (10,080) want: 61,440 K/sec\n";
    assert.deepEqual(await status(entry), { ...base, sync_percent: 37.5, estimated_time: 65, is_degraded: true, ldisk_status: 2 });
  });

  test('a resync just starting reports 0%', async () => {
    assert.deepEqual(await status(' 5: cs:WFBitMapT ro:Secondary/Primary ds:Inconsistent/UpToDate C r-----\n'),
      { ...base, sync_percent: 0, estimated_time: null, is_degraded: true, ldisk_status: 2 });
  });

  test('StandAlone: degraded and the local disk counts as faulty', async () => {
    assert.deepEqual(await status(' 5: cs:StandAlone ro:Primary/Unknown ds:UpToDate/DUnknown   r-----\n    ns:0 nr:0 dw:33318 dr:730 al:15 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:d oos:1048320\n'),
      { ...base, sync_percent: null, estimated_time: null, is_degraded: true, ldisk_status: 4 });
  });

  test('Diskless local disk: degraded, ldisk faulty; waiting for the peer: degraded, ldisk ok', async () => {
    assert.deepEqual(await status(' 5: cs:Connected ro:Secondary/Primary ds:Diskless/UpToDate C r-----\n'),
      { ...base, sync_percent: null, estimated_time: null, is_degraded: true, ldisk_status: 4 });
    const wf = await status(' 5: cs:WFConnection ro:Primary/Unknown ds:UpToDate/DUnknown C r-----\n');
    assert.deepEqual([wf.is_degraded, wf.ldisk_status], [true, 1]);
    const outdated = await status(' 5: cs:Connected ro:Secondary/Primary ds:Outdated/UpToDate C r-----\n');
    assert.deepEqual([outdated.is_degraded, outdated.ldisk_status], [true, 3]);
  });

  test('an unconfigured minor is not assembled; a missing or garbled /proc/drbd is an error naming the file', async () => {
    await assert.rejects(status(' 5: cs:Unconfigured\n'), hasCode('GNT_DISK_NOT_ASSEMBLED'));
    await assert.rejects(status(' 5: cs:Connected garbage\n'), hasCode('GNT_DRBD_STATUS_UNREADABLE'));
    await writeFile(join(root, 'proc', 'drbd'), 'not drbd\n');
    await assert.rejects(provider.syncStatus(spec, ctx), (e: unknown) => hasCode('GNT_DRBD_STATUS_UNREADABLE')(e) && (e as Error).message.includes(join(root, 'proc', 'drbd')));
    await rm(join(root, 'proc', 'drbd'));
    await assert.rejects(provider.attach(spec, ctx), (e: unknown) => hasCode('GNT_DRBD_STATUS_UNREADABLE')(e) && /kernel module/.test((e as Error).message));
  });
});
