import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../../core/exec/index.js';
import { ganetiPaths, type GanetiPaths } from '../../core/paths.js';
import { joinAccept, joinHello } from '../../core/cluster/join-client.js';
import { parseJoinToken } from '../../core/cluster/join-token.js';
import { REPO_ROOT, removeDir, tempDir } from '../helpers/tmp.js';
import { alive } from '../helpers/masterd.js';
import { until } from './support.js';

// A cluster of four nodes built as an admin would, every daemon a real process: `gnt-cluster
// init` on node1, `ganeti-noded --join` on fresh roots for node2..node4, `gnt-node add
// --join-token` on the master; then role changes, removal and readd.
const NODES = [1, 2, 3, 4].map((i) => ({ name: `node${i}.example.org`, ip: `127.0.3.${20 + i}` }));
const ADMIN_SECRET = 'a1'.repeat(32); // node3 is given its secret by the admin
let top: string;
let roots: string[];
let paths: GanetiPaths[];
const tokens: string[] = [];
const started = new Set<number>();

const envOf = (i: number) => ({ GANETI_ROOT: roots[i]!, GANETI_HOSTNAME: NODES[i]!.name, GANETI_NODE_IP: NODES[i]!.ip, TZ: 'UTC', PATH: process.env['PATH'] ?? '' });
const cli = async (i: number, bin: string, ...args: string[]) => {
  const r = await run([process.execPath, join(REPO_ROOT, 'dist/cli', `${bin}.js`), ...args], { env: envOf(i), timeoutMs: 90_000 });
  return { code: r.exitCode, out: r.stdout, err: r.stderr };
};
const master = (bin: string, ...args: string[]) => cli(0, bin, ...args);

const pidOf = (p: GanetiPaths, daemon: string): number | null => {
  const f = join(p.runDir, `${daemon}.pid`);
  return existsSync(f) ? Number(readFileSync(f, 'utf8')) : null;
};
const remember = (p: GanetiPaths) => {
  for (const d of ['ganeti-noded', 'ganeti-masterd']) {
    const pid = pidOf(p, d);
    if (pid) started.add(pid);
  }
};

async function startJoin(i: number, ...extra: string[]): Promise<string> {
  const r = await cli(i, 'ganeti-noded', '--join', '-b', NODES[i]!.ip, ...extra);
  remember(paths[i]!);
  assert.equal(r.code, 0, r.out + r.err);
  const m = /^Join token: (gntjoin1_\S+)$/m.exec(r.out);
  assert.ok(m, r.out);
  assert.match(r.out, new RegExp(`^  gnt-node add --join-token ${m[1]} ${NODES[i]!.name}$`, 'm'));
  return m[1]!;
}

