import { test } from 'node:test';
import assert from 'node:assert/strict';
import columnify from 'columnify';
import { formatTable, type FieldDef } from '../../../cli/output/table.js';

type Row = readonly string[];

/** What columnify makes of the same table (the layout the fast path must keep). */
function viaColumnify(fields: readonly FieldDef<Row>[], rows: readonly Row[], headers: boolean): string[] {
  const data = rows.map((r) => Object.fromEntries(r.map((v, i) => [String(i), v])));
  const config = Object.fromEntries(fields.map((f, i) => [String(i), { headingTransform: () => f.title, align: f.numeric ? ('right' as const) : ('left' as const) }]));
  const text = columnify(data, { columnSplitter: ' ', showHeaders: headers, config, preserveNewLines: false, columns: fields.map((_, i) => String(i)) });
  return (text === '' ? [] : text.split('\n')).map((l) => l.trimEnd());
}

test('plain ASCII tables are laid out exactly as columnify lays them out', () => {
  let seed = 7;
  const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
  const word = () => Array.from({ length: 1 + rnd(12) }, () => 'abcdefghij.-_0123456789 '[rnd(24)]).join('').trim() || 'x';
  for (let t = 0; t < 200; t++) {
    const cols = 1 + rnd(6);
    const fields: FieldDef<Row>[] = Array.from({ length: cols }, (_, i) => ({ name: `f${i}`, title: `Title${'x'.repeat(rnd(8))}${i}`, doc: '', numeric: rnd(3) === 0, get: (r: Row) => r[i] }));
    const rows: Row[] = Array.from({ length: rnd(30) }, () => fields.map(() => word()));
    for (const headers of [true, false]) {
      assert.deepEqual(formatTable(fields, rows, { headers }), viaColumnify(fields, rows, headers), `table ${t}, headers ${headers}`);
    }
  }
});

test('wide characters still go through columnify', () => {
  const fields: FieldDef<Row>[] = [{ name: 'a', title: 'Name', doc: '', get: (r) => r[0] }, { name: 'b', title: 'N', doc: '', numeric: true, get: (r) => r[1] }];
  const rows: Row[] = [['漢字', '1'], ['ab', '22']];
  assert.deepEqual(formatTable(fields, rows), viaColumnify(fields, rows, true));
  assert.equal(formatTable(fields, rows)[1], '漢字  1');
});
