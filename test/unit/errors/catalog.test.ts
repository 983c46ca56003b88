import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ECODE, ERROR_CATALOG, GanetiError, type ErrorCode } from '../../../core/errors/index.js';

const readme = readFileSync(new URL('../../../../core/errors/README.md', import.meta.url), 'utf8');
const documented = [...readme.matchAll(/^\| `(GNT_[A-Z_]+)` \| `?([A-Z_]+|-)`? \|/gm)].map((m) => ({ code: m[1]!, ecode: m[2]! }));

test('the docs table lists every code of the catalog and no other', () => {
  assert.deepEqual(documented.map((d) => d.code).sort(), Object.keys(ERROR_CATALOG).sort());
});

test('the docs table gives each code its ECODE class', () => {
  for (const { code, ecode } of documented) {
    assert.equal(ERROR_CATALOG[code as ErrorCode].ecode ?? '-', ecode, code);
  }
});

test('every ECODE class used is one of Ganeti\'s', () => {
  for (const [code, def] of Object.entries(ERROR_CATALOG)) {
    if (def.ecode !== null) assert.ok(def.ecode in ECODE, `${code}: ${def.ecode}`);
  }
});

test('a GanetiError carries its code, Ganeti\'s wire ecode and a one-line message', () => {
  const e = new GanetiError('GNT_PARAM_UNKNOWN', { owner: "hypervisor 'kvm'", param: 'acpii', known: 'acpi, kernel_path' });
  assert.equal(e.code, 'GNT_PARAM_UNKNOWN');
  assert.equal(e.ecode, 'wrong_input');
  assert.equal(e.ecodeName, 'ECODE_INVAL');
  assert.equal(e.toLine(), "GNT_PARAM_UNKNOWN: unknown parameter 'acpii' for hypervisor 'kvm' (known: acpi, kernel_path)");
  assert.ok(e instanceof Error);
});
