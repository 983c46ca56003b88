import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { ganetiPaths, type GanetiPaths } from '../../core/paths.js';
import { PluginHost } from '../../core/plugin-host/index.js';
import { memoryLogger } from '../../core/log.js';
import { run, spawnDetached } from '../../core/exec/index.js';
import { writeSsconfFiles } from '../../core/config/ssconf.js';
import { buildNoded, type NodedInstance } from '../../core/daemons/noded.js';
import { certificateDigest, generateClusterCrypto, readKeyAndCert, writeSignedCert } from '../../core/crypto/index.js';
import { RpcClient, type RpcNode, type RpcResult } from '../../core/rpc/index.js';
import { REPO_ROOT, removeDir, tempDir } from '../helpers/tmp.js';

/** Whether this machine lets us bind `address` (the design's 127.0.1.N multi-node scheme). */
async function canBind(address: string): Promise<string | undefined> {
  const s = createServer();
  return new Promise((resolve) => {
    s.once('error', (e) => resolve(`cannot bind ${address} on this machine: ${e.message}`));
    s.listen(0, address, () => s.close(() => resolve(undefined)));
  });
}

/** A port free on `address` right now. */
async function freePort(address: string): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, address, r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

const skip = (await canBind('127.0.1.2')) ?? (await canBind('127.0.1.3'));
if (skip) process.stdout.write(`# skipping the multi-node noded tests: ${skip}\n`);

interface TestNode {
  readonly name: string;
  readonly address: string;
  readonly paths: GanetiPaths;
  readonly log: ReturnType<typeof memoryLogger>;
  app: NodedInstance;
  port: number;
  connections: number;
  running: boolean;
}

const version = 3000000;
let dir: string;
let master: GanetiPaths;
let masterDigest: string;
let client: RpcClient;
const nodes: TestNode[] = [];
const extraClients: RpcClient[] = [];

const rpcNodes = (over: Partial<Record<string, Partial<RpcNode>>> = {}): RpcNode[] =>
  nodes.map((n) => ({ name: n.name, address: n.address, port: n.port, ...over[n.name] }));

const summary = (rs: RpcResult[]) => rs.map((r) => (r.success ? [r.node, true, r.payload] : [r.node, false, r.code]));

/** Copies the cluster certificate to a node root and lists the master's client cert as a candidate's. */
async function prepareNodeRoot(paths: GanetiPaths, from: GanetiPaths = master, digest = masterDigest): Promise<void> {
  await mkdir(paths.dataDir, { recursive: true });
  await copyFile(from.serverPem, paths.serverPem);
  await writeSsconfFiles(paths, { master_candidates_certs: `11111111-2222-3333-4444-555555555555=${digest}` });
}

async function startNode(n: TestNode, port: number): Promise<void> {
  const { keyPem, certPem } = await readKeyAndCert(n.paths.serverPem);
  n.app = await buildNoded({ paths: n.paths, host: new PluginHost({ paths: n.paths }), log: n.log, nodeName: n.name, tls: { key: keyPem, cert: certPem, ca: certPem } });
  await n.app.listen({ host: n.address, port });
  n.port = (n.app.server.address() as { port: number }).port;
  n.app.server.on('secureConnection', () => n.connections++);
  n.running = true;
}

