import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFilter, makeSimpleFilter, requestedNames, type FilterField } from '../../../core/query/filter.js';
import { FieldTable, NODATA, UNAVAIL, niceCompare, type QueryField } from '../../../core/query/fields.js';
import { GanetiError } from '../../../core/errors/index.js';

interface Node {
  name: string;
  mfree: number | typeof NODATA;
  offline: boolean;
  tags: string[];
  ctime: [number, number];
  ratio: number;
  params: Record<string, unknown>;
}

const NODES: Node[] = [
  { name: 'node1.example.com', mfree: 1024, offline: false, tags: ['a', 'b'], ctime: [100, 500000], ratio: 0.5, params: {} },
  { name: 'node2.example.com', mfree: 512, offline: true, tags: [], ctime: [200, 0], ratio: 1.5, params: { x: 1 } },
  { name: 'node10.example.com', mfree: NODATA, offline: false, tags: ['b'], ctime: [300, 0], ratio: 2, params: {} },
];

const FIELDS: QueryField<Node>[] = [
  { name: 'name', title: 'Node', kind: 'text', doc: 'Node name', get: (n) => n.name },
  { name: 'mfree', title: 'MFree', kind: 'unit', doc: 'Free memory', get: (n) => n.mfree },
  { name: 'offline', title: 'Offline', kind: 'bool', doc: 'Offline', get: (n) => n.offline },
  { name: 'tags', title: 'Tags', kind: 'other', doc: 'Tags', get: (n) => n.tags },
  { name: 'ctime', title: 'CTime', kind: 'other', doc: 'Created', get: (n) => n.ctime, splitTimestamp: true },
  { name: 'ratio', title: 'Ratio', kind: 'float', doc: 'Ratio', get: (n) => n.ratio },
  { name: 'params', title: 'Params', kind: 'other', doc: 'Params', get: (n) => n.params },
];
const table = new FieldTable<Node>('node', FIELDS);
const byName = new Map<string, FilterField<Node>>(FIELDS.map((f) => [f.name, f]));

const names = (filter: unknown) => NODES.filter(compileFilter(filter, (n) => byName.get(n))).map((n) => n.name.replace('.example.com', ''));
const filterError = (re: RegExp) => (e: unknown) => e instanceof GanetiError && e.code === 'GNT_QUERY_FILTER' && re.test(e.message);

