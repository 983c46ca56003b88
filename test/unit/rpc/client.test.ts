import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { RpcClient } from '../../../core/rpc/index.js';
import { GanetiError } from '../../../core/errors/index.js';

// Nothing here reaches a TLS handshake, so the material is never parsed.
const client = new RpcClient({ tls: { cert: 'unused', key: 'unused', ca: 'unused' } });
after(() => client.close());

test('offline nodes are answered at once, without a connection', async () => {
  let connections = 0;
  const server = createServer((s: Socket) => {
    connections++;
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    // first call compiles the argument schemas (ajv); time the second one
    await client.call('test_delay', [{ name: 'warm', address: '127.0.0.1', port, offline: true }], [0]);
    const started = performance.now();
    const results = await client.call('test_delay', [{ name: 'off1', address: '127.0.0.1', port, offline: true }, { name: 'off2', address: '127.0.0.1', port, offline: true }], [0]);
    assert.ok(performance.now() - started < 100);
    assert.deepEqual(results.map((r) => [r.node, r.success, !r.success && r.offline, !r.success && r.code]), [
      ['off1', false, true, 'GNT_RPC_NODE_OFFLINE'],
      ['off2', false, true, 'GNT_RPC_NODE_OFFLINE'],
    ]);
    assert.ok(!results[0]!.success && results[0]!.error.startsWith('Node is marked offline (off1)'));
    assert.equal(connections, 0);
  } finally {
    await new Promise((r) => server.close(r));
  }
});

test('arguments are refused before anything is sent; unknown procedures too', async () => {
  const nodes = [{ name: 'n1', address: '127.0.0.1', port: 1 }];
  await assert.rejects(client.call('test_delay', nodes, ['x']), (e: unknown) => e instanceof GanetiError && e.code === 'GNT_RPC_ARGS' && /argument 0 \(duration\)/.test(e.message));
  await assert.rejects(client.call('jobqueue_update', nodes, ['/var/lib/ganeti/queue/job-1', 42]), (e: unknown) =>
    e instanceof GanetiError && e.code === 'GNT_RPC_ARGS' && /argument 1 \(content\) must be a string, bytes or already compressed data/.test(e.message));
  await assert.rejects(client.call('frobnicate', nodes), (e: unknown) => e instanceof GanetiError && e.code === 'GNT_RPC_UNKNOWN_CALL');
  await assert.rejects(client.call('upload_file', nodes, ['/etc/hostname']), /the client has no paths/);
});
