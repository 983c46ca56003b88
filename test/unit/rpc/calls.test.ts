import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GanetiError } from '../../../core/errors/index.js';
import {
  COMPRESS_THRESHOLD,
  RPC_TIMEOUTS,
  RpcCallTable,
  compressData,
  createRpcCallTable,
  decompressData,
  localizeVirtualPath,
  parseAnswer,
  rpcPayload,
  toVirtualPath,
} from '../../../core/rpc/index.js';
import { ganetiPaths } from '../../../core/paths.js';

const code = (c: string, message?: RegExp) => (e: unknown) => {
  assert.ok(e instanceof GanetiError, String(e));
  assert.equal(e.code, c);
  if (message) assert.match(e.message, message);
  return true;
};

describe('RPC call table', () => {
  const calls = createRpcCallTable();

  test('declares the procedures core needs now', () => {
    for (const name of ['version', 'node_info', 'test_delay', 'write_ssconf_files', 'upload_file', 'upload_file_single', 'node_verify',
      'jobqueue_update', 'jobqueue_rename', 'jobqueue_purge', 'jobqueue_set_drain_flag', 'node_leave_cluster', 'hooks_runner'])
      assert.ok(calls.has(name), name);
    assert.equal(calls.get('version').acceptOffline, true);
    assert.equal(calls.get('upload_file').args[0]!.encoding, 'fileDetails');
    assert.equal(calls.get('jobqueue_update').args[1]!.encoding, 'compress');
  });

  test('timeouts come from the class, or from the arguments', () => {
    assert.deepEqual(RPC_TIMEOUTS, { URGENT: 60, FAST: 300, NORMAL: 900, SLOW: 3600, FOUR_HOURS: 14400, ONE_DAY: 86400 });
    assert.equal(calls.timeoutMs('version', []), 60_000);
    assert.equal(calls.timeoutMs('node_verify', [{}, 'c', {}]), 900_000);
    assert.equal(calls.timeoutMs('upload_file', []), 900_000);
    assert.equal(calls.timeoutMs('test_delay', [10]), 15_000);
  });

  test('arguments are checked, and the wrong one is named', () => {
    assert.deepEqual(calls.validate('test_delay', [1.5]), [1.5]);
    assert.throws(() => calls.validate('test_delay', ['soon']), code('GNT_RPC_ARGS', /argument 0 \(duration\) must be a number of seconds, got string "soon"/));
    assert.throws(() => calls.validate('test_delay', []), code('GNT_RPC_ARGS', /expects 1 argument \[duration\], got 0/));
    assert.throws(() => calls.validate('node_verify', [{}, 'c']), code('GNT_RPC_ARGS', /expects 3 arguments \[checkdict, cluster_name, all_hvparams\], got 2/));
    assert.throws(() => calls.validate('write_ssconf_files', [{ cluster_name: 3 }]), code('GNT_RPC_ARGS', /argument 0 \(values\) must be an object mapping ssconf keys.*element cluster_name/));
    assert.throws(() => calls.validate('jobqueue_rename', [[['/a', 'b']]]), code('GNT_RPC_ARGS', /argument 0 \(rename\).*element 0\.1/));
    assert.throws(() => calls.validate('version', {}), code('GNT_RPC_ARGS', /must be a JSON array, got an object/));
    assert.throws(() => calls.validate('no_such_call', []), code('GNT_RPC_UNKNOWN_CALL', /unknown RPC procedure 'no_such_call'/));
  });

  test('modules and plugins define more procedures; duplicates and bad definitions are refused', () => {
    const table = new RpcCallTable();
    const def = table.define({
      name: 'cloudhv_status', kind: 'multi', timeout: 'FAST', result: 'a status', description: 'example',
      args: [{ name: 'instance', schema: { type: 'string' }, hint: 'an instance name' }, { name: 'verbose', schema: { type: 'boolean' }, hint: 'a boolean' }],
      required: 1,
    }, 'ganeti-plugin-cloudhv');
    assert.equal(def.owner, 'ganeti-plugin-cloudhv');
    assert.equal(table.timeoutMs('cloudhv_status', ['x']), 300_000);
    assert.deepEqual(table.validate('cloudhv_status', ['x']), ['x']);
    assert.throws(() => table.validate('cloudhv_status', []), code('GNT_RPC_ARGS', /expects 1 to 2 arguments \[instance, verbose\?\]/));
    assert.throws(() => table.define({ ...def, args: [] }), code('GNT_RPC_CALL_INVALID', /already defined by ganeti-plugin-cloudhv/));
    assert.throws(() => table.define({ ...def, name: 'Bad-Name' }), code('GNT_RPC_CALL_INVALID', /must match/));
    assert.throws(() => table.define({ ...def, name: 'other', timeout: 'SOMETIMES' as 'FAST' }), code('GNT_RPC_CALL_INVALID', /timeout must be one of URGENT/));
    assert.throws(() => table.define({ ...def, name: 'other2', args: [def.args[0]!, def.args[0]!] }), code('GNT_RPC_CALL_INVALID', /listed twice/));
  });
});

