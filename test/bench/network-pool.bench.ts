import { AddressPool } from '../../core/network/address-pool.js';
import { median, report, timeRuns } from './stats.js';

// Address pool of a /16 (65,536 addresses, Ganeti's largest pool), on this 2-core machine:
// - every address reserved one by one by its address, then released: target < 1 s in total
// - every address taken with ip=pool's first-free search, then released: target < 1 s
// - the pool read from and written back to the config's 0/1 strings: a few ms
// Printed, not asserted. BENCH_RUNS sets the number of runs (default 7).
const RUNS = Number(process.env['BENCH_RUNS'] ?? 7);
const NET = { name: 'bench', network: '10.64.0.0/16', gateway: '10.64.0.1' };

const addresses: string[] = [];
for (let i = 0; i < 65536; i++) addresses.push(`10.64.${i >> 8}.${i & 255}`);
const free = addresses.filter((a) => !['10.64.0.0', '10.64.0.1', '10.64.255.255'].includes(a));

const byAddress = await timeRuns(RUNS, async () => {
  const pool = AddressPool.initialize(NET);
  for (const ip of free) pool.reserve(ip);
  if (!pool.isFull()) throw new Error('pool not full');
  for (const ip of free) pool.release(ip);
});
report('/16: reserve 65,533 addresses by address + release', byAddress, '< 1000 ms');

const firstFree = await timeRuns(RUNS, async () => {
  const pool = AddressPool.initialize(NET);
  const taken: string[] = [];
  for (let i = 0; i < free.length; i++) taken.push(pool.takeFree());
  if (pool.findFree() !== null) throw new Error('pool not full');
  for (const ip of taken) pool.release(ip);
});
report('/16: take 65,533 first-free addresses + release', firstFree, '< 1000 ms');

const stored = AddressPool.initialize(NET).toConfig();
const roundTrip = await timeRuns(RUNS, async () => {
  const pool = new AddressPool({ ...NET, ...stored });
  pool.reserve('10.64.12.34');
  pool.toConfig();
});
report('/16: pool from config strings + one reserve + back', roundTrip);
process.stdout.write(`    => median totals: by address ${median(byAddress).toFixed(0)} ms, first-free ${median(firstFree).toFixed(0)} ms\n`);
