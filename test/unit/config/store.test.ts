import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import {
  ConfigStore,
  nodeConfigFs,
  upgradeConfig,
  type ConfigFs,
  type ConfigStoreSnapshot,
  type ConfigData,
} from '../../../core/config/index.js';
import { GanetiError } from '../../../core/errors/index.js';
import { removeDir } from '../../helpers/tmp.js';
import { FIXTURE_216, FIXTURE_30, U, readJson, rootWith } from './fixtures.js';

const roots: string[] = [];
after(async () => {
  for (const r of roots) await removeDir(r);
});
const fresh = async (fixture: string | null = FIXTURE_30) => {
  const r = await rootWith(fixture);
  roots.push(r.root);
  return r;
};
const refused = (code: string, ...patterns: RegExp[]) => (e: unknown) => {
  assert.ok(e instanceof GanetiError, String(e));
  assert.equal(e.code, code, e.message);
  for (const p of patterns) assert.match(e.message, p);
  return true;
};
const dataDirFiles = async (dir: string) => (await readdir(dir)).sort();

describe('ConfigStore', () => {
  test('opens both fixtures unchanged on disk and serves the upgraded config', async () => {
    for (const fixture of [FIXTURE_216, FIXTURE_30]) {
      const { paths } = await fresh(fixture);
      const before = await readFile(paths.configData);
      const store = await ConfigStore.open(paths);
      try {
        assert.equal(store.data.version, 3010000);
        assert.equal(store.serial, 321);
        assert.equal(store.data.nodes[U.node1]!.name, 'node1.example.org');
        assert.ok(Object.isFrozen(store.data.instances[U.db1]!.nics[0]));
        assert.ok(fixture === FIXTURE_30 || store.upgradedOnOpen.length > 0);
        assert.deepEqual(await readFile(paths.configData), before, 'opening never writes');
      } finally {
        await store.close();
      }
    }
  });

  test('a write bumps serials, keeps unknown fields and leaves no temp file', async () => {
    const { paths } = await fresh(FIXTURE_216);
    let t = 1700000000;
    const store = await ConfigStore.open(paths, { now: () => t });
    const seen: ConfigStoreSnapshot[] = [];
    store.onWritten((s) => seen.push(s));
    t = 1700000100;
    const r = await store.update((txn) => {
      txn.edit('instances', U.db1).admin_state = 'down';
      return 'done';
    });
    assert.equal(r.value, 'done');
    assert.equal(r.written, true);
    assert.deepEqual(r.summary, ['edited instance db1.example.org']);
    assert.equal(store.serial, 322);
    assert.equal(seen.length, 1);
    assert.equal(seen[0], store.snapshot);
    const onDisk = (await readJson(paths.configData)) as unknown as ConfigData & Record<string, unknown>;
    assert.equal(onDisk.serial_no, 322);
    assert.equal(onDisk.mtime, 1700000100);
    assert.equal(onDisk.version, 3010000);
    assert.equal(onDisk.instances[U.db1]!.admin_state, 'down');
    assert.equal(onDisk.instances[U.db1]!.serial_no, 7);
    assert.equal(onDisk.instances[U.db1]!.mtime, 1700000100);
    assert.equal(onDisk.instances[U.web10]!.serial_no, 9, 'unchanged objects keep their serial');
    // unknown fields, top level, cluster and instance, survive the write
    assert.deepEqual(onDisk['x_tool_state'], { last_rebalance: '2022-04-15' });
    assert.deepEqual((onDisk.cluster as unknown as Record<string, unknown>)['x_site_note'], { owner: 'lab team', since: 2020 });
    assert.deepEqual((onDisk.instances[U.web10] as unknown as Record<string, unknown>)['x_custom'], { backup: 'nightly' });
    // the file is the snapshot
    assert.deepEqual(onDisk, JSON.parse(JSON.stringify(store.data)));
    assert.deepEqual(await dataDirFiles(paths.dataDir), ['config.data', 'config.data.lock']);
    assert.equal((await stat(paths.configData)).mode & 0o777, 0o640);
    await store.close();
    assert.deepEqual(await dataDirFiles(paths.dataDir), ['config.data'], 'close releases the lock');
    // and it opens again as a 3.1 file with nothing to upgrade
    const again = await ConfigStore.open(paths);
    assert.deepEqual(again.upgradedOnOpen, []);
    assert.equal(again.serial, 322);
    await again.close();
  });

  test('a change that changes nothing writes nothing', async () => {
    const { paths } = await fresh();
    const store = await ConfigStore.open(paths);
    const before = await readFile(paths.configData);
    const r = await store.update((txn) => txn.get('nodes', U.node1)?.name);
    assert.equal(r.value, 'node1.example.org');
    assert.equal(r.written, false);
    assert.equal(store.serial, 321);
    assert.deepEqual(await readFile(paths.configData), before);
    await store.close();
  });

  test('concurrent updates are serialised: the serial grows by exactly one each', async () => {
    const { paths } = await fresh();
    const store = await ConfigStore.open(paths);
    const serials = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.update(async (txn) => {
          const inst = txn.edit('instances', U.web3);
          const n = Number(inst.beparams['vcpus'] ?? 0);
          await new Promise((r) => setImmediate(r)); // yield in the middle of the change
          inst.beparams['vcpus'] = n + 1;
          return i;
        }).then((r) => [r.value, r.snapshot.serial]),
      ),
    );
    assert.deepEqual(serials, Array.from({ length: 20 }, (_, i) => [i, 322 + i]));
    assert.equal(store.data.instances[U.web3]!.beparams['vcpus'], 20);
    assert.equal(store.data.instances[U.web3]!.serial_no, 2 + 20);
    assert.equal(((await readJson(paths.configData)) as unknown as ConfigData).serial_no, 341);
    await store.close();
  });

  test('a failing mutator or an invalid change writes nothing; later changes still run', async () => {
    const { paths } = await fresh();
    const store = await ConfigStore.open(paths);
    const before = await readFile(paths.configData);
    const failing = store.update(() => {
      throw new Error('changed my mind');
    });
    const dangling = store.update((txn) => {
      txn.edit('instances', U.db1).primary_node = '00000000-0000-4000-8000-000000000000';
    });
    const badType = store.update((txn) => {
      (txn.edit('nodes', U.node2) as unknown as Record<string, unknown>)['offline'] = 'yes';
    });
    const removeUsed = store.update((txn) => txn.remove('disks', U.diskPlain));
    const dupName = store.update((txn) => {
      txn.edit('instances', U.web3).name = 'db1.example.org';
    });
    const unknown = store.update((txn) => txn.edit('nodes', '00000000-0000-4000-8000-000000000000'));
    const good = store.update((txn) => {
      txn.cluster().tags.push('ok');
    });
    await assert.rejects(failing, /changed my mind/);
    await assert.rejects(dangling, refused('GNT_CONFIG_INVALID', /instance db1\.example\.org/, /primary_node "00000000-0000-4000-8000-000000000000" is not a node/));
    await assert.rejects(badType, refused('GNT_CONFIG_INVALID', new RegExp(`/nodes/${U.node2}/offline must be boolean`)));
    await assert.rejects(removeUsed, refused('GNT_CONFIG_INVALID', /its disk .* would be removed/));
    await assert.rejects(dupName, refused('GNT_CONFIG_INVALID', /name is already used/));
    await assert.rejects(unknown, refused('GNT_CONFIG_UNKNOWN_OBJECT', /no node with UUID/));
    assert.equal((await good).snapshot.serial, 322);
    assert.notDeepEqual(await readFile(paths.configData), before);
    assert.equal(store.data.nodes[U.node2]!.offline, false);
    await store.close();
  });

  test('add and remove objects, with stamps on the new ones', async () => {
    const { paths } = await fresh();
    const store = await ConfigStore.open(paths, { now: () => 1700000500 });
    const r = await store.update((txn) => {
      const node = txn.add('nodes', {
        name: 'node4.example.org', primary_ip: '192.0.2.14', secondary_ip: '198.51.100.14', master_candidate: false,
        offline: false, drained: false, group: U.groupAnnex, master_capable: true, vm_capable: true, ndparams: {},
        powered: true, tags: [],
      });
      txn.remove('filters', U.filter);
      return node.uuid;
    });
    const node = store.data.nodes[r.value]!;
    assert.deepEqual([node.serial_no, node.ctime, node.mtime], [1, 1700000500, 1700000500]);
    assert.deepEqual(r.summary, ['added node node4.example.org', `removed filter ${U.filter}`]);
    assert.equal(store.data.filters[U.filter], undefined);
    const onDisk = (await readJson(paths.configData)) as unknown as ConfigData;
    assert.equal(onDisk.nodes[r.value]!.name, 'node4.example.org');
    assert.deepEqual(onDisk.filters, {});
    await store.close();
  });

  test('snapshots are frozen and survive later writes unchanged', async () => {
    const { paths } = await fresh();
    const store = await ConfigStore.open(paths);
    const old = store.snapshot;
    assert.throws(() => {
      (old.data.nodes[U.node1] as unknown as Record<string, unknown>)['offline'] = true;
    }, TypeError);
    await store.update((txn) => {
      txn.edit('nodes', U.node1).drained = true;
    });
    assert.equal(old.data.nodes[U.node1]!.drained, false);
    assert.equal(store.data.nodes[U.node1]!.drained, true);
    assert.equal(old.data.instances, store.data.instances, 'unchanged collections are shared');
    await store.close();
  });

  test('a crash between writing the temp file and the rename leaves the old file', async () => {
    for (const failAt of ['rename', 'fsync', 'write'] as const) {
      const { paths } = await fresh();
      const crash: ConfigFs = {
        ...nodeConfigFs,
        [failAt]: async () => {
          throw Object.assign(new Error(`simulated crash in ${failAt}`), { code: 'EIO' });
        },
      };
      const store = await ConfigStore.open(paths, { fs: crash });
      const before = await readFile(paths.configData);
      let notified = 0;
      store.onWritten(() => notified++);
      await assert.rejects(
        store.update((txn) => {
          txn.edit('instances', U.db1).admin_state = 'down';
        }),
        refused('GNT_CONFIG_WRITE_FAILED', new RegExp(`simulated crash in ${failAt}`), /the previous configuration is kept/),
      );
      assert.deepEqual(await readFile(paths.configData), before, failAt);
      assert.equal(store.serial, 321);
      assert.equal(store.data.instances[U.db1]!.admin_state, 'up');
      assert.equal(notified, 0);
      assert.deepEqual(await dataDirFiles(paths.dataDir), ['config.data', 'config.data.lock'], `no temp file left (${failAt})`);
      await store.close();
    }
  });

  test('a folder sync failing after the rename reports the write as not durable, and keeps memory in line with the file', async () => {
    const { paths } = await fresh();
    const fs: ConfigFs = { ...nodeConfigFs, fsyncDir: async () => Promise.reject(new Error('EIO on folder')) };
    const store = await ConfigStore.open(paths, { fs });
    await assert.rejects(
      store.update((txn) => void (txn.edit('instances', U.db1).admin_state = 'down')),
      refused('GNT_CONFIG_WRITE_FAILED', /EIO on folder/, /in place but may not survive a crash/),
    );
    assert.equal(store.serial, 322);
    assert.equal(((await readJson(paths.configData)) as unknown as ConfigData).serial_no, 322);
    await store.close();
  });

  test('a temp file left by a crashed writer is removed when the store opens', async () => {
    const { paths } = await fresh();
    await writeFile(`${paths.dataDir}/.config.data.0123456789ab.tmp`, '{"half":');
    const store = await ConfigStore.open(paths);
    assert.deepEqual(await dataDirFiles(paths.dataDir), ['config.data', 'config.data.lock']);
    await store.close();
  });

  test('corrupt, truncated or invalid files are refused, named, and never touched', async () => {
    const full = await readFile(FIXTURE_30, 'utf8');
    const cases: Array<[string, string, string, RegExp]> = [
      ['empty', '', 'GNT_CONFIG_CORRUPT', /is corrupt: the file is empty \(truncated\?\)/],
      ['truncated', full.slice(0, Math.floor(full.length / 2)), 'GNT_CONFIG_CORRUPT', /not valid JSON \(the file looks truncated\)/],
      ['garbage', 'this is not json', 'GNT_CONFIG_CORRUPT', /not valid JSON/],
      ['array', '[1,2]', 'GNT_CONFIG_CORRUPT', /top level is not a JSON object/],
      ['no version', '{"cluster":{}}', 'GNT_CONFIG_CORRUPT', /no version field/],
      ['old', full.replace('"version": 3000000', '"version": 2150000'), 'GNT_CONFIG_VERSION', /2\.15\.0 \(2150000\).*3\.1/],
      ['schema', full.replace('"master_candidate": true', '"master_candidate": "yes"'), 'GNT_CONFIG_INVALID', /master_candidate must be boolean/],
    ];
    for (const [name, content, code, pattern] of cases) {
      const { paths } = await fresh(null);
      await writeFile(paths.configData, content);
      const before = await readFile(paths.configData);
      await assert.rejects(ConfigStore.open(paths), refused(code, pattern, new RegExp(paths.configData.replace(/[.]/g, '\\.'))), name);
      assert.deepEqual(await readFile(paths.configData), before, `${name}: untouched`);
      assert.deepEqual(await dataDirFiles(paths.dataDir), ['config.data'], `${name}: lock released`);
    }
    const { paths } = await fresh(null);
    await assert.rejects(ConfigStore.open(paths), refused('GNT_CONFIG_NOT_FOUND', /does not exist/));
  });

  test('a second writer on the same root is refused; a stale lock is taken over', async () => {
    const { paths } = await fresh();
    const first = await ConfigStore.open(paths);
    await assert.rejects(ConfigStore.open(paths), refused('GNT_CONFIG_LOCKED', new RegExp(`process ${process.pid}`), /config\.data\.lock/));
    // another process is refused too
    const configUrl = new URL('../../../core/config/index.js', import.meta.url).href;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e',
      `import { ConfigStore } from ${JSON.stringify(configUrl)};
       try { await ConfigStore.open({ configData: process.argv[1] }); console.log('opened'); } catch (e) { console.log(e.code); }`,
      paths.configData], { encoding: 'utf8' });
    assert.equal(child.stdout.trim(), 'GNT_CONFIG_LOCKED', child.stderr);
    await first.close();
    // a lock left by a process that died
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    await writeFile(`${paths.configData}.lock`, `${dead}\n\n`);
    const second = await ConfigStore.open(paths);
    assert.equal((await readFile(`${paths.configData}.lock`, 'utf8')).split('\n')[0], String(process.pid));
    await second.close();
    // a lock whose pid lives but belongs to another process start (pid reused) is stale too
    await writeFile(`${paths.configData}.lock`, `${process.pid}\n1\n`);
    const third = await ConfigStore.open(paths);
    await third.close();
  });

  test('a config.data replaced behind the store is not overwritten', async () => {
    const { paths } = await fresh();
    const store = await ConfigStore.open(paths);
    const edited = (await readFile(paths.configData, 'utf8')).replace('cluster.example.org', 'other.example.org');
    await writeFile(`${paths.configData}.new`, edited);
    await import('node:fs/promises').then((f) => f.rename(`${paths.configData}.new`, paths.configData));
    await assert.rejects(store.update((txn) => void txn.cluster().tags.push('x')), refused('GNT_CONFIG_CONFLICT', /changed by another program/));
    assert.equal(await readFile(paths.configData, 'utf8'), edited);
    await store.close();
  });

  test('initialize creates config.data once, filled and at the current version', async () => {
    const { paths } = await fresh(null);
    const { data } = upgradeConfig(await readJson(FIXTURE_30));
    const template = structuredClone(data) as unknown as Record<string, unknown>;
    delete template['serial_no'];
    const store = await ConfigStore.initialize(paths, template as unknown as ConfigData, { now: () => 1700000000 });
    assert.equal(store.serial, 1);
    const onDisk = (await readJson(paths.configData)) as unknown as ConfigData;
    assert.equal(onDisk.version, 3010000);
    assert.equal(onDisk.serial_no, 1);
    assert.deepEqual(await dataDirFiles(paths.dataDir), ['config.data', 'config.data.lock']);
    await store.close();
    await assert.rejects(ConfigStore.initialize(paths, data), refused('GNT_CONFIG_EXISTS', /config\.data already exists/));
    const other = await fresh(null);
    const dangling = structuredClone(data);
    dangling.cluster.master_node = '00000000-0000-4000-8000-000000000000';
    await assert.rejects(ConfigStore.initialize(other.paths, dangling), refused('GNT_CONFIG_INVALID', /master_node .* is not a node/));
    assert.deepEqual(await dataDirFiles(other.paths.dataDir), [], 'nothing written, lock released');
  });

  test('updates after close are refused', async () => {
    const { paths } = await fresh();
    const store = await ConfigStore.open(paths);
    await store.close();
    await assert.rejects(store.update(() => undefined), refused('GNT_CONFIG_CLOSED'));
  });
});