async function stopNoded(i: number): Promise<void> {
  const pid = pidOf(paths[i]!, 'ganeti-noded');
  if (pid === null || !alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  await until(`noded of ${NODES[i]!.name} to stop`, () => !alive(pid), 15_000);
}

const roles = async () => {
  const r = await master('gnt-node', 'list', '--no-headers', '-o', 'name,role');
  assert.equal(r.code, 0, r.err);
  return r.out.trim().split('\n').map((l) => l.split(/\s+/).join(' '));
};
const ssconf = (i: number, key: string) => readFileSync(paths[i]!.ssconf(key), 'utf8');
const serialOf = (i: number) => (JSON.parse(readFileSync(paths[i]!.configData, 'utf8')) as { serial_no: number }).serial_no;
const add = (i: number, ...opts: string[]) => master('gnt-node', 'add', '--primary-ip', NODES[i]!.ip, ...opts, NODES[i]!.name);

/** A hook script on node i that writes its environment to <top>/<out>-<GANETI_NODE_NAME>. */
async function recordingHook(i: number, dir: string, out: string): Promise<void> {
  const d = join(paths[i]!.hooksDir, dir);
  await mkdir(d, { recursive: true });
  await writeFile(join(d, '10-record'), `#!/bin/sh\nenv | sort > ${top}/${out}-$GANETI_NODE_NAME\n`);
  await chmod(join(d, '10-record'), 0o755);
}
const hookEnv = (name: string) => readFileSync(join(top, name), 'utf8').trim().split('\n');

before(async () => {
  top = await tempDir('gnt-node-join-');
  roots = NODES.map((n) => join(top, n.name));
  paths = roots.map((r) => ganetiPaths(r));
  const init = await master('gnt-cluster', 'init', '-C', '3', 'cluster.example.org');
  remember(paths[0]!);
  assert.equal(init.code, 0, init.out + init.err);
  // hook scripts: node-add's pre phase runs on the existing nodes, its post phase on the new one too
  await recordingHook(0, 'node-add-pre.d', 'pre-on-node1');
  await recordingHook(3, 'node-add-post.d', 'post-on-node4');
  tokens[1] = await startJoin(1);
  tokens[2] = await startJoin(2, '--join-token', ADMIN_SECRET);
  tokens[3] = await startJoin(3);
});

after(async () => {
  for (const p of paths ?? []) remember(p);
  for (const pid of started) if (alive(pid)) process.kill(pid, 'SIGTERM');
  for (const pid of started) await until(`process ${pid} to exit`, () => !alive(pid), 15_000).catch(() => process.kill(pid, 'SIGKILL'));
  if (top) await removeDir(top);
});

test('a join token with a wrong fingerprint or secret is refused; the node logs the refusal; nothing changes', async () => {
  const t = parseJoinToken(tokens[1]!);
  const otherFp = `gntjoin1_${t.secret}_${'0'.repeat(64)}`;
  const fp = await add(1, '--join-token', otherFp);
  assert.equal(fp.code, 1, fp.out + fp.err);
  assert.match(fp.err, /GNT_JOIN_FINGERPRINT: node node2\.example\.org presented a certificate with SHA-256 fingerprint [0-9a-f]{64}, the join token names 0{64}; nothing was sent/);
  const wrongSecret = `gntjoin1_${'b'.repeat(64)}_${t.fingerprint}`;
  const ws = await add(1, '--join-token', wrongSecret);
  assert.equal(ws.code, 1);
  assert.match(ws.err, /error type: wrong_input[\s\S]*GNT_JOIN_REFUSED: node node2\.example\.org refused to join: the node could not prove it knows the join secret/);
  // a master that skips the node's proof and sends the files with a wrong secret: the node refuses and logs it
  const session = await joinHello({ name: NODES[1]!.name, address: NODES[1]!.ip, port: 1811 }, t);
  await assert.rejects(joinAccept({ ...session, token: { ...t, secret: 'c'.repeat(64) } }, { 'server.pem': 'x', 'client.pem': 'y' }, {}), { code: 'GNT_JOIN_REFUSED', message: /refused to join: wrong join secret/ });
  assert.match(readFileSync(paths[1]!.daemonLog('node-daemon'), 'utf8'), /WARN \[noded\] refused join request from \S+: wrong join secret/);
  const bad = await add(1, '--join-token', 'not-a-token');
  assert.equal(bad.code, 1);
  assert.match(bad.err, /GNT_JOIN_TOKEN_INVALID/);
  // without a token, a node in join mode does not answer with the cluster certificate
  const none = await add(1);
  assert.equal(none.code, 1);
  assert.match(none.err, /GNT_NODE_UNREACHABLE: node node2\.example\.org cannot be reached: .*needs --join-token/);
  assert.deepEqual(await roles(), ['node1.example.org M']);
  assert.equal(existsSync(paths[1]!.serverPem), false);
});

test('nodes join with their tokens: candidates hold config.data at the master serial, every node has ssconf', async () => {
  const a2 = await add(1, '--join-token', tokens[1]!);
  assert.equal(a2.code, 0, a2.out + a2.err);
  assert.match(a2.out, / - INFO: Node will be a master candidate$/m);
  // node3 was given its secret by the admin: the bare secret is enough (the node proves it)
  const a3 = await add(2, '--join-token', ADMIN_SECRET);
  assert.equal(a3.code, 0, a3.out + a3.err);
  await writeFile(join(top, 'token4'), `${tokens[3]}\n`);
  const g = await master('gnt-group', 'add', 'rack2');
  assert.equal(g.code, 0, g.out + g.err);
  const a4 = await add(3, '--join-token-file', join(top, 'token4'), '-g', 'rack2');
  assert.equal(a4.code, 0, a4.out + a4.err);
  assert.doesNotMatch(a4.out, /master candidate/);
  assert.deepEqual(await roles(), ['node1.example.org M', 'node2.example.org C', 'node3.example.org C', 'node4.example.org R']);
  // node-add hooks ran where Ganeti runs them, with its environment
  const pre = hookEnv('pre-on-node1-node4.example.org');
  for (const v of ['GANETI_HOOKS_PHASE=pre', 'GANETI_HOOKS_PATH=node-add', 'GANETI_OP_CODE=OP_NODE_ADD', 'GANETI_OBJECT_TYPE=NODE',
    'GANETI_NODE_NAME=node4.example.org', `GANETI_NODE_PIP=${NODES[3]!.ip}`, 'GANETI_MASTER=node1.example.org', 'GANETI_CLUSTER=cluster.example.org'])
    assert.ok(pre.includes(v), `${v} in ${pre.join(' ')}`);
  const post = hookEnv('post-on-node4-node4.example.org');
  assert.ok(post.includes('GANETI_HOOKS_PHASE=post') && post.includes('GANETI_POST_NODE_NAME=node4.example.org'), post.join(' '));
  assert.ok(post.every((l) => l.startsWith('GANETI_') || l.startsWith('PATH=') || l.startsWith('PWD=') || l.startsWith('SHLVL=') || l.startsWith('_=')), post.join(' '));
  const again = await add(1);
  assert.equal(again.code, 1);
  assert.equal(again.err, "Node node2.example.org already in the cluster (as node2.example.org) - please retry with '--readd'\n");

  const serial = serialOf(0);
  const serverPem = readFileSync(paths[0]!.serverPem, 'utf8');
  for (const i of [1, 2, 3]) {
    assert.equal(readFileSync(paths[i]!.serverPem, 'utf8'), serverPem, `server.pem of ${NODES[i]!.name}`);
    assert.equal(existsSync(join(paths[i]!.dataDir, 'join-token')), false);
    assert.equal(ssconf(i, 'node_list'), `${NODES.map((n) => n.name).join('\n')}\n`);
    assert.equal(ssconf(i, 'master_candidates_certs'), ssconf(0, 'master_candidates_certs'));
    const verify = await run(['openssl', 'verify', '-CAfile', paths[0]!.serverPem, paths[i]!.clientPem]);
    assert.equal(verify.exitCode, 0, verify.all);
  }
  assert.equal(ssconf(0, 'master_candidates_certs').trim().split('\n').length, 3);
  assert.equal(serialOf(1), serial);
  assert.equal(serialOf(2), serial);
  assert.equal(existsSync(paths[3]!.configData), false);
  const v = await master('gnt-cluster', 'verify');
  assert.equal(v.code, 0, v.out + v.err);
  const byGroup = await master('gnt-node', 'list', '--no-headers', '-o', 'name', '-g', 'default');
  assert.deepEqual(byGroup.out.trim().split('\n'), ['node1.example.org', 'node2.example.org', 'node3.example.org']);
  const rack2 = await master('gnt-node', 'list', '--no-headers', '-o', 'name,group', '-g', 'rack2');
  assert.deepEqual(rack2.out.trim().split('\n').map((l) => l.split(/\s+/).join(' ')), ['node4.example.org rack2']);
});

test('gnt-node modify follows the role rules: one state at a time, never the master, the pool kept full', async () => {
  const two = await master('gnt-node', 'modify', '-C', 'yes', '-O', 'yes', 'node3.example.org');
  assert.equal(two.code, 1);
  assert.match(two.err, /error type: wrong_input[\s\S]*can't set the node into more than one state at the same time/);
  const m = await master('gnt-node', 'modify', '-O', 'yes', 'node1.example.org');
  assert.equal(m.code, 1);
  assert.match(m.err, /GNT_NODE_IS_MASTER: node node1\.example\.org is the master node: its role can be changed only via master-failover/);
  const none = await master('gnt-node', 'modify', 'node2.example.org');
  assert.equal(none.code, 1);
  assert.equal(none.err, 'Please give at least one of the parameters.\n');

  const short = await master('gnt-node', 'modify', '-C', 'no', 'node2.example.org');
  assert.equal(short.code, 1);
  assert.match(short.err, /error type: wrong_state[\s\S]*not enough master candidates, please pass auto promote option/);
  const demote = await master('gnt-node', 'modify', '-C', 'no', '--auto-promote', 'node2.example.org');
  assert.equal(demote.code, 0, demote.out + demote.err);
  assert.match(demote.out, / - INFO: Promoted nodes to master candidate role: node4\.example\.org$/m);
  assert.match(demote.out, /^Modified node node2\.example\.org\n - master_candidate -> False\n$/m);
  assert.deepEqual(await roles(), ['node1.example.org M', 'node2.example.org R', 'node3.example.org C', 'node4.example.org C']);
  assert.equal(existsSync(paths[1]!.configData), false, 'a demoted node moves its config.data aside');
  assert.equal(serialOf(3), serialOf(0), 'the promoted node holds the current config.data');
  const uuids = ssconf(0, 'master_candidates_certs');
  assert.equal(uuids.trim().split('\n').length, 3);

  const drain = await master('gnt-node', 'modify', '-D', 'yes', 'node2.example.org');
  assert.equal(drain.out, 'Modified node node2.example.org\n - drained -> True\n');
  const off = await master('gnt-node', 'modify', '-O', 'yes', 'node2.example.org');
  assert.equal(off.out, 'Modified node node2.example.org\n - drained -> False\n - offline -> True\n');
  assert.deepEqual((await roles())[1], 'node2.example.org O');
  assert.equal(ssconf(3, 'offline_nodes'), 'node2.example.org\n');
  const on = await master('gnt-node', 'modify', '-O', 'no', 'node2.example.org');
  assert.equal(on.code, 0, on.err);
  assert.match(on.out, / - WARNING: Transitioning node from offline to online state without using re-add/);
  assert.match(on.out, /^Modified node node2\.example\.org\n - offline -> False\n$/m);
  const cap = await master('gnt-node', 'modify', '--master-capable', 'no', 'node2.example.org');
  assert.equal(cap.out, 'Modified node node2.example.org\n - master_capable -> False\n');
  const mc = await master('gnt-node', 'modify', '-C', 'yes', 'node2.example.org');
  assert.equal(mc.code, 1);
  assert.match(mc.err, /GNT_NODE_STATE: node node2\.example\.org: it is not master capable/);
  assert.equal((await master('gnt-cluster', 'verify')).code, 0);
});

test('gnt-node remove: the node daemon leaves (files gone, process ended), the others forget it', async () => {
  const m = await master('gnt-node', 'remove', 'node1.example.org');
  assert.equal(m.code, 1);
  assert.match(m.err, /GNT_NODE_IS_MASTER: .*failover to another node is required/);
  const pid = pidOf(paths[1]!, 'ganeti-noded')!;
  const r = await master('gnt-node', 'remove', 'node2.example.org');
  assert.equal(r.code, 0, r.out + r.err);
  await until('the removed node daemon to exit', () => !alive(pid), 15_000);
  const left = readdirSync(paths[1]!.dataDir).filter((f) => !f.startsWith('.') && f !== 'queue' && f !== 'crypto');
  assert.deepEqual(left, []);
  for (const i of [0, 2, 3]) assert.equal(ssconf(i, 'node_list'), 'node1.example.org\nnode3.example.org\nnode4.example.org\n');
  assert.deepEqual(await roles(), ['node1.example.org M', 'node3.example.org C', 'node4.example.org C']);
  const gone = await master('gnt-node', 'remove', 'node2.example.org');
  assert.equal(gone.code, 1);
  assert.match(gone.err, /GNT_NODE_UNKNOWN: node_name: node node2\.example\.org is not in the configuration/);
});

test('readd: a reinstalled node joins again with a new token; a running member is readded without one', async () => {
  // node3 is reinstalled: its daemon stops, its files are wiped, it waits to join again
  await stopNoded(2);
  await rm(paths[2]!.dataDir, { recursive: true, force: true });
  const token = await startJoin(2);
  const noReadd = await add(2, '--join-token', token);
  assert.equal(noReadd.code, 1);
  assert.match(noReadd.err, /please retry with '--readd'/);
  const r = await add(2, '--readd', '--join-token', token);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, / - INFO: Readding a node, the offline\/drained flags were reset$/m);
  assert.equal(serialOf(2), serialOf(0));
  // node4's daemon still serves the cluster certificate: readd without a token
  const r4 = await master('gnt-node', 'readd', '--primary-ip', NODES[3]!.ip, NODES[3]!.name); // = add --readd
  assert.equal(r4.code, 0, r4.out + r4.err);
  assert.deepEqual(await roles(), ['node1.example.org M', 'node3.example.org C', 'node4.example.org C']);
  const v = await master('gnt-cluster', 'verify');
  assert.equal(v.code, 0, v.out + v.err);
  const notThere = await master('gnt-node', 'add', '--readd', 'node9.example.org');
  assert.equal(notThere.err, "Node node9.example.org not in the cluster - please retry without '--readd'\n");
});

test('gnt-cluster modify -C: a larger pool promotes nodes at once, a smaller one demotes nobody', async () => {
  const shrink = await master('gnt-cluster', 'modify', '-C', '1');
  assert.equal(shrink.code, 0, shrink.out + shrink.err);
  assert.deepEqual(await roles(), ['node1.example.org M', 'node3.example.org C', 'node4.example.org C']);
  const demote = await master('gnt-node', 'modify', '-C', 'no', NODES[3]!.name);
  assert.equal(demote.code, 0, demote.out + demote.err);
  assert.deepEqual(await roles(), ['node1.example.org M', 'node3.example.org C', 'node4.example.org R']);
  const grow = await master('gnt-cluster', 'modify', '-C', '5');
  assert.equal(grow.code, 0, grow.out + grow.err);
  assert.match(grow.out, /Promoted nodes to master candidate role: node4\.example\.org/);
  assert.deepEqual(await roles(), ['node1.example.org M', 'node3.example.org C', 'node4.example.org C']);
  await until('node4 to hold config.data at the master serial', () => existsSync(paths[3]!.configData) && serialOf(3) === serialOf(0));
  assert.equal(ssconf(3, 'master_candidates_certs').trim().split('\n').length, 3);
});
