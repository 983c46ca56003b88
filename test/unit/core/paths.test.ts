import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ganetiPaths } from '../../../core/paths.js';

test('every path derives from the one root prefix', () => {
  const p = ganetiPaths('/srv/node3');
  const all = Object.entries(p).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : Array.isArray(v) ? v.map((x) => [k, x]) : []));
  assert.ok(all.length > 20);
  for (const [k, v] of all) assert.ok(v === '/srv/node3' || v.startsWith('/srv/node3/'), `${k}: ${v}`);
  assert.equal(p.configData, '/srv/node3/var/lib/ganeti/config.data');
  assert.equal(p.luxiSocket, '/srv/node3/var/run/ganeti/socket/ganeti-query');
  assert.equal(p.ssconf('master_node'), '/srv/node3/var/lib/ganeti/ssconf_master_node');
  assert.equal(p.under('/etc/ganeti/hooks'), p.hooksDir);
  assert.deepEqual(p.osSearchPath, ['/srv/node3/srv/ganeti/os', '/srv/node3/usr/share/ganeti/os']);
});

test('the root defaults to GANETI_ROOT, then /', () => {
  const saved = process.env['GANETI_ROOT'];
  try {
    process.env['GANETI_ROOT'] = '/tmp/n1';
    assert.equal(ganetiPaths().dataDir, '/tmp/n1/var/lib/ganeti');
    delete process.env['GANETI_ROOT'];
    assert.equal(ganetiPaths().dataDir, '/var/lib/ganeti');
  } finally {
    if (saved === undefined) delete process.env['GANETI_ROOT'];
    else process.env['GANETI_ROOT'] = saved;
  }
});