describe('query filter language', () => {
  test('== and the legacy =, !=', () => {
    assert.deepEqual(names(['==', 'name', 'node2.example.com']), ['node2']);
    assert.deepEqual(names(['=', 'name', 'node2.example.com']), ['node2']);
    assert.deepEqual(names(['!=', 'name', 'node2.example.com']), ['node1', 'node10']);
    assert.deepEqual(names(['==', 'offline', true]), ['node2']);
    assert.deepEqual(names(['==', 'tags', ['a', 'b']]), ['node1'], 'lists compare by value');
    assert.deepEqual(names(['==', 'params', { x: 1 }]), ['node2']);
  });

  test('ordering of numbers and strings; a missing value lets the item pass', () => {
    assert.deepEqual(names(['<', 'mfree', 1000]), ['node2', 'node10']);
    assert.deepEqual(names(['>=', 'mfree', 1024]), ['node1', 'node10']);
    assert.deepEqual(names(['>', 'name', 'node10']), ['node2', 'node10'], 'plain string order: node1. < node10');
    assert.deepEqual(names(['<=', 'ratio', 1.5]), ['node1', 'node2']);
    assert.deepEqual(names(['>', 'ratio', 1]), ['node2', 'node10']);
  });

  test('split timestamps compare as seconds', () => {
    assert.deepEqual(names(['>', 'ctime', 100.4]), ['node1', 'node2', 'node10']);
    assert.deepEqual(names(['>', 'ctime', 100.6]), ['node2', 'node10']);
    assert.deepEqual(names(['==', 'ctime', [200, 0]]), ['node2'], 'a [sec, usec] operand is merged too');
  });

  test('|, &, ! and their empty forms', () => {
    assert.deepEqual(names(['|', ['==', 'name', 'node1.example.com'], ['==', 'offline', true]]), ['node1', 'node2']);
    assert.deepEqual(names(['&', ['?', 'tags'], ['!', ['==', 'name', 'node1.example.com']]]), ['node10']);
    assert.deepEqual(names(['|']), []);
    assert.deepEqual(names(['&']), ['node1', 'node2', 'node10']);
    assert.deepEqual(names(['!', ['|']]), ['node1', 'node2', 'node10']);
  });

  test('? is truthiness (booleans, empty lists and objects false)', () => {
    assert.deepEqual(names(['?', 'offline']), ['node2']);
    assert.deepEqual(names(['?', 'tags']), ['node1', 'node10']);
    assert.deepEqual(names(['?', 'params']), ['node2']);
    assert.deepEqual(names(['!', ['?', 'offline']]), ['node1', 'node10']);
  });

  test('=~ searches the regular expression anywhere in the value', () => {
    assert.deepEqual(names(['=~', 'name', '^node1']), ['node1', 'node10']);
    assert.deepEqual(names(['=~', 'name', 'e1\\d\\.']), ['node10']);
    assert.deepEqual(names(['=~', 'name', '(?P<n>\\d)\\.example']), ['node1', 'node2', 'node10'], "Python's named groups");
  });

  test('=[] looks into lists (and into strings as a substring)', () => {
    assert.deepEqual(names(['=[]', 'tags', 'b']), ['node1', 'node10']);
    assert.deepEqual(names(['=[]', 'tags', 'z']), []);
    assert.deepEqual(names(['=[]', 'name', 'e10']), ['node10']);
  });

  test('malformed filters are refused with GNT_QUERY_FILTER naming the problem', () => {
    const compile = (f: unknown) => compileFilter(f, (n) => byName.get(n));
    assert.throws(() => compile('name'), filterError(/expected a non-empty list \[operator, operands\.\.\.\] on level 0, got 'name'/));
    assert.throws(() => compile([]), filterError(/non-empty list/));
    assert.throws(() => compile(['|', 'x']), filterError(/on level 1, got 'x'/));
    assert.throws(() => compile(['~~', 'name', 'x']), filterError(/unknown operator '~~'/));
    assert.throws(() => compile([7, 'name', 'x']), filterError(/unknown operator 7/));
    assert.throws(() => compile(['!']), filterError(/unary operator '!' expects exactly one operand, got 0/));
    assert.throws(() => compile(['?', 'tags', 'more']), filterError(/unary operator '\?' expects exactly one operand, got 2/));
    assert.throws(() => compile(['==', 'name']), filterError(/binary operator '==' expects exactly two operands \(field, value\), got 1/));
    assert.throws(() => compile(['==', 'nosuch', 1]), filterError(/unknown field 'nosuch'/));
    assert.throws(() => compile(['?', 'nosuch']), filterError(/unknown field 'nosuch'/));
    assert.throws(() => compile(['==', 'mfree', 'lots']), filterError(/cannot compare field 'mfree' \(type unit\) with 'lots'/));
    assert.throws(() => compile(['==', 'mfree', 1.5]), filterError(/type unit/));
    assert.throws(() => compile(['==', 'offline', 'yes']), filterError(/type bool/));
    assert.throws(() => compile(['=~', 'name', '(unclosed']), filterError(/invalid regular expression '\(unclosed'/));
    assert.throws(() => compile(['>', 'ctime', 'yesterday']), filterError(/cannot compare field 'ctime'/));
    let deep: unknown = ['==', 'name', 'x'];
    for (let i = 0; i < 10; i++) deep = ['!', deep];
    assert.throws(() => compile(deep), filterError(/only up to 10 levels are allowed/));
  });

  test('values that cannot be compared fail when evaluated', () => {
    const p = compileFilter(['<', 'tags', 'a'], (n) => byName.get(n));
    assert.throws(() => NODES.filter(p), filterError(/cannot order the value \["a","b"\] of field 'tags' against 'a'/));
    const q = compileFilter(['=[]', 'params', 'x'], (n) => byName.get(n));
    assert.throws(() => NODES.filter(q), filterError(/not a list/));
  });

  test('makeSimpleFilter and requestedNames', () => {
    assert.equal(makeSimpleFilter('name', []), null);
    assert.equal(makeSimpleFilter('name', null), null);
    assert.deepEqual(makeSimpleFilter('id', [1, 2]), ['|', ['==', 'id', 1], ['==', 'id', 2]]);
    assert.deepEqual(requestedNames(makeSimpleFilter('id', [1, 2, 1]), 'id'), [1, 2]);
    assert.deepEqual(requestedNames(['=', 'id', 3], 'id'), [3]);
    assert.deepEqual(requestedNames(['|', ['==', 'id', 1], ['|', ['==', 'id', 4]]], 'id'), [1, 4]);
    assert.equal(requestedNames(null, 'id'), null);
    assert.equal(requestedNames(['&', ['==', 'id', 1]], 'id'), null, 'and needs all items');
    assert.equal(requestedNames(['|', ['==', 'id', 1], ['==', 'status', 'error']], 'id'), null);
    assert.equal(requestedNames(['|'], 'id'), null);
  });
});

