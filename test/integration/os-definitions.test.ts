import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../core/exec/index.js';
import { REPO_ROOT } from '../helpers/tmp.js';
import { startLoopbackCluster, type LoopbackCluster } from '../helpers/cluster.js';

// OS definitions as script folders on a two-node cluster (127.0.30.1-2, fake hypervisor, file
// disks): the scripts' environment for API 10, 15 and 20 (the create script writes it onto the
// instance's disk), variants, parameters and verify, logs, a failing create, reinstall,
// rename, and gnt-os list/diagnose/info/modify.
let cluster: LoopbackCluster;

const cli = async (tool: string, ...args: string[]) => {
  const r = await run([process.execPath, join(REPO_ROOT, `dist/cli/${tool}.js`), ...args], { env: { GANETI_ROOT: cluster.roots[0]! }, timeoutMs: 60_000 });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr, all: r.all };
};
const inst = (...args: string[]) => cli('gnt-instance', ...args);
const gntOs = (...args: string[]) => cli('gnt-os', ...args);
interface Cfg { instances: Record<string, { name: string; disks: string[]; os: string }>; disks: Record<string, { logical_id: string[] }> }
const config = () => JSON.parse(readFileSync(cluster.paths[0]!.configData, 'utf8')) as Cfg;
const instanceNamed = (name: string) => Object.values(config().instances).find((i) => i.name === name);

