import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PluginHost, HOOK_NAMES } from '../../../core/plugin-host/index.js';
import { ganetiPaths } from '../../../core/paths.js';
import { GanetiError } from '../../../core/errors/index.js';
import { HYPERVISOR_REQUIRED_METHODS, type GanetiPlugin, type HostHooks, type JobContext } from '../../../core/contracts/index.js';
import { hostWith as hostWithPlugins, plugin } from '../../helpers/plugins.js';

const job: JobContext = { jobId: 1, opIndex: 0, signal: new AbortController().signal, log: () => {} };
const op = { OP_ID: 'OP_TEST_DELAY', duration: 0 };

const hostWith = (...plugins: GanetiPlugin[]) => hostWithPlugins('/tmp/none', ...plugins);

const isAttributed = (code: string, pluginName: string, hook: string, reason: RegExp) => (e: unknown) => {
  assert.ok(e instanceof GanetiError, `not a GanetiError: ${String(e)}`);
  assert.equal(e.code, code);
  assert.equal(e.plugin, pluginName);
  assert.equal(e.hook, hook);
  assert.match(e.message, reason);
  assert.ok(e.message.includes(pluginName) && e.message.includes(hook), e.message);
  return true;
};

describe('error attribution', () => {
  test('a sync tap that throws names the plugin and the hook', async () => {
    const host = await hostWith(plugin('p-sync', (h) => h.hooks.configWritten.tap('p-sync', () => { throw new Error('boom'); })));
    assert.throws(() => host.hooks.configWritten.call({ serial: 1, data: {} }), isAttributed('GNT_PLUGIN_HOOK_FAILED', 'p-sync', 'configWritten', /boom/));
  });

  test('a promise tap that rejects names the plugin and the hook', async () => {
    const host = await hostWith(plugin('p-promise', (h) => h.hooks.afterOpcode.tapPromise('p-promise', async () => { throw new TypeError('nope'); })));
    await assert.rejects(host.hooks.afterOpcode.promise(op, { status: 'success' }), isAttributed('GNT_PLUGIN_HOOK_FAILED', 'p-promise', 'afterOpcode', /nope/));
  });

  test('a callback tap that fails or throws names the plugin and the hook', async () => {
    const host = await hostWith(plugin('p-cb', (h) => h.hooks.beforeOpcode.tapAsync('p-cb', (_op, _job, cb) => cb(new Error('cb failed')))));
    await assert.rejects(host.hooks.beforeOpcode.promise(op, job), isAttributed('GNT_PLUGIN_HOOK_FAILED', 'p-cb', 'beforeOpcode', /cb failed/));
    const host2 = await hostWith(plugin('p-cb2', (h) => h.hooks.shutdown.tapAsync('p-cb2', () => { throw new Error('sync throw'); })));
    await assert.rejects(host2.hooks.shutdown.promise(), isAttributed('GNT_PLUGIN_HOOK_FAILED', 'p-cb2', 'shutdown', /sync throw/));
  });

  test('a GanetiError thrown on purpose keeps its code and gains the attribution', async () => {
    const host = await hostWith(plugin('p-coded', (h) => h.hooks.beforeInstanceStart.tapPromise('p-coded', async () => {
      throw new GanetiError('GNT_PARAM_INVALID', { owner: 'x', param: 'y', problem: 'is bad' });
    })));
    await assert.rejects(host.hooks.beforeInstanceStart.promise({ name: 'i', uuid: 'u', hypervisor: 'fake', primaryNode: 'n' }),
      (e: GanetiError) => e.code === 'GNT_PARAM_INVALID' && e.plugin === 'p-coded' && e.hook === 'beforeInstanceStart');
  });

  test('a before-hook tap may veto with a reason; later taps do not run', async () => {
    let ran = false;
    const host = await hostWith(
      plugin('p-veto', (h) => h.hooks.beforeOpcode.tap('p-veto', () => ({ veto: 'maintenance window' }))),
      plugin('p-late', (h) => h.hooks.beforeOpcode.tap('p-late', () => { ran = true; return undefined; })),
    );
    assert.deepEqual(await host.hooks.beforeOpcode.promise(op, job), { veto: 'maintenance window', plugin: 'p-veto' });
    assert.equal(ran, false);
  });

  test('provider methods, nested ones included, are attributed to their plugin', async () => {
    const methods = Object.fromEntries(HYPERVISOR_REQUIRED_METHODS.map((m) => [m, async () => { throw new Error(`${m} broke`); }]));
    const host = await hostWith(plugin('p-hv', (h) => h.hypervisors.register('brokenhv', Object.freeze({
      ...methods, canMigrate: true, params: { type: 'object', properties: {} },
      migration: { migrate: () => { throw new Error('link down'); } },
    }) as never)));
    const hv = host.hypervisors.get('brokenhv');
    await assert.rejects(hv.start({} as never, [], {} as never, {} as never), isAttributed('GNT_PROVIDER_FAILED', 'p-hv', 'hypervisor brokenhv.start', /start broke/));
    assert.throws(() => (hv.migration!.migrate as Function)(), isAttributed('GNT_PROVIDER_FAILED', 'p-hv', 'hypervisor brokenhv.migration.migrate', /link down/));
  });
});

describe('host hooks', () => {
  test('are declared once, in a frozen object', () => {
    const host = new PluginHost({ paths: ganetiPaths('/tmp/none') });
    assert.ok(Object.isFrozen(host.hooks));
    assert.deepEqual([...HOOK_NAMES].sort(), Object.keys(host.hooks).sort());
    assert.ok(HOOK_NAMES.includes('beforeOpcode') && HOOK_NAMES.includes('afterOpcode'));
  });

  test('plugins can tap but not call them', async () => {
    let seen: unknown;
    await hostWith(plugin('p-look', (h) => {
      seen = Object.keys(h.hooks.beforeOpcode).sort();
      assert.equal((h.hooks as unknown as HostHooks).beforeOpcode.promise, undefined);
    }));
    assert.deepEqual(seen, ['tap', 'tapAsync', 'tapPromise']);
  });
});
