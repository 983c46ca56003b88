import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { PluginHost, loadUserConfig } from '../../../core/plugin-host/index.js';
import { ganetiPaths } from '../../../core/paths.js';
import { memoryLogger } from '../../../core/log.js';
import type { GanetiError } from '../../../core/errors/index.js';
import { removeDir, tempDir, writeTree } from '../../helpers/tmp.js';
import { hypervisorPlugin, rawPlugin, storagePlugin } from './plugin-sources.js';

let dir: string;

/** Writes a ganeti.config.json listing `plugins`, loads them into a fresh host (no built-ins). */
async function loadWith(plugins: unknown[]): Promise<PluginHost> {
  await writeTree(dir, { 'ganeti.config.json': JSON.stringify({ plugins }) });
  const config = await loadUserConfig(dir);
  const host = new PluginHost({ paths: ganetiPaths(dir), logFor: () => memoryLogger() });
  await host.load(config.plugins);
  return host;
}

const codes = (host: PluginHost) => host.errors.map((e: GanetiError) => `${e.code} ${e.plugin}`);

before(async () => {
  dir = await tempDir();
  await writeTree(dir, {
    'good-hv.mjs': hypervisorPlugin('good-hv', 'goodhv'),
    'good-store.mjs': storagePlugin('good-store', 'goodstore'),
    'node_modules/ganeti-plugin-pkg/package.json': JSON.stringify({ name: 'ganeti-plugin-pkg', version: '2.3.4', type: 'module', exports: { '.': { import: './main.mjs' } }, ganeti: { extstorage: { demo: './es/demo' } } }),
    'node_modules/ganeti-plugin-pkg/main.mjs': hypervisorPlugin('ganeti-plugin-pkg', 'pkghv'),
    'api2.mjs': hypervisorPlugin('api-two', 'apitwo').replace('apiVersion: PLUGIN_API_VERSION', 'apiVersion: 2'),
    'needs-npm.mjs': `import 'ganeti-no-such-package-xyz';\n${hypervisorPlugin('needs-npm', 'needsnpm')}`,
    'needs-plugin.mjs': hypervisorPlugin('needs-plugin', 'needsplugin', "dependencies: ['absent-plugin'],"),
    'depends-on-later.mjs': hypervisorPlugin('depends-on-later', 'dol', "dependencies: ['good-store'],"),
    'throws.mjs': rawPlugin(`export default definePlugin({ name: 'thrower', apiVersion: PLUGIN_API_VERSION, apply(host) {
      host.hypervisors.register('halfway', { ...methods(HYPERVISOR_REQUIRED_METHODS), canMigrate: false, params: { type: 'object', properties: {} } });
      host.hooks.configWritten.tap('thrower', () => {});
      throw new Error('disk on fire');
    } });`),
    'not-a-plugin.mjs': 'export default { hello: 1 };\n',
    'dup-provider.mjs': hypervisorPlugin('dup-provider', 'goodhv'),
    'with-options.mjs': rawPlugin(`export default definePlugin({ name: 'with-options', apiVersion: PLUGIN_API_VERSION,
      optionsSchema: { type: 'object', properties: { interval: { type: 'integer' } } },
      apply(host) { globalThis.__withOptions = host.options; } });`),
  });
});
after(() => removeDir(dir));