describe('noded over HTTPS on loopback addresses, three nodes', { skip }, () => {
  before(async () => {
    dir = await tempDir('gnt-noded-int-');
    master = ganetiPaths(join(dir, 'master'));
    await generateClusterCrypto(master, { nodeName: 'master.example.com' });
    masterDigest = await certificateDigest(master.clientPem);
    client = await RpcClient.fromPaths(master);
    let port = 0;
    for (let i = 1; i <= 3; i++) {
      const n: TestNode = {
        name: `node${i}.example.com`,
        address: `127.0.1.${i}`,
        paths: ganetiPaths(join(dir, `node${i}`)),
        log: memoryLogger(),
        app: undefined as unknown as NodedInstance,
        port: 0,
        connections: 0,
        running: false,
      };
      await prepareNodeRoot(n.paths);
      // every node on the same port, each on its own address (as with 1811 in a real cluster)
      try {
        await startNode(n, port);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
        await startNode(n, 0);
      }
      port = n.port;
      nodes.push(n);
    }
  });

  after(async () => {
    client?.close();
    for (const c of extraClients) c.close();
    for (const n of nodes) if (n.running) await n.app.close();
    if (dir) await removeDir(dir);
  });

  test('the client fans out to every node and gets a result per node, in order', async () => {
    const results = await client.call('version', rpcNodes());
    assert.deepEqual(summary(results), nodes.map((n) => [n.name, true, version]));
    const verify = await client.call<{ version: [number, string] }>('node_verify', rpcNodes(), [{ version: null }, 'cluster.example.com', {}]);
    for (const r of verify) assert.ok(r.success && r.payload.version[0] === version, JSON.stringify(r));
  });

  test('an offline node is skipped without a connection and reported offline at once', async () => {
    const node2 = nodes[1]!;
    const before = node2.connections;
    const offline = { [node2.name]: { offline: true } };
    const results = await client.call('test_delay', rpcNodes(offline), [0.2]);
    assert.deepEqual(summary(results), [[nodes[0]!.name, true, null], [node2.name, false, 'GNT_RPC_NODE_OFFLINE'], [nodes[2]!.name, true, null]]);
    const r2 = results[1]!;
    assert.ok(!r2.success && r2.offline === true && r2.error.startsWith('Node is marked offline'));
    assert.equal(node2.connections, before);
    // version accepts offline nodes, as Ganeti's ACCEPT_OFFLINE_NODE
    const v = await client.call('version', rpcNodes(offline));
    assert.deepEqual(summary(v), nodes.map((n) => [n.name, true, version]));
  });

  test('write_ssconf_files writes real files on every node', async () => {
    const values = { cluster_name: 'cluster.example.com', node_list: nodes.map((n) => n.name), master_node: 'node1.example.com' };
    const results = await client.call('write_ssconf_files', rpcNodes(), [values]);
    assert.deepEqual(summary(results), nodes.map((n) => [n.name, true, null]));
    for (const n of nodes) {
      assert.equal(await readFile(n.paths.ssconf('cluster_name'), 'utf8'), 'cluster.example.com\n');
      assert.equal(await readFile(n.paths.ssconf('node_list'), 'utf8'), `${nodes.map((x) => x.name).join('\n')}\n`);
      assert.equal((await stat(n.paths.ssconf('master_node'))).mode & 0o777, 0o444);
      // the candidates' certificates were left alone
      assert.match(await readFile(n.paths.ssconf('master_candidates_certs'), 'utf8'), new RegExp(masterDigest));
    }
  });

  test('upload_file copies config.data from the master root to every node; a file off the allow-list is refused', async () => {
    const config = JSON.stringify({ version: 3010000, serial_no: 7, cluster: { cluster_name: 'cluster.example.com', pad: 'y'.repeat(5000) } });
    await mkdir(master.dataDir, { recursive: true });
    await writeFile(master.configData, config, { mode: 0o640 });
    const results = await client.call('upload_file', rpcNodes(), [master.configData]);
    assert.deepEqual(summary(results), nodes.map((n) => [n.name, true, null]));
    const mtime = (await stat(master.configData)).mtimeMs;
    for (const n of nodes) {
      assert.equal(await readFile(n.paths.configData, 'utf8'), config);
      const st = await stat(n.paths.configData);
      assert.equal(st.mode & 0o777, 0o640);
      assert.ok(Math.abs(st.mtimeMs - mtime) < 1);
    }
    const refused = await client.call('upload_file', rpcNodes(), [master.clientPem]);
    for (const r of refused) {
      assert.ok(!r.success && r.code === 'GNT_RPC_REMOTE');
      assert.match(r.error, new RegExp(`call 'upload_file' to node '${r.node.replace(/\./g, '\\.')}' has failed: Filename passed to UploadFile not in allowed upload targets: '/var/lib/ganeti/client.pem'`));
    }
    for (const n of nodes) assert.notEqual(readFileSync(n.paths.serverPem, 'utf8'), readFileSync(master.clientPem, 'utf8'));
  });

  test('a node that does not answer within the timeout gives a failure naming it and the timeout', async () => {
    const node1 = nodes[0]!;
    const started = performance.now();
    const [r] = await client.call('test_delay', rpcNodes().slice(0, 1), [5], { timeoutMs: 300 });
    assert.ok(performance.now() - started < 2000);
    assert.ok(r && !r.success && r.code === 'GNT_RPC_TIMEOUT');
    assert.equal(r.error, `node ${node1.name} (${node1.address}:${node1.port}) did not answer test_delay within 300 ms; the request was abandoned`);
    // the node saw the caller go away and stopped waiting
    for (let i = 0; i < 50 && !node1.log.lines.some((l) => /test_delay.*interrupted/.test(l)); i++) await new Promise((res) => setTimeout(res, 20));
    assert.ok(node1.log.lines.some((l) => /test_delay.*interrupted/.test(l)), node1.log.lines.join('\n'));

    // a peer that accepts connections but never speaks
    const sockets = new Set<Socket>();
    const mute: Server = createServer((s) => sockets.add(s));
    await new Promise<void>((res) => mute.listen(0, '127.0.1.9', res));
    const port = (mute.address() as { port: number }).port;
    try {
      const [m] = await client.call('version', [{ name: 'mute.example.com', address: '127.0.1.9', port }], [], { timeoutMs: 250 });
      assert.ok(m && !m.success && m.code === 'GNT_RPC_TIMEOUT' && m.error.includes('mute.example.com') && m.error.includes('250 ms'));
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((res) => mute.close(res));
    }
  });

  test('a peer without a client certificate of this cluster is refused at the TLS handshake', async () => {
    const foreign = ganetiPaths(join(dir, 'foreign'));
    await generateClusterCrypto(foreign, { nodeName: 'intruder.example.com' });
    const mine = await readKeyAndCert(foreign.clientPem);
    const ours = await readKeyAndCert(master.serverPem);
    // it trusts our cluster certificate, but its own is signed by another cluster
    const intruder = new RpcClient({ tls: { cert: mine.certPem, key: mine.keyPem, ca: ours.certPem } });
    extraClients.push(intruder);
    const before = nodes.map((n) => n.log.lines.filter((l) => l.includes('RPC version')).length);
    const results = await intruder.call('version', rpcNodes());
    for (const r of results) assert.ok(!r.success && r.code === 'GNT_RPC_CONNECT', JSON.stringify(r));
    assert.deepEqual(nodes.map((n) => n.log.lines.filter((l) => l.includes('RPC version')).length), before);

    // no client certificate at all
    const bare = await new Promise<string>((resolve) => {
      const req = httpsRequest({ host: nodes[0]!.address, port: nodes[0]!.port, method: 'POST', path: '/version', ca: ours.certPem, checkServerIdentity: () => undefined });
      req.on('response', (res) => resolve(`HTTP ${res.statusCode}`));
      req.on('error', (e) => resolve(`error: ${e.message}`));
      req.end('[]');
    });
    assert.match(bare, /^error: /);
  });

  test('a certificate of this cluster that is not a master candidate\'s gets 403; the bootstrap rule', async () => {
    const other = join(dir, 'other-client.pem');
    await writeSignedCert(other, master.serverPem, { commonName: 'node9.example.com' });
    const o = await readKeyAndCert(other);
    const ca = (await readKeyAndCert(master.serverPem)).certPem;
    const notCandidate = new RpcClient({ tls: { cert: o.certPem, key: o.keyPem, ca } });
    extraClients.push(notCandidate);
    const [r] = await notCandidate.call('version', rpcNodes().slice(0, 1));
    assert.ok(r && !r.success && r.code === 'GNT_RPC_HTTP');
    assert.equal(r.error, `node ${nodes[0]!.name} refused version with HTTP 403: Client certificate verification failed`);

    // while master_candidates_certs is empty only the cluster certificate itself is accepted
    const node3 = nodes[2]!;
    await writeSsconfFiles(node3.paths, { master_candidates_certs: '' });
    try {
      const bootstrap = await RpcClient.fromPaths(ganetiPaths(node3.paths.root)); // has server.pem only
      extraClients.push(bootstrap);
      const three = rpcNodes().slice(2);
      assert.deepEqual(summary(await bootstrap.call('version', three)), [[node3.name, true, version]]);
      assert.deepEqual(summary(await client.call('version', three)), [[node3.name, false, 'GNT_RPC_HTTP']]);
    } finally {
      await writeSsconfFiles(node3.paths, { master_candidates_certs: `11111111-2222-3333-4444-555555555555=${masterDigest}` });
    }
    assert.deepEqual(summary(await client.call('version', rpcNodes().slice(2))), [[node3.name, true, version]]);
  });

  test('over HTTPS: non-POST is 400, an unknown procedure 404, bad arguments [false, message]', async () => {
    const { certPem, keyPem } = await readKeyAndCert(master.clientPem);
    const ca = (await readKeyAndCert(master.serverPem)).certPem;
    const call = (method: string, path: string, body?: string) =>
      new Promise<[number, string]>((resolve, reject) => {
        const req = httpsRequest({ host: nodes[0]!.address, port: nodes[0]!.port, method, path, cert: certPem, key: keyPem, ca, checkServerIdentity: () => undefined });
        req.on('response', (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve([res.statusCode ?? 0, text]));
        });
        req.on('error', reject);
        req.end(body);
      });
    const [s400, b400] = await call('GET', '/version');
    assert.equal(s400, 400);
    assert.match(b400, /Only the POST method is supported/);
    assert.equal((await call('POST', '/no_such_procedure', '[]'))[0], 404);
    assert.deepEqual(await call('POST', '/node_verify', '[{}, 42, {}]'), [200, JSON.stringify([false, 'invalid arguments for RPC procedure node_verify: argument 1 (cluster_name) must be the cluster name, got number 42'])]);
  });

  test('a stopped node gives a failure naming it; the others still answer', async () => {
    const node3 = nodes[2]!;
    await node3.app.close();
    node3.running = false;
    const results = await client.call('version', rpcNodes());
    assert.deepEqual(summary(results), [[nodes[0]!.name, true, version], [nodes[1]!.name, true, version], [node3.name, false, 'GNT_RPC_CONNECT']]);
    const r3 = results[2]!;
    assert.ok(!r3.success);
    assert.match(r3.error, new RegExp(`^error while contacting node ${node3.name.replace(/\./g, '\\.')} \\(127\\.0\\.1\\.3:${node3.port}\\) for version: .*ECONNREFUSED`));
  });
});

