import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GanetiError } from '../../../core/errors/index.js';
import { AddressPool, parseIpv4Network, rangesOverlap } from '../../../core/network/address-pool.js';
import { REPO_ROOT } from '../../helpers/tmp.js';

const code = (c: string) => (e: unknown) => e instanceof GanetiError && e.code === c;

test('initialize: network, broadcast and gateway are external reservations (Ganeti InitializeNetwork)', () => {
  const p = AddressPool.initialize({ name: 'n', network: '192.0.2.0/29', gateway: '192.0.2.1' });
  assert.equal(p.size, 8);
  assert.deepEqual(p.externalReservations(), ['192.0.2.0', '192.0.2.1', '192.0.2.7']);
  assert.equal(p.reservedCount, 3);
  assert.equal(p.freeCount, 5);
  assert.equal(p.map(), 'XX.....X');
  assert.deepEqual(p.toConfig(), { reservations: '00000000', ext_reservations: '11000001' });
});

test('reserve, release and first free address; instance and external maps are separate', () => {
  const p = AddressPool.initialize({ name: 'n', network: '192.0.2.0/29', gateway: null });
  assert.equal(p.findFree(), '192.0.2.1');
  assert.equal(p.takeFree(), '192.0.2.1');
  assert.equal(p.takeFree(), '192.0.2.2');
  p.reserve('192.0.2.4', { external: true });
  assert.equal(p.takeFree(), '192.0.2.3');
  assert.equal(p.takeFree(), '192.0.2.5');
  assert.ok(p.isReserved('192.0.2.2'));
  assert.ok(!p.isReserved('192.0.2.4'));
  assert.ok(p.isReserved('192.0.2.4', { external: true }));
  p.release('192.0.2.2');
  assert.equal(p.findFree(), '192.0.2.2');
  assert.deepEqual(p.toConfig(), { reservations: '01010100', ext_reservations: '10001001' });
});

test('bad input: taken, outside, not reserved, full, malformed', () => {
  const p = AddressPool.initialize({ name: 'n', network: '10.1.0.0/30', gateway: '10.1.0.1' });
  assert.throws(() => p.reserve('10.1.0.1'), code('GNT_NETWORK_ADDRESS_TAKEN'));
  assert.throws(() => p.reserve('10.1.0.1', { external: true }), /already externally reserved/);
  assert.throws(() => p.reserve('10.1.0.9', { field: 'nics[0].ip' }), (e) => code('GNT_NETWORK_ADDRESS_OUTSIDE')(e) && /nics\[0\]\.ip: address 10\.1\.0\.9 is not in network 'n' \(10\.1\.0\.0\/30\)/.test(String((e as Error).message)));
  assert.throws(() => p.release('10.1.0.2'), code('GNT_NETWORK_ADDRESS_NOT_RESERVED'));
  assert.throws(() => p.reserve('10.1.0'), code('GNT_NETWORK_INVALID'));
  assert.equal(p.takeFree(), '10.1.0.2');
  assert.throws(() => p.reserve('10.1.0.2'), /already used by an instance/);
  assert.ok(p.isFull());
  assert.equal(p.findFree(), null);
  assert.throws(() => p.takeFree('nics[1].ip'), code('GNT_NETWORK_POOL_FULL'));
  for (const [cidr, why] of [
    ['10.0.0.0', /CIDR/],
    ['10.0.0.1/24', /host bits/],
    ['10.0.0.0/31', /too small/],
    ['10.0.0.0/15', /too big/],
    ['300.0.0.0/24', /CIDR/],
    ['10.0/24', /CIDR/],
  ] as const)
    assert.throws(() => parseIpv4Network(cidr), (e) => code('GNT_NETWORK_INVALID')(e) && why.test((e as Error).message), cidr);
  assert.throws(() => AddressPool.initialize({ name: 'n', network: '10.0.0.0/24', gateway: '10.0.1.1' }), code('GNT_NETWORK_ADDRESS_OUTSIDE'));
  assert.throws(() => new AddressPool({ name: 'n', network: '10.0.0.0/30', reservations: '0101x' }), code('GNT_NETWORK_INVALID'));
});

test('overlap of ranges', () => {
  const a = parseIpv4Network('10.0.0.0/24');
  assert.ok(rangesOverlap(a, parseIpv4Network('10.0.0.128/25')));
  assert.ok(rangesOverlap(parseIpv4Network('10.0.0.0/16'), a));
  assert.ok(!rangesOverlap(a, parseIpv4Network('10.0.1.0/24')));
});

test('reads and writes the maps of a Ganeti config unchanged', async () => {
  const data = JSON.parse(await readFile(join(REPO_ROOT, 'test/fixtures/config/ganeti-3.0.config.data.json'), 'utf8'));
  const net = Object.values(data.networks as Record<string, { name: string; network: string; reservations: string; ext_reservations: string }>)[0]!;
  const p = new AddressPool(net);
  assert.deepEqual(p.toConfig(), { reservations: net.reservations, ext_reservations: net.ext_reservations });
  assert.equal(p.map(), 'X...X..........X');
  assert.equal(p.freeCount, 13);
  assert.equal(p.findFree(), '203.0.113.17');
});

test('a /16: every address taken one by one, then released; words past the end never count', () => {
  const p = AddressPool.initialize({ name: 'big', network: '10.20.0.0/16', gateway: '10.20.0.1' });
  const taken: string[] = [];
  for (let ip = p.findFree(); ip !== null; ip = p.findFree()) taken.push(p.takeFree());
  assert.equal(taken.length, 65536 - 3);
  assert.equal(taken[0], '10.20.0.2');
  assert.equal(taken.at(-1), '10.20.255.254');
  assert.equal(p.freeCount, 0);
  for (const ip of taken) p.release(ip);
  assert.equal(p.freeCount, 65533);
  assert.equal(p.toConfig().reservations, '0'.repeat(65536));
  const small = AddressPool.initialize({ name: 's', network: '10.0.0.0/30', gateway: null });
  small.takeFree();
  small.takeFree();
  assert.equal(small.findFree(), null); // the 28 unused bits of the last word are not addresses
});
