import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { ganetiPaths, type GanetiPaths } from '../../../core/paths.js';
import { PluginHost } from '../../../core/plugin-host/index.js';
import { memoryLogger } from '../../../core/log.js';
import { buildNoded, type NodedInstance } from '../../../core/daemons/noded.js';
import { compressData, toVirtualPath } from '../../../core/rpc/index.js';
import { lookupGroupName } from '../../../core/rpc/ents.js';
import { removeDir, tempDir } from '../../helpers/tmp.js';

let dir: string;
let paths: GanetiPaths;
let app: NodedInstance;
let quits = 0;
const log = memoryLogger();
let me: { user: string; group: string };

/** POSTs a JSON array (or raw text) and returns [status, parsed body or text]. */
async function post(procedure: string, body: unknown, raw = false): Promise<[number, unknown]> {
  const r = await app.inject({ method: 'POST', url: `/${procedure}`, payload: raw ? String(body) : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  return [r.statusCode, r.headers['content-type']?.toString().startsWith('application/json') ? JSON.parse(r.body) : r.body];
}

before(async () => {
  dir = await tempDir('gnt-noded-unit-');
  paths = ganetiPaths(join(dir, 'node1'));
  await mkdir(paths.dataDir, { recursive: true });
  app = await buildNoded({
    paths,
    host: new PluginHost({ paths }),
    log,
    nodeName: 'node1.example.com',
    plugins: () => [{ name: 'ganeti-plugin-x', version: '1.2.3' }],
    verify: (checks) => ('files' in checks ? { files: { checked: true } } : {}),
    onQuit: () => quits++,
  });
  await app.ready();
  me = { user: userInfo().username, group: (await lookupGroupName(userInfo().gid))! };
});

after(async () => {
  await app.close();
  await removeDir(dir);
});

describe('noded HTTP rules (Ganeti\'s lib/server/noded.py)', () => {
  test('only POST: anything else is 400 with Ganeti\'s error page, whatever the path', async () => {
    for (const url of ['/version', '/no_such_thing']) {
      const r = await app.inject({ method: 'GET', url });
      assert.equal(r.statusCode, 400);
      assert.match(r.headers['content-type']!.toString(), /text\/html/);
      assert.match(r.body, /<p>Error code 400\.\n<p>Message: Only the POST method is supported\./);
    }
    assert.equal((await app.inject({ method: 'PUT', url: '/version', payload: '[]' })).statusCode, 400);
  });

  test('an unknown procedure is 404', async () => {
    const [status, body] = await post('no_such_procedure', []);
    assert.equal(status, 404);
    assert.match(String(body), /<p>Error code 404\.\n<p>Message: Not Found\./);
    assert.equal((await post('', []))[0], 404);
  });

  test('a known procedure answers [true, payload]', async () => {
    assert.deepEqual(await post('version', []), [200, [true, 3000000]]);
    assert.deepEqual(await post('test_delay', [0.01]), [200, [true, null]]);
  });

  test('bad arguments: HTTP 200 and [false, message naming the argument]', async () => {
    const [status, body] = await post('test_delay', ['soon']);
    assert.equal(status, 200);
    assert.deepEqual(body, [false, 'invalid arguments for RPC procedure test_delay: argument 0 (duration) must be a number of seconds, got string "soon"']);
    const [, notJson] = await post('version', 'this is not json', true);
    assert.match(String((notJson as unknown[])[1]), /invalid arguments for RPC procedure version: the request body is not JSON/);
    const [, notArray] = await post('version', { a: 1 });
    assert.match(String((notArray as unknown[])[1]), /the arguments must be a JSON array, got an object/);
    // a body without content type is read as JSON all the same
    const r = await app.inject({ method: 'POST', url: '/version', payload: '[]' });
    assert.deepEqual(JSON.parse(r.body), [true, 3000000]);
  });

  test('a handler\'s refusal is [false, its message]; a declared procedure nobody serves says so', async () => {
    assert.deepEqual(await post('test_delay', [-1]), [200, [false, 'test_delay failed on this node: Invalid sleep duration']]);
    const [, body] = await post('hooks_runner', ['cluster-verify', 'pre', {}]);
    assert.deepEqual(body, [false, 'procedure hooks_runner is declared but not available on this node (no module or plugin provides it)']);
  });

  test('a plugin registers its procedure (definition and handler) on the running daemon', async () => {
    app.noded.register(
      { name: 'cloudhv_ping', kind: 'multi', timeout: 'URGENT', args: [{ name: 'text', schema: { type: 'string' }, hint: 'a text' }], result: 'the text', description: 'echo' },
      (args, ctx) => `${ctx.procedure}: ${String(args[0])}`,
      'ganeti-plugin-cloudhv',
    );
    app.noded.register('hooks_runner', () => [['script', 'success', '']]);
    assert.deepEqual(await post('cloudhv_ping', ['hi']), [200, [true, 'cloudhv_ping: hi']]);
    assert.deepEqual(await post('hooks_runner', ['x', 'post', {}]), [200, [true, [['script', 'success', '']]]]);
    assert.ok(app.noded.served().includes('cloudhv_ping'));
    assert.throws(() => app.noded.register('not_declared', () => 1), { code: 'GNT_RPC_CALL_INVALID' });
  });

  test('an unexpected handler error is reported as Ganeti does', async () => {
    app.noded.register({ name: 'broken', kind: 'single', timeout: 'FAST', args: [], result: '-', description: '-' }, () => {
      throw new Error('disk on fire');
    });
    assert.deepEqual(await post('broken', []), [200, [false, 'Error while executing backend function: disk on fire']]);
  });
});

describe('node handlers', () => {
  test('node_info: boot id, and memory and CPUs from /proc per hypervisor asked', async () => {
    const [, body] = await post('node_info', [[], [['fake', {}]]]);
    const [ok, [bootId, storage, hv]] = body as [boolean, [string, unknown[], Record<string, number>[]]];
    assert.equal(ok, true);
    assert.match(bootId, /^[0-9a-f-]{36}$/);
    assert.deepEqual(storage, []);
    assert.equal(hv.length, 1);
    assert.ok(hv[0]!['memory_total']! > 0 && hv[0]!['cpu_total']! > 0);
    assert.equal(hv[0]!['memory_dom0'], hv[0]!['memory_total']! - hv[0]!['memory_free']!);
    const [, lvm] = await post('node_info', [[['lvm-vg', 'xenvg', []]], []]);
    assert.deepEqual(lvm, [false, "node_info failed on this node: storage type 'lvm-vg' does not report space on this node"]);
  });

  test('node_verify: version, plugins with versions, and what the callback adds', async () => {
    const [, body] = await post('node_verify', [{ version: null, files: [] }, 'cluster.example.com', {}]);
    assert.deepEqual(body, [true, { version: [3000000, '0.1.0'], plugins: [{ name: 'ganeti-plugin-x', version: '1.2.3' }], files: { checked: true } }]);
  });

  test('write_ssconf_files writes real ssconf files (0444, newline-terminated)', async () => {
    const [, body] = await post('write_ssconf_files', [{ cluster_name: 'cluster.example.com', node_list: ['node1', 'node2'], offline_nodes: '' }]);
    assert.deepEqual(body, [true, null]);
    assert.equal(await readFile(paths.ssconf('cluster_name'), 'utf8'), 'cluster.example.com\n');
    assert.equal(await readFile(paths.ssconf('node_list'), 'utf8'), 'node1\nnode2\n');
    assert.equal(await readFile(paths.ssconf('offline_nodes'), 'utf8'), '');
    assert.equal((await stat(paths.ssconf('cluster_name'))).mode & 0o777, 0o444);
    const [, bad] = await post('write_ssconf_files', [{ cluster_name: 'x', no_such_key: 'y' }]);
    assert.deepEqual(bad, [false, 'invalid configuration (ssconf values): invalid key(s) no_such_key']);
    assert.equal(await readFile(paths.ssconf('cluster_name'), 'utf8'), 'cluster.example.com\n');
  });

  test('upload_file writes an allowed file with its mode, owner and times', async () => {
    const content = JSON.stringify({ serial_no: 3, pad: 'x'.repeat(2000) });
    const details = ['/var/lib/ganeti/config.data', compressData(content), 0o100640, me.user, me.group, 1_600_000_000, 1_600_000_100.5];
    assert.deepEqual(await post('upload_file', [details]), [200, [true, null]]);
    assert.equal(await readFile(paths.configData, 'utf8'), content);
    const st = await stat(paths.configData);
    assert.equal(st.mode & 0o7777, 0o640);
    assert.equal(st.uid, userInfo().uid);
    assert.equal(Math.round(st.mtimeMs), 1_600_000_100_500);
    assert.deepEqual((await readdir(paths.dataDir)).filter((n) => n.endsWith('.tmp')), []);
    // the seven values as arguments
    const single = ['/var/lib/ganeti/rapi/users', compressData('admin secret write\n'), null, me.user, me.group, null, null];
    assert.deepEqual(await post('upload_file_single', single), [200, [true, null]]);
    assert.equal(await readFile(paths.rapiUsers, 'utf8'), 'admin secret write\n');
    assert.equal((await stat(paths.rapiUsers)).mode & 0o777, 0o600);
  });

  test('upload_file refuses the node\'s own state, copyfile targets from a non-master, a way out of the root, an unknown owner', async () => {
    const file = (path: string, user = me.user) => [[path, compressData('x'), 0o644, user, me.group, null, null]];
    for (const path of ['/var/lib/ganeti/server.pem', '/var/lib/ganeti/ssconf_master_node', '/var/run/ganeti/ganeti-masterd.pid', '/var/lock/x']) {
      const [status, body] = await post('upload_file', file(path));
      assert.equal(status, 200);
      assert.deepEqual(body, [false, `Filename passed to UploadFile not in allowed upload targets: '${path}'`], path);
    }
    // other paths are gnt-cluster copyfile targets, which only the master's certificate may write
    for (const path of ['/etc/passwd', '/var/lib/ganeti/../../../etc/cron.d/evil', `${paths.configData}`]) {
      const [status, body] = await post('upload_file', file(path));
      assert.equal(status, 200);
      assert.deepEqual(body, [false, "upload_file is accepted only from the master node's certificate"], path);
    }
    assert.equal(existsSync(paths.under('/etc/passwd')), false);
    assert.equal(existsSync(paths.under('/etc/cron.d/evil')), false);
    const [, unknownUser] = await post('upload_file', file('/var/lib/ganeti/known_hosts', 'no-such-user-here'));
    assert.match(String((unknownUser as unknown[])[1]), /unknown user 'no-such-user-here'/);
    const [, relative] = await post('upload_file', file('var/lib/ganeti/known_hosts'));
    assert.match(String((relative as unknown[])[1]), /argument 0 \(file_name\)/);
  });

  test('job queue replication stays inside the queue folder', async () => {
    const job = toVirtualPath(paths, join(paths.queueDir, 'job-1'));
    assert.deepEqual(await post('jobqueue_update', [job, compressData('{"id": 1}')]), [200, [true, null]]);
    assert.equal(await readFile(join(paths.queueDir, 'job-1'), 'utf8'), '{"id": 1}');
    assert.equal((await stat(join(paths.queueDir, 'job-1'))).mode & 0o777, 0o640);
    const archived = '/var/lib/ganeti/queue/archive/0/job-1';
    assert.deepEqual(await post('jobqueue_rename', [[[job, archived]]]), [200, [true, [null]]]);
    assert.equal(existsSync(join(paths.queueArchiveDir, '0', 'job-1')), true);
    const [, outside] = await post('jobqueue_update', ['/var/lib/ganeti/config.data', compressData('{}')]);
    assert.match(String((outside as unknown[])[1]), /does not belong to the queue directory/);
    const [, sneaky] = await post('jobqueue_rename', [[[archived, '/var/lib/ganeti/queue/../server.pem']]]);
    assert.match(String((sneaky as unknown[])[1]), /does not belong to the queue directory/);
    assert.deepEqual(await post('jobqueue_set_drain_flag', [true]), [200, [true, null]]);
    assert.equal(existsSync(join(paths.queueDir, 'drain')), true);
    await writeFile(join(paths.queueDir, 'lock'), '');
    assert.deepEqual(await post('jobqueue_purge', []), [200, [true, null]]);
    assert.deepEqual((await readdir(paths.queueDir)).sort(), ['archive', 'lock']);
  });

  test('node_leave_cluster removes the cluster files, answers, then asks the daemon to stop', async () => {
    await writeFile(paths.serverPem, 'x');
    await writeFile(paths.hmacKey, 'y');
    const before = quits;
    assert.deepEqual(await post('node_leave_cluster', [false]), [200, [true, 'Shutdown scheduled']]);
    assert.equal(quits, before + 1);
    assert.deepEqual((await readdir(paths.dataDir)).filter((n) => !['queue', 'rapi'].includes(n)), []);
  });
});