/** The environment the last script wrote onto the instance's disk 0 (env | sort, NUL-terminated). */
function diskEnv(name: string): Record<string, string> {
  const i = instanceNamed(name)!;
  const text = readFileSync(config().disks[i.disks[0]!]!.logical_id[1]!).toString('utf8');
  return Object.fromEntries(text.slice(0, text.indexOf('\0')).split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

const DUMP = '#!/bin/sh\n{ env | sort; printf "\\0"; } | dd of="$DISK_0_PATH" conv=notrunc status=none\necho "$0 ran for $INSTANCE_NAME"\n';
interface OsSpec { api: number[]; variants?: string[]; params?: string[]; create?: string; verify?: string; skipOn?: number; missing?: string }
/** Writes an OS definition folder on every node (but leaves `missing` out on node 2). */
function makeOs(name: string, o: OsSpec): void {
  cluster.paths.forEach((p, node) => {
    const dir = join(p.osSearchPath[0]!, name);
    mkdirSync(dir, { recursive: true });
    const files: Record<string, string> = {
      ganeti_api_version: `${o.api.join('\n')}\n`,
      create: o.create ?? DUMP, rename: DUMP, import: '#!/bin/sh\ncat >"$IMPORT_DISK_PATH"\n', export: '#!/bin/sh\ncat "$EXPORT_DISK_PATH"\n',
      verify: o.verify ?? '#!/bin/sh\nexit 0\n',
    };
    if (o.variants) files['variants.list'] = `# variants\n${o.variants.join('\n')}\n`;
    if (o.params) files['parameters.list'] = o.params.map((p) => `${p} the ${p} of the guest`).join('\n') + '\n';
    for (const [f, text] of Object.entries(files)) {
      if (node === 1 && f === o.missing) continue;
      writeFileSync(join(dir, f), text);
      if (!f.includes('.') && f !== 'ganeti_api_version') chmodSync(join(dir, f), 0o755);
    }
  });
}

/** The variables a script may see: Ganeti's, plus what sh itself sets. */
const ALLOWED = /^(PATH|OS_API_VERSION|OS_NAME|OS_VARIANT|DEBUG_LEVEL|OSP_\w+|INSTANCE_\w+|HYPERVISOR|DISK_\w+|NIC_\w+|OLD_INSTANCE_NAME|PWD|SHLVL|_)$/;

before(async () => {
  cluster = await startLoopbackCluster({
    prefix: 'gnt-os-defs-',
    masterd: true,
    keyType: 'ec',
    enabledDiskTemplates: ['file', 'diskless'],
    nodes: [1, 2].map((n) => ({ name: `node${n}.example.org`, ip: `127.0.30.${n}` })),
  });
  makeOs('dump20', { api: [20, 15, 10], variants: ['alpha', 'beta'], params: ['color', 'size'], verify: '#!/bin/sh\n[ "$1" = parameters ] || exit 2\n[ "$OSP_COLOR" != bad ] || { echo "color must not be bad"; exit 1; }\n' });
  makeOs('dump15', { api: [15], variants: ['x'] });
  makeOs('dump10', { api: [10, 5] });
  makeOs('broken', { api: [10], create: '#!/bin/sh\necho "step 1 done"\necho "disk full" >&2\nexit 3\n' });
  makeOs('halfway', { api: [20], params: [], missing: 'verify' });
});
after(async () => {
  await cluster?.destroy();
});

describe('OS definitions (script folders)', () => {
  test('gnt-os list shows each valid OS with its variants; diagnose and info say what each node has', async () => {
    const list = await gntOs('list');
    assert.equal(list.code, 0, list.all);
    assert.deepEqual(list.stdout.trimEnd().split('\n'), ['Name', 'broken', 'dump10', 'dump15+x', 'dump20+alpha', 'dump20+beta', 'noop']);

    const diag = await gntOs('diagnose');
    assert.equal(diag.code, 1, 'halfway is not valid on node2: exit 1');
    const lines = diag.stdout.split('\n');
    assert.ok(lines.includes('OS: dump20 [global status: valid]'), diag.stdout);
    assert.ok(lines.includes('  Variants: [alpha, beta]'));
    assert.ok(lines.includes('  Node: node1.example.org, status: valid (path: /srv/ganeti/os/dump20) [API versions: 20, 15, 10] [variants: alpha, beta] [parameters: color, size] [trusted]'), diag.stdout);
    assert.ok(lines.includes('  Node: node2.example.org, status: valid (path: /srv/ganeti/os/dump10) [API versions: 10, 5] [trusted]'), diag.stdout);
    assert.ok(lines.includes('OS: halfway [global status: partial valid]'), diag.stdout);
    assert.match(diag.stdout, /  Node: node2\.example\.org, status: invalid - 'verify' file not found in OS dir \/srv\/ganeti\/os\/halfway: No such file or directory \(path: \/srv\/ganeti\/os\/halfway\) \[no API versions declared\] \[trusted\]/);

    const info = await gntOs('info', 'dump20');
    assert.equal(info.code, 0, info.all);
    assert.equal(info.stdout, [
      'dump20:', '  - valid: True', '  - hidden: False', '  - blacklisted: False', '  - API versions:', '    - 10', '    - 15', '    - 20',
      '  - variants:', '    - alpha', '    - beta', '  - parameters:', '    - color: the color of the guest', '    - size: the size of the guest', '  - trusted: True', '', ''].join('\n'));
  });

  test('add runs the create script on the primary with Ganeti\'s API 20 environment, and logs it', async () => {
    const add = await inst('add', '-t', 'file', '--disk', '0:size=4M', '-n', 'node2.example.org', '-o', 'dump20+beta', '-O', 'color=red', '--no-start', 'vm1.example.org');
    assert.equal(add.code, 0, add.all);
    assert.match(add.stdout, /running the instance OS create scripts/);
    const env = diskEnv('vm1.example.org');
    const i = instanceNamed('vm1.example.org')!;
    assert.deepEqual(Object.keys(env).filter((k) => !ALLOWED.test(k)), [], 'nothing but Ganeti\'s variables (the environment is reset)');
    assert.equal(env['PATH'], '/sbin:/bin:/usr/sbin:/usr/bin');
    assert.deepEqual(
      [env['OS_API_VERSION'], env['OS_NAME'], env['OS_VARIANT'], env['OSP_COLOR'], env['DEBUG_LEVEL'], env['INSTANCE_NAME'], env['INSTANCE_OS'], env['HYPERVISOR']],
      ['20', 'dump20', 'beta', 'red', '0', 'vm1.example.org', 'dump20+beta', 'fake'],
    );
    assert.equal(env['INSTANCE_UUID'], Object.entries(config().instances).find(([, v]) => v.name === 'vm1.example.org')![0]);
    assert.equal(env['INSTANCE_SECONDARY_NODES'], '');
    assert.equal(env['INSTANCE_BE_maxmem'], '128');
    assert.deepEqual([env['DISK_COUNT'], env['DISK_0_ACCESS'], env['DISK_0_SIZE'], env['DISK_0_BACKEND_TYPE'], env['DISK_0_PATH']], ['1', 'rw', '4', 'file:loop', config().disks[i.disks[0]!]!.logical_id[1]]);
    assert.equal(env['NIC_COUNT'], '1');
    assert.match(env['NIC_0_MAC']!, /^aa:00:00:/);
    assert.equal(env['NIC_0_MODE'], 'bridged');
    assert.ok(!('INSTANCE_REINSTALL' in env) && !('HOME' in env) && !('GANETI_ROOT' in env));
    // the log on the primary, named as Ganeti names it
    const logDir = join(cluster.paths[1]!.logDir, 'os');
    const logs = readdirSync(logDir).filter((f) => /^add-dump20\+beta-vm1\.example\.org-\d{4}-\d\d-\d\d_\d\d_\d\d_\d\d\.log$/.test(f));
    assert.equal(logs.length, 1, readdirSync(logDir).join(' '));
    assert.match(readFileSync(join(logDir, logs[0]!), 'utf8'), /create ran for vm1\.example\.org/);
  });

  test('reinstall runs create again with INSTANCE_REINSTALL=1; API 15 has variants but no OSP_, API 10 neither', async () => {
    const r15 = await inst('reinstall', '-f', '-o', 'dump15+x', 'vm1.example.org');
    assert.equal(r15.code, 0, r15.all);
    let env = diskEnv('vm1.example.org');
    assert.deepEqual([env['OS_API_VERSION'], env['OS_VARIANT'], env['INSTANCE_REINSTALL'], env['INSTANCE_OS']], ['15', 'x', '1', 'dump15+x']);
    assert.deepEqual(Object.keys(env).filter((k) => k.startsWith('OSP_')), []);
    const r10 = await inst('reinstall', '-f', '-o', 'dump10', 'vm1.example.org');
    assert.equal(r10.code, 0, r10.all);
    env = diskEnv('vm1.example.org');
    assert.equal(env['OS_API_VERSION'], '10');
    assert.ok(!('OS_VARIANT' in env));
    assert.equal(instanceNamed('vm1.example.org')!.os, 'dump10');
  });

  test('rename runs the rename script with OLD_INSTANCE_NAME', async () => {
    const r = await inst('rename', '--no-ip-check', '--no-name-check', 'vm1.example.org', 'vm2.example.org');
    assert.equal(r.code, 0, r.all);
    const env = diskEnv('vm2.example.org');
    assert.deepEqual([env['INSTANCE_NAME'], env['OLD_INSTANCE_NAME']], ['vm2.example.org', 'vm1.example.org']);
    assert.ok(readdirSync(join(cluster.paths[1]!.logDir, 'os')).some((f) => f.startsWith('rename-dump10-vm1.example.org-vm2.example.org-')));
  });

  test('bad OS names, variants and parameters are refused before anything is made', async () => {
    const cases: [string[], RegExp][] = [
      [['-o', 'nosuch'], /OS 'nosuch' not found on node node2\.example\.org/],
      [['-o', 'dump20'], /OS 'dump20': the OS name must include a variant \(one of: alpha, beta\)/],
      [['-o', 'dump20+gamma'], /OS 'dump20': it does not support variant 'gamma' \(it has: alpha, beta\)/],
      [['-o', 'dump10+x'], /OS 'dump10': it does not support variants, but 'x' was given/],
      [['-o', 'dump20+alpha', '-O', 'colour=red'], /OS parameters of 'dump20': unknown parameter\(s\) colour \(the OS takes: color, size\)/],
      [['-o', 'dump20+alpha', '-O', 'color=bad'], /its verify script exited with code 1 on node node2\.example\.org:\ncolor must not be bad/],
      [['-o', 'halfway'], /OS 'halfway' is invalid on node node2\.example\.org: 'verify' file not found/],
    ];
    const before = Object.keys(config().instances).length;
    // (the loopback cluster's file storage folder is node 1's, for both nodes)
    const disksBefore = readdirSync(cluster.paths[0]!.fileStorageDir);
    for (const [args, message] of cases) {
      const r = await inst('add', '-t', 'file', '--disk', '0:size=4M', '-n', 'node2.example.org', '--no-start', ...args, 'bad.example.org');
      assert.notEqual(r.code, 0, `${args.join(' ')} was accepted`);
      assert.match(r.stderr, message, args.join(' '));
    }
    assert.equal(Object.keys(config().instances).length, before, 'no instance was added');
    assert.deepEqual(readdirSync(cluster.paths[0]!.fileStorageDir), disksBefore, 'no disk was made');
    // --force-variant takes a variant the OS does not list
    const forced = await inst('add', '-t', 'file', '--disk', '0:size=4M', '-n', 'node1.example.org', '--no-start', '-o', 'dump20+gamma', '--force-variant', 'forced.example.org');
    assert.equal(forced.code, 0, forced.all);
    assert.equal(diskEnv('forced.example.org')['OS_VARIANT'], 'gamma');
    const forcedDisk = config().disks[instanceNamed('forced.example.org')!.disks[0]!]!.logical_id[1]!;
    const rm = await inst('remove', '-f', 'forced.example.org');
    assert.equal(rm.code, 0, rm.all);
    assert.equal(existsSync(forcedDisk), false, `remove removed the disk: ${rm.all}`);
  });

  test('a create script that fails: the job error quotes its log, and the instance and its disk are gone', async () => {
    const disksBefore = readdirSync(cluster.paths[0]!.fileStorageDir);
    const r = await inst('add', '-t', 'file', '--disk', '0:size=4M', '-n', 'node1.example.org', '-o', 'broken', 'vm3.example.org');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /OS 'broken': the create script for instance vm3\.example\.org failed \(exited with code 3, log \/.*\/add-broken-vm3\.example\.org-[\d_-]+\.log\); last lines of its log:\n(.*\n)?step 1 done\ndisk full/);
    assert.equal(instanceNamed('vm3.example.org'), undefined);
    assert.deepEqual(readdirSync(cluster.paths[0]!.fileStorageDir), disksBefore, 'the disk was removed');
  });

  test('gnt-os modify: OS parameters for every instance of an OS, hidden and blacklisted', async () => {
    assert.equal((await gntOs('modify', '-O', 'color=green', 'dump20')).code, 0);
    const add = await inst('add', '-t', 'file', '--disk', '0:size=4M', '-n', 'node1.example.org', '--no-start', '-o', 'dump20+alpha', 'vm4.example.org');
    assert.equal(add.code, 0, add.all);
    assert.equal(diskEnv('vm4.example.org')['OSP_COLOR'], 'green', 'the cluster\'s OS parameters fill the instance\'s');
    assert.equal((await inst('remove', '-f', 'vm4.example.org')).code, 0);

    assert.equal((await gntOs('modify', '--hidden', 'yes', 'dump15')).code, 0);
    assert.equal((await gntOs('modify', '--blacklisted', 'yes', 'dump10')).code, 0);
    assert.deepEqual((await gntOs('list', '--no-headers')).stdout.trimEnd().split('\n'), ['broken', 'dump20+alpha', 'dump20+beta', 'noop']);
    const diag = await gntOs('diagnose');
    assert.ok(diag.stdout.includes('OS: dump15 [global status: valid] [hidden]\n'), diag.stdout);
    assert.ok(diag.stdout.includes('OS: dump10 [global status: valid] [blacklisted]\n'), diag.stdout);
    const refused = await inst('add', '-t', 'file', '--disk', '0:size=4M', '-n', 'node1.example.org', '--no-start', '-o', 'dump10', 'vm5.example.org');
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /Guest OS 'dump10' is not allowed for installation/);
    assert.equal((await gntOs('modify', '--blacklisted', 'no', 'dump10')).code, 0);
    assert.equal((await gntOs('modify', '--hidden', 'no', 'dump15')).code, 0);
    const none = await gntOs('modify', 'dump10');
    assert.equal(none.code, 1);
    assert.match(none.stderr, /At least one of OS parameters or hypervisor parameters must be passed/);
  });
});

test('the OS log folder and the definitions stay on the nodes (cleanup check)', () => {
  assert.ok(existsSync(join(cluster.paths[0]!.osSearchPath[0]!, 'noop', 'create')));
  rmSync(join(cluster.paths[1]!.osSearchPath[0]!, 'halfway'), { recursive: true });
});