describe('query fields', () => {
  test('Query: definitions, values with their status, unknown fields, filter, order', () => {
    const missing = { ...NODES[0]!, name: 'gone', mfree: UNAVAIL as unknown as number };
    const r = table.query(['name', 'mfree', 'foo'], ['!', ['==', 'name', 'node2.example.com']], [...NODES, missing], { sortBy: (n) => n.name });
    assert.deepEqual(r.fields, [
      { name: 'name', title: 'Node', kind: 'text', doc: 'Node name' },
      { name: 'mfree', title: 'MFree', kind: 'unit', doc: 'Free memory' },
      { name: 'foo', title: 'foo', kind: 'unknown', doc: "Unknown field 'foo'" },
    ]);
    assert.deepEqual(r.data, [
      [[0, 'gone'], [3, null], [1, null]],
      [[0, 'node1.example.com'], [0, 1024], [1, null]],
      [[0, 'node10.example.com'], [2, null], [1, null]],
    ]);
  });

  test('Query with a malformed filter fails before looking at items', () => {
    assert.throws(() => table.query(['name'], ['==', 'bogus', 1], []), filterError(/unknown field 'bogus'/));
  });

  test('QueryFields: all fields sorted by name, or the named ones with unknown ones marked', () => {
    assert.deepEqual(
      table.definitions(null).map((f) => f.name),
      ['ctime', 'mfree', 'name', 'offline', 'params', 'ratio', 'tags'],
    );
    assert.deepEqual(table.definitions(['tags', 'x']), [
      { name: 'tags', title: 'Tags', kind: 'other', doc: 'Tags' },
      { name: 'x', title: 'x', kind: 'unknown', doc: "Unknown field 'x'" },
    ]);
  });

  test('old-style values: plain values, null when missing, unknown fields refused', () => {
    assert.deepEqual(table.values(NODES[2]!, ['name', 'mfree']), ['node10.example.com', null]);
    assert.throws(
      () => table.values(NODES[0]!, ['name', 'x', 'y']),
      (e: unknown) => e instanceof GanetiError && e.code === 'GNT_QUERY_UNKNOWN_FIELD' && e.message === 'unknown node field(s): x, y',
    );
  });

  test("field names and titles follow Ganeti's rules", () => {
    assert.throws(() => new FieldTable('x', [{ ...FIELDS[0]!, name: 'Bad Name' }]), /bad field name/);
    assert.throws(() => new FieldTable('x', [{ ...FIELDS[0]!, title: 'two words' }]), /bad title/);
    assert.throws(() => new FieldTable('x', [FIELDS[0]!, FIELDS[0]!]), /duplicate/);
  });

  test('nice sorting puts node2 before node10', () => {
    assert.deepEqual(['node10', 'node2', 'node1', 'a'].sort(niceCompare), ['a', 'node1', 'node2', 'node10']);
  });
});
