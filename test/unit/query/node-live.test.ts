import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { FrozenConfig } from '../../../core/config/objects.js';
import { ganetiPaths } from '../../../core/paths.js';
import { createPluginHost } from '../../../core/plugin-host/index.js';
import { memoryLogger } from '../../../core/log.js';
import { RESULT_STATUS, UNAVAIL } from '../../../core/query/fields.js';
import { filterFieldNames } from '../../../core/query/filter.js';
import { needsLiveData, queryNodesLive } from '../../../core/query/node-fields.js';
import { defaultHvSpecs, defaultStorageUnits, liveValuesOf } from '../../../core/query/node-live.js';
import { CONFIG_FIXTURE_30 } from '../../helpers/masterd.js';

const config = JSON.parse(readFileSync(CONFIG_FIXTURE_30, 'utf8')) as FrozenConfig;

describe('live node fields', () => {
  test('only live fields (shown or filtered on) need the node daemons', () => {
    assert.equal(needsLiveData(['name', 'pinst_cnt', 'sinst_cnt'], null), false);
    assert.equal(needsLiveData(['name', 'mfree'], null), true);
    assert.equal(needsLiveData(['name'], ['&', ['>', 'dfree', 10], ['?', 'offline']]), true);
    assert.deepEqual(filterFieldNames(['|', ['==', 'name', 'a'], ['!', ['?', 'drained']], ['=~', 'name', 'x']]), ['name', 'drained']);
  });

  test('no RPC for config fields; unknown names fail before any RPC', async () => {
    const fetch = async () => {
      throw new Error('must not be called');
    };
    const r = await queryNodesLive(config, ['name', 'pinst_cnt'], null, fetch);
    assert.equal(r.data.length, 3);
    await assert.rejects(queryNodesLive(config, ['mfree'], ['==', 'name', 'nope'], fetch), /GNT_QUERY_UNKNOWN_NAME|nope/);
  });

  test('the fetch gets the nodes asked for, and its values fill the fields', async () => {
    let asked: string[] = [];
    const r = await queryNodesLive(config, ['name', 'mtotal', 'dtotal'], ['|', ['==', 'name', 'node2'], ['==', 'name', 'node1']], async (nodes) => {
      asked = nodes.map((n) => n.name);
      return () => ({ mtotal: 2048, dtotal: UNAVAIL });
    });
    assert.deepEqual(asked, ['node2.example.org', 'node1.example.org']);
    assert.deepEqual(r.data[0], [[0, 'node2.example.org'], [0, 2048], [RESULT_STATUS.UNAVAIL, null]]);
  });

  test("node_info's payload maps onto Ganeti's legacy node info", () => {
    const v = liveValuesOf([
      'b00t',
      [{ type: 'file', name: '/srv', storage_free: 10, storage_size: 20 }],
      [{ memory_total: 4096, memory_free: 1024, memory_dom0: 3072, cpu_total: 4, cpu_nodes: 1, cpu_sockets: 2, cpu_dom0: 4 }],
    ])!;
    assert.deepEqual(
      { ...v, sptotal: 'u', spfree: 'u' },
      { bootid: 'b00t', dtotal: 20, dfree: 10, mtotal: 4096, mnode: 3072, mfree: 1024, ctotal: 4, cnos: 4, cnodes: 1, csockets: 2, sptotal: 'u', spfree: 'u' },
    );
    assert.equal(liveValuesOf(['b', [], []])!['dtotal'], UNAVAIL);
    assert.equal(liveValuesOf('garbage'), null);
  });

  test('the default template decides the storage unit; folders travel under the root', async () => {
    const root = '/tmp/gnt-unit-root';
    const paths = ganetiPaths(root);
    const host = await createPluginHost({ paths, logFor: () => memoryLogger() });
    const cfg = (templates: string[], dir: string) => ({ ...config, cluster: { ...config.cluster, enabled_disk_templates: templates, file_storage_dir: dir } }) as FrozenConfig;
    assert.deepEqual(defaultStorageUnits(cfg(['file', 'diskless'], `${root}/srv/ganeti/file-storage`), host, paths), [['file', '/srv/ganeti/file-storage', []]]);
    assert.deepEqual(defaultStorageUnits(cfg(['file'], '/elsewhere'), host, paths), [['file', '/elsewhere', []]]);
    assert.deepEqual(defaultStorageUnits(cfg(['diskless', 'file'], '/x'), host, paths), []);
    assert.deepEqual(defaultHvSpecs({ ...config, cluster: { ...config.cluster, enabled_hypervisors: ['fake'], hvparams: { fake: { migration_mode: 'live' } } } } as FrozenConfig), [
      ['fake', { migration_mode: 'live' }],
    ]);
  });
});
