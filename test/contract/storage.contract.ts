/**
 * What every storage provider must do, as a reusable suite: run it against each template
 * (`storage-<name>.test.ts`) with a fixture that hands out fresh disk specs on a test node.
 * The suite removes the devices it created; the fixture's cleanup removes the rest.
 */
import { describe, test, beforeEach, afterEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { GanetiError } from '../../core/errors/index.js';
import type { DiskSpec, StorageProvider, StorageType, StorageUnitKey } from '../../core/contracts/storage.js';
import type { ProviderContext } from '../../core/contracts/context.js';

export interface StorageFixture {
  readonly ctx: ProviderContext;
  /** A new disk spec of `size` MiB, distinct from every other one handed out. */
  spec(size: number): DiskSpec;
  /** The unit to list for a storage type the provider reports (e.g. the file storage folder). */
  unitKey?(type: StorageType): StorageUnitKey;
  cleanup(): Promise<void>;
}

export interface StorageTraits {
  /** Whether created disks are devices with a path or URI (false for diskless). */
  readonly hasDevice: boolean;
  /**
   * The template adopts devices it does not own (blockdev): create only checks the device,
   * remove forgets it and its data stays, so the device is still found afterwards.
   */
  readonly adopts?: boolean;
  /** The template can grow disks (the grow tests run only then). */
  readonly grows: boolean;
  /** The template reports storage units (the unit tests run only then). */
  readonly units: boolean;
}

const MIB = 1024 * 1024;
const isGanetiError = (e: unknown): boolean => e instanceof GanetiError;
const create = { children: [], exclusiveStorage: false } as const;
const assembleOpts = { children: [], primary: true } as const;
const growOpts = { dryRun: false, backingStore: true, exclusiveStorage: false } as const;

export function storageContract(
  name: string,
  makeProvider: () => StorageProvider | Promise<StorageProvider>,
  makeFixture: () => Promise<StorageFixture>,
  traits: StorageTraits,
): void {
  describe(`storage contract: ${name}`, () => {
    let sp: StorageProvider;
    let fx: StorageFixture;
    let made: DiskSpec[];

    /** Creates a disk the suite removes afterwards; resolves with its spec (logical id as returned). */
    const newDisk = async (size: number): Promise<DiskSpec> => {
      const spec = fx.spec(size);
      made.push(spec);
      const logicalId = await sp.create(spec, create, fx.ctx);
      const created = { ...spec, logicalId };
      made.push(created);
      return created;
    };

    // Node 20 skips afterEach for a test that called t.skip(), so fixtures not cleaned by
    // afterEach are cleaned in after().
    const open = new Set<{ cleanup(): Promise<void> }>();
    beforeEach(async () => {
      sp = await makeProvider();
      fx = await makeFixture();
      open.add(fx);
      made = [];
    });

    afterEach(async () => {
      try {
        for (const spec of made) await sp.remove(spec, fx.ctx).catch(() => undefined);
      } finally {
        open.delete(fx);
        await fx.cleanup();
      }
    });

    after(async () => {
      for (const f of open) await f.cleanup();
    });

    test('serves the template it is registered for, with a parameter schema refusing unknown ones', () => {
      assert.equal(sp.diskTemplate, name);
      assert.equal(sp.params.type, 'object');
      assert.ok(sp.params.additionalProperties === undefined || sp.params.additionalProperties === false);
    });

    test('its flags match the methods it has', () => {
      assert.equal(typeof sp.grow === 'function', sp.supportsGrow, 'supportsGrow ⇔ grow');
      assert.equal(typeof sp.snapshot === 'function', sp.supportsSnapshot, 'supportsSnapshot ⇔ snapshot');
      assert.equal(sp.mirror !== undefined, sp.mirrored === 'internal', "mirror ⇔ mirrored 'internal'");
      if (sp.userspaceAccess) assert.equal(typeof sp.userspaceUri, 'function');
      for (const unit of sp.storageUnits ?? []) assert.equal(typeof unit.list, 'function', `${unit.type} list`);
    });

    test('create returns a logical id', async () => {
      const disk = await newDisk(4);
      assert.ok(Array.isArray(disk.logicalId));
    });

    test('remove is idempotent, and removing a disk that never existed resolves', async () => {
      const disk = await newDisk(4);
      await sp.remove(disk, fx.ctx);
      await sp.remove(disk, fx.ctx);
      if (traits.adopts) assert.ok(await sp.attach(disk, fx.ctx), 'an adopted device outlives its removal');
      else assert.equal(await sp.attach(disk, fx.ctx), null);
      await sp.remove(fx.spec(4), fx.ctx);
    });

    test('shutdown is idempotent', async () => {
      const disk = await newDisk(4);
      if (traits.hasDevice) await sp.assemble(disk, assembleOpts, fx.ctx);
      await sp.shutdown(disk, fx.ctx);
      await sp.shutdown(disk, fx.ctx);
    });

    test('syncStatus of a healthy disk is not degraded', async () => {
      const disk = await newDisk(4);
      const access = traits.hasDevice ? await sp.assemble(disk, assembleOpts, fx.ctx) : undefined;
      const status = await sp.syncStatus(disk, fx.ctx);
      assert.equal(status.is_degraded, false);
      assert.equal(status.ldisk_status, 1);
      assert.equal(status.dev_path, access?.devPath ?? null);
    });

    if (traits.hasDevice) {
      test('assemble gives a path or a URI, again when repeated, and attach finds the same', async () => {
        const disk = await newDisk(4);
        const access = await sp.assemble(disk, assembleOpts, fx.ctx);
        assert.ok(access.devPath !== undefined || access.uris.length > 0);
        assert.deepEqual(await sp.assemble(disk, assembleOpts, fx.ctx), access);
        assert.deepEqual(await sp.attach(disk, fx.ctx), access);
      });

      if (traits.adopts) {
        test('an adopted device is adopted again by create and kept by remove', async () => {
          const disk = await newDisk(4);
          const access = await sp.assemble(disk, assembleOpts, fx.ctx);
          assert.deepEqual(await sp.create(disk, create, fx.ctx), disk.logicalId);
          await sp.remove(disk, fx.ctx);
          assert.deepEqual(await sp.attach(disk, fx.ctx), access);
        });
      } else test('after remove, attach finds nothing and assemble fails', async () => {
        const disk = await newDisk(4);
        await sp.remove(disk, fx.ctx);
        assert.equal(await sp.attach(disk, fx.ctx), null);
        await assert.rejects(sp.assemble(disk, assembleOpts, fx.ctx), isGanetiError);
      });

      test('actualSize is at least the size asked for', async () => {
        const disk = await newDisk(4);
        await sp.assemble(disk, assembleOpts, fx.ctx);
        const { size } = await sp.actualSize(disk, fx.ctx);
        assert.ok(size >= 4 * MIB, `${size} bytes`);
      });

      if (!traits.adopts) test('creating a disk that exists is refused with a GanetiError', async () => {
        const disk = await newDisk(4);
        await assert.rejects(sp.create(disk, create, fx.ctx), isGanetiError);
        // assemble, not attach: a created disk need not be active (an rbd image is not mapped yet).
        assert.ok(await sp.assemble(disk, assembleOpts, fx.ctx), 'the existing disk is still there');
      });
    } else {
      test('there is no device: attach finds none and assemble refuses', async () => {
        const disk = await newDisk(0);
        assert.equal(await sp.attach(disk, fx.ctx), null);
        await assert.rejects(sp.assemble(disk, assembleOpts, fx.ctx), isGanetiError);
        assert.deepEqual(await sp.actualSize(disk, fx.ctx), { size: 0, spindles: null });
      });
    }

    test(`declares what the suite expects of it: ${traits.grows ? 'grows' : 'does not grow'}, ${traits.units ? 'reports' : 'reports no'} storage units`, () => {
      assert.equal(typeof sp.grow === 'function' && sp.supportsGrow, traits.grows);
      assert.equal((sp.storageUnits ?? []).length > 0, traits.units);
    });

    if (traits.hasDevice && traits.grows) {
      test('grow adds the amount, not in a dry run, and never shrinks', async () => {
        assert.ok(sp.grow);
        const disk = await newDisk(4);
        await sp.assemble(disk, assembleOpts, fx.ctx);
        const before = (await sp.actualSize(disk, fx.ctx)).size;
        await sp.grow(disk, 4, { ...growOpts, dryRun: true }, fx.ctx);
        assert.equal((await sp.actualSize(disk, fx.ctx)).size, before);
        await sp.grow(disk, 4, growOpts, fx.ctx);
        assert.ok((await sp.actualSize(disk, fx.ctx)).size >= before + 4 * MIB);
        const grown = (await sp.actualSize(disk, fx.ctx)).size;
        await assert.rejects(sp.grow(disk, -4, growOpts, fx.ctx), isGanetiError);
        assert.equal((await sp.actualSize(disk, fx.ctx)).size, grown);
      });
    }

    if (traits.units) {
      test('storage units list their name and numeric sizes', async () => {
        const units = sp.storageUnits ?? [];
        for (const unit of units) {
          assert.ok(fx.unitKey, `the fixture must give a unit key for ${unit.type}`);
          const key = fx.unitKey(unit.type);
          const rows = await unit.list(key, null, ['name', 'size', 'used', 'free', 'allocatable'], fx.ctx);
          assert.ok(rows.length >= 1, `${unit.type}: no unit listed`);
          for (const row of rows) {
            assert.equal(typeof row.name, 'string');
            for (const f of ['size', 'used', 'free'] as const) assert.ok(Number.isFinite(row[f]) && row[f]! >= 0, `${unit.type} ${row.name} ${f}: ${row[f]}`);
            assert.equal(typeof row.allocatable, 'boolean');
          }
          assert.deepEqual(await unit.list(key, `${rows[0]!.name}-no-such-unit`, ['name'], fx.ctx), []);
          if (unit.spaceInfo) {
            const space = await unit.spaceInfo(key, fx.ctx);
            assert.equal(space.type, unit.type);
            assert.ok(Number.isFinite(space.storage_size) && Number.isFinite(space.storage_free));
            assert.ok(space.storage_free <= space.storage_size);
          }
        }
      });
    }
  });
}
