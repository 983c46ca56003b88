import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildNoded } from '../../../core/daemons/noded.js';
import { callTableFor } from '../../../core/rpc/plugin-calls.js';
import { memoryLogger } from '../../../core/log.js';
import { GanetiError } from '../../../core/errors/index.js';
import { runChecked } from '../../../core/exec/index.js';
import type { RpcProcedure } from '../../../core/contracts/index.js';
import { hostWith, plugin } from '../../helpers/plugins.js';
import { removeDir, tempDir } from '../../helpers/tmp.js';

// A plugin adds a node-side RPC procedure: the node daemon serves it with the plugin's
// handler (spawning through ctx.run), and the master's call table declares it too.
let root: string;
before(async () => {
  root = await tempDir('gnt-plugin-rpc-');
});
after(() => removeDir(root));

const echo: RpcProcedure = {
  call: {
    name: 'example_echo',
    kind: 'multi',
    timeout: 'URGENT',
    args: [{ name: 'text', schema: { type: 'string' }, hint: 'a string' }],
    result: 'the text, echoed by /bin/echo on the node',
    description: 'Echo a text (example plugin call)',
  },
  async handler([text], ctx) {
    const r = await runChecked(['echo', `${String(text)} from ${ctx.nodeName}`], { signal: ctx.signal });
    return r.stdout.trim();
  },
};

test('a plugin procedure is served by noded and declared for the master', async () => {
  const host = await hostWith(root, plugin('example-rpc', (api) => api.rpc.register(echo)));
  assert.equal(callTableFor(host).has('example_echo'), true);
  const app = await buildNoded({ paths: host.paths, host, log: memoryLogger(), nodeName: 'node1.example.org' });
  try {
    const ok = await app.inject({ method: 'POST', url: '/example_echo', payload: JSON.stringify(['hello']), headers: { 'content-type': 'application/json' } });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(JSON.parse(ok.body), [true, 'hello from node1.example.org']);
    const bad = await app.inject({ method: 'POST', url: '/example_echo', payload: JSON.stringify([42]), headers: { 'content-type': 'application/json' } });
    const [success, message] = JSON.parse(bad.body) as [boolean, string];
    assert.equal(success, false);
    assert.match(message, /text/);
  } finally {
    await app.close();
  }
});

test('a second procedure with the same name is refused, naming both plugins', async () => {
  await assert.rejects(
    hostWith(root, plugin('first', (api) => api.rpc.register(echo)), plugin('second', (api) => api.rpc.register(echo))),
    (e: GanetiError) => e.code === 'GNT_PROVIDER_DUPLICATE' && /plugin 'second' registers rpc provider 'example_echo', already registered by 'first'/.test(e.message),
  );
});
