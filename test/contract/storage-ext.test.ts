import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GanetiError } from '../../core/errors/index.js';
import { boundRunner, run, runChecked } from '../../core/exec/index.js';
import { ganetiPaths } from '../../core/paths.js';
import { memoryLogger } from '../../core/log.js';
import { PluginHost, builtinSpecs } from '../../core/plugin-host/index.js';
import type { ProviderContext } from '../../core/contracts/context.js';
import type { DiskSpec, StorageProvider } from '../../core/contracts/storage.js';
import { REPO_ROOT } from '../helpers/tmp.js';
import { storageContract, type StorageFixture } from './storage.contract.js';
import { parseAttachOutput, uriFor } from '../../storage/ext/attach-output.js';
import { actionEnv, pyStr } from '../../storage/ext/env.js';

// ExtStorage (storage/ext) against the fixture providers of test/fixtures/extstorage: `loop`
// is real (files mapped with losetup), `envdump` records what each script saw, the others
// are broken in one way each.

const MIB = 1024 * 1024;
const FIXTURES = join(REPO_ROOT, 'test/fixtures/extstorage');

const loadHost = async (options: Record<string, unknown> = {}): Promise<PluginHost> => {
  const host = new PluginHost({ paths: ganetiPaths(tmpdir()), logFor: () => memoryLogger() });
  await host.load(builtinSpecs(['storage/ext']).map((s) => ({ ...s, options })));
  return host;
};
let defaultHost: Promise<PluginHost> | undefined;
const ext = async (): Promise<StorageProvider> => (await (defaultHost ??= loadHost())).storage.get('ext');

let serial = 0;

interface ExtFixture extends StorageFixture {
  readonly root: string;
  /** The search path folder holding copies of the fixture providers. */
  readonly esDir: string;
  /** Where the loop provider keeps its volume files (EXTP_DIR). */
  readonly volDir: string;
  readonly ctx: ProviderContext;
  specFor(provider: string, size: number, params?: Record<string, unknown>): DiskSpec;
}