describe('plugin loader', () => {
  test('loads local modules and npm packages named in ganeti.config.json', async () => {
    const host = await loadWith(['./good-hv.mjs', 'ganeti-plugin-pkg', './good-store.mjs']);
    assert.deepEqual(host.errors, []);
    assert.deepEqual(host.plugins.map((p) => [p.name, p.version]), [['good-hv', 'unversioned'], ['ganeti-plugin-pkg', '2.3.4'], ['good-store', 'unversioned']]);
    assert.deepEqual(host.hypervisors.names(), ['goodhv', 'pkghv']);
    assert.deepEqual(host.storage.names(), ['goodstore']);
    assert.deepEqual(host.plugins[1]!.assets, { extstorage: { demo: './es/demo' } });
    assert.deepEqual(host.hypervisors.entry('pkghv').paramNames, ['boot_timeout', 'kernel_path']);
    assert.equal(host.hypervisors.entry('pkghv').plugin, 'ganeti-plugin-pkg');
  });

  test('a plugin for another API version is refused with one coded error; the others load', async () => {
    const host = await loadWith(['./api2.mjs', './good-hv.mjs']);
    assert.deepEqual(codes(host), ['GNT_PLUGIN_API_VERSION api-two']);
    assert.match(host.errors[0]!.toLine(), /^GNT_PLUGIN_API_VERSION: plugin 'api-two' was built for plugin API 2, this ganeti-ts supports API 1$/);
    assert.deepEqual(host.plugins.map((p) => p.name), ['good-hv']);
  });

  test('a missing npm dependency names the package', async () => {
    const host = await loadWith(['./needs-npm.mjs', './good-hv.mjs']);
    assert.deepEqual(codes(host), ['GNT_PLUGIN_DEPENDENCY_MISSING ./needs-npm.mjs']);
    assert.match(host.errors[0]!.message, /needs 'ganeti-no-such-package-xyz'/);
    assert.deepEqual(host.plugins.map((p) => p.name), ['good-hv']);
  });

  test('a missing plugin dependency is refused; dependencies load first', async () => {
    const host = await loadWith(['./needs-plugin.mjs', './depends-on-later.mjs', './good-store.mjs']);
    assert.deepEqual(codes(host), ['GNT_PLUGIN_DEPENDENCY_MISSING needs-plugin']);
    assert.match(host.errors[0]!.message, /'needs-plugin' needs 'absent-plugin'/);
    assert.deepEqual(host.plugins.map((p) => p.name), ['good-store', 'depends-on-later']);
  });

  test('a plugin that throws in apply keeps none of its registrations or taps', async () => {
    const host = await loadWith(['./throws.mjs', './good-hv.mjs']);
    assert.deepEqual(codes(host), ['GNT_PLUGIN_APPLY_FAILED thrower']);
    assert.match(host.errors[0]!.message, /plugin 'thrower' failed in apply\(\): disk on fire/);
    assert.equal(host.errors[0]!.hook, 'apply');
    assert.equal(host.hypervisors.has('halfway'), false);
    assert.equal(host.hooks.configWritten.taps.length, 0);
    assert.deepEqual(host.hypervisors.names(), ['goodhv']);
  });

  test('a package that is not installed is named with the config file', async () => {
    const host = await loadWith(['ganeti-plugin-not-installed', './good-hv.mjs']);
    assert.deepEqual(codes(host), ['GNT_PLUGIN_NOT_FOUND ganeti-plugin-not-installed']);
    assert.ok(host.errors[0]!.message.includes(join(dir, 'ganeti.config.json')));
    assert.deepEqual(host.plugins.map((p) => p.name), ['good-hv']);
  });

  test('a module that is not a plugin, and a duplicate provider, are refused', async () => {
    const host = await loadWith(['./not-a-plugin.mjs', './good-hv.mjs', './dup-provider.mjs']);
    assert.deepEqual(codes(host), ['GNT_PLUGIN_INVALID ./not-a-plugin.mjs', 'GNT_PROVIDER_DUPLICATE dup-provider']);
    assert.match(host.errors[1]!.message, /registers hypervisor provider 'goodhv', already registered by 'good-hv'/);
  });

  test('the same module listed twice is loaded once; two modules with one name are refused', async () => {
    const host = await loadWith(['./good-hv.mjs', `${dir}/good-hv.mjs`]);
    assert.deepEqual(codes(host), []);
    assert.equal(host.plugins.length, 1);
    await writeTree(dir, { 'copy/good-hv.mjs': hypervisorPlugin('good-hv', 'otherhv') });
    const host2 = await loadWith(['./good-hv.mjs', './copy/good-hv.mjs']);
    assert.deepEqual(codes(host2), ['GNT_PLUGIN_DUPLICATE good-hv']);
    assert.deepEqual(host2.hypervisors.names(), ['goodhv']);
  });

  test('plugin options are checked against the plugin\'s optionsSchema', async () => {
    let host = await loadWith([['./with-options.mjs', { interval: 'soon' }]]);
    assert.deepEqual(codes(host), ['GNT_PARAM_INVALID with-options']);
    assert.match(host.errors[0]!.message, /parameter 'interval' for plugin 'with-options' option must be integer/);
    host = await loadWith([['./with-options.mjs', { interval: '30' }]]);
    assert.deepEqual(codes(host), []);
    assert.deepEqual((globalThis as { __withOptions?: unknown }).__withOptions, { interval: 30 });
  });

  test('a config whose plugins is not a list is refused with the file named', async () => {
    await writeTree(dir, { 'ganeti.config.json': JSON.stringify({ plugins: 'good-hv' }) });
    await assert.rejects(loadUserConfig(dir), (e: GanetiError) => e.code === 'GNT_PLUGIN_CONFIG_INVALID' && e.message.includes("'plugins' must be a list"));
  });
});
