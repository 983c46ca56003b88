import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { ganetiPaths } from '../../core/paths.js';
import { memoryLogger } from '../../core/log.js';
import { boundRunner } from '../../core/exec/index.js';
import { PluginHost, builtinSpecs } from '../../core/plugin-host/index.js';
import type { DiskSpec, StorageProvider } from '../../core/contracts/storage.js';
import { storageContract, type StorageFixture } from './storage.contract.js';

let hostPromise: Promise<PluginHost> | undefined;
const loadHost = (): Promise<PluginHost> =>
  (hostPromise ??= (async () => {
    const host = new PluginHost({ paths: ganetiPaths(tmpdir()), logFor: () => memoryLogger() });
    await host.load(builtinSpecs(['storage/diskless']));
    return host;
  })());
const diskless = async (): Promise<StorageProvider> => (await loadHost()).storage.get('diskless');

let serial = 0;
const spec = (size: number): DiskSpec => ({
  uuid: `diskless-${process.pid}-${++serial}`,
  dev_type: 'diskless',
  size,
  mode: 'rw',
  params: {},
  logicalId: [],
  iv_name: 'disk/0',
});

// Diskless touches no file: the context's root is never written to.
async function fixture(): Promise<StorageFixture> {
  const abort = new AbortController();
  const ctx = { signal: abort.signal, run: boundRunner(abort.signal), log: memoryLogger(), paths: ganetiPaths('/nonexistent-gnt-root'), nodeName: 'node1' };
  return { ctx, spec, cleanup: async () => abort.abort() };
}

storageContract('diskless', diskless, fixture, { hasDevice: false, grows: false, units: false });

describe('diskless storage', () => {
  test('the built-in plugin registers `diskless`, externally mirrored, with no parameters', async () => {
    const host = await loadHost();
    assert.deepEqual(host.errors, []);
    assert.deepEqual(host.plugins.map((p) => [p.name, p.provides]), [['builtin:storage/diskless', [{ kind: 'storage', name: 'diskless' }]]]);
    const entry = host.storage.entry('diskless');
    assert.ok(entry.description);
    assert.deepEqual(entry.paramNames, []);
    const sp = entry.provider;
    assert.equal(sp.storageType, 'diskless');
    assert.equal(sp.mirrored, 'external');
    assert.equal(sp.fileBased, false);
  });

  test('create returns an empty logical id', async () => {
    const { ctx } = await fixture();
    assert.deepEqual(await (await diskless()).create(spec(0), { children: [], exclusiveStorage: false }, ctx), []);
  });
});