describe('RPC encodings', () => {
  test('ED_COMPRESS: small text raw, larger data zlib+base64, binary always compressed', () => {
    assert.deepEqual(compressData('hello'), [0, 'hello']);
    const big = 'x'.repeat(COMPRESS_THRESHOLD);
    const enc = compressData(big);
    assert.equal(enc[0], 1);
    assert.ok(enc[1].length < 100);
    assert.equal(decompressData(enc).toString(), big);
    const bin = Buffer.from([0xff, 0xfe, 0x00, 0x80]);
    const e2 = compressData(bin);
    assert.equal(e2[0], 1);
    assert.deepEqual(decompressData(e2), bin);
    assert.throws(() => decompressData([2, 'x']), code('GNT_RPC_ENCODING', /unknown data encoding 2/));
    assert.throws(() => decompressData([1, 'bm90IHpsaWI=']), code('GNT_RPC_ENCODING', /zlib data is corrupt/));
    assert.throws(() => decompressData('x'), code('GNT_RPC_ENCODING'));
  });

  test('virtual paths: relative to the sender\'s root, localized under the receiver\'s, never above it', () => {
    const a = ganetiPaths('/srv/cluster/node1');
    const b = ganetiPaths('/srv/cluster/node2');
    const v = toVirtualPath(a, a.configData);
    assert.equal(v, '/var/lib/ganeti/config.data');
    assert.equal(localizeVirtualPath(b, v), b.configData);
    assert.equal(localizeVirtualPath(b, '/../../etc/passwd'), '/srv/cluster/node2/etc/passwd');
    assert.throws(() => toVirtualPath(a, '/srv/cluster/node2/x'), code('GNT_NODED_FILE_REFUSED', /not below the root/));
    assert.throws(() => localizeVirtualPath(b, 'relative/path'), code('GNT_NODED_FILE_REFUSED', /not absolute/));
    const root = ganetiPaths('/');
    assert.equal(localizeVirtualPath(root, toVirtualPath(root, '/var/lib/ganeti/x')), '/var/lib/ganeti/x');
  });
});

describe('RPC answers', () => {
  test('Ganeti\'s RpcResult rules', () => {
    assert.deepEqual(parseAnswer('n1', 'version', 200, '[true, 3000000]'), { node: 'n1', success: true, payload: 3000000 });
    const remote = parseAnswer('n1', 'test_delay', 200, '[false, "Invalid sleep duration"]');
    assert.equal(remote.success, false);
    assert.ok(!remote.success && remote.code === 'GNT_RPC_REMOTE' && /call 'test_delay' to node 'n1' has failed: Invalid sleep duration/.test(remote.error));
    const empty = parseAnswer('n1', 'x', 200, '[false, ""]');
    assert.ok(!empty.success && empty.error.endsWith('No error information'));
    const length = parseAnswer('n1', 'x', 200, '[true]');
    assert.ok(!length.success && length.code === 'GNT_RPC_BAD_RESPONSE' && /invalid result length \(1\), expected 2/.test(length.error));
    const notJson = parseAnswer('n1', 'x', 200, '<html>');
    assert.ok(!notJson.success && notJson.code === 'GNT_RPC_BAD_RESPONSE');
    const http = parseAnswer('n1', 'nope', 404, '<html><p>Error code 404.\n<p>Message: Not Found.\n<p>Error code explanation: 404 = Nothing.</html>');
    assert.ok(!http.success && http.code === 'GNT_RPC_HTTP' && http.error === 'node n1 refused nope with HTTP 404: Not Found');
  });

  test('rpcPayload returns the payload or throws the failure\'s coded error', () => {
    assert.equal(rpcPayload(parseAnswer('n1', 'version', 200, '[true, 7]')), 7);
    assert.throws(() => rpcPayload(parseAnswer('n1', 'version', 404, '')), code('GNT_RPC_HTTP', /node n1 refused version with HTTP 404/));
  });
});
