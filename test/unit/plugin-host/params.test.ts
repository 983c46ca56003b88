import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ProviderRegistry } from '../../../core/plugin-host/index.js';
import { GanetiError } from '../../../core/errors/index.js';
import type { ProviderBase } from '../../../core/contracts/index.js';

const registry = () => {
  const r = new ProviderRegistry<ProviderBase & { start(): void }>('hypervisor', ['start']);
  r.add('demo', {
    start() {},
    params: {
      type: 'object',
      properties: {
        kernel_path: { type: 'string', description: 'kernel to boot' },
        acpi: { type: 'boolean' },
        serial_speed: { type: 'integer', minimum: 300 },
        disk_cache: { enum: ['default', 'none', 'writethrough', 'writeback'] },
      },
      required: ['kernel_path'],
    },
  }, 'test-plugin');
  return r;
};

const refused = (code: string, line: string) => (e: unknown) => {
  assert.ok(e instanceof GanetiError);
  assert.equal(e.code, code);
  assert.equal(e.ecode, 'wrong_input');
  assert.equal(e.toLine(), line);
  return true;
};

describe('provider parameters', () => {
  test('an unknown name is refused, naming it and the known ones', () => {
    assert.throws(() => registry().validateParams('demo', { kernel_path: '/k', acpii: true }),
      refused('GNT_PARAM_UNKNOWN', "GNT_PARAM_UNKNOWN: unknown parameter 'acpii' for hypervisor 'demo' (known: acpi, disk_cache, kernel_path, serial_speed)"));
  });

  test('a wrong type is refused, naming the parameter', () => {
    assert.throws(() => registry().validateParams('demo', { kernel_path: '/k', serial_speed: 'fast' }),
      refused('GNT_PARAM_INVALID', "GNT_PARAM_INVALID: parameter 'serial_speed' for hypervisor 'demo' must be integer"));
    assert.throws(() => registry().validateParams('demo', { kernel_path: '/k', serial_speed: 100 }),
      refused('GNT_PARAM_INVALID', "GNT_PARAM_INVALID: parameter 'serial_speed' for hypervisor 'demo' must be >= 300"));
    assert.throws(() => registry().validateParams('demo', { kernel_path: '/k', disk_cache: 'fast' }),
      refused('GNT_PARAM_INVALID', "GNT_PARAM_INVALID: parameter 'disk_cache' for hypervisor 'demo' must be equal to one of the allowed values: default, none, writethrough, writeback"));
  });

  test('strings from the command line are coerced on a copy', () => {
    const input = { kernel_path: '/k', acpi: 'false', serial_speed: '38400' };
    assert.deepEqual(registry().validateParams('demo', input), { kernel_path: '/k', acpi: false, serial_speed: 38400 });
    assert.equal(input.serial_speed, '38400');
  });

  test('required parameters are enforced unless the set is partial', () => {
    assert.throws(() => registry().validateParams('demo', { acpi: true }),
      refused('GNT_PARAM_MISSING', "GNT_PARAM_MISSING: parameter 'kernel_path' for hypervisor 'demo' is required"));
    assert.deepEqual(registry().validateParams('demo', { acpi: true }, { partial: true }), { acpi: true });
  });

  test('an unknown provider is reported with the known ones', () => {
    assert.throws(() => registry().validateParams('kvm', {}), (e: GanetiError) => e.code === 'GNT_PROVIDER_UNKNOWN' && e.message === "unknown hypervisor 'kvm' (known: demo)");
  });

  test('a schema that lets unknown parameters through is refused at registration', () => {
    const r = new ProviderRegistry<ProviderBase & { start(): void }>('hypervisor', ['start']);
    assert.throws(() => r.add('loose', { start() {}, params: { type: 'object', properties: {}, additionalProperties: true as never } }, 'p'),
      (e: GanetiError) => e.code === 'GNT_PROVIDER_INVALID' && /must not allow additional properties/.test(e.message));
    assert.throws(() => r.add('Bad Name', { start() {}, params: { type: 'object', properties: {} } }, 'p'), (e: GanetiError) => e.code === 'GNT_PROVIDER_INVALID');
    assert.throws(() => r.add('nostart', { params: { type: 'object', properties: {} } } as never, 'p'), (e: GanetiError) => /missing method start/.test(e.message));
  });
});
