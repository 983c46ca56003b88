import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeFilter, parseQlang } from '../../../core/query/qlang.js';
import { GanetiError } from '../../../core/errors/index.js';

test('qlang expressions become Ganeti\'s JSON filters', () => {
  const cases: [string, unknown][] = [
    ['name == "web1"', ['==', 'name', 'web1']],
    ["pnode != 'node1.example.org'", ['!=', 'pnode', 'node1.example.org']],
    ['be/maxmem >= 1024', ['>=', 'be/maxmem', 1024]],
    ['admin_up', ['?', 'admin_up']],
    ['not admin_up', ['!', ['?', 'admin_up']]],
    ['name =~ /^web/', ['=~', 'name', '^web']],
    ['name =~ /^WEB/i', ['=~', 'name', '(?i)^WEB']],
    ['"node2" in snodes', ['=[]', 'snodes', 'node2']],
    ['"node2" not in snodes', ['!', ['=[]', 'snodes', 'node2']]],
    ['status == "running" and (pnode == "a" or pnode == "b")', ['&', ['==', 'status', 'running'], ['|', ['==', 'pnode', 'a'], ['==', 'pnode', 'b']]]],
    ['a == 1 or b == 2 or c == 3', ['|', ['==', 'a', 1], ['==', 'b', 2], ['==', 'c', 3]]],
    ['oper_state == true', ['==', 'oper_state', true]],
  ];
  for (const [text, want] of cases) assert.deepEqual(parseQlang(text), want, text);
});

test('malformed expressions are GNT_QUERY_FILTER errors saying what is wrong', () => {
  for (const [text, re] of [['name ==', /missing value/], ['name == "x', /unterminated string/], ['(name == 1', /missing \)/], ['name == 1 pnode', /after the end/], ['"x" pnode', /followed by 'in FIELD'/], ['name =~ web', /regular expression/], ['name # 1', /unexpected '#'/]] as const) {
    assert.throws(() => parseQlang(text), (e: unknown) => e instanceof GanetiError && e.code === 'GNT_QUERY_FILTER' && re.test(e.message), text);
  }
});

test('names without -F: == each, glob patterns match by regex', () => {
  assert.equal(makeFilter([], false), null);
  assert.deepEqual(makeFilter(['a', 'web*', 'db?.x', 'n[12]'], false), ['|', ['==', 'name', 'a'], ['=~', 'name', '^web.*$'], ['=~', 'name', '^db.\\.x$'], ['=~', 'name', '^n[12]$']]);
  assert.deepEqual(makeFilter(['pnode', '==', '"n1"'], true), ['==', 'pnode', 'n1']);
});
