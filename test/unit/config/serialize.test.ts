import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { ConfigSerializer, ConfigStore, deepFreeze, upgradeConfig, type ConfigData, type Instance } from '../../../core/config/index.js';
import { scanConfigFile } from '../../../core/config/json-scan.js';
import { removeDir } from '../../helpers/tmp.js';
import { FIXTURE_30, U, readJson, rootWith } from './fixtures.js';

const roots: string[] = [];
after(async () => {
  for (const r of roots) await removeDir(r);
});

/** The 3.0 fixture upgraded, with `n` more instances (each with its plain disk) on node1. */
async function bigger(n: number): Promise<ConfigData> {
  const { data } = upgradeConfig(await readJson(FIXTURE_30), { now: 1700000000 });
  const template = data.instances[U.db1]!;
  for (let i = 0; i < n; i++) {
    const id = randomUUID();
    const disk = randomUUID();
    data.disks[disk] = { ...structuredClone(data.disks[U.diskPlain]!), uuid: disk, logical_id: ['ganeti', `${disk}.disk0`] };
    data.instances[id] = { ...structuredClone(template), uuid: id, name: `gen${i}.example.org`, disks: [disk], nics: [{ uuid: randomUUID(), mac: `aa:00:01:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`, nicparams: {} }] };
  }
  return data;
}

describe('config serialisation', () => {
  test('cached blocks always give the bytes of the current snapshot', async () => {
    const { root, paths } = await rootWith(null);
    roots.push(root);
    const store = await ConfigStore.initialize(paths, await bigger(600));
    const ids = () => Object.keys(store.data.instances);
    let seed = 7;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    for (let round = 0; round < 25; round++) {
      await store.update((txn) => {
        const all = ids();
        const op = round % 3;
        if (op === 0) txn.edit('instances', all[rnd(all.length)]!).beparams['vcpus'] = round;
        if (op === 1) {
          const victim = txn.get('instances', all[rnd(all.length)]!)!;
          txn.remove('instances', victim.uuid);
          for (const d of victim.disks) txn.remove('disks', d);
        }
        if (op === 2) {
          const base = txn.get('instances', all[0]!)! as unknown as Instance;
          const disk = txn.add('disks', { ...structuredClone(txn.get('disks', base.disks[0]!)!), uuid: undefined } as never);
          txn.add('instances', { ...structuredClone(base), uuid: undefined, name: `new${round}.example.org`, disks: [disk.uuid], nics: [] } as never);
        }
      });
      const onDisk = await readFile(paths.configData, 'utf8');
      assert.deepEqual(JSON.parse(onDisk), JSON.parse(JSON.stringify(store.data)), `round ${round}`);
    }
    await store.close();
  });

  test('after a small change, one block of instances is stringified again', async () => {
    const data = deepFreeze(await bigger(2000));
    const s = new ConfigSerializer();
    s.chunks(data);
    const cold = s.takeStats();
    assert.ok(cold.objectsStringified > 4000, JSON.stringify(cold));
    const id = Object.keys(data.instances)[1234]!;
    const instances = { ...data.instances, [id]: { ...data.instances[id]!, admin_state: 'down' } };
    const next = deepFreeze({ ...data, instances, serial_no: data.serial_no + 1 }) as typeof data;
    const bytes = s.bytes(next);
    const warm = s.takeStats();
    assert.equal(warm.blocksBuilt, 1);
    assert.ok(warm.objectsStringified <= 1024, JSON.stringify(warm));
    assert.deepEqual(JSON.parse(bytes.toString()), JSON.parse(JSON.stringify(next)));
    assert.deepEqual(bytes, new ConfigSerializer().bytes(next), 'same bytes as a cold serialisation');
  });

  test('a 3.1 file is reused as it is, whatever its formatting, and stays valid', async () => {
    const { root, paths } = await rootWith(null);
    roots.push(root);
    const { data } = upgradeConfig(await readJson(FIXTURE_30), { now: 1700000000 });
    // keys with quotes, braces and backslashes, non-ASCII text: the scan must not be fooled
    data.instances[U.web3]!.name = 'we"b}3{\\ü.example.org';
    (data.instances[U.web3] as unknown as Record<string, unknown>)['x_note'] = '{"not": "an object"}';
    await writeFile(paths.configData, JSON.stringify(data, null, 2));
    const store = await ConfigStore.open(paths);
    assert.deepEqual(store.upgradedOnOpen, []);
    await store.update((txn) => {
      txn.edit('nodes', U.node2).drained = true;
    });
    const text = await readFile(paths.configData, 'utf8');
    assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(store.data)));
    assert.match(text, /\n {4}"/, 'unchanged objects keep the bytes the file had');
    assert.equal(store.data.instances[U.web3]!.name, 'we"b}3{\\ü.example.org');
    await store.close();
  });

  test('a collection whose keys JavaScript reorders is serialised afresh', async () => {
    const { root, paths } = await rootWith(null);
    roots.push(root);
    const { data } = upgradeConfig(await readJson(FIXTURE_30), { now: 1700000000 });
    const f = data.filters[U.filter]!;
    // In the file the UUID comes first; JavaScript puts the integer-like key "7" first.
    const filters = `{${JSON.stringify(U.filter)}:${JSON.stringify(f)},"7":${JSON.stringify({ ...f, uuid: '7' })}}`;
    await writeFile(paths.configData, JSON.stringify({ ...data, filters: 'FILTERS' }).replace('"FILTERS"', filters));
    const raw = await readFile(paths.configData);
    const scanned = scanConfigFile(raw, new Set(['filters']))!;
    assert.deepEqual(scanned.entries.get('filters')!.map((e) => e.key), [U.filter, '7']);
    const store = await ConfigStore.open(paths);
    await store.update((txn) => void (txn.edit('nodes', U.node1).drained = true));
    const onDisk = (await readJson(paths.configData)) as unknown as ConfigData;
    assert.deepEqual(Object.keys(onDisk.filters), ['7', U.filter]);
    assert.deepEqual(onDisk.filters['7'], { ...f, uuid: '7' });
    await store.close();
  });

  test('the scan gives up on what is not a config object', () => {
    assert.equal(scanConfigFile(Buffer.from('[1]'), new Set(['nodes'])), null);
    assert.equal(scanConfigFile(Buffer.from('{"nodes": {"a": 1}}'), new Set(['nodes'])), null);
    const text = '{"version": 3010000, "nodes": {"a\\"b": {"x": "}"}}}';
    const ok = scanConfigFile(Buffer.from(text), new Set(['nodes']))!;
    const start = text.indexOf('"a');
    assert.deepEqual(ok.entries.get('nodes'), [{ key: 'a"b', start, end: text.lastIndexOf('}}') }]);
    assert.equal(text.slice(start, text.lastIndexOf('}}')), '"a\\"b": {"x": "}"}');
    assert.deepEqual(ok.values.get('nodes'), [text.indexOf('{"a'), text.length - 1]);
    assert.equal(ok.values.get('version'), undefined, 'only object and array values are located');
  });
});
