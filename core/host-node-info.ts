/**
 * Node memory and CPUs as Ganeti's BaseHypervisor.GetLinuxNodeInfo reports them, with its
 * key names and its arithmetic (MiB, integer division per /proc/meminfo line).
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { GanetiError, describeError } from './errors/index.js';
import type { HvNodeInfo } from './contracts/hypervisor.js';

const MEMINFO = '/proc/meminfo';

/** Parses /proc/meminfo text; exported for tests. */
export function parseMeminfo(text: string): Pick<HvNodeInfo, 'memory_total' | 'memory_free' | 'memory_dom0'> {
  const kib = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([^:]+):\s*(\d+)/.exec(line);
    if (m) kib.set(m[1]!.trim(), Number(m[2]));
  }
  const mib = (key: string) => Math.floor((kib.get(key) ?? 0) / 1024);
  if (!kib.has('MemTotal')) throw new Error(`${MEMINFO} has no MemTotal line`);
  return {
    memory_total: mib('MemTotal'),
    // Ganeti counts buffers and page cache as free: the kernel gives them back on demand.
    memory_free: mib('MemFree') + mib('Buffers') + mib('Cached'),
    memory_dom0: mib('Active'),
  };
}

/**
 * The node as a Linux host sees it, for hypervisor providers' nodeInfo (the caller subtracts
 * what its instances use); `hypervisor` names the caller in errors.
 */
export async function hostNodeInfo(hypervisor: string): Promise<HvNodeInfo> {
  let memory;
  try {
    memory = parseMeminfo(await readFile(MEMINFO, 'utf8'));
  } catch (e) {
    throw new GanetiError('GNT_HV_FAILED', { hypervisor, action: 'read node memory', reason: describeError(e) }, { cause: e });
  }
  return {
    ...memory,
    // os.cpus() is empty where /proc/cpuinfo is hidden; availableParallelism() still answers.
    cpu_total: cpus().length || availableParallelism(),
    // As Ganeti: one NUMA node and socket assumed, no CPU reserved for the node.
    cpu_nodes: 1,
    cpu_sockets: 1,
    cpu_dom0: 0,
  };
}