/** A node root under a temp dir with the fixture providers installed in its default search path. */
async function fixture(): Promise<ExtFixture> {
  const root = join(tmpdir(), `gnt-ext-${process.pid}-${++serial}`);
  const abort = new AbortController();
  const paths = ganetiPaths(root);
  const ctx: ProviderContext = { signal: abort.signal, run: boundRunner(abort.signal), log: memoryLogger(), paths, nodeName: 'node1' };
  const esDir = paths.extstorageSearchPath[0]!;
  const volDir = join(root, 'volumes');
  await mkdir(esDir, { recursive: true });
  await mkdir(volDir);
  await runChecked(['cp', '-a', ...(await readdir(FIXTURES)).map((n) => join(FIXTURES, n)), esDir]);
  const specFor = (provider: string, size: number, params: Record<string, unknown> = { dir: volDir }): DiskSpec => {
    const uuid = `e${process.pid}-${serial}-${Math.random().toString(16).slice(2, 8)}`;
    return { uuid, name: null, dev_type: 'ext', size, mode: 'rw', params, logicalId: [provider, `${uuid}.ext.disk0`], iv_name: 'disk/0' };
  };
  return {
    root,
    esDir,
    volDir,
    ctx,
    specFor,
    spec: (size) => specFor('loop', size),
    async cleanup() {
      abort.abort();
      // loop devices of our volume files only (loop devices are global)
      for (const f of await readdir(volDir).catch(() => [] as string[])) {
        const r = await run(['losetup', '-j', join(volDir, f)]);
        for (const dev of r.stdout.split('\n').map((l) => l.split(':')[0]!).filter(Boolean)) await run(['losetup', '-d', dev]);
      }
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Loop devices backed by `file`. */
const loopsOf = async (file: string): Promise<string[]> =>
  (await runChecked(['losetup', '-j', file])).stdout.split('\n').map((l) => l.split(':')[0]!).filter(Boolean);

storageContract('ext', ext, fixture, { hasDevice: true, grows: true, units: false });

const hasCode = (code: string) => (e: unknown) => e instanceof GanetiError && e.code === code;
const rejectsWith = async (p: Promise<unknown>, code: string, ...patterns: RegExp[]): Promise<string> => {
  let message = '';
  await assert.rejects(p, (e: unknown) => {
    assert.ok(hasCode(code)(e), `expected ${code}, got ${String(e)}`);
    message = (e as Error).message;
    for (const re of patterns) assert.match(message, re);
    return true;
  });
  return message;
};
const createOpts = { children: [], exclusiveStorage: false } as const;
const assembleOpts = { children: [], primary: true } as const;
const growOpts = { dryRun: false, backingStore: true, exclusiveStorage: false } as const;

const readEnv = async (dump: string, action: string): Promise<Record<string, string>> => {
  const text = await readFile(join(dump, `${action}.env`), 'utf8');
  return Object.fromEntries(text.split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
};
const volEnv = (env: Record<string, string>) => Object.fromEntries(Object.entries(env).filter(([k]) => /^(VOL_|EXTP_)/.test(k)));

describe('ext storage', () => {
  let sp: StorageProvider;
  let fx: ExtFixture;

  before(async () => {
    sp = await ext();
    fx = await fixture();
  });
  after(() => fx.cleanup());

  test('the built-in plugin registers `ext`: externally mirrored, userspace access, parameter access only', async () => {
    const host = await (defaultHost ??= loadHost());
    assert.deepEqual(host.errors, []);
    assert.deepEqual(host.storage.entry('ext').paramNames, ['access']);
    assert.equal(sp.storageType, 'ext');
    assert.equal(sp.mirrored, 'external');
    assert.equal(sp.userspaceAccess, true);
    assert.deepEqual(host.storage.validateParams('ext', { access: 'userspace' }), { access: 'userspace' });
    assert.throws(() => host.storage.validateParams('ext', { access: 'nfs' }), hasCode('GNT_PARAM_INVALID'));
    assert.throws(() => host.storage.validateParams('ext', { dir: '/x' }), hasCode('GNT_PARAM_UNKNOWN'));
  });

  test('loop provider: create makes the file, assemble maps it on a loop device, shutdown unmaps, remove deletes', async () => {
    const spec = fx.spec(8);
    const file = join(fx.volDir, spec.logicalId[1] as string);
    assert.deepEqual(await sp.create(spec, createOpts, fx.ctx), spec.logicalId);
    assert.equal((await stat(file)).size, 8 * MIB);
    const access = await sp.assemble(spec, assembleOpts, fx.ctx);
    assert.deepEqual(await loopsOf(file), [access.devPath]);
    assert.ok((await stat(access.devPath!)).isBlockDevice());
    assert.equal(typeof access.major, 'number');
    assert.deepEqual(access.uris, [`kvm:file:${file}`]);
    assert.equal(await sp.userspaceUri!(spec, 'KVM', fx.ctx), `file:${file}`);
    assert.equal(await sp.userspaceUri!(spec, 'xen-pvm', fx.ctx), null);
    assert.deepEqual(await sp.actualSize(spec, fx.ctx), { size: 8 * MIB, spindles: null });
    await sp.grow!(spec, 8, growOpts, fx.ctx);
    assert.equal((await stat(file)).size, 16 * MIB);
    assert.deepEqual(await sp.actualSize(spec, fx.ctx), { size: 16 * MIB, spindles: null }, 'the mapped device sees the new size');
    await sp.setInfo!(spec, 'originstname+inst1.example.com', fx.ctx);
    assert.equal(await readFile(`${file}.meta`, 'utf8'), 'originstname+inst1.example.com\n');
    await sp.open!(spec, false, fx.ctx);
    assert.equal(await readFile(`${file}.open`, 'utf8'), 'False\n');
    await sp.close!(spec, fx.ctx);
    await assert.rejects(stat(`${file}.open`), { code: 'ENOENT' });
    assert.deepEqual(await sp.snapshot!(spec, { name: '', size: 0 }, fx.ctx), ['loop', `${spec.logicalId[1]}.snap`]);
    assert.equal((await stat(`${file}.snap`)).size, 16 * MIB);
    await sp.shutdown(spec, fx.ctx);
    assert.deepEqual(await loopsOf(file), []);
    await sp.remove(spec, fx.ctx);
    await assert.rejects(stat(file), { code: 'ENOENT' });
    assert.deepEqual(await loopsOf(file), []);
  });

  test('each action gets exactly Ganeti\'s variables, the inherited environment, and runs in the provider folder', async () => {
    const dump = join(fx.root, `dump-${process.pid}`);
    await mkdir(dump);
    process.env['GNT_EXT_TEST_INHERITED'] = 'from-the-daemon';
    try {
      const spec = { ...fx.specFor('envdump', 10, { dump, 'foo-bar': 'x y', access: 'kernelspace' }), name: 'data-disk' };
      const vol = spec.logicalId[1] as string;
      await sp.create(spec, createOpts, fx.ctx);
      assert.deepEqual(await sp.assemble(spec, assembleOpts, fx.ctx), { uris: [`KVM:rbd:pool/${vol}`, 'lxc:/dev/none'] });
      assert.equal(await sp.userspaceUri!(spec, 'kvm', fx.ctx), `rbd:pool/${vol}`);
      await sp.open!(spec, true, fx.ctx);
      await sp.close!(spec, fx.ctx);
      await sp.grow!(spec, 6, growOpts, fx.ctx);
      await sp.setInfo!(spec, 'originstname+inst 1/x', fx.ctx);
      await sp.snapshot!(spec, { name: 'snap1', size: 10 }, fx.ctx);
      await sp.shutdown(spec, fx.ctx);
      await sp.remove(spec, fx.ctx);

      const common = { VOL_NAME: vol, EXTP_DUMP: dump, 'EXTP_FOO-BAR': 'x y', EXTP_ACCESS: 'kernelspace' };
      const ids = { VOL_CNAME: 'data-disk', VOL_UUID: spec.uuid };
      const expected: Record<string, Record<string, string>> = {
        create: { ...common, ...ids, VOL_SIZE: '10' },
        attach: { ...common, ...ids },
        open: { ...common, ...ids, VOL_OPEN_EXCLUSIVE: 'True' },
        close: { ...common, ...ids },
        grow: { ...common, ...ids, VOL_SIZE: '10', VOL_NEW_SIZE: '16' },
        setinfo: { ...common, ...ids, VOL_METADATA: 'originstname+inst_1_x' },
        snapshot: { ...common, VOL_SNAPSHOT_NAME: 'snap1', VOL_SNAPSHOT_SIZE: '10' },
        detach: { ...common, ...ids },
        remove: { ...common, ...ids },
      };
      for (const [action, vars] of Object.entries(expected)) {
        const env = await readEnv(dump, action);
        assert.deepEqual(volEnv(env), vars, action);
        assert.equal(env['GNT_EXT_TEST_INHERITED'], 'from-the-daemon', `${action} inherits the environment`);
        assert.equal((await readFile(join(dump, `${action}.cwd`), 'utf8')).trim(), join(fx.esDir, 'envdump'), `${action} cwd`);
      }
      await assert.rejects(stat(join(dump, 'verify.env')), { code: 'ENOENT' }, 'verify is never run');
    } finally {
      delete process.env['GNT_EXT_TEST_INHERITED'];
    }
  });

  test('non-attach actions log to <action>-<provider>-<volume>-<timestamp>.log; attach logs nothing', async () => {
    const spec = fx.spec(4);
    const vol = spec.logicalId[1] as string;
    await sp.create(spec, createOpts, fx.ctx);
    await sp.assemble(spec, assembleOpts, fx.ctx);
    await sp.remove(spec, fx.ctx);
    const logs = (await readdir(fx.ctx.paths.extstorageLogDir)).filter((f) => f.includes(vol)).sort();
    assert.equal(logs.length, 2, logs.join(' '));
    assert.match(logs[0]!, new RegExp(`^create-loop-${vol.replace(/\./g, '\\.')}-\\d{4}-\\d\\d-\\d\\d_\\d\\d_\\d\\d_\\d\\d\\.log$`));
    assert.match(logs[1]!, new RegExp(`^remove-loop-${vol.replace(/\./g, '\\.')}-\\d{4}-\\d\\d-\\d\\d_\\d\\d_\\d\\d_\\d\\d\\.log$`));
    assert.equal(await readFile(join(fx.ctx.paths.extstorageLogDir, logs[0]!), 'utf8'), `created ${join(fx.volDir, vol)} (4 MiB)\n`);
  });

  test('a failing script: the error quotes the last 20 lines of its log, and the log holds all of them', async () => {
    const spec = fx.specFor('failing', 4);
    const message = await rejectsWith(sp.create(spec, createOpts, fx.ctx), 'GNT_EXT_SCRIPT_FAILED', /'failing': create of volume '.*' failed \(exited with code 1, log .*create-failing-/);
    const quoted = message.split('last lines of output:\n')[1]!.split('\n');
    assert.deepEqual(quoted, Array.from({ length: 20 }, (_, i) => `create error ${i + 6}`), 'the last 20 lines');
    const log = (await readdir(fx.ctx.paths.extstorageLogDir)).find((f) => f.startsWith(`create-failing-${spec.logicalId[1]}`))!;
    const lines = (await readFile(join(fx.ctx.paths.extstorageLogDir, log), 'utf8')).trimEnd().split('\n');
    assert.equal(lines.length, 50);
    assert.deepEqual([lines[0], lines[24], lines[25]], ['create line 1', 'create line 25', 'create error 1'], 'stdout and stderr both logged');
    await rejectsWith(sp.remove(spec, fx.ctx), 'GNT_EXT_SCRIPT_FAILED', /exited with code 3/, /cannot remove .*: backend is read-only$/);
    await rejectsWith(sp.grow!(spec, 4, growOpts, fx.ctx), 'GNT_EXT_SCRIPT_FAILED', /killed by SIGKILL/, /grow refused/);
  });

  test('an invalid provider is refused before any script runs, naming the file and the problem', async () => {
    const missing = fx.specFor('missing-script', 4);
    await rejectsWith(sp.create(missing, createOpts, fx.ctx), 'GNT_EXT_PROVIDER_INVALID',
      new RegExp(`^ExtStorage provider 'missing-script' is invalid on node node1: File 'grow' under path '${fx.esDir}/missing-script' is missing \\(No such file or directory\\)$`));
    await rejectsWith(sp.attach(fx.specFor('not-executable', 4), fx.ctx), 'GNT_EXT_PROVIDER_INVALID', /File 'attach' under path '.*\/not-executable' is not executable$/);
    await rejectsWith(sp.create(fx.specFor('no-such-provider', 4), createOpts, fx.ctx), 'GNT_EXT_PROVIDER_NOT_FOUND',
      new RegExp(`^ExtStorage provider 'no-such-provider' not found on node node1 \\(search path: ${fx.esDir}\\)$`));
    assert.deepEqual(await readdir(fx.ctx.paths.extstorageLogDir).then((l) => l.filter((f) => /missing-script|no-such/.test(f))), [], 'no script ran, no log');
  });

  test('attach output that names no device, or a file that is not a block device, is an error', async () => {
    const silent = fx.specFor('silent-attach', 4);
    assert.equal(await sp.attach(silent, fx.ctx), null, 'nothing printed: no device');
    await rejectsWith(sp.assemble(silent, assembleOpts, fx.ctx), 'GNT_EXT_ATTACH_OUTPUT', /printed neither a block device nor a userspace URI/);
    await rejectsWith(sp.syncStatus(silent, fx.ctx), 'GNT_DISK_NOT_FOUND');
    const notBlock = fx.specFor('not-block', 4);
    await rejectsWith(sp.assemble(notBlock, assembleOpts, fx.ctx), 'GNT_EXT_ATTACH_OUTPUT',
      new RegExp(`printed ${fx.esDir}/not-block/parameters.list, which is not a block device; its output:\\n`),
      /^debug: mapped nothing$/m, /^\/.*\/not-block\/parameters\.list$/m);
  });

  test('validateDiskParams: the provider must be valid here and take every parameter given', async () => {
    await sp.validateDiskParams!({ provider: 'loop', dir: '/x', access: 'userspace' }, fx.ctx);
    await sp.validateDiskParams!({ provider: 'envdump', 'foo-bar': '1' }, fx.ctx);
    // on blockdev_create the disk's logical id names the provider (params hold no `provider`)
    await sp.validateDiskParams!({ dir: '/x', access: 'kernelspace' }, fx.ctx, fx.spec(4));
    await rejectsWith(sp.validateDiskParams!({ dump: '/x' }, fx.ctx, fx.spec(4)), 'GNT_EXT_PARAM_UNKNOWN', /'loop' does not take parameter 'dump'/);
    await rejectsWith(sp.validateDiskParams!({ provider: 'loop', size2: '1' }, fx.ctx), 'GNT_EXT_PARAM_UNKNOWN',
      /^ExtStorage provider 'loop' does not take parameter 'size2' \(its parameters.list has: dir\)$/);
    await rejectsWith(sp.validateDiskParams!({ dir: '/x' }, fx.ctx), 'GNT_PARAM_MISSING', /provider/);
    await rejectsWith(sp.validateDiskParams!({ provider: 'not-executable' }, fx.ctx), 'GNT_EXT_PROVIDER_INVALID');
    await rejectsWith(sp.validateDiskParams!({ provider: 'nope' }, fx.ctx), 'GNT_EXT_PROVIDER_NOT_FOUND');
  });

  test('diagnose lists every provider folder of the search path, first folder wins; ssconf adds folders', async () => {
    const extra = join(fx.root, 'more-providers'); // ssconf names it as /more-providers: under the node's root
    await mkdir(join(extra, 'loop'), { recursive: true }); // shadowed by the default folder's loop
    await runChecked(['cp', '-a', join(FIXTURES, 'loop'), join(extra, 'loop2')]);
    await writeFile(join(extra, 'stray-file'), '');
    await mkdir(join(extra, '.hidden'));
    await mkdir(fx.ctx.paths.dataDir, { recursive: true });
    await writeFile(fx.ctx.paths.ssconf('extstorage_search_path'), '/more-providers\n/no-such-folder\n');
    try {
      const status = await sp.diagnose!(fx.ctx);
      const byName = new Map(status.map((s) => [s.name, s]));
      assert.deepEqual(status.map((s) => s.name), ['envdump', 'failing', 'hang', 'loop', 'missing-script', 'not-block', 'not-executable', 'silent-attach', 'loop2', 'stray-file']);
      assert.deepEqual(byName.get('loop'), { name: 'loop', path: join(fx.esDir, 'loop'), valid: true, diagnose: '', parameters: [['dir', 'folder holding the volume files']] });
      assert.equal(byName.get('loop2')!.path, join(extra, 'loop2'));
      assert.equal(byName.get('loop2')!.valid, true);
      assert.deepEqual(byName.get('envdump')!.parameters, [['dump', 'folder where the scripts write what they saw'], ['foo-bar', 'a parameter with a dash']]);
      assert.equal(byName.get('missing-script')!.valid, false);
      assert.equal(byName.get('missing-script')!.diagnose, `File 'grow' under path '${join(fx.esDir, 'missing-script')}' is missing (No such file or directory)`);
      assert.equal(byName.get('stray-file')!.valid, false);
      // a provider found through ssconf can be used
      const spec = fx.specFor('loop2', 4);
      await sp.create(spec, createOpts, fx.ctx);
      await sp.remove(spec, fx.ctx);
    } finally {
      await rm(fx.ctx.paths.ssconf('extstorage_search_path'));
    }
  });

  test('snapshot with a provider that has no snapshot script is refused; open/close without scripts are skipped', async () => {
    const spec = fx.specFor('silent-attach', 4);
    await rejectsWith(sp.snapshot!(spec, { name: 's', size: 4 }, fx.ctx), 'GNT_EXT_ACTION_UNSUPPORTED', /has no 'snapshot' script/);
    await sp.open!(spec, true, fx.ctx);
    await sp.close!(spec, fx.ctx);
  });

  test('a script that hangs is killed with its children at the timeout, and the error says so', async () => {
    const host = await loadHost({ timeouts: { create: 0.5 } });
    const quick = host.storage.get('ext');
    const spec = fx.specFor('hang', 4);
    const started = Date.now();
    await rejectsWith(quick.create(spec, createOpts, fx.ctx), 'GNT_EXT_SCRIPT_TIMEOUT', /create of volume '.*' ran past its timeout of 0.5 s and was killed; last lines of output:\nabout to hang$/);
    assert.ok(Date.now() - started < 5000);
    const pids = (await readFile(join(fx.volDir, 'pids'), 'utf8')).trim().split(' ').map(Number);
    assert.equal(pids.length, 2);
    // killed processes are reaped by init a moment later
    const gone = (pid: number) => { try { process.kill(pid, 0); return false; } catch { return true; } };
    const until = Date.now() + 3000;
    while (!pids.every(gone) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    for (const pid of pids) assert.ok(gone(pid), `process ${pid} is gone`);
    await rm(join(fx.volDir, 'pids'));
  });

  test('cancelling the job (ctx.signal) kills the script and its children at once', async () => {
    const abort = new AbortController();
    const ctx: ProviderContext = { ...fx.ctx, signal: abort.signal, run: boundRunner(abort.signal) };
    const spec = fx.specFor('hang', 4);
    const pidsFile = join(fx.volDir, 'pids');
    const pending = sp.create(spec, createOpts, ctx);
    const until = Date.now() + 5000;
    while (!(await stat(pidsFile).catch(() => null)) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    abort.abort();
    await rejectsWith(pending, 'GNT_EXEC_ABORTED');
    const pids = (await readFile(pidsFile, 'utf8')).trim().split(' ').map(Number);
    const gone = (pid: number) => { try { process.kill(pid, 0); return false; } catch { return true; } };
    const end = Date.now() + 3000;
    while (!pids.every(gone) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    for (const pid of pids) assert.ok(gone(pid), `process ${pid} is gone`);
    await rm(pidsFile);
  });

  test('bad plugin options are refused at load', async () => {
    const host = await loadHost({ timeouts: { create: -1 } });
    assert.equal(host.storage.has('ext'), false);
    assert.match(String(host.errors[0]?.message), /timeouts/);
  });

  test('logical ids that are not [provider, volume] are refused before anything runs', async () => {
    for (const logicalId of [['loop'], ['../loop', 'v'], ['loop', 'a/b'], ['loop', '..'], [1, 'v']]) {
      const spec = { ...fx.spec(4), logicalId };
      await rejectsWith(sp.create(spec, createOpts, fx.ctx), 'GNT_DISK_SPEC_INVALID');
    }
    await rejectsWith(sp.create(fx.spec(0), createOpts, fx.ctx), 'GNT_DISK_SPEC_INVALID', /positive whole number/);
  });
});

describe('ext attach output and environment (pure)', () => {
  test('line 1 is the device (empty: userspace only), then URIs; blank lines and CRLF are dropped', () => {
    assert.deepEqual(parseAttachOutput('/dev/loop3\n'), { devPath: '/dev/loop3', uris: [] });
    assert.deepEqual(parseAttachOutput('/dev/loop3\r\nkvm:rbd:p/v\r\n\nXen:phy:/x\n'), { devPath: '/dev/loop3', uris: ['kvm:rbd:p/v', 'Xen:phy:/x'] });
    assert.deepEqual(parseAttachOutput('\nkvm:gluster://h/v\n'), { devPath: null, uris: ['kvm:gluster://h/v'] });
    assert.deepEqual(parseAttachOutput(''), { devPath: null, uris: [] });
  });

  test('the URI for a hypervisor: prefix matched case-insensitively, removed; first match wins; none is null', () => {
    const uris = ['KVM:rbd:pool/a', 'kvm:rbd:pool/b', 'lxc:/dev/x'];
    assert.equal(uriFor(uris, 'kvm'), 'rbd:pool/a');
    assert.equal(uriFor(uris, 'LXC'), '/dev/x');
    assert.equal(uriFor(uris, 'xen-hvm'), null);
    assert.equal(uriFor(['kvmx:nope'], 'kvm'), null);
  });

  test('values render as Python str(); EXTP_ names are only upper-cased', () => {
    assert.deepEqual([pyStr(true), pyStr(false), pyStr(null), pyStr(3), pyStr('a b')], ['True', 'False', 'None', '3', 'a b']);
    const spec: DiskSpec = { uuid: 'u1', name: null, dev_type: 'ext', size: 5, mode: 'rw', params: { 'pool-name': 'p', 'x.y': 1 }, logicalId: ['p', 'v'], iv_name: 'disk/0' };
    assert.deepEqual(actionEnv('snapshot', spec, { provider: 'p', volume: 'v' }, { snapshotName: 's', snapshotSize: 5 }), {
      VOL_NAME: 'v', 'EXTP_POOL-NAME': 'p', 'EXTP_X.Y': '1', VOL_SNAPSHOT_NAME: 's', VOL_SNAPSHOT_SIZE: '5',
    });
    assert.deepEqual(actionEnv('detach', spec, { provider: 'p', volume: 'v' }), { VOL_NAME: 'v', 'EXTP_POOL-NAME': 'p', 'EXTP_X.Y': '1', VOL_UUID: 'u1' }, 'no VOL_CNAME for an unnamed disk');
  });
});