describe('the ganeti-noded command', { skip }, () => {
  let root: string;
  let cliMaster: GanetiPaths;
  let cliDigest: string;
  const pids: number[] = [];
  const bin = join(REPO_ROOT, 'dist', 'cli', 'ganeti-noded.js');
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };
  const waitGone = async (pid: number) => {
    for (let i = 0; i < 300 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(alive(pid), false, `process ${pid} is still running`);
  };

  before(async () => {
    root = await tempDir('gnt-noded-cli-');
    cliMaster = ganetiPaths(join(root, 'master'));
    await generateClusterCrypto(cliMaster, { nodeName: 'master.example.com' });
    cliDigest = await certificateDigest(cliMaster.clientPem);
  });

  after(async () => {
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
    if (root) await removeDir(root);
  });

  test('-f serves HTTPS on -b/-p until SIGTERM; without -f it detaches and returns once the port answers', async () => {
    const c = await RpcClient.fromPaths(cliMaster);
    try {
      // foreground, started detached by the test
      const fg = ganetiPaths(join(root, 'node4'));
      await prepareNodeRoot(fg, cliMaster, cliDigest);
      await mkdir(fg.logDir, { recursive: true });
      const port = await freePort('127.0.1.4');
      const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', GANETI_ROOT: fg.root, GANETI_HOSTNAME: 'node4.example.com' };
      const pid = await spawnDetached([process.execPath, bin, '-f', '-d', '-b', '127.0.1.4', '-p', String(port)], { logFile: fg.daemonLog('node-daemon'), env });
      pids.push(pid);
      const node = { name: 'node4.example.com', address: '127.0.1.4', port };
      let r: RpcResult = { node: node.name, success: false, error: 'not tried', code: 'GNT_INTERNAL' };
      for (let i = 0; i < 200 && !r.success; i++) {
        [r] = (await c.call('version', [node], [], { timeoutMs: 2000 })) as [RpcResult];
        if (!r.success) await new Promise((res) => setTimeout(res, 50));
      }
      assert.deepEqual(summary([r]), [[node.name, true, version]], readFileSync(fg.daemonLog('node-daemon'), 'utf8'));
      assert.equal(readFileSync(join(fg.runDir, 'ganeti-noded.pid'), 'utf8'), `${pid}\n`);
      process.kill(pid, 'SIGTERM');
      await waitGone(pid);
      assert.equal(existsSync(join(fg.runDir, 'ganeti-noded.pid')), false);
      assert.match(readFileSync(fg.daemonLog('node-daemon'), 'utf8'), /listening on 127\.0\.1\.4:\d+ \(HTTPS\) as node node4\.example\.com/);

      // daemonizing
      const bg = ganetiPaths(join(root, 'node5'));
      await prepareNodeRoot(bg, cliMaster, cliDigest);
      const port5 = await freePort('127.0.1.5');
      const started = await run([process.execPath, bin, '-b', '127.0.1.5', '-p', String(port5)], { env: { GANETI_ROOT: bg.root }, timeoutMs: 60_000 });
      assert.equal(started.exitCode, 0, started.all);
      const bgPid = Number(/started \(pid (\d+)\)/.exec(started.stdout)?.[1]);
      assert.ok(bgPid > 0, started.stdout);
      pids.push(bgPid);
      const [v] = await c.call('version', [{ name: 'node5.example.com', address: '127.0.1.5', port: port5 }]);
      assert.deepEqual(summary([v!]), [['node5.example.com', true, version]]);
      process.kill(bgPid, 'SIGTERM');
      await waitGone(bgPid);

      // no certificate: a clear error, exit code 1
      const empty = ganetiPaths(join(root, 'node6'));
      const failed = await run([process.execPath, bin, '-f', '-b', '127.0.1.6', '-p', '0'], { env: { GANETI_ROOT: empty.root }, timeoutMs: 60_000 });
      assert.equal(failed.exitCode, 1);
      assert.match(failed.stderr, /GNT_CRYPTO_BAD_CERT: certificate .*server\.pem is not usable/);
    } finally {
      c.close();
    }
  });
});
