import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../core/exec/index.js';
import { REPO_ROOT } from '../helpers/tmp.js';
import { startLoopbackCluster, type LoopbackCluster } from '../helpers/cluster.js';
import { guestHvparams, testGuest, type Guest } from '../helpers/guest.js';

// kvm instances through the whole path: gnt-instance → masterd → node daemons → the kvm
// plugin → real qemu under TCG, on two node daemons (127.0.26.1-2) sharing the cluster's
// sharedfile folder, so a live migration moves a running guest between them.
const guest = await testGuest();
const skip = typeof guest === 'string' ? guest : false;
if (skip) process.stdout.write(`# kvm cluster tests skipped: ${skip}\n`);
let cluster: LoopbackCluster;

const cli = async (tool: string, ...args: string[]) => {
  const r = await run([process.execPath, join(REPO_ROOT, `dist/cli/${tool}.js`), ...args], { env: { GANETI_ROOT: cluster.roots[0]! }, timeoutMs: 120_000 });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr, all: r.all };
};
const inst = (...args: string[]) => cli('gnt-instance', ...args);
const serialLog = (node: number, name: string) => join(cluster.paths[node]!.runDir, 'kvm-hypervisor/ctrl', `${name}.serial.log`);
const ticks = (node: number, name: string) => (existsSync(serialLog(node, name)) ? [...readFileSync(serialLog(node, name), 'utf8').matchAll(/TICK (\d+)/g)].map((m) => Number(m[1])) : []);
async function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const hvOption = () => `kvm:${Object.entries(guestHvparams(guest as Guest, 'wait', { migration_port: 20000 + (process.pid % 10000), migration_bandwidth: 1000 })).map(([k, v]) => `${k}=${String(v)}`).join(',')}`;

before(async () => {
  if (skip) return;
  cluster = await startLoopbackCluster({
    prefix: 'gnt-inst-kvm-',
    masterd: true,
    keyType: 'ec',
    enabledHypervisors: ['kvm', 'fake'],
    enabledDiskTemplates: ['sharedfile', 'diskless'],
    nodes: [1, 2].map((n) => ({ name: `node${n}.example.org`, ip: `127.0.26.${n}` })),
  });
});
after(async () => {
  if (!cluster) return;
  await inst('remove', '-f', '--shutdown-timeout', '0', 'vm1.example.org').catch(() => undefined);
  await cluster.destroy();
});

test('gnt-instance add runs a kvm guest; list, console, live migrate, a qemu that dies, shutdown', { skip }, async () => {
  const add = await inst('add', '-t', 'sharedfile', '--disk', '0:size=16M', '--no-nics', '-n', 'node1.example.org', '-o', 'noop', '-H', hvOption(), 'vm1.example.org');
  assert.equal(add.code, 0, add.all);
  await waitFor(() => ticks(0, 'vm1.example.org').length >= 2, 90_000, 'the guest to tick');
  const list = await inst('list', '--no-headers', '--separator=|', '-o', 'name,hypervisor,pnode,status,oper_ram,network_port');
  assert.match(list.stdout, /^vm1\.example\.org\|kvm\|node1\.example\.org\|running\|128\|\d+\n$/);

  // the console: ssh to the primary running socat on the serial socket
  const con = await inst('console', '--show-cmd', 'vm1.example.org');
  assert.equal(con.code, 0, con.all);
  const sock = join(cluster.paths[0]!.runDir, 'kvm-hypervisor/ctrl/vm1.example.org.serial');
  assert.equal(con.stdout.trim(), `ssh -oBatchMode=yes -oEscapeChar=none -t -q root@127.0.26.1 /usr/bin/socat STDIO,raw,echo=0,escape=0x1d UNIX-CONNECT:${sock}`);
  // and that socket is the guest's console: what comes out of it is the guest ticking
  const tail = await run(['timeout', '3', 'socat', '-u', `UNIX-CONNECT:${sock}`, 'STDOUT']);
  assert.match(tail.stdout, /TICK \d+/);

  // live migration to node2: the guest keeps counting there
  const before = Math.max(...ticks(0, 'vm1.example.org'));
  const mig = await inst('migrate', '-f', '-n', 'node2.example.org', 'vm1.example.org');
  assert.equal(mig.code, 0, mig.all);
  assert.match(mig.stdout, /memory transfer progress|migrating instance to node2/);
  await waitFor(() => ticks(1, 'vm1.example.org').some((t) => t > before), 45_000, 'the guest to tick on node2').catch((e: unknown) => {
    const log = existsSync(serialLog(1, 'vm1.example.org')) ? readFileSync(serialLog(1, 'vm1.example.org'), 'utf8').slice(-500) : '(no serial log on node2)';
    throw new Error(`${String(e)}; source ticked up to ${before}; node2's console: ${log}`);
  });
  assert.equal(ticks(1, 'vm1.example.org').includes(1), false, 'not rebooted: the counter carried on');
  assert.equal((await inst('list', '--no-headers', '--separator=|', '-o', 'pnode,status', 'vm1.example.org')).stdout, 'node2.example.org|running\n');

  // qemu dies: the instance is seen as down where it should run
  const pid = Number(readFileSync(join(cluster.paths[1]!.runDir, 'kvm-hypervisor/pid/vm1.example.org'), 'utf8'));
  process.kill(pid, 'SIGKILL');
  await waitFor(() => true, 0, '');
  let status = '';
  for (let i = 0; i < 50 && status !== 'ERROR_down'; i++) {
    status = (await inst('list', '--no-headers', '-o', 'status', 'vm1.example.org')).stdout.trim();
    if (status !== 'ERROR_down') await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(status, 'ERROR_down');
  const start = await inst('startup', 'vm1.example.org');
  assert.equal(start.code, 0, start.all);
  assert.equal((await inst('list', '--no-headers', '-o', 'status', 'vm1.example.org')).stdout.trim(), 'running');

  // shutdown: the guest has just started booting and may not hear the ACPI button yet, so a
  // short timeout ends in a kill, as Ganeti does, with a warning
  const stop = await inst('shutdown', '--timeout', '1', 'vm1.example.org');
  assert.equal(stop.code, 0, stop.all);
  assert.equal((await inst('list', '--no-headers', '-o', 'status', 'vm1.example.org')).stdout.trim(), 'ADMIN_down');
  assert.equal((await inst('remove', '-f', 'vm1.example.org')).code, 0);
});
